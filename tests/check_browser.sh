#!/bin/sh
# The HTML report in a real browser: Debian's chromium, headless, renders a
# run, a comparison, a plan and an optimization (and a French run) to PNG at
# a desktop width (1280) and a phone width (390) and prints each to PDF,
# with no console message (the page has no script, so any message is a
# fault: a blocked load, a parse error). The PNGs and PDFs must be
# non-trivial, the PDF on A4 paper. Without chromium the check says so and
# passes: the Makefile lists chromium among the test packages.
# KEEP=DIR keeps the PNGs and PDFs there, to look at them.
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"
T=2000

CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ]; then
  echo "check_browser: chromium not installed: browser test skipped"
  exit 0
fi
OUT=${KEEP:-$tmp}
mkdir -p "$OUT"

# browser LOG ARGS...: chromium headless on ARGS, its log in LOG. Its own
# profile in the scratch directory, so that nothing of the user's is read
# or written.
browser() {
  log=$1
  shift
  # (a container's small /dev/shm: --disable-dev-shm-usage; a hung browser
  # fails the check after 120 s instead of holding the suite)
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
    --no-first-run --disable-extensions \
    --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 "$@" > "$log" 2>&1
}

# console LOG WHAT: no console message (Chromium logs them as
# "INFO:CONSOLE:N] "text", source: ...") nor an uncaught error in LOG.
console() {
  if grep -E 'CONSOLE|Uncaught|Refused to|Failed to load resource|Not allowed to load' "$1" > "$tmp/console.txt"; then
    bad "$2: console messages:"
    sed 's/^/    /' "$tmp/console.txt" | head -5
  else
    ok
  fi
}

# size FILE MIN WHAT: FILE exists and holds at least MIN bytes.
size() {
  n=$(wc -c < "$1" 2>/dev/null || echo 0)
  [ "$n" -ge "$2" ] && ok || bad "$3: $1 has $n bytes, expected at least $2"
}

# check NAME ARGS...: the command's page, rendered at both widths and printed.
check() {
  name=$1
  shift
  if ! "$FC" "$@" --trials $T --format html -o "$OUT/$name.html"; then
    bad "$name: $* did not run"
    return
  fi
  for w in 1280x2400 390x2400; do
    png="$OUT/$name-${w%%x*}.png"
    browser "$tmp/$name-$w.log" --screenshot="$png" --window-size="${w%%x*},${w##*x}" "$OUT/$name.html" &&
      ok || bad "$name: chromium --screenshot at $w failed"
    size "$png" 20000 "$name at $w"
    console "$tmp/$name-$w.log" "$name at $w"
  done
  pdf="$OUT/$name.pdf"
  browser "$tmp/$name-pdf.log" --print-to-pdf="$pdf" --no-pdf-header-footer "$OUT/$name.html" &&
    ok || bad "$name: chromium --print-to-pdf failed"
  size "$pdf" 30000 "$name printed"
  console "$tmp/$name-pdf.log" "$name printed"
  # A4: 595 x 842 points
  grep -a -o '/MediaBox \[[^]]*\]' "$pdf" 2>/dev/null | head -1 |
    grep -Eq '/MediaBox \[0 0 59[4-6](\.[0-9]*)? 84[1-3](\.[0-9]*)?\]' && ok || bad "$name printed: not on A4 paper"
}

check run run scenarios/b2b_saas_inbound.lua --set start=2027-01
check comparison run scenarios/whatif_channel_mix.lua
check plan plan scenarios/b2b_saas_inbound.lua --goal "200 new customers in 2027" --set start=2027-01
check optimize optimize scenarios/plan_budget_split.lua --budget 40000
check run_fr run scenarios/ecommerce_retention.lua --lang fr

finish check_browser
