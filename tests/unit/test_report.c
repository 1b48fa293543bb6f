/*
 * test_report.c - unit tests of the quality report's pure parts
 * (pipeline/report_tmpl.c, report_write.c, report_region.c): templates
 * checked and expanded, the table of formats, schools set side by side.
 */
#include "pipeline/report_int.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

#include "lib/util/mem.h"

static void test_templates(void)
{
	char bad[256], *s;
	char *extra[] = { "gender" };
	vars v = { .n = 0 };

	ok(report_tmpl_check("表1-1 {school_name} {year}", NULL, 0, bad, sizeof bad) == 0, "known variables pass");
	ok(report_tmpl_check("{nope}", NULL, 0, bad, sizeof bad) < 0 && strstr(bad, "unknown variable {nope}"),
	   "an unknown variable is named");
	ok(report_tmpl_check("{gender}", extra, 1, bad, sizeof bad) == 0, "an extra variable passes");
	ok(report_tmpl_check("[a [b]]", NULL, 0, bad, sizeof bad) < 0 && strstr(bad, "nested"),
	   "nested groups are refused");
	ok(report_tmpl_check("{{x}} [[y]]", NULL, 0, bad, sizeof bad) == 0, "doubled brackets are literal");

	report_vars_set(&v, "year", "2022-2023");
	report_vars_set(&v, "gender", NULL);
	s = report_tmpl_expand("{year}[ ({gender})] {{x}}", &v);
	is_str(s, "2022-2023 {x}", "a group with an empty variable is left out");
	free(s);
	report_vars_set(&v, "gender", "女");
	s = report_tmpl_expand("{year}[ ({gender})]", &v);
	is_str(s, "2022-2023 (女)", "a group with its variable set is kept");
	free(s);
}

static void test_formats(void)
{
	ok(report_format_find("text") != NULL, "text is a format");
	ok(report_format_find("markdown") != NULL && report_format_find("markdown") == report_format_find("markdown"),
	   "markdown is a format");
	ok(report_format_find("md") != NULL, "md names markdown too");
	ok(report_format_find("csv") != NULL, "csv is a format");
	ok(report_format_find("html") != NULL, "html is a format");
	ok(report_format_find("pdf") == NULL, "pdf is not");
}

/* A figure cell: num with suffix, its numerator and denominator (NULL:
 * none) and rule. */
static fcell fig(const char *num, const char *suf, const char *numer, const char *denom, const char *agg)
{
	fcell c = { .isref = 1, .agg = agg, .scale = xstrdup(suf[0] == '%' ? "100" : "1") };
	c.text = xasprintf("%s%s", num, suf);
	c.num = xstrdup(num);
	c.numer = xstrdup_or_null(numer);
	c.denom = xstrdup_or_null(denom);
	c.pct = suf[0] == '%';
	return c;
}

/* A report of school name with one table of two columns (what, value)
 * and the rows given: labels and their cells. */
static report_data *school(const char *name, size_t n, const char *const *labels, const fcell *cells)
{
	report_data *r = xcalloc(1, sizeof *r);
	ftable *t;

	r->school_name = xstrdup(name);
	r->school_code = xstrdup(name);
	r->year = xstrdup("2022-2023");
	r->source = xstrdup("test");
	r->t = xcalloc(1, sizeof *r->t);
	r->nt = 1;
	t = r->t;
	t->title = xstrdup("表");
	t->ncols = 2;
	t->head = xcalloc(2, sizeof *t->head);
	t->head[0] = xstrdup("what");
	t->head[1] = xstrdup("value");
	t->group = xcalloc(2, sizeof *t->group);
	t->right = xcalloc(2, sizeof *t->right);
	t->nrows = n;
	t->cells = xcalloc(2 * n + 1, sizeof *t->cells);
	for (size_t i = 0; i < n; i++) {
		t->cells[2 * i].text = xstrdup(labels[i]);
		t->cells[2 * i + 1] = cells[i];
	}
	return r;
}

static void test_region(void)
{
	const char *la[] = { "rate", "count", "mean only reported", "none", "A only" };
	const char *lb[] = { "count", "rate", "mean only reported", "none" };
	fcell ca[] = { fig("50.00", "%", "1", "2", "ratio_of_sums"), fig("3", "", NULL, NULL, "sum"),
		       fig("4.5", "", "9", "2", "weighted_mean"), fig("1", "", NULL, NULL, "none"),
		       fig("2.25", " 万元", NULL, NULL, "sum") };
	fcell cb[] = { fig("4", "", NULL, NULL, "sum"), fig("10.00", "%", "1", "10", "ratio_of_sums"),
		       fig("5.0", "", NULL, NULL, "weighted_mean"), fig("2", "", NULL, NULL, "none") };
	report_data *per[2] = { school("A", 5, la, ca), school("B", 4, lb, cb) };
	report_data *r;
	const ftable *t;

	per[0]->t[0].cells[3].mark = "†";
	report_push_str(&per[0]->t[0].notes, &per[0]->t[0].nnotes, xstrdup("† reported 2"));
	r = report_region(per, 2);
	t = &r->t[0];
	ok(t->ncols == 4 && t->nrows == 5, "a figure column becomes one per school and the region's (4 x 5)");
	is_str(t->head[1], "A", "  headed by the schools' names");
	is_str(t->head[3], "区域 / region", "  and the region");
	is_str(t->group[3], "value", "  under the figure's header");
	is_str(t->cells[3].text, "16.67%", "rate: (1 + 1) / (2 + 10) x 100, not the mean 30.00%%");
	ok(t->cells[3].num && strcmp(t->cells[3].num, "16.67") == 0 && t->cells[3].pct, "  a number, a percentage");
	is_str(t->cells[4 + 1].text, "3", "rows are matched by their text: count A");
	is_str(t->cells[4 + 2].text, "4", "  count B");
	is_str(t->cells[4 + 3].text, "7", "  count region: the sum");
	is_str(t->cells[8 + 3].text, "—", "a mean whose school B has no numerator: —");
	is_str(t->cells[12 + 3].text, "—", "rule none: —");
	is_str(t->cells[16 + 2].text, "—", "a row school B lacks: —");
	is_str(t->cells[16 + 3].text, "2.25 万元", "  the region keeps the decimals and the suffix");
	ok(t->cells[4 + 1].mark && strcmp(t->cells[4 + 1].mark, "†") == 0, "a mark is kept");
	ok(t->nnotes == 1 && strcmp(t->notes[0], "† A：reported 2") == 0, "  its footnote names the school");
	report_data_free(r);
	report_data_free(per[0]);
	report_data_free(per[1]);
}

int main(void)
{
	test_templates();
	test_formats();
	test_region();
	return tap_done();
}
