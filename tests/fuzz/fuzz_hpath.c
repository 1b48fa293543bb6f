/*
 * fuzz_hpath.c - the column paths of a header of several rows (hpath.c)
 * on any rows: the first byte gives the rows a header spans (1..4, its
 * low two bits) and, when its bit 2 is set, merged ranges made from the
 * next 16 bytes (hpath_set_merges; those bytes are rows' text too), the
 * rest is records (lines) of cells (split at ','), pushed in turn.  Each
 * candidate must have as many columns as its widest row, each path its
 * length, and a last part that starts the path or follows a '/'.
 */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "stages/extract/hpath.h"

/* Check the promises of candidate r of hp (its rows at most width wide). */
static void check(const hpath *hp, const csvin_record *r, size_t width)
{
	if (r->nfields < 1 || r->nfields > (width ? width : 1))
		abort();
	for (size_t c = 0; c < r->nfields; c++) {
		size_t last = hpath_last(hp, c);
		if (r->fields[c][r->lens[c]] != '\0' || last > r->lens[c])
			abort();
		if (last > 0 && r->fields[c][last - 1] != '/')
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hpath hp;
	char *text, *line;
	size_t width = 0, widths[4] = { 0 };
	long n = 0;

	if (size == 0)
		return 0;
	reader_merge m[4];

	hpath_init(&hp, 1 + data[0] % 4);
	if ((data[0] & 4) && size >= 17) {
		for (int i = 0; i < 4; i++) {
			const uint8_t *b = data + 1 + 4 * i;

			m[i].r1 = 1 + b[0] % 8;
			m[i].r2 = m[i].r1 + b[1] % 4;
			m[i].c1 = b[2] % 16;
			m[i].c2 = m[i].c1 + b[3] % 8;
		}
		hpath_set_merges(&hp, m, data[16] % 5);
	}
	text = fuzz_str(data + 1, size - 1);
	for (char *p = text; p; p = line ? line + 1 : NULL) {
		size_t cap = 1;
		csvin_record r = { 0 };
		const csvin_record *out;

		line = strchr(p, '\n');
		if (line)
			*line = '\0';
		for (char *q = p; *q; q++)
			cap += *q == ',';
		r.fields = calloc(cap, sizeof *r.fields);
		r.lens = calloc(cap, sizeof *r.lens);
		if (!r.fields || !r.lens)
			abort();
		for (char *q = p, *e; q; q = e ? e + 1 : NULL) {
			e = strchr(q, ',');
			if (e)
				*e = '\0';
			r.fields[r.nfields] = q;
			r.lens[r.nfields++] = strlen(q);
		}
		r.line = ++n;
		widths[n % 4] = r.nfields;
		width = 0;
		for (int k = 0; k < 4; k++)
			width = widths[k] > width ? widths[k] : width;
		if ((out = hpath_push(&hp, &r)))
			check(&hp, out, width);
		free(r.fields);
		free(r.lens);
	}
	free(text);
	hpath_free(&hp);
	return 0;
}
