/*
 * load.c - vqr-load's load of one staged batch, in one transaction; see
 * load.h.  load_run takes the steps in order, each a function below:
 * begin (or --follow's first part), the check that the file is not
 * loaded yet, the catalog and the batch, the file's record, the slices'
 * old values out and the new ones in, the rejects and rows, the shrink
 * check (which may hold the file back), the findings and checks (which
 * may block it), and the commit.
 */
#include "stages/load/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/db/db.h"
#include "lib/db/rowload.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"
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
	const cfg_source *s;    /* the file's source */
	manifest *m;            /* the staging directory's manifest */
	const load_opts *o;     /* what to do */
	load_result *out;       /* what was done */
	int accept_shrink;      /* o->accept_shrink, or a reprocess */
	char *periods;          /* m's periods as a text[] literal, owned */
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

/* The catalog, the periods and (unless --follow made them) the batch and
 * the savepoint a blocked load rolls back to. */
static int step_catalog(load_ctx *x)
{
	int follow = x->o->follow, guarded = load_catalog_guarded(x->d, x->err, x->errlen);

	if (guarded < 0 || (!follow && load_catalog_sync(x->d, x->c, x->s, guarded, x->err, x->errlen) < 0) ||
	    load_catalog_periods(x->d, x->m, x->o->dir, guarded, x->err, x->errlen) < 0)
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

/* The file's record, and the slices' values replaced by the file's. */
static int step_values(load_ctx *x)
{
	char *path, suffix[64];
	int rc;

	if (load_record_file(x->d, x->c, x->s, x->m, x->periods, x->bnum, x->o->reprocess, &x->file_id, x->err,
			     x->errlen) < 0 ||
	    load_replace_values(x->d, x->c, x->s, x->periods, x->bnum, x->o->dry_run, &x->out->replaced, x->err,
				x->errlen) < 0 ||
	    (x->rls = load_rls_active(x->d, x->err, x->errlen)) < 0)
		return STEP_FAIL;
	snprintf(x->fnum, sizeof x->fnum, "%lld", x->file_id);
	snprintf(suffix, sizeof suffix, "\t%lld\t%lld", x->out->batch_id, x->file_id);
	path = stage_path(x->o->dir, STAGE_INDICATORS);
	rc = load_table(x->d, "vqr.indicator_value", STAGE_INDICATOR_COPY_COLUMNS, x->rls, path, 0, suffix,
			&x->out->values, x->err, x->errlen);
	free(path);
	return rc < 0 ? STEP_FAIL : STEP_GO;
}

/* COPY the rejects file name (when it exists, or always when must) in,
 * adding to out->rejects. */
static int copy_rejects(load_ctx *x, const char *name, int must)
{
	char *path = stage_path(x->o->dir, name), suffix[32];
	long long n = 0;
	int rc = 0;

	snprintf(suffix, sizeof suffix, "\t%lld", x->file_id);
	if (must || access(path, F_OK) == 0)
		rc = load_table(x->d, "vqr.reject", STAGE_REJECT_COPY_COLUMNS, x->rls, path, 1, suffix, &n, x->err,
				x->errlen);
	x->out->rejects += n;
	free(path);
	return rc;
}

/* The canonical rows (load_rows): a replacing file's rows replace its
 * slices' rows; a supplement's (or a reprocessed file's) join those of
 * the slices' other files.  rows.tsv is not synced: a crash can leave it
 * short, which the manifest's rows_staged shows. */
static int copy_rows(load_ctx *x)
{
	const load_opts *o = x->o;

	if (!x->s->load_rows)
		return 0;
	if ((!o->follow && rowload_copy(x->d, x->c, x->s, o->dir, x->file_id, 0, &x->out->rows, x->err, x->errlen) < 0) ||
	    (!o->reprocess && !cfg_is_supplement(x->s, x->m->file_name) &&
	     rowload_replace(x->d, x->c, x->s, x->file_id, x->periods, x->err, x->errlen) < 0))
		return -1;
	if (x->m->rows_staged >= 0 && x->out->rows != x->m->rows_staged)
		return err_set(x->err, x->errlen, "%s/%s: %lld rows, but vqr-extract staged %lld (%s: "
			       "rows_staged): the file is incomplete\nhint: extract the export again", o->dir,
			       STAGE_ROWS, x->out->rows, x->m->rows_staged, STAGE_MANIFEST);
	return 0;
}

/* The rejects (both stages') and the canonical rows; a reprocessed
 * file's old ones go first. */
static int step_rejects_rows(load_ctx *x)
{
	if (x->o->reprocess) {
		const char *fp[1] = { x->fnum };
		if (db_run(x->d, "DELETE FROM vqr.reject WHERE file_id = $1::bigint", 1, fp, x->err, x->errlen) < 0)
			return STEP_FAIL;
		if (x->s->load_rows && rowload_forget(x->d, x->s, x->file_id, x->err, x->errlen) < 0)
			return STEP_FAIL;
	}
	if (copy_rejects(x, STAGE_REJECTS, 1) < 0 || copy_rows(x) < 0 || copy_rejects(x, STAGE_REJECTS_TRANSFORM, 0) < 0)
		return STEP_FAIL;
	return STEP_GO;
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

/* The slice's files, and the shrink check of a replacing file (which a
 * dry run only reports). */
static int step_slices(load_ctx *x)
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

/* A blocking check failed: the slice's changes are undone, the checks'
 * findings recorded for the batch (then 'blocked'). */
static int block(load_ctx *x, const derive *dv)
{
	if (db_exec(x->d, "ROLLBACK TO SAVEPOINT vqr_slice", x->err, x->errlen) < 0 ||
	    derive_record(x->d, dv, x->c->school_code, x->periods, x->out->batch_id, 0, x->err, x->errlen) < 0 ||
	    load_batch_finish(x->d, x->bnum, "blocked", x->err, x->errlen) < 0)
		return STEP_FAIL;
	x->out->values = x->out->replaced = x->out->rejects = 0;
	return end_tx(x, "COMMIT");
}

/* The findings and the derived indicators and checks over the periods
 * as they now stand; a blocking check rolls the slice back.  Then commit
 * (a dry run reports and rolls back). */
static int step_checks(load_ctx *x)
{
	load_result *out = x->out;
	long long nmissing;
	derive *dv;
	int rc;

	if ((nmissing = load_field_missing(x->d, x->c, x->s, x->m, x->periods, x->bnum, x->fnum, x->err,
					   x->errlen)) < 0 ||
	    !(dv = derive_run(x->d, x->c, x->c->school_code, x->periods, out->batch_id, &out->checks, x->err,
			      x->errlen)))
		return STEP_FAIL;
	out->checks.warnings += nmissing;
	if (out->checks.blocked && !x->o->dry_run)
		rc = block(x, dv);
	else if (derive_record(x->d, dv, x->c->school_code, x->periods, out->batch_id, x->file_id, x->err,
			       x->errlen) < 0)
		rc = STEP_FAIL;
	else if (x->o->dry_run)
		rc = load_report_changes(x->d, x->m, x->bnum, out->values, out->replaced, x->err, x->errlen) < 0
			     ? STEP_FAIL : end_tx(x, "ROLLBACK");
	else
		rc = load_batch_finish(x->d, x->bnum, "loaded", x->err, x->errlen) < 0 ? STEP_FAIL
											: end_tx(x, "COMMIT");
	derive_free(dv);
	return rc;
}

int load_run(db *d, const cfg *c, const cfg_source *s, manifest *m, const load_opts *o, load_result *out,
	     char *err, size_t errlen)
{
	int (*const steps[])(load_ctx *) = { step_loaded_before, step_catalog, step_values, step_rejects_rows,
					     step_slices, step_checks };
	load_ctx x = { d, c, s, m, o, out, o->accept_shrink, NULL, 0, "", "", 0, 0, err, errlen };
	int rc = STEP_GO;

	memset(out, 0, sizeof *out);
	if (o->follow && (rc = load_follow_first(d, c, s, m, o->dir, o->label, &out->batch_id, &x.file_id,
						 &out->rows, err, errlen)) < 0)
		return rc;
	x.periods = db_text_array(m->periods, m->nperiods);
	if (!o->follow && load_begin_locked(d, c, err, errlen) < 0) {
		free(x.periods);
		return -1;
	}
	for (size_t i = 0; rc == STEP_GO && i < sizeof steps / sizeof steps[0]; i++)
		rc = steps[i](&x);
	if (rc == STEP_FAIL) {
		char e2[256];
		db_exec(d, "ROLLBACK", e2, sizeof e2);
		x.rc = -1;
	}
	free(x.periods);
	return x.rc;
}

stage_outcome load_outcome(const load_result *r)
{
	return r->skipped_by[0] ? STAGE_SKIPPED : r->held ? STAGE_HELD : r->checks.blocked ? STAGE_BLOCKED : STAGE_LOADED;
}
