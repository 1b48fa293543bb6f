/*
 * aggfn.h - the aggregation functions of the indicator catalog, as one
 * table: a function is ONE row (its catalog name, the fields it takes,
 * whether schools' values combine into a region's, and the operations of
 * its accumulator: init, add, merge, value).  cfg.c reads an indicator's
 * `count: F`, `sum: F`, `median: F`, `percentile: {field: F, p: 90}` ...
 * by looking the key up here; vqr-transform's engine calls through the
 * row.  A new aggregation is a new row and its accumulator operations.
 *
 *     const aggfn *f = aggfn_find("median");
 *     aggfn_acc a;
 *     f->init(&a);
 *     f->add(&a, 4200, 0);
 *     f->add(&a, 3900, 0);
 *     double v;
 *     if (f->value(&a, 0, &v))      // 4050
 *         ...
 *     aggfn_acc_free(&a);
 *
 * Memory: count, sum, mean, min and max keep a few numbers per group;
 * count_distinct keeps the distinct value ids of its group, and median
 * and percentile keep every value of their group (memory grows with the
 * rows of a group).
 */
#ifndef VQR_AGGFN_H
#define VQR_AGGFN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/util/str.h"

/* The rows of the table, in its order (the order names are listed in). */
typedef enum {
	AGGFN_COUNT, AGGFN_COUNT_DISTINCT, AGGFN_SUM, AGGFN_MEAN, AGGFN_MIN, AGGFN_MAX,
	AGGFN_MEDIAN, AGGFN_PERCENTILE,
	AGGFN_N                 /* how many (not a function) */
} aggfn_id;

/* What an aggregation function takes (aggfn.takes, bits). */
enum {
	AGGFN_TAKES_STAR = 1,   /* "*": every row (count(*)) */
	AGGFN_TAKES_ANY = 2,    /* a field of any type */
	AGGFN_TAKES_NUMBER = 4  /* a numeric field (integer, decimal, percent) */
};

/* A set of distinct value ids (count_distinct): open addressing, 0 = empty. */
typedef struct aggfn_ids {
	uint32_t *id;           /* per slot */
	size_t cap, n;          /* slots (power of two), members */
} aggfn_ids;

/* The running state of one aggregation over one group's rows. */
typedef struct aggfn_acc {
	long long n;            /* rows (count) or non-null values aggregated */
	double sum;             /* sum of values */
	double comp;            /* its compensation (Neumaier): the sum is sum + comp */
	double min, max;        /* extremes */
	aggfn_ids *ds;          /* count_distinct: the value ids seen, else NULL */
	double *vals;           /* median, percentile: the n values (unordered), else NULL */
	size_t cap;             /* slots at vals */
} aggfn_acc;

typedef struct aggfn {
	aggfn_id id;            /* its index in the table */
	const char *name;       /* the catalog key: "count", "median", ... */
	unsigned takes;         /* AGGFN_TAKES_* bits */
	int by_id;              /* adds value ids (the column needs a dictionary), not numbers */
	int param;              /* takes a percent: {field: F, p: P}, 0 <= P <= 100 */
	int combines;           /* schools' values combine into a region's (else aggregate: none) */
	/* Start an empty accumulator. */
	void (*init)(aggfn_acc *a);
	/* Add one non-null value (num; id, its dictionary id, when by_id). */
	void (*add)(aggfn_acc *a, double num, uint32_t id);
	/* Add everything f holds to t (f is unchanged). */
	void (*merge)(aggfn_acc *t, const aggfn_acc *f);
	/* The value (p: the percent, for param functions): 1 with *v set,
	 * or 0 when there is none (no values).  May reorder a's values. */
	int (*value)(aggfn_acc *a, double p, double *v);
	/* A mean's parts (numerator: the sum, denominator: the count), kept
	 * beside the value; NULL for the functions that have none. */
	void (*parts)(const aggfn_acc *a, double *num, double *den);
} aggfn;

/* The row of function id (id < AGGFN_N). */
const aggfn *aggfn_get(aggfn_id id);

/* The row named name, or NULL. */
const aggfn *aggfn_find(const char *name);

/* The catalog name of function id ("?" for an id out of the table). */
const char *aggfn_name(aggfn_id id);

/* Append every function's name to b, joined by ", " (for messages). */
void aggfn_names(str *b);

/* Free what an accumulator holds (not a itself); a is then empty. */
void aggfn_acc_free(aggfn_acc *a);

/* PostgreSQL's percentile_cont(fraction) over the n values v (sorted in
 * place): the value at position fraction * (n - 1) of the sorted values,
 * interpolated linearly between its two neighbours.  n > 0. */
double aggfn_percentile_cont(double *v, size_t n, double fraction);

#endif
