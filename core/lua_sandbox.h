/* lua_sandbox: what a scenario file may do, and how much. A Lua state whose
 * memory is capped by its allocator and whose running time is bounded by a
 * count hook (an instruction budget, an optional wall-clock limit, Ctrl-C),
 * with only the libraries a scenario needs (no io, os, package, debug or
 * bytecode); and the few privileged functions the embedded library keeps for
 * itself in its core table (reading the scenario's own text, the caller's
 * line), which no scenario environment holds. */
#ifndef FC_LUA_SANDBOX_H
#define FC_LUA_SANDBOX_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

/* Registry key of an optional light userdata pointing to an fc_lua_phase:
 * the run binding tells the embedding program when the simulation starts
 * and ends (the CLI's --script-time-limit counts the time outside it). */
#define FC_LUA_PHASE_KEY "funnelcast.phase"

typedef struct fc_lua_phase {
    void (*simulating)(int on);
} fc_lua_phase;

/* Most Lua steps (VM instructions) a command may run by default. */
#define FC_DEFAULT_MAX_STEPS UINT64_C(1000000000)

/* The limits of one state and what happened to them. Set the first four
 * fields, then create the state with fc_lua_limited_state; the struct must
 * outlive the state. */
typedef struct fc_lua_limits {
    uint64_t max_steps;                 /* 0: no limit */
    size_t max_memory;                  /* bytes the state may hold; 0: no limit */
    double time_limit;                  /* seconds of wall clock; 0: no limit */
    const volatile sig_atomic_t *stop;  /* nonzero: stop ("interrupted"); may be NULL */
    /* state, read by the caller after a failure */
    size_t used;                        /* bytes held now */
    uint64_t steps;                     /* steps run (in units of the hook's count) */
    int steps_hit, memory_hit, time_hit, stopped;
    int refused;                        /* the cap refused an allocation at least once */
    int refused_last;                   /* ... and no allocation succeeded since */
    double start;                       /* monotonic seconds at creation */
} fc_lua_limits;

/* A new state with lim's memory cap and count hook. Once a limit is hit,
 * every later hook call raises again at once (the hook then runs at every
 * instruction), so a pcall in a script cannot swallow it: the script ends and
 * the caller reads lim->*_hit. Returns NULL when out of memory. */
lua_State *fc_lua_limited_state(fc_lua_limits *lim);

/* lua_CFunction: opens the libraries of the command's state. Without
 * `unsafe` (argument 1, a boolean): base without dofile and loadfile, with a
 * load that refuses binary chunks; table; string without dump, its metatable
 * protected; math; utf8. With it: every standard library. */
int fc_lua_open_libs(lua_State *L);

/* Writes the message of the limit lim hit ("<file>: the scenario ran more
 * than N Lua steps ...; raise the limit with --max-steps") to buf and returns
 * 1, or returns 0 when no limit was hit. `memory_error` says whether the
 * failure was a memory error (a refused allocation then means the cap). */
int fc_lua_limit_message(const fc_lua_limits *lim, const char *file, int memory_error,
                         char *buf, size_t len);

/* Adds the library's privileged functions to the table on the stack top:
 * _read_file(path) -> text | nil, reason; _realpath(path) -> path | nil, reason;
 * _getinfo(level) -> { source, short_src, currentline, what, istailcall } | nil
 * (debug.getinfo's fields, no function values); _random(seed) -> random,
 * randomseed (math.random on a PCG32 stream of the seed); _limit_hit() ->
 * whether a limit of this state was hit. */
void fc_lua_sandbox_register(lua_State *L);

#endif
