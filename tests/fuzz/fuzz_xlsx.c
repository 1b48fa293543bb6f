/*
 * fuzz_xlsx.c - the .xlsx reader (xlsx.c, and xlsxpar.c's two-part
 * reading when the first byte is odd; the first pass for merged ranges,
 * xlsx_merge.c, when its bit 1 is set) on any bytes, with small limits so
 * that no input can take long.  Checks the record promises: nfields >= 1,
 * rows in order, fields NUL-terminated at their lengths; each merged
 * range's: in order, starting in the rows asked for; and the sheet list's:
 * a name for each sheet, the sheet read among them.
 */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "lib/readers/xlsx.h"
#include "lib/readers/xlsxpar.h"

/* The promises of one record after the row numbered *last. */
static void check(const csvin_record *rec, long *last, size_t max_cell)
{
	if (rec->nfields < 1 || rec->line <= *last)
		abort();
	*last = rec->line;
	for (size_t i = 0; i < rec->nfields; i++)
		if (rec->fields[i][rec->lens[i]] != '\0' || rec->lens[i] > max_cell)
			abort();
}

/* The promises of the merged ranges (n of them, at m) read for rows
 * 1..max_row. */
static void check_merges(const reader_merge *m, size_t n, long max_row)
{
	for (size_t i = 0; m && i < n; i++)
		if (m[i].r1 < 1 || m[i].r1 > m[i].r2 || m[i].c1 < 0 || m[i].c1 > m[i].c2 || m[i].r1 > max_row)
			abort();
}

/* The promises of the sheet list (n names by name(ctx, i)) and of the
 * sheet read (cur). */
static void check_sheets(size_t n, const char *(*name)(const void *, size_t), const void *ctx, const char *cur)
{
	int found = 0;

	if (n < 1 || !cur)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *s = name(ctx, i);

		if (!s)
			abort();
		found |= strcmp(s, cur) == 0;
	}
	if (!found || name(ctx, n))
		abort();
}

static const char *par_name(const void *p, size_t i)
{
	return xlsxpar_sheet_name(p, i);
}

static const char *one_name(const void *x, size_t i)
{
	return xlsx_sheet_name(x, i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xlsx_opts o = { .max_uncompressed = 8 << 20, .max_ratio = 1000, .max_shared = 4 << 20,
			.max_cell = 64 << 10, .max_row = 1 << 20 };
	const csvin_record *rec;
	const char *path;
	long last = 0;
	int rc;

	if (size < 1)
		return 0;
	path = fuzz_file(data + 1, size - 1, ".xlsx");
	o.merge_rows = data[0] & 2 ? 16 : 0;
	if (data[0] & 1) {
		xlsxpar *p = xlsxpar_open(path, &o, NULL, 0);
		size_t n;

		if (!p)
			return 0;
		check_merges(xlsxpar_merges(p, &n), n, o.merge_rows);
		check_sheets(xlsxpar_sheet_count(p), par_name, p, xlsxpar_sheet(p));
		while ((rc = xlsxpar_next(p, &rec)) == 1)
			check(rec, &last, (size_t)o.max_cell);
		if (xlsxpar_next(p, &rec) != rc)
			abort();
		xlsxpar_close(p);
	} else {
		xlsx *x = xlsx_open(path, &o, NULL, 0);
		size_t n;

		if (!x)
			return 0;
		check_merges(xlsx_merges(x, &n), n, o.merge_rows);
		check_sheets(xlsx_sheet_count(x), one_name, x, xlsx_sheet(x));
		while ((rc = xlsx_next(x, &rec)) == 1)
			check(rec, &last, (size_t)o.max_cell);
		if (xlsx_next(x, &rec) != rc)      /* end and error are sticky */
			abort();
		xlsx_close(x);
	}
	return 0;
}
