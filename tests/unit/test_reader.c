/*
 * test_reader.c - unit tests of lib/readers/reader.c: each fixture format
 * (tests/data/formats: UTF-8, UTF-8 with a BOM, GB18030, .gz, UTF-16 and
 * .xlsx) is matched to the right reader from its name and first bytes, a
 * zip container is a workbook whatever its name, and the same register
 * read through CSV and through .xlsx gives the same cells on the same
 * lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/readers/reader.h"
#include "lib/util/mem.h"
#include "tests/unit/tap.h"

#define DIR "tests/data/formats/"

/* Every record of path, one line each: "LINE: cell|cell|...". */
static char *slurp(const char *path, const char **fmt, char *err, size_t errlen)
{
	reader *r = reader_open(path, NULL, err, errlen);
	const csvin_record *rec;
	size_t len = 0, cap = 0;
	char *out = NULL;
	int rc;

	if (!r)
		return NULL;
	*fmt = reader_format_of(r)->name;
	while ((rc = reader_next(r, &rec)) > 0) {
		/* a sheet row ends at its last non-empty cell: drop the CSV's trailing empties */
		size_t n = rec->nfields;
		while (n > 1 && rec->lens[n - 1] == 0)
			n--;
		for (size_t i = 0; i <= n; i++) {
			const char *t = i ? rec->fields[i - 1] : NULL;
			char num[32];
			size_t tl;
			if (!i) {
				snprintf(num, sizeof num, "%ld:", rec->line);
				t = num;
			}
			tl = strlen(t);
			xgrow((void **)&out, &cap, len + tl + 3, 1);
			out[len++] = i > 1 ? '|' : i ? ' ' : '\n';
			memcpy(out + len, t, tl);
			len += tl;
			out[len] = '\0';
		}
	}
	if (rc < 0)
		snprintf(err, errlen, "%s", reader_error(r));
	reader_close(r);
	return rc < 0 ? NULL : out;
}

int main(void)
{
	static const struct { const char *file, *format; } cases[] = {
		{ DIR "毕业生去向登记表_utf8.csv", "csv" },
		{ DIR "毕业生去向登记表_bom.csv", "csv" },
		{ DIR "毕业生去向登记表_gb18030.csv", "csv" },
		{ DIR "毕业生去向登记表_gz.csv.gz", "csv" },
		{ DIR "毕业生去向登记表_utf16.txt", "csv" },
		{ DIR "毕业生去向登记表_excel.xlsx", "xlsx" },
		{ "fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv", "csv" },
	};
	char err[1024], tmp[] = "/tmp/vqr-reader-XXXXXX", *csv, *xl, copy[600];
	const char *f1 = NULL, *f2 = NULL;
	FILE *in, *out;
	int fd, ch;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		is_str(reader_pick(cases[i].file)->name, cases[i].format, "%s is read as %s", cases[i].file,
		       cases[i].format);
	/* a workbook saved without its extension: the zip magic says so */
	fd = mkstemp(tmp);
	snprintf(copy, sizeof copy, "%s", tmp);
	in = fopen(DIR "毕业生去向登记表_excel.xlsx", "rb");
	out = fdopen(fd, "wb");
	while ((ch = getc(in)) != EOF)
		putc(ch, out);
	fclose(in);
	fclose(out);
	is_str(reader_pick(copy)->name, "xlsx", "a zip container without .xlsx is a workbook");
	unlink(copy);
	is_str(reader_pick("/nonexistent/a.csv")->name, "csv", "a file that cannot be read goes to CSV (which says why)");
	ok(!reader_open("/nonexistent/a.csv", NULL, err, sizeof err) && strstr(err, "/nonexistent/a.csv"),
	   "... and opening it fails with its name: %s", err);

	csv = slurp(DIR "毕业生去向登记表_utf8.csv", &f1, err, sizeof err);
	ok(csv != NULL, "the CSV register reads: %s", csv ? "" : err);
	xl = slurp(DIR "毕业生去向登记表_excel.xlsx", &f2, err, sizeof err);
	ok(xl != NULL, "the .xlsx register reads: %s", xl ? "" : err);
	ok(f1 && f2 && strcmp(f1, "csv") == 0 && strcmp(f2, "xlsx") == 0, "through the CSV and .xlsx readers");
	ok(csv && xl && strlen(csv) > 1000, "the register has rows: %zu bytes", csv ? strlen(csv) : 0);
	if (csv && xl && strcmp(csv, xl) != 0) {
		size_t i = 0;
		while (csv[i] == xl[i])
			i++;
		while (i > 0 && csv[i - 1] != '\n')
			i--;
		printf("# first difference:\n# csv:  %.200s\n# xlsx: %.200s\n", csv + i, xl + i);
	}
	ok(csv && xl && strcmp(csv, xl) == 0, "the same cells on the same lines through both");
	free(csv);
	free(xl);
	return tap_done();
}
