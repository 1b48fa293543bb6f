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
#include "lib/util/mem.h"
#include "lib/staging/manifest.h"
#include "lib/staging/stage.h"
#include "lib/util/pii.h"
#include "lib/staging/rows.h"
#include "lib/util/sha256.h"
#include "lib/readers/xlsxpar.h"
#include "stages/extract/rowcheck.h"
#include "lib/catalog/val.h"


typedef struct extract {
	const cfg *c;
	const cfg_source *s;
	const char *path;       /* input as given */
	const char *outdir;
	csvin *in;              /* the reader of a CSV file (plain or .gz) */
	recq *q;                /* in's data rows, read ahead by a thread (NULL: read directly) */
	xlsxpar *xl;            /* or of an .xlsx workbook (its sheet parsed on two cores) */
	manifest m;
	rowcheck rc;            /* the rows' check and their writers */
	char **keys;            /* per field: NULL-terminated normalised header keys */
	char found[1024];       /* the best header candidate, for messages: its line, width and
				 * the configured names of the columns it has (never its cells) */
	char widths[256];       /* the widths of the rows looked at for a header: "3, 3, 5" */
	int nwidths;            /* how many of them */
	int found_score;        /* known columns in it, -1 before any row */
} extract;

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
		x->keys[i] = calloc(n + 1, ROWCHECK_KEYLEN);
		if (!x->keys[i])
			return -1;
	}
	for (size_t i = 0; i < x->s->nfields; i++) {
		const cfg_field *f = &x->s->fields[i];
		char *k = x->keys[i];
		val_norm_key(f->header, strlen(f->header), k, ROWCHECK_KEYLEN);
		for (size_t j = 0; f->synonyms[j]; j++)
			val_norm_key(f->synonyms[j], strlen(f->synonyms[j]), k + (j + 1) * ROWCHECK_KEYLEN, ROWCHECK_KEYLEN);
	}
	return 0;
}

/* The field whose header or synonyms match this cell, or -1. */
static int match_header(const extract *x, const char *cell, size_t len)
{
	char key[ROWCHECK_KEYLEN];
	val_norm_key(cell, len, key, sizeof key);
	if (!key[0])
		return -1;
	for (size_t i = 0; i < x->s->nfields; i++) {
		const cfg_field *f = &x->s->fields[i];
		for (size_t j = 0; j == 0 || f->synonyms[j - 1]; j++)
			if (strcmp(x->keys[i] + j * ROWCHECK_KEYLEN, key) == 0)
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
		char nk[ROWCHECK_KEYLEN];
		double sc;
		if (present[i])
			continue;
		val_norm_key(f->name, strlen(f->name), nk, sizeof nk);
		sc = val_similarity(key, nk);
		for (size_t j = 0; j == 0 || f->synonyms[j - 1]; j++) {
			double s2 = val_similarity(key, x->keys[i] + j * ROWCHECK_KEYLEN);
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
	for (size_t c = 0; c < x->rc.ncols; c++)
		if (x->rc.map[c].field)
			present[x->rc.map[c].field - x->s->fields] = 1;
	for (size_t c = 0; c < x->rc.ncols; c++) {
		char key[ROWCHECK_KEYLEN], hint[300];
		if (x->rc.map[c].field || !x->rc.header[c][0])
			continue;
		val_norm_key(x->rc.header[c], strlen(x->rc.header[c]), key, sizeof key);
		closest_field(x, key, present, hint, sizeof hint);
		if (manifest_list_add(&x->m.unmapped, x->rc.header[c]) < 0 ||
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
	size_t ncols = rec->nfields;
	colmap *map = xcalloc(ncols ? ncols : 1, sizeof *map);
	char **header = xcalloc(ncols ? ncols : 1, sizeof *header);

	for (size_t c = 0; c < ncols; c++) {
		size_t len = rec->lens[c];
		const char *t = val_trim(rec->fields[c], &len);
		int fi = match_header(x, rec->fields[c], rec->lens[c]);
		header[c] = xstrndup(t, len);
		if (fi < 0)
			continue;
		for (size_t p = 0; p < c; p++)
			if (map[p].field == &x->s->fields[fi]) {
				log_warning("%s:%ld:%zu: column \"%s\" is a second %s column; the one in column %zu is used",
					    x->path, rec->line, c + 1, header[c], x->s->fields[fi].name, p + 1);
				fi = -1;
				break;
			}
		if (fi >= 0)
			map[c].field = &x->s->fields[fi];
	}
	rowcheck_set_columns(&x->rc, ncols, map, header);
	if (note_coverage(x) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rowcheck_write_header(&x->rc);
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
	if (!(x->rc.rows = rows_create(path, 0, err, errlen)))
		return -1;
	rows_nosync(x->rc.rows);   /* the synced manifest counts its lines: rows_staged */
	snprintf(path, sizeof path, "%s/rejects.tsv", x->outdir);
	if (!(x->rc.rejects = rows_create(path, 0, err, errlen)))
		return -1;
	{
		for (size_t i = 0; i < STAGE_REJECT_NCOLS; i++)
			rows_put(x->rc.rejects, stage_reject_header[i], strlen(stage_reject_header[i]));
		rows_end(x->rc.rejects);
	}
	if (st.st_size == 0) {
		snprintf(why, sizeof why, "%s: the file is empty", x->path);
		fail_file(x, why);
		goto done;
	}
	if (build_keys(x) < 0) {
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
		x->rc.excel_dates = 1;
		x->rc.short_rows = 1;
		x->rc.date1904 = xlsxpar_date1904(x->xl);
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
		if (rowcheck_row(&x->rc, rec) < 0) {
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
	rowcheck_write_header(&x->rc);        /* when no header was found */
	if (rows_commit(x->rc.rows, err, errlen) < 0) {
		x->rc.rows = NULL;
		return -1;
	}
	x->rc.rows = NULL;
	if (rows_commit(x->rc.rejects, err, errlen) < 0) {
		x->rc.rejects = NULL;
		return -1;
	}
	x->rc.rejects = NULL;
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
	if (x->rc.rows)
		rows_abort(x->rc.rows);
	if (x->rc.rejects)
		rows_abort(x->rc.rejects);
	recq_stop(x->q);
	csvin_close(x->in);
	xlsxpar_close(x->xl);
	pii_close(x->rc.pii);
	if (x->keys)
		for (size_t i = 0; i < x->s->nfields; i++)
			free(x->keys[i]);
	free(x->keys);
	rowcheck_free(&x->rc);
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
	rowcheck_init(&x.rc, x.s, x.path, &x.m);
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
		if (x.s->fields[i].pii == CFG_PII_PSEUDONYMISE && !x.rc.pii &&
		    !(x.rc.pii = pii_open(c->pii_key_file, err, sizeof err))) {
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
		if (x.rc.printed > ROWCHECK_MAX_PRINTED)
			log_notice("%ld more rejected cells are in %s/rejects.tsv", x.rc.printed - ROWCHECK_MAX_PRINTED,
				   outdir);
		log_info("%s: %lld rows read, %lld loaded, %lld rejected, %lld skipped", x.path,
			 x.m.rows_read, x.m.rows_loaded, x.m.rows_rejected, x.m.rows_skipped);
		status = x.m.rows_rejected ? EXIT_REJECTED : EXIT_OK;
	}
	cleanup(&x);
	cfg_free(c);
	return cli_finish_stdout(status);
}
