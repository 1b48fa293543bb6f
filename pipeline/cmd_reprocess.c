/*
 * cmd_reprocess.c - vqr reprocess (loaded files' slices computed again
 * with the current catalog, from their archived exports) and vqr revert
 * (a batch's slices restored as they were before it).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/staging/manifest.h"
#include "lib/staging/stage.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "pipeline/child.h"
#include "pipeline/cmd.h"
#include "pipeline/inbox.h"
#include "pipeline/revert.h"
#include "pipeline/runfile.h"
#include "pipeline/runparts.h"
#include "pipeline/supplement.h"

/* The configured sources and the sha256 of the catalog that computes each
 * (cfg_catalog_sha256), as two text[] literals (*codes, *shas, malloc'd,
 * the caller frees both).  0, or -1 with err set. */
int catalog_arrays(const cfg *c, char **codes, char **shas, char *err, size_t errlen)
{
	char **cv = xcalloc(c->nsources + 1, sizeof *cv), **hv = xcalloc(c->nsources + 1, sizeof *hv);
	char (*hex)[65] = xcalloc(c->nsources + 1, sizeof *hex);
	int rc = -1;

	*codes = *shas = NULL;
	for (size_t i = 0; i < c->nsources; i++) {
		if (cfg_catalog_sha256(c, &c->sources[i], hex[i], err, errlen) < 0)
			goto out;
		cv[i] = c->sources[i].name;
		hv[i] = hex[i];
	}
	*codes = db_text_array(cv, c->nsources);
	*shas = db_text_array(hv, c->nsources);
	rc = 0;
out:
	free(cv);
	free(hv);
	free(hex);
	return rc;
}

/* vqr-load --reprocess (argv) of the staging directory dir (label): 0
 * when the file (name, of source) was reprocessed (or would be, dry
 * run), said with the figures; 1 when not (said why); EXIT_DB when the
 * database failed.  argv: the load's arguments, NULL for the usual ones
 * of one staging directory. */
static int reprocess_load(const char *config, const opts *o, stagesrv *l, char *label, char *dir, const char *name,
			  const char *source, char **argv)
{
	char out[512] = "", err[4096];
	char *one[] = { "vqr-load", "-c", (char *)config, "-l", label, "-R", dir,
			o->dry_run ? "-n" : (log_verbose() ? "-v" : NULL), log_verbose() ? "-v" : NULL, NULL };
	stage_result r;
	int k;

	fflush(stdout);
	k = stagesrv_run(l, argv ? argv : one, o->dry_run ? NULL : out, sizeof out, err, sizeof err);
	if (k != EXIT_OK) {
		if (k < 0)
			log_error_text(err);
		log_error("%s: not reprocessed: vqr-load failed (exit %d); its slices are unchanged", name, k);
		return k == EXIT_DB ? EXIT_DB : 1;
	}
	if (o->dry_run)
		return 0;
	if (stage_result_parse(out, &r) < 0 || r.outcome != STAGE_LOADED) {
		log_error("%s: not reprocessed: vqr-load says: %s", name, out);
		return 1;
	}
	printf("vqr: %s reprocessed (batch %lld): %lld values for %s, %lld replaced; findings: %lld errors, "
	       "%lld warnings\n", name, r.batch_id, r.values, source, r.replaced, r.errors, r.warnings);
	return 0;
}

/* vqr-extract of the archived export exp into dir, with vqr-transform
 * following its rows as they are written (as vqr run does; wargs: a
 * supplement's other files).  0, or 1 after saying why not. */
static int extract_transform(const char *config, const cfg_source *s, const char *name, const char *exp,
			     const char *dir, char **wargs, int nw, runfile_servers *srv)
{
	char *xargv[RUNFILE_ARGS], *targv[MAX_WITH + RUNFILE_ARGS], mpath[4300], err[4096];
	manifest m = { 0 };
	int k, tsent;

	runfile_extract_argv(xargv, "vqr-extract", config, s->name, dir, exp, log_verbose());
	runfile_transform_argv(targv, "vqr-transform", config, s->name, wargs, nw, dir, log_verbose());
	if (stagesrv_send(&srv->x, xargv, err, sizeof err) < 0) {
		log_error_text(err);
		return 1;
	}
	if (!(tsent = stagesrv_send(&srv->t, targv, err, sizeof err) == 0))
		log_error_text(err);
	k = stagesrv_wait(&srv->x, NULL, 0, NULL, NULL, err, sizeof err);
	snprintf(mpath, sizeof mpath, "%s/" STAGE_MANIFEST, dir);
	if (k < 0 || (k != EXIT_OK && k != EXIT_REJECTED) || manifest_read(mpath, &m, err, sizeof err) < 0 ||
	    (m.status == MANIFEST_FAILED)) {
		if (tsent)
			stagesrv_stop(&srv->t);
		if (k < 0)
			log_error_text(err);
		log_error("%s: not reprocessed: vqr-extract could not read %s again", name, exp);
		manifest_clear(&m);
		return 1;
	}
	manifest_clear(&m);
	k = tsent ? stagesrv_wait(&srv->t, NULL, 0, NULL, NULL, err, sizeof err) : EXIT_INTERNAL;
	if (k != EXIT_OK && k != EXIT_REJECTED) {
		if (k < 0)
			log_error_text(err);
		log_error("%s: not reprocessed: vqr-transform failed (exit %d)", name, k);
		return 1;
	}
	return 0;
}

/* The parts a workbook was loaded as (vqr.source_file_sheet: its loaded
 * sheets and their sources) into p.  0 (p->n 0: a file of one table), 1
 * after saying why not (a source is gone), or EXIT_DB. */
static int recorded_parts(db *d, const cfg *c, const char *name, const char *sha, runparts *p)
{
	const char *q[2] = { c->school_code, sha };
	PGresult *r = cmd_query(d, "SELECT s.sheet_name, s.source_code FROM vqr.source_file_sheet s "
				"JOIN vqr.source_file f USING (file_id) WHERE f.school_code = $1 AND f.sha256 = $2 "
				"AND s.status = 'loaded' ORDER BY s.sheet_no", 2, q);
	int rc = 0;

	if (!r)
		return EXIT_DB;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		const cfg_source *s = cfg_source_find(c, PQgetvalue(r, i, 1));
		if (s) {
			runparts_add(p, PQgetvalue(r, i, 0), s);
			continue;
		}
		log_error("%s: not reprocessed: the source %s of its sheet \"%s\" is not in the catalog any more", name,
			  PQgetvalue(r, i, 1), PQgetvalue(r, i, 0));
		rc = 1;
	}
	PQclear(r);
	return rc;
}

/* Extract and transform part i of the archived workbook exp (p's sources
 * and sheets, as it was loaded) into a staging directory of its own.  0,
 * or 1 after saying why not. */
static int reprocess_part(const char *config, const cfg *c, const opts *o, const char *name, const char *exp,
			  runparts *p, size_t i, runfile_servers *srv)
{
	runpart *pt = &p->v[i];
	char *argv[RUNFILE_ARGS], mpath[4300], err[4096];
	manifest m = { 0 };
	int k;

	runfile_stage_dir(c, pt->s, o->dry_run ? "-reprocess-dry" : "-reprocess", pt->label, sizeof pt->label, pt->dir,
			  sizeof pt->dir);
	runparts_extract_argv(argv, "vqr-extract", config, p, i, exp, log_verbose());
	k = stagesrv_run(&srv->x, argv, NULL, 0, err, sizeof err);
	snprintf(mpath, sizeof mpath, "%s/" STAGE_MANIFEST, pt->dir);
	if (k < 0 || (k != EXIT_OK && k != EXIT_REJECTED) || manifest_read(mpath, &m, err, sizeof err) < 0 ||
	    m.status == MANIFEST_FAILED) {
		log_error("%s: not reprocessed: vqr-extract could not read its sheet \"%s\" again%s%s", name, pt->sheet,
			  m.reason ? ": " : "", m.reason ? m.reason : "");
		manifest_clear(&m);
		return 1;
	}
	manifest_clear(&m);
	runfile_transform_argv(argv, "vqr-transform", config, NULL, NULL, 0, pt->dir, log_verbose());
	if ((k = stagesrv_run(&srv->t, argv, NULL, 0, err, sizeof err)) != EXIT_OK && k != EXIT_REJECTED) {
		log_error("%s: not reprocessed: vqr-transform failed on its sheet \"%s\" (exit %d)", name, pt->sheet, k);
		return 1;
	}
	return 0;
}

/* vqr reprocess of a workbook loaded as parts (p): every part extracted
 * and transformed again, then loaded again together (vqr-load -R DIR...)
 * in one transaction.  As reprocess_file returns. */
static int reprocess_parts(const cfg *c, const char *config, runfile_servers *srv, const opts *o, const char *name,
			   const char *exp, runparts *p)
{
	char *argv[RUNFILE_ARGS + RUNPARTS_MAX];

	for (size_t i = 0; i < p->n; i++)
		if (reprocess_part(config, c, o, name, exp, p, i, srv))
			return 1;
	runparts_load_argv(argv, "vqr-load", config, p->v[0].label, "-R", p, o->dry_run, log_verbose());
	return reprocess_load(config, o, &srv->l, p->v[0].label, p->v[0].dir, name, p->v[0].s->name, argv);
}

/* vqr reprocess: one file of the current slices, computed again from its
 * archived export with the current catalog (with the rows of the other
 * files of its slices, extracted again too), replacing its slices in one
 * transaction that keeps the history (vqr-load --reprocess).  0 when it
 * was reprocessed (or would be, dry run), 1 when it could not be (said
 * why), or an exit code that ends the command. */
static int reprocess_file(const cfg *c, const char *config, db *d, runfile_servers *srv, const opts *o,
			  const char *name, const char *sha, const char *source)
{
	char exp[4300], label[96], dir[4200], err[4096], gone[1024] = "", gone_why[2048] = "";
	char *wargs[MAX_WITH];
	const cfg_source *s = cfg_source_find(c, source);
	int nw = 0, rc = 1;

	if (!s) {
		log_error("%s: not reprocessed: its source %s is not in the catalog any more", name, source);
		return 1;
	}
	if (inbox_archived_export(c, name, sha, exp, sizeof exp) < 0) {
		log_error("%s: not reprocessed: its export is not in %s (sha256 %.12s...)", name, c->archive, sha);
		log_hint("drop the export into the inbox again under another name, or restore it to the archive");
		return 1;
	}
	{
		runparts p = { 0 };
		if ((rc = recorded_parts(d, c, name, sha, &p)) == 0 && p.n) {
			log_set_context(NULL, name);
			rc = reprocess_parts(c, config, srv, o, name, exp, &p);
			log_set_context(NULL, NULL);
		}
		if (rc || p.n) {
			runparts_free(&p);
			return rc;
		}
		rc = 1;
	}
	runfile_stage_dir(c, s, o->dry_run ? "-reprocess-dry" : "-reprocess", label, sizeof label, dir, sizeof dir);
	log_set_context(label, name);
	if (supplement_args(d, c, config, s, label, sha, wargs, &nw, MAX_WITH, gone, sizeof gone, gone_why,
			    sizeof gone_why, err, sizeof err) < 0) {
		log_error("%s: not reprocessed: %s", name, err);
		goto out;
	}
	if (gone[0]) {
		log_error("%s: not reprocessed: the other files of its slices cannot be read again: %s", name, gone_why);
		goto out;
	}
	if (extract_transform(config, s, name, exp, dir, wargs, nw, srv))
		goto out;
	if ((rc = reprocess_load(config, o, &srv->l, label, dir, name, s->name, NULL)))
		goto out;
	rc = 0;
out:
	log_set_context(NULL, NULL);
	for (int i = 0; i < nw; i++)
		free(wargs[i]);
	return rc;
}

/* The files named on the command line that are not among the chosen
 * ones (r: file_name first), each said; how many. */
static int names_not_found(PGresult *r, const opts *o, int nnames, char **names)
{
	int failed = 0;

	for (int i = 0; i < nnames; i++) {
		int found = 0;
		for (int k = 0; k < PQntuples(r) && !found; k++)
			found = strcmp(PQgetvalue(r, k, 0), names[i]) == 0;
		if (!found) {
			log_error("%s: not a file of the current slices%s", names[i],
				  o->stale || o->source || o->year ? " chosen" : "");
			log_hint("vqr status lists the loaded files; name a file as loaded (its base name)");
			failed++;
		}
	}
	return failed;
}

/* vqr reprocess: the current slices' files chosen by --all, --stale,
 * --source, --year or by name (ANDed), each computed again with the
 * current catalog in its own transaction.  An exit code. */
int cmd_reprocess(const cfg *c, const char *config, const opts *o, int nnames, char **names)
{
	char err[4096], conninfo[8192], *codes = NULL, *shas = NULL, *named = NULL;
	const char *p[7];
	db d = { 0 };
	PGresult *r = NULL;
	runfile_servers srv;
	int lockfd = -1, status, done = 0, failed = 0;

	if (!o->all && !o->stale && !o->source && !o->year && !nnames) {
		log_error("vqr reprocess: which slices? give --all, --stale, --source SOURCE, --year PERIOD or FILE...");
		log_hint("vqr status lists the slices computed with another catalog (--stale)");
		return EXIT_USAGE;
	}
	runfile_servers_init(&srv, config);
	if ((status = run_locks(c, o, &lockfd, &d)))
		goto out;
	db_conninfo(&d, c, o->database, conninfo, sizeof conninfo);
	if (child_set_database(conninfo, err, sizeof err) < 0 || catalog_arrays(c, &codes, &shas, err, sizeof err) < 0) {
		log_error_text(err);
		status = EXIT_INTERNAL;
		goto out;
	}
	if (nnames)
		named = db_text_array(names, (size_t)nnames);
	p[0] = c->school_code;
	p[1] = codes;
	p[2] = shas;
	p[3] = o->source;
	p[4] = o->year;
	p[5] = o->stale ? "t" : "f";
	p[6] = named;
	r = cmd_query(&d,
		      "WITH cur AS (SELECT source_code, period, file_id FROM vqr.slice_file WHERE school_code = $1 "
		      "  UNION SELECT DISTINCT v.source_code, v.period, v.file_id FROM vqr.indicator_value v "
		      "  WHERE v.school_code = $1 AND v.source_code <> 'derived' AND v.file_id IS NOT NULL "
		      "  AND NOT EXISTS (SELECT 1 FROM vqr.slice_file x WHERE x.school_code = $1 "
		      "                  AND x.source_code = v.source_code AND x.period = v.period)), "
		      "stale AS (" STALE_SLICES_SQL ") "
		      "SELECT f.file_name, f.sha256, f.source_code FROM cur JOIN vqr.source_file f USING (file_id) "
		      "WHERE ($4::text IS NULL OR cur.source_code = $4) AND ($5::text IS NULL OR cur.period = $5) "
		      "AND (NOT $6::bool OR (cur.source_code, cur.period) IN (SELECT source_code, period FROM stale)) "
		      "AND ($7::text[] IS NULL OR f.file_name = ANY($7::text[])) "
		      "GROUP BY f.file_id, f.file_name, f.sha256, f.source_code ORDER BY f.file_id",
		      7, p);
	if (!r) {
		status = EXIT_DB;
		goto out;
	}
	failed = names_not_found(r, o, nnames, names);
	for (int i = 0; i < PQntuples(r); i++) {
		int k = reprocess_file(c, config, &d, &srv, o, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
				       PQgetvalue(r, i, 2));
		if (k > 1) {
			status = k;
			goto out;
		}
		k ? failed++ : done++;
	}
	if (!PQntuples(r) && !failed)
		printf("vqr: nothing to reprocess%s\n", o->stale ? ": every slice was computed with the current catalog" : "");
	else
		printf("vqr: %s%d file%s reprocessed, %d not\n", o->dry_run ? "dry run, nothing changed: " : "", done,
		       done == 1 ? "" : "s", failed);
	status = failed ? EXIT_REJECTED : EXIT_OK;
out:
	runfile_servers_close(&srv);
	PQclear(r);
	free(codes);
	free(shas);
	free(named);
	db_close(&d, 1);
	if (lockfd >= 0)
		close(lockfd);
	return status;
}

/* vqr revert BATCH: restore the slices of that batch as they were before
 * it (revert.h).  An exit code. */
int cmd_revert(const cfg *c, const char *config, const opts *o, int argc, char **argv)
{
	const char *arg = argv[0];
	char err[4096], *end;
	long long batch = strtoll(arg, &end, 10);
	db d = { 0 };
	revert_result res;
	int rc;

	(void)config;
	(void)argc;
	if (end == arg || *end || batch <= 0) {
		log_error("vqr revert %s: give a batch number (vqr status lists the last batches)", arg);
		return EXIT_USAGE;
	}
	if ((rc = cmd_open_db(&d, c, o, 1))) {
		db_close(&d, 1);
		return rc;
	}
	if (revert_batch(&d, c, batch, o->dry_run, &res, err, sizeof err) < 0) {
		log_error("batch %lld is not reverted; the database is unchanged", batch);
		log_error_text(err);
		db_close(&d, 1);
		return EXIT_REJECTED;
	}
	printf("vqr: %sbatch %lld reverted%s (batch %lld): %lld values restored, %lld taken back, periods %s; "
	       "%lld derived, findings: %lld errors, %lld warnings\n", o->dry_run ? "dry run, nothing changed: " : "",
	       batch, o->dry_run ? " would be" : "", res.batch_id, res.restored, res.removed, res.periods,
	       res.checks.derived, res.checks.errors, res.checks.warnings);
	db_close(&d, 1);
	return EXIT_OK;
}
