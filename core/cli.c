/* cli: the funnelcast command. Parses the command line, runs the requested
 * command and turns library statuses into exit statuses (0 done, 2 bad input,
 * 3 internal failure). The only place that prints or exits. */
#include <stdio.h>
#include <string.h>

#include "funnelcast.h"

static const char usage[] =
    "usage: funnelcast run FILE [--trials N] [--seed S] [--threads T]\n"
    "                  [--format text|json] [-o OUT] [--set KEY=VALUE]...\n"
    "       funnelcast check FILE\n"
    "       funnelcast --help | --version\n";

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
    fputs(usage, stderr);
    return FC_EINPUT;
}
