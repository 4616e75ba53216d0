#!/bin/sh
# Shards and merging: a run split into N shards (N = 1, 2, 3, 7) and merged in
# any order gives the unsharded report byte for byte, as do 1, 2 and 4
# threads; merge refuses damaged, truncated, foreign, duplicate and
# incomplete sets of partials with one message and status 2. Also
# --precision: the same seed stops at the same trial count.
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
TRIALS=9000   # not a whole number of blocks: the last block is short

for s in scenarios/b2b_saas_inbound.lua scenarios/b2b_events_sales_cycle.lua; do
  "$FC" run "$s" --trials $TRIALS --format json --threads 1 > "$tmp/t1" || bad "$s: run failed"
  for th in 2 4; do
    "$FC" run "$s" --trials $TRIALS --format json --threads $th > "$tmp/t$th"
    cmp -s "$tmp/t1" "$tmp/t$th" && ok || bad "$s: $th threads differ from 1"
  done
  for n in 1 2 3 7; do
    k=1
    while [ $k -le $n ]; do
      "$FC" run "$s" --trials $TRIALS --shard $k/$n --partial "$tmp/p$n.$k.bin" --threads 2 || bad "$s: shard $k/$n failed"
      k=$((k + 1))
    done
    # in order, and reversed
    "$FC" merge $(ls "$tmp"/p$n.*.bin) --format json > "$tmp/m1" && cmp -s "$tmp/t1" "$tmp/m1" && ok ||
      bad "$s: $n shards merged in order differ from the unsharded run"
    "$FC" merge $(ls "$tmp"/p$n.*.bin | sort -r) --format json > "$tmp/m2" && cmp -s "$tmp/t1" "$tmp/m2" && ok ||
      bad "$s: $n shards merged in reverse differ from the unsharded run"
  done
  "$FC" merge $(ls "$tmp"/p3.*.bin) > "$tmp/text" && "$FC" run "$s" --trials $TRIALS > "$tmp/text1" &&
    cmp -s "$tmp/text" "$tmp/text1" && ok || bad "$s: merged text report differs"
done

# expect_error MESSAGE -- ARGS...
expect_error() {
  want=$1
  shift 2
  "$FC" "$@" > "$tmp/out" 2> "$tmp/err"
  st=$?
  if [ "$st" = 2 ] && [ "$(cat "$tmp/err")" = "$want" ] && [ ! -s "$tmp/out" ]; then ok
  else bad "funnelcast $*: status $st"; echo "  want: $want"; echo "  got:  $(cat "$tmp/err")"; fi
}
P="$tmp/p3"
expect_error "funnelcast: merge: shard 2/3 is missing" -- merge "$P.1.bin" "$P.3.bin"
expect_error "funnelcast: merge: shard 1/3 is given twice" -- merge "$P.1.bin" "$P.2.bin" "$P.3.bin" "$P.1.bin"
head -c 5000 "$P.2.bin" > "$tmp/trunc.bin"
expect_error "funnelcast: $tmp/trunc.bin: damaged or truncated partial summary (checksum mismatch)" -- merge "$P.1.bin" "$tmp/trunc.bin" "$P.3.bin"
cp "$P.2.bin" "$tmp/flip.bin"
printf 'X' | dd of="$tmp/flip.bin" bs=1 seek=3000 conv=notrunc 2> /dev/null
expect_error "funnelcast: $tmp/flip.bin: damaged or truncated partial summary (checksum mismatch)" -- merge "$P.1.bin" "$tmp/flip.bin" "$P.3.bin"
cp "$P.2.bin" "$tmp/version.bin"
printf '\011' | dd of="$tmp/version.bin" bs=1 seek=8 conv=notrunc 2> /dev/null
expect_error "funnelcast: $tmp/version.bin: partial summary format 9, this funnelcast reads format 3" -- merge "$P.1.bin" "$tmp/version.bin" "$P.3.bin"
"$FC" run scenarios/b2b_saas_inbound.lua --trials $TRIALS --seed 2027 --shard 2/3 --partial "$tmp/other.bin"
expect_error "funnelcast: merge: partial 2 of 3 comes from another run (its scenario differs)" -- merge "$P.1.bin" "$tmp/other.bin" "$P.3.bin"
"$FC" run scenarios/b2b_events_sales_cycle.lua --trials $TRIALS --seed 5 --shard 2/3 --partial "$tmp/seed.bin"
expect_error "funnelcast: merge: partial 2 of 3 comes from another run (its seed differs)" -- merge "$P.1.bin" "$tmp/seed.bin" "$P.3.bin"
"$FC" run scenarios/b2b_events_sales_cycle.lua --trials 8000 --shard 2/3 --partial "$tmp/trials.bin"
expect_error "funnelcast: merge: partial 2 of 3 comes from another run (its trial count differs)" -- merge "$P.1.bin" "$tmp/trials.bin" "$P.3.bin"
expect_error "funnelcast: scenarios/b2b_saas_inbound.lua: not a funnelcast partial summary" -- merge scenarios/b2b_saas_inbound.lua
expect_error "funnelcast: nothing.bin: cannot open the partial summary (No such file or directory)" -- merge nothing.bin
expect_error "funnelcast: --shard 4/3: expected K/N with 1 <= K <= N <= 1000000
(see funnelcast --help)" -- run scenarios/b2b_saas_inbound.lua --shard 4/3 --partial "$tmp/x.bin"

# --precision: deterministic stop, whatever the threads
"$FC" run scenarios/b2b_saas_inbound.lua --precision 0.02 --threads 1 --format json > "$tmp/pr1"
"$FC" run scenarios/b2b_saas_inbound.lua --precision 0.02 --threads 2 --format json > "$tmp/pr2"
cmp -s "$tmp/pr1" "$tmp/pr2" && ok || bad "--precision: threads changed the result"
n=$(sed -n 's/^  "trials": \([0-9]*\),$/\1/p' "$tmp/pr1")
[ -n "$n" ] && [ "$n" -gt 0 ] && [ $((n % 16384)) = 0 ] && ok || bad "--precision: stopped at '$n' trials"

echo "shards: $pass passed, $fail failed"
[ "$fail" = 0 ]
