/*
 * test_rowcheck.c - unit tests of stages/extract/rowcheck.c: rows checked
 * against a small source built here (a type error with its line, column
 * and reason, a required field without its column, an enum value and its
 * canonical label, max_length, a null value, a good row), a CSV's text
 * guards (="2023", '2020004) and a formula without its value (an .xlsx
 * cell READER_NO_VALUE), the counts in the manifest, and what rows.tsv
 * and rejects.tsv hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/catalog/cfg.h"
#include "lib/staging/rows.h"
#include "lib/util/mem.h"
#include "stages/extract/rowcheck.h"
#include "tests/unit/tap.h"

static char dir[] = "/tmp/vqr-rowcheck-XXXXXX";

#define CONFIG "school: {code: S, name: 学校}\n" \
	"sources:\n" \
	"  g:\n" \
	"    files: [\"*g*\"]\n" \
	"    period: {type: academic_year, year: y}\n" \
	"    fields:\n" \
	"      sid: {header: 学号, type: text, required: true, not_null: true}\n" \
	"      y: {header: 届别, type: integer, required: true, not_null: true}\n" \
	"      dest: {header: 去向, type: enum, values: {就业: [企业就业], 升学: []}}\n" \
	"      major: {header: 专业, type: text, max_length: 4}\n" \
	"      pay: {header: 起薪, type: decimal, min: 0}\n" \
	"      note: {header: 备注, type: text, not_null: true}\n"

/* The config file: CONFIG in dir/t.yaml; its path (static). */
static const char *config_file(void)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/t.yaml", dir);
	if (!(f = fopen(path, "w")))
		return path;
	fputs(CONFIG, f);
	fclose(f);
	return path;
}

/* A record of n cells (the texts, not copied) on line `line`. */
static csvin_record *record(long line, size_t n, const char **cells)
{
	static char *fields[16];
	static size_t lens[16];
	static csvin_record rec;
	for (size_t i = 0; i < n; i++) {
		fields[i] = (char *)cells[i];
		lens[i] = strlen(cells[i]);
	}
	rec.nfields = n;
	rec.fields = fields;
	rec.lens = lens;
	rec.line = line;
	return &rec;
}

/* The lines of a file after its first (the column line), each in lines[]
 * (at most max); their number. */
static int read_lines(const char *path, char lines[][512], int max)
{
	FILE *f = fopen(path, "r");
	char buf[512];
	int n = -1;

	if (!f)
		return -1;
	while (fgets(buf, sizeof buf, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (n >= 0 && n < max)
			strcpy(lines[n], buf);
		n++;
	}
	fclose(f);
	return n;
}

int main(void)
{
	char err[1024], path[600], got[16][512];
	const cfg_source *s;
	manifest m = { 0 };
	rowcheck rc;
	cfg *c;
	int n;
	/* The file's columns: 学号, 届别, 去向, 专业, 起薪 (no 备注 column). */
	static const char *titles[] = { "学号", "届别", "去向", "专业", "起薪" };
	const char *good[] = { "2020001", "2023", "企业就业", "数控", "5000" };
	const char *badint[] = { "2020002", "二三", "升学", "数控", "" };
	const char *badenum[] = { "2020003", "2023", "失业", "数控技术专业", "" };
	const char *nulls[] = { "", "2023", "", "", "-1" };
	const char *guarded[] = { "'2020004", "=\"2023\"", "=\" 企业就业 \"", "'数控", "'5000" };
	const char *formula[] = { "2020005", "2023", "", "", "" };

	if (!mkdtemp(dir))
		return 1;
	c = cfg_load(config_file(), err, sizeof err);
	ok(c != NULL, "the config loads: %s", c ? "" : err);
	if (!c)
		return tap_done();
	s = cfg_source_find(c, "g");
	rowcheck_init(&rc, s, "g.csv", &m);
	snprintf(path, sizeof path, "%s/rows.tsv", dir);
	rc.rows = rows_create(path, 0, err, sizeof err);
	snprintf(path, sizeof path, "%s/rejects.tsv", dir);
	rc.rejects = rows_create(path, 0, err, sizeof err);
	rows_put(rc.rejects, "h", 1);
	rows_end(rc.rejects);
	{
		colmap *map = xcalloc(5, sizeof *map);
		char **header = xcalloc(5, sizeof *header);
		for (size_t i = 0; i < 5; i++) {
			map[i].field = cfg_field_find(s, (const char *[]){ "sid", "y", "dest", "major", "pay" }[i]);
			header[i] = xstrdup(titles[i]);
		}
		rowcheck_set_columns(&rc, 5, map, header);
	}
	ok(rc.nmissing == 1 && strcmp(s->fields[rc.missing[0]].name, "note") == 0,
	   "the not_null field without a column is found once");
	rowcheck_write_header(&rc);
	ok(rowcheck_row(&rc, record(3, 5, good)) == 0, "a good row");
	ok(m.rows_rejected == 1 && m.rows_loaded == 0, "... is rejected only for the missing 备注 column");
	/* again without that column's requirement: drop it from missing */
	rc.nmissing = 0;
	ok(rowcheck_row(&rc, record(4, 5, good)) == 0 && m.rows_loaded == 1, "a good row is loaded");
	ok(m.nperiods == 1 && strcmp(m.periods[0], "2022-2023") == 0, "... in the period of its year: %s",
	   m.nperiods ? m.periods[0] : "(none)");
	rowcheck_row(&rc, record(5, 5, badint));
	rowcheck_row(&rc, record(6, 5, badenum));
	rowcheck_row(&rc, record(7, 5, nulls));
	rc.text_guards = 1;
	ok(rowcheck_row(&rc, record(8, 5, guarded)) == 0 && m.rows_loaded == 2, "text guards: the row is loaded");
	rc.text_guards = 0;
	rc.no_value_cells = 1;
	{
		csvin_record *r = record(9, 5, formula);
		r->fields[4] = (char *)READER_NO_VALUE;
		r->lens[4] = READER_NO_VALUE_LEN;
		rowcheck_row(&rc, r);
	}
	ok(m.rows_read == 7 && m.rows_loaded == 2 && m.rows_rejected == 5, "counts: %lld read, %lld loaded, %lld rejected",
	   m.rows_read, m.rows_loaded, m.rows_rejected);
	ok(rc.printed == 7, "seven rejected cells: %ld", rc.printed);
	ok(rows_commit(rc.rows, err, sizeof err) == 0 && rows_commit(rc.rejects, err, sizeof err) == 0, "committed");
	snprintf(path, sizeof path, "%s/rows.tsv", dir);
	n = read_lines(path, got, 16);
	ok(n == 2, "two lines in rows.tsv: %d", n);
	is_str(got[0], "4\t2022-2023\t2020001\t2023\t就业\t数控\t5000", "the good row, its enum label canonical");
	is_str(got[1], "8\t2022-2023\t2020004\t2023\t就业\t'数控\t5000",
	       "guards: '2020004 (digits), =\"2023\", '5000 (a number) give the value; '数控 (text) keeps it");
	snprintf(path, sizeof path, "%s/rejects.tsv", dir);
	n = read_lines(path, got, 16);
	ok(n == 7, "seven lines in rejects.tsv: %d", n);
	is_str(got[0], "3\t\\N\t\\N\tnote\t\\N\tnot_null\t备注: a value is required (the file has no 备注 column)",
	       "a required field without its column");
	is_str(got[1], "5\t2\t届别\ty\t二三\tinteger\t届别: \"二三\" is not a number", "a type error: line, column, reason");
	is_str(got[2], "6\t3\t去向\tdest\t失业\tenum\t去向: \"失业\" is not one of: 就业, 升学", "an enum value");
	is_str(got[3], "6\t4\t专业\tmajor\t数控技术专业\tmax_length\t专业: 6 characters, more than max_length 4",
	       "max_length");
	is_str(got[4], "7\t1\t学号\tsid\t\tnot_null\t学号: a value is required", "a null value");
	is_str(got[5], "7\t5\t起薪\tpay\t-1\tmin\t起薪: -1 is below the minimum 0", "a value below its minimum");
	is_str(got[6], "9\t5\t起薪\tpay\t\\N\tformula\t起薪: a formula without a cached value; open and save the file "
	       "in Excel or LibreOffice to compute it", "a formula without its value");
	rc.rows = rc.rejects = NULL;
	rowcheck_free(&rc);
	manifest_clear(&m);
	cfg_free(c);
	unlink(config_file());
	snprintf(path, sizeof path, "%s/rows.tsv", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/rejects.tsv", dir);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
