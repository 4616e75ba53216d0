/* cli: the funnelcast command. Parses the command line, hands the work to the
 * embedded Lua library (scripts/main.lua) and writes its output whole or not
 * at all. The only place that prints or exits: 0 done, 2 bad input (usage,
 * scenario, file), 3 internal failure. */
#include <errno.h>
#include <math.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "budget.h"
#include "cli_output.h"
#include "cli_watch.h"
#include "commands.h"
#include "funnelcast.h"
#include "lua_module.h"
#include "lua_results.h"
#include "lua_sandbox.h"
#include "lua_util.h"
#include "opt_parse.h"

static const char usage[] =
    "usage: funnelcast run FILE [--trials N] [--seed S] [--threads T]\n"
    "                  [--format F] [-o OUT] [--lang L] [--set KEY=VALUE]... [--precision P]\n"
    "       funnelcast run FILE --actuals CSV [options of run]   the plan re-forecast from\n"
    "                  the periods done so far (a history file from the first period)\n"
    "       funnelcast run FILE --shard K/N --partial OUT [--trials N] [--seed S] ...\n"
    "       funnelcast compare FILE FILE... [options of run]   paired, the first file's first\n"
    "                  scenario the base\n"
    "       funnelcast merge PARTIAL... [--format F] [-o OUT] [--lang L]\n"
    "       funnelcast plan FILE --goal NAME [--confidence C] [--vary budget|PATH]\n"
    "                  [--channels a,b] [--between LO,HI] [options of run]\n"
    "                  the smallest budget (or value of PATH) that meets the goal with\n"
    "                  confidence C (default: the goal's), and what each stage must deliver\n"
    "       funnelcast optimize FILE --budget X [--objective goal:NAME|mean:METRIC|p10:METRIC]\n"
    "                  [--channels a,b,c] [--min CH=X]... [--max CH=X]... [options of run]\n"
    "                  the split of X per period over the channels that serves the objective best\n"
    "       funnelcast backtest FILE --history CSV --train N --test M [options of run]\n"
    "                  calibrate FILE's assumptions on the first N periods of CSV, forecast\n"
    "                  the next M, and say how often the actuals fell in the forecast's ranges\n"
    "       funnelcast check FILE      validate only, print the compiled model\n"
    "       funnelcast --help | --version\n"
    "\n"
    "  --trials N        trials to run (default: the scenario's, else 10000); 1e5 reads as 100000\n"
    "  --seed S          random seed (default: the scenario's, else 1)\n"
    "  --threads T       worker threads (default: all cores); results do not depend on it\n"
    "  --format F        the report's format, one of:\n"
    "%s"
    "  -o OUT            write the report to OUT (whole or not at all) instead of stdout\n"
    "                    (-o -: stdout; csv: OUT is a folder, one file per table)\n"
    "  --lang L          the language of text and html reports: %s (default: from\n"
    "                    LC_ALL, LC_MESSAGES or LANG, else en); json and csv never change\n"
    "  --locale L        the number, money and date formats (fr, fr_FR.UTF-8, en...;\n"
    "                    default: the language's)\n"
    "  --quiet, -q       no progress bar\n"
    "  --set KEY=VALUE   override a scenario field, e.g. --set channels.search.spend=25000\n"
    "  --timing          print the simulation's own time and trials per second on stderr\n"
    "  --fail-on-goal    exit with status 1 when a goal is below its confidence\n"
    "  --precision P     run blocks of trials until every goal's probability is known within\n"
    "                    +-P and every total's mean within a relative +-P (95%% intervals);\n"
    "                    --trials is then the most to run (default 100,000,000)\n"
    "  --shard K/N       run only the K-th of N shares of the trials (K = 1..N) ...\n"
    "  --partial OUT     ... and write their partial summary to OUT, for funnelcast merge\n"
    "\n"
    "limits (a scenario runs in a sandbox: no files, programs or bytecode):\n"
    "  --max-steps N     most Lua steps the scenario may run (default 1000000000)\n"
    "  --max-memory SIZE most memory the command holds: the scenario's Lua state, and a\n"
    "                    run's scratch, summary and histograms within what the state\n"
    "                    leaves (default 512M; such as 256M, 2G; the histograms'\n"
    "                    precision depends on it, never on threads)\n"
    "  --time-limit S    stop the command after S seconds (default: no limit)\n"
    "  --script-time-limit S  most seconds the scenario's own code may take: loading,\n"
    "                    validation, reports, not the simulation (default 60)\n"
    "  --unsafe          run a trusted scenario with full access to files and programs\n"
    "\n"
    "exit status: 0 done, 1 a goal below its confidence (with --fail-on-goal), 2 bad input,\n"
    "             3 internal failure, 130 interrupted (SIGINT), 143 terminated (SIGTERM)\n";

/* Fills the lists of the usage text from the library's registries: the
 * formats (a line each) and the languages. */
static int l_usage_lists(lua_State *L)
{
    lua_pushcfunction(L, fc_lua_open_libs);
    lua_call(L, 0, 0);
    fc_lua_push_module(L);
    lua_getfield(L, -1, "_formats_help");
    lua_call(L, 0, 1);
    lua_getfield(L, -2, "_languages");
    lua_call(L, 0, 1);
    return 2;
}

static void print_usage(FILE *to)
{
    lua_State *L = luaL_newstate();
    const char *formats = "                    text, json, csv, html\n", *langs = "en, fr";
    if (L) {
        lua_pushcfunction(L, l_usage_lists);
        if (lua_pcall(L, 0, 2, 0) == LUA_OK) {
            formats = lua_tostring(L, -2);
            langs = lua_tostring(L, -1);
        }
    }
    fprintf(to, usage, formats, langs);
    if (L)
        lua_close(L);
}

/* A progress bar on standard error, for long runs on a terminal only. */
typedef struct progress_bar {
    struct timespec start;
    int shown;
} progress_bar;

static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress_bar *bar = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double elapsed = (double)(now.tv_sec - bar->start.tv_sec) + 1e-9 * (double)(now.tv_nsec - bar->start.tv_nsec);
    if (done < total && elapsed < 1.0)
        return; /* short runs stay quiet */
    int width = 30, filled = total ? (int)((double)width * (double)done / (double)total) : width;
    fprintf(stderr, "\r[%.*s%*s] %3.0f%% %llu/%llu trials", filled,
            "##############################", width - filled, "",
            total ? 100.0 * (double)done / (double)total : 100.0, (unsigned long long)done,
            (unsigned long long)total);
    bar->shown = 1;
    if (done >= total)
        fputs("\r\033[K", stderr);
}


typedef struct options {
    const char *command, *file, *format, *out, *lang, *locale;
    const char *trials, *seed, *threads, *precision, *shard, *partial;
    const char *max_steps, *max_memory, *time_limit, *script_time;
    const char **sets, **files;
    const char **own, **own_values; /* the command's own options, as given */
    int nsets, nfiles, nown;
    int timing, unsafe, fail_on_goal, quiet;
    int argc;
    char **argv;
} options;

static int bad_usage(const char *fmt, const char *arg)
{
    fputs("funnelcast: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(see funnelcast --help)\n", stderr);
    return FC_EINPUT;
}

/* Accepts "--name value" and "--name=value"; returns the value or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != 0 || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int parse(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->sets = calloc((size_t)argc, sizeof *o->sets);
    o->files = calloc((size_t)argc, sizeof *o->files);
    o->own = calloc((size_t)argc, sizeof *o->own);
    o->own_values = calloc((size_t)argc, sizeof *o->own_values);
    if (o->sets == NULL || o->files == NULL || o->own == NULL || o->own_values == NULL)
        return FC_EINTERNAL;
    o->command = argv[1];
    o->argc = argc;
    o->argv = argv;
    /* the command's own options (commands.c) go to main.lua as they are
     * written; main.lua does the work of each command */
    const fc_command *cmd = fc_command_find(o->command);
    o->format = "text";
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        const char *own_name = NULL;
        for (int k = 0; cmd->own && cmd->own[k] && !v; k++) {
            char dashed[32];
            snprintf(dashed, sizeof dashed, "--%s", cmd->own[k]);
            if ((v = option_value(argc, argv, &i, dashed)))
                own_name = cmd->own[k];
        }
        if (own_name) {
            o->own[o->nown] = own_name;
            o->own_values[o->nown++] = v;
        } else if (a[0] != '-' || a[1] == 0) {
            if (o->file && !cmd->many)
                return bad_usage("unexpected argument '%s': give one scenario file", a);
            o->file = o->file ? o->file : a;
            o->files[o->nfiles++] = a;
        } else if (strcmp(a, "--timing") == 0) {
            o->timing = 1;
        } else if (strcmp(a, "--fail-on-goal") == 0) {
            o->fail_on_goal = 1;
        } else if (strcmp(a, "--unsafe") == 0) {
            o->unsafe = 1;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o->quiet = 1;
        } else if ((v = option_value(argc, argv, &i, "--lang"))) {
            o->lang = v;
        } else if ((v = option_value(argc, argv, &i, "--locale"))) {
            o->locale = v;
        } else if ((v = option_value(argc, argv, &i, "--max-steps"))) {
            o->max_steps = v;
        } else if ((v = option_value(argc, argv, &i, "--max-memory"))) {
            o->max_memory = v;
        } else if ((v = option_value(argc, argv, &i, "--time-limit"))) {
            o->time_limit = v;
        } else if ((v = option_value(argc, argv, &i, "--script-time-limit"))) {
            o->script_time = v;
        } else if ((v = option_value(argc, argv, &i, "--precision"))) {
            o->precision = v;
        } else if ((v = option_value(argc, argv, &i, "--shard"))) {
            o->shard = v;
        } else if ((v = option_value(argc, argv, &i, "--partial"))) {
            o->partial = v;
        } else if ((v = option_value(argc, argv, &i, "--trials"))) {
            o->trials = v;
        } else if ((v = option_value(argc, argv, &i, "--seed"))) {
            o->seed = v;
        } else if ((v = option_value(argc, argv, &i, "--threads"))) {
            o->threads = v;
        } else if ((v = option_value(argc, argv, &i, "--format"))) {
            o->format = v;
        } else if ((v = option_value(argc, argv, &i, "-o")) || (v = option_value(argc, argv, &i, "--output"))) {
            if (v[0] == 0)
                return bad_usage("%s: -o takes a path (or -, standard output)", "-o ''");
            o->out = v;
        } else if ((v = option_value(argc, argv, &i, "--set"))) {
            if (strchr(v, '=') == NULL || v[0] == '=')
                return bad_usage("--set %s: expected KEY=VALUE", v);
            o->sets[o->nsets++] = v;
        } else {
            return bad_usage("unknown option or missing value: '%s'", a);
        }
    }
    if (o->file == NULL)
        return bad_usage(strcmp(o->command, "merge") == 0 ? "%s: no partial summaries given"
                                                          : "%s: no scenario file given", o->command);
    if ((o->shard == NULL) != (o->partial == NULL))
        return bad_usage("%s", "--shard K/N and --partial OUT go together");
    if (o->partial && (o->out || o->precision))
        return bad_usage("%s", "--partial writes the partial summary: -o and --precision do not apply");
    /* the format and the language are checked against the registries of
     * the reports (scripts/report.lua, scripts/locale.lua) */
    return 0;
}

static void set_int_opt(lua_State *L, const char *key, long long v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

/* opts[key] = v, when v is given (not NULL). */
static void set_str_opt(lua_State *L, const char *key, const char *v)
{
    if (v == NULL)
        return;
    lua_pushstring(L, v);
    lua_setfield(L, -2, key);
}

/* opts[key] = { v[0], ..., v[n - 1] }. */
static void set_list_opt(lua_State *L, const char *key, const char *const *v, int n)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, v[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, key);
}

/* What the protected entry point needs: the options and their values. */
typedef struct cli_call {
    const options *o;
    long long trials, threads, shard_k, shard_n;
    unsigned long long seed;
    double precision, time_limit, script_time;
    uint64_t max_memory;
    fc_lua_progress *progress;
} cli_call;


/* print for the scenario scripts of a command: as Lua's, but to standard
 * error, since standard output carries the report (a JSON report with a
 * script's line in it would no longer parse). */
static int l_print_stderr(lua_State *L)
{
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = luaL_tolstring(L, i, &len);
        if (i > 1)
            fputc('\t', stderr);
        fwrite(s, 1, len, stderr);
        lua_pop(L, 1);
    }
    fputc('\n', stderr);
    fflush(stderr);
    return 0;
}

/* The language the environment asks for: LC_ALL, else LC_MESSAGES, else
 * LANG (the first one set and not empty), else "". */
static const char *env_language(void)
{
    const char *names[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v && v[0])
            return v;
    }
    return "";
}

/* The width a text report may take: COLUMNS when it holds a width, else the
 * terminal's when standard output is one (tty), else 100; at least
 * MIN_COLUMNS (the tables' numbers need them). */
#define MIN_COLUMNS 60
static long long terminal_columns(int tty)
{
    long long w;
    const char *env = getenv("COLUMNS");
    struct winsize ws;
    if (!env || fc_parse_int(env, 1, 100000, &w) != 0)
        w = tty && isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 100;
    return w < MIN_COLUMNS ? MIN_COLUMNS : w;
}

/* Runs inside fc_lua_pcall, so that no Lua error (a memory error while the
 * libraries open, a failing script) is ever raised unprotected: opens the
 * libraries, builds the module and the options, and calls main.lua. Returns
 * the output and the notes for standard error. */
static int l_cli_main(lua_State *L)
{
    const cli_call *c = lua_touserdata(L, 1);
    const options *o = c->o;
    /* the command's script time limit counts the time outside the simulation */
    static const fc_lua_phase phase = {fc_watch_simulating};
    lua_pushlightuserdata(L, (void *)&phase);
    lua_setfield(L, LUA_REGISTRYINDEX, FC_LUA_PHASE_KEY);
    fc_lua_push_main(L, o->unsafe, fc_watch_stop_flag(), (long long)c->max_memory, c->progress); /* fc, main, fc */
    lua_createtable(L, 0, 12);             /* fc, main, fc, opts */
    lua_pushstring(L, o->command);
    lua_setfield(L, -2, "command");
    lua_pushstring(L, o->file);
    lua_setfield(L, -2, "file");
    lua_pushstring(L, o->format);
    lua_setfield(L, -2, "format");
    /* what the reports need to know of where they go */
    set_str_opt(L, "lang", o->lang);
    set_str_opt(L, "locale", o->locale);
    set_str_opt(L, "env_lang", env_language());
    const char *out = o->out && strcmp(o->out, "-") != 0 ? o->out : NULL;
    set_str_opt(L, "output", out);
    set_int_opt(L, "columns", terminal_columns(out == NULL));
    const char *no_color = getenv("NO_COLOR");
    lua_pushboolean(L, out == NULL && isatty(STDOUT_FILENO) && (no_color == NULL || no_color[0] == 0));
    lua_setfield(L, -2, "color");
    set_list_opt(L, "argv", (const char *const *)o->argv, o->argc);
    if (o->trials)
        set_int_opt(L, "trials", c->trials);
    /* a seed past 2^63 - 1 travels as the Lua integer with the same 64 bits */
    if (o->seed)
        set_int_opt(L, "seed", (long long)c->seed);
    if (o->threads)
        set_int_opt(L, "threads", c->threads);
    if (o->precision) {
        lua_pushnumber(L, c->precision);
        lua_setfield(L, -2, "precision");
    }
    if (o->shard) {
        lua_createtable(L, 2, 0);
        lua_pushinteger(L, c->shard_k);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, c->shard_n);
        lua_rawseti(L, -2, 2);
        lua_setfield(L, -2, "shard");
    }
    set_list_opt(L, "files", o->files, o->nfiles);
    lua_pushboolean(L, o->timing);
    lua_setfield(L, -2, "timing");
    lua_pushboolean(L, o->unsafe);
    lua_setfield(L, -2, "unsafe");
    lua_pushcfunction(L, l_print_stderr);
    lua_setfield(L, -2, "print");
    lua_createtable(L, o->nsets, 0);
    for (int i = 0; i < o->nsets; i++) {
        const char *eq = strchr(o->sets[i], '=');
        lua_createtable(L, 2, 0);
        lua_pushlstring(L, o->sets[i], (size_t)(eq - o->sets[i]));
        lua_rawseti(L, -2, 1);
        lua_pushstring(L, eq + 1);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "sets");
    lua_createtable(L, o->nown, 0);
    for (int i = 0; i < o->nown; i++) {
        lua_createtable(L, 2, 0);
        lua_pushstring(L, o->own[i]);
        lua_rawseti(L, -2, 1);
        lua_pushstring(L, o->own_values[i]);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "own");
    lua_call(L, 2, 4);
    return 4;
}

/* Validates the options and fills c; returns 0 or FC_EINPUT (after the
 * message). */
static int check_options(const options *o, cli_call *c, fc_lua_limits *lim)
{
    memset(c, 0, sizeof *c);
    c->o = o;
    if (o->trials && fc_parse_int(o->trials, 1, 1000000000000LL, &c->trials))
        return bad_usage("--trials %s: expected an integer in [1, 1e12]", o->trials);
    if (o->seed && fc_parse_u64(o->seed, &c->seed))
        return bad_usage("--seed %s: expected a whole number in [0, 18446744073709551615]", o->seed);
    if (o->threads && fc_parse_int(o->threads, 0, 256, &c->threads))
        return bad_usage("--threads %s: expected an integer in [0, 256] (0: all cores)", o->threads);
    if (o->precision) {
        char *end;
        c->precision = strtod(o->precision, &end);
        if (end == o->precision || *end || !(c->precision > 0 && c->precision < 0.5))
            return bad_usage("--precision %s: expected a number in (0, 0.5), such as 0.005", o->precision);
    }
    if (o->shard) {
        const char *slash = strchr(o->shard, '/');
        char kbuf[32];
        size_t klen = slash ? (size_t)(slash - o->shard) : 0;
        if (!slash || klen == 0 || klen >= sizeof kbuf)
            return bad_usage("--shard %s: expected K/N, such as 3/8", o->shard);
        memcpy(kbuf, o->shard, klen);
        kbuf[klen] = 0;
        if (fc_parse_int(slash + 1, 1, 1000000, &c->shard_n) || fc_parse_int(kbuf, 1, c->shard_n, &c->shard_k))
            return bad_usage("--shard %s: expected K/N with 1 <= K <= N <= 1000000", o->shard);
    }
    lim->max_steps = FC_DEFAULT_MAX_STEPS;
    if (o->max_steps) {
        char *end;
        double v = strtod(o->max_steps, &end);
        if (end == o->max_steps || *end || !(v >= 1000 && v <= 1e15) || v != (double)(long long)v)
            return bad_usage("--max-steps %s: expected a whole number of steps in [1000, 1e15], such as 5000000000",
                             o->max_steps);
        lim->max_steps = (uint64_t)v;
    }
    c->max_memory = FC_DEFAULT_MAX_MEMORY;
    if (o->max_memory && (fc_parse_size(o->max_memory, &c->max_memory) || c->max_memory < (UINT64_C(16) << 20)))
        return bad_usage("--max-memory %s: expected a size of at least 16M, such as 256M or 2G", o->max_memory);
    lim->max_memory = (size_t)c->max_memory;
    if (o->time_limit && fc_parse_seconds(o->time_limit, &c->time_limit))
        return bad_usage("--time-limit %s: expected a number of seconds in (0, 1e7]", o->time_limit);
    c->script_time = FC_DEFAULT_SCRIPT_TIME;
    if (o->script_time && fc_parse_seconds(o->script_time, &c->script_time))
        return bad_usage("--script-time-limit %s: expected a number of seconds in (0, 1e7]", o->script_time);
    /* the hook checks the command's time limit between Lua steps; the
     * watchdog everywhere else */
    lim->time_limit = c->time_limit;
    return 0;
}

/* The end of a command asked to stop: the watchdog stands down, the message
 * of why, its status. */
static int stopped(fc_watch_reason why)
{
    fc_watch_done();
    fprintf(stderr, "funnelcast: %s\n", fc_watch_message(why));
    return fc_watch_status(why);
}

/* The exit status and message of a failed call (its error on the stack top). */
/* The message of an error as one line of text: NUL bytes written as \0
 * (nothing after one is lost), and at most a few thousand bytes. */
static const char *message_text(lua_State *L, int idx, char *buf, size_t len)
{
    size_t n;
    const char *s = lua_tolstring(L, idx, &n);
    if (s == NULL)
        return "unknown error";
    size_t w = 0;
    for (size_t i = 0; i < n && w + 8 < len; i++) {
        if (s[i] == 0) {
            buf[w++] = '\\';
            buf[w++] = '0';
        } else {
            buf[w++] = s[i];
        }
    }
    if (w + 8 >= len && n > 0)
        memcpy(buf + w, " [...]", 6), w += 6;
    buf[w] = 0;
    return buf;
}

static int report_failure(lua_State *L, int st, const options *o, fc_lua_limits *lim)
{
    char text[4096];
    const char *msg = message_text(L, -1, text, sizeof text);
    fc_watch_reason why = fc_watch_reason_now();
    fc_watch_done();
    /* a memory error raised by Lua (possibly caught and raised again by a
     * script): the cap's, or the machine's */
    int lua_memory = st == LUA_ERRMEM || strcmp(msg, "not enough memory") == 0;
    char buf[1024];
    if (why == FC_WATCH_NONE && fc_lua_limit_message(lim, o->file, lua_memory, buf, sizeof buf)) {
        fprintf(stderr, "funnelcast: %s\n", buf);
        return FC_EINPUT;
    }
    if (why != FC_WATCH_NONE || lim->stopped || strcmp(msg, "interrupted") == 0) {
        return stopped(why == FC_WATCH_NONE ? FC_WATCH_SIGNAL : why);
    }
    if (lua_memory || strstr(msg, "out of memory")) {
        fprintf(stderr, "funnelcast: out of memory\n");
        return FC_EINTERNAL;
    }
    if (fc_lua_internal_fault(msg)) {
        fprintf(stderr, "funnelcast: internal error (please report it): %s\n", msg);
        return FC_EINTERNAL;
    }
    fprintf(stderr, "funnelcast: %s\n", msg);
    return FC_EINPUT;
}

/* The files the output may not land on: the command line's and those the
 * scenario read (the list at idx, from main.lua). A malloc'd array the
 * caller frees; its strings live on the Lua stack. NULL when out of memory. */
static const char **input_files(lua_State *L, int idx, const options *o, int *n)
{
    idx = lua_absindex(L, idx);
    lua_Unsigned nread = lua_istable(L, idx) ? lua_rawlen(L, idx) : 0;
    if (nread > 1000000)
        nread = 1000000;
    const char **in = calloc((size_t)o->nfiles + (size_t)nread + 1, sizeof *in);
    if (in == NULL)
        return NULL;
    *n = 0;
    for (int i = 0; i < o->nfiles; i++)
        in[(*n)++] = o->files[i];
    for (lua_Unsigned i = 1; i <= nread; i++) {
        if (lua_rawgeti(L, idx, (lua_Integer)i) == LUA_TSTRING)
            in[(*n)++] = lua_tostring(L, -1);
        lua_pop(L, 1); /* the table keeps the string */
    }
    return in;
}

/* The status of a command whose report is written: 1 with --fail-on-goal
 * when a goal is below its confidence, else 0. */
static int goals_status(const options *o, lua_Integer below)
{
    if (o->fail_on_goal && below > 0) {
        fprintf(stderr, "funnelcast: %lld goal%s below %s confidence\n", (long long)below,
                below == 1 ? "" : "s", below == 1 ? "its" : "their");
        return 1;
    }
    return 0;
}

/* Writes the files of a report that is a folder (the list { { name, bytes
 * or false }, ... } at -4 of the stack, from a format that writes files;
 * false: a table of the format this report has not, removed) into -o. */
static int write_folder(lua_State *L, const options *o, lua_Integer below)
{
    int idx = lua_absindex(L, -4);
    lua_Unsigned n = lua_rawlen(L, idx);
    if (n > 1000 || !lua_checkstack(L, (int)n + 8)) {
        fc_watch_done();
        fputs("funnelcast: internal error: a report of too many files\n", stderr);
        return FC_EINTERNAL;
    }
    const char **names = calloc(n + 1, sizeof *names), **texts = calloc(n + 1, sizeof *texts);
    size_t *lens = calloc(n + 1, sizeof *lens);
    int ninputs = 0;
    const char **inputs = input_files(L, -1, o, &ninputs);
    int st = 0;
    if (!names || !texts || !lens || !inputs) {
        fputs("funnelcast: out of memory\n", stderr);
        st = FC_EINTERNAL;
    }
    for (lua_Unsigned i = 0; i < n && st == 0; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1); /* kept on the stack: it holds the strings */
        int text_type = lua_istable(L, -1) && lua_rawgeti(L, -1, 1) == LUA_TSTRING ? lua_rawgeti(L, -2, 2) : LUA_TNONE;
        if (text_type != LUA_TSTRING && !(text_type == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
            fputs("funnelcast: internal error: a report file without a name or text\n", stderr);
            st = FC_EINTERNAL;
            break;
        }
        names[i] = lua_tostring(L, -2);
        texts[i] = text_type == LUA_TSTRING ? lua_tolstring(L, -1, &lens[i]) : NULL;
        lua_pop(L, 2);
    }
    if (st == 0) {
        char err[PATH_MAX + 512];
        fc_watch_simulating(1);
        int w = fc_output_write_files(o->out, names, texts, lens, (int)n, inputs, ninputs, err, sizeof err);
        if (w == -2) {
            st = stopped(fc_watch_reason_now());
        } else {
            fc_watch_done();
            if (w != 0) {
                fprintf(stderr, "funnelcast: %s: cannot write the report: %s\n", o->out, err);
                st = FC_EINPUT;
            } else {
                st = goals_status(o, below);
            }
        }
    } else {
        fc_watch_done();
    }
    free(names);
    free(texts);
    free(lens);
    free(inputs);
    return st;
}

static int run_command(lua_State *L, const options *o, cli_call *c, fc_lua_limits *lim)
{
    lua_pushcfunction(L, l_cli_main);
    lua_pushlightuserdata(L, c);
    int st = fc_lua_pcall(L, 1, 4, 0);
    if (st != LUA_OK)
        return report_failure(L, st, o, lim);
    char buf[1024];
    fc_watch_reason why = fc_watch_reason_now();
    if (why != FC_WATCH_NONE)
        return stopped(why); /* it came as the command finished: nothing is written */
    if (fc_lua_limit_message(lim, o->file, 0, buf, sizeof buf)) {
        /* a limit was hit and its error caught, yet the script returned */
        fc_watch_done();
        fprintf(stderr, "funnelcast: %s\n", buf);
        return FC_EINPUT;
    }
    size_t len;
    const char *notes = lua_tostring(L, -3);
    if (notes)
        fputs(notes, stderr);
    if (lua_istable(L, -4))
        return write_folder(L, o, lua_tointeger(L, -2));
    const char *text = lua_tolstring(L, -4, &len);
    lua_Integer below = lua_tointeger(L, -2);
    if (text == NULL) {
        fprintf(stderr, "funnelcast: internal error: no output\n");
        return FC_EINTERNAL;
    }
    const char *out = o->partial ? o->partial : o->out;
    if (out && !o->partial && strcmp(out, "-") == 0)
        out = NULL; /* -o -: standard output */
    /* the scenario's own code is done: writing the output is not its time */
    fc_watch_simulating(1);
    if (out) {
        char err[PATH_MAX + 128];
        int ninputs;
        const char **inputs = input_files(L, -1, o, &ninputs);
        int w = inputs ? fc_output_write(out, text, len, inputs, ninputs, err, sizeof err) : -1;
        if (!inputs)
            snprintf(err, sizeof err, "out of memory");
        free(inputs);
        if (w == -2)
            return stopped(fc_watch_reason_now());
        fc_watch_done();
        if (w != 0) {
            fprintf(stderr, "funnelcast: %s: cannot write the %s: %s\n", out,
                    o->partial ? "partial summary" : "report", err);
            return FC_EINPUT;
        }
    } else {
        int w = fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0;
        fc_watch_done();
        if (w) {
            fprintf(stderr, "funnelcast: cannot write to standard output (%s)\n", strerror(errno));
            return FC_EINPUT;
        }
    }
    return goals_status(o, below);
}

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        print_usage(stdout);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("funnelcast %s\n", fc_version());
        return 0;
    }
    if (argc < 2 || fc_command_find(argv[1]) == NULL) {
        if (argc >= 2)
            fprintf(stderr, "funnelcast: unknown command '%s'\n", argv[1]);
        print_usage(stderr);
        return FC_EINPUT;
    }
    options o;
    cli_call call;
    fc_lua_limits lim;
    memset(&lim, 0, sizeof lim);
    int st = parse(argc, argv, &o);
    if (st == 0)
        st = check_options(&o, &call, &lim);
    if (st == 0) {
        /* from here every signal and time limit ends the command in time */
        fc_watch_start(o.file, call.time_limit, call.script_time);
        lim.stop = fc_watch_stop_flag();
        lua_State *L = fc_lua_limited_state(&lim);
        if (L == NULL) {
            fprintf(stderr, "funnelcast: out of memory\n");
            free(o.sets);
            free(o.files);
            free(o.own);
            free(o.own_values);
            return FC_EINTERNAL;
        }
        if (o.unsafe)
            fputs("funnelcast: --unsafe: the scenario runs with full access to files and programs\n", stderr);
        progress_bar bar = {{0, 0}, 0};
        fc_lua_progress progress = {show_progress, &bar};
        if (isatty(STDERR_FILENO) && !o.quiet) {
            clock_gettime(CLOCK_MONOTONIC, &bar.start);
            call.progress = &progress;
        }
        st = run_command(L, &o, &call, &lim);
        /* stopped by a signal: end now, and let the system take the state
         * back (closing a state of gigabytes can take seconds) */
        if (st == 128 + SIGINT || st == 128 + SIGTERM) {
            fflush(NULL);
            _exit(st);
        }
        lua_close(L);
    }
    free(o.sets);
    free(o.files);
    free(o.own);
    free(o.own_values);
    return st;
}
