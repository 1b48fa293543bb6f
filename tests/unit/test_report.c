/*
 * test_report.c - unit tests of the quality report's pure parts
 * (pipeline/report_tmpl.c, report_write.c): templates checked and
 * expanded, the table of formats.
 */
#include "pipeline/report_int.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	test_templates();
	test_formats();
	return tap_done();
}
