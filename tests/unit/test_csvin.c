/*
 * test_csvin.c - unit tests of the streaming CSV reader (lib/readers/csvin.c).
 *
 * In the spirit of libcsv's test_csv.c: every input is written to a temp
 * file and read at EVERY chunk size from 1 to len+1 (opts.chunk), and each
 * run must give the same records, fields, lines and offsets.  On top of the
 * expected values, every record is checked against the raw input: its
 * offset starts a line and its line is 1 + the line breaks before it.
 *
 * Encodings: one table is written as UTF-8, UTF-8 with BOM, GB18030 (with
 * and without its BOM), UTF-16LE and UTF-16BE with BOM (tab-separated, as
 * Excel's "Unicode text"), converted with iconv here, and must give the
 * same records, lines and decoded offsets at every chunk size, plain and
 * gzip, with raw offsets that match the encoded file.  Invalid bytes in
 * each encoding must stop the reading with the exact line and raw offset.
 */
#include "lib/readers/csvin.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <iconv.h>
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
	const char *enc;        /* opts.encoding (NULL = auto) */
} tcase;

#define NREC(a) (sizeof(a) / sizeof((a)[0]))
#define CASE(name, data, delim, wdelim, bom, recs) \
	{ name, data, sizeof(data) - 1, delim, wdelim, bom, recs, NREC(recs), NULL, NULL }
#define CASE0(name, data, bom) \
	{ name, data, sizeof(data) - 1, 0, ',', bom, NULL, 0, NULL, NULL }
#define CASE_ERR(name, data, recs, err) \
	{ name, data, sizeof(data) - 1, 0, ',', 0, recs, NREC(recs), err, NULL }
/* UTF-8 configured: invalid UTF-8 is an error */
#define CASE_U8ERR(name, data, recs, err) \
	{ name, data, sizeof(data) - 1, 0, ',', 0, recs, NREC(recs), err, "utf-8" }
#define CASE_U8ERR0(name, data, err) \
	{ name, data, sizeof(data) - 1, 0, ',', 0, NULL, 0, err, "utf-8" }

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
	csvin_opts o = { .delim = tc->delim, .chunk = chunk, .encoding = tc->enc };
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
	if (strcmp(csvin_encoding(r), tc->want_bom ? "utf-8 (BOM)" : "utf-8") != 0) {
		snprintf(msg, sizeof msg, "encoding %s, want utf-8", csvin_encoding(r));
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
		if (rec->raw_offset != rec->offset) {
			snprintf(msg, sizeof msg, "record %zu: raw offset %lld, offset %lld (UTF-8)",
				 i, rec->raw_offset, rec->offset);
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
/* lines inside a quoted field that hold no quote (libcsv's, not split) */
static const exp_rec r_qplain[] = {
	{ 1, 0, 2, { "\"", "b" } },
	{ 2, 7, 2, { "a\nb,c\n\nd;e", "f" } },
	{ 6, 22, 3, { "g", "", "h" } },
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
	{ 1, 0, 2, { "\xEF\xBB\x80x", "y" } },       /* U+FEC0, not a BOM */
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
static const exp_rec r_lf_ab12[] = {
	{ 1, 0, 2, { "a", "b" } },
	{ 2, 4, 2, { "1", "2" } },
};
static const exp_rec r_unterm[] = {
	{ 1, 0, 2, { "a", "b" } },
};
static const exp_rec r_ab[] = {
	{ 1, 0, 2, { "a", "b" } },
};
static const exp_rec r_qdoubled[] = {
	{ 1, 0, 2, { "a", "b" } },
	{ 2, 4, 2, { "1", "line1\n\"quoted\" line2" } },
	{ 4, 31, 2, { "2", "x" } },
};
static const exp_rec r_qstray1[] = {
	{ 1, 0, 2, { "a", "b" } },
	{ 2, 4, 2, { "1", "12\" monitor" } },
	{ 3, 20, 2, { "2", "x" } },
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
	CASE("quote-free lines inside a quoted field", "\"\"\"\",b\n\"a\nb,c\n\nd;e\",f\ng,,h\n", ',', ',',
	     0, r_qplain),
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
	CASE("almost a BOM", "\xEF\xBB\x80x,y\n", 0, ',', 0, r_notbom),
	CASE_U8ERR0("almost a BOM, not UTF-8", "\xEF\xBBx,y\n",
		    ":1: invalid UTF-8 byte sequence at byte offset 0"),
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
		 ":2:1: the quoted field opened here is not closed at end of file"),
	CASE_ERR("unterminated quote after a quoted field", "a,b\n\n\"c\",d\ne,\"f\"\"\n", r_unterm2,
		 ":4:3: the quoted field opened here is not closed at end of file"),
	CASE_ERR("unbalanced quote: a later stray quote would close it", "a,b\n1,\"5寸\n2,\"x\"\n3,y\n",
		 r_ab, ":2:3: unbalanced quotes: the quoted field opened here runs over a line break "
		 "and holds a stray quote (line 3)"),
	CASE_ERR("unbalanced quote: stray quote before the line break", "a,b\n\"x\"y\nz\"\n", r_ab,
		 ":2:1: unbalanced quotes"),
	CASE_ERR("unbalanced quote: column in characters", "a,b\n名,\"开\n\"x\n", r_ab,
		 ":2:3: unbalanced quotes"),
	CASE("multi-line quoted field with doubled quotes", "a,b\n1,\"line1\n\"\"quoted\"\" line2\"\n2,x\n",
	     0, ',', 0, r_qdoubled),
	CASE("stray quote in a one-line quoted field: lenient", "a,b\n1,\"12\" monitor\"\n2,x\n", 0, ',', 0,
	     r_qstray1),
	CASE_U8ERR("UTF-8: overlong sequence", "a,b\n1,2\nx,\xC0\xAFy\n", r_lf_ab12,
		   ":3: invalid UTF-8 byte sequence at byte offset 10"),
	CASE_U8ERR("UTF-8: surrogate", "a,b\n1,2\n3,\xED\xA0\x80\n", r_lf_ab12,
		   ":3: invalid UTF-8 byte sequence at byte offset 10"),
	CASE_U8ERR("UTF-8: above U+10FFFF", "a,b\n1,2\n3,\xF4\x90\x80\x80\n", r_lf_ab12,
		   ":3: invalid UTF-8 byte sequence at byte offset 10"),
	CASE_U8ERR("UTF-8: lone continuation byte", "a,b\n1,2\n3,\xE5\xAD\xA6\x80\n", r_lf_ab12,
		   ":3: invalid UTF-8 byte sequence at byte offset 13"),
	CASE_U8ERR("UTF-8: FF byte", "a,b\n1,2\n\xFF\n", r_lf_ab12,
		   ":3: invalid UTF-8 byte sequence at byte offset 8"),
	CASE_U8ERR("UTF-8: bad second byte", "a,b\n1,2\n3,\xE4\x41\x42\n", r_lf_ab12,
		   ":3: invalid UTF-8 byte sequence at byte offset 10"),
	CASE_U8ERR("UTF-8: bad third byte", "a,b\n1,2\n3,\xE4\xB8\x42\n", r_lf_ab12,
		   ":3: invalid UTF-8 byte sequence at byte offset 10"),
	CASE_U8ERR("UTF-8: cut off at end of file", "a,b\n1,2\n3,\xE4\xB8", r_lf_ab12,
		   ":3: invalid UTF-8 byte sequence at byte offset 10 (cut off at end of file)"),
	CASE_U8ERR("UTF-8: bad byte in a quoted multi-line field", "a,b\n1,2\n\"x\ny\r\n\xFF\"\n",
		   r_lf_ab12, ":5: invalid UTF-8 byte sequence at byte offset 14"),
	CASE_U8ERR("UTF-8: bad byte right after a record without final newline", "a,b\n1,2\xC0",
		   ((const exp_rec[]){ { 1, 0, 2, { "a", "b" } } }),
		   ":2: invalid UTF-8 byte sequence at byte offset 7"),
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
	ok(r == NULL && strstr(err, "not a regular file (a directory)") && strncmp(err, tmpdir, strlen(tmpdir)) == 0,
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

/* ---- encodings ---- */

/* Convert in[0..n) from UTF-8 to tocode with iconv (no BOM is added for
 * the -LE/-BE names); returns a malloc'd buffer and its length. */
static char *conv(const char *tocode, const char *in, size_t n, size_t *outlen)
{
	iconv_t cd = iconv_open(tocode, "UTF-8");
	size_t cap = 4 * n + 16, il = n, ol = cap;
	char *out = malloc(cap), *ip = (char *)in, *op = out;

	if (cd == (iconv_t)-1 || !out || iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		printf("Bail out! iconv to %s: %s\n", tocode, strerror(errno));
		exit(1);
	}
	iconv_close(cd);
	*outlen = (size_t)(op - out);
	return out;
}

/* Length of in[0..n) converted from UTF-8 to tocode. */
static size_t conv_len(const char *tocode, const char *in, size_t n)
{
	size_t len;

	free(conv(tocode, in, n, &len));
	return len;
}

/* Write raw as plain or gzip file path. */
static void write_any(const char *path, const void *raw, size_t len, int gz)
{
	if (gz)
		write_gz(path, raw, len);
	else
		write_file(path, raw, len);
}

/*
 * The table.  Its texts hold GBK characters whose second byte is '\\'
 * (運 DF 5C, 誠 D5 5C, 乗 81 5C) or '|' (東 96 7C, 億 83 7C), characters
 * that GB18030 writes in four bytes (ʤ, À, the supplementary 𠀀 𠀁, which
 * UTF-16 writes as surrogate pairs), quotes, delimiters and line breaks.
 */
#define TCOLS 5
static const char *const table[][TCOLS] = {
	{ "学号", "姓名", "专业", "备注", "单位" },
	{ "2021001", "张三", "计算机应用", "含,逗号;分号", "東莞運輸誠億乗有限公司" },
	{ "2021002", "李四", "数控加工（中级）", "多行\n备注\r\n第三行", "" },
	{ "2021003", " 王五 ", "機電一體化", "引号\"内\"", "𠀀𠀁 ʤÀé€" },
	{ "2021004", "", "汽车维修|钣金", "a\tb", "丨\\反斜杠" },
	{ "2021005", "赵六", "烹饪", "", "末行" },
};
#define TROWS (sizeof table / sizeof table[0])

typedef struct erec {
	long line;              /* expected line */
	long long off;          /* expected decoded offset */
	long long raw_off;      /* expected raw offset */
} erec;

/*
 * The table as UTF-8 CSV with delimiter delim: CRLF line ends, a blank line
 * after the second row, fields quoted when they hold the delimiter, a
 * quote or a line break.  lines[] and offs[] get each row's line and
 * offset.  Returns a malloc'd text.
 */
static char *table_csv(char delim, size_t *len, long *lines, long long *offs)
{
	size_t cap = 4096, n = 0, i, k;
	char *t = malloc(cap);

	for (i = 0; i < TROWS; i++) {
		lines[i] = 1 + breaks(t, n);
		offs[i] = (long long)n;
		for (k = 0; k < TCOLS; k++) {
			const char *f = table[i][k];
			int q = strchr(f, delim) || strpbrk(f, "\"\r\n");

			if (k)
				t[n++] = delim;
			if (q)
				t[n++] = '"';
			for (; *f; f++) {
				if (*f == '"')
					t[n++] = '"';
				t[n++] = *f;
			}
			if (q)
				t[n++] = '"';
		}
		n += (size_t)sprintf(t + n, i == 1 ? "\r\n\r\n" : "\r\n");
	}
	*len = n;
	return t;
}

typedef struct encvar {
	const char *name;       /* test name */
	const char *iconv_to;   /* iconv's name of the encoding */
	const char *bom;        /* raw BOM written first */
	size_t bomlen;
	char delim;             /* delimiter written (and detected) */
	const char *conf;       /* the configured name for opts.encoding */
	const char *want;       /* csvin_encoding() */
	int conf_only;          /* 1: not detected (read only as configured) */
} encvar;

static const encvar encvars[] = {
	{ "UTF-8", "UTF-8", "", 0, ',', "utf-8", "utf-8", 0 },
	{ "UTF-8 with BOM", "UTF-8", "\xEF\xBB\xBF", 3, ',', "utf-8", "utf-8 (BOM)", 0 },
	{ "GB18030", "GB18030", "", 0, ',', "gb18030", "gb18030", 0 },
	{ "GB18030 with BOM", "GB18030", "\x84\x31\x95\x33", 4, ',', "gb18030", "gb18030 (BOM)", 0 },
	{ "UTF-16LE with BOM, tabs", "UTF-16LE", "\xFF\xFE", 2, '\t', "utf-16", "utf-16le (BOM)", 0 },
	{ "UTF-16BE with BOM, tabs", "UTF-16BE", "\xFE\xFF", 2, '\t', "utf-16", "utf-16be (BOM)", 0 },
	{ "UTF-32LE with BOM", "UTF-32LE", "\xFF\xFE\0\0", 4, ',', "utf-32", "utf-32le (BOM)", 0 },
	{ "UTF-32BE with BOM, tabs", "UTF-32BE", "\0\0\xFE\xFF", 4, '\t', "utf-32", "utf-32be (BOM)", 0 },
	{ "UTF-32LE with BOM as utf-32le", "UTF-32LE", "\xFF\xFE\0\0", 4, ',', "utf-32le", "utf-32le (BOM)", 0 },
	{ "UTF-32BE with BOM as utf-32be", "UTF-32BE", "\0\0\xFE\xFF", 4, ';', "utf-32be", "utf-32be (BOM)", 0 },
	{ "UTF-32LE without BOM", "UTF-32LE", "", 0, ',', "utf-32le", "utf-32le", 1 },
	{ "UTF-32BE without BOM, tabs", "UTF-32BE", "", 0, '\t', "utf-32be", "utf-32be", 1 },
};

/* Read path and compare with the table; NULL when all matches. */
static const char *check_table_run(const char *path, const char *enc, size_t chunk,
				   const encvar *v, const erec *exp)
{
	static char msg[1024];
	csvin_opts o = { .chunk = chunk, .encoding = enc };
	char err[512];
	const csvin_record *rec;
	csvin *r = csvin_open(path, &o, err, sizeof err);
	size_t i = 0, k;
	int rc;

	if (!r) {
		snprintf(msg, sizeof msg, "open failed: %s", err);
		return msg;
	}
	if (csvin_delim(r) != (unsigned char)v->delim || strcmp(csvin_encoding(r), v->want) != 0 ||
	    csvin_had_bom(r) != (v->bomlen > 0)) {
		snprintf(msg, sizeof msg, "delimiter 0x%02x, encoding %s, had_bom %d", csvin_delim(r),
			 csvin_encoding(r), csvin_had_bom(r));
		goto fail;
	}
	while ((rc = csvin_next(r, &rec)) == 1) {
		if (i >= TROWS) {
			snprintf(msg, sizeof msg, "extra record at line %ld", rec->line);
			goto fail;
		}
		if (rec->line != exp[i].line || rec->offset != exp[i].off ||
		    rec->raw_offset != exp[i].raw_off) {
			snprintf(msg, sizeof msg, "record %zu: line %ld offset %lld raw %lld, want %ld %lld %lld",
				 i, rec->line, rec->offset, rec->raw_offset, exp[i].line, exp[i].off,
				 exp[i].raw_off);
			goto fail;
		}
		if (rec->nfields != TCOLS) {
			snprintf(msg, sizeof msg, "record %zu: %zu fields", i, rec->nfields);
			goto fail;
		}
		for (k = 0; k < TCOLS; k++)
			if (rec->lens[k] != strlen(table[i][k]) || strcmp(rec->fields[k], table[i][k]) != 0) {
				snprintf(msg, sizeof msg, "record %zu field %zu: '%s', want '%s'", i, k,
					 esc(rec->fields[k], rec->lens[k]),
					 esc(table[i][k], strlen(table[i][k])));
				goto fail;
			}
		i++;
	}
	if (rc != 0 || i != TROWS) {
		snprintf(msg, sizeof msg, "rc %d after %zu records: %s", rc, i, csvin_error(r));
		goto fail;
	}
	csvin_close(r);
	return NULL;
fail:
	csvin_close(r);
	return msg;
}

static void test_table_encodings(void)
{
	size_t vi;

	for (vi = 0; vi < NREC(encvars); vi++) {
		const encvar *v = &encvars[vi];
		long lines[TROWS];
		long long offs[TROWS];
		erec exp[TROWS];
		size_t tlen, clen, rawlen, i;
		char *text = table_csv(v->delim, &tlen, lines, offs);
		char *body = conv(v->iconv_to, text, tlen, &clen);
		char *raw = malloc(v->bomlen + clen);
		char path[512];
		int gz, e;

		memcpy(raw, v->bom, v->bomlen);
		memcpy(raw + v->bomlen, body, clen);
		rawlen = v->bomlen + clen;
		for (i = 0; i < TROWS; i++) {
			exp[i].line = lines[i];
			exp[i].off = offs[i] + (v->bomlen ? 3 : 0);
			exp[i].raw_off = (long long)(v->bomlen +
						     conv_len(v->iconv_to, text, (size_t)offs[i]));
		}
		for (gz = 0; gz < 2; gz++)
			for (e = v->conf_only; e < 2; e++) {
				const char *enc = e ? v->conf : NULL;
				const char *bad = NULL;
				size_t chunk, badchunk = 0;

				snprintf(path, sizeof path, "%s/table%s", tmpdir, gz ? ".csv.gz" : ".csv");
				write_any(path, raw, rawlen, gz);
				for (chunk = 1; chunk <= rawlen + 2 && !bad; chunk++) {
					badchunk = chunk == rawlen + 2 ? 0 : chunk;
					bad = check_table_run(path, enc, badchunk, v, exp);
				}
				ok(!bad, "%s%s, encoding %s: %zu records at chunk sizes 1..%zu", v->name,
				   gz ? " (gzip)" : "", enc ? enc : "auto", TROWS, rawlen + 1);
				if (bad)
					printf("#   chunk %zu: %s\n", badchunk, bad);
				unlink(path);
			}
		free(text);
		free(body);
		free(raw);
	}
}

/* GBK trail bytes '\\' and '|' must not split or escape anything. */
static void test_gbk_trail_bytes(void)
{
	static const char utf8[] = "東|運|億\r\n\"乗\"|\"誠\"\"\"|丨\\\r\n東莞|運\\|\"億|\"\r\n";
	static const char *const want[3][3] = {
		{ "東", "運", "億" }, { "乗", "誠\"", "丨\\" }, { "東莞", "運\\", "億|" }
	};
	size_t rawlen, i, n5c = 0, n7c = 0;
	char *raw = conv("GB18030", utf8, sizeof utf8 - 1, &rawlen);
	char path[512];
	int gz, e;

	for (i = 0; i < rawlen; i++) {
		n5c += raw[i] == '\\';
		n7c += raw[i] == '|';
	}
	/* the text itself has 2 backslashes and 7 bars */
	ok(n5c == 2 + 4 && n7c == 7 + 4, "GB18030 test text: %zu 0x5C and %zu 0x7C bytes, "
	   "4 of each are trail bytes", n5c, n7c);
	for (gz = 0; gz < 2; gz++)
		for (e = 0; e < 2; e++) {
			const char *bad = NULL;
			size_t chunk, badchunk = 0;

			snprintf(path, sizeof path, "%s/trail%s", tmpdir, gz ? ".csv.gz" : ".csv");
			write_any(path, raw, rawlen, gz);
			for (chunk = 1; chunk <= rawlen + 2 && !bad; chunk++) {
				static char msg[512];
				csvin_opts o = { .delim = '|', .chunk = chunk == rawlen + 2 ? 0 : chunk,
						 .encoding = e ? "gb18030" : NULL };
				const csvin_record *rec;
				csvin *r = csvin_open(path, &o, msg, sizeof msg);
				size_t k = 0, f;
				int rc = -2;

				badchunk = o.chunk;
				if (!r) {
					bad = msg;
					break;
				}
				if (strcmp(csvin_encoding(r), "gb18030") != 0) {
					snprintf(msg, sizeof msg, "encoding %s", csvin_encoding(r));
					bad = msg;
				}
				while (!bad && (rc = csvin_next(r, &rec)) == 1) {
					if (k >= 3 || rec->nfields != 3 || rec->line != (long)k + 1) {
						snprintf(msg, sizeof msg, "record %zu: %zu fields at line %ld", k,
							 rec->nfields, rec->line);
						bad = msg;
						break;
					}
					for (f = 0; f < 3 && !bad; f++)
						if (strcmp(rec->fields[f], want[k][f]) != 0) {
							snprintf(msg, sizeof msg, "record %zu field %zu: '%s', want '%s'",
								 k, f, rec->fields[f], want[k][f]);
							bad = msg;
						}
					k++;
				}
				if (!bad && (rc != 0 || k != 3)) {
					snprintf(msg, sizeof msg, "rc %d after %zu records: %s", rc, k,
						 csvin_error(r));
					bad = msg;
				}
				csvin_close(r);
			}
			ok(!bad, "GB18030 trail bytes 0x5C/0x7C with delimiter '|'%s, encoding %s: "
			   "fields intact at every chunk size", gz ? " (gzip)" : "", e ? "gb18030" : "auto");
			if (bad)
				printf("#   chunk %zu: %s\n", badchunk, bad);
			unlink(path);
		}
	free(raw);
}

/* Invalid bytes: nrec records, then exactly "path" + want. */
typedef struct badcase {
	const char *name;       /* test name */
	const char *data;       /* raw file content */
	size_t len;
	const char *enc;        /* opts.encoding; the case also runs with NULL (auto) */
	size_t nrec;            /* complete records before the error */
	const char *want;       /* the error after the path */
} badcase;

#define BAD(name, data, enc, nrec, want) { name, data, sizeof(data) - 1, enc, nrec, want }

static const badcase badcases[] = {
	BAD("GB18030: byte 80", "\xD0\xD5\xC3\xFB,a\r\n\xD5\xC5\xC8\xFD,\x80\r\n", "gb18030", 1,
	    ":2: invalid GB18030 byte sequence at byte offset 13"),
	BAD("GB18030: byte FF", "\xD0\xD5\xC3\xFB,a\r\n\xD5\xC5\xC8\xFD,x\xFF\r\n", "gb18030", 1,
	    ":2: invalid GB18030 byte sequence at byte offset 14"),
	BAD("GB18030: lead byte with a bad trail byte", "\xD0\xD5\xC3\xFB,a\r\n\xD5\xC5\xC8\xFD,\x81\x20\r\n",
	    "gb18030", 1, ":2: invalid GB18030 byte sequence at byte offset 13"),
	BAD("GB18030: unassigned four-byte code", "\xD0\xD5\xC3\xFB,a\r\n\xD5\xC5\xC8\xFD,\x84\x31\xA5\x30\r\n",
	    "gb18030", 1, ":2: invalid GB18030 byte sequence at byte offset 13"),
	BAD("GB18030: four-byte code cut off at end of file", "\xD0\xD5\xC3\xFB,a\r\n\xD5\xC5\xC8\xFD,\x81\x30\x81",
	    "gb18030", 1, ":2: invalid GB18030 byte sequence at byte offset 13 (cut off at end of file)"),
	BAD("GB18030: bad byte in a quoted multi-line field", "\xD0\xD5,\"a\r\nb\n\xFF\"\r\n", "gb18030", 0,
	    ":3: invalid GB18030 byte sequence at byte offset 9"),
	BAD("GB18030: bad byte after 3 lines", "\xD0\xD5\n\n\xD0\xD5\n\xFF", "gb18030", 2,
	    ":4: invalid GB18030 byte sequence at byte offset 7"),
	BAD("UTF-16LE: lone low surrogate",
	    "\xFF\xFE" "a\0\t\0b\0\r\0\n\0" "1\0\t\0" "\x00\xDC" "\r\0\n\0", "utf-16", 1,
	    ":2: invalid UTF-16LE byte sequence at byte offset 16"),
	BAD("UTF-16LE: high surrogate without a low one",
	    "\xFF\xFE" "a\0\t\0b\0\r\0\n\0" "1\0\t\0" "\x00\xD8" "x\0\r\0\n\0", "utf-16", 1,
	    ":2: invalid UTF-16LE byte sequence at byte offset 16"),
	BAD("UTF-16LE: odd byte at end of file",
	    "\xFF\xFE" "a\0\t\0b\0\r\0\n\0" "1\0\t\0" "x", "utf-16", 1,
	    ":2: invalid UTF-16LE byte sequence at byte offset 16 (cut off at end of file)"),
	BAD("UTF-16LE: high surrogate at end of file",
	    "\xFF\xFE" "a\0\t\0b\0\r\0\n\0" "1\0\t\0" "\x3D\xD8", "utf-16", 1,
	    ":2: invalid UTF-16LE byte sequence at byte offset 16 (cut off at end of file)"),
	BAD("UTF-16BE: lone low surrogate",
	    "\xFE\xFF" "\0a\0\t\0b\0\r\0\n" "\0" "1" "\0\t" "\xDC\x00" "\0\r\0\n", "utf-16", 1,
	    ":2: invalid UTF-16BE byte sequence at byte offset 16"),
	BAD("UTF-32LE: a surrogate",
	    "\xFF\xFE\0\0" "a\0\0\0,\0\0\0b\0\0\0\n\0\0\0" "1\0\0\0,\0\0\0" "\x00\xD8\0\0" "\n\0\0\0",
	    "utf-32", 1, ":2: invalid UTF-32LE byte sequence at byte offset 28"),
	BAD("UTF-32BE: above U+10FFFF, cut off",
	    "\0\0\xFE\xFF" "\0\0\0a\0\0\0\n" "\0\x11\0\0" "\0\0", "utf-32", 1,
	    ":2: invalid UTF-32BE byte sequence at byte offset 12"),
	BAD("auto: not UTF-8, and not GB18030 either", "a,b\n1,\xC3\x28\n", NULL, 1,
	    ":2: invalid GB18030 byte sequence at byte offset 6"),
};

static const char *check_bad_run(const char *path, const badcase *b, const char *enc, size_t chunk)
{
	static char msg[3072];    /* room for two whole messages */
	csvin_opts o = { .chunk = chunk, .encoding = enc };
	char err[512], want[1024];
	const csvin_record *rec;
	csvin *r = csvin_open(path, &o, err, sizeof err);
	size_t n = 0;
	int rc;

	if (!r) {
		snprintf(msg, sizeof msg, "open failed: %s", err);
		return msg;
	}
	while ((rc = csvin_next(r, &rec)) == 1)
		n++;
	snprintf(want, sizeof want, "%s%s", path, b->want);
	if (n != b->nrec || rc != -1 || strcmp(csvin_error(r), want) != 0 ||
	    csvin_next(r, &rec) != -1) {
		snprintf(msg, sizeof msg, "%zu records, rc %d, error '%s', want %zu and '%s'", n, rc,
			 csvin_error(r), b->nrec, want);
		csvin_close(r);
		return msg;
	}
	csvin_close(r);
	return NULL;
}

static void test_invalid_bytes(void)
{
	size_t bi;

	for (bi = 0; bi < NREC(badcases); bi++) {
		const badcase *b = &badcases[bi];
		char path[512];
		int gz, e;

		for (gz = 0; gz < 2; gz++)
			for (e = 0; e < (b->enc ? 2 : 1); e++) {
				const char *enc = e ? NULL : b->enc;
				const char *bad = NULL;
				size_t chunk, badchunk = 0;

				snprintf(path, sizeof path, "%s/bad%s", tmpdir, gz ? ".csv.gz" : ".csv");
				write_any(path, b->data, b->len, gz);
				for (chunk = 1; chunk <= b->len + 2 && !bad; chunk++) {
					badchunk = chunk == b->len + 2 ? 0 : chunk;
					bad = check_bad_run(path, b, enc, badchunk);
				}
				ok(!bad, "%s%s, encoding %s: %zu records, then the error", b->name,
				   gz ? " (gzip)" : "", enc ? enc : "auto", b->nrec);
				if (bad)
					printf("#   chunk %zu: %s\n", badchunk, bad);
				unlink(path);
			}
	}
}

/* Open data (written to a file) with encoding enc; returns the reader or NULL (err). */
static csvin *open_data(const char *data, size_t len, const char *enc, size_t chunk, char *err,
			size_t errlen)
{
	char path[512];
	csvin *r;

	snprintf(path, sizeof path, "%s/det.csv", tmpdir);
	write_file(path, data, len);
	r = csvin_open(path, &(csvin_opts){ .chunk = chunk, .encoding = enc }, err, errlen);
	unlink(path);
	return r;
}

/* Detection and refusals. */
static void test_detection(void)
{
	static const struct {
		const char *name, *data;
		size_t len;
		const char *enc, *want, *field;     /* want NULL: open fails with field in the message */
	} d[] = {
#define D(name, data, enc, want, field) { name, data, sizeof(data) - 1, enc, want, field }
		D("empty file", "", NULL, "utf-8", NULL),
		D("ASCII", "a,b\n", NULL, "utf-8", "a"),
		D("UTF-8 Chinese", "学号,姓名\n", NULL, "utf-8", "学号"),
		D("UTF-8 BOM", "\xEF\xBB\xBF" "a\n", NULL, "utf-8 (BOM)", "a"),
		D("GB18030 Chinese", "\xD1\xA7\xBA\xC5,\xD0\xD5\xC3\xFB\n", NULL, "gb18030", "学号"),
		D("GB18030 BOM", "\x84\x31\x95\x33" "a\n", NULL, "gb18030 (BOM)", "a"),
		D("UTF-8 cut off at end of file is not UTF-8", "a,\xE5\xBC", NULL, "gb18030", "a"),
		D("UTF-16LE BOM only", "\xFF\xFE", NULL, "utf-16le (BOM)", NULL),
		D("UTF-16LE BOM", "\xFF\xFE" "a\0", NULL, "utf-16le (BOM)", "a"),
		D("UTF-16BE BOM", "\xFE\xFF" "\0a", NULL, "utf-16be (BOM)", "a"),
		D("UTF-16 configured", "\xFF\xFE" "a\0", "utf-16", "utf-16le (BOM)", "a"),
		D("UTF-32LE BOM (not UTF-16LE)", "\xFF\xFE\0\0" "a\0\0\0", NULL, "utf-32le (BOM)", "a"),
		D("UTF-32LE BOM only", "\xFF\xFE\0\0", NULL, "utf-32le (BOM)", NULL),
		D("UTF-32BE BOM", "\0\0\xFE\xFF" "\0\0\0a", NULL, "utf-32be (BOM)", "a"),
		D("utf-32 with a UTF-16LE BOM", "\xFF\xFE" "a\0", "utf-32", NULL,
		  ": encoding utf-32 needs a byte order mark (FF FE 00 00 or 00 00 FE FF) at the start "
		  "of the file, found one of UTF-16LE"),
		D("UTF-32LE BOM, utf-16 configured", "\xFF\xFE\0\0" "a\0\0\0", "utf-16", NULL,
		  "found one of UTF-32LE"),
		D("names ignore case (UTF-8)", "a\n", "UTF-8", "utf-8", "a"),
		D("names ignore case (Gb18030)", "a\n", "Gb18030", "gb18030", "a"),
		D("utf8 is utf-8", "a\n", "utf8", "utf-8", "a"),
		D("auto", "a\n", "auto", "utf-8", "a"),
		D("GB18030 configured on ASCII", "a\n", "gb18030", "gb18030", "a"),
		D("UTF-8 BOM, gb18030 configured", "\xEF\xBB\xBF" "a\n", "gb18030", NULL,
		  ": the file starts with a UTF-8 byte order mark, but the configured encoding is gb18030"),
		D("UTF-16LE BOM, utf-8 configured", "\xFF\xFE" "a\0", "utf-8", NULL,
		  ": the file starts with a UTF-16LE byte order mark, but the configured encoding is utf-8"),
		D("UTF-16BE BOM, gb18030 configured", "\xFE\xFF" "\0a", "gb18030", NULL,
		  ": the file starts with a UTF-16BE byte order mark"),
		D("utf-16 without BOM", "a\0\n\0", "utf-16", NULL,
		  ": encoding utf-16 needs a byte order mark (FF FE or FE FF) at the start of the file"),
		D("utf-16 with a UTF-8 BOM", "\xEF\xBB\xBF" "a", "utf-16", NULL,
		  "needs a byte order mark (FF FE or FE FF) at the start of the file, found one of UTF-8"),
		D("utf-32le without BOM", "a\0\0\0", "utf-32le", "utf-32le", "a"),
		D("UTF32BE without BOM (case, no dash)", "\0\0\0a", "UTF32BE", "utf-32be", "a"),
		D("utf-32be with its BOM", "\0\0\xFE\xFF" "\0\0\0a", "utf-32be", "utf-32be (BOM)", "a"),
		D("UTF-32LE BOM, utf-32be configured", "\xFF\xFE\0\0" "a\0\0\0", "utf-32be", NULL,
		  ": the file starts with a UTF-32LE byte order mark, but the configured encoding is utf-32be"),
		D("UTF-16LE BOM, utf-32le configured", "\xFF\xFE" "a\0", "utf-32le", NULL,
		  ": the file starts with a UTF-16LE byte order mark, but the configured encoding is utf-32le"),
		D("UTF-8 BOM, utf-32le configured", "\xEF\xBB\xBF" "a", "utf-32le", NULL,
		  ": the file starts with a UTF-8 byte order mark, but the configured encoding is utf-32le"),
		D("unknown encoding", "a\n", "latin1", NULL,
		  ": unknown encoding \"latin1\" (known: utf-8, gb18030, utf-16, utf-32, utf-32le, "
		  "utf-32be, auto)"),
#undef D
	};
	size_t i;

	for (i = 0; i < NREC(d); i++) {
		char err[600] = "";
		csvin *r = open_data(d[i].data, d[i].len, d[i].enc, 2, err, sizeof err);
		const csvin_record *rec;

		if (!d[i].want) {
			ok(!r && strstr(err, d[i].field), "%s: open fails: %s", d[i].name, err);
			csvin_close(r);
			continue;
		}
		ok(r && strcmp(csvin_encoding(r), d[i].want) == 0 &&
		   (d[i].field ? csvin_next(r, &rec) == 1 && strcmp(rec->fields[0], d[i].field) == 0
			       : csvin_next(r, &rec) == 0),
		   "%s: %s, first field '%s' (%s)", d[i].name, r ? csvin_encoding(r) : err,
		   d[i].field ? d[i].field : "", r ? csvin_error(r) : "");
		csvin_close(r);
	}
}

/*
 * Detection looks at the first 64 KiB only: a GB18030 byte after them, in
 * a file detected as UTF-8, is an error; a UTF-8 sequence cut by the end of
 * the 64 KiB is not.
 */
static void test_detection_window(void)
{
	static const size_t chunks[] = { 1, 3, 4096, 65536, 0 };
	size_t cap = 80000, n = 0, nlines = 0, c;
	char *t = malloc(cap + 64);
	long long bad_at;

	while (n < 70000) {
		n += (size_t)sprintf(t + n, "%zu,text %zu\n", nlines, nlines);
		nlines++;
	}
	bad_at = (long long)n + 2;
	memcpy(t + n, "x,\xD5\xC5\n", 5);       /* 张 in GB18030 */
	n += 5;
	for (c = 0; c < NREC(chunks); c++) {
		char err[600], want[256];
		const csvin_record *rec;
		csvin *r = open_data(t, n, NULL, chunks[c], err, sizeof err);
		size_t k = 0;
		int rc = -2;

		while (r && (rc = csvin_next(r, &rec)) == 1)
			k++;
		snprintf(want, sizeof want, ":%zu: invalid UTF-8 byte sequence at byte offset %lld",
			 nlines + 1, bad_at);
		ok(r && strcmp(csvin_encoding(r), "utf-8") == 0 && k == nlines && rc == -1 &&
		   strstr(csvin_error(r), want),
		   "GB18030 bytes after 64 KiB of ASCII, chunk %zu: utf-8, %zu records, then '%s'",
		   chunks[c], k, r ? csvin_error(r) : err);
		csvin_close(r);

		r = open_data(t, n, "gb18030", chunks[c], err, sizeof err);
		k = 0;
		while (r && (rc = csvin_next(r, &rec)) == 1)
			if (++k == nlines + 1 && (strcmp(rec->fields[1], "张") != 0 ||
						  rec->raw_offset != bad_at - 2 || rec->offset != bad_at - 2))
				k = 0;
		ok(r && k == nlines + 1 && rc == 0, "the same with gb18030 configured, chunk %zu: "
		   "%zu records", chunks[c], k);
		csvin_close(r);
	}

	/* 65535 bytes of ASCII, then 张 in UTF-8: the window cuts it */
	n = 0;
	while (n < 65535 - 20)
		n += (size_t)sprintf(t + n, "%zu\n", n);
	memset(t + n, 'x', 65535 - n);
	n = 65535;
	memcpy(t + n, "\xE5\xBC\xA0\n", 4);
	n += 4;
	for (c = 0; c < NREC(chunks); c++) {
		char err[600];
		const csvin_record *rec, *last = NULL;
		csvin *r = open_data(t, n, NULL, chunks[c], err, sizeof err);
		int rc = -2;

		while (r && (rc = csvin_next(r, &rec)) == 1)
			last = rec;
		ok(r && strcmp(csvin_encoding(r), "utf-8") == 0 && rc == 0 && last &&
		   strstr(last->fields[0], "xx\xE5\xBC\xA0"),
		   "a UTF-8 character cut by the end of the first 64 KiB, chunk %zu: utf-8 (%s)",
		   chunks[c], r ? csvin_error(r) : err);
		csvin_close(r);
	}
	free(t);
}

/*
 * Every GB18030 two-byte code, one per line, and every four-byte code of
 * the BMP, one per line: the decoded fields are what iconv gives, and the
 * raw offsets are exact (3 and 5 bytes per line).
 */
static void test_gb18030_codes(void)
{
	static const size_t chunks[] = { 7, 0 };
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	int four;

	for (four = 0; four < 2; four++) {
		size_t nmax = four ? 4 * 10 * 126 * 10 : 126 * 190;
		size_t w = four ? 5 : 3;
		char *raw = malloc(nmax * w), *dec = malloc(nmax * 5);
		size_t *doff = malloc((nmax + 1) * sizeof *doff);
		size_t nraw = 0, ndec = 0, ncodes = 0, c;
		unsigned a, b, cc, d;
		char path[512];

		for (a = 0x81; a <= (four ? 0x84u : 0xFEu); a++)
			for (b = four ? 0x30 : 0x40; b <= (four ? 0x39u : 0xFEu); b++)
				for (cc = four ? 0x81 : 0; cc <= (four ? 0xFEu : 0u); cc++)
					for (d = four ? 0x30 : 0; d <= (four ? 0x39u : 0u); d++) {
						char in[4] = { (char)a, (char)b, (char)cc, (char)d };
						char *ip = in, *op = dec + ndec;
						size_t il = four ? 4 : 2, ol = 8;

						if (!four && b == 0x7F)
							continue;
						iconv(cd, NULL, NULL, NULL, NULL);
						if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
							continue;
						doff[ncodes++] = ndec;
						ndec = (size_t)(op - dec);
						memcpy(raw + nraw, in, w - 1);
						raw[nraw + w - 1] = '\n';
						nraw += w;
					}
		doff[ncodes] = ndec;
		snprintf(path, sizeof path, "%s/codes.csv", tmpdir);
		write_file(path, raw, nraw);
		for (c = 0; c < NREC(chunks); c++) {
			csvin_opts o = { .delim = ',', .chunk = chunks[c], .encoding = "gb18030" };
			const csvin_record *rec;
			csvin *r = csvin_open(path, &o, NULL, 0);
			size_t k = 0, okc = 0;
			long long dsum = 0;
			int rc = -2;

			while (r && (rc = csvin_next(r, &rec)) == 1) {
				size_t fl = doff[k + 1] - doff[k];

				if (k < ncodes && rec->nfields == 1 && rec->lens[0] == fl &&
				    memcmp(rec->fields[0], dec + doff[k], fl) == 0 &&
				    rec->raw_offset == (long long)(k * w) && rec->offset == dsum &&
				    rec->line == (long)k + 1)
					okc++;
				else if (k - okc < 3)
					printf("#   code %zu (%02x%02x...): raw offset %lld, want %zu\n", k,
					       (unsigned char)raw[k * w], (unsigned char)raw[k * w + 1],
					       rec->raw_offset, k * w);
				dsum += (long long)fl + 1;
				k++;
			}
			ok(r && rc == 0 && k == ncodes && okc == ncodes && ncodes == (four ? 39402u : 23940u),
			   "all %zu %s-byte GB18030 codes%s, chunk %zu: fields and raw offsets exact (%zu)",
			   ncodes, four ? "four" : "two", four ? " of the BMP" : "", chunks[c], okc);
			csvin_close(r);
		}
		unlink(path);
		free(raw);
		free(dec);
		free(doff);
	}
	iconv_close(cd);
}

/*
 * A bigger GB18030 file, gzip'd, against its UTF-8 original: the same
 * records at several chunk sizes, and raw offsets that match.
 */
static void test_gb18030_stream(void)
{
	static const size_t chunks[] = { 1, 2, 3, 5, 64, 4093, 65536, 0 };
	size_t cap = 400000, n = 0, nrec = 0, rawlen, c, i;
	char *t = malloc(cap), *raw;
	long long *offs = malloc(20000 * sizeof *offs), *roffs = malloc(20000 * sizeof *roffs);
	char path[512];

	while (n < 300000) {
		offs[nrec] = (long long)n;
		n += (size_t)sprintf(t + n, "%zu,%s,\"%s\n%s\",𠀀%s\r\n", nrec, table[1 + nrec % 5][1],
				     table[1 + nrec % 5][2], table[1 + nrec % 5][4], nrec % 3 ? "" : "ʤ");
		nrec++;
	}
	roffs[0] = 0;
	for (i = 1; i < nrec; i++)
		roffs[i] = roffs[i - 1] + (long long)conv_len("GB18030", t + offs[i - 1],
							   (size_t)(offs[i] - offs[i - 1]));
	raw = conv("GB18030", t, n, &rawlen);
	snprintf(path, sizeof path, "%s/stream.csv.gz", tmpdir);
	write_gz(path, raw, rawlen);
	for (c = 0; c < NREC(chunks); c++) {
		const csvin_record *rec;
		csvin *r = csvin_open(path, &(csvin_opts){ .chunk = chunks[c] }, NULL, 0);
		size_t k = 0, good = 0;
		int rc = -2;

		while (r && (rc = csvin_next(r, &rec)) == 1) {
			if (k < nrec && rec->offset == offs[k] && rec->raw_offset == roffs[k] &&
			    rec->line == (long)(2 * k + 1) && rec->nfields == 4 &&
			    (size_t)atol(rec->fields[0]) == k &&
			    strcmp(rec->fields[1], table[1 + k % 5][1]) == 0 &&
			    strncmp(rec->fields[3], "𠀀", 4) == 0)
				good++;
			k++;
		}
		ok(r && rc == 0 && k == nrec && good == nrec && strcmp(csvin_encoding(r), "gb18030") == 0,
		   "%zu KB of GB18030 (gzip), chunk %zu: %zu records match the UTF-8 original (%s)",
		   rawlen / 1024, chunks[c], good, r ? csvin_error(r) : "open failed");
		csvin_close(r);
	}
	unlink(path);
	free(t);
	free(raw);
	free(offs);
	free(roffs);
}

/* ---- limits: max_record, max_field, max_ratio ---- */

typedef struct limcase {
	const char *name;
	char *data;             /* the file (malloc'd) */
	size_t max_record, max_field;
	size_t nrec;            /* records delivered before the error */
	const char *want;       /* in the error message; NULL: no error */
} limcase;

/* Read path with the limits of lc at one chunk size: NULL when it
 * behaves as lc says, else what went wrong (static). */
static const char *check_limit_run(const char *path, const limcase *lc, size_t chunk)
{
	static char why[1400];
	csvin_opts o = { .chunk = chunk, .max_record = lc->max_record, .max_field = lc->max_field };
	char err[600] = "";
	const csvin_record *rec;
	csvin *r = csvin_open(path, &o, err, sizeof err);
	size_t k = 0;
	int rc = -2;

	if (!r) {
		snprintf(why, sizeof why, "open: %s", err);
		return why;
	}
	while ((rc = csvin_next(r, &rec)) == 1)
		k++;
	if (k != lc->nrec || rc != (lc->want ? -1 : 0) ||
	    (lc->want && !strstr(csvin_error(r), lc->want))) {
		snprintf(why, sizeof why, "%zu records, rc %d, error '%s'", k, rc, csvin_error(r));
		csvin_close(r);
		return why;
	}
	csvin_close(r);
	return NULL;
}

static char *repeat_line(const char *head, char c, size_t n, const char *tail)
{
	size_t hl = strlen(head), tl = strlen(tail);
	char *s = malloc(hl + n + tl + 1);

	if (!s)
		exit(1);
	memcpy(s, head, hl);
	memset(s + hl, c, n);
	memcpy(s + hl + n, tail, tl + 1);
	return s;
}

static void test_limits(void)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 64, 1000, 4096, 65536, 0 };
	char *big = repeat_line("", 'z', 3u << 20, "");        /* 3 MiB line, no line break */
	limcase lc[] = {
		{ "quoted field over max_field", repeat_line("id,text\n1,a\n2,\"", 'x', 5000,
		  "\"\n3,after\n"), 0, 1000, 2, ":3: field longer than 1000 bytes (max_field_bytes)" },
		{ "unquoted field over max_field", repeat_line("id,text\n1,a\n\n2,", 'y', 1001,
		  "\n3,after\n"), 0, 1000, 2, ":4: field longer than 1000 bytes (max_field_bytes)" },
		{ "field of max_field bytes", repeat_line("id,text\n1,\"", 'y', 1000,
		  "\"\n3,after\n"), 0, 1000, 3, NULL },
		{ "multi-line quoted field over max_field", repeat_line("id,text\n1,\"a\nb\n", 'q', 999,
		  "\"\n"), 0, 1000, 1, ":2: field longer than 1000 bytes (max_field_bytes)" },
		{ "record over max_record", repeat_line("id,text\n1,a\r\n2,", ',', 200,
		  "\r\n3,after\r\n"), 100, 50, 2, ":3: record longer than 100 bytes (max_record_bytes)" },
		{ "record of max_record bytes (CRLF)", repeat_line("id,text\r\n2,", 'w', 98,
		  "\r\n3,after\r\n"), 100, 100, 3, NULL },
		{ "quoted multi-line record over max_record", repeat_line("id,text\n1,\"", '\n', 150,
		  "\"\n"), 100, 100, 1, ":2: record longer than 100 bytes (max_record_bytes)" },
		{ "first line of 3 MiB over the default max_record", big, 0, 0, 0,
		  ":1: record longer than 1048576 bytes (max_record_bytes)" },
	};
	char path[512];
	size_t i, c;

	snprintf(path, sizeof path, "%s/limits.csv", tmpdir);
	for (i = 0; i < NREC(lc); i++) {
		const char *bad = NULL;

		write_file(path, lc[i].data, strlen(lc[i].data));
		for (c = 0; c < NREC(chunks) && !bad; c++)
			if ((bad = check_limit_run(path, &lc[i], chunks[c])))
				printf("#   chunk %zu: %s\n", chunks[c], bad);
		ok(!bad, "limits: %s, at chunk sizes 1..65536", lc[i].name);
		free(lc[i].data);
	}
	unlink(path);

	/* a .gz inflating 1000:1 trips the default ratio of 100 once 1 MiB is out */
	{
		size_t n = 8u << 20, k = 0;
		char *d = repeat_line("id,text\n", 'a', n, "\n");
		const csvin_record *rec;
		csvin *r;
		int rc = -2;

		for (i = 8; i + 1 < n; i += 64)
			d[i] = '\n';
		snprintf(path, sizeof path, "%s/limits.csv.gz", tmpdir);
		write_gz(path, d, strlen(d));
		r = csvin_open(path, &(csvin_opts){ .chunk = 4096 }, NULL, 0);
		while (r && (rc = csvin_next(r, &rec)) == 1)
			k++;
		ok(r && rc == -1 && k > 1000 && k < 64000 &&
		   strstr(csvin_error(r), "limits.csv.gz:") &&
		   strstr(csvin_error(r), "refusing a possible decompression bomb (max_inflation_ratio 100)"),
		   "a .gz of ratio ~1000 stops after about 1 MiB (%zu records): %s", k,
		   r ? csvin_error(r) : "");
		csvin_close(r);
		r = csvin_open(path, &(csvin_opts){ .max_ratio = 1e5 }, NULL, 0);
		k = 0;
		while (r && (rc = csvin_next(r, &rec)) == 1)
			k++;
		ok(r && rc == 0 && k == n / 64 + 1, "the same with max_ratio 100000: %zu records", k);
		csvin_close(r);
		unlink(path);
		free(d);
	}
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
		    strstr(cases[i].name, "empty file") || strstr(cases[i].name, "unterminated") ||
		    strstr(cases[i].name, "cut off"))
			run_case(&cases[i], 1);

	test_missing();
	test_truncated_gz();
	test_large_record();
	test_nul_and_reuse();
	test_limits();

	test_table_encodings();
	test_gbk_trail_bytes();
	test_invalid_bytes();
	test_detection();
	test_detection_window();
	test_gb18030_codes();
	test_gb18030_stream();

	rmdir(tmpdir);
	return tap_done();
}
