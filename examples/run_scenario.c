/* run_scenario: funnelcast from C through the public API alone
 * (include/funnelcast.h and libfunnelcast). Runs a scenario file, with
 * optional --set overrides, and prints its JSON report.
 *   cc run_scenario.c $(pkg-config --cflags --libs funnelcast) -o run_scenario
 *   ./run_scenario scenarios/b2b_saas_inbound.lua 20000 channels.search.spend=25000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <funnelcast.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SCENARIO [TRIALS [KEY=VALUE]...]\n", argv[0]);
        return 2;
    }
    fc_context *ctx = fc_context_new();
    if (ctx == NULL) {
        fprintf(stderr, "out of memory\n");
        return 3;
    }
    fc_status st = fc_context_add_file(ctx, argv[1]);
    if (st == FC_OK && argc > 2)
        st = fc_context_option(ctx, "trials", argv[2]);
    for (int i = 3; i < argc && st == FC_OK; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == NULL) {
            fprintf(stderr, "%s: expected KEY=VALUE\n", argv[i]);
            fc_context_free(ctx);
            return 2;
        }
        *eq = 0;
        st = fc_context_set(ctx, argv[i], eq + 1);
    }
    char *report = NULL;
    if (st == FC_OK)
        st = fc_context_exec(ctx, "run", &report, NULL);
    if (st != FC_OK) {
        fprintf(stderr, "funnelcast: %s\n", fc_context_error(ctx));
        fc_context_free(ctx);
        return (int)st;
    }
    fputs(report, stdout);
    fc_free(report);
    fc_context_free(ctx);
    return 0;
}
