#!/bin/sh
# Shards and merging: a run split into N shards (N = 1, 2, 3, 7) and merged in
# any order gives the unsharded report byte for byte, as do 1, 2 and 4
# threads; so does a comparison (a file returning several scenarios, or
# compare FILE... --shard): its partials carry every scenario and the
# differences. merge refuses damaged, truncated, foreign, duplicate and
# incomplete sets of partials with one message and status 2. Also
# --precision: the same seed stops at the same trial count.
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
. "$(dirname "$0")/support/checks.sh"
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
expect_error "funnelcast: merge: $P.1.bin: shard 1/3 is given twice" -- merge "$P.1.bin" "$P.2.bin" "$P.3.bin" "$P.1.bin"
head -c 5000 "$P.2.bin" > "$tmp/trunc.bin"
expect_error "funnelcast: $tmp/trunc.bin: damaged or truncated partial summary (checksum mismatch)" -- merge "$P.1.bin" "$tmp/trunc.bin" "$P.3.bin"
cp "$P.2.bin" "$tmp/flip.bin"
printf 'X' | dd of="$tmp/flip.bin" bs=1 seek=3000 conv=notrunc 2> /dev/null
expect_error "funnelcast: $tmp/flip.bin: damaged or truncated partial summary (checksum mismatch)" -- merge "$P.1.bin" "$tmp/flip.bin" "$P.3.bin"
cp "$P.2.bin" "$tmp/version.bin"
printf '\011' | dd of="$tmp/version.bin" bs=1 seek=8 conv=notrunc 2> /dev/null
expect_error "funnelcast: $tmp/version.bin: partial summary format 9, this funnelcast reads format 6" -- merge "$P.1.bin" "$tmp/version.bin" "$P.3.bin"
"$FC" run scenarios/b2b_saas_inbound.lua --trials $TRIALS --seed 2027 --shard 2/3 --partial "$tmp/other.bin"
expect_error "funnelcast: merge: $tmp/other.bin (partial 2 of 3) comes from another run (its scenario differs)" -- merge "$P.1.bin" "$tmp/other.bin" "$P.3.bin"
"$FC" run scenarios/b2b_events_sales_cycle.lua --trials $TRIALS --seed 5 --shard 2/3 --partial "$tmp/seed.bin"
expect_error "funnelcast: merge: $tmp/seed.bin (partial 2 of 3) comes from another run (its seed differs)" -- merge "$P.1.bin" "$tmp/seed.bin" "$P.3.bin"
"$FC" run scenarios/b2b_events_sales_cycle.lua --trials 8000 --shard 2/3 --partial "$tmp/trials.bin"
expect_error "funnelcast: merge: $tmp/trials.bin (partial 2 of 3) comes from another run (its trial count differs)" -- merge "$P.1.bin" "$tmp/trials.bin" "$P.3.bin"
expect_error "funnelcast: scenarios/b2b_saas_inbound.lua: not a funnelcast partial summary" -- merge scenarios/b2b_saas_inbound.lua
expect_error "funnelcast: nothing.bin: cannot open the partial summary (No such file or directory)" -- merge nothing.bin
expect_error "funnelcast: --shard 4/3: expected K/N with 1 <= K <= N <= 1000000
(see funnelcast --help)" -- run scenarios/b2b_saas_inbound.lua --shard 4/3 --partial "$tmp/x.bin"

# Comparisons: a base and an alternative with more search spend and a goal;
# three scenarios; and compare FILE FILE. Each shard runs on 1, 2 or 3
# threads; the merge, in every order for 3 shards, gives the unsharded
# bytes, json and text.
cat > "$tmp/cmp2.lua" <<'EOF'
local base = scenario {
  name = "base", periods = 6, trials = 9000, seed = 11,
  channels = {
    search = { spend = 20000, cpc = lognormal{ median = 2.5, sigma = 0.2 } },
    events = { spend = 15000, cpc = lognormal{ median = 5.0, sigma = 0.25 } },
  },
  funnel = {
    { "visitor" },
    { "lead", rate = beta(30, 970) },
    { "customer", rate = beta(25, 75), delay = 1 },
  },
  goals = { goal{ name = "450 new customers", metric = "new_customers", at_least = 450 } },
}
return { base, base:with{ name = "more search", channels = { search = { spend = 25000 } } } }
EOF
cat > "$tmp/cmp3.lua" <<'EOF'
local base = scenario {
  name = "base", periods = 4, trials = 9000, seed = 11,
  channels = {
    search = { spend = 20000, cpc = lognormal{ median = 2.5, sigma = 0.2 } },
    social = { spend = 8000, cpc = lognormal{ median = 1.2, sigma = 0.3 } },
  },
  funnel = {
    { "visitor" },
    { "lead", rate = beta(30, 970) },
    { "customer", rate = beta(25, 75) },
  },
  goals = { goal{ name = "CAC under 300", metric = "cac", at_most = 300 } },
}
return { base, base:with{ name = "less social", channels = { social = { spend = 4000 } } },
  base:with{ name = "more search", channels = { search = { spend = 30000 } } } }
EOF
sed -n '1,/^}/p' "$tmp/cmp2.lua" | sed 's/^local base = /return /' > "$tmp/cmpA.lua"
{ sed -n '1,/^}/p' "$tmp/cmp2.lua"
  echo 'return base:with{ name = "more events", channels = { events = { spend = 20000 } } }'; } > "$tmp/cmpB.lua"

# shard_set NAME N CMD...: runs shards 1..N of CMD into $tmp/NAME.N.K.bin
shard_set() {
  name=$1 n=$2
  shift 2
  k=1
  while [ $k -le $n ]; do
    "$FC" "$@" --shard $k/$n --partial "$tmp/$name.$n.$k.bin" --threads $(( (k - 1) % 3 + 1 )) ||
      bad "$name: shard $k/$n failed"
    k=$((k + 1))
  done
}
# same NAME WHAT EXPECTED ARGS...: merge ARGS gives the bytes of EXPECTED
same() {
  name=$1 what=$2 want=$3
  shift 3
  "$FC" merge "$@" > "$tmp/got" 2> "$tmp/err" && cmp -s "$want" "$tmp/got" && ok ||
    bad "$name: $what differs from the unsharded run: $(cat "$tmp/err")"
}
for name in cmp2 cmp3 cmpAB; do
  if [ $name = cmpAB ]; then cmd="compare $tmp/cmpA.lua $tmp/cmpB.lua"; else cmd="run $tmp/$name.lua"; fi
  # shellcheck disable=SC2086
  "$FC" $cmd --format json --threads 1 > "$tmp/$name.json" || bad "$name: run failed"
  # shellcheck disable=SC2086
  "$FC" $cmd --threads 1 > "$tmp/$name.txt" || bad "$name: text run failed"
  grep -q '"differences"' "$tmp/$name.json" && ok || bad "$name: not a comparison"
  for th in 2 3; do
    # shellcheck disable=SC2086
    "$FC" $cmd --format json --threads $th | cmp -s - "$tmp/$name.json" && ok || bad "$name: $th threads differ from 1"
  done
  for n in 1 2 3; do
    # shellcheck disable=SC2086
    shard_set $name $n $cmd
    P="$tmp/$name.$n"
    same $name "$n shards merged (json)" "$tmp/$name.json" $(ls "$P".*.bin) --format json
    same $name "$n shards merged (text)" "$tmp/$name.txt" $(ls "$P".*.bin)
  done
  P="$tmp/$name.3"
  for order in "1 3 2" "2 1 3" "2 3 1" "3 1 2" "3 2 1"; do
    # shellcheck disable=SC2086
    set -- $order
    same $name "3 shards merged in the order $order" "$tmp/$name.json" "$P.$1.bin" "$P.$2.bin" "$P.$3.bin" --format json
  done
done
# a partial of another comparison, of a single scenario or of another seed
expect_error "funnelcast: merge: $tmp/cmp3.3.2.bin (partial 2 of 3) comes from another run (its scenario differs)" -- \
  merge "$tmp/cmp2.3.1.bin" "$tmp/cmp3.3.2.bin" "$tmp/cmp2.3.3.bin"
expect_error "funnelcast: merge: $tmp/cmpAB.3.2.bin (partial 2 of 3) comes from another run (its scenario differs)" -- \
  merge "$tmp/cmp2.3.1.bin" "$tmp/cmpAB.3.2.bin" "$tmp/cmp2.3.3.bin"
"$FC" run "$tmp/cmpA.lua" --shard 2/3 --partial "$tmp/single.bin" || bad "cmpA: shard failed"
expect_error "funnelcast: merge: $tmp/single.bin (partial 2 of 3) comes from another run (its scenario differs)" -- \
  merge "$tmp/cmp2.3.1.bin" "$tmp/single.bin" "$tmp/cmp2.3.3.bin"
expect_error "funnelcast: merge: $tmp/cmp2.3.1.bin (partial 2 of 3) comes from another run (its scenario differs)" -- \
  merge "$tmp/single.bin" "$tmp/cmp2.3.1.bin" "$tmp/cmp2.3.3.bin"
"$FC" run "$tmp/cmp2.lua" --seed 5 --shard 2/3 --partial "$tmp/cmpseed.bin" || bad "cmp2: seed shard failed"
expect_error "funnelcast: merge: $tmp/cmpseed.bin (partial 2 of 3) comes from another run (its seed differs)" -- \
  merge "$tmp/cmp2.3.1.bin" "$tmp/cmpseed.bin" "$tmp/cmp2.3.3.bin"
expect_error "funnelcast: merge: shard 3/3 is missing" -- merge "$tmp/cmp3.3.2.bin" "$tmp/cmp3.3.1.bin"
head -c 100000 "$tmp/cmp3.3.2.bin" > "$tmp/cmptrunc.bin"
expect_error "funnelcast: $tmp/cmptrunc.bin: damaged or truncated partial summary (checksum mismatch)" -- \
  merge "$tmp/cmp3.3.1.bin" "$tmp/cmptrunc.bin" "$tmp/cmp3.3.3.bin"

# --precision: deterministic stop, whatever the threads
"$FC" run scenarios/b2b_saas_inbound.lua --precision 0.02 --threads 1 --format json > "$tmp/pr1"
"$FC" run scenarios/b2b_saas_inbound.lua --precision 0.02 --threads 2 --format json > "$tmp/pr2"
cmp -s "$tmp/pr1" "$tmp/pr2" && ok || bad "--precision: threads changed the result"
n=$(sed -n 's/^  "trials": \([0-9]*\),$/\1/p' "$tmp/pr1")
[ -n "$n" ] && [ "$n" -gt 0 ] && [ $((n % 16384)) = 0 ] && ok || bad "--precision: stopped at '$n' trials"
# the JSON says what was asked and whether it was reached
grep -q '^  "precision": 0.02,$' "$tmp/pr1" && grep -q '^  "precise": true,$' "$tmp/pr1" && ok || bad "--precision: in the JSON"
"$FC" run scenarios/b2b_saas_inbound.lua --precision 0.001 --trials 16384 --format json > "$tmp/pr3" &&
  grep -q '^  "precise": false,$' "$tmp/pr3" && ok || bad "--precision not reached: precise false in the JSON"

finish shards
