/* partial: a shard's summary as bytes, so that a run split over processes or
 * machines (--shard K/N --partial FILE) merges into the report of the whole
 * run, byte for byte. The encoding is versioned and checksummed, holds the
 * normalized scenario it came from (so a merge needs nothing else), and is
 * read with every length checked: a truncated, corrupt or foreign file is
 * refused with a message, never trusted.
 *
 * Layout, little-endian: magic "FCPART\r\n", u32 format version, u32 block
 * size, u32 nslots, u32 ngoals, u32 ndrivers; strings (u32 length + bytes): funnelcast
 * version, scenario text; u64 seed, run trials, shard k, shard n, trials run,
 * blocks kept; per kept block: u64 trials, nslots x (n, mean, m2) as f64; per
 * slot: u8 exact, f64 min, f64 max, u64 infinite, u64 entries, entries x
 * (i64 key, u64 count); ngoals x u64 met; ndrivers x 3 x u64 trials and
 * ndrivers x 3 x ngoals x u64 met (the drivers' thirds); u64 checksum of all
 * that precedes.
 */
#ifndef FC_PARTIAL_H
#define FC_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "summary.h"

#define FC_PARTIAL_VERSION 2

/* Encodes shard summary s (made with fc_summary_set_shard, run to the end)
 * with its scenario text. Returns a malloc'd buffer the caller frees, its
 * length in *len; NULL when out of memory. */
unsigned char *fc_partial_encode(const fc_summary *s, const char *scenario, size_t scenario_len,
                                 uint64_t seed, size_t *len);

/* A decoded partial: everything but the model. Owned by the caller:
 * fc_partial_free. */
typedef struct fc_partial {
    char *version, *scenario;
    size_t scenario_len;
    uint64_t seed, run_trials, shard_k, shard_n, ntrials, nkept;
    uint32_t nslots, ngoals, ndrivers;
    fc_moments *kept;      /* [nkept][nslots] */
    uint64_t *kept_trials; /* [nkept] */
    fc_accum acc;          /* counts (hist, min, max, infinite, goals, drivers) */
} fc_partial;

/* Decodes buf (len bytes; `name` names it in messages). Returns 0, or -1 with
 * a message in err: not a partial, another format version, truncated,
 * checksum mismatch, inconsistent sizes, out of memory. */
int fc_partial_decode(const unsigned char *buf, size_t len, const char *name, fc_partial *out,
                      char *err, size_t errlen);
void fc_partial_free(fc_partial *p);

/* Merges partials that together form one run of model m (same scenario, seed,
 * trial count and shard count, each shard once) into a finished summary the
 * caller owns. Returns NULL with a message in err otherwise. */
fc_summary *fc_partial_merge(const fc_model *m, fc_partial *const *parts, int nparts,
                             char *err, size_t errlen);

/* 64-bit checksum of bytes (FNV-1a, then mixed): also the scenario's
 * fingerprint in messages. */
uint64_t fc_checksum(const void *buf, size_t len);

#endif
