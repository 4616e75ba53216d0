#!/bin/sh
# What writing each report (json, text, csv, html; a run and a comparison)
# costs beside the B1 run it reports, measured in this run: see
# bench/bench_reports.lua.   TRIALS=100000 REPEAT=20 sh bench/bench_reports.sh
BUILD=${BUILD:-build}
lua5.4 bench/bench_reports.lua "$BUILD" "${TRIALS:-100000}" "${REPEAT:-20}"
