/*
 * test_spectrum.c - the csv-spectrum conformance cases through csvin.
 *
 * tests/data/csv-spectrum/ holds the CSV files of the npm package
 * csv-spectrum (csvs/NAME.csv) and, derived from its JSON by convert.js,
 * the records each must give (expected/NAME.txt: the header row first, one
 * record per line, fields separated by TAB and escaped as in PostgreSQL
 * COPY text; expected/INDEX lists the cases).  Every case is read with
 * csvin, plain and gzip'd, at every chunk size from 1 to its length + 1
 * and the default, and each record, escaped the same way, must equal its
 * expected line.  Upstream errata are handled (and documented) in
 * convert.js; no case is skipped.
 *
 * Run from the top of the source tree (tests/run.sh does), or set
 * VQR_SPECTRUM_DIR.
 */
#include "lib/readers/csvin.h"
#include "tests/unit/tap.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define MAXCASES 64
#define MAXLINES 64

static char tmpdir[256];

/* The whole file, NUL-terminated (*len without the NUL); NULL if unreadable. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)n + 1)) && fread(b, 1, (size_t)n, f) == (size_t)n) {
		b[n] = '\0';
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

/* Append field s[0..n) to out (size cap) escaped as in COPY text (see convert.js). */
static size_t esc_field(char *out, size_t o, size_t cap, const char *s, size_t n)
{
	static const char named[] = "\\\\b\bf\fn\nr\rt\tv\v";
	size_t i;

	for (i = 0; i < n && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *p = NULL;
		size_t k;

		for (k = 0; k < sizeof named - 1; k += 2)
			if ((unsigned char)named[k + 1] == c) {
				p = named + k;
				break;
			}
		if (p) {
			out[o++] = '\\';
			out[o++] = p[0];
		} else if (c < 0x20) {
			o += (size_t)sprintf(out + o, "\\%03o", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

/* The record as one expected-format line (without the LF). */
static const char *rec_line(const csvin_record *rec)
{
	static char out[8192];
	size_t o = 0, i;

	out[0] = '\0';
	for (i = 0; i < rec->nfields; i++) {
		if (i && o + 1 < sizeof out)
			out[o++] = '\t';
		o = esc_field(out, o, sizeof out, rec->fields[i], rec->lens[i]);
	}
	return out;
}

/* Read path at chunk size chunk; NULL when the records are exactly want[0..nwant). */
static const char *check_run(const char *path, size_t chunk, char **want, size_t nwant)
{
	static char msg[9000];
	csvin_opts o = { .chunk = chunk };
	char err[600];
	const csvin_record *rec;
	csvin *r = csvin_open(path, &o, err, sizeof err);
	size_t i = 0;
	int rc;

	if (!r) {
		snprintf(msg, sizeof msg, "open failed: %s", err);
		return msg;
	}
	if (strcmp(csvin_encoding(r), "utf-8") != 0 || csvin_delim(r) != ',') {
		snprintf(msg, sizeof msg, "encoding %s, delimiter 0x%02x", csvin_encoding(r),
			 csvin_delim(r));
		goto fail;
	}
	while ((rc = csvin_next(r, &rec)) == 1) {
		const char *got = rec_line(rec);

		if (i >= nwant) {
			snprintf(msg, sizeof msg, "extra record %zu at line %ld: %s", i + 1, rec->line, got);
			goto fail;
		}
		if (strcmp(got, want[i]) != 0) {
			snprintf(msg, sizeof msg, "record %zu (line %ld):\n#     got:  %s\n#     want: %s",
				 i + 1, rec->line, got, want[i]);
			goto fail;
		}
		i++;
	}
	if (rc != 0 || i != nwant) {
		snprintf(msg, sizeof msg, "rc %d after %zu of %zu records: %s", rc, i, nwant,
			 csvin_error(r));
		goto fail;
	}
	csvin_close(r);
	return NULL;
fail:
	csvin_close(r);
	return msg;
}

/* Run one case, plain and gzip'd. */
static void run_case(const char *dir, const char *name)
{
	char path[1024], *csv, *exp, *want[MAXLINES], *p;
	size_t csvlen, explen, nwant = 0;
	int gz;

	snprintf(path, sizeof path, "%s/csvs/%s.csv", dir, name);
	csv = slurp(path, &csvlen);
	snprintf(path, sizeof path, "%s/expected/%s.txt", dir, name);
	exp = slurp(path, &explen);
	if (!csv || !exp) {
		ok(0, "%s: csvs/%s.csv and expected/%s.txt are readable", name, name, name);
		free(csv);
		free(exp);
		return;
	}
	for (p = exp; *p && nwant < MAXLINES; nwant++) {
		char *nl = strchr(p, '\n');

		want[nwant] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}

	for (gz = 0; gz < 2; gz++) {
		const char *bad = NULL;
		size_t chunk, badchunk = 0;

		snprintf(path, sizeof path, "%s/%s.csv%s", tmpdir, name, gz ? ".gz" : "");
		if (gz) {
			gzFile g = gzopen(path, "wb9");

			if (!g || (csvlen && gzwrite(g, csv, (unsigned)csvlen) != (int)csvlen) ||
			    gzclose(g) != Z_OK) {
				printf("Bail out! cannot write %s\n", path);
				exit(1);
			}
		} else {
			FILE *f = fopen(path, "wb");

			if (!f || fwrite(csv, 1, csvlen, f) != csvlen || fclose(f) != 0) {
				printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
				exit(1);
			}
		}
		for (chunk = 1; chunk <= csvlen + 2 && !bad; chunk++) {
			badchunk = chunk == csvlen + 2 ? 0 : chunk;     /* last round: default */
			bad = check_run(path, badchunk, want, nwant);
		}
		ok(!bad, "csv-spectrum %s%s: header + %zu records at chunk sizes 1..%zu", name,
		   gz ? " (gzip)" : "", nwant - 1, csvlen + 1);
		if (bad)
			printf("#   chunk %zu: %s\n", badchunk, bad);
		unlink(path);
	}
	free(csv);
	free(exp);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	const char *dir = getenv("VQR_SPECTRUM_DIR");
	const char *t = getenv("TMPDIR");
	char path[1024], *index, *names[MAXCASES], *files[MAXCASES], *p;
	size_t len, n = 0, nf = 0, i;
	int same;
	DIR *d;
	struct dirent *de;

	if (!dir || !*dir)
		dir = "tests/data/csv-spectrum";
	snprintf(path, sizeof path, "%s/expected/INDEX", dir);
	index = slurp(path, &len);
	if (!index) {
		printf("Bail out! %s: %s (run from the top of the source tree)\n", path,
		       strerror(errno));
		return 1;
	}
	for (p = index; *p && n < MAXCASES; ) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		if (*p)
			names[n++] = p;
		if (!nl)
			break;
		p = nl + 1;
	}

	/* the index and csvs/ agree: no case is left out */
	snprintf(path, sizeof path, "%s/csvs", dir);
	d = opendir(path);
	while (d && (de = readdir(d)) && nf < MAXCASES) {
		size_t l = strlen(de->d_name);

		if (l > 4 && strcmp(de->d_name + l - 4, ".csv") == 0)
			files[nf++] = strndup(de->d_name, l - 4);
	}
	if (d)
		closedir(d);
	qsort(files, nf, sizeof *files, cmp_str);
	qsort(names, n, sizeof *names, cmp_str);
	same = n == nf;
	for (i = 0; same && i < n; i++)
		same = strcmp(names[i], files[i]) == 0;
	ok(same && n >= 12, "expected/INDEX lists the %zu cases in csvs/ (%zu files)", n, nf);

	snprintf(tmpdir, sizeof tmpdir, "%s/test_spectrum.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++)
		run_case(dir, names[i]);
	rmdir(tmpdir);

	for (i = 0; i < nf; i++)
		free(files[i]);
	free(index);
	return tap_done();
}
