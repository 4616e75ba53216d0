#!/bin/sh
# The same bytes whatever the threads and shards: every example scenario and
# random scenarios (tests/identity/random_scenarios.lua: the engine's paths
# mixed at random) run on 1, 2 and 3 threads, and as 2 and 7 shards merged,
# give one JSON report byte for byte. 7300 trials: 8 blocks, the last one
# short, so that 7 shards each get one or two.
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
. "$(dirname "$0")/support/checks.sh"
TRIALS=7300
NRANDOM=${NRANDOM:-10}

mkdir -p "$tmp/random"
lua5.4 tests/identity/random_scenarios.lua "$tmp/random" "$NRANDOM" 20261203 || bad "random scenarios: not written"

for s in scenarios/*.lua "$tmp"/random/*.lua; do
  name=$(basename "$s")
  if ! "$FC" run "$s" --trials $TRIALS --threads 1 --format json -o "$tmp/t1.json" 2> "$tmp/err"; then
    bad "$name: run failed: $(cat "$tmp/err")"
    continue
  fi
  for th in 2 3; do
    "$FC" run "$s" --trials $TRIALS --threads $th --format json -o "$tmp/t$th.json" &&
      cmp -s "$tmp/t1.json" "$tmp/t$th.json" && ok || bad "$name: $th threads differ from 1"
  done
  for n in 2 7; do
    rm -f "$tmp"/part.*.bin
    k=1
    while [ $k -le $n ]; do
      "$FC" run "$s" --trials $TRIALS --shard $k/$n --partial "$tmp/part.$k.bin" --threads 2 ||
        bad "$name: shard $k/$n failed"
      k=$((k + 1))
    done
    "$FC" merge "$tmp"/part.*.bin --format json -o "$tmp/m$n.json" &&
      cmp -s "$tmp/t1.json" "$tmp/m$n.json" && ok || bad "$name: $n shards merged differ from the unsharded run"
  done
done

finish "identity"
