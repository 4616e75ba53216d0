/* funnelcast: the public C API of the Monte Carlo simulator for marketing and
 * sales plans. Build a model, run trials, read summaries; nothing else is
 * public. The library never prints or exits: failures come back as a status
 * and a message in a caller-supplied buffer.
 */
#ifndef FUNNELCAST_H
#define FUNNELCAST_H

#ifdef __cplusplus
extern "C" {
#endif

#define FUNNELCAST_VERSION "0.1.0"

/* Status codes of the library, also the CLI's exit statuses for 2 and 3. */
typedef enum fc_status {
    FC_OK = 0,
    FC_EINPUT = 2,    /* bad input: scenario, parameters, usage */
    FC_EINTERNAL = 3, /* out of memory, I/O, a bug */
} fc_status;

/* The library's version string ("0.1.0"). */
const char *fc_version(void);

#ifdef __cplusplus
}
#endif

#endif
