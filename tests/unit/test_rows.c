/*
 * test_rows.c - COPY text files between stages: escaping round trips,
 * NULLs, gzip and plain, long lines, a truncated file, atomic commit,
 * lines split at every place of the reader's 16-byte steps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/staging/rows.h"
#include "tests/unit/tap.h"

static const char *const vals[] = {
	"plain", "", "tab\there", "new\nline", "back\\slash", "cr\rx", "数控加工", "\\N", "a\\tb",
};
#define NV (sizeof vals / sizeof vals[0])

static void roundtrip(int level)
{
	char dir[] = "/tmp/vqr-rows-XXXXXX", path[256], err[512];
	rows_writer *w;
	rows_reader *r;
	int n, line = 0, good = 1;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof path, "%s/x.gz", dir);
	w = rows_create(path, level, err, sizeof err);
	ok(w != NULL, "level %d: create", level);
	ok(access(path, F_OK) != 0, "level %d: nothing at the final name before commit", level);
	for (int i = 0; i < 1000; i++) {
		for (size_t k = 0; k < NV; k++)
			rows_put(w, vals[k], strlen(vals[k]));
		rows_put_null(w);
		rows_putf(w, "%d", i);
		rows_end(w);
	}
	is_int(rows_commit(w, err, sizeof err), 0, "level %d: commit", level);
	ok(access(path, F_OK) == 0, "level %d: the file is in place after commit", level);
	snprintf(err, sizeof err, "%s/x.gz.tmp", dir);
	ok(access(err, F_OK) != 0, "level %d: no temporary file is left", level);
	r = rows_open(path, err, sizeof err);
	ok(r != NULL, "level %d: open", level);
	while ((n = rows_next(r)) > 0) {
		char num[16];
		if (n != (int)NV + 2)
			good = 0;
		for (size_t k = 0; k < NV && good; k++)
			if (!rows_field(r, (int)k) || strcmp(rows_field(r, (int)k), vals[k]) != 0)
				good = 0;
		snprintf(num, sizeof num, "%d", line);
		if (rows_field(r, NV) != NULL || strcmp(rows_field(r, NV + 1), num) != 0)
			good = 0;
		line++;
	}
	is_int(n, 0, "level %d: clean end of file", level);
	is_int(line, 1000, "level %d: every line read back", level);
	ok(good, "level %d: every field survives escaping, NULL stays NULL", level);
	rows_close(r);
	unlink(path);
	rmdir(dir);
}

/* Stored fields (COPY text) for test_split, and what each reads as: the
 * plain ones and \N take the fast path, the others make the line go
 * through the unescaping one.  NULL: \N. */
static const struct { const char *stored, *value; } pieces[] = {
	{ "", "" }, { "a", "a" }, { "\\N", NULL }, { "数控加工", "数控加工" },
	{ "abcdefghijklmnopq", "abcdefghijklmnopq" }, { "N", "N" }, { "x\\ty", "x\ty" },
	{ "\\Nx", "Nx" }, { "y\\N", "yN" }, { "\\\\N", "\\N" },
};
#define NP (sizeof pieces / sizeof pieces[0])

/* Lines of 1 to 40 random fields (so that tabs and \N fall at every
 * place of the 16-byte steps), some with escapes, each read back field
 * by field, with its length. */
static void test_split(void)
{
	char dir[] = "/tmp/vqr-rows-XXXXXX", path[256], err[512], line[4096];
	int nf[3000], pick[3000][40], bad = 0, n, k = 0;
	rows_writer *w;
	rows_reader *r;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof path, "%s/split", dir);
	w = rows_create(path, 0, err, sizeof err);
	srand(11);
	for (int i = 0; i < 3000; i++) {
		size_t len = 0;
		nf[i] = 1 + rand() % 40;
		for (int j = 0; j < nf[i]; j++) {
			/* every third line plain: only the first six pieces */
			pick[i][j] = rand() % (i % 3 ? (int)NP : 6);
			len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", j ? "\t" : "",
						pieces[pick[i][j]].stored);
		}
		rows_put_line(w, line, len);
	}
	is_int(rows_commit(w, err, sizeof err), 0, "split: commit");
	r = rows_open(path, err, sizeof err);
	while (r && (n = rows_next(r)) > 0 && k < 3000) {
		const size_t *lens;
		char *const *fields = rows_fields(r, &lens);
		if (n != nf[k])
			bad++;
		for (int j = 0; j < n && j < nf[k]; j++) {
			const char *want = pieces[pick[k][j]].value;
			if (want ? !fields[j] || strcmp(fields[j], want) != 0 || lens[j] != strlen(want)
				 : fields[j] != NULL || lens[j] != 0)
				bad++;
		}
		k++;
	}
	is_int(k, 3000, "split: every line read");
	ok(bad == 0, "split: every field and length as stored, \\N as NULL, wherever it falls (%d wrong)", bad);
	rows_close(r);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	char dir[] = "/tmp/vqr-rows-XXXXXX", path[256], err[512];
	rows_writer *w;
	rows_reader *r;
	FILE *f;
	size_t len;
	const char *raw;
	char *big;

	roundtrip(0);
	roundtrip(1);
	test_split();

	if (!mkdtemp(dir))
		return 1;
	/* Raw lines come back as stored. */
	snprintf(path, sizeof path, "%s/raw", dir);
	w = rows_create(path, 0, err, sizeof err);
	rows_put(w, "a\tb", 3);
	rows_put_null(w);
	rows_end(w);
	rows_put_line(w, "x\\ty", 4);
	rows_commit(w, err, sizeof err);
	r = rows_open(path, err, sizeof err);
	raw = rows_next_raw(r, &len);
	is_str(raw, "a\\tb\t\\N", "raw line 1 is escaped as COPY text");
	raw = rows_next_raw(r, &len);
	is_str(raw, "x\\ty", "raw line 2 as put");
	is_int(rows_lineno(r), 2, "line number");
	ok(rows_next_raw(r, &len) == NULL && rows_error(r)[0] == '\0', "clean end");
	rows_close(r);

	/* A line longer than the read buffer. */
	big = malloc(600000);
	memset(big, 'x', 599999);
	big[599999] = '\0';
	w = rows_create(path, 1, err, sizeof err);
	rows_put(w, big, strlen(big));
	rows_put(w, "end", 3);
	rows_end(w);
	rows_commit(w, err, sizeof err);
	r = rows_open(path, err, sizeof err);
	is_int(rows_next(r), 2, "a 600 kB field is read as one field");
	ok(strlen(rows_field(r, 0)) == 599999 && strcmp(rows_field(r, 1), "end") == 0, "and intact");
	rows_close(r);
	free(big);

	/* A file cut in the middle of a line is an error, not a short line. */
	f = fopen(path, "w");
	fputs("a\tb\nc\td", f);
	fclose(f);
	r = rows_open(path, err, sizeof err);
	is_int(rows_next(r), 2, "first line");
	is_int(rows_next(r), -1, "a last line without newline is an error");
	ok(strstr(rows_error(r), ":2: last line has no newline") != NULL, "the error names the line: %s", rows_error(r));
	rows_close(r);

	/* A truncated gzip file. */
	w = rows_create(path, 6, err, sizeof err);
	for (int i = 0; i < 20000; i++) {
		rows_putf(w, "%d", i * 7919);
		rows_end(w);
	}
	rows_commit(w, err, sizeof err);
	ok(truncate(path, 2000) == 0, "truncate the gzip file");
	r = rows_open(path, err, sizeof err);
	{
		int n;
		while ((n = rows_next(r)) > 0)
			;
		is_int(n, -1, "a truncated gzip file is an error");
	}
	rows_close(r);

	/* Missing file, unwritable directory. */
	ok(rows_open("/nonexistent/x", err, sizeof err) == NULL && strstr(err, "/nonexistent/x"), "open error names the path");
	ok(rows_create("/nonexistent/x", 1, err, sizeof err) == NULL && strstr(err, "/nonexistent/x.tmp"), "create error names the path");
	/* Abort leaves nothing behind. */
	snprintf(path, sizeof path, "%s/aborted", dir);
	w = rows_create(path, 1, err, sizeof err);
	rows_put(w, "x", 1);
	rows_abort(w);
	snprintf(err, sizeof err, "%s/aborted.tmp", dir);
	ok(access(path, F_OK) != 0 && access(err, F_OK) != 0, "abort removes the temporary file");
	snprintf(path, sizeof path, "rm -rf %s", dir);
	if (system(path) != 0)
		return 1;
	return tap_done();
}
