/*
 * test_aggfn.c - the table of aggregation functions: every row's
 * accumulator (add, merge, value), the median of odd and even counts and
 * of none, and percentile_cont's interpolation (PostgreSQL's rule).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/catalog/aggfn.h"
#include "tests/unit/tap.h"

/* The value of function name over v[0..n) (p: the percent), added one by
 * one; *has: whether it has one. */
static double run(const char *name, const double *v, size_t n, double p, int *has)
{
	const aggfn *f = aggfn_find(name);
	aggfn_acc a;
	double r = NAN;

	f->init(&a);
	for (size_t i = 0; i < n; i++)
		f->add(&a, v[i], (uint32_t)v[i]);
	*has = f->value(&a, p, &r);
	aggfn_acc_free(&a);
	return r;
}

/* The same, over v split in two accumulators at k, then merged. */
static double run_merged(const char *name, const double *v, size_t n, size_t k, double p, int *has)
{
	const aggfn *f = aggfn_find(name);
	aggfn_acc a, b;
	double r = NAN;

	f->init(&a);
	f->init(&b);
	for (size_t i = 0; i < n; i++)
		f->add(i < k ? &a : &b, v[i], (uint32_t)v[i]);
	f->merge(&a, &b);
	*has = f->value(&a, p, &r);
	aggfn_acc_free(&a);
	aggfn_acc_free(&b);
	return r;
}

static void value_is(const char *name, const double *v, size_t n, double p, double want, const char *what)
{
	int has, has2;
	double got = run(name, v, n, p, &has), merged = run_merged(name, v, n, n / 2, p, &has2);

	ok(has && fabs(got - want) < 1e-9, "%s: %s = %g", name, what, want);
	if (!has || fabs(got - want) >= 1e-9)
		printf("#   got %.15g (has %d)\n", got, has);
	ok(has2 && fabs(merged - want) < 1e-9, "%s: %s, from two merged halves", name, what);
}

int main(void)
{
	static const double five[] = { 4500, 3000, 6000, 4000, 5000 };
	static const double four[] = { 6000, 3000, 5000, 4000 };
	static const double one[] = { 42 };
	static const double dup[] = { 7, 3, 7, 3, 7 };
	str names = STR_INIT;
	int has;

	/* the table */
	aggfn_names(&names);
	is_str(str_cstr(&names), "count, count_distinct, sum, mean, min, max, median, percentile",
	       "the functions, in the table's order");
	str_free(&names);
	for (aggfn_id i = 0; i < AGGFN_N; i++)
		ok(aggfn_get(i)->id == i && aggfn_find(aggfn_name(i)) == aggfn_get(i), "row %s is found by its name",
		   aggfn_name(i));
	ok(aggfn_find("avg") == NULL && strcmp(aggfn_name(AGGFN_N), "?") == 0, "an unknown name is not found");
	ok(aggfn_find("median")->takes == AGGFN_TAKES_NUMBER && !aggfn_find("median")->combines &&
	   aggfn_find("percentile")->param && aggfn_find("count")->takes & AGGFN_TAKES_STAR &&
	   aggfn_find("count_distinct")->by_id, "what each takes");

	/* the classic functions */
	value_is("count", five, 5, 0, 5, "5 values");
	value_is("sum", five, 5, 0, 22500, "sum of 5");
	value_is("mean", five, 5, 0, 4500, "mean of 5");
	value_is("min", five, 5, 0, 3000, "min of 5");
	value_is("max", five, 5, 0, 6000, "max of 5");
	value_is("count_distinct", dup, 5, 0, 2, "2 distinct of 5");
	ok(run("count", NULL, 0, 0, &has) == 0 && has, "count of nothing is 0");
	ok(run("count_distinct", NULL, 0, 0, &has) == 0 && has, "count_distinct of nothing is 0");
	run("sum", NULL, 0, 0, &has);
	ok(!has, "sum of nothing has no value");
	run("mean", NULL, 0, 0, &has);
	ok(!has, "mean of nothing has no value");
	{
		aggfn_acc a;
		double num, den;
		const aggfn *f = aggfn_find("mean");
		f->init(&a);
		for (int i = 0; i < 5; i++)
			f->add(&a, five[i], 0);
		f->parts(&a, &num, &den);
		ok(num == 22500 && den == 5 && aggfn_find("sum")->parts == NULL, "a mean's parts: sum and count");
	}

	/* median: PostgreSQL's percentile_cont(0.5) */
	value_is("median", five, 5, 0, 4500, "odd count: the middle value");
	value_is("median", four, 4, 0, 4500, "even count: the mean of the two middle values");
	value_is("median", one, 1, 0, 42, "one value");
	value_is("median", dup, 5, 0, 7, "repeated values");
	run("median", NULL, 0, 0, &has);
	ok(!has, "median of nothing has no value");

	/* percentile: position p/100 * (n - 1), interpolated linearly */
	value_is("percentile", five, 5, 90, 5600, "p90 of 5: 5000 + 0.6 * 1000");
	value_is("percentile", five, 5, 25, 4000, "p25 of 5: exactly the second value");
	value_is("percentile", four, 4, 25, 3750, "p25 of 4: 3000 + 0.75 * 1000");
	value_is("percentile", four, 4, 50, 4500, "p50 is the median");
	value_is("percentile", five, 5, 0, 3000, "p0 is the smallest");
	value_is("percentile", five, 5, 100, 6000, "p100 is the largest");
	value_is("percentile", one, 1, 90, 42, "any percentile of one value is it");
	run("percentile", NULL, 0, 50, &has);
	ok(!has, "percentile of nothing has no value");
	{
		double v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
		ok(fabs(aggfn_percentile_cont(v, 10, 0.9) - 9.1) < 1e-12, "percentile_cont(0.9) of 1..10 is 9.1 (as in SQL)");
	}
	return tap_done();
}
