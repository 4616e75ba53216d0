#!/bin/sh
# Sampler benchmark: nanoseconds per draw of each core/dist sampler and regime
# (build/bench/bench_dist) beside numpy's cost for the same draws
# (bench/numpy_dist.py, PCG64 Generator, vectorized), measured in the same run
# on the same machine. Ratio = numpy time / funnelcast time: above 1 means
# funnelcast is faster. Poisson and binomial are compared twice: (a) fixed
# parameters (prepared sampler vs numpy's vectorized call) and (b) parameters
# changing every draw (one-shot calls vs numpy with array parameters). Aim, in
# both: no regime below 1x, large-n binomial and large-mean Poisson at 2x or
# more. Builds nothing: `make bench` built it.
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
# machine's load during the run touches both figures of a ratio alike. NAME/prep
# is numpy's fixed-parameter call again: its figure is NAME's.
: > "$tmp/fc"; : > "$tmp/np"
"$BIN" --list > "$tmp/names" || exit 1
while read -r name; do
  "$BIN" "$name" >> "$tmp/fc" || exit 1
  case "$name" in */prep) continue ;; esac
  if [ -n "$have_np" ]; then
    $PY bench/numpy_dist.py --size "${NP_SIZE:-2000000}" "$name" >> "$tmp/np" || exit 1
  fi
done < "$tmp/names"

# Poisson and binomial get two comparisons (see bench/bench_dist.c):
#  (a) fixed parameters: funnelcast's prepared sampler (NAME/prep) against
#      numpy's vectorized call, each setting up once;
#  (b) parameters changing every draw: funnelcast's one-shot call (NAME/vary)
#      against numpy given the same sequence as an array.
# The one-shot call with fixed parameters (NAME) is shown for context.
awk -v large="$LARGE" '
  FILENAME == ARGV[1] { np[$1] = $2; next }
  { fc[$1] = $2; if ($1 !~ /\/(prep|vary)$/) order[++n] = $1 }
  function verdict(r, name, tag) {
    if (r < 1) slow[tag] = slow[tag] " " name sprintf("(%.2fx)", r)
    if (index(" " large " ", " " name " ")) {
      if (r < 2) below[tag] = below[tag] " " name sprintf("(%.2fx)", r)
      nlarge[tag]++
    }
  }
  END {
    printf "  %-22s %9s %9s %9s %7s | %9s %9s %7s\n", "regime", "one-shot", "fc fixed", "numpy", "(a)", "fc vary", "np vary", "(b)"
    for (i = 1; i <= n; i++) {
      name = order[i]
      if (name ~ /^raw:/ && !raw_head) { print "raw generator (context: funnelcast pcg32 vs numpy PCG64)"; raw_head = 1 }
      if (name !~ /^raw:/ && !reg_head) { print "samplers (fc fixed: the prepared sampler where there is one)"; reg_head = 1 }
      prep = (name "/prep") in fc
      fix = prep ? fc[name "/prep"] : fc[name]
      os = prep ? sprintf("%9.2f", fc[name]) : sprintf("%9s", "")
      if (name in np) {
        ra = np[name] / fix
        line = sprintf("  %-22s %s %9.2f %9.2f %6.2fx", name, os, fix, np[name], ra)
        if (name !~ /^raw:/) verdict(ra, name, "a")
      } else {
        line = sprintf("  %-22s %s %9.2f %9s %7s", name, os, fix, "-", "-")
        missing = 1
      }
      v = name "/vary"
      if (v in fc) {
        if (v in np) {
          rb = np[v] / fc[v]
          line = line sprintf(" | %9.2f %9.2f %6.2fx", fc[v], np[v], rb)
          verdict(rb, name, "b")
        } else
          line = line sprintf(" | %9.2f %9s %7s", fc[v], "-", "-")
      }
      print line
    }
    if (missing) { print "verdict: no numpy figures, no ratios"; exit 0 }
    split("a b", tags, " ")
    for (t = 1; t <= 2; t++) {
      g = tags[t]
      what = g == "a" ? "(a) fixed parameters" : "(b) parameters varying per draw"
      print "verdict " what ": slower than numpy:" (slow[g] == "" ? " none" : slow[g])
      print "verdict " what ": large-n binomial / large-mean Poisson at 2x or more: " \
            (below[g] == "" ? "yes (all " nlarge[g] ")" : "no; below 2x:" below[g])
    }
  }' "$tmp/np" "$tmp/fc"
