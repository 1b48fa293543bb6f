/*
 * test_xlsx_merge.c - unit tests of the merged ranges of an .xlsx sheet
 * (lib/readers/xlsx_merge.c): the scan of the sheet's XML fed at every
 * chunk size from 1 byte to the whole (prefixed and plain element names,
 * "mergeCells" in text and attributes that must not match, ranges below
 * merge_rows left out, bad references skipped, a mergeCells that does not
 * parse or does not end refused), then the reader on the workbooks of
 * tests/data/headers (openpyxl's merged ranges) through xlsx_open,
 * xlsxpar and the reader table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/readers/reader.h"
#include "lib/readers/xlsx_int.h"
#include "lib/readers/xlsxpar.h"
#include "tests/unit/tap.h"

typedef struct scase {
	const char *name;
	const char *xml;        /* the sheet's XML */
	long max_row;           /* merge_rows */
	int end;                /* xl_mscan_end */
	const char *want;       /* the ranges kept: "r1 c1 r2 c2;" each */
} scase;

static const scase scases[] = {
	{ "plain",
	  "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lt;mergeCells a</t></is></c>"
	  "</row></sheetData><mergeCells count=\"3\"><mergeCell ref=\"A1:A2\"/><mergeCell ref=\"C1:D1\"/>"
	  "<mergeCell ref=\"B9:C9\"/></mergeCells><pageMargins left=\"0.7\"/></worksheet>",
	  5, 0, "1 0 2 0;1 2 1 3;" },
	{ "prefixed, a decoy attribute, one cell",
	  "<x:worksheet xmlns:x=\"u\"><x:sheetData note=\"mergeCells\"/><x:mergeCells>"
	  "<x:mergeCell ref=\"AB3\"/><x:mergeCell ref=\"b2:c4\"/></x:mergeCells></x:worksheet>",
	  10, 0, "3 27 3 27;2 1 4 2;" },
	{ "bad references are skipped",
	  "<worksheet><mergeCells><mergeCell ref=\"A0:B1\"/><mergeCell ref=\"B2:A1\"/><mergeCell/>"
	  "<mergeCell ref=\"AAAA1\"/><mergeCell ref=\"A1:B2x\"/><mergeCell ref=\"A1:B2\"/></mergeCells></worksheet>",
	  10, 0, "1 0 2 1;" },
	{ "no mergeCells", "<worksheet><sheetData><row r=\"1\"/></sheetData><mergeCellsX/></worksheet>", 10, 0, "" },
	{ "an entity it cannot know", "<worksheet><mergeCells>&x;</mergeCells></worksheet>", 10, -1, "" },
	{ "mergeCells that never ends", "<worksheet><mergeCells><mergeCell ref=\"A1:B1\"/>", 10, -1, "1 0 1 1;" },
};

/* Scan xml in chunks of chunk bytes: NULL when the result is c's, else why. */
static const char *scan(const scase *c, size_t chunk)
{
	static char why[512];
	char got[512] = "";
	size_t len = strlen(c->xml);
	xl_mscan s;
	int end;

	xl_mscan_init(&s, c->max_row);
	for (size_t at = 0; at < len; at += chunk)
		xl_mscan_feed(&s, c->xml + at, len - at < chunk ? len - at : chunk);
	end = xl_mscan_end(&s);
	for (size_t i = 0; i < s.n; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%ld %ld %ld %ld;", s.m[i].r1, s.m[i].c1,
			 s.m[i].r2, s.m[i].c2);
	xl_mscan_free(&s);
	if (end != c->end || (end == 0 && strcmp(got, c->want) != 0)) {
		snprintf(why, sizeof why, "end %d, ranges \"%s\"", end, got);
		return why;
	}
	return NULL;
}

static void test_scan(void)
{
	for (size_t i = 0; i < sizeof scases / sizeof scases[0]; i++) {
		const scase *c = &scases[i];
		size_t len = strlen(c->xml), chunk;
		const char *bad = NULL;

		for (chunk = 1; chunk <= len && !bad; chunk++)
			bad = scan(c, chunk);
		ok(!bad, "%s: the same ranges at chunk sizes 1..%zu%s%s", c->name, len, bad ? ": " : "",
		   bad ? bad : "");
	}
}

/* "r1 c1 r2 c2;" of each range of m (n of them), or "NULL". */
static const char *ranges(const reader_merge *m, size_t n)
{
	static char out[512];

	out[0] = '\0';
	if (!m)
		return "NULL";
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%ld %ld %ld %ld;", m[i].r1, m[i].c1,
			 m[i].r2, m[i].c2);
	return out;
}

static void test_reader(void)
{
	static const char totals[] = "tests/data/headers/资助合计_2022-2023.xlsx";
	static const char staff[] = "tests/data/headers/教师结构_2022-2023.xlsx";
	char err[1024];
	size_t n;
	xlsx *x;
	xlsxpar *p;
	reader *r;
	const reader_merge *m;

	x = xlsx_open(totals, &(xlsx_opts){ .merge_rows = 100 }, err, sizeof err);
	m = x ? xlsx_merges(x, &n) : NULL;
	is_str(x ? ranges(m, n) : err, "1 0 2 0;1 2 1 3;", "xlsx_open: A1:A2 and C1:D1");
	xlsx_close(x);
	x = xlsx_open(totals, NULL, err, sizeof err);
	m = x ? xlsx_merges(x, &n) : NULL;
	is_str(x ? ranges(m, n) : err, "NULL", "xlsx_open without merge_rows: none read");
	xlsx_close(x);
	p = xlsxpar_open(staff, &(xlsx_opts){ .merge_rows = 1 }, err, sizeof err);
	m = p ? xlsxpar_merges(p, &n) : NULL;
	is_str(p ? ranges(m, n) : err, "1 0 1 9;",
	       "xlsxpar, merge_rows 1: the title row's A1:J1 only (not the header's)");
	xlsxpar_close(p);
	r = reader_open(staff, &(reader_opts){ .merge_rows = 3 }, err, sizeof err);
	is_int(r ? reader_merges(r, &m, &n) : -1, 1, "reader_merges: an .xlsx gives its merged ranges");
	is_str(r ? ranges(m, n) : err, "1 0 1 9;2 0 3 0;2 1 3 1;2 2 3 2;2 3 3 3;2 4 2 6;2 7 2 9;",
	       "  the title, four titles merged down and two groups across");
	reader_close(r);
	r = reader_open("tests/data/headers/教师结构_2022-2023.csv", &(reader_opts){ .merge_rows = 3 }, err,
			sizeof err);
	is_int(r ? reader_merges(r, &m, &n) : -1, 0, "reader_merges: a CSV gives none (the rule applies)");
	reader_close(r);
	r = reader_open("tests/data/headers/教师结构_2022-2023.xls", &(reader_opts){ .merge_rows = 3 }, err,
			sizeof err);
	is_int(r ? reader_merges(r, &m, &n) : -1, 0, "reader_merges: an .xls gives none (libfreexl has none)");
	reader_close(r);
}

int main(void)
{
	test_scan();
	test_reader();
	return tap_done();
}
