/*
 * test_xls.c - unit tests of the .xls reader (lib/readers/xls.c on
 * libfreexl) and its place in the reader table, on workbooks written by
 * python3-xlwt and LibreOffice (tests/data/xls, see make_xls.sh): each
 * kind of cell as the .xlsx reader gives it, sheets by name, both date
 * systems, the same cells on the same lines as the CSV and .xlsx forms of
 * the register, what libfreexl leaves empty (formulas), and every refusal
 * with its reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/readers/reader.h"
#include "lib/readers/xls.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "tests/unit/tap.h"

#define DIR "tests/data/xls/"
#define CELLS DIR "cells_xlwt.xls"
#define REG DIR "毕业生去向登记表_xlwt.xls"

/* Append "LINE:cell|cell|...\n" for rec to *out. */
static void put_rec(char **out, size_t *len, size_t *cap, const csvin_record *rec)
{
	char num[32];
	int n = snprintf(num, sizeof num, "%ld:", rec->line);

	xgrow((void **)out, cap, *len + (size_t)n + 1, 1);
	memcpy(*out + *len, num, (size_t)n + 1);
	*len += (size_t)n;
	for (size_t i = 0; i < rec->nfields; i++) {
		xgrow((void **)out, cap, *len + rec->lens[i] + 3, 1);
		if (i)
			(*out)[(*len)++] = '|';
		memcpy(*out + *len, rec->fields[i], rec->lens[i]);
		*len += rec->lens[i];
	}
	(*out)[(*len)++] = '\n';
	(*out)[*len] = '\0';
}

/* The records of a reader as "LINE:cell|cell|...\n" lines ("" when
 * none), or NULL with err; trim: drop trailing empty fields (CSV keeps
 * them, a sheet row does not). */
static char *collect(int (*next)(void *, const csvin_record **), const char *(*error)(void *),
		     void *h, int trim, char *err, size_t errlen)
{
	const csvin_record *rec;
	size_t len = 0, cap = 1;
	char *out = xstrdup("");
	int rc;

	while ((rc = next(h, &rec)) > 0) {
		csvin_record t = *rec;

		while (trim && t.nfields > 1 && t.lens[t.nfields - 1] == 0)
			t.nfields--;
		put_rec(&out, &len, &cap, &t);
	}
	if (rc < 0 || next(h, &rec) != rc) {
		snprintf(err, errlen, "%s", error(h));
		FREE_ALL(out);
		out = NULL;
	}
	return out;
}

static int x_next(void *h, const csvin_record **rec)
{
	return xls_next(h, rec);
}

static const char *x_error(void *h)
{
	return xls_error(h);
}

static int r_next(void *h, const csvin_record **rec)
{
	return reader_next(h, rec);
}

static const char *r_error(void *h)
{
	return reader_error(h);
}

/* Every record of path through xls.h, or NULL with err; the sheet's name
 * into sheet and the date system into *d1904 when given. */
static char *slurp(const char *path, const xls_opts *o, char *err, size_t errlen, char *sheet,
		   int *d1904)
{
	xls *x = xls_open(path, o, err, errlen);
	char *out;

	if (!x)
		return NULL;
	out = collect(x_next, x_error, x, 0, err, errlen);
	if (sheet)
		snprintf(sheet, 64, "%s", xls_sheet(x));
	if (d1904)
		*d1904 = xls_date1904(x);
	xls_close(x);
	return out;
}

/* Every record of path through the reader table, as slurp. */
static char *slurp_reader(const char *path, char *err, size_t errlen)
{
	reader *r = reader_open(path, NULL, err, errlen);
	char *out;

	if (!r)
		return NULL;
	out = collect(r_next, r_error, r, 1, err, errlen);
	reader_close(r);
	return out;
}

static void test_cells(void)
{
	char err[ERR_MAX] = "", sheet[64] = "";
	int d1904 = -1;
	char *got = slurp(CELLS, &(xls_opts){ .sheet = "Cells" }, err, sizeof err, sheet, &d1904);

	is_str(got,
	       "1:合并标题\n"
	       "2:学号|日期|时间|数\n"
	       "3:2020010001|2023-06-30|08:30:01|4500\n"
	       "4:|2023-06-30 08:30:00|2023-07-01|0.1\n"
	       "6:  两边空格  |1e+20|-1.25|123456789012345\n"
	       "7:行1\n行2||||||0.3333333333333333\n",
	       "xlwt cells: merged title, text, dates, times, numbers, sparse and empty rows%s%s",
	       got ? "" : ": ", err);
	is_str(sheet, "Cells", "the named sheet is read");
	is_int(d1904, 0, "the 1900 date system");
	free(got);
	got = slurp(CELLS, &(xls_opts){ .sheet = "cELLS" }, err, sizeof err, NULL, NULL);
	ok(got && strncmp(got, "1:合并标题\n", 15) == 0, "a sheet name in another ASCII case");
	free(got);
	got = slurp(CELLS, NULL, err, sizeof err, sheet, NULL);
	is_str(got, "1:就业\n", "without a name: the first sheet");
	is_str(sheet, "字典", "... named 字典");
	free(got);
	got = slurp(CELLS, &(xls_opts){ .sheet = "数据" }, err, sizeof err, NULL, NULL);
	ok(!got && strstr(err, CELLS ": no sheet named \"数据\" (the sheets: \"字典\", \"Cells\")"),
	   "no such sheet: the message lists the sheets: %s", err);
}

/* The workbook's worksheets, in order, for a workbook read as parts. */
static void test_sheet_list(void)
{
	char err[ERR_MAX] = "";
	xls *x = xls_open(CELLS, NULL, err, sizeof err);

	ok(x != NULL, "the two-sheet workbook opens%s%s", x ? "" : ": ", err);
	is_int(x ? (long long)xls_sheet_count(x) : -1, 2, "it has two worksheets");
	is_str(x ? xls_sheet_name(x, 0) : NULL, "字典", "the first in the workbook's order");
	is_str(x ? xls_sheet_name(x, 1) : NULL, "Cells", "then the second");
	ok(!x || xls_sheet_name(x, 2) == NULL, "none past the end");
	xls_close(x);
}

/* What libfreexl 1.0.6 does not give: a formula's result (LibreOffice
 * writes it with the formula) nor a boolean as LibreOffice writes it.  When
 * this fails, libfreexl has learnt them: update xls.h and the docs. */
static void test_formulas(void)
{
	char err[ERR_MAX] = "";
	char *got = slurp(DIR "formulas_libreoffice.xls", NULL, err, sizeof err, NULL, NULL);

	is_str(got, "1:数|倍|积|文本|真\n2:2|3\n",
	       "LibreOffice's formulas (=A2*B2, =\"x\"&A2) and boolean TRUE read as empty cells%s%s",
	       got ? "" : ": ", err);
	free(got);
}

/* The register as xlwt (1900 and 1904 dates) and LibreOffice wrote it
 * gives the cells of its CSV form on the same lines. */
static void test_register(void)
{
	static const char *const forms[] = { DIR "毕业生去向登记表_xlwt.xls",
					     DIR "毕业生去向登记表_1904.xls",
					     DIR "毕业生去向登记表_libreoffice.xls",
					     "tests/data/formats/毕业生去向登记表_excel.xlsx" };
	char err[ERR_MAX] = "";
	char *csv = slurp_reader("tests/data/formats/毕业生去向登记表_utf8.csv", err, sizeof err);
	int d1904 = -1;
	char *got;

	ok(csv && strlen(csv) > 10000, "the CSV register reads: %s", csv ? "" : err);
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
		is_str(reader_pick(forms[i])->name, i < 3 ? "xls" : "xlsx", "%s: picked by its first bytes",
		       forms[i]);
		got = slurp_reader(forms[i], err, sizeof err);
		ok(got && csv && strcmp(got, csv) == 0, "%s: the CSV's cells on the same lines%s%s", forms[i],
		   got ? "" : ": ", got ? "" : err);
		free(got);
	}
	free(csv);
	free(slurp(DIR "毕业生去向登记表_1904.xls", NULL, err, sizeof err, NULL, &d1904));
	is_int(d1904, 1, "xlwt's dates_1904 workbook is in the 1904 date system");
	free(slurp(DIR "毕业生去向登记表_libreoffice.xls", NULL, err, sizeof err, NULL, &d1904));
	is_int(d1904, 0, "LibreOffice's workbook is in the 1900 date system");
}

/* A copy of src, its first `keep` bytes (all when 0), with every `from`
 * of flen bytes replaced by `to`, as a temporary file named path. */
static void write_variant(const char *src, const char *path, size_t keep, const char *from,
			  const char *to, size_t flen)
{
	FILE *in = fopen(src, "rb"), *out = fopen(path, "wb");
	char buf[1 << 16];
	size_t n = in ? fread(buf, 1, sizeof buf, in) : 0;

	if (keep && keep < n)
		n = keep;
	for (size_t i = 0; from && i + flen <= n; i++)
		if (memcmp(buf + i, from, flen) == 0)
			memcpy(buf + i, to, flen);
	if (out) {
		fwrite(buf, 1, n, out);
		fclose(out);
	}
	if (in)
		fclose(in);
}

static void expect_refused(const char *what, const char *path, const xls_opts *o, const char *want)
{
	char err[ERR_MAX] = "";
	char *got = slurp(path, o, err, sizeof err, NULL, NULL);

	ok(!got && strstr(err, path) == err && strstr(err, want), "%s: %s", what, err);
	free(got);
}

static void test_refused(void)
{
	char dir[] = "/tmp/vqr-xls-XXXXXX", p[256], q[256];

	if (!mkdtemp(dir)) {
		ok(0, "a temporary directory");
		return;
	}
	expect_refused("a missing file", "/nonexistent/a.xls", NULL, "No such file");
	expect_refused("a CSV file", "tests/data/formats/毕业生去向登记表_utf8.csv", NULL,
		       ": not an .xls workbook (no OLE2 signature)");
	expect_refused("a file over max_file", REG, &(xls_opts){ .max_file = 1000 },
		       ": the .xls file has 88064 bytes, over the limit of 1000 (max_xls_bytes)");
	snprintf(p, sizeof p, "%s/cut.xls", dir);
	write_variant(REG, p, 2048, NULL, NULL, 0);
	expect_refused("a truncated workbook", p, NULL, ": truncated or damaged OLE2 container");
	snprintf(p, sizeof p, "%s/biff5.xls", dir);
	write_variant(CELLS, p, 0, "\x09\x08\x10\x00\x00\x06", "\x09\x08\x10\x00\x00\x05", 6);
	expect_refused("a BIFF5 workbook", p, NULL, ": not an Excel 97-2003 (BIFF8) workbook");
	is_str(reader_pick(p)->name, "xls", "an OLE2 file is given to the .xls reader whatever it holds");
	unlink(p);
	/* a FILEPASS record (encryption) in place of xlwt's WINDOWPROTECT */
	snprintf(p, sizeof p, "%s/filepass.xls", dir);
	write_variant(CELLS, p, 0, "\x19\x00\x02\x00", "\x2f\x00\x02\x00", 4);
	expect_refused("an encrypted workbook", p, NULL, ": the workbook is encrypted (password-protected)");
	unlink(p);
	/* xlwt's "General" number format declared 255 characters long in its
	 * 12-byte FORMAT record */
	snprintf(p, sizeof p, "%s/format.xls", dir);
	write_variant(CELLS, p, 0, "\x1e\x04\x0c\x00\xa4\x00\x07\x00", "\x1e\x04\x0c\x00\xa4\x00\xff\x00", 8);
	expect_refused("a FORMAT record's text past its end", p, NULL, ": damaged workbook stream: the "
		       "record at byte 547 of the workbook stream declares a text longer than the record");
	unlink(p);
	/* the first shared string made 32767 UTF-16 characters long, so that it
	 * continues in the next record, and the EOF after the SST made an empty
	 * CONTINUE: libfreexl would copy the rest from past the record */
	snprintf(p, sizeof p, "%s/sst1.xls", dir);
	write_variant(CELLS, p, 0, "\xfc\x00\x61\x00\x09\x00\x00\x00\x09\x00\x00\x00\x02\x00",
		      "\xfc\x00\x61\x00\x09\x00\x00\x00\x09\x00\x00\x00\xff\x7f", 14);
	snprintf(q, sizeof q, "%s/sst2.xls", dir);
	write_variant(p, q, 0, "\x0a\x00\x00\x00\x09\x08\x10", "\x3c\x00\x00\x00\x09\x08\x10", 7);
	expect_refused("a shared string that continues in an empty CONTINUE", q, NULL,
		       ": the shared string table (record at byte 1328 of the workbook stream) is damaged, "
		       "or has a text that continues over more than two records");
	unlink(q);
	unlink(p);
	snprintf(p, sizeof p, "%s/cut.xls", dir);
	unlink(p);
	rmdir(dir);
	/* what libfreexl 1.0.6 reads past its buffers on, refused before it reads
	 * the file (inputs found by fuzz_xls, tests/data/fuzz/xls/) */
	expect_refused("a directory entry's name declared over 64 bytes",
		       "tests/data/fuzz/xls/directory-name-over-64-bytes", NULL,
		       ": damaged OLE2 container: directory entry 0 declares a name of ");
	expect_refused("a workbook stream whose sector chain ends early",
		       "tests/data/fuzz/xls/sector-chain-ends-early", NULL,
		       ": damaged OLE2 container: the sector chain of the workbook stream ends after ");
	expect_refused("a FORMAT record's text past the record buffer", "tests/data/fuzz/xls/format-text-past-record",
		       NULL, "declares a text longer than the record");
	expect_refused("a workbook stream whose sector chain goes on past its size",
		       "tests/data/fuzz/xls/chain-past-size", NULL,
		       ": damaged OLE2 container: the sector chain of the workbook stream goes on past its "
		       "11395 bytes");
	expect_refused("a DIFAT chain that loops", "tests/data/fuzz/xls/difat-chain-loops", NULL,
		       ": damaged OLE2 container: the DIFAT names more than 109 FAT sectors, more than the "
		       "file's 6 sectors need (its chain loops)");
	expect_refused("a root entry declaring a mini stream of 4 GiB", "tests/data/fuzz/xls/mini-stream-declared-4-gib",
		       NULL, ": damaged OLE2 container: the root entry declares a mini stream of 4294967295 bytes "
		       "in a file of 6656");
	/* one sheet declares 65,536 x 256 cells, two have no DIMENSIONS: libfreexl
	 * allocates the first one's grid for each of them too */
	expect_refused("a grid allocated again for each sheet without DIMENSIONS",
		       "tests/data/fuzz/xls/grid-allocated-per-sheet", NULL,
		       ": the workbook's sheets declare 50331648 cells (each sheet's rows x columns), for "
		       "which libfreexl would take 768 MiB");
	expect_refused("an embedded chart in a sheet (Excel's, from calamine's tests)",
		       "tests/corpus/calamine/xls_cross_sheet_chart.xls", NULL,
		       ": a sheet holds an embedded chart or object (a substream at byte 16162 of the "
		       "workbook stream), which libfreexl cannot read past");
	expect_refused("a sheet with two DIMENSIONS records", "tests/data/fuzz/xls/two-dimensions-records",
		       NULL, ": damaged workbook stream: a sheet has two DIMENSIONS records");
	expect_refused("three sheets declaring 65,536 x 256 cells each", DIR "毕业生去向登记表_declared_large.xls",
		       NULL, ": the workbook's sheets declare 50331648 cells (each sheet's rows x columns), "
		       "for which libfreexl would take 768 MiB, over the limit of 256 MiB");
	expect_refused("a register over max_grid", REG, &(xls_opts){ .max_grid = 1000 },
		       "cells (each sheet's rows x columns), for which libfreexl would take");
	expect_refused("a cell over max_cell", CELLS, &(xls_opts){ .sheet = "Cells", .max_cell = 8 },
		       ": sheet Cells row 1 column A: the cell's text is over the limit (max_field_bytes)");
	expect_refused("a row over max_row", CELLS, &(xls_opts){ .sheet = "Cells", .max_row = 30 },
		       ": sheet Cells row 3 column C: the row's cells hold more than the limit");
}

int main(void)
{
	if (access(CELLS, R_OK) != 0) {
		ok(1, "# SKIP tests/data/xls not found (run from the top directory)");
		return tap_done();
	}
	test_cells();
	test_sheet_list();
	test_register();
	test_formulas();
	test_refused();
	return tap_done();
}
