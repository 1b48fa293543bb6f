/*
 * load.c - vqr-load's load of one staged batch, in one transaction; see
 * load.h.  load_run takes the steps in order, each a function below:
 * begin (or --follow's first part), the check that the file is not
 * loaded yet, the catalog and the batch, the file's record, the slices'
 * old values out and the new ones in, the rejects and rows, the shrink
 * check (which may hold the file back), the findings and checks (which
 * may block it), and the commit.
 *
 * A workbook read as parts (a sheet each, load_run_parts) is loaded the
 * same way in its one transaction: the steps that concern a part's
 * source, slices, values, rejects and rows run for each part in turn
 * (each_part, with that part made the current one), the others once for
 * the file.
 */
#include "stages/load/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/db/db.h"
#include "lib/db/pgcopy.h"
#include "lib/db/rowload.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"
#include "stages/load/load_batch.h"
#include "stages/load/load_catalog.h"
#include "stages/load/load_copy.h"
#include "stages/load/load_file.h"
#include "stages/load/load_findings.h"
#include "stages/load/load_follow.h"
#include "stages/load/load_shrink.h"

/* One load under way. */
typedef struct load_ctx {
	db *d;                  /* the connection, in the load's transaction */
	const cfg *c;           /* the configuration */
	const load_part *parts; /* the file's staging directories (nparts; one unless a workbook of parts) */
	size_t nparts;
	const cfg_source *s;    /* the current part's source (use_part) */
	manifest *m;            /* the current part's manifest */
	const char *dir;        /* the current part's staging directory */
	const load_opts *o;     /* what to do */
	load_result *out;       /* what was done */
	int accept_shrink;      /* o->accept_shrink, or a reprocess */
	char *periods;          /* the current part's periods as a text[] literal (in pperiods) */
	char **pperiods;        /* each part's periods as a text[] literal (nparts, owned) */
	char *all;              /* the periods of every part as a text[] literal (owned) */
	const manifest *fm;     /* the file's record: parts[0]'s manifest, or fsum for several parts */
	manifest fsum;          /* several parts: parts[0]'s manifest with every part's counts and
				 * periods (its strings are the parts', only fsum.periods is owned) */
	int guarded;            /* the catalog goes through the guarded functions (load_catalog_guarded) */
	long long missing;      /* field_missing findings of the parts */
	long long file_id;      /* the file's vqr.source_file id (0 until known) */
	char bnum[32];          /* out->batch_id as text */
	char fnum[32];          /* file_id as text */
	int rls;                /* row-level security applies (load_rls_active) */
	int rc;                 /* load_run's result once a step ended the transaction */
	char *err;              /* the caller's error buffer */
	size_t errlen;
} load_ctx;

/* What a step says: go on, roll back (err set), or the transaction is
 * over (x->rc says how). */
enum { STEP_GO = 0, STEP_FAIL = -1, STEP_ENDED = 1 };

/* Make part i the current one: its source, manifest, directory, periods. */
static void use_part(load_ctx *x, size_t i)
{
	x->s = x->parts[i].s;
	x->m = x->parts[i].m;
	x->dir = x->parts[i].dir;
	x->periods = x->pperiods[i];
}

/* Run fn for each part in turn, until one does not say STEP_GO; then
 * part 0 is the current one again (unless the transaction ended). */
static int each_part(load_ctx *x, int (*fn)(load_ctx *))
{
	int rc = STEP_GO;

	for (size_t i = 0; rc == STEP_GO && i < x->nparts; i++) {
		use_part(x, i);
		rc = fn(x);
	}
	if (rc == STEP_GO)
		use_part(x, 0);
	return rc;
}

/* End the transaction with sql (COMMIT, ROLLBACK), as the load's result. */
static int end_tx(load_ctx *x, const char *sql)
{
	x->rc = db_exec(x->d, sql, x->err, x->errlen);
	return STEP_ENDED;
}

/* Is the file loaded already?  Skip it then (out->skipped_by), unless it
 * is to be reprocessed, which takes its file id. */
static int step_loaded_before(load_ctx *x)
{
	const char *p[2] = { x->c->school_code, x->m->sha256 };
	PGresult *r = db_query(x->d,
			       "SELECT f.batch_id, to_char(f.loaded_at, 'YYYY-MM-DD HH24:MI:SS'), f.file_id "
			       "FROM vqr.source_file f WHERE f.school_code = $1 AND f.sha256 = $2",
			       2, p, x->err, x->errlen);
	int n;

	if (!r)
		return STEP_FAIL;
	n = PQntuples(r);
	if (x->o->reprocess && n) {
		x->file_id = atoll(PQgetvalue(r, 0, 2));
		x->accept_shrink = 1;
	} else if (n) {
		snprintf(x->out->skipped_by, sizeof x->out->skipped_by, "batch %s at %s", PQgetvalue(r, 0, 0),
			 PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	if (x->o->reprocess && !n)
		return err_set(x->err, x->errlen, "%s: --reprocess: %s (sha256 %s) is not loaded", x->o->dir,
			       x->m->file_name, x->m->sha256);
	return n && !x->o->reprocess ? end_tx(x, "ROLLBACK") : STEP_GO;
}

/* The current part's source in the catalog (unless --follow put it
 * there), and its periods. */
static int catalog_part(load_ctx *x)
{
	if ((!x->o->follow && load_catalog_sync(x->d, x->c, x->s, x->guarded, x->err, x->errlen) < 0) ||
	    load_catalog_periods(x->d, x->m, x->dir, x->guarded, x->err, x->errlen) < 0)
		return STEP_FAIL;
	return STEP_GO;
}

/* The catalog, the periods and (unless --follow made them) the batch and
 * the savepoint a blocked load rolls back to. */
static int step_catalog(load_ctx *x)
{
	int follow = x->o->follow;

	if ((x->guarded = load_catalog_guarded(x->d, x->err, x->errlen)) < 0 || each_part(x, catalog_part) != STEP_GO)
		return STEP_FAIL;
	if (!follow && load_insert_batch(x->d, x->c, x->s, x->o->label, &x->out->batch_id, x->err, x->errlen) < 0)
		return STEP_FAIL;
	/* A blocking check rolls back to here: the batch stays, with its findings.
	 * (--follow took it in load_follow_first, before the rows.) */
	if (!follow && db_exec(x->d, "SAVEPOINT vqr_slice", x->err, x->errlen) < 0)
		return STEP_FAIL;
	snprintf(x->bnum, sizeof x->bnum, "%lld", x->out->batch_id);
	return STEP_GO;
}

/* The current part's slices: their values replaced by the part's. */
static int values_part(load_ctx *x)
{
	char *path, suffix[64];
	long long replaced = 0, values = 0;
	int rc;

	if (load_replace_values(x->d, x->c, x->s, x->periods, x->bnum, x->o->dry_run, &replaced, x->err,
				x->errlen) < 0)
		return STEP_FAIL;
	snprintf(suffix, sizeof suffix, "\t%lld\t%lld", x->out->batch_id, x->file_id);
	path = stage_path(x->dir, STAGE_INDICATORS);
	rc = load_table(x->d, "vqr.indicator_value", STAGE_INDICATOR_COPY_COLUMNS, x->rls, path, 0, suffix,
			&values, x->err, x->errlen);
	free(path);
	x->out->replaced += replaced;
	x->out->values += values;
	return rc < 0 ? STEP_FAIL : STEP_GO;
}

/* The file's record (and a workbook's sheets), and each part's slices. */
static int step_values(load_ctx *x)
{
	if (load_record_file(x->d, x->c, x->s, x->fm, x->all, x->bnum, x->o->reprocess, &x->file_id, x->err,
			     x->errlen) < 0 ||
	    (x->rls = load_rls_active(x->d, x->err, x->errlen)) < 0)
		return STEP_FAIL;
	snprintf(x->fnum, sizeof x->fnum, "%lld", x->file_id);
	if (x->m->sheet) {
		manifest **ms = xcalloc(x->nparts, sizeof *ms);
		int rc;
		for (size_t i = 0; i < x->nparts; i++)
			ms[i] = x->parts[i].m;
		rc = load_record_sheets(x->d, ms, x->nparts, x->fnum, x->err, x->errlen);
		free(ms);
		if (rc < 0)
			return STEP_FAIL;
	}
	return each_part(x, values_part);
}

/* COPY the rejects file name (when it exists, or always when must) in,
 * adding to out->rejects. */
static int copy_rejects(load_ctx *x, const char *name, int must)
{
	char *path = stage_path(x->dir, name);
	str suffix = STR_INIT;
	long long n = 0;
	int rc = 0;

	str_addf(&suffix, "\t%lld", x->file_id);
	if (x->m->sheet) {      /* a part: the reject names its sheet */
		str_addc(&suffix, '\t');
		pgcopy_add_escaped(&suffix, x->m->sheet);
	}
	if (must || access(path, F_OK) == 0)
		rc = load_table(x->d, "vqr.reject", x->m->sheet ? STAGE_REJECT_COPY_COLUMNS ", sheet"
			: STAGE_REJECT_COPY_COLUMNS, x->rls, path, 1, str_cstr(&suffix), &n, x->err, x->errlen);
	x->out->rejects += n;
	free(path);
	str_free(&suffix);
	return rc;
}

/* The canonical rows (load_rows): a replacing file's rows replace its
 * slices' rows; a supplement's (or a reprocessed file's) join those of
 * the slices' other files.  rows.tsv is not synced: a crash can leave it
 * short, which the manifest's rows_staged shows. */
static int copy_rows(load_ctx *x)
{
	const load_opts *o = x->o;
	long long rows = o->follow ? x->out->rows : 0;

	if (!x->s->load_rows)
		return 0;
	if ((!o->follow && rowload_copy(x->d, x->c, x->s, x->dir, x->file_id, 0, &rows, x->err, x->errlen) < 0) ||
	    (!o->reprocess && !cfg_is_supplement(x->s, x->m->file_name) &&
	     rowload_replace(x->d, x->c, x->s, x->file_id, x->periods, x->err, x->errlen) < 0))
		return -1;
	if (!o->follow)
		x->out->rows += rows;
	if (x->m->rows_staged >= 0 && rows != x->m->rows_staged)
		return err_set(x->err, x->errlen, "%s/%s: %lld rows, but vqr-extract staged %lld (%s: "
			       "rows_staged): the file is incomplete\nhint: extract the export again", x->dir,
			       STAGE_ROWS, rows, x->m->rows_staged, STAGE_MANIFEST);
	return 0;
}

/* A reprocessed file's canonical rows of the current part's source go. */
static int forget_part(load_ctx *x)
{
	return x->s->load_rows && rowload_forget(x->d, x->s, x->file_id, x->err, x->errlen) < 0 ? STEP_FAIL : STEP_GO;
}

/* The current part's rejects (both stages') and canonical rows. */
static int rejects_part(load_ctx *x)
{
	if (copy_rejects(x, STAGE_REJECTS, 1) < 0 || copy_rows(x) < 0 || copy_rejects(x, STAGE_REJECTS_TRANSFORM, 0) < 0)
		return STEP_FAIL;
	return STEP_GO;
}

/* The rejects and the canonical rows of each part; a reprocessed file's
 * old ones go first. */
static int step_rejects_rows(load_ctx *x)
{
	if (x->o->reprocess) {
		const char *fp[1] = { x->fnum };
		if (db_run(x->d, "DELETE FROM vqr.reject WHERE file_id = $1::bigint", 1, fp, x->err, x->errlen) < 0 ||
		    each_part(x, forget_part) != STEP_GO)
			return STEP_FAIL;
	}
	return each_part(x, rejects_part);
}

/* Hold the file back: the slice's changes are undone, the shrinks
 * recorded as findings of the batch (then 'blocked'), and in held.txt. */
static int hold(load_ctx *x, const shrink *k)
{
	if (db_exec(x->d, "ROLLBACK TO SAVEPOINT vqr_slice", x->err, x->errlen) < 0 ||
	    shrink_record(x->d, x->c, x->s, k, x->m->file_name, x->bnum, x->err, x->errlen) < 0 ||
	    load_batch_finish(x->d, x->bnum, "blocked", x->err, x->errlen) < 0 ||
	    shrink_write_held(x->o->dir, k, x->err, x->errlen) < 0)
		return STEP_FAIL;
	x->out->held = 1;
	x->out->values = x->out->replaced = x->out->rejects = 0;
	x->out->checks.errors = k->n;
	return end_tx(x, "COMMIT");
}

/* The current part's slices' files, and the shrink check of a replacing
 * file (which a dry run only reports). */
static int slices_part(load_ctx *x)
{
	int supplement = x->o->reprocess || cfg_is_supplement(x->s, x->m->file_name), rc = STEP_GO;
	shrink k = SHRINK_INIT;
	long long old_rows;

	if (load_slice_files(x->d, x->c, x->s, x->periods, x->fnum, x->bnum, supplement, &old_rows, x->err,
			     x->errlen) < 0)
		return STEP_FAIL;
	if (!supplement && !x->accept_shrink && x->s->max_shrink < 1 &&
	    shrink_check(x->d, x->c, x->s, x->m, x->periods, x->bnum, old_rows, &k, x->err, x->errlen) < 0)
		rc = STEP_FAIL;
	else if (k.n && x->o->dry_run)
		printf("dry run: %s would be held back: it shrinks its slice by more than max_shrink %.15g: %s\n",
		       x->m->file_name, x->s->max_shrink, str_cstr(&k.text));
	else if (k.n)
		rc = hold(x, &k);
	shrink_free(&k);
	return rc;
}

/* Each part's slices' files and shrink check. */
static int step_slices(load_ctx *x)
{
	return each_part(x, slices_part);
}

/* A blocking check failed: the slice's changes are undone, the checks'
 * findings recorded for the batch (then 'blocked'). */
static int block(load_ctx *x, const derive *dv)
{
	if (db_exec(x->d, "ROLLBACK TO SAVEPOINT vqr_slice", x->err, x->errlen) < 0 ||
	    derive_record(x->d, dv, x->c->school_code, x->all, x->out->batch_id, 0, x->err, x->errlen) < 0 ||
	    load_batch_finish(x->d, x->bnum, "blocked", x->err, x->errlen) < 0)
		return STEP_FAIL;
	x->out->values = x->out->replaced = x->out->rejects = 0;
	return end_tx(x, "COMMIT");
}

/* The current part's field_missing findings, counted in x->missing. */
static int missing_part(load_ctx *x)
{
	long long n = load_field_missing(x->d, x->c, x->s, x->m, x->periods, x->bnum, x->fnum, x->err, x->errlen);

	x->missing += n > 0 ? n : 0;
	return n < 0 ? STEP_FAIL : STEP_GO;
}

/* The findings and the derived indicators and checks over the periods
 * as they now stand; a blocking check rolls the slice back.  Then commit
 * (a dry run reports and rolls back). */
static int step_checks(load_ctx *x)
{
	load_result *out = x->out;
	derive *dv;
	int rc;

	if (each_part(x, missing_part) != STEP_GO ||
	    !(dv = derive_run(x->d, x->c, x->c->school_code, x->all, out->batch_id, &out->checks, x->err,
			      x->errlen)))
		return STEP_FAIL;
	out->checks.warnings += x->missing;
	if (out->checks.blocked && !x->o->dry_run)
		rc = block(x, dv);
	else if (derive_record(x->d, dv, x->c->school_code, x->all, out->batch_id, x->file_id, x->err,
			       x->errlen) < 0)
		rc = STEP_FAIL;
	else if (x->o->dry_run)
		rc = load_report_changes(x->d, x->fm, x->bnum, out->values, out->replaced, x->err, x->errlen) < 0
			     ? STEP_FAIL : end_tx(x, "ROLLBACK");
	else
		rc = load_batch_finish(x->d, x->bnum, "loaded", x->err, x->errlen) < 0 ? STEP_FAIL
											: end_tx(x, "COMMIT");
	derive_free(dv);
	return rc;
}

/* The file's record of several parts: parts[0]'s manifest with the
 * counts and periods of all of them (into x->fsum). */
static void sum_parts(load_ctx *x)
{
	manifest *f = &x->fsum;

	*f = *x->parts[0].m;
	f->rows_read = f->rows_loaded = f->rows_rejected = f->rows_skipped = 0;
	f->rows_staged = f->indicators = f->extract_ms = f->transform_ms = 0;
	f->periods = NULL;
	f->nperiods = 0;
	for (size_t i = 0; i < x->nparts; i++) {
		const manifest *m = x->parts[i].m;
		f->rows_read += m->rows_read;
		f->rows_loaded += m->rows_loaded;
		f->rows_rejected += m->rows_rejected;
		f->rows_skipped += m->rows_skipped;
		f->rows_staged += m->rows_staged;
		f->indicators += m->indicators;
		f->extract_ms += m->extract_ms;
		f->transform_ms += m->transform_ms;
		for (size_t p = 0; p < m->nperiods; p++) {
			size_t k = 0;
			while (k < f->nperiods && strcmp(f->periods[k], m->periods[p]) != 0)
				k++;
			if (k < f->nperiods)
				continue;
			f->periods = xreallocarray(f->periods, f->nperiods + 1, sizeof *f->periods);
			f->periods[f->nperiods++] = m->periods[p];
		}
	}
}

/* The periods of each part and of the file as text[] literals. */
static void prepare(load_ctx *x)
{
	x->pperiods = xcalloc(x->nparts, sizeof *x->pperiods);
	for (size_t i = 0; i < x->nparts; i++)
		x->pperiods[i] = db_text_array(x->parts[i].m->periods, x->parts[i].m->nperiods);
	if (x->nparts > 1)
		sum_parts(x);
	x->fm = x->nparts > 1 ? &x->fsum : x->parts[0].m;
	x->all = db_text_array(x->fm->periods, x->fm->nperiods);
	use_part(x, 0);
}

/* Free what prepare made. */
static void unprepare(load_ctx *x)
{
	for (size_t i = 0; i < x->nparts; i++)
		free(x->pperiods[i]);
	free(x->pperiods);
	free(x->all);
	free(x->fsum.periods);
}

int load_run_parts(db *d, const cfg *c, const load_part *parts, size_t n, const load_opts *o, load_result *out,
		   char *err, size_t errlen)
{
	int (*const steps[])(load_ctx *) = { step_loaded_before, step_catalog, step_values, step_rejects_rows,
					     step_slices, step_checks };
	load_ctx x = { .d = d, .c = c, .parts = parts, .nparts = n, .o = o, .out = out,
		       .accept_shrink = o->accept_shrink, .err = err, .errlen = errlen };
	int rc = STEP_GO;

	memset(out, 0, sizeof *out);
	if (o->follow && (rc = load_follow_first(d, c, parts[0].s, parts[0].m, o->dir, o->label, &out->batch_id,
						 &x.file_id, &out->rows, err, errlen)) < 0)
		return rc;
	prepare(&x);
	if (!o->follow && load_begin_locked(d, c, err, errlen) < 0) {
		unprepare(&x);
		return -1;
	}
	for (size_t i = 0; rc == STEP_GO && i < sizeof steps / sizeof steps[0]; i++)
		rc = steps[i](&x);
	if (rc == STEP_FAIL) {
		char e2[256];
		db_exec(d, "ROLLBACK", e2, sizeof e2);
		x.rc = -1;
	}
	unprepare(&x);
	return x.rc;
}

int load_run(db *d, const cfg *c, const cfg_source *s, manifest *m, const load_opts *o, load_result *out,
	     char *err, size_t errlen)
{
	load_part one = { o->dir, s, m };

	return load_run_parts(d, c, &one, 1, o, out, err, errlen);
}

stage_outcome load_outcome(const load_result *r)
{
	return r->skipped_by[0] ? STAGE_SKIPPED : r->held ? STAGE_HELD : r->checks.blocked ? STAGE_BLOCKED : STAGE_LOADED;
}
