/*
 * extract.c - vqr-extract: read one export file, find its header row, map
 * its columns to the source's fields, check every cell, and write the
 * staging files of one batch:
 *
 *     DIR/rows.tsv       canonical rows (COPY text): line, period, fields
 *     DIR/rejects.tsv    one line per rejected cell (COPY text, with header)
 *     DIR/manifest.yaml  file, sha256, encoding, header line, row counts, periods
 *
 * Usage: vqr-extract --config vqr.yaml [--source NAME] -o DIR FILE
 *
 * The file streams through: memory does not grow with the number of rows.
 * A row with a bad cell is rejected as a whole (every bad cell of it is
 * reported); the other rows go on.  A file that cannot be read, or lacks
 * a required column, fails as a whole: the manifest says status "failed"
 * with the reason, and the driver quarantines it.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/catalog/cfg.h"
#include "lib/util/cli.h"
#include "lib/readers/csvin.h"
#include "lib/readers/recq.h"
#include "lib/util/log.h"
#include "lib/staging/manifest.h"
#include "lib/staging/stage.h"
#include "lib/util/pii.h"
#include "lib/staging/rows.h"
#include "lib/util/sha256.h"
#include "lib/readers/xlsxpar.h"
#include "lib/catalog/val.h"

#define MAX_PRINTED 20          /* reject messages printed on stderr */
#define KEYLEN 512

typedef struct colmap {
	const cfg_field *field; /* field of this column, NULL when unused */
} colmap;

#define ENUM_CACHE 16

typedef struct enum_cache {
	char text[ENUM_CACHE][64];      /* cell texts seen (only short ones are kept) */
	size_t len[ENUM_CACHE];         /* their lengths */
	const cfg_enumval *val[ENUM_CACHE]; /* what they mean */
	int n;                          /* slots used */
	int next;                       /* next slot to replace when full */
} enum_cache;

typedef struct extract {
	const cfg *c;
	const cfg_source *s;
	const char *path;       /* input as given */
	const char *outdir;
	csvin *in;              /* the reader of a CSV file (plain or .gz) */
	recq *q;                /* in's data rows, read ahead by a thread (NULL: read directly) */
	xlsxpar *xl;            /* or of an .xlsx workbook (its sheet parsed on two cores) */
	rows_writer *rows;
	rows_writer *rejects;
	manifest m;
	size_t ncols;           /* columns in the header */
	colmap *map;            /* ncols entries */
	char **header;          /* header texts (ncols) */
	char **keys;            /* per field: NULL-terminated normalised header keys */
	char *vals;             /* canonical values of the current row */
	size_t vcap;
	size_t *voff;           /* per field: offset of its value in vals (vptr NULL) */
	const char **vptr;      /* per field: its value in the input record, or NULL when in vals */
	size_t *vlen;           /* per field: length of its value, or SIZE_MAX for NULL */
	size_t *missing;        /* not_null fields without a column (nmissing, in field order) */
	size_t nmissing;
	char *staged;           /* per field: it has a column in rows.tsv (the file has it, and it is not dropped) */
	int header_done;        /* rows.tsv's column line is written */
	long printed;           /* reject messages printed */
	pii *pii;               /* keyed hash for pseudonymised fields, NULL if none */
	enum_cache *ecache;     /* per field: recent enum cell texts */
	int excel_dates;        /* dates may be Excel serials (an .xlsx input) */
	int date1904;           /* the workbook's 1904 date system */
	long period_start;      /* start year of the last period label made (LONG_MIN: none) */
	char period[48];        /* that label */
	size_t period_len;      /* its length */
	char found[1024];       /* the best header candidate, for messages: its line, width and
				 * the configured names of the columns it has (never its cells) */
	char widths[256];       /* the widths of the rows looked at for a header: "3, 3, 5" */
	int nwidths;            /* how many of them */
	int found_score;        /* known columns in it, -1 before any row */
} extract;

/* "Y-Y+1" (an academic year's label) into out; its length.  Per row when
 * a file's rows span years, so no printf. */
static size_t year_span(char *out, size_t outlen, long y)
{
	char tmp[48];
	size_t n = 0;

	for (int k = 1; k >= 0; k--) {
		unsigned long u = (unsigned long)(y + k);
		if (y + k < 0)
			u = 0UL - u;
		if (k == 0)
			tmp[n++] = '-';
		do
			tmp[n++] = (char)('0' + u % 10);
		while ((u /= 10));
		if (y + k < 0)
			tmp[n++] = '-';
	}
	/* tmp holds both numbers reversed, the later first: reverse all */
	if (n >= outlen)
		n = outlen - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqr-extract [OPTION]... -o DIR FILE\n"
		"Read one export FILE, check every row against its source definition, and\n"
		"write canonical rows, rejects and a manifest into the staging directory DIR.\n"
		"\n"
		"  -c, --config FILE   deployment configuration (default: $VQR_CONFIG,\n"
		"                      ./vqr.yaml, /etc/vqr/vqr.yaml)\n"
		"  -s, --source NAME   source of the file (default: recognised by its name)\n"
		"  -o, --output DIR    staging directory to write (created if missing)\n"
		"  -v, --verbose       say what is done\n"
		"  -L, --log FILE      also append every message to FILE\n"
		"  -h, --help          show this help and exit\n"
		"  -V, --version       show the version and exit\n"
		"\n"
		"Files written: DIR/rows.tsv, DIR/rejects.tsv, DIR/manifest.yaml.\n"
		"Each rejected cell is reported as FILE:LINE:COLUMN: message.\n"
		"\n" LOG_EXIT_CODES_HELP);
}

/* ---- header ------------------------------------------------------------ */

static int build_keys(extract *x)
{
	x->keys = calloc(x->s->nfields, sizeof *x->keys);
	if (!x->keys)
		return -1;
	for (size_t i = 0; i < x->s->nfields; i++) {
		const cfg_field *f = &x->s->fields[i];
		size_t n = 1;
		while (f->synonyms[n - 1])
			n++;
		x->keys[i] = calloc(n + 1, KEYLEN);
		if (!x->keys[i])
			return -1;
	}
	for (size_t i = 0; i < x->s->nfields; i++) {
		const cfg_field *f = &x->s->fields[i];
		char *k = x->keys[i];
		val_norm_key(f->header, strlen(f->header), k, KEYLEN);
		for (size_t j = 0; f->synonyms[j]; j++)
			val_norm_key(f->synonyms[j], strlen(f->synonyms[j]), k + (j + 1) * KEYLEN, KEYLEN);
	}
	return 0;
}

/* The field whose header or synonyms match this cell, or -1. */
static int match_header(const extract *x, const char *cell, size_t len)
{
	char key[KEYLEN];
	val_norm_key(cell, len, key, sizeof key);
	if (!key[0])
		return -1;
	for (size_t i = 0; i < x->s->nfields; i++) {
		const cfg_field *f = &x->s->fields[i];
		for (size_t j = 0; j == 0 || f->synonyms[j - 1]; j++)
			if (strcmp(x->keys[i] + j * KEYLEN, key) == 0)
				return (int)i;
	}
	return -1;
}

/* Does rec hold every required column (and at least two known ones)? */
static int is_header(const extract *x, const csvin_record *rec)
{
	size_t found = 0;
	for (size_t i = 0; i < x->s->nfields; i++) {
		if (!x->s->fields[i].required)
			continue;
		int hit = 0;
		for (size_t c = 0; c < rec->nfields && !hit; c++)
			hit = match_header(x, rec->fields[c], rec->lens[c]) == (int)i;
		if (!hit)
			return 0;
	}
	for (size_t c = 0; c < rec->nfields; c++)
		found += match_header(x, rec->fields[c], rec->lens[c]) >= 0;
	return found >= 2 || (found >= 1 && x->s->nfields == 1);
}

/* rows.tsv's column line: _line, _period and the staged fields (all of
 * the source's kept fields when no header was found). */
static void write_header(extract *x)
{
	if (x->header_done)
		return;
	x->header_done = 1;
	rows_put(x->rows, "_line", 5);
	rows_put(x->rows, "_period", 7);
	for (size_t i = 0; i < x->s->nfields; i++)
		if (x->staged ? x->staged[i] : x->s->fields[i].col >= 0)
			rows_put(x->rows, x->s->fields[i].name, strlen(x->s->fields[i].name));
	rows_end(x->rows);
}

/* The missing field closest to header key `key` (by val_similarity over
 * its header, synonyms and name), as "name (header)" into hint, or "". */
static void closest_field(const extract *x, const char *key, const unsigned char *present, char *hint,
			  size_t len)
{
	double best = 0.3;      /* less alike than this is no suggestion */
	const cfg_field *bf = NULL;

	hint[0] = '\0';
	for (size_t i = 0; i < x->s->nfields; i++) {
		const cfg_field *f = &x->s->fields[i];
		char nk[KEYLEN];
		double sc;
		if (present[i])
			continue;
		val_norm_key(f->name, strlen(f->name), nk, sizeof nk);
		sc = val_similarity(key, nk);
		for (size_t j = 0; j == 0 || f->synonyms[j - 1]; j++) {
			double s2 = val_similarity(key, x->keys[i] + j * KEYLEN);
			if (s2 > sc)
				sc = s2;
		}
		if (sc > best) {
			best = sc;
			bf = f;
		}
	}
	if (bf)
		snprintf(hint, len, "%s (%s)", bf->name, bf->header);
}

/* Column coverage into the manifest: the header cells that map to no
 * field (with the closest missing field), and the fields without a
 * column.  0, or -1 (no memory). */
static int note_coverage(extract *x)
{
	unsigned char *present = calloc(x->s->nfields ? x->s->nfields : 1, 1);
	if (!present)
		return -1;
	for (size_t c = 0; c < x->ncols; c++)
		if (x->map[c].field)
			present[x->map[c].field - x->s->fields] = 1;
	for (size_t c = 0; c < x->ncols; c++) {
		char key[KEYLEN], hint[300];
		if (x->map[c].field || !x->header[c][0])
			continue;
		val_norm_key(x->header[c], strlen(x->header[c]), key, sizeof key);
		closest_field(x, key, present, hint, sizeof hint);
		if (manifest_list_add(&x->m.unmapped, x->header[c]) < 0 ||
		    manifest_list_add(&x->m.unmapped_hint, hint) < 0)
			goto oom;
	}
	for (size_t i = 0; i < x->s->nfields; i++)
		if (!present[i] && manifest_list_add(&x->m.missing, x->s->fields[i].name) < 0)
			goto oom;
	free(present);
	return 0;
oom:
	free(present);
	return -1;
}

static int take_header(extract *x, const csvin_record *rec, char *err, size_t errlen)
{
	x->ncols = rec->nfields;
	x->map = calloc(x->ncols ? x->ncols : 1, sizeof *x->map);
	x->header = calloc(x->ncols ? x->ncols : 1, sizeof *x->header);
	if (!x->map || !x->header) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t c = 0; c < x->ncols; c++) {
		size_t len = rec->lens[c];
		const char *t = val_trim(rec->fields[c], &len);
		int fi = match_header(x, rec->fields[c], rec->lens[c]);
		if (!(x->header[c] = strndup(t, len))) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (fi < 0)
			continue;
		for (size_t p = 0; p < c; p++)
			if (x->map[p].field == &x->s->fields[fi]) {
				log_warning("%s:%ld:%zu: column \"%s\" is a second %s column; the one in column %zu is used",
					    x->path, rec->line, c + 1, x->header[c], x->s->fields[fi].name, p + 1);
				fi = -1;
				break;
			}
		if (fi >= 0)
			x->map[c].field = &x->s->fields[fi];
	}
	/* Required values whose column is missing altogether: every row
	 * rejects them, so find them once. */
	x->missing = calloc(x->s->nfields ? x->s->nfields : 1, sizeof *x->missing);
	x->staged = calloc(x->s->nfields ? x->s->nfields : 1, 1);
	if (!x->missing || !x->staged) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < x->s->nfields; i++) {
		const cfg_field *f = &x->s->fields[i];
		int present = 0;
		for (size_t c = 0; c < x->ncols && !present; c++)
			present = x->map[c].field == f;
		if (f->not_null && !present)
			x->missing[x->nmissing++] = i;
		x->staged[i] = present && f->col >= 0;
	}
	if (note_coverage(x) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	write_header(x);
	return 0;
}

/* Count rec's width among the rows looked at for a header, and remember
 * it as the best header candidate so far when it names more known
 * columns (ties: the wider row).  Nothing of its cells is kept. */
static void note_candidate(extract *x, const csvin_record *rec)
{
	int score = 0;
	size_t n = strlen(x->widths), k;

	if (n + 16 < sizeof x->widths) {
		snprintf(x->widths + n, sizeof x->widths - n, "%s%zu", n ? ", " : "", rec->nfields);
		x->nwidths++;
	}
	for (size_t c = 0; c < rec->nfields; c++)
		score += match_header(x, rec->fields[c], rec->lens[c]) >= 0;
	score = score * 1000 + (int)(rec->nfields > 999 ? 999 : rec->nfields);
	if (score <= x->found_score)
		return;
	x->found_score = score;
	/* Cells are data (a first row of student numbers and names): said by
	 * their configured column names only. */
	n = (size_t)snprintf(x->found, sizeof x->found, "line %ld (%zu columns) has", rec->line, rec->nfields);
	k = 0;
	for (size_t c = 0; c < rec->nfields && n < sizeof x->found; c++) {
		int fi = match_header(x, rec->fields[c], rec->lens[c]);
		if (fi >= 0)
			n += (size_t)snprintf(x->found + n, sizeof x->found - n, "%s %s", k++ ? "," : " the known columns:",
					      x->s->fields[fi].header);
	}
	if (!k && n < sizeof x->found)
		snprintf(x->found + n, sizeof x->found - n, " none of the known columns");
}

/* The reason a file without a usable header row fails: what was expected,
 * how wide the first rows were, and which known columns the best
 * candidate row had (no cell of the file: it may be personal data). */
static void explain_missing(const extract *x, char *err, size_t errlen)
{
	size_t n = (size_t)snprintf(err, errlen, "%s: no header row with the required columns in the first %d rows",
				    x->path, x->s->header_scan);
	n += (size_t)snprintf(err + n, n < errlen ? errlen - n : 0, "\ndetail: expected columns:");
	for (size_t i = 0; i < x->s->nfields && n < errlen; i++)
		if (x->s->fields[i].required)
			n += (size_t)snprintf(err + n, errlen - n, " %s", x->s->fields[i].header);
	if (x->nwidths && n < errlen)
		n += (size_t)snprintf(err + n, errlen - n, "\ndetail: the first %d row%s ha%s %s column%s", x->nwidths,
				      x->nwidths == 1 ? "" : "s", x->nwidths == 1 ? "s" : "ve", x->widths,
				      x->nwidths == 1 && strcmp(x->widths, "1") == 0 ? "" : "s");
	if (x->found[0] && n < errlen)
		n += (size_t)snprintf(err + n, errlen - n, "\ndetail: %s", x->found);
	if (n < errlen)
		snprintf(err + n, errlen - n,
			 "\nhint: add the export's column titles as synonyms in the source definition of \"%s\"",
			 x->s->name);
}

/* ---- rows -------------------------------------------------------------- */

static void reject(extract *x, long line, size_t col, const cfg_field *f, const char *value,
		   size_t vlen, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

static void reject(extract *x, long line, size_t col, const cfg_field *f, const char *value,
		   size_t vlen, const char *rule, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rows_putf(x->rejects, "%ld", line);
	if (col)
		rows_putf(x->rejects, "%zu", col);
	else
		rows_put_null(x->rejects);
	if (col && col <= x->ncols)
		rows_put(x->rejects, x->header[col - 1], strlen(x->header[col - 1]));
	else
		rows_put_null(x->rejects);
	if (f)
		rows_put(x->rejects, f->name, strlen(f->name));
	else
		rows_put_null(x->rejects);
	if (value && f && f->pii != CFG_PII_NONE)
		rows_put(x->rejects, "***", 3);  /* personal data: never the value */
	else if (value)
		rows_put(x->rejects, value, vlen);
	else
		rows_put_null(x->rejects);
	rows_put(x->rejects, rule, strlen(rule));
	rows_put(x->rejects, msg, strlen(msg));
	rows_end(x->rejects);
	if (x->printed++ < MAX_PRINTED) {
		if (col)
			log_error("%s:%ld:%zu: %s", x->path, line, col, msg);
		else
			log_error("%s:%ld: %s", x->path, line, msg);
	}
}

/* Is text t (len bytes of UTF-8) longer than f's max_length characters?
 * Then it is rejected (with its length, not quoted) and 1 returned. */
static int too_long(extract *x, long line, size_t col, const cfg_field *f, const char *t, size_t len)
{
	size_t chars = 0;

	if (!f->max_length || len <= (size_t)f->max_length)
		return 0;
	for (size_t i = 0; i < len; i++)
		chars += ((unsigned char)t[i] & 0xC0) != 0x80;
	if (chars <= (size_t)f->max_length)
		return 0;
	reject(x, line, col, f, t, len, "max_length", "%s: %zu characters, more than max_length %d",
	       x->header[col - 1], chars, f->max_length);
	return 1;
}

static int is_blank(const csvin_record *rec)
{
	for (size_t c = 0; c < rec->nfields; c++) {
		size_t len = rec->lens[c];
		val_trim(rec->fields[c], &len);
		if (len)
			return 0;
	}
	return 1;
}

/* A total row (合计, 总计, 小计) as spreadsheets append them. */
static int is_total(const csvin_record *rec)
{
	static const char *const words[] = { "合计", "总计", "小计", "总数", NULL };
	for (size_t c = 0; c < rec->nfields; c++) {
		char key[64];
		size_t len = rec->lens[c];
		const char *t = val_trim(rec->fields[c], &len);

		if (len == 0)
			continue;
		/* The normalised key starts with the first character left after
		 * trimming (or its half-width form): ASCII cannot start a word. */
		if ((unsigned char)t[0] < 0x80)
			return 0;
		val_norm_key(t, len, key, sizeof key);
		if (!key[0])
			continue;
		for (int i = 0; words[i]; i++)
			if (strncmp(key, words[i], strlen(words[i])) == 0)
				return 1;
		return 0; /* only the first non-empty cell counts */
	}
	return 0;
}

static char *val_at(extract *x, size_t need)
{
	if (need > x->vcap) {
		size_t nc = x->vcap ? x->vcap : 4096;
		while (nc < need)
			nc *= 2;
		char *nb = realloc(x->vals, nc);
		if (!nb)
			return NULL;
		x->vals = nb;
		x->vcap = nc;
	}
	return x->vals;
}

/* The enum value a cell means.  Exports repeat a handful of labels, so
 * the last few cell texts of each field are remembered with their answer
 * and normalising (val_norm_key) is done once per distinct text. */
static const cfg_enumval *enum_lookup(extract *x, size_t fi, const char *t, size_t len, char key[KEYLEN])
{
	enum_cache *ec = &x->ecache[fi];
	const cfg_enumval *e;

	for (int i = 0; i < ec->n; i++)
		if (ec->len[i] == len && memcmp(ec->text[i], t, len) == 0)
			return ec->val[i];
	val_norm_key(t, len, key, KEYLEN);
	e = cfg_enum_match(&x->s->fields[fi], key);
	if (e && len < sizeof ec->text[0]) {
		int slot = ec->n < ENUM_CACHE ? ec->n++ : ec->next++ % ENUM_CACHE;
		memcpy(ec->text[slot], t, len);
		ec->len[slot] = len;
		ec->val[slot] = e;
	}
	return e;
}

static void enum_values(const cfg_field *f, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < f->nvalues && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", f->values[i].value);
}

/* Check one data row; write it or its rejects.  -1 on a write error.
 *
 * Text values are not copied: vptr points into the record (trimmed);
 * other values are written to vals in canonical form (voff). */
static int do_row(extract *x, const csvin_record *rec)
{
	const cfg_source *s = x->s;
	size_t used = 0;
	int bad = 0;
	long days = 0, year = -1;
	int has_date = 0;
	char pbuf[48];          /* a period label made for this row */
	const char *period;     /* the row's period label */
	size_t plen;            /* its length */

	x->m.rows_read++;
	if (is_blank(rec) || is_total(rec)) {
		x->m.rows_skipped++;
		return 0;
	}
	if (rec->nfields != x->ncols && !(x->xl && rec->nfields < x->ncols)) {
		/* Trailing empty cells beyond the header are harmless; a sheet
		 * row ends at its last non-empty cell (the rest are empty). */
		int extra_empty = rec->nfields > x->ncols;
		for (size_t c = x->ncols; extra_empty && c < rec->nfields; c++)
			if (rec->lens[c])
				extra_empty = 0;
		if (!extra_empty) {
			reject(x, rec->line, 0, NULL, NULL, 0, "fields",
			       "row has %zu fields, the header (line %lld) has %zu", rec->nfields,
			       x->m.header_line, x->ncols);
			x->m.rows_rejected++;
			return 0;
		}
	}
	for (size_t i = 0; i < s->nfields; i++)
		x->vlen[i] = SIZE_MAX;
	for (size_t c = 0; c < x->ncols; c++) {
		const cfg_field *f = x->map[c].field;
		size_t fi, len = c < rec->nfields ? rec->lens[c] : 0, cap, olen;
		const char *t;
		char *out;
		double num = 0;
		const char *why = NULL, *sv;
		int rc, sl;

		if (!f)
			continue;
		fi = (size_t)(f - s->fields);
		t = val_trim(c < rec->nfields ? rec->fields[c] : "", &len);
		/* What messages may show of the value: nothing of personal data. */
		sv = f->pii != CFG_PII_NONE ? "***" : t;
		sl = f->pii != CFG_PII_NONE ? 3 : (int)len;
		if (f->type == CFG_TEXT && f->pii != CFG_PII_PSEUDONYMISE && (int)fi != s->period_field) {
			/* The trimmed text as it is (what val_parse would copy). */
			if (len == 0) {
				if (f->not_null) {
					reject(x, rec->line, c + 1, f, t, len, "not_null", "%s: a value is required",
					       x->header[c]);
					bad = 1;
				}
			} else if (memchr(t, '\0', len)) {
				reject(x, rec->line, c + 1, f, t, len, cfg_ftype_name(f->type),
				       "%s: \"%.*s\" %s", x->header[c], sl, sv, "contains a NUL character");
				bad = 1;
			} else if (too_long(x, rec->line, c + 1, f, t, len)) {
				bad = 1;
			} else {
				x->vptr[fi] = t;
				x->vlen[fi] = len;
			}
			continue;
		}
		cap = 2 * len + 512;
		if (!val_at(x, used + cap))
			return -1;
		out = x->vals + used;
		if (f->type == CFG_ENUM) {
			char key[KEYLEN];
			const cfg_enumval *e;
			if (len == 0) {
				rc = VAL_NULL;
			} else {
				e = enum_lookup(x, fi, t, len, key);
				if (!e) {
					char list[512];
					enum_values(f, list, sizeof list);
					reject(x, rec->line, c + 1, f, t, len, "enum",
					       "%s: \"%.*s\" is not one of: %s", x->header[c], sl, sv, list);
					bad = 1;
					continue;
				}
				size_t ll = strlen(e->value);
				if (f->pii != CFG_PII_PSEUDONYMISE && (int)fi != s->period_field) {
					/* the catalog's label itself, not a copy */
					x->vptr[fi] = e->value;
					x->vlen[fi] = ll;
					continue;
				}
				if (ll >= cap && !(out = val_at(x, used + ll + 1) ? x->vals + used : NULL))
					return -1;
				memcpy(out, e->value, ll + 1);
				rc = VAL_OK;
			}
		} else {
			val_opts o = { f->pct, f->scale, f->excel_serial || x->excel_dates, x->date1904 };
			rc = val_parse(cfg_val_type(f->type), t, len, &o, out, cap, &num, &why);
			if (rc == VAL_ERROR) {
				reject(x, rec->line, c + 1, f, t, len, cfg_ftype_name(f->type),
				       "%s: \"%.*s\" %s", x->header[c], sl, sv, why ? why : "is not valid");
				bad = 1;
				continue;
			}
		}
		if (rc == VAL_NULL) {
			if (f->not_null) {
				reject(x, rec->line, c + 1, f, t, len, "not_null", "%s: a value is required",
				       x->header[c]);
				bad = 1;
			}
			continue;
		}
		if (f->type == CFG_TEXT && too_long(x, rec->line, c + 1, f, out, strlen(out))) {
			bad = 1;
			continue;
		}
		if (f->has_min && num < f->min) {
			reject(x, rec->line, c + 1, f, t, len, "min", "%s: %s is below the minimum %g",
			       x->header[c], f->pii != CFG_PII_NONE ? "***" : out, f->min);
			bad = 1;
			continue;
		}
		if (f->has_max && num > f->max) {
			reject(x, rec->line, c + 1, f, t, len, "max", "%s: %s is above the maximum %g",
			       x->header[c], f->pii != CFG_PII_NONE ? "***" : out, f->max);
			bad = 1;
			continue;
		}
		if (f->pii == CFG_PII_PSEUDONYMISE) {
			char h[PII_HEX_LEN + 1];
			if (pii_hash(x->pii, out, strlen(out), h) < 0)
				return -1;
			memcpy(out, h, sizeof h);
		}
		if ((int)fi == s->period_date) {
			days = (long)num;
			has_date = 1;
		}
		if ((int)fi == s->period_year)
			year = (long)num;
		olen = strlen(out);
		x->vptr[fi] = NULL;
		x->voff[fi] = used;
		x->vlen[fi] = olen;
		used += olen + 1;
	}
	/* Required values whose column is missing altogether. */
	for (size_t k = 0; k < x->nmissing; k++) {
		const cfg_field *f = &s->fields[x->missing[k]];
		reject(x, rec->line, 0, f, NULL, 0, "not_null", "%s: a value is required (the file has no %s column)",
		       f->header, f->header);
		bad = 1;
	}
	if (bad) {
		x->m.rows_rejected++;
		return 0;
	}
	if (has_date && s->period == PERIOD_ACADEMIC_YEAR) {
		long y = val_academic_year_start(days);
		if (y != x->period_start) { /* rows of one file mostly share it */
			x->period_len = year_span(x->period, sizeof x->period, y);
			x->period_start = y;
			if (manifest_add_period(&x->m, x->period) < 0)
				return -1;
		}
		period = x->period;
		plen = x->period_len;
	} else if ((has_date && period_label(s->period, days, pbuf) == 0) ||
		   /* semester, fiscal year or snapshot of the date */
		   (year > 0 && period_from_year(s->period, year, pbuf) == 0) ||
		   /* graduation year or fiscal year */
		   (s->period_field >= 0 && x->vlen[s->period_field] != SIZE_MAX &&
		    period_parse_academic(x->vals + x->voff[s->period_field], pbuf) == 0)) {
		/* a written academic year (the period field is kept in vals) */
		period = pbuf;
		plen = strlen(pbuf);
		if (manifest_add_period(&x->m, period) < 0)
			return -1;
	} else {
		const char *dh = s->period_date >= 0 ? s->fields[s->period_date].header : NULL;
		const char *yh = s->period_year >= 0 ? s->fields[s->period_year].header : NULL;
		const char *fh = s->period_field >= 0 ? s->fields[s->period_field].header : NULL;
		const char *fv = s->period_field >= 0 && x->vlen[s->period_field] != SIZE_MAX
					 ? x->vals + x->voff[s->period_field] : NULL;
		if (fv) {
			reject(x, rec->line, 0, &s->fields[s->period_field], fv, strlen(fv), "period",
			       "%s: \"%s\" is not an academic year (such as 2022-2023)", fh, fv);
		} else {
			char what[600];
			snprintf(what, sizeof what, "%s%s%s%s%s", dh ? dh : "", dh && (yh || fh) ? " or " : "",
				 yh ? yh : "", yh && fh ? " or " : "", fh ? fh : "");
			reject(x, rec->line, 0, NULL, NULL, 0, "period", "no %s to place the row in a period (%s)",
			       what, period_type_name(s->period));
		}
		x->m.rows_rejected++;
		return 0;
	}
	rows_put_int(x->rows, rec->line);
	rows_put(x->rows, period, plen);
	for (size_t i = 0; i < s->nfields; i++) {
		if (!x->staged[i])
			continue;
		if (x->vlen[i] == SIZE_MAX)
			rows_put_null(x->rows);
		else
			rows_put(x->rows, x->vptr[i] ? x->vptr[i] : x->vals + x->voff[i], x->vlen[i]);
	}
	rows_end(x->rows);
	x->m.rows_loaded++;
	return 0;
}

/* ---- the file ---------------------------------------------------------- */

/* The next row of whichever reader the file has. */
static int in_next(extract *x, const csvin_record **rec)
{
	return x->q ? recq_next(x->q, rec) : x->xl ? xlsxpar_next(x->xl, rec) : csvin_next(x->in, rec);
}

static const char *in_error(const extract *x)
{
	return x->q ? recq_error(x->q) : x->xl ? xlsxpar_error(x->xl) : csvin_error(x->in);
}

/* csvin for recq */
static int csv_next(void *in, const csvin_record **rec)
{
	return csvin_next(in, rec);
}

static const char *csv_error(void *in)
{
	return csvin_error(in);
}

/* An .xlsx workbook: by its name, or a zip container's magic bytes. */
static int is_xlsx(const char *path)
{
	size_t n = strlen(path);
	unsigned char magic[4] = { 0 };
	char err[512];
	ssize_t got;
	int fd;

	if (n > 5 && strcasecmp(path + n - 5, ".xlsx") == 0)
		return 1;
	if ((fd = cli_open_input(path, err, sizeof err)) < 0)
		return 0;       /* the reader says why */
	got = read(fd, magic, 4);
	close(fd);
	return got == 4 && memcmp(magic, "PK\3\4", 4) == 0;
}

static void fail_file(extract *x, const char *reason)
{
	free(x->m.reason);
	x->m.status = MANIFEST_FAILED;
	x->m.reason = strdup(reason);
}

/* Read the file, write rows.tsv and rejects.tsv, fill the manifest (but
 * its sha256).  0, or -1 with err. */
static int extract_file(extract *x, char *err, size_t errlen)
{
	const cfg_limits *lm = &x->c->limits;
	csvin_opts o = { .delim = x->s->delim, .encoding = x->s->encoding,
			 .max_record = (size_t)lm->max_record_bytes,
			 .max_field = (size_t)lm->max_field_bytes,
			 .max_ratio = lm->max_inflation_ratio };
	const csvin_record *rec;
	char path[4200], why[2048];
	struct stat st;
	int r;
	long long t0 = cli_ms();

	x->m.school = strdup(x->c->school_code);
	x->m.source = strdup(x->s->name);
	x->m.file = realpath(x->path, NULL);
	x->m.file_name = strdup(cli_basename(x->path));
	x->m.encoding = strdup("utf-8");
	x->m.status = MANIFEST_OK;
	x->m.transform_ms = x->m.indicators = x->m.rows_staged = -1;
	if (!x->m.file) {
		snprintf(err, errlen, "%s: %s", x->path, strerror(errno));
		return -1;
	}
	if (lstat(x->path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", x->path, strerror(errno));
		return -1;
	}
	x->m.size = st.st_size;
	if (cli_mkdirs(x->outdir, err, errlen) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/rows.tsv", x->outdir);
	/* Uncompressed: the transform reads it right away (often while it is
	 * written), and vqr run removes it once the batch is loaded. */
	if (!(x->rows = rows_create(path, 0, err, errlen)))
		return -1;
	rows_nosync(x->rows);   /* the synced manifest counts its lines: rows_staged */
	snprintf(path, sizeof path, "%s/rejects.tsv", x->outdir);
	if (!(x->rejects = rows_create(path, 0, err, errlen)))
		return -1;
	{
		for (size_t i = 0; i < STAGE_REJECT_NCOLS; i++)
			rows_put(x->rejects, stage_reject_header[i], strlen(stage_reject_header[i]));
		rows_end(x->rejects);
	}
	if (st.st_size == 0) {
		snprintf(why, sizeof why, "%s: the file is empty", x->path);
		fail_file(x, why);
		goto done;
	}
	if (build_keys(x) < 0 || !(x->voff = calloc(x->s->nfields, sizeof *x->voff)) ||
	    !(x->vptr = calloc(x->s->nfields, sizeof *x->vptr)) ||
	    !(x->vlen = calloc(x->s->nfields, sizeof *x->vlen)) ||
	    !(x->ecache = calloc(x->s->nfields, sizeof *x->ecache))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (is_xlsx(x->path)) {
		xlsx_opts xo = { .sheet = x->s->sheet, .max_ratio = lm->max_inflation_ratio,
				 .max_shared = lm->max_shared_strings_bytes,
				 .max_cell = lm->max_field_bytes, .max_row = lm->max_record_bytes };
		if (!(x->xl = xlsxpar_open(x->path, &xo, why, sizeof why))) {
			fail_file(x, why);
			goto done;
		}
		x->excel_dates = 1;
		x->date1904 = xlsxpar_date1904(x->xl);
	} else if (!(x->in = csvin_open(x->path, &o, why, sizeof why))) {
		fail_file(x, why);
		goto done;
	}
	/* The header: the first row, among the first header_scan, that holds
	 * every required column. */
	for (int i = 0; i < x->s->header_scan; i++) {
		r = in_next(x, &rec);
		if (r <= 0)
			break;
		if (is_header(x, rec)) {
			x->m.header_line = rec->line;
			if (take_header(x, rec, err, errlen) < 0)
				return -1;
			break;
		}
		note_candidate(x, rec);
	}
	if (!x->m.header_line) {
		if (in_error(x)[0]) {
			fail_file(x, in_error(x));
		} else {
			explain_missing(x, why, sizeof why);
			fail_file(x, why);
		}
		goto done;
	}
	/* The data rows of a CSV file: decoding, UTF-8 checks and splitting
	 * in a thread, ahead of the conversion here (without a thread, the
	 * rows are read here). */
	if (x->in)
		x->q = recq_start(csv_next, csv_error, x->in, why, sizeof why);
	while ((r = in_next(x, &rec)) > 0)
		if (do_row(x, rec) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	if (r < 0) {
		fail_file(x, in_error(x));
		goto done;
	}
	if (x->m.rows_read == 0) {
		snprintf(why, sizeof why, "%s: the file has a header (line %lld) but no data rows", x->path,
			 x->m.header_line);
		fail_file(x, why);
		goto done;
	}
	if (x->m.rows_rejected) {
		long long considered = x->m.rows_read - x->m.rows_skipped;
		x->m.status = MANIFEST_REJECTED;
		if (considered > 0 && (double)x->m.rows_rejected > x->s->max_reject_share * (double)considered) {
			snprintf(why, sizeof why,
				 "%s: %lld of %lld rows rejected, more than the source's max_reject_share %g allows\n"
				 "detail: the rejected rows and their reasons are in %s/rejects.tsv\n"
				 "hint: is this the right kind of export? fix it and drop it in the inbox again",
				 x->path, x->m.rows_rejected, considered, x->s->max_reject_share, x->outdir);
			fail_file(x, why);
		}
	}
done:
	recq_stop(x->q);
	x->q = NULL;
	x->m.delimiter = strdup(x->xl ? "xlsx" : !x->in ? "unknown"
				: csvin_delim(x->in) == '\t' ? "tab"
				: csvin_delim(x->in) == ';'  ? "semicolon"
							      : "comma");
	if (x->in) {
		free(x->m.encoding);
		x->m.encoding = strdup(csvin_encoding(x->in));
	} else if (x->xl) {
		char e[300];
		snprintf(e, sizeof e, "xlsx (sheet %s)", xlsxpar_sheet(x->xl));
		free(x->m.encoding);
		x->m.encoding = strdup(e);
	}
	x->m.extract_ms = cli_ms() - t0;
	x->m.rows_staged = x->m.rows_loaded;
	write_header(x);        /* when no header was found */
	if (rows_commit(x->rows, err, errlen) < 0) {
		x->rows = NULL;
		return -1;
	}
	x->rows = NULL;
	if (rows_commit(x->rejects, err, errlen) < 0) {
		x->rejects = NULL;
		return -1;
	}
	x->rejects = NULL;
	return 0;
}

/* The file's SHA-256, computed by a second thread while the rows are read
 * (the file is read twice, but the two passes overlap). */
typedef struct hash_job {
	const char *path;               /* file to hash */
	unsigned char dig[SHA256_DIGEST_LEN]; /* its digest */
	char why[1024];                 /* the error when rc < 0 */
	int rc;                         /* sha256_file's result */
} hash_job;

static void *hash_thread(void *arg)
{
	hash_job *h = arg;

	h->rc = sha256_file(h->path, h->dig, h->why, sizeof h->why);
	return NULL;
}

/* Extract the file and write the manifest.  0, or -1 with err. */
static int run(extract *x, char *err, size_t errlen)
{
	hash_job h = { .path = x->path, .rc = 0 };
	pthread_t th;
	int threaded = pthread_create(&th, NULL, hash_thread, &h) == 0;
	char hex[SHA256_HEX_LEN + 1], path[4200];
	int rc;

	if (!threaded)
		hash_thread(&h);
	rc = extract_file(x, err, errlen);
	if (threaded)
		pthread_join(th, NULL);
	if (rc < 0)
		return -1;
	if (h.rc < 0) {
		snprintf(err, errlen, "%s", h.why);
		return -1;
	}
	sha256_hex(h.dig, hex);
	if (!(x->m.sha256 = strdup(hex))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(path, sizeof path, "%s/manifest.yaml", x->outdir);
	return manifest_write(path, &x->m, err, errlen);
}

static void cleanup(extract *x)
{
	if (x->rows)
		rows_abort(x->rows);
	if (x->rejects)
		rows_abort(x->rejects);
	recq_stop(x->q);
	csvin_close(x->in);
	xlsxpar_close(x->xl);
	pii_close(x->pii);
	for (size_t i = 0; i < x->ncols; i++)
		free(x->header ? x->header[i] : NULL);
	free(x->header);
	free(x->map);
	if (x->keys)
		for (size_t i = 0; i < x->s->nfields; i++)
			free(x->keys[i]);
	free(x->keys);
	free(x->vals);
	free(x->voff);
	free(x->vptr);
	free(x->vlen);
	free(x->missing);
	free(x->staged);
	free(x->ecache);
	manifest_clear(&x->m);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "source", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config = NULL, *source = NULL, *outdir = NULL;
	char err[4096];
	extract x;
	cfg *c;
	int ch, rc, status;

	log_init("vqr-extract");
	cli_init_process();
	while ((ch = getopt_long(argc, argv, "c:s:o:vL:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 's': source = optarg; break;
		case 'o': outdir = optarg; break;
		default:
			if ((rc = cli_std_option(ch, optarg, "vqr-extract", usage)) != CLI_GO_ON)
				return rc == CLI_NOT_MINE ? EXIT_USAGE : rc;
		}
	}
	if ((rc = cli_one_operand(argc, argv, optind, "vqr-extract", "input file")))
		return rc;
	if (!outdir) {
		log_error("no output directory given (-o DIR)");
		return EXIT_USAGE;
	}
	config = cli_config_path(config);
	if (!(c = cfg_load(config, err, sizeof err))) {
		log_error_text(err);
		return EXIT_USAGE;
	}
	memset(&x, 0, sizeof x);
	x.found_score = -1;
	x.period_start = LONG_MIN;
	x.c = c;
	x.path = argv[optind];
	x.outdir = outdir;
	x.s = source ? cfg_source_find(c, source) : cfg_source_for_file(c, x.path);
	if (!x.s) {
		if (source)
			log_error("unknown source \"%s\" (see %s)", source, config);
		else
			log_error("%s: no source's file patterns match this file name", x.path);
		log_hint("name the source with --source");
		cfg_free(c);
		return EXIT_USAGE;
	}
	{
		/* A regular file only: never what a symbolic link points to, nor
		 * a FIFO or device. */
		int fd = cli_open_input(x.path, err, sizeof err);
		if (fd < 0) {
			log_error_text(err);
			cfg_free(c);
			return EXIT_USAGE;
		}
		close(fd);
	}
	for (size_t i = 0; i < x.s->nfields; i++)
		if (x.s->fields[i].pii == CFG_PII_PSEUDONYMISE && !x.pii &&
		    !(x.pii = pii_open(c->pii_key_file, err, sizeof err))) {
			log_error_text(err);
			cfg_free(c);
			return EXIT_USAGE;
		}
	log_info("%s: source %s -> %s", x.path, x.s->name, outdir);
	if (run(&x, err, sizeof err) < 0) {
		log_error_text(err);
		status = EXIT_INTERNAL;
	} else if (x.m.status == MANIFEST_FAILED) {
		log_error_text(x.m.reason);
		status = EXIT_REJECTED;
	} else {
		if (x.printed > MAX_PRINTED)
			log_notice("%ld more rejected cells are in %s/rejects.tsv", x.printed - MAX_PRINTED,
				   outdir);
		log_info("%s: %lld rows read, %lld loaded, %lld rejected, %lld skipped", x.path,
			 x.m.rows_read, x.m.rows_loaded, x.m.rows_rejected, x.m.rows_skipped);
		status = x.m.rows_rejected ? EXIT_REJECTED : EXIT_OK;
	}
	cleanup(&x);
	cfg_free(c);
	return cli_finish_stdout(status);
}
