#!/bin/sh
# Output files (-o, --partial) land where the path really points, whole or
# not at all: a device is written through and stays a device, a link is
# followed (the link stays, its target gets the report), a regular file keeps
# its permissions, a long name works (the temporary file has a short name of
# its own), a directory or one of the command's input files is refused, and
# nothing is left behind. Then: seeds up to 2^64 - 1 read exactly, and the
# whole path of an assumption keys its stream.
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
M=tests/good/minimal.lua
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"

"$FC" run "$M" --trials 200 > "$tmp/expected" || bad "minimal run failed"

# a character device stays one (as root, /dev/null would otherwise become a file)
"$FC" run "$M" --trials 200 -o /dev/null && [ -c /dev/null ] && ok || bad "-o /dev/null"

# a link is followed: the target gets the report, the link stays a link
echo old > "$tmp/target"
ln -s target "$tmp/link"
"$FC" run "$M" --trials 200 -o "$tmp/link" && [ -L "$tmp/link" ] && cmp -s "$tmp/target" "$tmp/expected" && ok ||
  bad "-o through a link"
ln -s made "$tmp/tonew"
"$FC" run "$M" --trials 200 -o "$tmp/tonew" && [ -L "$tmp/tonew" ] && cmp -s "$tmp/made" "$tmp/expected" && ok ||
  bad "-o through a link to a file not made yet"

# a private file stays private
echo old > "$tmp/private"
chmod 600 "$tmp/private"
"$FC" run "$M" --trials 200 -o "$tmp/private" && [ "$(stat -c %a "$tmp/private")" = 600 ] &&
  cmp -s "$tmp/private" "$tmp/expected" && ok || bad "-o changed the mode of a 0600 file: $(stat -c %a "$tmp/private")"
"$FC" run "$M" --trials 200 --shard 1/1 --partial "$tmp/private" && [ "$(stat -c %a "$tmp/private")" = 600 ] && ok ||
  bad "--partial changed the mode of a 0600 file"

# a pipe is written through
mkfifo "$tmp/fifo"
cat "$tmp/fifo" > "$tmp/from_fifo" &
"$FC" run "$M" --trials 200 -o "$tmp/fifo"
wait
cmp -s "$tmp/from_fifo" "$tmp/expected" && [ -p "$tmp/fifo" ] && ok || bad "-o onto a pipe"

# the command's own standard output, as it holds it: through a pipe, and
# appending to a file opened with >> (a reopened /dev/stdout would truncate it)
"$FC" run "$M" --trials 200 -o /dev/stdout | cmp -s - "$tmp/expected" && ok || bad "-o /dev/stdout into a pipe"
"$FC" run "$M" --trials 200 --shard 1/1 --partial /dev/stdout | head -c 8 | grep -q FCPART && ok || bad "--partial /dev/stdout into a pipe"
echo PRECIOUS > "$tmp/log"
"$FC" run "$M" --trials 200 -o /dev/stdout >> "$tmp/log" && [ "$(head -1 "$tmp/log")" = PRECIOUS ] &&
  [ "$(wc -l < "$tmp/log")" -gt 3 ] && ok || bad "-o /dev/stdout >> log lost what the log held"
# a set-user-ID file keeps its bits
echo old > "$tmp/suid"
chmod 4751 "$tmp/suid"
"$FC" run "$M" --trials 200 -o "$tmp/suid" && [ "$(stat -c %a "$tmp/suid")" = 4751 ] && ok ||
  bad "-o lost the set-user-ID bit: $(stat -c %a "$tmp/suid")"

# a name of 255 characters (the most a directory takes)
long=$(printf 'r%.0s' $(seq 255))
"$FC" run "$M" --trials 200 -o "$tmp/$long" && cmp -s "$tmp/$long" "$tmp/expected" && ok || bad "-o with a 255-character name"

# refused, with the reason, and nothing changed
cp "$M" "$tmp/plan.lua"
"$FC" run "$tmp/plan.lua" --trials 200 -o "$tmp/plan.lua" 2> "$tmp/err"
[ $? = 2 ] && cmp -s "$tmp/plan.lua" "$M" && grep -q "cannot write the report: it is the input file" "$tmp/err" && ok ||
  bad "-o onto the scenario file: $(cat "$tmp/err")"
ln -s plan.lua "$tmp/plan_link.lua"
"$FC" run "$tmp/plan.lua" --trials 200 -o "$tmp/plan_link.lua" 2> /dev/null
[ $? = 2 ] && cmp -s "$tmp/plan.lua" "$M" && ok || bad "-o onto the scenario file through a link"
"$FC" run "$M" --trials 200 --shard 1/1 --partial "$tmp/p.bin" && cp "$tmp/p.bin" "$tmp/p.orig" &&
  "$FC" merge "$tmp/p.bin" -o "$tmp/p.bin" 2> /dev/null
[ $? = 2 ] && cmp -s "$tmp/p.bin" "$tmp/p.orig" && ok || bad "merge -o onto its own partial"
mkdir "$tmp/inc"
printf 'return include "base.lua"\n' > "$tmp/inc/main.lua"
cp "$M" "$tmp/inc/base.lua"
"$FC" run "$tmp/inc/main.lua" --trials 200 -o "$tmp/inc/base.lua" 2> /dev/null
[ $? = 2 ] && cmp -s "$tmp/inc/base.lua" "$M" && ok || bad "-o onto a file the scenario includes"
mkdir "$tmp/dir"
"$FC" run "$M" --trials 200 -o "$tmp/dir" 2> "$tmp/err"
[ $? = 2 ] && grep -q "Is a directory" "$tmp/err" && ok || bad "-o onto a directory: $(cat "$tmp/err")"
[ -z "$(ls -A "$tmp/dir")" ] && [ -z "$(ls -a "$tmp" | grep '^\.funnelcast-')" ] && ok || bad "a temporary file was left: $(ls -a "$tmp")"

# seeds: up to 2^64 - 1, exactly (2^53 + 1 is not 2^53), and refused past
for s in 9007199254740992 9007199254740993 18446744073709551615; do
  "$FC" run "$M" --trials 300 --seed "$s" --format json > "$tmp/seed_$s" || bad "--seed $s failed"
done
grep -q '"seed": 18446744073709551615,' "$tmp/seed_18446744073709551615" && ok || bad "--seed 2^64 - 1 not reported exactly"
grep -q '"seed": 9007199254740993,' "$tmp/seed_9007199254740993" && ok || bad "--seed 2^53 + 1 not reported exactly"
! cmp -s "$tmp/seed_9007199254740992" "$tmp/seed_9007199254740993" && ok || bad "--seed 2^53 and 2^53 + 1 drew the same"
"$FC" run "$M" --trials 300 --seed 18446744073709551615 --shard 1/2 --partial "$tmp/s1.bin" &&
  "$FC" run "$M" --trials 300 --seed 18446744073709551615 --shard 2/2 --partial "$tmp/s2.bin" &&
  "$FC" merge "$tmp/s1.bin" "$tmp/s2.bin" --format json | cmp -s - "$tmp/seed_18446744073709551615" && ok ||
  bad "shards of a run with seed 2^64 - 1 do not merge into it"
for s in 18446744073709551616 -1 1e3 0x10; do
  "$FC" run "$M" --seed "$s" > /dev/null 2> "$tmp/err"
  [ $? = 2 ] && grep -q "expected a whole number in \[0, 18446744073709551615\]" "$tmp/err" && ok || bad "--seed $s accepted"
done

# the whole path keys a stream: two channels whose names differ only after
# 100 characters draw their own costs (before, both kept the first 95
# characters and shared one stream)
p100=$(printf 'c%.0s' $(seq 100))
cat > "$tmp/long_names.lua" <<LUA
return scenario {
  channels = {
    ["${p100}_a"] = { spend = 1000, cpc = lognormal { median = 1, sigma = 0.5 } },
    ["${p100}_b"] = { spend = 1000, cpc = lognormal { median = 1, sigma = 0.5 } },
  },
  funnel = { { "visitor" } },
}
LUA
"$FC" run "$tmp/long_names.lua" --trials 2000 --format json > "$tmp/ln.json" &&
/usr/bin/python3 - "$tmp/ln.json" <<'PY' && ok || bad "two long channel names share one random stream"
import json, sys
d = json.load(open(sys.argv[1]))
a, b = sorted(d["channels"].values(), key=lambda c: c["visitors"]["mean"])
# the same law, other streams: other draws, so the figures differ
assert a["visitors"]["p50"] != b["visitors"]["p50"] or a["visitors"]["mean"] != b["visitors"]["mean"]
PY

finish outputs
