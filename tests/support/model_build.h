/* model_build: builds fc_model structs directly in C for the engine, summary
 * and model tests, so a test states only what it varies (a one-channel cpc
 * model, fixed rates, a churn) and runs it in one call. Test code only: every
 * failure (out of memory, a model fc_model_finish rejects, an engine error)
 * fails the calling cmocka test.
 *
 * Include after <cmocka.h>.
 */
#ifndef FC_TEST_MODEL_BUILD_H
#define FC_TEST_MODEL_BUILD_H

#include <stdint.h>

#include "engine.h"
#include "metrics.h"
#include "model.h"
#include "summary.h"

/* A model with every field at its scenario default: stages named "s0",
 * "s1", ... with fixed rate 1 and no delay, channels named "c0", ... with
 * spend 0, season 1 and no response, no customers and no churn, arpu 1,
 * growth 0, margin 1, goals unset; seed 1, 1000 trials. Names and paths may be
 * changed before mb_finish. Owned by the caller (fc_model_free). */
fc_model *mb_new(int periods, int nchannels, int nstages, int ngoals);

/* Parameters: path and domain as the compiler sets them, then the dist. */
void mb_fixed(fc_param *p, const char *path, fc_domain d, double x);
void mb_dist(fc_param *p, const char *path, fc_domain d, fc_dist_kind kind,
             double a, double b, double c);

/* Stage k named `name` with a fixed rate (its path "funnel.<name>.rate"). */
void mb_stage(fc_model *m, int k, const char *name, double rate);
/* A lag distribution for stage k: q[0..nlags-1] (copied). */
void mb_lags(fc_model *m, int k, int nlags, const double *q);
/* A deterministic delay of d periods for stage k. */
void mb_delay(fc_model *m, int k, int d);
/* Per-channel fixed rates for stage k: rates[c] for channel c (enables
 * per-channel counts). */
void mb_rate_by_channel(fc_model *m, int k, const double *rates);
/* A fixed cost per unit reaching stage k. */
void mb_stage_cost(fc_model *m, int k, double cost);

/* Channel c named `name`: constant spend, cpc fixed (FC_RESPONSE_COST). */
void mb_cpc(fc_model *m, int c, const char *name, double spend, double cpc);
/* Channel c: constant spend, hill response with fixed max, half, shape. */
void mb_hill(fc_model *m, int c, const char *name, double spend, double max,
             double half, double shape);
void mb_adstock(fc_model *m, int c, double theta);
void mb_organic(fc_model *m, int c, double organic);

/* Customers. */
void mb_customers(fc_model *m, int64_t initial, int64_t lost);
void mb_churn(fc_model *m, double churn);
void mb_sbg(fc_model *m, double alpha, double beta);
void mb_money(fc_model *m, double arpu, double growth, double margin);
void mb_winback(fc_model *m, double rate, double cost);

/* Goal g on `metric`, at_least (op FC_GOAL_AT_LEAST) or at_most, through `by`. */
void mb_goal(fc_model *m, int g, const char *metric, fc_goal_op op,
             double target, int by);

/* fc_model_finish, failing the test with its message on error. */
void mb_finish(fc_model *m);

/* Runs trials [0, from + n) on `threads` threads, keeping every record, and
 * summarizes them; fails the test on any error. Owned by the caller
 * (fc_summary_free). */
fc_summary *mb_run_range(const fc_model *m, uint64_t from, uint64_t n, int threads);
/* Continues summary s up to trial `upto` (s holds whole blocks so far). */
fc_summary *mb_run_upto(const fc_model *m, fc_summary *s, uint64_t upto, int threads);
fc_summary *mb_run(const fc_model *m, uint64_t n);

/* Values over the trials (from trial 0) of slot `slot`, of total metric `metric`, of
 * series `series` in period t (0-based), of stage k's series in period t. */
const double *mb_slot(const fc_summary *s, int slot);
const double *mb_metric(const fc_summary *s, int metric);
const double *mb_series(const fc_summary *s, int series, int t);
const double *mb_stage_series(const fc_summary *s, int k, int t);
/* Slot numbers of the same figures (index into s->stats). */
int mb_metric_slot(const fc_summary *s, int metric);
int mb_series_slot(const fc_summary *s, int series, int t);
int mb_stage_series_slot(const fc_summary *s, int k, int t);
int mb_channel_slot(const fc_summary *s, int c, int fig);

#endif
