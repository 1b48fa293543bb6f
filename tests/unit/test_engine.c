/*
 * test_engine.c - vqr-transform's aggregation engine: rows fed in, the
 * counts, sums, means, ratios, distinct counts, medians and percentiles
 * per group and breakdown checked (a count two indicators share kept
 * once), and two partial engines merged equal one engine over all the
 * rows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/catalog/cfg.h"
#include "stages/transform/engine.h"
#include "tests/unit/tap.h"

static char dir[] = "/tmp/vqr-engine-XXXXXX";

static const char catalog[] =
	"school: {code: S, name: 学校}\n"
	"sources:\n"
	"  g:\n"
	"    files: [\"*g*\"]\n"
	"    period: {type: academic_year, date: d}\n"
	"    fields:\n"
	"      d: {header: 日期, type: date}\n"
	"      major: {header: 专业, type: text}\n"
	"      pay: {header: 起薪, type: decimal}\n"
	"indicators:\n"
	"  - {code: n, name_zh: 人数, name_en: N, unit: 人, kind: count, source: g, by: [major], count: \"*\"}\n"
	"  - {code: total, name_zh: 合计, name_en: T, unit: 元, kind: amount, source: g, by: [major], sum: pay}\n"
	"  - {code: avg, name_zh: 平均, name_en: A, unit: 元, kind: mean, source: g, mean: pay}\n"
	"  - {code: high, name_zh: 高薪率, name_en: H, unit: \"%\", kind: rate, source: g,\n"
	"     ratio: {numerator: {count: \"*\", where: \"pay >= 4000\"}, denominator: {count: \"*\"}}}\n"
	"  - {code: majors, name_zh: 专业数, name_en: M, unit: 个, kind: count, source: g, count_distinct: major}\n"
	"  - {code: b, name_zh: B专业人数, name_en: B, unit: 人, kind: count, source: g, count: \"*\",\n"
	"     where: \"major = 'B'\"}\n"
	"  - {code: med, name_zh: 中位数, name_en: Med, unit: 元, kind: amount, source: g, by: [major], median: pay}\n"
	"  - {code: p90, name_zh: 九十分位, name_en: P90, unit: 元, kind: amount, source: g,\n"
	"     percentile: {field: pay, p: 90}}\n"
	/* counts of the same rows as others of their set (all: high's denominator;
	 * bshare's numerator: b), kept once */
	"  - {code: all, name_zh: 全部, name_en: All, unit: 人, kind: count, source: g, count: \"*\"}\n"
	"  - {code: bshare, name_zh: B占比, name_en: BS, unit: \"%\", kind: rate, source: g,\n"
	"     ratio: {numerator: {count: \"*\", where: \"major = 'B'\"}, denominator: {count: pay}}}\n";

static const struct { const char *major; double pay; } rows[] = {
	{ "A", 3000 }, { "A", 4000 }, { "B", 5000 }, { "B", 6000 }, { "A", 4500 }, { "C", -1 },
};
#define NROWS (sizeof rows / sizeof rows[0])

static const cfg *C;
static const cfg_source *S;

/* Feed rows[from..to) to e (pay -1: NULL). */
static void feed(engine *e, size_t from, size_t to)
{
	expr_value row[16];
	size_t lens[16];
	int cm = cfg_field_find(S, "major")->col, cp = cfg_field_find(S, "pay")->col;

	for (size_t r = from; r < to; r++) {
		for (size_t i = 0; i < S->ncols; i++) {
			row[i] = (expr_value){ 1, "", 0, 0 };
			lens[i] = 0;
		}
		row[CFG_COL_LINE] = (expr_value){ 0, "2", 2, 0 };
		row[CFG_COL_PERIOD] = (expr_value){ 0, "2022-2023", 0, 0 };
		lens[CFG_COL_PERIOD] = strlen("2022-2023");
		row[cm] = (expr_value){ 0, rows[r].major, 0, 0 };
		lens[cm] = strlen(rows[r].major);
		if (rows[r].pay >= 0)
			row[cp] = (expr_value){ 0, "", rows[r].pay, 0 };
		engine_add_row(e, row, lens);
	}
}

/* The record of indicator code and breakdown json, or NULL. */
static const engine_rec *find(const engine *e, const engine_rec *r, size_t n, const char *code, const char *json)
{
	size_t ni;
	const cfg_indicator *const *inds = engine_indicators(e, &ni);

	for (size_t i = 0; i < n; i++)
		if (strcmp(inds[r[i].ind]->code, code) == 0 && strcmp(r[i].json, json) == 0)
			return &r[i];
	return NULL;
}

static void value_is(const engine *e, const engine_rec *r, size_t n, const char *code, const char *json, double want)
{
	const engine_rec *x = find(e, r, n, code, json);
	ok(x && fabs(x->value - want) < 1e-9, "%s %s = %g", code, json, want);
	if (x && fabs(x->value - want) >= 1e-9)
		printf("#   got %.15g\n", x->value);
}

static void check_values(const engine *e, const engine_rec *r, size_t n)
{
	const engine_rec *x;

	value_is(e, r, n, "n", "{}", 6);
	value_is(e, r, n, "n", "{\"major\": \"A\"}", 3);
	value_is(e, r, n, "n", "{\"major\": \"B\"}", 2);
	value_is(e, r, n, "n", "{\"major\": \"C\"}", 1);
	value_is(e, r, n, "total", "{}", 22500);
	value_is(e, r, n, "total", "{\"major\": \"A\"}", 11500);
	ok(!find(e, r, n, "total", "{\"major\": \"C\"}"), "a sum of no values has no record");
	value_is(e, r, n, "avg", "{}", 4500);
	x = find(e, r, n, "avg", "{}");
	ok(x && x->has_nd && x->num == 22500 && x->den == 5, "a mean keeps its sum and count");
	value_is(e, r, n, "high", "{}", 100.0 * 4 / 6);
	x = find(e, r, n, "high", "{}");
	ok(x && x->has_nd && x->num == 4 && x->den == 6, "a rate keeps its numerator and denominator");
	value_is(e, r, n, "majors", "{}", 3);
	value_is(e, r, n, "b", "{}", 2);
	value_is(e, r, n, "med", "{}", 4500);
	value_is(e, r, n, "med", "{\"major\": \"A\"}", 4000);
	value_is(e, r, n, "med", "{\"major\": \"B\"}", 5500);
	ok(!find(e, r, n, "med", "{\"major\": \"C\"}"), "a median of no values has no record");
	value_is(e, r, n, "p90", "{}", 5600);
	value_is(e, r, n, "all", "{}", 6);
	value_is(e, r, n, "bshare", "{}", 40);
	x = find(e, r, n, "bshare", "{}");
	ok(x && x->has_nd && x->num == 2 && x->den == 5, "a count kept once for two indicators gives both their values");
}

static engine *new_engine(void)
{
	char err[256];
	engine *e = engine_new(C, S, err, sizeof err);
	if (!e)
		printf("# %s\n", err);
	return e;
}

int main(void)
{
	char err[1024], path[512];
	engine *one, *a, *b;
	engine_rec *r1, *r2;
	size_t n1, n2, same = 0;
	cfg *c;
	FILE *f;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/t.yaml", dir);
	f = fopen(path, "w");
	fputs(catalog, f);
	fclose(f);
	if (!(c = cfg_load(path, err, sizeof err))) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	C = c;
	S = cfg_source_find(c, "g");

	one = new_engine();
	feed(one, 0, NROWS);
	ok(engine_nsets(one) == 2, "indicators share breakdown sets (by major, none)");
	n1 = engine_records(one, &r1);
	check_values(one, r1, n1);

	/* two partial engines, the second seeing its texts in another order */
	a = new_engine();
	b = new_engine();
	feed(b, 2, NROWS);
	feed(a, 0, 2);
	engine_merge(a, b);
	n2 = engine_records(a, &r2);
	ok(n1 == n2, "merged: as many records (%zu, %zu)", n1, n2);
	for (size_t i = 0; i < n1 && i < n2; i++)
		same += r1[i].ind == r2[i].ind && strcmp(r1[i].period, r2[i].period) == 0 &&
			strcmp(r1[i].json, r2[i].json) == 0 && r1[i].value == r2[i].value &&
			r1[i].has_nd == r2[i].has_nd && r1[i].num == r2[i].num && r1[i].den == r2[i].den;
	ok(same == n1, "merged: the same records, in the same order (%zu of %zu)", same, n1);
	check_values(a, r2, n2);

	free(r1);
	free(r2);
	engine_free(one);
	engine_free(a);
	engine_free(b);
	cfg_free(c);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
