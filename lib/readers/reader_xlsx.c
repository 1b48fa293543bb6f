/*
 * reader_xlsx.c - the .xlsx input format (reader.h) over xlsxpar: one
 * sheet of a workbook, parsed on two cores.  A file named *.xlsx, or any
 * zip container (whatever its name), is taken as a workbook.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/readers/reader.h"
#include "lib/readers/xlsxpar.h"

static int xl_match(const char *path, const unsigned char *head, size_t n)
{
	size_t len = strlen(path);

	if (len > 5 && strcasecmp(path + len - 5, ".xlsx") == 0)
		return 1;
	return n >= 4 && memcmp(head, "PK\3\4", 4) == 0;
}

static void *xl_open(const char *path, const reader_opts *o, char *err, size_t errlen)
{
	xlsx_opts xo = { .sheet = o->sheet, .max_ratio = o->max_ratio, .max_shared = o->max_shared,
			 .max_cell = (long long)o->max_field, .max_row = (long long)o->max_record };

	return xlsxpar_open(path, &xo, err, errlen);
}

static int xl_next(void *h, const csvin_record **rec)
{
	return xlsxpar_next(h, rec);
}

static const char *xl_error(void *h)
{
	return xlsxpar_error(h);
}

static void xl_info(void *h, reader_info *out)
{
	out->delimiter = "xlsx";
	snprintf(out->encoding, sizeof out->encoding, "xlsx (sheet %s)", xlsxpar_sheet(h));
	out->excel_dates = 1;
	out->date1904 = xlsxpar_date1904(h);
	out->short_rows = 1;
	out->no_value_cells = 1;
	out->text_guards = 0;
}

static void xl_close(void *h)
{
	xlsxpar_close(h);
}

static size_t xl_sheet_count(void *h)
{
	return xlsxpar_sheet_count(h);
}

static const char *xl_sheet_name(void *h, size_t i)
{
	return xlsxpar_sheet_name(h, i);
}

const reader_format reader_xlsx = {
	.name = "xlsx",
	.match = xl_match,
	.open = xl_open,
	.next = xl_next,
	.error = xl_error,
	.info = xl_info,
	.close = xl_close,
	.sheet_count = xl_sheet_count,
	.sheet_name = xl_sheet_name,
	.read_ahead = 0,        /* xlsxpar has threads of its own */
};
