/* cli_watch: signals, time limits and the forced exit (see cli_watch.h). The
 * state is process-wide (a signal handler can only reach statics); the
 * thread polls it every few milliseconds. */
#include "cli_watch.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "funnelcast.h"

/* How long the command has to end by itself after a stop, before the
 * watchdog ends it; how often the watchdog looks. */
#define GRACE_SECONDS 0.4
#define POLL_NS 5000000L

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t signal_no;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* everything below */
static fc_watch_reason reason;
static double start, time_limit, script_limit;
static double script_used, phase_start;
static int simulating, done;
static char temp[PATH_MAX + 64];
static int have_temp;
static char time_message[PATH_MAX + 200], script_message[PATH_MAX + 200];

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void on_signal(int sig)
{
    signal_no = sig;
    stop_flag = 1;
}

/* Under the lock: asks the stop for r (the first reason stays). */
static void ask(fc_watch_reason r)
{
    if (reason == FC_WATCH_NONE)
        reason = r;
    stop_flag = 1;
}

int fc_watch_status(fc_watch_reason r)
{
    if (r == FC_WATCH_SIGNAL)
        return 128 + (signal_no ? (int)signal_no : SIGINT);
    return FC_EINPUT;
}

const char *fc_watch_message(fc_watch_reason r)
{
    switch (r) {
    case FC_WATCH_TIME: return time_message;
    case FC_WATCH_SCRIPT_TIME: return script_message;
    default: return signal_no == SIGTERM ? "terminated" : "interrupted";
    }
}

static void *watch(void *arg)
{
    (void)arg;
    double stopped_at = 0;
    for (;;) {
        struct timespec pause = {0, POLL_NS};
        nanosleep(&pause, NULL);
        double t = now();
        pthread_mutex_lock(&lock);
        if (done) {
            pthread_mutex_unlock(&lock);
            return NULL;
        }
        if (signal_no)
            ask(FC_WATCH_SIGNAL);
        if (time_limit > 0 && t - start > time_limit)
            ask(FC_WATCH_TIME);
        if (script_limit > 0 && !simulating && script_used + (t - phase_start) > script_limit)
            ask(FC_WATCH_SCRIPT_TIME);
        if (reason != FC_WATCH_NONE && stopped_at == 0)
            stopped_at = t;
        if (stopped_at > 0 && t - stopped_at > GRACE_SECONDS) {
            /* still running: inside one long call. End it here, with the
             * lock held, so that no output is being put in place. */
            if (have_temp)
                unlink(temp);
            const char *msg = fc_watch_message(reason);
            char line[sizeof time_message + 16];
            int n = snprintf(line, sizeof line, "funnelcast: %s\n", msg);
            if (n > 0) {
                ssize_t w = write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
                (void)w;
            }
            _exit(fc_watch_status(reason));
        }
        pthread_mutex_unlock(&lock);
    }
}

int fc_watch_start(const char *file, double limit, double script)
{
    pthread_mutex_lock(&lock);
    start = phase_start = now();
    time_limit = limit;
    script_limit = script;
    snprintf(time_message, sizeof time_message,
             "%s: the command ran for more than %g s; raise the limit with --time-limit", file, limit);
    snprintf(script_message, sizeof script_message,
             "%s: the scenario's own code (loading, validation, reports; not the simulation) ran for more "
             "than %g s; raise the limit with --script-time-limit", file, script);
    pthread_mutex_unlock(&lock);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* the thread takes no signal: they go to the command's own threads */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t tid;
    int st = pthread_create(&tid, NULL, watch, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (st != 0)
        return -1;
    pthread_detach(tid);
    return 0;
}

const volatile sig_atomic_t *fc_watch_stop_flag(void) { return &stop_flag; }

fc_watch_reason fc_watch_reason_now(void)
{
    pthread_mutex_lock(&lock);
    if (signal_no)
        ask(FC_WATCH_SIGNAL);
    fc_watch_reason r = reason;
    pthread_mutex_unlock(&lock);
    return r;
}

void fc_watch_simulating(int on)
{
    pthread_mutex_lock(&lock);
    double t = now();
    if (on && !simulating)
        script_used += t - phase_start;
    if (!on && simulating)
        phase_start = t;
    simulating = on;
    pthread_mutex_unlock(&lock);
}

void fc_watch_done(void)
{
    pthread_mutex_lock(&lock);
    done = 1;
    pthread_mutex_unlock(&lock);
}

void fc_watch_temp(const char *path)
{
    pthread_mutex_lock(&lock);
    have_temp = path != NULL && strlen(path) < sizeof temp;
    if (have_temp)
        memcpy(temp, path, strlen(path) + 1);
    pthread_mutex_unlock(&lock);
}

int fc_watch_commit_begin(void)
{
    pthread_mutex_lock(&lock);
    if (signal_no)
        ask(FC_WATCH_SIGNAL);
    if (reason != FC_WATCH_NONE) {
        pthread_mutex_unlock(&lock);
        return -1;
    }
    /* held until fc_watch_commit_end: the watchdog waits for the rename */
    return 0;
}

void fc_watch_commit_end(void)
{
    /* the output is in place (or failed): the watchdog has nothing to remove,
     * and the command ends by itself */
    have_temp = 0;
    done = 1;
    pthread_mutex_unlock(&lock);
}
