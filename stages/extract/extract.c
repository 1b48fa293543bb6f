/*
 * extract.c - vqr-extract's run over one export file (extract.h).
 *
 * The file streams through: memory does not grow with the number of rows.
 * A row with a bad cell is rejected as a whole (every bad cell of it is
 * reported); the other rows go on.  A file that cannot be read, or lacks
 * a required column, fails as a whole: the manifest says status "failed"
 * with the reason, and the driver quarantines it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/staging/rows.h"
#include "lib/staging/stage.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/sha256.h"
#include "stages/extract/extract.h"

void extract_init(extract *x, const cfg *c, const cfg_source *s, const char *path, const char *outdir)
{
	memset(x, 0, sizeof *x);
	x->c = c;
	x->s = s;
	x->path = path;
	x->where = xstrdup(path);
	x->outdir = outdir;
	rowcheck_init(&x->rc, s, path, &x->m);
	hfind_init(&x->hf, s);
}

void extract_free(extract *x)
{
	if (x->rc.rows)
		rows_abort(x->rc.rows);
	if (x->rc.rejects)
		rows_abort(x->rc.rejects);
	reader_close(x->in);
	hfind_free(&x->hf);
	rowcheck_free(&x->rc);
	manifest_clear(&x->m);
	free(x->where);
}

void extract_set_sheet(extract *x, const char *sheet)
{
	x->sheet = sheet;
	free(x->where);
	x->where = xasprintf("%s:%s", x->path, sheet);
	x->rc.path = x->where;
}

/* The reader options of c's limits (the format's own options unset). */
static reader_opts limit_opts(const cfg *c)
{
	const cfg_limits *lm = &c->limits;
	reader_opts o = { .max_record = (size_t)lm->max_record_bytes, .max_field = (size_t)lm->max_field_bytes,
			  .max_ratio = lm->max_inflation_ratio, .max_shared = lm->max_shared_strings_bytes,
			  .max_xls = lm->max_xls_bytes };

	return o;
}

int extract_list_sheets(const cfg *c, const char *path, FILE *out, char *err, size_t errlen)
{
	reader_opts o = limit_opts(c);
	reader *r = reader_open(path, &o, err, errlen);
	size_t n;

	if (!r)
		return -1;
	n = reader_sheet_count(r);
	for (size_t i = 0; i < n; i++) {
		const char *name = reader_sheet_name(r, i);
		for (const char *p = name; p && *p; p++)
			putc(*p == '\n' || *p == '\r' ? ' ' : *p, out);
		putc('\n', out);
	}
	reader_close(r);
	return 0;
}

/* The file fails as a whole, for the reason formatted. */
static void fail_file(extract *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail_file(extract *x, const char *fmt, ...)
{
	va_list ap;

	free(x->m.reason);
	x->m.status = MANIFEST_FAILED;
	va_start(ap, fmt);
	x->m.reason = xvasprintf(fmt, ap);
	va_end(ap);
}

/* The manifest's description of the file before it is read; 0, or -1
 * with err when it cannot be found. */
static int start_manifest(extract *x, char *err, size_t errlen)
{
	struct stat st;

	x->m.school = xstrdup(x->c->school_code);
	x->m.source = xstrdup(x->s->name);
	x->m.file = realpath(x->path, NULL);
	x->m.file_name = xstrdup(cli_basename(x->path));
	x->m.sheet = x->sheet ? xstrdup(x->sheet) : NULL;
	x->m.encoding = xstrdup("utf-8");
	x->m.status = MANIFEST_OK;
	x->m.transform_ms = x->m.indicators = x->m.rows_staged = -1;
	if (!x->m.file || lstat(x->path, &st) < 0)
		return err_set(err, errlen, "%s: %s", x->path, strerror(errno));
	x->m.size = st.st_size;
	return 0;
}

/* rows.tsv and rejects.tsv (its header line written) opened in outdir.
 * 0, or -1 with err. */
static int open_outputs(extract *x, char *err, size_t errlen)
{
	char *path;

	if (cli_mkdirs(x->outdir, err, errlen) < 0)
		return -1;
	/* Uncompressed: the transform reads it right away (often while it is
	 * written), and vqr run removes it once the batch is loaded. */
	path = stage_path(x->outdir, STAGE_ROWS);
	x->rc.rows = rows_create(path, 0, err, errlen);
	free(path);
	if (!x->rc.rows)
		return -1;
	rows_nosync(x->rc.rows);   /* the synced manifest counts its lines: rows_staged */
	path = stage_path(x->outdir, STAGE_REJECTS);
	x->rc.rejects = rows_create(path, 0, err, errlen);
	free(path);
	if (!x->rc.rejects)
		return -1;
	for (size_t i = 0; i < STAGE_REJECT_NCOLS; i++)
		rows_put(x->rc.rejects, stage_reject_header[i], strlen(stage_reject_header[i]));
	rows_end(x->rc.rejects);
	return 0;
}

/* Open the file with the reader of its format.  1, or 0 when the file
 * failed (the reader's reason). */
static int open_input(extract *x)
{
	reader_opts o = limit_opts(x->c);
	reader_info info;
	char why[ERR_MAX];

	o.delim = x->s->delim;
	o.encoding = x->s->encoding;
	o.sheet = x->sheet ? x->sheet : x->s->sheet;
	if (!(x->in = reader_open(x->path, &o, why, sizeof why))) {
		fail_file(x, "%s", why);
		return 0;
	}
	for (size_t i = 0; x->sheet && i < reader_sheet_count(x->in); i++) {
		const char *name = reader_sheet_name(x->in, i);
		manifest_list_add(&x->m.sheets, name);
		if (!cfg_source_for_sheet(x->c, x->path, name))
			manifest_list_add(&x->m.unmatched_sheets, name);
	}
	reader_describe(x->in, &info);
	x->rc.excel_dates = info.excel_dates;
	x->rc.date1904 = info.date1904;
	x->rc.short_rows = info.short_rows;
	x->rc.no_value_cells = info.no_value_cells;
	x->rc.text_guards = info.text_guards;
	return 1;
}

/* The header: the first row, among the first header_scan, that holds
 * every required column (with header_rows N, the first N rows whose
 * columns' paths do).  1 when found, 0 when the file failed, -1 with err
 * (out of memory). */
static int find_header(extract *x, char *err, size_t errlen)
{
	const csvin_record *rec, *cand;
	char why[ERR_MAX];
	int r;

	for (int i = 0; i < x->s->header_scan; i++) {
		if (reader_next(x->in, &rec) <= 0)
			break;
		if (!(cand = hfind_candidate(&x->hf, rec)))
			continue;
		if (hfind_is_header(&x->hf, cand)) {
			x->m.header_line = cand->line;
			r = hfind_take(&x->hf, cand, x->where, &x->rc, &x->m, why, sizeof why);
			if (r < 0)
				return err_set(err, errlen, "out of memory");
			if (r > 0)
				fail_file(x, "%s", why);
			return r == 0;
		}
		hfind_note(&x->hf, cand);
	}
	if (reader_error(x->in)[0]) {
		fail_file(x, "%s", reader_error(x->in));
	} else {
		hfind_explain(&x->hf, x->where, why, sizeof why);
		fail_file(x, "%s", why);
	}
	return 0;
}

/* The data rows, checked and written; then what the counts say of the
 * file.  0, or -1 with err. */
static int read_rows(extract *x, char *err, size_t errlen)
{
	const csvin_record *rec;
	long long considered;
	int r;

	/* Decoding, UTF-8 checks and splitting in a thread, ahead of the
	 * conversion here (when the format wants it). */
	reader_read_ahead(x->in);
	while ((r = reader_next(x->in, &rec)) > 0)
		if (rowcheck_row(&x->rc, rec) < 0)
			return err_set(err, errlen, "out of memory");
	if (r < 0) {
		fail_file(x, "%s", reader_error(x->in));
		return 0;
	}
	if (x->m.rows_read == 0) {
		fail_file(x, "%s: the file has a header (line %lld) but no data rows", x->where, x->m.header_line);
		return 0;
	}
	if (!x->m.rows_rejected)
		return 0;
	considered = x->m.rows_read - x->m.rows_skipped;
	x->m.status = MANIFEST_REJECTED;
	if (considered > 0 && (double)x->m.rows_rejected > x->s->max_reject_share * (double)considered)
		fail_file(x,
			  "%s: %lld of %lld rows rejected, more than the source's max_reject_share %g allows\n"
			  "detail: the rejected rows and their reasons are in %s/rejects.tsv\n"
			  "hint: is this the right kind of export? fix it and drop it in the inbox again",
			  x->where, x->m.rows_rejected, considered, x->s->max_reject_share, x->outdir);
	return 0;
}

/* The manifest's encoding and delimiter; rows.tsv and rejects.tsv
 * committed.  0, or -1 with err. */
static int finish(extract *x, long long t0, char *err, size_t errlen)
{
	reader_info info = { .delimiter = "unknown" };
	int r;

	if (x->in) {
		reader_describe(x->in, &info);
		free(x->m.encoding);
		x->m.encoding = xstrdup(info.encoding);
	}
	x->m.delimiter = xstrdup(info.delimiter);
	x->m.extract_ms = cli_ms() - t0;
	x->m.rows_staged = x->m.rows_loaded;
	rowcheck_write_header(&x->rc);  /* when no header was found */
	r = rows_commit(x->rc.rows, err, errlen);
	x->rc.rows = NULL;
	if (r < 0)
		return -1;
	r = rows_commit(x->rc.rejects, err, errlen);
	x->rc.rejects = NULL;
	return r;
}

/* Read the file, write rows.tsv and rejects.tsv, fill the manifest (but
 * its sha256).  0, or -1 with err. */
static int extract_file(extract *x, char *err, size_t errlen)
{
	long long t0 = cli_ms();
	int r = 1;

	if (start_manifest(x, err, errlen) < 0 || open_outputs(x, err, errlen) < 0)
		return -1;
	if (x->m.size == 0) {
		fail_file(x, "%s: the file is empty", x->where);
		r = 0;
	}
	if (r > 0)
		r = open_input(x);
	if (r > 0)
		r = find_header(x, err, errlen);
	if (r > 0)
		r = read_rows(x, err, errlen);
	if (r < 0)
		return -1;
	return finish(x, t0, err, errlen);
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

int extract_run(extract *x, char *err, size_t errlen)
{
	hash_job h = { .path = x->path, .rc = 0 };
	pthread_t th;
	int threaded = pthread_create(&th, NULL, hash_thread, &h) == 0;
	char hex[SHA256_HEX_LEN + 1], *path;
	int rc;

	if (!threaded)
		hash_thread(&h);
	rc = extract_file(x, err, errlen);
	if (threaded)
		pthread_join(th, NULL);
	if (rc < 0)
		return -1;
	if (h.rc < 0)
		return err_set(err, errlen, "%s", h.why);
	sha256_hex(h.dig, hex);
	x->m.sha256 = xstrdup(hex);
	path = stage_path(x->outdir, STAGE_MANIFEST);
	rc = manifest_write(path, &x->m, err, errlen);
	free(path);
	return rc;
}
