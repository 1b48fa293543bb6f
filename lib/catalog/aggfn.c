/*
 * aggfn.c - the table of aggregation functions and their accumulators
 * (see aggfn.h).  Sums are compensated (Neumaier), so that the sum of
 * many decimals does not drift with the order rows come in.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/catalog/aggfn.h"
#include "lib/util/mem.h"

static void acc_init(aggfn_acc *a)
{
	memset(a, 0, sizeof *a);
	a->min = INFINITY;
	a->max = -INFINITY;
}

/* s += v, compensated: the sum is then *s + *comp. */
static void sum_add(double *s, double *comp, double v)
{
	double t = *s + v;
	*comp += fabs(*s) >= fabs(v) ? (*s - t) + v : (v - t) + *s;
	*s = t;
}

/* ---- count, sum, mean, min, max ------------------------------------------ */

static void count_add(aggfn_acc *a, double num, uint32_t id)
{
	(void)num;
	(void)id;
	a->n++;
}

static void count_merge(aggfn_acc *t, const aggfn_acc *f)
{
	t->n += f->n;
}

static int count_value(aggfn_acc *a, double p, double *v)
{
	(void)p;
	*v = (double)a->n;
	return 1;
}

static void sum_add_value(aggfn_acc *a, double num, uint32_t id)
{
	(void)id;
	a->n++;
	sum_add(&a->sum, &a->comp, num);
}

static void sum_merge(aggfn_acc *t, const aggfn_acc *f)
{
	sum_add(&t->sum, &t->comp, f->sum);
	t->comp += f->comp;
	t->n += f->n;
}

static int sum_value(aggfn_acc *a, double p, double *v)
{
	(void)p;
	*v = a->sum + a->comp;
	return a->n > 0;
}

static int mean_value(aggfn_acc *a, double p, double *v)
{
	(void)p;
	*v = a->n ? (a->sum + a->comp) / (double)a->n : 0;
	return a->n > 0;
}

static void mean_parts(const aggfn_acc *a, double *num, double *den)
{
	*num = a->sum + a->comp;
	*den = (double)a->n;
}

static void min_add(aggfn_acc *a, double num, uint32_t id)
{
	(void)id;
	a->n++;
	if (num < a->min)
		a->min = num;
}

static void min_merge(aggfn_acc *t, const aggfn_acc *f)
{
	t->n += f->n;
	if (f->min < t->min)
		t->min = f->min;
}

static int min_value(aggfn_acc *a, double p, double *v)
{
	(void)p;
	*v = a->min;
	return a->n > 0;
}

static void max_add(aggfn_acc *a, double num, uint32_t id)
{
	(void)id;
	a->n++;
	if (num > a->max)
		a->max = num;
}

static void max_merge(aggfn_acc *t, const aggfn_acc *f)
{
	t->n += f->n;
	if (f->max > t->max)
		t->max = f->max;
}

static int max_value(aggfn_acc *a, double p, double *v)
{
	(void)p;
	*v = a->max;
	return a->n > 0;
}

/* ---- count_distinct ------------------------------------------------------- */

static size_t ids_slot(uint32_t id, size_t cap)
{
	return (id * 0x9e3779b1u) & (cap - 1);
}

static void ids_grow(aggfn_ids *t)
{
	size_t nc = t->cap ? t->cap * 2 : 16, j;
	uint32_t *ni = xcalloc(nc, sizeof *ni);

	for (size_t i = 0; i < t->cap; i++) {
		if (!t->id[i])
			continue;
		for (j = ids_slot(t->id[i], nc); ni[j]; j = (j + 1) & (nc - 1))
			;
		ni[j] = t->id[i];
	}
	free(t->id);
	t->id = ni;
	t->cap = nc;
}

static void distinct_add(aggfn_acc *a, double num, uint32_t id)
{
	aggfn_ids *t = a->ds;
	size_t j;

	(void)num;
	if (!t)
		t = a->ds = xcalloc(1, sizeof *t);
	if (t->n * 2 >= t->cap)
		ids_grow(t);
	for (j = ids_slot(id, t->cap); t->id[j]; j = (j + 1) & (t->cap - 1))
		if (t->id[j] == id)
			return;
	t->id[j] = id;
	t->n++;
}

static void distinct_merge(aggfn_acc *t, const aggfn_acc *f)
{
	if (f->ds)
		for (size_t i = 0; i < f->ds->cap; i++)
			if (f->ds->id[i])
				distinct_add(t, 0, f->ds->id[i]);
}

static int distinct_value(aggfn_acc *a, double p, double *v)
{
	(void)p;
	*v = a->ds ? (double)a->ds->n : 0;
	return 1;
}

/* ---- median, percentile --------------------------------------------------- */

static void values_add(aggfn_acc *a, double num, uint32_t id)
{
	(void)id;
	xgrow((void **)&a->vals, &a->cap, (size_t)a->n + 1, sizeof *a->vals);
	a->vals[a->n++] = num;
}

static void values_merge(aggfn_acc *t, const aggfn_acc *f)
{
	if (!f->n)
		return;
	xgrow((void **)&t->vals, &t->cap, (size_t)(t->n + f->n), sizeof *t->vals);
	memcpy(t->vals + t->n, f->vals, (size_t)f->n * sizeof *f->vals);
	t->n += f->n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double aggfn_percentile_cont(double *v, size_t n, double fraction)
{
	double pos = fraction * (double)(n - 1), lo, hi;
	size_t first = (size_t)floor(pos), second = (size_t)ceil(pos);

	qsort(v, n, sizeof *v, cmp_double);
	lo = v[first];
	if (first == second)
		return lo;
	hi = v[second];
	return lo + (hi - lo) * (pos - (double)first);
}

static int median_value(aggfn_acc *a, double p, double *v)
{
	(void)p;
	if (!a->n)
		return 0;
	*v = aggfn_percentile_cont(a->vals, (size_t)a->n, 0.5);
	return 1;
}

static int percentile_value(aggfn_acc *a, double p, double *v)
{
	if (!a->n)
		return 0;
	*v = aggfn_percentile_cont(a->vals, (size_t)a->n, p / 100.0);
	return 1;
}

/* ---- the table ------------------------------------------------------------ */

#define NUM AGGFN_TAKES_NUMBER
static const aggfn table[AGGFN_N] = {
	{ AGGFN_COUNT, "count", AGGFN_TAKES_STAR | AGGFN_TAKES_ANY, 0, 0, 1,
	  acc_init, count_add, count_merge, count_value, NULL },
	{ AGGFN_COUNT_DISTINCT, "count_distinct", AGGFN_TAKES_ANY, 1, 0, 1,
	  acc_init, distinct_add, distinct_merge, distinct_value, NULL },
	{ AGGFN_SUM, "sum", NUM, 0, 0, 1, acc_init, sum_add_value, sum_merge, sum_value, NULL },
	{ AGGFN_MEAN, "mean", NUM, 0, 0, 1, acc_init, sum_add_value, sum_merge, mean_value, mean_parts },
	{ AGGFN_MIN, "min", NUM, 0, 0, 1, acc_init, min_add, min_merge, min_value, NULL },
	{ AGGFN_MAX, "max", NUM, 0, 0, 1, acc_init, max_add, max_merge, max_value, NULL },
	{ AGGFN_MEDIAN, "median", NUM, 0, 0, 0, acc_init, values_add, values_merge, median_value, NULL },
	{ AGGFN_PERCENTILE, "percentile", NUM, 0, 1, 0,
	  acc_init, values_add, values_merge, percentile_value, NULL },
};
#undef NUM

const aggfn *aggfn_get(aggfn_id id)
{
	return &table[id];
}

const aggfn *aggfn_find(const char *name)
{
	for (size_t i = 0; i < AGGFN_N; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

const char *aggfn_name(aggfn_id id)
{
	return (unsigned)id < AGGFN_N ? table[id].name : "?";
}

void aggfn_names(str *b)
{
	for (size_t i = 0; i < AGGFN_N; i++)
		str_addf(b, "%s%s", i ? ", " : "", table[i].name);
}

void aggfn_acc_free(aggfn_acc *a)
{
	if (a->ds)
		free(a->ds->id);
	free(a->ds);
	free(a->vals);
	a->ds = NULL;
	a->vals = NULL;
	a->cap = 0;
}
