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
# lua_checks LABEL SCRIPT MIN: runs the Lua test script SCRIPT (on $BUILD),
# shows its output, and counts two checks: it passed, and its summary line
# "LABEL: N checks, M failed" says it ran at least MIN checks (not a few).
lua_checks() {
  lua5.4 "$2" "$BUILD" > "$tmp/lua_checks.out" && ok || bad "$2"
  cat "$tmp/lua_checks.out"
  n=$(sed -n "s/^$1: \([0-9]*\) checks, [0-9]* failed\$/\1/p" "$tmp/lua_checks.out")
  [ -n "$n" ] && [ "$n" -ge "$3" ] && ok || bad "$2: expected its summary line with at least $3 checks, got '${n}'"
}
finish() {
  echo "$1: $pass passed, $fail failed"
  [ "$fail" = 0 ]
}
