#!/bin/sh
# The text report as a person reads it: snapshots on a fixed seed at 80 and
# 100 columns, in English and French, of a scenario with long and accented
# names (tests/text/accents.lua) and of a comparison; every line within the
# width in display cells; colour only on a terminal without NO_COLOR; the
# progress bar on a terminal only, and never with --quiet.
# UPDATE=1 sh tests/check_text.sh rewrites the snapshots (then read the diff).
. "$(dirname "$0")/support/checks.sh"
FC=${BUILD:-build}/funnelcast
S=tests/text/accents.lua
snap() { # NAME COLUMNS ARGS...: the report at that width against tests/text/NAME.txt
  name=$1 cols=$2; shift 2
  COLUMNS=$cols LANG=C "$FC" "$@" > "$tmp/$name.txt" 2> "$tmp/err" || { bad "$name: $(cat "$tmp/err")"; return; }
  if [ -n "$UPDATE" ]; then cp "$tmp/$name.txt" "tests/text/$name.txt"; fi
  if cmp -s "$tmp/$name.txt" "tests/text/$name.txt"; then ok; else
    bad "$name: the report differs from its snapshot:"; diff "tests/text/$name.txt" "$tmp/$name.txt" | head -20
  fi
  # within the width, counted in display cells (accents are one)
  /usr/bin/python3 - "$tmp/$name.txt" "$cols" <<'PY' && ok || bad "$name: a line wider than $cols columns"
import sys, unicodedata
def cells(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
w = int(sys.argv[2])
long = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if cells(l) > w]
if long: print("\n".join(long)); sys.exit(1)
PY
}
for cols in 80 100; do
  snap "run_en_$cols" $cols run "$S"
  snap "run_fr_$cols" $cols run "$S" --lang fr
done
snap compare_en_80 80 run tests/text/compare.lua
snap compare_fr_100 100 run tests/text/compare.lua --lang fr
# the language from the environment: LANG, under LC_MESSAGES, under LC_ALL
LANG=fr_FR.UTF-8 COLUMNS=80 "$FC" run "$S" > "$tmp/env.txt" && cmp -s "$tmp/env.txt" tests/text/run_fr_80.txt && ok ||
  bad "LANG=fr_FR.UTF-8 gives the French report"
LANG=fr_FR.UTF-8 LC_ALL=en_US.UTF-8 COLUMNS=80 "$FC" run "$S" > "$tmp/env.txt" && cmp -s "$tmp/env.txt" tests/text/run_en_80.txt &&
  ok || bad "LC_ALL comes before LANG"
# --locale: French numbers and dates in English words
COLUMNS=100 "$FC" run "$S" --locale fr_FR.UTF-8 > "$tmp/loc.txt" && grep -q '^Coût d.acquisition sous 3 000 €  *17,7 %   60 %  below confidence$' "$tmp/loc.txt" &&
  grep -q '(janv. 2027 to juin 2027)' "$tmp/loc.txt" && ok || bad "--locale fr_FR.UTF-8: $(sed -n 1,8p "$tmp/loc.txt")"
# JSON never changes with the language
LANG=C "$FC" run "$S" --format json > "$tmp/en.json" && "$FC" run "$S" --format json --lang fr > "$tmp/fr.json" &&
  cmp -s "$tmp/en.json" "$tmp/fr.json" && ok || bad "the JSON report changed with --lang"
# the goals a run cannot move have no drivers, and the report says so
grep -q "^(.*1 goal under 1% or over 99%: no" tests/text/run_en_100.txt && ok || bad "the drivers note of a certain goal"
# a terminal: colour unless NO_COLOR; the progress bar on standard error,
# not with --quiet and not in a pipe (the bar waits a second: a long run)
/usr/bin/python3 - "$FC" <<'PY' && ok || bad "colour and progress bar on a terminal"
import os, pty, sys, subprocess
fc = sys.argv[1]
def on_tty(args, env_extra):
    env = dict(os.environ, COLUMNS="100", **env_extra)
    env.pop("NO_COLOR", None) if "NO_COLOR" not in env_extra else None
    m, s = pty.openpty()
    p = subprocess.Popen([fc] + args, stdout=s, stderr=s, env=env)
    os.close(s)
    out = b""
    while True:
        try:
            b = os.read(m, 65536)
        except OSError:
            break
        if not b: break
        out += b
    p.wait()
    return out.decode("utf-8", "replace")
scen = "scenarios/b2b_saas_inbound.lua"
t = on_tty(["run", scen, "--trials", "800000", "--threads", "1"], {})
assert "\x1b[" in t and "trials" in t and "] " in t and "%" in t and "[#" in t, "bar and colour on a terminal"
t = on_tty(["run", scen, "--trials", "800000", "--threads", "1", "--quiet"], {"NO_COLOR": "1"})
assert "[#" not in t and "\x1b[3" not in t, "--quiet and NO_COLOR"
r = subprocess.run([fc, "run", scen, "--trials", "800000", "--threads", "1"], capture_output=True, text=True)
assert "\x1b" not in r.stdout and "[#" not in r.stderr, "a pipe: no colour, no bar"
PY
finish text
