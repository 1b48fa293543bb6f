/*
 * reader_csv.c - the CSV input format (reader.h) over csvin: plain or .gz
 * files in UTF-8, GB18030, UTF-16 or UTF-32.  It takes any file no other format
 * takes, so it is the last row of reader.c's table.
 */
#include <stdio.h>

#include "lib/readers/csvin.h"
#include "lib/readers/reader.h"

static int csv_match(const char *path, const unsigned char *head, size_t n)
{
	(void)path;
	(void)head;
	(void)n;
	return 1;
}

static void *csv_open(const char *path, const reader_opts *o, char *err, size_t errlen)
{
	csvin_opts co = { .delim = o->delim, .encoding = o->encoding, .max_record = o->max_record,
			  .max_field = o->max_field, .max_ratio = o->max_ratio };

	return csvin_open(path, &co, err, errlen);
}

static int csv_next(void *h, const csvin_record **rec)
{
	return csvin_next(h, rec);
}

static const char *csv_error(void *h)
{
	return csvin_error(h);
}

static void csv_info(void *h, reader_info *out)
{
	unsigned char d = csvin_delim(h);

	out->delimiter = d == '\t' ? "tab" : d == ';' ? "semicolon" : "comma";
	snprintf(out->encoding, sizeof out->encoding, "%s", csvin_encoding(h));
	out->excel_dates = out->date1904 = out->short_rows = out->no_value_cells = 0;
	out->text_guards = 1;
}

static void csv_close(void *h)
{
	csvin_close(h);
}

const reader_format reader_csv = {
	.name = "csv",
	.match = csv_match,
	.open = csv_open,
	.next = csv_next,
	.error = csv_error,
	.info = csv_info,
	.close = csv_close,
	.read_ahead = 1,
};
