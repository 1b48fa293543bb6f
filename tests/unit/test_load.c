/*
 * test_load.c - the pure parts of vqr-load (stages/load): the shrink
 * decision and its words, the batch label made unique, the rule text of
 * an indicator, the unmapped headers and the field_missing message, the
 * outcome of a load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/catalog/cfg.h"
#include "stages/load/load.h"
#include "stages/load/load_batch.h"
#include "stages/load/load_catalog.h"
#include "stages/load/load_findings.h"
#include "stages/load/load_shrink.h"
#include "tests/unit/tap.h"

static void test_shrink(void)
{
	shrink k = SHRINK_INIT;

	ok(!shrink_exceeds(100, 80, 0.2), "shrink: 100 -> 80 is within max_shrink 0.2");
	ok(shrink_exceeds(100, 79, 0.2), "shrink: 100 -> 79 is more than max_shrink 0.2");
	ok(!shrink_exceeds(100, 150, 0.2), "shrink: growing never is");
	ok(!shrink_exceeds(0, 0, 0.2), "shrink: nothing before never is");
	ok(shrink_exceeds(10, 0, 0.5), "shrink: to nothing is");
	ok(!shrink_exceeds(10, 0, 1), "shrink: max_shrink 1 allows anything");
	shrink_add(&k, "2022-2023", "rows", 200, 100);
	shrink_add(&k, "2022-2023", "employment.count", 80, 20);
	is_int(k.n, 2, "shrink_add: two kept");
	is_str(k.item[0].msg, "rows 2022-2023: 200 -> 100 (-50.0%)", "shrink_add: what, period, before, after, change");
	is_str(str_cstr(&k.text), "rows 2022-2023: 200 -> 100 (-50.0%); employment.count 2022-2023: 80 -> 20 (-75.0%)",
	       "shrink_add: the text joins them with \"; \"");
	ok(k.item[1].before == 80 && k.item[1].after == 20, "shrink_add: the figures kept");
	for (int i = 0; i < 2 * SHRINK_MAX; i++)
		shrink_add(&k, "2022", "x", 2, 1);
	is_int(k.n, SHRINK_MAX, "shrink_add: at most SHRINK_MAX kept");
	shrink_free(&k);
	is_int(k.n, 0, "shrink_free: empty again");
}

static void test_label(void)
{
	char *none[1] = { NULL }, *one[] = { "b20260101" }, *three[] = { "b20260101.2", "other", "b20260101" };
	char *l;

	l = load_batch_label("b20260101", none, 0);
	is_str(l, "b20260101", "label: free, kept as it is");
	free(l);
	l = load_batch_label("b20260101", one, 1);
	is_str(l, "b20260101.2", "label: taken, .2 appended");
	free(l);
	l = load_batch_label("b20260101", three, 3);
	is_str(l, "b20260101.3", "label: .2 taken too, .3 appended");
	free(l);
	{
		char *all[LOAD_LABEL_MAX_SUFFIX];
		all[0] = "x";
		for (int i = 1; i < LOAD_LABEL_MAX_SUFFIX; i++) {
			char b[32];
			snprintf(b, sizeof b, "x.%d", i + 1);
			all[i] = strdup(b);
		}
		ok(load_batch_label("x", all, LOAD_LABEL_MAX_SUFFIX) == NULL, "label: NULL when all are taken");
		for (int i = 1; i < LOAD_LABEL_MAX_SUFFIX; i++)
			free(all[i]);
	}
}

#define CFG_TEXT \
	"school: {code: S, name: 学校}\n" \
	"sources:\n" \
	"  g:\n" \
	"    files: [\"*g*\"]\n" \
	"    period: {type: academic_year, date: d, year: y}\n" \
	"    fields:\n" \
	"      d: {header: 毕业日期, type: date}\n" \
	"      y: {header: 届别, type: integer}\n" \
	"      dest: {header: 去向, type: enum, values: {就业: [], 升学: []}}\n" \
	"      pay: {header: 起薪, type: decimal, min: 0}\n" \
	"indicators:\n" \
	"  - {code: a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\"}\n" \
	"  - {code: e, name_zh: 戊, name_en: E, unit: 人, kind: count, source: g, count: \"*\", where: \"dest = '就业'\"}\n" \
	"  - {code: p, name_zh: 薪, name_en: P, unit: 元, kind: mean, source: g, by: [dest], mean: pay}\n" \
	"  - {code: r, name_zh: 己, name_en: R, unit: \"%\", kind: rate, ratio: {numerator: e, denominator: a}}\n" \
	"  - {code: f, name_zh: 差, name_en: F, unit: 人, kind: count, formula: \"a - 1\"}\n" \
	"  - {code: m, name_zh: 最高, name_en: M, unit: 元, kind: mean, derived: {take: max, over: p}}\n"

static void rule_is(const cfg *c, const char *code, const char *want)
{
	const cfg_indicator *ind = c ? cfg_indicator_find(c, code) : NULL;
	char *t = ind ? load_rule_text(ind) : NULL;

	is_str(t, want, "rule text of %s", code);
	free(t);
}

static void test_rules_and_messages(const char *dir)
{
	char path[512], err[1024];
	FILE *f;
	cfg *c;

	snprintf(path, sizeof path, "%s/t.yaml", dir);
	if ((f = fopen(path, "w"))) {
		fputs(CFG_TEXT, f);
		fclose(f);
	}
	c = cfg_load(path, err, sizeof err);
	ok(c != NULL, "the configuration loads: %s", c ? "" : err);
	rule_is(c, "a", "count(*)");
	rule_is(c, "e", "count(*) where dest = '就业'");
	rule_is(c, "p", "mean(pay) by dest");
	rule_is(c, "r", "(e) / (a)");
	rule_is(c, "f", "a - 1");
	rule_is(c, "m", "max(p across dest)");
	{
		manifest m = { 0 };
		char *uv[] = { "对口情况", "辅导员" }, *hv[] = { "in_field (是否专业对口)", "" }, *t;
		const cfg_indicator *ind = c ? cfg_indicator_find(c, "p") : NULL;
		const cfg_field *fd = c ? cfg_field_find(&c->sources[0], "pay") : NULL;
		t = load_unmapped_text(&m);
		is_str(t, "none", "unmapped: none");
		free(t);
		m.unmapped.v = uv, m.unmapped.n = 2;
		m.unmapped_hint.v = hv, m.unmapped_hint.n = 2;
		t = load_unmapped_text(&m);
		is_str(t, "对口情况 (did you mean in_field (是否专业对口)?), 辅导员", "unmapped: with a hint, and without");
		m.file_name = "g.csv";
		if (ind && fd) {
			char *msg = load_field_missing_message(ind, &m, fd, 1, t);
			is_str(msg, "p 薪 is not computed: g.csv has no column for field pay (起薪); unmapped columns of the "
				    "file: 对口情况 (did you mean in_field (是否专业对口)?), 辅导员", "field_missing: absent");
			free(msg);
			msg = load_field_missing_message(ind, &m, fd, 0, "none");
			is_str(msg, "p 薪 is not computed: g.csv has no value in any row of field pay (起薪); unmapped "
				    "columns of the file: none", "field_missing: empty");
			free(msg);
		} else {
			ok(0, "indicator p and field pay found");
		}
		free(t);
	}
	cfg_free(c);
	unlink(path);
}

static void test_outcome(void)
{
	load_result r = { 0 };

	is_int(load_outcome(&r), STAGE_LOADED, "outcome: loaded");
	r.checks.blocked = 1;
	is_int(load_outcome(&r), STAGE_BLOCKED, "outcome: blocked");
	r.held = 1;
	is_int(load_outcome(&r), STAGE_HELD, "outcome: held comes before blocked");
	strcpy(r.skipped_by, "batch 3 at 2026-01-01 00:00:00");
	is_int(load_outcome(&r), STAGE_SKIPPED, "outcome: skipped comes first");
}

int main(void)
{
	char dir[] = "/tmp/vqr-load-XXXXXX";

	test_shrink();
	test_label();
	if (mkdtemp(dir)) {
		test_rules_and_messages(dir);
		rmdir(dir);
	} else {
		ok(0, "a temporary directory");
	}
	test_outcome();
	return tap_done();
}
