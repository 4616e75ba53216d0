# funnelcast build. Plain GNU make; everything is built under $(BUILD).
#   make            library, CLI and Lua module
#   make demo       build, then run the bundled example scenario (the main job)
#   make test       build and run the whole test suite
#   make bench      benchmarks beside their peers (numpy)
#   make deps       install the Debian packages the build needs (as root)

BUILD   ?= build
CC      ?= cc
VERSION := 0.1.0

# Debian packages: what the build, the tests and the benchmarks need.
DEBS_BUILD := pkg-config liblua5.4-dev libcmocka-dev
DEBS_TEST  := lua5.4 python3-numpy python3-scipy
have_pc     = $(shell pkg-config --exists $(1) 2>/dev/null && echo yes)
MISSING    := $(strip $(if $(shell command -v pkg-config),,pkg-config) \
                $(if $(call have_pc,lua5.4),,liblua5.4-dev) \
                $(if $(call have_pc,cmocka),,libcmocka-dev))
MISSING_TEST := $(strip $(if $(shell command -v lua5.4),,lua5.4) \
                $(if $(shell /usr/bin/python3 -c 'import numpy, scipy' 2>/dev/null && echo y),,python3-numpy python3-scipy))

LUA_CFLAGS    := $(shell pkg-config --cflags lua5.4 2>/dev/null)
LUA_LIBS      := $(shell pkg-config --libs lua5.4 2>/dev/null)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null)

OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
WARN     := -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes
ALL_CFLAGS := $(WARN) $(CFLAGS) -fPIC -D_POSIX_C_SOURCE=200809L -DFC_VERSION='"$(VERSION)"' \
              -Iinclude -Icore -I$(BUILD)/gen $(LUA_CFLAGS)
LDLIBS   := -lm -lpthread

CORE_SRC := $(filter-out core/cli.c,$(wildcard core/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/scripts.o
LUA_SCRIPTS := $(sort $(wildcard scripts/*.lua))
LIB      := $(BUILD)/libfunnelcast.a
CLI      := $(BUILD)/funnelcast
MODULE   := $(BUILD)/funnelcast.so

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

.PHONY: all deps need-deps ensure-deps demo test tests-build bench clean
.DEFAULT_GOAL := all
# keep object files of tests and benchmarks between builds
.SECONDARY:

all: need-deps $(LIB) $(CLI) $(MODULE)

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

test: ensure-deps
	$(Q)$(MAKE) --no-print-directory all tests-build
	$(Q)BUILD=$(BUILD) sh tests/run_all.sh

tests-build: $(TEST_BINS)

bench: ensure-deps
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BINS)
	$(Q)BUILD=$(BUILD) sh bench/run_all.sh

$(LIB): $(CORE_OBJ)
	$(call quiet,AR,$@)rm -f $@ && ar rcs $@ $^

$(CLI): $(BUILD)/obj/core/cli.o $(LIB)
	$(call quiet,LINK,$@)$(CC) $(CFLAGS) -o $@ $^ $(LUA_LIBS) $(LDLIBS)

# The module leaves Lua's symbols to the interpreter that loads it.
$(MODULE): $(CORE_OBJ)
	$(call quiet,LINK,$@)$(CC) $(CFLAGS) -shared -o $@ $^ $(LDLIBS)

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
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
