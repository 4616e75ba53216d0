/* partial: a shard's summary as bytes, so that a run split over processes or
 * machines (--shard K/N --partial FILE) merges into the report of the whole
 * run, byte for byte. The encoding is versioned and checksummed, holds the
 * normalized scenario it came from (so a merge needs nothing else) and the
 * histogram caps it ran with (a merge of parts with other caps would not be
 * the whole run), and is read with every length checked: a truncated,
 * corrupt or foreign file is refused with a message, never trusted. A file is
 * read as a stream, never whole: what decoding keeps (the blocks' moments,
 * the counts merged into capped histograms) is bounded by the file's size
 * and counted against the memory limit.
 *
 * Layout, little-endian: magic "FCPART\r\n", u32 format version, u32 block
 * size, u32 nslots, u32 ngoals, u32 ndrivers; strings (u32 length + bytes):
 * funnelcast version, scenario text; u32 histogram cap of a total and of a
 * series (pages), u32 first and end series slot; u64 seed, run trials,
 * shard k, shard n, trials run, blocks kept; per kept block: u64 trials,
 * nslots x (n, mean, m2) as f64; per slot: u8 exact, u8 level, f64 min, f64
 * max, u64 infinite, u64 entries, entries x (i64 key, u64 count) (hist.h's
 * keys at that level); ngoals x u64 met; ndrivers x 3 x u64 trials and
 * ndrivers x 3 x ngoals x u64 met (the drivers' thirds); u64 checksum of all
 * that precedes.
 */
#ifndef FC_PARTIAL_H
#define FC_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "summary.h"

#define FC_PARTIAL_VERSION 3

/* Bytes of the encoding of shard summary s with a scenario text of
 * scenario_len bytes. */
size_t fc_partial_size(const fc_summary *s, size_t scenario_len);

/* Encodes shard summary s (made with fc_summary_set_shard, run to the end)
 * with its scenario text, in one allocation of fc_partial_size bytes.
 * Returns the buffer (the caller frees it), its length in *len; NULL when out
 * of memory. */
unsigned char *fc_partial_encode(const fc_summary *s, const char *scenario, size_t scenario_len,
                                 uint64_t seed, size_t *len);

/* A decoded partial. Owned by the caller: fc_partial_free. */
typedef struct fc_partial {
    char *version, *scenario;
    size_t scenario_len;
    uint64_t seed, run_trials, shard_k, shard_n, ntrials, nkept;
    uint32_t nslots, ngoals, ndrivers;
    uint32_t cap_total, cap_series;  /* histogram caps (pages) it ran with */
    uint32_t series_lo, series_hi;   /* its series slots */
    fc_moments *kept;      /* [nkept][nslots] (fc_partial_decode only) */
    uint64_t *kept_trials; /* [nkept] (fc_partial_decode only) */
    fc_accum acc;          /* counts (fc_partial_decode only) */
} fc_partial;

/* Decodes buf (len bytes; `name` names it in messages), the whole partial.
 * Returns 0, or -1 with a message in err: not a partial, another format
 * version, truncated, checksum mismatch, inconsistent sizes, out of memory. */
int fc_partial_decode(const unsigned char *buf, size_t len, const char *name, fc_partial *out,
                      char *err, size_t errlen);
void fc_partial_free(fc_partial *p);

/* Reads the head of the partial file at path (its scenario, seed, trial
 * count and sizes; no moments, no counts) and checks the whole file's
 * checksum. A file that does not begin as a partial is refused before the
 * rest is read, and one larger than max_bytes (the memory limit, named in
 * the message as `limit_text` with its option) at once. Returns 0, or -1
 * with a message in err. */
int fc_partial_read_head(const char *path, uint64_t max_bytes, const char *limit_text, fc_partial *out,
                         char *err, size_t errlen);

/* A merge of partial summaries, file by file: each is checked against the
 * first (same scenario, seed, trial count, shard count, caps; each shard
 * once), its counts go straight into the merged summary and its moments are
 * kept for the fold in block order. Every byte it holds counts against
 * `limit`; past it, the merge is refused with a message naming limit_text
 * and --max-memory. */
typedef struct fc_merge fc_merge;

/* A merge of nfiles partials of model m (which must outlive it). NULL when
 * out of memory or when its own arrays pass the limit (message in err). */
fc_merge *fc_merge_new(const fc_model *m, int nfiles, uint64_t limit, const char *limit_text, char *err,
                       size_t errlen);
/* Adds the partial at path, or in buf (len bytes, `name` in messages).
 * Returns 0, or -1 with a message in err (the merge is then void: free it). */
int fc_merge_file(fc_merge *g, const char *path, char *err, size_t errlen);
int fc_merge_buffer(fc_merge *g, const unsigned char *buf, size_t len, const char *name, char *err,
                    size_t errlen);
/* The seed and the trial count of the run the partials make up (after the
 * first was added). */
uint64_t fc_merge_seed(const fc_merge *g);
uint64_t fc_merge_trials(const fc_merge *g);
/* Checks that every shard came, folds the moments in block order and
 * finishes the summary, which the caller then owns. NULL with a message in
 * err otherwise. */
fc_summary *fc_merge_finish(fc_merge *g, char *err, size_t errlen);
void fc_merge_free(fc_merge *g);

/* 64-bit checksum of bytes (FNV-1a, then mixed): also the scenario's
 * fingerprint in messages. */
uint64_t fc_checksum(const void *buf, size_t len);

/* "512 MiB", "1.5 GiB", "900 KiB", "12 bytes" into buf. */
void fc_format_bytes(uint64_t n, char *buf, size_t len);

#endif
