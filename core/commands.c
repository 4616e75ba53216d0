/* commands: the commands and their own options (see commands.h). */
#include "commands.h"

#include <stddef.h>
#include <string.h>

static const char *const plan_options[] = {"goal", "confidence", "vary", "channels", "between", NULL};
static const char *const optimize_options[] = {"budget", "objective", "channels", "min", "max", NULL};
static const char *const run_options[] = {"actuals", NULL};
static const char *const backtest_options[] = {"history", "train", "test", NULL};

static const fc_command commands[] = {
    {"run", 0, 1, run_options},   {"check", 0, 1, NULL},       {"compare", 1, 1, NULL},
    {"merge", 1, 0, NULL},        {"plan", 0, 1, plan_options}, {"optimize", 0, 1, optimize_options},
    {"backtest", 0, 1, backtest_options},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

const fc_command *fc_command_find(const char *name)
{
    for (size_t i = 0; name && i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int fc_command_has_own(const fc_command *c, const char *name)
{
    for (int k = 0; c && c->own && c->own[k]; k++)
        if (strcmp(c->own[k], name) == 0)
            return 1;
    return 0;
}

int fc_command_any_own(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (fc_command_has_own(&commands[i], name))
            return 1;
    return 0;
}

void fc_command_api_names(char *buf, size_t n)
{
    size_t api = 0, seen = 0, at = 0;
    for (size_t i = 0; i < NCOMMANDS; i++)
        api += (size_t)commands[i].api;
    if (n == 0)
        return;
    buf[0] = 0;
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (!commands[i].api)
            continue;
        const char *sep = seen == 0 ? "" : seen + 1 == api ? " or " : ", ";
        seen++;
        size_t len = strlen(sep) + strlen(commands[i].name);
        if (at + len + 1 > n)
            return;
        strcpy(buf + at, sep);
        strcat(buf + at, commands[i].name);
        at += len;
    }
}
