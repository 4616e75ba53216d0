#!/bin/sh
# Memory: --max-memory bounds what a command holds. The peak resident memory
# (the kernel's count, from getrusage) of
#  (a) a 100-period plan whose per-period counts spread over decades
#      (tests/memory/wide.lua) under --max-memory 16M, on 1 and 2 threads,
#      as shards and as their merge;
#  (b) the largest model the validation accepts (tests/memory/largest.lua:
#      600 periods, 32 stages, 64 channels, 1000 goals) under the default
#      limit of 512 MiB and under 128M, just above what it needs (under 96M
#      it is refused before the run, with its message);
#  (c) B1 under 16M, on 1 and 2 threads;
# stays below the limit plus BASE, the command's own memory outside the
# limit (the binary, libc, the Lua library, thread stacks: about 3 MiB, the
# peak of `funnelcast check` on a minimal scenario, measured here too; BASE
# allows 8 MiB). Peaks come from getrusage through tests/memory/peak.c
# (or GNU time, /usr/bin/time, without a compiler).
# The results are the same bytes on 1 and 2 threads and from merged shards.
# merge refuses at once, with its message, a file that is not a partial and
# one larger than the limit, and shards run with another --max-memory.
# Under AddressSanitizer resident memory means nothing: only the results
# and messages are checked there.
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"
MIB=1048576
BASE=$((8 * MIB))

asan=""
grep -q __asan_init "$FC" 2>/dev/null && asan=1
# peak resident bytes of a command (its output discarded), or nothing when
# it fails: tests/memory/peak.c, else GNU time
PEAK=""
if ${CC:-cc} -O1 -o "$tmp/peak" tests/memory/peak.c 2>/dev/null; then PEAK="$tmp/peak"; fi
peak() {
  if [ -n "$PEAK" ]; then "$PEAK" "$@"
  else /usr/bin/time -f %M -o "$tmp/rss" "$@" > /dev/null 2>&1 && echo $(($(cat "$tmp/rss") * 1024)); fi
}
# within LIMIT_MIB NAME COMMAND...: the command succeeds and peaks below the
# limit plus BASE
within() {
  limit=$(($1 * MIB))
  name=$2
  shift 2
  p=$(peak "$@")
  if [ -z "$p" ]; then bad "$name: failed: $*"; return; fi
  printf '  %-34s peak %6.1f MiB (limit %d MiB + base %d MiB)\n' "$name" "$(echo "$p / $MIB" | bc -l)" \
    $((limit / MIB)) $((BASE / MIB))
  [ -n "$asan" ] || [ "$p" -le $((limit + BASE)) ] && ok || bad "$name: peak $p bytes, above $((limit + BASE))"
}

if [ -n "$asan" ]; then
  echo "(AddressSanitizer build: resident memory not checked)"
  TW=1500 TL=2 TB=20000
else
  TW=10000 TL=16 TB=200000
  p=$(peak "$FC" check tests/good/minimal.lua)
  printf '  %-34s peak %6.1f MiB\n' "base (check of a minimal scenario)" "$(echo "$p / $MIB" | bc -l)"
  [ -n "$p" ] && [ "$p" -lt $BASE ] && ok || bad "the command alone takes $p bytes, more than the base of $BASE"
fi

# (a) the wide plan under 16M: 1 and 2 threads, 3 shards merged in two orders
W=tests/memory/wide.lua
within 16 "wide, 16M, 1 thread" "$FC" run $W --trials $TW --max-memory 16M --threads 1 --format json -o "$tmp/w1.json"
within 16 "wide, 16M, 2 threads" "$FC" run $W --trials $TW --max-memory 16M --threads 2 --format json -o "$tmp/w2.json"
cmp -s "$tmp/w1.json" "$tmp/w2.json" && ok || bad "wide: 2 threads differ from 1"
for k in 1 2 3; do
  within 16 "wide, 16M, shard $k/3" "$FC" run $W --trials $TW --max-memory 16M --threads 2 --shard $k/3 \
    --partial "$tmp/w.$k.bin"
done
within 16 "wide, 16M, merge" "$FC" merge "$tmp/w.1.bin" "$tmp/w.2.bin" "$tmp/w.3.bin" --max-memory 16M \
  --format json -o "$tmp/wm.json"
cmp -s "$tmp/w1.json" "$tmp/wm.json" && ok || bad "wide: merged shards differ from the whole run"
"$FC" merge "$tmp/w.3.bin" "$tmp/w.1.bin" "$tmp/w.2.bin" --format json -o "$tmp/wm2.json" &&
  cmp -s "$tmp/w1.json" "$tmp/wm2.json" && ok || bad "wide: shards merged in another order (and limit) differ"
# the caps come from the limit: the same run under another one is another run
"$FC" run $W --trials $TW --max-memory 64M --shard 2/3 --partial "$tmp/w64.2.bin" || bad "wide: shard under 64M failed"
"$FC" merge "$tmp/w.1.bin" "$tmp/w64.2.bin" "$tmp/w.3.bin" > /dev/null 2> "$tmp/err"
st=$?
[ "$st" = 2 ] && grep -qF "merge: $tmp/w64.2.bin (partial 2 of 3) was run with another --max-memory (histogram caps of" "$tmp/err" &&
  ok || bad "shards of other limits: status $st: $(cat "$tmp/err")"

# (b) the largest model, under the default limit and one just above what it
# needs; below that, refused before the run
within 512 "largest model, 512M (default)" "$FC" run tests/memory/largest.lua --trials $TL -o "$tmp/l.txt"
within 128 "largest model, 128M" "$FC" run tests/memory/largest.lua --trials $TL --max-memory 128M -o "$tmp/l.txt"
"$FC" run tests/memory/largest.lua --trials $TL --max-memory 96M > /dev/null 2> "$tmp/err"
st=$?
[ "$st" = 2 ] && grep -q '^funnelcast: scenario "largest": a run needs about [0-9]* MiB of working memory (600 periods, 32 stages, 64 channels, 1000 goals), more than the limit of 96 MiB; raise the limit with --max-memory$' "$tmp/err" &&
  ok || bad "largest model under 96M: status $st: $(cat "$tmp/err")"

# (c) B1 under 16M
for t in 1 2; do
  within 16 "B1, 16M, $t thread(s)" "$FC" run scenarios/b2b_saas_inbound.lua --trials $TB --max-memory 16M \
    --threads $t --format json -o "$tmp/b$t.json"
done
cmp -s "$tmp/b1.json" "$tmp/b2.json" && ok || bad "B1 under 16M: 2 threads differ from 1"

# merge reads files in C: what is not a partial, or cannot fit, says so at once
printf 'return scenario {}\n' > "$tmp/plan.lua"
truncate -s 2G "$tmp/plan.lua"
"$FC" merge "$tmp/plan.lua" > /dev/null 2> "$tmp/err"
st=$?
[ "$st" = 2 ] && [ "$(cat "$tmp/err")" = "funnelcast: $tmp/plan.lua: not a funnelcast partial summary" ] && ok ||
  bad "merge of a 2 GiB text file: status $st: $(cat "$tmp/err")"
head -c 12 "$tmp/w.1.bin" > "$tmp/big.bin"
truncate -s 2G "$tmp/big.bin"
"$FC" merge "$tmp/big.bin" > /dev/null 2> "$tmp/err"
st=$?
[ "$st" = 2 ] && [ "$(cat "$tmp/err")" = "funnelcast: $tmp/big.bin: a partial summary of 2 GiB cannot fit the memory limit of 512 MiB; raise the limit with --max-memory" ] &&
  ok || bad "merge of a 2 GiB partial: status $st: $(cat "$tmp/err")"
"$FC" merge "$tmp/w.1.bin" "$tmp/w.2.bin" "$tmp/w.3.bin" --max-memory 16M --format json < /dev/null > "$tmp/wm3.json" &&
  cmp -s "$tmp/w1.json" "$tmp/wm3.json" && ok || bad "merge after the refusals"

finish memory
