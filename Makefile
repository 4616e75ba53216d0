# funnelcast build. Plain GNU make; everything is built under $(BUILD).
#   make            library, CLI and Lua module
#   make demo       build, then run the bundled example scenario (the main job)
#   make test       build and run the whole test suite: the cmocka tests and
#                   scenario checks, allocation-failure tests, the same suite
#                   under ASan+UBSan, the examples under valgrind, a short fuzz
#   make test-fast  only the cmocka tests and scenario checks (the first step)
#   make test-alloc / test-asan / test-valgrind / fuzz-check   one step of make test
#   make fuzz       a long fuzzing run (FUZZ_TIME seconds per harness, default 3600)
#   make bench      benchmarks beside their peers (numpy)
#   make deps       install the Debian packages the build needs (as root)
#   make install    PREFIX=/usr/local DESTDIR=...: binary, libraries, header,
#                   pkg-config file, Lua module, man page, bash completion,
#                   example scenarios; make uninstall removes them

BUILD   ?= build
CC      ?= cc
VERSION := 0.1.0

# Debian packages: what the build, the tests and the benchmarks need.
DEBS_BUILD := pkg-config liblua5.4-dev libcmocka-dev
DEBS_TEST  := lua5.4 python3-numpy python3-scipy python3-pandas valgrind clang libclang-rt-14-dev
# the HTML report's browser test (tests/check_browser.sh; skipped without it)
DEBS_BROWSER := chromium
have_pc     = $(shell pkg-config --exists $(1) 2>/dev/null && echo yes)
MISSING    := $(strip $(if $(shell command -v pkg-config),,pkg-config) \
                $(if $(call have_pc,lua5.4),,liblua5.4-dev) \
                $(if $(call have_pc,cmocka),,libcmocka-dev))
MISSING_TEST := $(strip $(if $(shell command -v lua5.4),,lua5.4) \
                $(if $(shell /usr/bin/python3 -c 'import numpy, scipy' 2>/dev/null && echo y),,python3-numpy python3-scipy) \
                $(if $(shell /usr/bin/python3 -c 'import pandas' 2>/dev/null && echo y),,python3-pandas) \
                $(if $(shell command -v valgrind),,valgrind) \
                $(if $(shell command -v clang),,clang libclang-rt-14-dev))

LUA_CFLAGS    := $(shell pkg-config --cflags lua5.4 2>/dev/null)
LUA_LIBS      := $(shell pkg-config --libs lua5.4 2>/dev/null)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null)

OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
WARN     := -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes
ALL_CFLAGS := $(WARN) $(CFLAGS) -ffp-contract=off -fPIC -D_POSIX_C_SOURCE=200809L -DFC_VERSION='"$(VERSION)"' \
              -Iinclude -Icore -I$(BUILD)/gen $(LUA_CFLAGS)
LDLIBS   := -lm -lpthread

# core/cli*.c make the command (its process-wide parts: signals, outputs)
CLI_SRC  := $(wildcard core/cli*.c)
CORE_SRC := $(filter-out $(CLI_SRC),$(wildcard core/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/scripts.o
LUA_SCRIPTS := $(sort $(wildcard scripts/*.lua))
LIB      := $(BUILD)/libfunnelcast.a
CLI      := $(BUILD)/funnelcast
MODULE   := $(BUILD)/funnelcast.so
SONAME   := libfunnelcast.so.0
SHLIB    := $(BUILD)/libfunnelcast.so.$(VERSION)

# Where make install puts things (DESTDIR prefixes them all).
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
LIBDIR   ?= $(PREFIX)/lib
INCDIR   ?= $(PREFIX)/include
MANDIR   ?= $(PREFIX)/share/man
SHAREDIR ?= $(PREFIX)/share/funnelcast
DOCDIR   ?= $(PREFIX)/share/doc/funnelcast
LUA_CMOD ?= $(PREFIX)/lib/lua/5.4
COMPDIR  ?= $(PREFIX)/share/bash-completion/completions
# the Python package, where Debian's python3 looks for a PREFIX's packages
# (/usr/lib/python3/dist-packages, /usr/local/lib/python3.N/dist-packages)
PYMINOR  := $(shell /usr/bin/python3 -c 'import sys; print(sys.version_info[1])' 2>/dev/null)
PYDIR    ?= $(PREFIX)/lib/python3$(if $(filter /usr,$(PREFIX)),,.$(PYMINOR))/dist-packages

TEST_SRC  := $(wildcard tests/test_*.c)
TEST_BINS := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(wildcard tests/support/*.c)
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/obj/%.o)
BENCH_SRC  := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

DEMO_SCENARIO ?= scenarios/b2b_saas_inbound.lua

ifneq ($(V),1)
Q = @
quiet = @printf '  %-7s %s\n' $(1) $(2);
endif

.PHONY: install uninstall all deps need-deps ensure-deps ensure-browser demo test test-fast tests-build bench clean \
        test-alloc test-alloc-lua test-asan test-valgrind fuzz-check fuzz fuzz-build alloc-build
.DEFAULT_GOAL := all
# keep object files of tests and benchmarks between builds
.SECONDARY:

all: need-deps $(LIB) $(CLI) $(MODULE) $(SHLIB)

# Stops with the exact install command when a build dependency is missing.
need-deps:
ifneq ($(MISSING),)
	@echo "funnelcast: missing Debian packages: $(MISSING)" >&2
	@echo "  install them with:  sudo apt-get install -y $(MISSING)   (or: make deps, as root)" >&2
	@exit 1
endif

deps:
	@if [ "$$(id -u)" = 0 ]; then \
	  echo "apt-get update && apt-get install -y $(DEBS_BUILD) $(DEBS_TEST)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBS_BUILD) $(DEBS_TEST) >/dev/null; \
	else \
	  echo "funnelcast: run as root, or:  sudo apt-get update && sudo apt-get install -y $(DEBS_BUILD) $(DEBS_TEST)" >&2; exit 1; \
	fi

# Installs what is missing when it can (root), else prints the command.
ensure-deps:
ifneq ($(strip $(MISSING) $(MISSING_TEST)),)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then $(MAKE) --no-print-directory deps; \
	else echo "funnelcast: missing Debian packages: $(MISSING) $(MISSING_TEST)" >&2; \
	  echo "  install them with:  sudo apt-get update && sudo apt-get install -y $(MISSING) $(MISSING_TEST)" >&2; exit 1; fi
endif

demo: ensure-deps
	$(Q)$(MAKE) --no-print-directory all
	./$(CLI) run $(DEMO_SCENARIO)

# Installs the browser the HTML report's test renders with, when it can
# (root); else, or when it fails, says that the browser test is skipped.
ensure-browser:
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "funnelcast: installing $(DEBS_BROWSER) for the HTML report's browser test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    $(DEBS_BROWSER) >/dev/null) || echo "funnelcast: $(DEBS_BROWSER) could not be installed: the browser test will be skipped" >&2; \
	else echo "funnelcast: $(DEBS_BROWSER) is not installed: the browser test will be skipped (sudo apt-get install $(DEBS_BROWSER))" >&2; fi

test: ensure-deps ensure-browser
	$(Q)$(MAKE) --no-print-directory test-fast
	$(Q)$(MAKE) --no-print-directory test-alloc
	$(Q)$(MAKE) --no-print-directory test-asan
	$(Q)$(MAKE) --no-print-directory test-valgrind
	$(Q)$(MAKE) --no-print-directory fuzz-check
	@echo "make test: all steps passed"

# The cmocka tests and scenario-level checks on the ordinary build.
test-fast:
	$(Q)$(MAKE) --no-print-directory all tests-build
	$(Q)BUILD=$(BUILD) sh tests/run_all.sh

# Allocation-failure tests (tests/alloc/): the k-th allocation fails, for
# every k, over module load, scenario compile and a short run.
ALLOC_BIN := $(BUILD)/alloc/test_alloc_fail
alloc-build: $(ALLOC_BIN)

# Pass 0: every k over the core's C allocations (every 13th under ASan, where
# a run is ~10x slower) on a small scenario; pass 1: every Lua allocation made
# while a binding holds C memory (a Lua error there must not leak it); pass 2:
# every 997th allocation of all, Lua's included, on the B1 example.
ALLOC_RUN = @echo "== $(1)/alloc/test_alloc_fail" && \
	ALLOC_MODE=0 ALLOC_C_STEP=$(5) $(2) $(1)/alloc/test_alloc_fail tests/good/minimal.lua && \
	ALLOC_MODE=1 ALLOC_C_STEP=$(5) $(2) $(1)/alloc/test_alloc_fail tests/good/minimal.lua && \
	ALLOC_MODE=2 ALLOC_STEP=$(3) $(2) $(1)/alloc/test_alloc_fail $(4)
test-alloc:
	$(Q)$(MAKE) --no-print-directory alloc-build
	$(call ALLOC_RUN,$(BUILD),,997,scenarios/b2b_saas_inbound.lua,1)

test-alloc-lua:
	$(Q)$(MAKE) --no-print-directory alloc-build
	ALLOC_MODE=1 $(ALLOC_BIN) tests/good/minimal.lua

$(ALLOC_BIN): $(BUILD)/obj/tests/alloc/test_alloc_fail.o $(LIB)
	@mkdir -p $(dir $@)
	$(call quiet,LINK,$@)$(CC) $(CFLAGS) -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free \
	  -Wl,--wrap=realpath,--wrap=strdup,--wrap=strndup \
	  -o $@ $^ $(LUA_LIBS) $(LDLIBS)

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer
# (gcc), in its own build directory. The module checks load the ASan-built
# funnelcast.so into the stock (uninstrumented) lua5.4, so lua5.4 runs with
# libasan preloaded (a wrapper first in PATH); python3 does not.
ASAN_BUILD  ?= build-asan
ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
               -Wno-maybe-uninitialized
ASAN_ENV    := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=1 \
               UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
test-asan:
	$(Q)$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) CC=$(CC) CFLAGS="$(ASAN_CFLAGS)" all tests-build alloc-build
	@mkdir -p $(ASAN_BUILD)/bin
	@printf '#!/bin/sh\nLD_PRELOAD=%s exec %s "$$@"\n' "$$($(CC) -print-file-name=libasan.so)" \
	  "$$(command -v lua5.4)" > $(ASAN_BUILD)/bin/lua5.4 && chmod +x $(ASAN_BUILD)/bin/lua5.4
	@echo "== AddressSanitizer + UndefinedBehaviorSanitizer ($(ASAN_BUILD))"
	$(Q)PATH="$(CURDIR)/$(ASAN_BUILD)/bin:$$PATH" $(ASAN_ENV) BUILD=$(ASAN_BUILD) \
	  SKIP_CHECKS="check_b1_numpy check_module_scipy check_lean check_install check_python check_html check_browser check_text check_history_stats check_identity" \
	  sh tests/run_all.sh
	$(call ALLOC_RUN,$(ASAN_BUILD),$(ASAN_ENV),499,tests/good/minimal.lua,13)

# The examples, `check`, and a shard/merge under valgrind memcheck on the
# ordinary build: no error, no leak.
test-valgrind:
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) sh tests/valgrind/run.sh

# Fuzzing (tests/fuzz/): libFuzzer harnesses built with clang under
# ASan+UBSan in their own build directory. fuzz-check (part of make test)
# replays the regression inputs and fuzzes each harness FUZZ_CHECK_TIME
# seconds; fuzz runs FUZZ_TIME seconds per harness into a kept corpus.
FUZZ_BUILD      ?= build-fuzz
FUZZ_CC         ?= clang
FUZZ_CFLAGS     := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
                   -fno-omit-frame-pointer
FUZZERS         := fuzz_scenario fuzz_set fuzz_partial fuzz_literal
FUZZ_CHECK_TIME ?= 15
FUZZ_TIME       ?= 3600
FUZZ_JOBS       ?= 1
HAVE_LIBFUZZER   = $(shell f=$$($(FUZZ_CC) -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null); \
                     [ -f "$$f" ] && echo yes)

fuzz-build: $(FUZZERS:%=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_lua.c tests/fuzz/fuzz_lua.h $(LIB)
	@mkdir -p $(dir $@)
	$(call quiet,LINK,$@)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ \
	  $< tests/fuzz/fuzz_lua.c $(LIB) $(LUA_LIBS) $(LDLIBS)

fuzz-check fuzz:
ifeq ($(HAVE_LIBFUZZER),yes)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) CFLAGS="$(FUZZ_CFLAGS)" fuzz-build
	$(Q)BUILD=$(BUILD) FUZZ_BUILD=$(FUZZ_BUILD) FUZZERS="$(FUZZERS)" JOBS=$(FUZZ_JOBS) \
	  sh tests/fuzz/run.sh $(if $(filter fuzz,$@),long $(FUZZ_TIME),check $(FUZZ_CHECK_TIME))
else
	@echo "== fuzzing: SKIPPED ($(FUZZ_CC)'s libFuzzer runtime not found: apt-get install clang libclang-rt-14-dev)"
endif

tests-build: $(TEST_BINS)

bench: ensure-deps
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BINS)
	$(Q)BUILD=$(BUILD) sh bench/run_all.sh

$(LIB): $(CORE_OBJ)
	$(call quiet,AR,$@)rm -f $@ && ar rcs $@ $^

$(CLI): $(CLI_SRC:%.c=$(BUILD)/obj/%.o) $(LIB)
	$(call quiet,LINK,$@)$(CC) $(CFLAGS) -o $@ $^ $(LUA_LIBS) $(LDLIBS)

# The module leaves Lua's symbols to the interpreter that loads it.
$(MODULE): $(CORE_OBJ)
	$(call quiet,LINK,$@)$(CC) $(CFLAGS) -shared -o $@ $^ $(LDLIBS)

# The shared library embeds Lua (it links liblua5.4, a run-time dependency); it
# exports the public API alone (scripts/libfunnelcast.map).
$(SHLIB): $(CORE_OBJ) scripts/libfunnelcast.map
	$(call quiet,LINK,$@)$(CC) $(CFLAGS) -shared -Wl,-soname,$(SONAME) \
	  -Wl,--version-script,scripts/libfunnelcast.map -o $@ $(CORE_OBJ) $(LUA_LIBS) $(LDLIBS)

# pkg-config's file, for the PREFIX of this install
PC_LINES := 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCDIR)' '' \
  'Name: funnelcast' 'Description: Monte Carlo simulator for marketing and sales plans' \
  'Version: $(VERSION)' 'Requires.private: lua5.4' 'Libs: -L$${libdir} -lfunnelcast' \
  'Libs.private: -lm -lpthread' 'Cflags: -I$${includedir}'

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(SHAREDIR)/scenarios/history $(DESTDIR)$(SHAREDIR)/examples $(DESTDIR)$(DOCDIR) $(DESTDIR)$(LUA_CMOD) \
	  $(DESTDIR)$(COMPDIR) $(DESTDIR)$(PYDIR)/funnelcast
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/funnelcast
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libfunnelcast.a
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/libfunnelcast.so.$(VERSION)
	ln -sf libfunnelcast.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libfunnelcast.so
	printf '%s\n' $(PC_LINES) > $(DESTDIR)$(LIBDIR)/pkgconfig/funnelcast.pc
	install -m 644 include/funnelcast.h $(DESTDIR)$(INCDIR)/funnelcast.h
	install -m 644 scripts/funnelcast.1 $(DESTDIR)$(MANDIR)/man1/funnelcast.1
	install -m 755 $(MODULE) $(DESTDIR)$(LUA_CMOD)/funnelcast.so
	install -m 644 scripts/completion.bash $(DESTDIR)$(COMPDIR)/funnelcast
	install -m 644 scenarios/*.lua $(DESTDIR)$(SHAREDIR)/scenarios/
	install -m 644 scenarios/history/*.csv scenarios/history/*.py $(DESTDIR)$(SHAREDIR)/scenarios/history/
	install -m 644 examples/*.c $(DESTDIR)$(SHAREDIR)/examples/
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	sed 's|^_INSTALLED_LIB = None$$|_INSTALLED_LIB = "$(LIBDIR)/$(SONAME)"|' python/funnelcast/__init__.py \
	  > $(DESTDIR)$(PYDIR)/funnelcast/__init__.py
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/funnelcast $(DESTDIR)$(LIBDIR)/libfunnelcast.a \
	  $(DESTDIR)$(LIBDIR)/libfunnelcast.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libfunnelcast.so \
	  $(DESTDIR)$(LIBDIR)/pkgconfig/funnelcast.pc $(DESTDIR)$(INCDIR)/funnelcast.h \
	  $(DESTDIR)$(MANDIR)/man1/funnelcast.1 $(DESTDIR)$(LUA_CMOD)/funnelcast.so $(DESTDIR)$(COMPDIR)/funnelcast \
	  $(DESTDIR)$(DOCDIR)/README.md
	rm -rf $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(PYDIR)/funnelcast
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -Itests -MMD -MP -c -o $@ $<

# scripts/*.lua become byte arrays in the binary (name, text), in file order.
$(BUILD)/gen/scripts.c: $(LUA_SCRIPTS) scripts/embed.sh
	@mkdir -p $(dir $@)
	$(call quiet,GEN,$@)sh scripts/embed.sh $(LUA_SCRIPTS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/scripts.o: $(BUILD)/gen/scripts.c
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TEST_SUPPORT_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(call quiet,LINK,$@)$(CC) $(CFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LUA_LIBS) $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(call quiet,LINK,$@)$(CC) $(CFLAGS) -o $@ $^ $(LUA_LIBS) $(LDLIBS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
