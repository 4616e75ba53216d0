# checks.sh: the counting harness of the shell checks (tests/check_*.sh),
# the twin of checks.lua. Sourced, it gives $tmp (a scratch directory,
# removed at exit), ok and bad (count a check; bad prints its failure), and
# finish LABEL, which prints the summary line the suite reads and is the
# script's status (last command): . "$(dirname "$0")/support/checks.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
finish() {
  echo "$1: $pass passed, $fail failed"
  [ "$fail" = 0 ]
}
