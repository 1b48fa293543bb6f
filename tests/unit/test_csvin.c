/*
 * test_csvin.c - unit tests of the streaming CSV reader (stages/csvin.c).
 *
 * In the spirit of libcsv's test_csv.c: every input is written to a temp
 * file and read at EVERY chunk size from 1 to len+1 (opts.chunk), and each
 * run must give the same records, fields, lines and offsets.  On top of the
 * expected values, every record is checked against the raw input: its
 * offset starts a line and its line is 1 + the line breaks before it.
 */
#include "csvin.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define MAXF 8

typedef struct exp_rec {
	long line;              /* expected line */
	long long off;          /* expected offset, -1 = only the generic check */
	size_t nf;              /* expected number of fields */
	const char *f[MAXF];    /* expected fields */
} exp_rec;

typedef struct tcase {
	const char *name;       /* test name */
	const char *data;       /* file content */
	size_t len;             /* its length */
	unsigned char delim;    /* opts.delim */
	unsigned char want_delim; /* csvin_delim() */
	int want_bom;           /* csvin_had_bom() */
	const exp_rec *recs;    /* records before the end or the error */
	size_t nrecs;
	const char *want_err;   /* substring of the final error, NULL = clean end */
} tcase;

#define NREC(a) (sizeof(a) / sizeof((a)[0]))
#define CASE(name, data, delim, wdelim, bom, recs) \
	{ name, data, sizeof(data) - 1, delim, wdelim, bom, recs, NREC(recs), NULL }
#define CASE0(name, data, bom) \
	{ name, data, sizeof(data) - 1, 0, ',', bom, NULL, 0, NULL }
#define CASE_ERR(name, data, recs, err) \
	{ name, data, sizeof(data) - 1, 0, ',', 0, recs, NREC(recs), err }

static char tmpdir[256];

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void write_gz(const char *path, const void *data, size_t len)
{
	gzFile g = gzopen(path, "wb9");

	if (!g || (len > 0 && gzwrite(g, data, (unsigned)len) != (int)len) ||
	    gzclose(g) != Z_OK) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
}

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(b = malloc((size_t)n + 1)) ||
	    fread(b, 1, (size_t)n, f) != (size_t)n) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Line breaks (LF, CRLF, lone CR) in raw[0..n). */
static long breaks(const char *raw, size_t n)
{
	long b = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (raw[i] == '\n' || (raw[i] == '\r' && (i + 1 >= n || raw[i + 1] != '\n')))
			b++;
	return b;
}

/* C-escape s for diagnostics. */
static const char *esc(const char *s, size_t n)
{
	static char out[4][200];
	static int k;
	char *o = out[k++ % 4];
	size_t i, j = 0;

	for (i = 0; i < n && j < sizeof out[0] - 8; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			j += (size_t)sprintf(o + j, "\\n");
		else if (c == '\r')
			j += (size_t)sprintf(o + j, "\\r");
		else if (c == '\t')
			j += (size_t)sprintf(o + j, "\\t");
		else if (c < 0x20)
			j += (size_t)sprintf(o + j, "\\x%02x", c);
		else
			o[j++] = (char)c;
	}
	o[j] = '\0';
	return o;
}

/*
 * Read path with the given chunk size and compare with tc.  raw is the
 * decoded content (for the offset/line cross-check).  Returns NULL when
 * everything matches, else a description of the first difference.
 */
static const char *check_run(const char *path, const tcase *tc, size_t chunk)
{
	static char msg[1024];
	csvin_opts o = { .delim = tc->delim, .chunk = chunk };
	char err[512];
	const csvin_record *rec;
	csvin *r;
	size_t i = 0, k;
	int rc;

	r = csvin_open(path, &o, err, sizeof err);
	if (!r) {
		snprintf(msg, sizeof msg, "open failed: %s", err);
		return msg;
	}
	if (csvin_delim(r) != tc->want_delim) {
		snprintf(msg, sizeof msg, "delimiter 0x%02x, want 0x%02x",
			 csvin_delim(r), tc->want_delim);
		goto fail;
	}
	if (csvin_had_bom(r) != tc->want_bom) {
		snprintf(msg, sizeof msg, "had_bom %d, want %d", csvin_had_bom(r), tc->want_bom);
		goto fail;
	}
	while ((rc = csvin_next(r, &rec)) == 1) {
		const exp_rec *e;

		if (i >= tc->nrecs) {
			snprintf(msg, sizeof msg, "extra record %zu at line %ld", i, rec->line);
			goto fail;
		}
		e = &tc->recs[i];
		if (rec->line != e->line) {
			snprintf(msg, sizeof msg, "record %zu: line %ld, want %ld", i, rec->line, e->line);
			goto fail;
		}
		if (e->off >= 0 && rec->offset != e->off) {
			snprintf(msg, sizeof msg, "record %zu: offset %lld, want %lld",
				 i, rec->offset, e->off);
			goto fail;
		}
		if (rec->offset < (tc->want_bom ? 3 : 0) || rec->offset > (long long)tc->len ||
		    (rec->offset > (tc->want_bom ? 3 : 0) &&
		     tc->data[rec->offset - 1] != '\n' && tc->data[rec->offset - 1] != '\r') ||
		    1 + breaks(tc->data, (size_t)rec->offset) != rec->line) {
			snprintf(msg, sizeof msg, "record %zu: offset %lld and line %ld disagree with the input",
				 i, rec->offset, rec->line);
			goto fail;
		}
		if (rec->nfields != e->nf) {
			snprintf(msg, sizeof msg, "record %zu: %zu fields, want %zu", i, rec->nfields, e->nf);
			goto fail;
		}
		for (k = 0; k < e->nf; k++) {
			size_t wl = strlen(e->f[k]);

			if (rec->lens[k] != wl || memcmp(rec->fields[k], e->f[k], wl) != 0 ||
			    rec->fields[k][wl] != '\0') {
				snprintf(msg, sizeof msg, "record %zu field %zu: '%s' (%zu bytes), want '%s'",
					 i, k, esc(rec->fields[k], rec->lens[k]), rec->lens[k],
					 esc(e->f[k], wl));
				goto fail;
			}
		}
		i++;
	}
	if (i != tc->nrecs) {
		snprintf(msg, sizeof msg, "%zu records, want %zu (rc %d, %s)", i, tc->nrecs, rc,
			 csvin_error(r));
		goto fail;
	}
	if (tc->want_err) {
		if (rc != -1 || !strstr(csvin_error(r), tc->want_err) ||
		    strncmp(csvin_error(r), path, strlen(path)) != 0) {
			snprintf(msg, sizeof msg, "rc %d error '%s', want -1 and '%s'", rc,
				 csvin_error(r), tc->want_err);
			goto fail;
		}
	} else if (rc != 0) {
		snprintf(msg, sizeof msg, "rc %d at the end: %s", rc, csvin_error(r));
		goto fail;
	}
	if (csvin_next(r, &rec) != rc || csvin_next(r, &rec) != rc) {
		snprintf(msg, sizeof msg, "the end (%d) is not sticky", rc);
		goto fail;
	}
	csvin_close(r);
	return NULL;
fail:
	csvin_close(r);
	return msg;
}

/* Run tc at every chunk size from 1 to len+1 (and the default), plain or gzip. */
static void run_case(const tcase *tc, int gz)
{
	char path[512];
	const char *bad = NULL;
	size_t chunk, badchunk = 0;

	snprintf(path, sizeof path, "%s/case%s", tmpdir, gz ? ".csv.gz" : ".csv");
	if (gz)
		write_gz(path, tc->data, tc->len);
	else
		write_file(path, tc->data, tc->len);
	for (chunk = 1; chunk <= tc->len + 2 && !bad; chunk++) {
		badchunk = chunk == tc->len + 2 ? 0 : chunk;    /* last round: default 64 KiB */
		bad = check_run(path, tc, badchunk);
	}
	ok(!bad, "%s%s: %zu records at chunk sizes 1..%zu", tc->name, gz ? " (gzip)" : "",
	   tc->nrecs, tc->len + 1);
	if (bad)
		printf("#   chunk %zu: %s\n", badchunk, bad);
	unlink(path);
}

/* ---- the cases ---- */

static const exp_rec r_lf[] = {
	{ 1, 0, 3, { "a", "b", "c" } },
	{ 2, 6, 3, { "1", "2", "3" } },
};
static const exp_rec r_crlf[] = {
	{ 1, 0, 2, { "a", "b" } },
	{ 2, 5, 2, { "1", "2" } },
};
static const exp_rec r_mixed[] = {
	{ 1, 0, 2, { "a", "b" } },
	{ 2, 5, 2, { "1", "2" } },
	{ 3, 9, 2, { "3", "4" } },
	{ 5, 16, 2, { "5", "6" } },
};
static const exp_rec r_blank[] = {
	{ 3, 2, 2, { "a", "b" } },
	{ 6, 8, 2, { "c", "d" } },
};
static const exp_rec r_lonecr[] = {
	{ 1, 0, 2, { "a", "b" } },
	{ 2, 4, 2, { "c", "d" } },
	{ 4, 9, 2, { "e", "f" } },
};
static const exp_rec r_qnl[] = {
	{ 1, 0, 2, { "h1", "h2" } },
	{ 2, 6, 2, { "multi\nline", "x" } },
	{ 4, 21, 2, { "next", "y" } },
};
static const exp_rec r_qcrlf[] = {
	{ 1, 0, 2, { "h1", "h2" } },
	{ 2, 7, 2, { "multi\r\nline\r\n", "x" } },
	{ 5, 26, 2, { "next", "y" } },
};
static const exp_rec r_qblank[] = {
	{ 1, 0, 2, { "a\n\n\nb", "c" } },
	{ 6, 11, 1, { "d" } },
};
static const exp_rec r_quotes[] = {
	{ 1, 0, 3, { "he said \"hi\"", "a,b", "\"" } },
	{ 2, -1, 2, { "", "x\"y" } },
};
static const exp_rec r_empty[] = {
	{ 1, 0, 3, { "", "", "" } },
	{ 2, 3, 3, { "", "x", "" } },
	{ 3, 9, 1, { "" } },
};
static const exp_rec r_trail[] = {
	{ 1, 0, 3, { "a", "b", "" } },
	{ 2, 5, 3, { "c", "", "" } },
};
static const exp_rec r_nofinal[] = {
	{ 1, 0, 2, { "a", "b" } },
	{ 2, 4, 2, { "c", "d" } },
};
static const exp_rec r_nofinal_q[] = {
	{ 1, 0, 2, { "a", "b" } },
	{ 2, 5, 2, { "c", "d\ne" } },
};
static const exp_rec r_ws[] = {
	{ 1, 0, 3, { "  ", "a ", " b" } },
	{ 2, 9, 1, { " \t " } },
	{ 3, 13, 2, { " q ", "" } },
};
static const exp_rec r_bom[] = {
	{ 1, 3, 2, { "id", "name" } },
	{ 2, 11, 2, { "1", "x" } },
};
static const exp_rec r_bomq[] = {
	{ 1, 3, 2, { "id", "a\"b" } },
};
static const exp_rec r_notbom[] = {
	{ 1, 0, 2, { "\xEF\xBBx", "y" } },
};
static const exp_rec r_midbom[] = {
	{ 1, 0, 1, { "a" } },
	{ 2, 2, 1, { "\xEF\xBB\xBF" "b" } },
};
static const exp_rec r_bomcrlf[] = {
	{ 3, 7, 2, { "a", "b" } },
};
static const exp_rec r_tab[] = {
	{ 1, 0, 3, { "a", "b c", "d,e" } },
	{ 2, -1, 3, { "1", "2", "3" } },
};
static const exp_rec r_semi[] = {
	{ 1, 0, 3, { "a", "b", "c" } },
	{ 2, -1, 3, { "1,5", "2", "3" } },
};
static const exp_rec r_semi_q[] = {
	{ 1, 0, 3, { "x,y,z,w", "b", "c" } },
	{ 2, -1, 3, { "1", "2", "3" } },
};
static const exp_rec r_comma_q[] = {
	{ 1, 0, 2, { "a;b;c;d", "e" } },
	{ 2, -1, 2, { "1;2", "3" } },
};
static const exp_rec r_tab_q[] = {
	{ 1, 0, 2, { "a,b,c", "d;e" } },
};
static const exp_rec r_semi_nl[] = {
	{ 1, 0, 3, { "x\n,,,,", "b", "c" } },
	{ 3, -1, 3, { "1", "2", "3" } },
};
static const exp_rec r_blankfirst[] = {
	{ 3, 3, 2, { "a", "b" } },
};
static const exp_rec r_single[] = {
	{ 1, 0, 1, { "abc" } },
	{ 2, 4, 1, { "d e" } },
};
static const exp_rec r_forced[] = {
	{ 1, 0, 2, { "a,b", "c" } },
};
static const exp_rec r_zh[] = {
	{ 1, 3, 3, { "学号", "姓名", "专业" } },
	{ 2, -1, 3, { "2021001", "张三", "计算机应用，技术" } },
	{ 3, -1, 3, { "2021002", "李四", "数控,加工\n（中级）" } },
	{ 5, -1, 3, { "2021003", " 王五 ", "" } },
};
static const exp_rec r_ragged[] = {
	{ 1, 0, 3, { "a", "b", "c" } },
	{ 2, 6, 1, { "1" } },
	{ 3, 8, 4, { "1", "2", "3", "4" } },
};
static const exp_rec r_stray[] = {
	{ 1, 0, 2, { "size 5\"", "b" } },
	{ 2, 10, 2, { "x", "y" } },
};
static const exp_rec r_unterm[] = {
	{ 1, 0, 2, { "a", "b" } },
};
static const exp_rec r_unterm2[] = {
	{ 1, 0, 2, { "a", "b" } },
	{ 3, -1, 2, { "c", "d" } },
};

static const tcase cases[] = {
	CASE("LF", "a,b,c\n1,2,3\n", 0, ',', 0, r_lf),
	CASE("CRLF", "a,b\r\n1,2\r\n", 0, ',', 0, r_crlf),
	CASE("mixed LF/CRLF and a blank CRLF line", "a,b\r\n1,2\n3,4\r\n\r\n5,6", 0, ',', 0, r_mixed),
	CASE("blank lines (LF)", "\n\na,b\n\n\nc,d\n\n", 0, ',', 0, r_blank),
	CASE("blank lines (CRLF)", "\r\n\r\na,b\r\n\r\n\r\nc,d\r\n\r\n", 0, ',', 0,
	     ((const exp_rec[]){ { 3, 4, 2, { "a", "b" } }, { 6, 13, 2, { "c", "d" } } })),
	CASE("lone CR line ends", "a,b\rc,d\r\re,f", 0, ',', 0, r_lonecr),
	CASE("quoted LF inside a field", "h1,h2\n\"multi\nline\",x\nnext,y\n", 0, ',', 0, r_qnl),
	CASE("quoted CRLF inside a field", "h1,h2\r\n\"multi\r\nline\r\n\",x\r\nnext,y\r\n", 0, ',', 0,
	     r_qcrlf),
	CASE("quoted blank lines", "\"a\n\n\nb\",c\n\nd\n", 0, ',', 0, r_qblank),
	CASE("embedded quotes and delimiters", "\"he said \"\"hi\"\"\",\"a,b\",\"\"\"\"\n\"\",x\"y\n",
	     0, ',', 0, r_quotes),
	CASE("empty fields", ",,\n\"\",x,\n\"\"\n", 0, ',', 0, r_empty),
	CASE("trailing delimiter", "a,b,\nc,,\n", 0, ',', 0, r_trail),
	CASE("no final newline", "a,b\nc,d", 0, ',', 0, r_nofinal),
	CASE("no final newline, quoted last field", "a,b\r\nc,\"d\ne\"", 0, ',', 0, r_nofinal_q),
	CASE("whitespace kept", "  ,a , b\n \t \n\" q \",\n", 0, ',', 0, r_ws),
	CASE("BOM", "\xEF\xBB\xBFid,name\n1,x\n", 0, ',', 1, r_bom),
	CASE("BOM then quoted field", "\xEF\xBB\xBFid,\"a\"\"b\"", 0, ',', 1, r_bomq),
	CASE0("BOM only", "\xEF\xBB\xBF", 1),
	CASE0("empty file", "", 0),
	CASE0("only blank lines", "\r\n\n\r", 0),
	CASE("almost a BOM", "\xEF\xBBx,y\n", 0, ',', 0, r_notbom),
	CASE("BOM bytes later are data", "a\n\xEF\xBB\xBF" "b\n", 0, ',', 0, r_midbom),
	CASE("BOM, blank CRLF lines", "\xEF\xBB\xBF\r\n\r\na,b\r\n", 0, ',', 1, r_bomcrlf),
	CASE("detect tab", "a\tb c\td,e\n1\t2\t3\n", 0, '\t', 0, r_tab),
	CASE("detect semicolon", "a;b;c\n1,5;2;3\n", 0, ';', 0, r_semi),
	CASE("detect semicolon despite quoted commas", "\"x,y,z,w\";b;c\n1;2;3\n", 0, ';', 0,
	     r_semi_q),
	CASE("detect comma despite quoted semicolons", "\"a;b;c;d\",e\n\"1;2\",3\n", 0, ',', 0,
	     r_comma_q),
	CASE("detect tab despite quoted commas", "\"a,b,c\"\t\"d;e\"\n", 0, '\t', 0, r_tab_q),
	CASE("detect across a quoted newline", "\"x\n,,,,\";b;c\n1;2;3\n", 0, ';', 0, r_semi_nl),
	CASE("detect after blank lines", "\n\r\na;b\n", 0, ';', 0,
	     ((const exp_rec[]){ { 3, 3, 2, { "a", "b" } } })),
	CASE("detect after blank lines (comma)", "\n\r\na,b\n", 0, ',', 0, r_blankfirst),
	CASE("detect: no delimiter at all", "abc\nd e\n", 0, ',', 0, r_single),
	CASE("configured delimiter", "a,b;c\n", ';', ';', 0, r_forced),
	CASE("Chinese UTF-8", "\xEF\xBB\xBF学号,姓名,专业\r\n2021001,张三,计算机应用，技术\r\n"
	     "2021002,李四,\"数控,加工\n（中级）\"\r\n2021003, 王五 ,\r\n", 0, ',', 1, r_zh),
	CASE("ragged rows", "a,b,c\n1\n1,2,3,4\n", 0, ',', 0, r_ragged),
	CASE("stray quote in an unquoted field", "size 5\",b\nx,y\n", 0, ',', 0, r_stray),
	CASE_ERR("unterminated quote at end of file", "a,b\n\"open,c\nd\n", r_unterm,
		 ":2: quoted field not closed"),
	CASE_ERR("unterminated quote after a quoted field", "a,b\n\n\"c\",d\ne,\"f\"\"\n", r_unterm2,
		 ":4: quoted field not closed"),
};

/* ---- special tests ---- */

static void test_missing(void)
{
	char path[512], err[600];
	csvin *r;

	snprintf(path, sizeof path, "%s/no-such-file.csv", tmpdir);
	err[0] = '\0';
	r = csvin_open(path, NULL, err, sizeof err);
	ok(r == NULL, "missing file: open fails");
	ok(strncmp(err, path, strlen(path)) == 0 && strstr(err, strerror(ENOENT)),
	   "missing file: error names the path and the reason");
	printf("#   %s\n", err);
	csvin_close(r);

	r = csvin_open(tmpdir, NULL, err, sizeof err);
	ok(r == NULL && strstr(err, strerror(EISDIR)) && strncmp(err, tmpdir, strlen(tmpdir)) == 0,
	   "directory: open fails with \"%s\"", err);
	csvin_close(r);

	r = csvin_open(path, &(csvin_opts){ .delim = '"' }, err, sizeof err);
	ok(r == NULL && strstr(err, "delimiter"), "quote as delimiter is refused");
	csvin_close(r);
}

/* A file in which every record is "i,text i\n", big enough for several gzip blocks. */
static char *make_numbered(size_t nrec, size_t *len)
{
	char *b = malloc(nrec * 64);
	size_t i, n = 0;

	if (!b)
		exit(1);
	for (i = 0; i < nrec; i++)
		n += (size_t)sprintf(b + n, "%zu,\"text %zu\nsecond line %zu\"\n", i, i * 7919 % 100003,
				     i);
	*len = n;
	return b;
}

static void test_truncated_gz(void)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 100, 4096, 65536, 0 };
	char path[512], full[512];
	size_t len, gzlen, c, t;
	char *data = make_numbered(3000, &len);
	unsigned char *gzdata;

	snprintf(full, sizeof full, "%s/full.csv.gz", tmpdir);
	snprintf(path, sizeof path, "%s/trunc.csv.gz", tmpdir);
	write_gz(full, data, len);
	gzdata = read_all(full, &gzlen);
	ok(gzlen > 1000 && gzlen < len, "gzip test file: %zu bytes of data, %zu compressed", len,
	   gzlen);

	/* keep: a header only, half, all but the trailer, all but one byte */
	size_t keeps[] = { 10, 12, gzlen / 2, gzlen - 8, gzlen - 1 };
	for (t = 0; t < sizeof keeps / sizeof keeps[0]; t++) {
		long nrec_first = -1;
		int good = 1;
		char why[800] = "";

		write_file(path, gzdata, keeps[t]);
		for (c = 0; c < sizeof chunks / sizeof chunks[0] && good; c++) {
			csvin_opts o = { .delim = 0, .chunk = chunks[c] };
			char err[512];
			const csvin_record *rec;
			csvin *r = csvin_open(path, &o, err, sizeof err);
			long n = 0;
			int rc;

			if (!r) {
				snprintf(why, sizeof why, "chunk %zu: open failed: %s", chunks[c], err);
				good = 0;
				break;
			}
			while ((rc = csvin_next(r, &rec)) == 1) {
				char want[64];
				int wl = sprintf(want, "%ld", n);

				/* every record delivered is a complete, correct one */
				if (rec->nfields != 2 || rec->lens[0] != (size_t)wl ||
				    strcmp(rec->fields[0], want) != 0 || rec->line != 2 * n + 1 ||
				    !strstr(rec->fields[1], "second line")) {
					snprintf(why, sizeof why, "chunk %zu: bad record %ld", chunks[c], n);
					good = 0;
				}
				n++;
			}
			if (rc != -1 || !strstr(csvin_error(r), "truncated") ||
			    strncmp(csvin_error(r), path, strlen(path)) != 0) {
				snprintf(why, sizeof why, "chunk %zu: rc %d after %ld records: '%s'",
					 chunks[c], rc, n, csvin_error(r));
				good = 0;
			} else if (nrec_first >= 0 && n != nrec_first) {
				snprintf(why, sizeof why, "chunk %zu: %ld records, chunk 1 gave %ld",
					 chunks[c], n, nrec_first);
				good = 0;
			}
			if (c == 0) {
				nrec_first = n;
				printf("#   %zu of %zu bytes: %ld records, then: %s\n", keeps[t], gzlen, n,
				       csvin_error(r));
			}
			csvin_close(r);
		}
		ok(good, "gzip truncated to %zu of %zu bytes: error at every chunk size", keeps[t],
		   gzlen);
		if (!good)
			printf("#   %s\n", why);
	}

	/* a corrupt byte in the middle of the deflate data */
	gzdata[gzlen / 2] ^= 0x55;
	write_file(path, gzdata, gzlen);
	{
		csvin *r = csvin_open(path, NULL, NULL, 0);
		const csvin_record *rec;
		int rc = -2;

		if (r)
			while ((rc = csvin_next(r, &rec)) == 1)
				;
		ok(r && rc == -1 && strncmp(csvin_error(r), path, strlen(path)) == 0,
		   "corrupt gzip: error \"%s\"", r ? csvin_error(r) : "(open failed)");
		csvin_close(r);
	}

	/* the untouched file reads to the end, gzip and plain alike */
	for (t = 0; t < 2; t++) {
		csvin *r;
		const csvin_record *rec;
		long n = 0;
		int rc, good = 1;

		if (t == 1)
			write_file(path, data, len);
		r = csvin_open(t ? path : full, NULL, NULL, 0);
		while (r && (rc = csvin_next(r, &rec)) == 1) {
			if (rec->line != 2 * n + 1 || rec->nfields != 2 || atol(rec->fields[0]) != n)
				good = 0;
			n++;
		}
		ok(r && rc == 0 && good && n == 3000, "%s 3000-record file reads completely (%ld)",
		   t ? "plain" : "gzip", n);
		csvin_close(r);
	}
	unlink(path);
	unlink(full);
	free(gzdata);
	free(data);
}

static void test_large_record(void)
{
	static const size_t chunks[] = { 1, 2, 3, 5, 7, 64, 1000, 4093, 65536, 0, 0 };
	size_t blob_len = 100 * 1024, len, i, c, nl = 0;
	char *blob = malloc(blob_len + 1), *data = malloc(blob_len + 64);
	char path[512];
	int good = 1;

	if (!blob || !data)
		exit(1);
	for (i = 0; i < blob_len; i++) {
		blob[i] = i % 1000 == 999 ? '\n' : i % 77 == 0 ? ',' : (char)('a' + i % 26);
		nl += blob[i] == '\n';
	}
	blob[blob_len] = '\0';
	len = (size_t)sprintf(data, "id,blob\n1,\"%s\"\n2,end\n", blob);
	snprintf(path, sizeof path, "%s/large.csv", tmpdir);
	write_file(path, data, len);

	for (c = 0; c < sizeof chunks / sizeof chunks[0] && good; c++) {
		size_t chunk = c == sizeof chunks / sizeof chunks[0] - 1 ? len + 1 : chunks[c];
		csvin_opts o = { .chunk = chunk };
		const csvin_record *rec;
		csvin *r = csvin_open(path, &o, NULL, 0);

		good = r && csvin_delim(r) == ',' &&
		       csvin_next(r, &rec) == 1 && rec->line == 1 &&
		       csvin_next(r, &rec) == 1 && rec->line == 2 && rec->offset == 8 &&
		       rec->nfields == 2 && rec->lens[1] == blob_len &&
		       memcmp(rec->fields[1], blob, blob_len + 1) == 0 &&
		       csvin_next(r, &rec) == 1 && rec->line == (long)(3 + nl) &&
		       rec->offset == (long long)(len - 6) && strcmp(rec->fields[1], "end") == 0 &&
		       csvin_next(r, &rec) == 0;
		if (!good)
			printf("#   chunk %zu failed\n", chunk);
		csvin_close(r);
	}
	ok(good, "100 KB quoted field with %zu newlines at chunk sizes 1..%zu", nl, len + 1);

	/* the same as gzip */
	snprintf(path, sizeof path, "%s/large.csv.gz", tmpdir);
	write_gz(path, data, len);
	{
		const csvin_record *rec;
		csvin *r = csvin_open(path, &(csvin_opts){ .chunk = 3 }, NULL, 0);

		good = r && csvin_next(r, &rec) == 1 && csvin_next(r, &rec) == 1 &&
		       rec->lens[1] == blob_len && memcmp(rec->fields[1], blob, blob_len) == 0 &&
		       csvin_next(r, &rec) == 1 && rec->line == (long)(3 + nl) &&
		       csvin_next(r, &rec) == 0;
		ok(good, "100 KB field from gzip");
		csvin_close(r);
	}
	unlink(path);
	snprintf(path, sizeof path, "%s/large.csv", tmpdir);
	unlink(path);
	free(blob);
	free(data);
}

static void test_nul_and_reuse(void)
{
	static const char data[] = "a\0b,c\nd,e,f\n";
	char path[512];
	const csvin_record *rec, *first;
	csvin *r;

	snprintf(path, sizeof path, "%s/nul.csv", tmpdir);
	write_file(path, data, sizeof data - 1);
	r = csvin_open(path, &(csvin_opts){ .delim = ',', .chunk = 2 }, NULL, 0);
	ok(r && csvin_next(r, &rec) == 1 && rec->nfields == 2 && rec->lens[0] == 3 &&
	   memcmp(rec->fields[0], "a\0b", 4) == 0, "a NUL byte stays in the field, lens tells");
	first = rec;
	ok(r && csvin_next(r, &rec) == 1 && rec == first && rec->nfields == 3 &&
	   strcmp(rec->fields[2], "f") == 0, "the record struct is reused");
	ok(r && csvin_next(r, &rec) == 0 && rec == NULL, "end of input sets *rec to NULL");
	csvin_close(r);
	csvin_close(NULL);
	unlink(path);
}

int main(void)
{
	size_t i;
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/test_csvin.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}

	for (i = 0; i < NREC(cases); i++)
		run_case(&cases[i], 0);
	/* gzip gives the same records */
	for (i = 0; i < NREC(cases); i++)
		if (strstr(cases[i].name, "CRLF") || strstr(cases[i].name, "BOM") ||
		    strstr(cases[i].name, "Chinese") || strstr(cases[i].name, "quoted") ||
		    strstr(cases[i].name, "empty file") || strstr(cases[i].name, "unterminated"))
			run_case(&cases[i], 1);

	test_missing();
	test_truncated_gz();
	test_large_record();
	test_nul_and_reuse();

	rmdir(tmpdir);
	return tap_done();
}
