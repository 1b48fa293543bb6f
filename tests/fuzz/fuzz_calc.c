/*
 * fuzz_calc.c - the formula parser (calc.c) on any text.  A formula that
 * parses keeps its text and has distinct references, and evaluates with
 * every reference present and with one missing.
 */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "lib/catalog/calc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size), err[256];
	int col = 0;
	calc *f = calc_parse(text, &col, err, sizeof err);
	size_t n;
	double *vals, out;
	unsigned char *present;

	if (!f) {
		free(text);
		if (col < 1)
			abort();
		return 0;
	}
	if (strcmp(calc_text(f), text) != 0)
		abort();
	free(text);
	n = calc_nrefs(f);
	vals = calloc(n + 1, sizeof *vals);
	present = calloc(n + 1, 1);
	if (!vals || !present)
		abort();
	for (size_t i = 0; i < n; i++) {
		const calc_ref *r = calc_ref_at(f, i);

		if (!r || !r->code)
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(calc_ref_at(f, j)->code, r->code) == 0 &&
			    calc_ref_at(f, j)->type == r->type)
				abort();        /* a repeated reference */
		vals[i] = (double)i + 0.5;
		present[i] = 1;
	}
	if (calc_ref_at(f, n) != NULL)
		abort();
	if (calc_eval(f, vals, present, &out) == CALC_MISSING)
		abort();
	if (n > 0) {
		present[n - 1] = 0;
		if (calc_eval(f, vals, present, &out) != CALC_MISSING)
			abort();
	}
	free(vals);
	free(present);
	calc_free(f);
	return 0;
}
