/*
 * test_filters.c - vqr-transform's filters per row (stages/transform/
 * filters.c): which filters are kept by the values they read, and on
 * many random rows (few value combinations, then more than the cache
 * holds; NULLs, texts without ids) every flag equal to evaluating the
 * filter itself, the cache kept or given up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/catalog/expr.h"
#include "stages/transform/filters.h"
#include "tests/unit/tap.h"

/* The test row's fields, at these indexes. */
static const struct {
	const char *name;
	expr_type type;
	int hasid;              /* its texts carry dictionary ids */
} fields[] = {
	{ "dest", EXPR_TEXT, 1 },       /* 0 */
	{ "major", EXPR_TEXT, 1 },      /* 1 */
	{ "in_field", EXPR_BOOL, 0 },   /* 2 */
	{ "salary", EXPR_NUMBER, 0 },   /* 3 */
	{ "note", EXPR_TEXT, 0 },       /* 4 */
	{ "ok", EXPR_BOOL, 0 },         /* 5 */
	{ "d", EXPR_DATE, 0 },          /* 6 */
};
#define NF ((int)(sizeof fields / sizeof fields[0]))

static int resolve(void *ctx, const char *name, int *index, expr_type *type)
{
	(void)ctx;
	for (int i = 0; i < NF; i++)
		if (strcmp(fields[i].name, name) == 0) {
			*index = i;
			*type = fields[i].type;
			return 1;
		}
	return 0;
}

/* The texts of dest (0) and major (1): id = position + 1. */
#define NTEXT 60
static char texts[2][NTEXT][8];

static unsigned text_id(int field, const char *s)
{
	for (int i = 0; i < NTEXT; i++)
		if (strcmp(texts[field][i], s) == 0)
			return (unsigned)i + 1;
	return 0;
}

static unsigned intern(void *ctx, int index, const char *text)
{
	(void)ctx;
	return index <= 1 ? text_id(index, text) : 0;
}

static const char *const src[] = {
	"dest = 'A'",                                   /* kept */
	"dest != 'B' and in_field",                     /* kept */
	"salary is not null",                           /* kept: NULL-ness only */
	"salary >= 4000 and in_field",                  /* evaluated: a number */
	"not (major in ('M1', 'M2') or ok)",            /* kept */
	"note = 'x'",                                   /* evaluated: a text without ids */
	"dest = major",                                 /* kept: both have ids */
	"ok is null or dest is not null",               /* kept */
	"d < '2023-06-01' or dest = 'C'",               /* evaluated: a date */
};
#define NX ((int)(sizeof src / sizeof src[0]))

/* A random row: about one value in eight NULL; now and then a dest
 * without its id (the filters then evaluate); dest and major among the
 * first `width` texts. */
static void random_row(expr_value *row, int width)
{
	for (int i = 0; i < NF; i++) {
		int r = rand();
		row[i] = (expr_value){ r % 8 == 0, "", 0, 0 };
		if (row[i].isnull)
			continue;
		switch (i) {
		case 0:
		case 1:
			row[i].s = texts[i][r / 8 % width];
			row[i].id = i == 0 && r % 97 == 1 ? 0 : text_id(i, row[i].s);
			break;
		case 4: row[i].s = r / 8 % 2 ? "x" : "y"; break;
		case 3: row[i].num = r / 8 % 6000; break;
		case 6: row[i].num = 19500 + r / 8 % 40; break;
		default: row[i].num = r / 8 % 2; break;
		}
	}
}

int main(void)
{
	expr *xs[NX];
	unsigned char hasid[NF], pass[NX];
	long differ = 0, rows = 20000;
	filters *fs;

	for (int i = 0; i < NTEXT; i++) {
		snprintf(texts[0][i], sizeof texts[0][i], i < 3 ? "%c" : "D%d", i < 3 ? 'A' + i : i);
		snprintf(texts[1][i], sizeof texts[1][i], "M%d", i);
	}
	for (int i = 0; i < NF; i++)
		hasid[i] = (unsigned char)fields[i].hasid;
	for (int k = 0; k < NX; k++) {
		xs[k] = expr_parse(src[k], resolve, NULL, NULL, 0, NULL);
		if (!xs[k])
			return printf("Bail out! %s does not parse\n", src[k]), 1;
		expr_intern(xs[k], intern, NULL);
	}
	srand(7);
	/* few combinations of values: the cache hits and is kept; then
	 * more combinations than it holds: it is given up */
	for (int width = 4; width <= NTEXT; width += NTEXT - 4) {
		fs = filters_new((const expr *const *)xs, NX, hasid, NF);
		is_int((long long)filters_nkept(fs), 6, "6 of 9 filters are kept by the values they read");
		differ = 0;
		for (long r = 0; r < rows; r++) {
			expr_value row[NF];
			random_row(row, width);
			memset(pass, 2, sizeof pass);
			filters_eval(fs, row, pass);
			for (int k = 0; k < NX; k++)
				if (pass[k] != (expr_eval(xs[k], row) == EXPR_TRUE) && differ++ < 5)
					printf("# row %ld: %s gave %d\n", r, src[k], pass[k]);
		}
		ok(differ == 0, "%ld random rows of %d texts a field: every flag is the filter's own value (%ld differ)",
		   rows, width, differ);
		is_int((long long)filters_nkept(fs), width == 4 ? 6 : 0,
		       width == 4 ? "a cache that hits is kept" : "a cache that misses is given up");
		filters_free(fs);
	}
	fs = filters_new((const expr *const *)xs, 0, hasid, NF);
	filters_eval(fs, NULL, pass);
	ok(filters_nkept(fs) == 0, "no filters: nothing to do");
	filters_free(fs);
	filters_free(NULL);
	for (int k = 0; k < NX; k++)
		expr_free(xs[k]);
	return tap_done();
}
