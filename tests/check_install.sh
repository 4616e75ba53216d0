#!/bin/sh
# make install into a temporary DESTDIR, then use what it installed as a new
# user would: the binary on an installed example scenario, the man page, the
# C example built with the installed pkg-config file (shared and static),
# the Lua module from its installed path, the bash completion; make
# uninstall leaves nothing behind.
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"

D="$tmp/dest"
P=/usr/local
make --no-print-directory -s install BUILD="$BUILD" DESTDIR="$D" PREFIX=$P > "$tmp/install.log" 2>&1 \
  && ok || bad "make install: $(tail -5 "$tmp/install.log")"
"$D$P/bin/funnelcast" --version | grep -q "^funnelcast 0.1.0$" && ok || bad "the installed binary's version"
"$D$P/bin/funnelcast" run "$D$P/share/funnelcast/scenarios/b2b_saas_inbound.lua" --trials 2000 > "$tmp/run.txt" 2>&1 \
  && grep -q "^inbound-2027: 2,000 trials" "$tmp/run.txt" && ok || bad "the installed binary on an installed scenario"
"$D$P/bin/funnelcast" run "$D$P/share/funnelcast/scenarios/b2b_calibrated.lua" --trials 1000 > "$tmp/cal.txt" 2>&1 \
  && grep -q "^Calibrated from" "$tmp/cal.txt" && ok || bad "the installed calibrated example: $(tail -2 "$tmp/cal.txt")"
if command -v man > /dev/null; then
  MANPATH="$D$P/share/man" man funnelcast 2> /dev/null | grep -q "EXIT STATUS" && ok || bad "man funnelcast"
fi
for c in run compare merge plan optimize check backtest; do
  grep -q "^\.B $c\$" "$D$P/share/man/man1/funnelcast.1" && ok || bad "the man page covers $c"
done
# the C example against the installed pkg-config file
export PKG_CONFIG_PATH="$D$P/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"
pkg-config --modversion funnelcast | grep -q "^0.1.0$" && ok || bad "pkg-config --modversion funnelcast"
cc -o "$tmp/ex" "$D$P/share/funnelcast/examples/run_scenario.c" $(pkg-config --cflags --libs funnelcast) 2> "$tmp/cc.err" \
  && ok || bad "build the C example: $(cat "$tmp/cc.err")"
LD_LIBRARY_PATH="$D$P/lib" "$tmp/ex" scenarios/b2b_saas_inbound.lua 2000 channels.search.spend=25000 > "$tmp/ex.json" \
  && /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['trials'] == 2000" "$tmp/ex.json" \
  && ok || bad "the C example's JSON report"
LD_LIBRARY_PATH="$D$P/lib" "$tmp/ex" tests/bad/goal_from_after_by.lua > /dev/null 2> "$tmp/ex.err"
[ $? = 2 ] && grep -q "goal_from_after_by.lua:18: goals\[2\].from" "$tmp/ex.err" && ok || bad "the C example's error: $(cat "$tmp/ex.err")"
cc -o "$tmp/ex_static" "$D$P/share/funnelcast/examples/run_scenario.c" $(pkg-config --static --cflags funnelcast) \
  "$D$P/lib/libfunnelcast.a" $(pkg-config --static --libs-only-l funnelcast | sed 's/-lfunnelcast//') 2> "$tmp/cc.err" \
  && "$tmp/ex_static" scenarios/b2b_saas_inbound.lua 1000 > /dev/null && ok || bad "the C example, static: $(cat "$tmp/cc.err")"
objdump -p "$D$P/lib/libfunnelcast.so.0.1.0" | grep -q "SONAME *libfunnelcast.so.0" && ok || bad "the shared library's soname"
[ "$(nm -D --defined-only "$D$P/lib/libfunnelcast.so.0.1.0" | grep -c ' T ')" -le 12 ] && ok || bad "the shared library exports the public API alone"
# the Lua module from the installed path
lua5.4 -e "package.cpath = '$D$P/lib/lua/5.4/?.so;' .. package.cpath; local fc = require 'funnelcast'; assert(fc.version == '0.1.0')" \
  && ok || bad "lua5.4 require 'funnelcast' from the installed path"
# bash completion: commands, and --set keys of the scenario given
if command -v bash > /dev/null; then
  out=$(PATH="$D$P/bin:$PATH" bash -c ". '$D$P/share/bash-completion/completions/funnelcast'
    COMP_WORDS=(funnelcast r); COMP_CWORD=1; _funnelcast; echo \${COMPREPLY[*]}
    COMP_WORDS=(funnelcast run scenarios/b2b_saas_inbound.lua --set funnel.l); COMP_CWORD=4; _funnelcast; echo \${COMPREPLY[*]}
    COMP_WORDS=(funnelcast plan x.lua --g); COMP_CWORD=3; _funnelcast; echo \${COMPREPLY[*]}" 2>&1)
  echo "$out" | sed -n 1p | grep -q "^run$" && ok || bad "completion of a command: $out"
  echo "$out" | sed -n 2p | grep -q "funnel.lead.rate=" && ok || bad "completion of a --set key: $out"
  echo "$out" | sed -n 3p | grep -q "^--goal$" && ok || bad "completion of plan's options: $out"
fi
# the Python package where Debian's python3 finds it for /usr/local, which
# knows where the library was installed
grep -q "^_INSTALLED_LIB = \"$P/lib/libfunnelcast.so.0\"\$" "$D$(/usr/bin/python3 -c 'import sys; print("/usr/local/lib/python3.%d/dist-packages" % sys.version_info[1])')/funnelcast/__init__.py" \
  && ok || bad "the installed Python package names the installed library"
py=$(/usr/bin/python3 -c 'import sys; print("/usr/local/lib/python3.%d/dist-packages" % sys.version_info[1])')
PYTHONPATH="$D$py" FUNNELCAST_LIB="$D$P/lib/libfunnelcast.so.0" /usr/bin/python3 -c "
import funnelcast as fc
assert fc.__file__.startswith('$D'), fc.__file__
r = fc.run('scenarios/b2b_saas_inbound.lua', trials=1000)
assert r['trials'] == 1000 and 'inbound-2027' in r.text" 2> "$tmp/py.err" && ok || bad "the installed Python package: $(cat "$tmp/py.err")"
make --no-print-directory -s uninstall BUILD="$BUILD" DESTDIR="$D" PREFIX=$P > /dev/null 2>&1 && ok || bad "make uninstall"
left=$(find "$D" -type f | head -5)
[ -z "$left" ] && ok || bad "make uninstall left files: $left"

finish install
