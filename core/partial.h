/* partial: a shard's summaries as bytes, so that a run split over processes
 * or machines (--shard K/N --partial FILE) merges into the report of the
 * whole run, byte for byte. A run of one scenario has one summary; a
 * comparison (core/engine.h's paired run of n scenarios) has 2n - 1: each
 * scenario's, then the differences of each alternative against the base.
 * The encoding is versioned and checksummed, holds the scenario text it came
 * from (for a comparison, the list of its scenarios: a merge needs nothing
 * else) and the histogram caps it ran with (a merge of parts with other caps
 * would not be the whole run), and is read with every length checked: a
 * truncated, corrupt or foreign file is refused with a message, never
 * trusted. A file is read as a stream, never whole: what decoding keeps (the
 * blocks' moments, the counts merged into capped histograms) is bounded by
 * the file's size and counted against the memory limit.
 *
 * Layout (format 6, as 5 with the draws of core/elem; 5: the record of goal
 * windows, conversion and pipeline; 4 had neither), little-endian: magic
 * "FCPART\r\n", u32 format version,
 * u32 block size, u32 nsummaries; strings (u32 length + bytes): funnelcast
 * version, scenario text; u64 seed, run trials, shard k, shard n (shared by
 * every summary); then nsummaries sections, in the order sums[0..n-1],
 * diffs[1..n-1], each: u32 nslots, ngoals, ndrivers, ntally, histogram cap
 * of a total and of a series (pages), first and end series slot; u64 trials
 * run, blocks kept; per kept block: u64 trials, nslots x (n, mean, m2) as
 * f64; per slot: u8 exact, u8 level, f64 min, f64 max, u64 infinite, u64
 * entries, entries x (i64 key, u64 count) (hist.h's keys at that level);
 * ngoals x u64 met; ndrivers x 3 x u64 trials and ndrivers x 3 x ngoals x
 * u64 met (the drivers' thirds); ntally x u64 tallies. Last, a u64 checksum
 * of all that precedes.
 */
#ifndef FC_PARTIAL_H
#define FC_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "paired.h"
#include "summary.h"

/* 6: the draws and figures from core/elem's functions, not libm's (a
 * partial of format 5 describes other draws of the same trials) */
#define FC_PARTIAL_VERSION 6
/* The most summaries a partial holds: a comparison of FC_MAX_COMPARED. */
#define FC_PARTIAL_MAX_SUMMARIES (2 * FC_MAX_COMPARED - 1)

/* Bytes of the encoding of the nsum shard summaries s[] with a scenario
 * text of scenario_len bytes; fc_partial_size is the case of one. */
size_t fc_partial_size_set(fc_summary *const *s, int nsum, size_t scenario_len);
size_t fc_partial_size(const fc_summary *s, size_t scenario_len);

/* Encodes the nsum shard summaries s[] (1 to FC_PARTIAL_MAX_SUMMARIES, each
 * made with fc_summary_set_shard for the same shard, run to the end) with
 * their scenario text, in one allocation of fc_partial_size_set bytes.
 * Returns the buffer (the caller frees it), its length in *out_len; NULL
 * when out of memory. fc_partial_encode is the case of one. */
unsigned char *fc_partial_encode_set(fc_summary *const *s, int nsum, const char *scenario, size_t len,
                                     uint64_t seed, size_t *out_len);
unsigned char *fc_partial_encode(const fc_summary *s, const char *scenario, size_t scenario_len,
                                 uint64_t seed, size_t *len);

/* One summary of a decoded partial. */
typedef struct fc_partial_section {
    uint32_t nslots, ngoals, ndrivers, ntally;
    uint32_t cap_total, cap_series;  /* histogram caps (pages) it ran with */
    uint32_t series_lo, series_hi;   /* its series slots */
    uint64_t ntrials, nkept;
    fc_moments *kept;      /* [nkept][nslots], owned */
    uint64_t *kept_trials; /* [nkept], owned */
    fc_accum acc;          /* counts, owned */
} fc_partial_section;

/* A decoded partial. Owned by the caller: fc_partial_free. */
typedef struct fc_partial {
    char *version, *scenario;
    size_t scenario_len;
    uint64_t seed, run_trials, shard_k, shard_n;
    uint32_t nsummaries;
    fc_partial_section *sec; /* [nsummaries] (fc_partial_decode only; NULL after fc_partial_read_head) */
} fc_partial;

/* Decodes buf (len bytes; `name` names it in messages), the whole partial.
 * Returns 0, or -1 with a message in err: not a partial, another format
 * version, truncated, checksum mismatch, inconsistent sizes, out of memory. */
int fc_partial_decode(const unsigned char *buf, size_t len, const char *name, fc_partial *out,
                      char *err, size_t errlen);
void fc_partial_free(fc_partial *p);

/* Reads the head of the partial file at path (its scenario, seed, trial
 * count, shard and number of summaries; no sections) and checks the whole
 * file's checksum. A file that does not begin as a partial is refused before
 * the rest is read, and one larger than max_bytes (the memory limit, named in
 * the message as `limit_text` with its option) at once. Returns 0, or -1
 * with a message in err. */
int fc_partial_read_head(const char *path, uint64_t max_bytes, const char *limit_text, fc_partial *out,
                         char *err, size_t errlen);

/* A merge of partial summaries, file by file: each is checked against the
 * first (same scenario, seed, trial count, shard count, caps; each shard
 * once) and each of its sections against the summary it must make (sizes,
 * tallies, series range); its counts go straight into the merged summaries
 * and its moments are kept for the fold in block order. Every byte it holds
 * (its summaries' histograms included) counts against `limit`; past it, the
 * merge is refused with a message naming limit_text and --max-memory. */
typedef struct fc_merge fc_merge;

/* A merge of nfiles partials of nsum summaries (1 to
 * FC_PARTIAL_MAX_SUMMARIES): summary i is made with fc_summary_new(models[i],
 * 1) when models[i] != NULL, else with fc_summary_new_shape(shapes[i], 1)
 * (models and the shapes' goals must outlive the merge; shapes may be NULL
 * when every model is given). NULL when out of memory or when its own
 * arrays pass the limit (message in err). fc_merge_new is the case of one
 * model. */
fc_merge *fc_merge_new_set(const fc_model *const *models, const fc_shape *const *shapes, int nsum,
                           int nfiles, uint64_t limit, const char *limit_text, char *err, size_t errlen);
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
/* Checks that every shard came, folds every summary's moments in block
 * order and finishes the summaries into out[0..nsum-1], which the caller
 * then owns (fc_summary_free each; they do not depend on the merge). Returns
 * 0, or -1 with a message in err. fc_merge_finish is the case of one: the
 * summary, or NULL. */
int fc_merge_finish_set(fc_merge *g, fc_summary **out, char *err, size_t errlen);
fc_summary *fc_merge_finish(fc_merge *g, char *err, size_t errlen);
void fc_merge_free(fc_merge *g);

/* 64-bit checksum of bytes (FNV-1a, then mixed): also the scenario's
 * fingerprint in messages. */
uint64_t fc_checksum(const void *buf, size_t len);

/* "512 MiB", "1.5 GiB", "900 KiB", "12 bytes" into buf. */
void fc_format_bytes(uint64_t n, char *buf, size_t len);

#endif
