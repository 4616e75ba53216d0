/* funnelcast: the public C API of the Monte Carlo simulator for marketing and
 * sales plans. The whole interface: a context that holds scenarios (files or
 * texts), --set overrides and options, and runs the command's work on them
 * (run, check, compare, plan, optimize) under the command's sandbox and
 * limits, returning the report the command would print (text or JSON).
 *
 * The library never prints or exits: every function returns a status, and
 * fc_context_error() says what went wrong ("scenarios/q3.lua:14:
 * funnel[3].rate: expected a probability in [0, 1], got 1.4").
 *
 * Limits: the Lua steps, memory and time of the command (options
 * "max-steps", "max-memory", "time-limit"); the time limit stops the
 * simulation too (a watchdog thread per call). One long C call of the Lua
 * library made by a scenario (a huge string.rep) runs to its end first.
 *
 * Threads: a context is used by one thread at a time, except
 * fc_context_cancel(), which any thread may call while fc_context_exec()
 * runs. Different contexts run in parallel on different threads; the
 * library has no global mutable state.
 *
 * Ownership: strings passed in are copied; a report handed out is the
 * caller's, freed with fc_free(); fc_context_error()'s text belongs to the
 * context and lives until its next call or fc_context_free().
 */
#ifndef FUNNELCAST_H
#define FUNNELCAST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FUNNELCAST_VERSION "0.1.0"

/* Status codes of the library, also the CLI's exit statuses. */
typedef enum fc_status {
    FC_OK = 0,
    FC_EINPUT = 2,      /* bad input: scenario, option, override, a limit reached */
    FC_EINTERNAL = 3,   /* out of memory, a bug */
    FC_ECANCELED = 130, /* fc_context_cancel() stopped the work */
} fc_status;

/* The library's version string ("0.1.0"). Thread-safe. */
const char *fc_version(void);

typedef struct fc_context fc_context;

/* A new, empty context, or NULL when out of memory. The caller owns it:
 * fc_context_free(). */
fc_context *fc_context_new(void);
void fc_context_free(fc_context *ctx);

/* Adds the scenario file at path (compare takes several; run, check, plan
 * and optimize one). It is read, in the sandbox, when fc_context_exec runs;
 * it may include files of its own folder only. */
fc_status fc_context_add_file(fc_context *ctx, const char *path);
/* Adds a scenario given as Lua text; name is what messages call it
 * ("q3.lua:14: ..."). A text has no folder: it may include nothing. */
fc_status fc_context_add_text(fc_context *ctx, const char *name, const char *text);
/* An override, as --set KEY=VALUE: key "channels.search.spend", value
 * "25000" (read as a number, a boolean, a constructor call or else a
 * string). Applied to every scenario, in the order given. */
fc_status fc_context_set(fc_context *ctx, const char *key, const char *value);
/* An option, as the command writes it without its dashes, value as text:
 *   "trials", "seed", "threads", "precision", "format" ("json", the default,
 *   "text", "csv": one long table, or "html": one page), "lang" ("en", the
 *   default, or "fr": text and html), "locale" (their number and date
 *   formats: "fr_FR.UTF-8", "en"; default the language's), "max-memory" ("512M"), "max-steps", "time-limit" (seconds);
 *   plan's "goal", "confidence", "vary", "channels", "between"; optimize's
 *   "budget", "objective", "channels", "min", "max" ("search=5000"; repeat
 *   them); run's "actuals" (a history file: the re-forecast); backtest's
 *   "history", "train", "test". Checked here where the library can (numbers
 *   and names), else when the command runs (a command's own option given to
 *   another is refused then). */
fc_status fc_context_option(fc_context *ctx, const char *name, const char *value);
/* Called with the trials done and to do as the simulation goes (about
 * every 16,384 trials), from the worker threads but one call at a time;
 * within one simulation `done` never goes down. plan and optimize run many
 * simulations, each starting again from 0; a run with "precision" reports
 * none. NULL: no calls. It must not call into the context
 * (fc_context_cancel excepted) and should return quickly. */
typedef void (*fc_progress_fn)(void *user, uint64_t done, uint64_t total);
void fc_context_progress(fc_context *ctx, fc_progress_fn fn, void *user);

/* Runs command ("run", "check", "compare", "plan", "optimize" or "backtest") on the
 * scenarios, overrides and options given. On FC_OK, *report is the report
 * (NUL-terminated; *len its length when len is not NULL), the caller's to
 * fc_free(). Otherwise *report is NULL and fc_context_error() says why. */
fc_status fc_context_exec(fc_context *ctx, const char *command, char **report, size_t *len);
/* Asks the fc_context_exec running on ctx to stop as soon as it can (it then
 * returns FC_ECANCELED): the simulation stops within a block of trials, the
 * scenario's Lua code between two steps. Callable from any thread or a
 * signal handler (it writes one sig_atomic_t flag); a call before
 * fc_context_exec has begun, or after it returned, has no effect. */
void fc_context_cancel(fc_context *ctx);
/* The message of the last failure on ctx ("" after a success). */
const char *fc_context_error(const fc_context *ctx);

/* Frees what the library handed out (a report). */
void fc_free(void *p);

#ifdef __cplusplus
}
#endif

#endif
