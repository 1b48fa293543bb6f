/*
 * fuzz_expr.c - the filter parser (expr.c) on any text, with one field of
 * each type.  A filter that parses is evaluated on a row of values and on
 * a row of NULLs, and its normalised text (expr_to_string) must parse
 * again to the same text.
 */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "lib/catalog/expr.h"

static int resolve(void *ctx, const char *name, int *index, expr_type *type)
{
	static const char *const names[] = { "t", "n", "b", "d", "destination", "salary" };
	static const expr_type types[] = { EXPR_TEXT, EXPR_NUMBER, EXPR_BOOL, EXPR_DATE,
					   EXPR_TEXT, EXPR_NUMBER };

	(void)ctx;
	for (int i = 0; i < 6; i++)
		if (strcmp(name, names[i]) == 0) {
			*index = i;
			*type = types[i];
			return 1;
		}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size), err[256];
	expr_value row[6] = { { 0, "就业", 0, 0 }, { 0, NULL, 4500, 0 }, { 0, NULL, 1, 0 },
			      { 0, NULL, 19500, 0 }, { 0, "", 0, 0 }, { 0, NULL, -1.5, 0 } };
	expr_value nulls[6] = { { 1, NULL, 0, 0 }, { 1, NULL, 0, 0 }, { 1, NULL, 0, 0 },
				{ 1, NULL, 0, 0 }, { 1, NULL, 0, 0 }, { 1, NULL, 0, 0 } };
	int col = 0;
	expr *e = expr_parse(text, resolve, NULL, err, sizeof err, &col);

	free(text);
	if (!e) {
		if (col < 1)
			abort();
		return 0;
	}
	if (expr_eval(e, row) < -1 || expr_eval(e, row) > 1 || expr_eval(e, nulls) < -1)
		abort();
	{
		char *s = expr_to_string(e), *s2;
		expr *e2;

		if (!s)
			abort();
		e2 = expr_parse(s, resolve, NULL, err, sizeof err, &col);
		if (!e2)
			abort();        /* the normalised text does not parse */
		s2 = expr_to_string(e2);
		if (!s2 || strcmp(s, s2) != 0)
			abort();        /* it parses to something else */
		free(s);
		free(s2);
		expr_free(e2);
	}
	expr_free(e);
	return 0;
}
