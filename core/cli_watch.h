/* cli_watch: the command's watchdog. SIGINT, SIGTERM, --time-limit and the
 * scenario's own time bound (--script-time-limit) each end the command
 * within a second, wherever it is: a thread of its own raises the stop flag
 * that the Lua count hook and the engine poll (at every 1,000 Lua steps, at
 * every trial), and when the command has not ended a moment later (inside
 * one long C call: a backtracking pattern, string.rep, a table rehash) it
 * removes the temporary output file, prints the message and exits itself.
 * Process-wide by nature (signals are), so it belongs to the command alone,
 * never to the library. */
#ifndef FC_CLI_WATCH_H
#define FC_CLI_WATCH_H

#include <signal.h>

/* Why the command was asked to stop. */
typedef enum fc_watch_reason {
    FC_WATCH_NONE,
    FC_WATCH_SIGNAL,      /* SIGINT or SIGTERM: status 128 + the signal */
    FC_WATCH_TIME,        /* --time-limit: status 2 */
    FC_WATCH_SCRIPT_TIME, /* --script-time-limit: status 2 */
} fc_watch_reason;

/* The time a scenario's own code (load, validation, report; not the
 * simulation) may take by default, in seconds. */
#define FC_DEFAULT_SCRIPT_TIME 60.0

/* Starts the watchdog: the handlers of SIGINT and SIGTERM, and a thread that
 * enforces time_limit (whole command, seconds, 0: none) and script_limit
 * (seconds outside the simulation, 0: none). `file` names the scenario in
 * messages (copied). Returns 0, or -1 when the thread cannot start (the
 * signals are then handled without the forced exit). */
int fc_watch_start(const char *file, double time_limit, double script_limit);

/* The flag the Lua hook and the engine poll: nonzero once a stop is asked. */
const volatile sig_atomic_t *fc_watch_stop_flag(void);

/* Why a stop was asked (FC_WATCH_NONE when none was). */
fc_watch_reason fc_watch_reason_now(void);

/* The exit status and the one-line message (without "funnelcast: ") of a
 * stop for `reason`. */
int fc_watch_status(fc_watch_reason reason);
const char *fc_watch_message(fc_watch_reason reason);

/* The simulation starts (1) or ends (0): its time is not the scenario's. */
void fc_watch_simulating(int on);

/* The command has its status and prints its last message itself: the
 * watchdog stands down. */
void fc_watch_done(void);

/* The output being written: its temporary file, removed if the watchdog has
 * to end the command (path copied; NULL: none any more). */
void fc_watch_temp(const char *path);

/* Takes the right to put the output in place: returns 0 and holds it (the
 * watchdog then waits for fc_watch_commit_end before any forced exit), or
 * -1 when a stop was asked (the caller removes its temporary file). */
int fc_watch_commit_begin(void);
void fc_watch_commit_end(void);

#endif
