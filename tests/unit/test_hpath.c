/*
 * test_hpath.c - unit tests of stages/extract/hpath.c: the paths of the
 * columns of a header of several rows (group titles written once over
 * their columns, titles down the rows, titles repeated down, three rows
 * with groups inside groups, rows of different widths), the offset of
 * each path's last part, the line of the candidate, a window that moves
 * down the rows, and the paths the file's merged ranges give (where the
 * rule for empty cells gives other paths).
 */
#include "stages/extract/hpath.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One case: rows separated by '|', cells by ','; the paths and last parts
 * wanted, separated by ','. */
typedef struct hcase {
	const char *name;
	int nrows;
	const char *rows;
	const char *paths;
	const char *lasts;
} hcase;

static const hcase cases[] = {
	{ "表2-3", 2, "统计学年,文化课教师,职业资格,,,职称,,|,,高级技师,技师,高级工,初级职称,中级职称,高级及以上职称",
	  "统计学年,文化课教师,职业资格/高级技师,职业资格/技师,职业资格/高级工,职称/初级职称,职称/中级职称,职称/高级及以上职称",
	  "统计学年,文化课教师,高级技师,技师,高级工,初级职称,中级职称,高级及以上职称" },
	{ "5.1", 2, "学年,2022年秋期,,2023年春期|,免学费,免住宿费,免学费,免住宿费",
	  "学年,2022年秋期/免学费,2022年秋期/免住宿费,2023年春期/免学费,2023年春期/免住宿费",
	  "学年,免学费,免住宿费,免学费,免住宿费" },
	{ "the last row is not filled; a group row is", 2, "a,b|x,,y", "a/x,b,b/y", "x,b,y" },
	{ "a title repeated down", 2, " 序号 ,组|序号,甲", "序号,组/甲", "序号,甲" },
	{ "a leading empty group", 2, ",g,|a,b,c", "a,g/b,g/c", "a,b,c" },
	{ "three rows", 3, "资助,,,,其他|秋,,春,,|学费,住宿,学费,住宿,备注",
	  "资助/秋/学费,资助/秋/住宿,资助/春/学费,资助/春/住宿,其他/备注", "学费,住宿,学费,住宿,备注" },
	{ "a middle group stops at its parent", 3, "A,,B,|x,,,|1,2,3,4", "A/x/1,A/x/2,B/3,B/4", "1,2,3,4" },
	{ "one row", 1, "a, b ,", "a,b,", "a,b," },
	{ "an empty column", 2, "a,,|,,", "a,a,a", "a,a,a" },
};

/* A record of the cells of text (split at ','; the strings are kept in
 * *store for the caller to free). */
static csvin_record record(const char *text, size_t len, long line, char **store)
{
	csvin_record r = { 0 };
	char *s = *store = strndup(text, len);
	size_t n = 1;

	for (char *p = s; *p; p++)
		n += *p == ',';
	r.fields = calloc(n, sizeof *r.fields);
	r.lens = calloc(n, sizeof *r.lens);
	for (char *p = s, *e; p; p = e ? e + 1 : NULL) {
		e = strchr(p, ',');
		if (e)
			*e = '\0';
		r.fields[r.nfields] = p;
		r.lens[r.nfields++] = strlen(p);
	}
	r.line = line;
	return r;
}

/* Merged ranges as the file gives them (rows are the lines check_case
 * gives the rows: 10, 11, ...; columns 0-based), with the paths by the
 * rule for empty cells, which differ. */
typedef struct mcase {
	hcase c;                /* the rows and the paths with the merges */
	reader_merge m[4];      /* the merged ranges */
	size_t nm;              /* how many */
	const char *rule;       /* the paths without them (the rule) */
} mcase;

static const mcase mcases[] = {
	{ { "a title merged down, an empty cell right of it", 2, "序号,,职业资格,|,姓名,高级技师,技师",
	    "序号,姓名,职业资格/高级技师,职业资格/技师", "序号,姓名,高级技师,技师" },
	  { { 10, 11, 0, 0 }, { 10, 10, 2, 3 } }, 2, "序号,序号/姓名,职业资格/高级技师,职业资格/技师" },
	{ { "a group merged across, an empty cell right of it", 2, "学年,2022年秋期,,|,免学费,免住宿费,免学费",
	    "学年,2022年秋期/免学费,2022年秋期/免住宿费,免学费", "学年,免学费,免住宿费,免学费" },
	  { { 10, 11, 0, 0 }, { 10, 10, 1, 2 } }, 2, "学年,2022年秋期/免学费,2022年秋期/免住宿费,2022年秋期/免学费" },
	{ { "a merge not at the left, empty cells around it", 2, ",,G,,|x,y,1,2,3", "x,y,G/1,G/2,3", "x,y,1,2,3" },
	  { { 10, 10, 2, 3 } }, 1, "x,y,G/1,G/2,G/3" },
	{ { "a title merged across two leaf columns names both", 2, "a,b,|x,y,", "a/x,b/y,y", "x,y,y" },
	  { { 11, 11, 1, 2 } }, 1, "a/x,b/y,b" },
	{ { "a merge whose top-left row is above the window", 2, "t,|a,|x,y", "a/x,y", "x,y" },
	  { { 10, 11, 0, 1 } }, 1, "a/x,a/y" },
	{ { "three rows, a title merged down all three", 3, "序号,资助,,|,秋,,春|,学费,住宿,学费",
	    "序号,资助/秋/学费,资助/秋/住宿,资助/春/学费", "序号,学费,住宿,学费" },
	  { { 10, 12, 0, 0 }, { 10, 10, 1, 3 }, { 11, 11, 1, 2 } }, 3,
	  "序号,资助/秋/学费,资助/秋/住宿,资助/春/学费" },
	{ { "no merged ranges in the file: no cell is filled", 2, "a,|x,y", "a/x,y", "x,y" },
	  { { 0, 0, 0, 0 } }, 0, "a/x,a/y" },
};

/* The last record hpath gave for c's rows (NULL when none), after each
 * row pushed in turn; with the merged ranges m (n of them) when m. */
static void check_case(const hcase *c, const reader_merge *m, size_t nm)
{
	hpath hp;
	const csvin_record *out = NULL;
	const char *p = c->rows;
	char paths[1024] = "", lasts[1024] = "";
	long line = 10;

	hpath_init(&hp, c->nrows);
	if (m)
		hpath_set_merges(&hp, m, nm);
	while (p) {
		const char *e = strchr(p, '|');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *store;
		csvin_record r = record(p, len, line++, &store);

		out = hpath_push(&hp, &r);
		free(r.fields);
		free(r.lens);
		free(store);
		p = e ? e + 1 : NULL;
	}
	ok(out != NULL, "%s: a candidate after %d rows", c->name, c->nrows);
	for (size_t i = 0; out && i < out->nfields; i++) {
		size_t n = strlen(paths), m = strlen(lasts);
		snprintf(paths + n, sizeof paths - n, "%s%s", i ? "," : "", out->fields[i]);
		snprintf(lasts + m, sizeof lasts - m, "%s%s", i ? "," : "", out->fields[i] + hpath_last(&hp, i));
		if (strlen(out->fields[i]) != out->lens[i])
			ok(0, "%s: column %zu's length", c->name, i);
	}
	is_str(paths, c->paths, "%s: the paths", c->name);
	if (c->lasts)
		is_str(lasts, c->lasts, "%s: their last parts", c->name);
	if (out) {
		is_int(out->line, line - 1, "%s: the candidate's line is its last row's", c->name);
		is_int(hpath_first_line(&hp), line - c->nrows, "%s: its first row's line", c->name);
	}
	hpath_free(&hp);
}

/* A window of two rows moving down: NULL for the first row, then the
 * paths of the last two rows each time. */
static void check_window(void)
{
	static const char *const rows[] = { "title", "g,", "a,b", "1,2" };
	static const char *const want[] = { NULL, "title/g,title", "g/a,g/b", "a/1,b/2" };
	hpath hp;

	hpath_init(&hp, 2);
	for (int i = 0; i < 4; i++) {
		char *store, got[256] = "";
		csvin_record r = record(rows[i], strlen(rows[i]), i + 1, &store);
		const csvin_record *out = hpath_push(&hp, &r);

		for (size_t k = 0; out && k < out->nfields; k++)
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", k ? "," : "", out->fields[k]);
		if (!want[i])
			ok(out == NULL, "window: no candidate after one row");
		else
			is_str(got, want[i], "window: rows %d and %d", i, i + 1);
		free(r.fields);
		free(r.lens);
		free(store);
	}
	hpath_free(&hp);
}

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case(&cases[i], NULL, 0);
	for (size_t i = 0; i < sizeof mcases / sizeof mcases[0]; i++) {
		hcase rule = mcases[i].c;

		check_case(&mcases[i].c, mcases[i].m, mcases[i].nm);
		rule.name = "  the same rows without the merged ranges (the rule)";
		rule.paths = mcases[i].rule;
		rule.lasts = NULL;
		check_case(&rule, NULL, 0);
	}
	check_window();
	return tap_done();
}
