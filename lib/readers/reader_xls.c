/*
 * reader_xls.c - the .xls input format (reader.h) over xls.h (libfreexl):
 * one sheet of an Excel 97-2003 workbook.  A file is taken as one by its
 * first bytes, the OLE2 signature, whatever its name: a file named .xls
 * that holds CSV, tab text or HTML (as some campus systems export) is
 * left to the CSV reader.
 */
#include <stdio.h>
#include <string.h>

#include "lib/readers/reader.h"
#include "lib/readers/xls.h"

static int xs_match(const char *path, const unsigned char *head, size_t n)
{
	static const unsigned char ole2[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

	(void)path;
	return n >= sizeof ole2 && memcmp(head, ole2, sizeof ole2) == 0;
}

static void *xs_open(const char *path, const reader_opts *o, char *err, size_t errlen)
{
	xls_opts xo = { .sheet = o->sheet, .max_file = o->max_xls,
			.max_cell = (long long)o->max_field, .max_row = (long long)o->max_record };

	return xls_open(path, &xo, err, errlen);
}

static int xs_next(void *h, const csvin_record **rec)
{
	return xls_next(h, rec);
}

static const char *xs_error(void *h)
{
	return xls_error(h);
}

static void xs_info(void *h, reader_info *out)
{
	out->delimiter = "xls";
	snprintf(out->encoding, sizeof out->encoding, "xls (sheet %s)", xls_sheet(h));
	out->excel_dates = 1;
	out->date1904 = xls_date1904(h);
	out->short_rows = 1;
}

static void xs_close(void *h)
{
	xls_close(h);
}

static size_t xs_sheet_count(void *h)
{
	return xls_sheet_count(h);
}

static const char *xs_sheet_name(void *h, size_t i)
{
	return xls_sheet_name(h, i);
}

const reader_format reader_xls = {
	.name = "xls",
	.match = xs_match,
	.open = xs_open,
	.next = xs_next,
	.error = xs_error,
	.info = xs_info,
	.close = xs_close,
	.sheet_count = xs_sheet_count,
	.sheet_name = xs_sheet_name,
	.read_ahead = 0,        /* the sheet is in memory: nothing to overlap */
};
