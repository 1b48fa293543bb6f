/*
 * fuzz_xls.c - the .xls reader (xls.c over libfreexl) on any bytes: the
 * input is written to a scratch file (libfreexl reads a path), with small
 * limits.  Checks the record promises: nfields >= 1, rows in order,
 * fields NUL-terminated at their lengths and within the cell limit, end
 * and error sticky.
 */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "lib/readers/xls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xls_opts o = { .max_file = 1 << 20, .max_cell = 64 << 10, .max_row = 1 << 20, .max_grid = 32 << 20 };
	const csvin_record *rec;
	long last = 0;
	int rc;
	xls *x = xls_open(fuzz_file(data, size, ".xls"), &o, NULL, 0);

	if (!x)
		return 0;
	/* the sheet list: a name or NULL (libfreexl could not give it) for each
	 * sheet, NULL past the end; the sheet read has a name */
	if (xls_sheet_count(x) < 1 || !xls_sheet(x) || xls_sheet_name(x, xls_sheet_count(x)))
		abort();
	for (size_t i = 0; i < xls_sheet_count(x); i++)
		if (xls_sheet_name(x, i) && strlen(xls_sheet_name(x, i)) > 4096)
			abort();
	while ((rc = xls_next(x, &rec)) == 1) {
		if (rec->nfields < 1 || rec->line <= last)
			abort();
		last = rec->line;
		for (size_t i = 0; i < rec->nfields; i++)
			if (rec->fields[i][rec->lens[i]] != '\0' || rec->lens[i] > (size_t)o.max_cell)
				abort();
	}
	if (xls_next(x, &rec) != rc)
		abort();
	xls_close(x);
	return 0;
}
