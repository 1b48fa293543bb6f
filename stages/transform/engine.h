/*
 * engine.h - vqr-transform's aggregation engine: the indicators of one
 * source evaluated over its typed rows, into one group per (period,
 * indicator breakdown set, breakdown values), each with an accumulator
 * per aggregation (aggfn.h's table: count, sum, mean, median, ...).
 *
 *     engine *e = engine_new(c, s, err, sizeof err);
 *     while (... a typed row ...)
 *         engine_add_row(e, row, lens);
 *     engine_rec *recs;
 *     size_t n = engine_records(e, &recs);   // sorted as indicators.gz
 *     ...
 *     free(recs);
 *     engine_free(e);
 *
 * Rows stream through once; memory grows with the number of groups (and
 * with what count_distinct, median and percentile keep), never with the
 * rows.  A row is counted in the finest group of each breakdown set only
 * (every breakdown field set); engine_records rolls those up into the
 * coarser groups (the total, each field alone, ...) by merging them.  A
 * group exists as soon as a row of its breakdown exists, so a count no
 * row meets is 0, while a rate whose denominator is 0 or a mean of no
 * values has no record.
 *
 * Text values are grouped and compared by small ids from a dictionary
 * per column, not by strings; two engines of the same source can be
 * merged (engine_merge), their ids matched by text.  A register repeats
 * few values, so each dictionary and each breakdown set keeps a small
 * direct-mapped cache of the texts and groups it met lately, in front of
 * its hash table.
 */
#ifndef VQR_TRANSFORM_ENGINE_H
#define VQR_TRANSFORM_ENGINE_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/catalog/expr.h"

typedef struct engine engine;

/* One output record: an indicator's value for one period and breakdown. */
typedef struct engine_rec {
	size_t ind;             /* index of the indicator in engine_indicators */
	const char *period;     /* period label (the engine's) */
	const char *json;       /* breakdown as a JSON object, "{}" for the total (the engine's) */
	int has_nd;             /* num and den are the value's numerator and denominator */
	double num, den;        /* a ratio's or a mean's parts, when has_nd */
	double value;           /* the value */
} engine_rec;

/* An engine for the indicators of c computed from source s's rows.
 * NULL with the reason in err when one has more than 32 breakdown
 * fields.  Free with engine_free; c must outlive it. */
engine *engine_new(const cfg *c, const cfg_source *s, char *err, size_t errlen);

/* The indicators computed (*n of them), in the catalog's order; points
 * into the engine. */
const cfg_indicator *const *engine_indicators(const engine *e, size_t *n);

/* Count one row: row[s->ncols] typed values (period label in
 * row[CFG_COL_PERIOD], the columns the rules read filled in; text values
 * get their dictionary ids set in row[].id), lens[col] the byte length of
 * each text (the period label's included).  Texts are copied as needed. */
void engine_add_row(engine *e, expr_value *row, const size_t *lens);

/* Add everything `from` counted to `into` (both engines of the same
 * cfg and source, neither listed with engine_records yet): the same as
 * if into had been given from's rows too. */
void engine_merge(engine *into, const engine *from);

/* Roll the groups up and list every record that has a value into *out
 * (malloc'd, the caller frees; the texts point into e), sorted by
 * indicator, period, breakdown fields set and breakdown.  Returns how
 * many.  Call once: the engine takes no rows afterwards. */
size_t engine_records(engine *e, engine_rec **out);

/* How many breakdown sets and groups (for the log). */
size_t engine_nsets(const engine *e);
size_t engine_ngroups(const engine *e);

/* Free e and everything it holds (NULL is fine). */
void engine_free(engine *e);

#endif
