/* commands: the commands of funnelcast and the options of their own (those
 * main.lua reads from opts.own), the one list the command line (cli.c) and
 * the C API (api.c) read. Names are written without their dashes. */
#ifndef FC_COMMANDS_H
#define FC_COMMANDS_H

#include <stddef.h>

typedef struct fc_command {
    const char *name;
    int many;                /* takes several files (scenarios for compare, partials for merge) */
    int api;                 /* fc_context_exec runs it (merge reads partial files: the command line's) */
    const char *const *own;  /* its own options, NULL-terminated, or NULL */
} fc_command;

/* The command called name, or NULL. */
const fc_command *fc_command_find(const char *name);
/* Whether option name (without dashes) is one of command c's own. */
int fc_command_has_own(const fc_command *c, const char *name);
/* Whether option name is one of some command's own (the C API takes such
 * options before it knows the command). */
int fc_command_any_own(const char *name);
/* The names of the commands the C API runs, "run, check, ... or backtest",
 * for messages, into buf of n bytes (cut to fit). */
void fc_command_api_names(char *buf, size_t n);

#endif
