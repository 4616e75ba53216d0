/* cli: the funnelcast command. Parses the command line, hands the work to the
 * embedded Lua library (scripts/main.lua) and writes its output whole or not
 * at all. The only place that prints or exits: 0 done, 2 bad input (usage,
 * scenario, file), 3 internal failure. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "funnelcast.h"
#include "lua_module.h"
#include "lua_results.h"
#include "lua_util.h"

static const char usage[] =
    "usage: funnelcast run FILE [--trials N] [--seed S] [--threads T]\n"
    "                  [--format text|json] [-o OUT] [--set KEY=VALUE]... [--precision P]\n"
    "       funnelcast run FILE --shard K/N --partial OUT [--trials N] [--seed S] ...\n"
    "       funnelcast merge PARTIAL... [--format text|json] [-o OUT]\n"
    "       funnelcast check FILE      validate only, print the compiled model\n"
    "       funnelcast --help | --version\n"
    "\n"
    "  --trials N        trials to run (default: the scenario's, else 10000)\n"
    "  --seed S          random seed (default: the scenario's, else 1)\n"
    "  --threads T       worker threads (default: all cores); results do not depend on it\n"
    "  --format F        text (default) or json\n"
    "  -o OUT            write the report to OUT (whole or not at all) instead of stdout\n"
    "  --set KEY=VALUE   override a scenario field, e.g. --set channels.search.spend=25000\n"
    "  --timing          print the simulation's own time and trials per second on stderr\n"
    "  --precision P     run blocks of trials until every goal's probability is known within\n"
    "                    +-P and every total's mean within a relative +-P (95% intervals);\n"
    "                    --trials is then the most to run (default 100,000,000)\n"
    "  --shard K/N       run only the K-th of N shares of the trials (K = 1..N) ...\n"
    "  --partial OUT     ... and write their partial summary to OUT, for funnelcast merge\n"
    "\n"
    "exit status: 0 done, 2 bad input, 3 internal failure\n";

/* Set by SIGINT/SIGTERM; the engine polls it between blocks of trials. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
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
    const char *command, *file, *format, *out;
    const char *trials, *seed, *threads, *precision, *shard, *partial;
    const char **sets, **files;
    int nsets, nfiles;
    int timing;
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
    if (o->sets == NULL || o->files == NULL)
        return FC_EINTERNAL;
    o->command = argv[1];
    o->format = "text";
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v;
        if (a[0] != '-' || a[1] == 0) {
            if (o->file && strcmp(o->command, "merge") != 0)
                return bad_usage("unexpected argument '%s': give one scenario file", a);
            o->file = o->file ? o->file : a;
            o->files[o->nfiles++] = a;
        } else if (strcmp(a, "--timing") == 0) {
            o->timing = 1;
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
    if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0)
        return bad_usage("--format %s: expected text or json", o->format);
    return 0;
}

/* Parses a whole decimal integer in [lo, hi]. */
static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static void set_int_opt(lua_State *L, const char *key, long long v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

/* Writes text to path whole or not at all: a temporary file in the same
 * directory, renamed over the target once complete. */
static int write_whole(const char *path, const char *text, size_t len)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (tmp == NULL)
        return -1;
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    /* mkstemp makes the file private; the report gets the usual permissions */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    FILE *f = fdopen(fd, "wb");
    int ok = f != NULL && fwrite(text, 1, len, f) == len;
    if (f)
        ok = (fclose(f) == 0) && ok;
    else
        close(fd);
    if (ok && rename(tmp, path) != 0)
        ok = 0;
    if (!ok)
        unlink(tmp);
    free(tmp);
    return ok ? 0 : -1;
}

static int run_command(lua_State *L, const options *o)
{
    long long trials = 0, seed = 0, threads = 0;
    if (o->trials && parse_int(o->trials, 1, 1000000000000LL, &trials))
        return bad_usage("--trials %s: expected an integer in [1, 1e12]", o->trials);
    if (o->seed && parse_int(o->seed, LLONG_MIN, LLONG_MAX, &seed))
        return bad_usage("--seed %s: expected an integer", o->seed);
    if (o->threads && parse_int(o->threads, 0, 256, &threads))
        return bad_usage("--threads %s: expected an integer in [0, 256] (0: all cores)", o->threads);
    double precision = 0;
    if (o->precision) {
        char *end;
        precision = strtod(o->precision, &end);
        if (end == o->precision || *end || !(precision > 0 && precision < 0.5))
            return bad_usage("--precision %s: expected a number in (0, 0.5), such as 0.005", o->precision);
    }
    long long shard_k = 0, shard_n = 0;
    if (o->shard) {
        const char *slash = strchr(o->shard, '/');
        char kbuf[32];
        size_t klen = slash ? (size_t)(slash - o->shard) : 0;
        if (!slash || klen == 0 || klen >= sizeof kbuf)
            return bad_usage("--shard %s: expected K/N, such as 3/8", o->shard);
        memcpy(kbuf, o->shard, klen);
        kbuf[klen] = 0;
        if (parse_int(slash + 1, 1, 1000000, &shard_n) || parse_int(kbuf, 1, shard_n, &shard_k))
            return bad_usage("--shard %s: expected K/N with 1 <= K <= N <= 1000000", o->shard);
    }

    fc_lua_push_module(L);                 /* fc */
    lua_getfield(L, -1, "_main");          /* fc, main */
    lua_pushvalue(L, -2);                  /* fc, main, fc */
    lua_createtable(L, 0, 8);              /* fc, main, fc, opts */
    lua_pushstring(L, o->command);
    lua_setfield(L, -2, "command");
    lua_pushstring(L, o->file);
    lua_setfield(L, -2, "file");
    lua_pushstring(L, o->format);
    lua_setfield(L, -2, "format");
    if (o->trials)
        set_int_opt(L, "trials", trials);
    if (o->seed)
        set_int_opt(L, "seed", seed);
    if (o->threads)
        set_int_opt(L, "threads", threads);
    if (o->precision) {
        lua_pushnumber(L, precision);
        lua_setfield(L, -2, "precision");
    }
    if (o->shard) {
        lua_createtable(L, 2, 0);
        lua_pushinteger(L, shard_k);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, shard_n);
        lua_rawseti(L, -2, 2);
        lua_setfield(L, -2, "shard");
    }
    lua_createtable(L, o->nfiles, 0);
    for (int i = 0; i < o->nfiles; i++) {
        lua_pushstring(L, o->files[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "files");
    lua_pushboolean(L, o->timing);
    lua_setfield(L, -2, "timing");
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
    int st = fc_lua_pcall(L, 2, 1, 0);
    if (st != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        fprintf(stderr, "funnelcast: %s\n", msg ? msg : "unknown error");
        if (st == LUA_ERRMEM || (msg && strstr(msg, "out of memory")))
            return FC_EINTERNAL;
        return msg && strcmp(msg, "interrupted") == 0 ? 130 : FC_EINPUT;
    }
    size_t len;
    const char *text = lua_tolstring(L, -1, &len);
    if (text == NULL)
        return FC_EINTERNAL;
    const char *out = o->partial ? o->partial : o->out;
    if (out) {
        if (write_whole(out, text, len) != 0) {
            fprintf(stderr, "funnelcast: %s: cannot write the %s (%s)\n", out,
                    o->partial ? "partial summary" : "report", strerror(errno));
            return FC_EINPUT;
        }
    } else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
        fprintf(stderr, "funnelcast: cannot write to standard output\n");
        return FC_EINTERNAL;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("funnelcast %s\n", fc_version());
        return 0;
    }
    if (argc < 2 || (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "check") != 0 &&
                     strcmp(argv[1], "merge") != 0)) {
        if (argc >= 2)
            fprintf(stderr, "funnelcast: unknown command '%s'\n", argv[1]);
        fputs(usage, stderr);
        return FC_EINPUT;
    }
    options o;
    int st = parse(argc, argv, &o);
    if (st == 0) {
        lua_State *L = luaL_newstate();
        if (L == NULL) {
            fprintf(stderr, "funnelcast: out of memory\n");
            free(o.sets);
            free(o.files);
            return FC_EINTERNAL;
        }
        luaL_openlibs(L);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        lua_pushlightuserdata(L, (void *)&interrupted);
        lua_setfield(L, LUA_REGISTRYINDEX, FC_LUA_STOP_KEY);
        progress_bar bar = {{0, 0}, 0};
        fc_lua_progress progress = {show_progress, &bar};
        if (isatty(STDERR_FILENO)) {
            clock_gettime(CLOCK_MONOTONIC, &bar.start);
            lua_pushlightuserdata(L, &progress);
            lua_setfield(L, LUA_REGISTRYINDEX, FC_LUA_PROGRESS_KEY);
        }
        st = run_command(L, &o);
        lua_close(L);
    }
    free(o.sets);
    free(o.files);
    return st;
}
