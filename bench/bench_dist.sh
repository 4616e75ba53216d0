#!/bin/sh
# Sampler benchmark: nanoseconds per draw of each core/dist sampler and regime
# (build/bench/bench_dist) beside numpy's cost for the same draws
# (bench/numpy_dist.py, PCG64 Generator, vectorized), measured in the same run
# on the same machine. Ratio = numpy time / funnelcast time: above 1 means
# funnelcast is faster. Aim: no regime below 1x, large-n binomial and
# large-mean Poisson at 2x or more. Builds nothing: `make bench` built it.
#   FC_BENCH_SECONDS=0.2 NP_SIZE=2000000 sh bench/bench_dist.sh
BUILD=${BUILD:-build}
PY=/usr/bin/python3
BIN="$BUILD/bench/bench_dist"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The 2x aim applies to these: the rejection paths at large n or mean.
LARGE="poisson(1e4) poisson(1e9) poisson(1e12) binomial(1000,0.5) binomial(1e9,0.3) binomial(2e7,1e-6) binomial(1e9,0.999)"

[ -x "$BIN" ] || { echo "bench_dist: $BIN missing (run make bench, or make $BIN)" >&2; exit 1; }
echo "samplers, ns per draw, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
if $PY -c 'import numpy' 2>/dev/null; then
  have_np=1
  echo "numpy $($PY -c 'import numpy; print(numpy.__version__)'), default_rng (PCG64), vectorized calls; funnelcast pcg32, one call per draw"
else
  have_np=
  echo "(python3-numpy missing under $PY: numpy column skipped; apt-get install python3-numpy)"
fi
# Each regime is timed on both sides back to back, so that a change in the
# machine's load during the run touches both figures of a ratio alike.
: > "$tmp/fc"; : > "$tmp/np"
"$BIN" --list > "$tmp/names" || exit 1
while read -r name; do
  "$BIN" "$name" >> "$tmp/fc" || exit 1
  if [ -n "$have_np" ]; then
    $PY bench/numpy_dist.py --size "${NP_SIZE:-2000000}" "$name" >> "$tmp/np" || exit 1
  fi
done < "$tmp/names"

awk -v large="$LARGE" '
  FILENAME == ARGV[1] { np[$1] = $2; next }
  {
    name = $1; fc = $2
    if (name ~ /^raw:/ && !raw_head) { print "raw generator (context: funnelcast pcg32 vs numpy PCG64)"; raw_head = 1 }
    if (name !~ /^raw:/ && !reg_head) { print "samplers"; reg_head = 1 }
    if (name in np) {
      r = np[name] / fc
      printf "  %-24s %10.2f %10.2f %8.2fx\n", name, fc, np[name], r
      if (name !~ /^raw:/) {
        if (r < 1) slow = slow " " name sprintf("(%.2fx)", r)
        if (index(" " large " ", " " name " ")) {
          if (r < 2) below = below " " name sprintf("(%.2fx)", r)
          nlarge++
        }
      }
    } else {
      printf "  %-24s %10.2f %10s %9s\n", name, fc, "-", "-"
      missing = 1
    }
  }
  BEGIN { printf "  %-24s %10s %10s %9s\n", "regime", "funnelcast", "numpy", "np/fc" }
  END {
    if (missing) { print "verdict: no numpy figures, no ratios"; exit 0 }
    print "verdict: slower than numpy:" (slow == "" ? " none" : slow)
    print "verdict: large-n binomial / large-mean Poisson at 2x or more: " \
          (below == "" ? "yes (all " nlarge ")" : "no; below 2x:" below)
  }' "$tmp/np" "$tmp/fc"
