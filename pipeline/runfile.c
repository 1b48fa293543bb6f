/*
 * runfile.c - one file of the inbox through the stages (see runfile.h).
 *
 * runfile_do runs the steps of a file in order (the table in
 * file_steps); each step returns GO_ON, or the code that ends the file's
 * steps (0 when the file is done with: archived, quarantined, left
 * waiting).  What a file's steps hold (children, the load's pipe, kept
 * rows, a supplement's arguments) is in its filerun, tidied up by
 * runfile_do whatever the way out.  runfile_begin and runfile_end split
 * the steps at the load's result, so that a run overlaps one file's load
 * with the next file's extract and transform.  The pure helpers of
 * runfile.h are runfile_args.c's.
 *
 * A workbook read as parts (runparts.h) takes the same steps, but that
 * its sheets are extracted and transformed one after the other, each in
 * a staging directory of its own (the first part's is the file's), and
 * one vqr-load job loads them all (parts_* below).
 */
#include "pipeline/runfile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/catalog/period.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "lib/util/sha256.h"
#include "pipeline/child.h"
#include "pipeline/inbox.h"
#include "pipeline/keep.h"
#include "pipeline/runparts.h"
#include "pipeline/supplement.h"

#define GO_ON (-1)              /* a step's "go on with the next step" */
#define RES(r) (&(r)->t->files[(r)->fi]) /* a filerun's result */

/* One file's steps: what they share. */
typedef struct filerun {
	const cfg *c;           /* the configuration */
	const char *config;     /* its path, for the stages */
	db *d;                  /* the driver's connection */
	const char *conninfo;   /* the stages' database */
	const char *path;       /* the file in the inbox */
	tally *t;               /* the run's counts */
	size_t fi;              /* this file's result: t->files[fi] (an index: the array grows) */
	const cfg_source *s;    /* its source, once known */
	struct stat st0;        /* the file as it was taken */
	char hex[65];           /* its sha256 when a file of its size was loaded before, else "" */
	char sha[65];           /* its sha256 as vqr-extract read it ("" unknown) */
	char label[96];         /* the batch's label */
	char dir[4200];         /* the staging directory */
	char mpath[4300];       /* its manifest */
	int tsent, lsent;       /* the transform's and the load's jobs were sent (t->srv) */
	char *wargs[MAX_WITH];  /* a supplement's "-w" arguments (nwargs, malloc'd) */
	int nwargs;
	char *targv[MAX_WITH + RUNFILE_ARGS]; /* vqr-transform's arguments */
	char *largv[RUNFILE_ARGS]; /* vqr-load's, when it follows the extract */
	char kept[4300];        /* kept rows written, not yet in place ("" none) */
	char gone[1024];        /* a supplement's periods whose earlier rows are gone ("" none) */
	char gone_why[2048];    /* why (the first such file) */
	int load_rc;            /* vqr-load's exit status, or -1 */
	char out[512];          /* its result line */
	stage_result lr;        /* parsed (zeroed when none) */
	runparts *parts;        /* a workbook read as parts, else NULL */
	char err[ERR_MAX];      /* the last step's error */
	long long start;        /* when its steps began (cli_ms) */
} filerun;

/* ---- what the steps share ---------------------------------------------- */

/* A new result in t for path; its index. */
static size_t new_result(tally *t, const char *path)
{
	xgrow((void **)&t->files, &t->cap, t->nfiles + 1, sizeof *t->files);
	fileres *f = &t->files[t->nfiles++];
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", cli_basename(path));
	f->status = "failed";
	f->extract_ms = f->transform_ms = -1;
	return t->nfiles - 1;
}

/* Say r->err, keep its first line as the file's reason, and return code. */
static int fail_with(filerun *r, int code)
{
	log_error_text(r->err);
	runfile_first_line(RES(r)->reason, sizeof RES(r)->reason, r->err);
	return code;
}

/* Quarantine the file with reason (said on stderr too), counted in the
 * tally.  0 to go on with the next file, or an exit code. */
static int quarantine_file(filerun *r, const char *reason)
{
	runfile_first_line(RES(r)->reason, sizeof RES(r)->reason, reason);
	RES(r)->status = "quarantined";
	r->t->quarantined++;
	if (r->t->dry_run) {
		log_error_text(reason);
		return 0;
	}
	if (inbox_quarantine(r->c, r->path, reason, r->err, sizeof r->err) < 0) {  /* says it, with where to */
		log_error_text(r->err);
		return EXIT_INTERNAL;
	}
	inbox_drop_marker(r->c, r->path);
	return 0;
}

/* Quarantine a supplement (补录) that cannot be added to its slices (why). */
static int quarantine_supplement(filerun *r, const char *why)
{
	char *reason = xasprintf("%s: a supplement (补录) of %s cannot be added to its slices: %s\n"
				 "hint: load the full export again, or take the file out of the source's "
				 "supplement_files", r->path, r->s->name, why);
	int rc = quarantine_file(r, reason);

	free(reason);
	return rc;
}

/* Move the file into the archive (dest: where to, dlen bytes).  0, or
 * EXIT_INTERNAL after saying why. */
static int archive_file(filerun *r, char *dest, size_t dlen)
{
	if (inbox_move(r->path, r->c->archive, dest, dlen, r->err, sizeof r->err) < 0) {
		log_error_text(r->err);
		return EXIT_INTERNAL;
	}
	inbox_drop_marker(r->c, r->path);
	return 0;
}

/* Remove the rows staged in dir (their use is over); a failure is a
 * warning. */
static void unlink_rows_in(const char *dir)
{
	char *rpath = stage_path(dir, STAGE_ROWS);

	if (unlink(rpath) < 0 && errno != ENOENT)
		log_warning("%s: %s", rpath, strerror(errno));
	free(rpath);
}

/* Remove the file's staged rows. */
static void unlink_rows(const filerun *r)
{
	unlink_rows_in(r->dir);
}

void runfile_servers_init(runfile_servers *s, const char *config)
{
	stagesrv_init(&s->x, "vqr-extract", config);
	stagesrv_init(&s->t, "vqr-transform", config);
	stagesrv_init(&s->l, "vqr-load", config);
}

void runfile_servers_prestart(runfile_servers *s)
{
	char err[1024];

	/* A failure here is said again by the first stagesrv_send.  Not the
	 * load: it takes its database from the environment it starts with
	 * (child_set_database), known only once the driver has connected. */
	if (stagesrv_prestart(&s->x, err, sizeof err) == 0)
		stagesrv_prestart(&s->t, err, sizeof err);
}

void runfile_servers_close(runfile_servers *s)
{
	stagesrv_hangup(&s->x);
	stagesrv_hangup(&s->t);
	stagesrv_hangup(&s->l);
	stagesrv_close(&s->x);
	stagesrv_close(&s->t);
	stagesrv_close(&s->l);
}

/* Send the transform and, unless a dry run, the load their jobs beside
 * the extract's (not sent when they could not be: said on stderr). */
static void spawn_follow(filerun *r)
{
	char err[1024];

	if (!(r->tsent = stagesrv_send(&r->t->srv->t, r->targv, err, sizeof err) == 0))
		log_error_text(err);
	/* the load follows unless the previous file's load is still running */
	if (!r->t->dry_run && !r->t->srv->l.busy &&
	    !(r->lsent = stagesrv_send(&r->t->srv->l, r->largv, err, sizeof err) == 0))
		log_error_text(err);
}

/* Stop the transform and the load that follow the extract. */
static void stop_follow(filerun *r)
{
	if (r->tsent)
		stagesrv_stop(&r->t->srv->t);
	if (r->lsent)
		stagesrv_stop(&r->t->srv->l);
	r->tsent = r->lsent = 0;
}

/* After the load of the file's batch (loaded or blocked): its column
 * coverage from the staging manifest and its findings, said as warnings
 * and kept for the summary.  Failing to read them is said, never fatal:
 * the load has committed. */
static void notice_loaded(filerun *r)
{
	char err[1024];
	notice_file *n = xcalloc(1, sizeof *n);

	RES(r)->nf = n;
	if (notice_coverage(n, r->mpath, err, sizeof err) < 0)
		log_warning("%s", err);
	if (RES(r)->batch_id && notice_findings(n, r->d, RES(r)->batch_id, err, sizeof err) < 0)
		log_warning("%s", err);
	notice_print(n, RES(r)->name);
	r->t->errors += n->errors;
	r->t->warnings += n->warnings;
	r->t->look += notice_wants_look(n);
}

/* ---- the steps ---------------------------------------------------------- */

static int parts_find(filerun *r);
static int parts_stage(filerun *r);

/* stagesrv_wait's tick while the extract runs: its progress line. */
static void progress_tick(void *p)
{
	child_progress_tick(p);
}

/* Take the file: a link, FIFO, directory or device is quarantined by
 * name (the link itself moves), never opened; one not ready yet waits
 * for the next run. */
static int step_take(filerun *r)
{
	int rc = cli_not_regular(r->path, r->err, sizeof r->err);

	if (rc > 0)
		return quarantine_file(r, r->err);
	if (rc < 0)
		return fail_with(r, EXIT_INTERNAL);
	if (!inbox_ready(r->c, r->path)) {
		log_info("%s: not ready yet (%s): left for the next run", r->path,
			 r->c->done_marker ? "no .done marker, or still changing" : "changed in the last settle_seconds");
		RES(r)->status = "waiting";
		r->t->waiting++;
		return 0;
	}
	return GO_ON;
}

/* Loaded before?  Only a file of the size of one loaded before can be
 * (its sha256 is taken then, into r->hex); any other goes straight to
 * the extract, which hashes what it reads, and vqr-load refuses a sha256
 * loaded before all the same. */
static int step_hash(filerun *r)
{
	char size[32];
	const char *p[2];
	PGresult *q;

	if (stat(r->path, &r->st0) < 0) {
		snprintf(r->err, sizeof r->err, "%s: %s", r->path, strerror(errno));
		return fail_with(r, EXIT_INTERNAL);
	}
	snprintf(size, sizeof size, "%lld", (long long)r->st0.st_size);
	p[0] = r->c->school_code;
	p[1] = size;
	q = db_query(r->d, "SELECT 1 FROM vqr.source_file WHERE school_code = $1 AND size_bytes = $2 LIMIT 1", 2, p,
		     r->err, sizeof r->err);
	if (!q)
		return fail_with(r, EXIT_DB);
	if (PQntuples(q)) {
		unsigned char dig[SHA256_DIGEST_LEN];
		if (sha256_file(r->path, dig, r->err, sizeof r->err) < 0) {
			PQclear(q);
			return fail_with(r, EXIT_INTERNAL);
		}
		sha256_hex(dig, r->hex);
	}
	PQclear(q);
	return GO_ON;
}

/* A file whose sha256 is loaded already: said, and moved to the archive
 * (left in the inbox by a dry run). */
static int step_duplicate(filerun *r)
{
	const char *p[2] = { r->c->school_code, r->hex };
	char dest[4200];
	PGresult *q;

	if (!r->hex[0])
		return GO_ON;
	q = db_query(r->d, "SELECT batch_id, to_char(loaded_at, 'YYYY-MM-DD HH24:MI'), file_name FROM vqr.source_file "
		     "WHERE school_code = $1 AND sha256 = $2", 2, p, r->err, sizeof r->err);
	if (!q)
		return fail_with(r, EXIT_DB);
	if (!PQntuples(q)) {
		PQclear(q);
		return GO_ON;
	}
	log_warning("%s: already loaded as batch %s on %s (as %s): %s", cli_basename(r->path), PQgetvalue(q, 0, 0),
		    PQgetvalue(q, 0, 1), PQgetvalue(q, 0, 2),
		    r->t->dry_run ? "left in the inbox" : "moved to the archive, not loaded again");
	r->t->look++;
	RES(r)->batch_id = atoll(PQgetvalue(q, 0, 0));
	PQclear(q);
	RES(r)->status = "already_loaded";
	r->t->skipped++;
	return r->t->dry_run ? 0 : archive_file(r, dest, sizeof dest);
}

/* The file's source (none: quarantined), its staging directory, the
 * stage programs and their database. */
static int step_source(filerun *r)
{
	int rc;

	if (!(r->s = cfg_source_for_file(r->c, r->path))) {
		char *reason = xasprintf("%s: no source recognises this file name\n"
					 "hint: add a pattern to the \"files\" of its source in the configuration",
					 r->path);
		rc = quarantine_file(r, reason);
		free(reason);
		return rc;
	}
	if (child_set_database(r->conninfo, r->err, sizeof r->err) < 0) {
		log_error_text(r->err);
		return EXIT_INTERNAL;
	}
	if (cfg_file_has_sheets(r->c, r->path) && (rc = parts_find(r)) != GO_ON)
		return rc;
	runfile_stage_dir(r->c, r->s, r->t->dry_run ? "-dry" : "", r->label, sizeof r->label, r->dir, sizeof r->dir);
	log_set_context(r->label, cli_basename(r->path));
	snprintf(r->mpath, sizeof r->mpath, "%s/" STAGE_MANIFEST, r->dir);
	return GO_ON;
}

/* A supplement (补录): the rows of the other files of its slices for the
 * transform (supplement.h); quarantined when they cannot be had. */
static int step_supplement(filerun *r)
{
	if (r->parts || !cfg_is_supplement(r->s, r->path) ||
	    supplement_args(r->d, r->c, r->config, r->s, r->label, NULL, r->wargs, &r->nwargs, MAX_WITH, r->gone,
			    sizeof r->gone, r->gone_why, sizeof r->gone_why, r->err, sizeof r->err) == 0)
		return GO_ON;
	return quarantine_supplement(r, r->err);
}

/* Extract, with the transform following its rows as they come, and the
 * load too: its transaction opens, the catalog and the batch are
 * written, and (for a source with load_rows) the rows stream into it
 * while they are written; the indicator records follow once the
 * transform has them.  Unless some of a supplement's slices may be
 * missing earlier rows: then the transform and the load start once the
 * extract has said which periods the file has (step_manifest), else they
 * could load it alone before it is stopped. */
static int step_extract(filerun *r)
{
	char *argv[RUNFILE_ARGS];
	stagesrv *x = &r->t->srv->x;
	child_progress p;
	int rc;

	if (r->parts)
		return parts_stage(r);
	runfile_extract_argv(argv, (char *)"vqr-extract", r->config, r->s->name, r->dir, r->path, log_verbose());
	runfile_transform_argv(r->targv, (char *)"vqr-transform", r->config, r->s->name, r->wargs, r->nwargs, r->dir,
			       log_verbose());
	runfile_load_argv(r->largv, (char *)"vqr-load", r->config, r->label, r->s->name, runfile_shrink_accepted(r->t, r->path),
			  r->dir, 0, log_verbose());
	if (stagesrv_send(x, argv, r->err, sizeof r->err) < 0) {
		log_error_text(r->err);
		return EXIT_INTERNAL;
	}
	if (!r->gone[0])
		spawn_follow(r);
	if (r->t->progress)
		child_progress_begin(&p, stagesrv_pid(x), r->path, r->st0.st_size, r->dir, r->t->index, r->t->count);
	rc = stagesrv_wait(x, NULL, 0, r->t->progress ? progress_tick : NULL, &p, r->err, sizeof r->err);
	if (r->t->progress)
		child_progress_end(&p);
	if (rc == EXIT_OK || rc == EXIT_REJECTED)
		return GO_ON;
	if (rc < 0)
		log_error_text(r->err);
	stop_follow(r);
	log_error("%s: vqr-extract failed; the file stays in the inbox", r->path);
	snprintf(RES(r)->reason, sizeof RES(r)->reason, "vqr-extract failed");
	return rc < 0 ? EXIT_INTERNAL : rc;
}

/* A file the extract could not read (manifest status failed):
 * quarantined with the manifest's reason (m is the caller's). */
static int quarantine_unreadable(filerun *r, const manifest *m)
{
	const char *why = m->reason ? m->reason : "unreadable";

	stop_follow(r);
	runfile_first_line(RES(r)->reason, sizeof RES(r)->reason, why);
	RES(r)->status = "quarantined";
	r->t->quarantined++;
	if (r->t->dry_run)
		return 0;
	if (inbox_quarantine(r->c, r->path, why, r->err, sizeof r->err) < 0) {
		log_error_text(r->err);
		return EXIT_INTERNAL;
	}
	inbox_drop_marker(r->c, r->path);
	return 0;
}

/* The extract's manifest: the file's counts and sha256; a supplement
 * with rows in periods whose earlier rows are gone is quarantined (it
 * cannot be computed with them, and alone it would replace them); an
 * unreadable file too. */
static int step_manifest(filerun *r)
{
	manifest m = { 0 };
	int rc = GO_ON;

	if (r->parts)
		return GO_ON;   /* parts_stage read the parts' manifests */
	if (manifest_read(r->mpath, &m, r->err, sizeof r->err) < 0) {
		log_error_text(r->err);
		stop_follow(r);
		return EXIT_INTERNAL;
	}
	RES(r)->rows_read = m.rows_read;
	RES(r)->rows_rejected = m.rows_rejected;
	RES(r)->extract_ms = m.extract_ms;
	snprintf(r->sha, sizeof r->sha, "%s", m.sha256 ? m.sha256 : "");
	if (r->gone[0] && runfile_in_periods(&m, r->gone)) {
		stop_follow(r);
		manifest_clear(&m);
		return quarantine_supplement(r, r->gone_why);
	}
	if (r->gone[0])
		spawn_follow(r);
	if (m.status == MANIFEST_FAILED) {
		rc = quarantine_unreadable(r, &m);
	} else {
		r->t->rows += m.rows_read;
		r->t->rejected += m.rows_rejected;
	}
	manifest_clear(&m);
	return rc;
}

/* Wait for the transform; when it rejected rows (of a summary sheet that
 * name no indicator), count them too. */
static int step_transform(filerun *r)
{
	int rc = r->parts ? EXIT_OK
		 : r->tsent ? stagesrv_wait(&r->t->srv->t, NULL, 0, NULL, NULL, r->err, sizeof r->err) : EXIT_INTERNAL;

	r->tsent = 0;
	if (rc == EXIT_REJECTED) {
		manifest m = { 0 };
		long long before = RES(r)->rows_rejected;
		if (manifest_read(r->mpath, &m, r->err, sizeof r->err) < 0) {
			log_error_text(r->err);
			stop_follow(r);
			return EXIT_INTERNAL;
		}
		RES(r)->rows_rejected = m.rows_rejected;
		r->t->rejected += m.rows_rejected - before;
		manifest_clear(&m);
		rc = EXIT_OK;
	}
	if (rc == EXIT_OK)
		return GO_ON;
	if (rc < 0)
		log_error_text(r->err);
	stop_follow(r);
	log_error("%s: vqr-transform failed; the file stays in the inbox", r->path);
	snprintf(RES(r)->reason, sizeof RES(r)->reason, "vqr-transform failed");
	return rc < 0 ? EXIT_INTERNAL : rc;
}

/* Keep the canonical rows for supplements and reprocessing (put in place
 * once the load has committed).  A source without load_rows: the
 * transform has read them and nothing else will; remove them while the
 * load finishes (freeing a large file takes a while).  The staging
 * directory keeps the manifest, rejects and indicator records;
 * vqr-extract makes the rows again from the export. */
static int step_rows(filerun *r)
{
	if (r->parts) {         /* not kept: supplements and reprocessing read one table */
		for (size_t i = 0; i < r->parts->n && !r->t->dry_run; i++)
			if (!r->parts->v[i].s->load_rows)
				unlink_rows_in(r->parts->v[i].dir);
		return GO_ON;
	}
	if (!r->t->dry_run && r->sha[0]) {
		char *rpath = stage_path(r->dir, STAGE_ROWS);
		if (keep_rows_begin(rpath, r->c->archive, r->sha, r->kept, sizeof r->kept, r->err, sizeof r->err) < 0)
			log_warning("%s: the canonical rows are not kept: %s", r->path, r->err);
		free(rpath);
	}
	if (!r->s->load_rows && !r->t->dry_run)
		unlink_rows(r);
	return GO_ON;
}

/* Send the load its job for the staged file (not following the extract:
 * a dry run, the previous file's load still running, or one that could
 * not start); r->lsent when sent, else said. */
static void send_load(filerun *r)
{
	char *argv[RUNFILE_ARGS + RUNPARTS_MAX];

	if (r->parts)
		runparts_load_argv(argv, (char *)"vqr-load", r->config, r->label,
				   runfile_shrink_accepted(r->t, r->path) ? "-a" : NULL, r->parts, r->t->dry_run,
				   log_verbose());
	else
		runfile_load_argv(argv, (char *)"vqr-load", r->config, r->label, NULL,
				  runfile_shrink_accepted(r->t, r->path), r->dir, r->t->dry_run, log_verbose());
	fflush(stdout);
	if (!(r->lsent = stagesrv_send(&r->t->srv->l, argv, r->err, sizeof r->err) == 0))
		log_error_text(r->err);
}

/* vqr-load's result: the line of the load sent with the extract or after
 * it (send_load; sent now when it was not); the kept rows put in place
 * or removed by what it did. */
static int step_load(filerun *r)
{
	if (!r->lsent)
		send_load(r);
	r->load_rc = r->lsent ? stagesrv_wait(&r->t->srv->l, r->t->dry_run ? NULL : r->out, sizeof r->out, NULL, NULL,
					      r->err, sizeof r->err)
			      : -1;
	r->lsent = 0;
	if (r->t->dry_run || stage_result_parse(r->out, &r->lr) < 0)
		memset(&r->lr, 0, sizeof r->lr);
	if (r->kept[0]) {
		if (runfile_keeps_rows(r->load_rc, &r->lr) && keep_rows_commit(r->kept, r->err, sizeof r->err) < 0)
			log_warning("%s: the canonical rows are not kept: %s", r->path, r->err);
		else if (!runfile_keeps_rows(r->load_rc, &r->lr))
			keep_rows_abort(r->kept);
		r->kept[0] = '\0';
	}
	return GO_ON;
}

/* A replacing file that would shrink its slice: held back in quarantine,
 * with the figures (STAGE_HELD_FILE), until the operator accepts it. */
static int hold(filerun *r)
{
	char *hpath = stage_path(r->dir, STAGE_HELD_FILE), held[1500] = "", *reason;
	FILE *hf;
	int rc;

	if ((hf = fopen(hpath, "r"))) {
		if (!fgets(held, sizeof held, hf))
			held[0] = '\0';
		fclose(hf);
		held[strcspn(held, "\n")] = '\0';
	}
	free(hpath);
	reason = runfile_held_reason(r->path, r->s->max_shrink, r->s->name, held);
	r->t->look++;
	RES(r)->batch_id = r->lr.batch_id;
	rc = quarantine_file(r, reason);
	RES(r)->status = "held";
	free(reason);
	return rc;
}

/* A blocking check failed: the batch and its findings are recorded,
 * nothing else; the file waits in quarantine for a corrected export. */
static int block(filerun *r)
{
	char *reason = xasprintf("%s: blocked by a validation check (batch %lld); see vqr.v_finding for the findings\n"
				 "hint: correct the export (or the check) and drop the file into the inbox again",
				 r->path, r->lr.batch_id);
	int rc;

	RES(r)->batch_id = r->lr.batch_id;
	notice_loaded(r);
	rc = quarantine_file(r, reason);
	free(reason);
	return rc;
}

/* Loaded (or loaded before): archived, unless it was written to while it
 * was read: then what was read is loaded and the file stays for the next
 * run, which loads it as a new version. */
static int finish(filerun *r, runfile_outcome o)
{
	char dest[4200];

	if (inbox_changed_since(r->path, &r->st0)) {
		RES(r)->status = "changed";
		RES(r)->batch_id = r->lr.batch_id;
		snprintf(RES(r)->reason, sizeof RES(r)->reason, "changed while it was loaded");
		r->t->look++;
		if (r->lr.outcome == STAGE_LOADED)
			r->t->loaded++;
		log_warning("%s: changed while it was loaded (size or modification time): the version read is in "
			    "batch %lld; the file stays in the inbox and the next run loads it as a new version",
			    r->path, RES(r)->batch_id);
		return 0;
	}
	if (archive_file(r, dest, sizeof dest))
		return EXIT_INTERNAL;
	/* The canonical rows are loaded (or were before): the staging
	 * directory keeps the manifest, rejects and indicator records; the
	 * rows can be made again from the archived export with vqr-extract. */
	if (r->s->load_rows)
		unlink_rows(r);
	for (size_t i = 1; r->parts && i < r->parts->n; i++)
		if (r->parts->v[i].s->load_rows)
			unlink_rows_in(r->parts->v[i].dir);
	if (o == RUNFILE_SKIPPED) {
		RES(r)->status = "already_loaded";
		r->t->skipped++;
		return 0;
	}
	RES(r)->status = "loaded";
	RES(r)->batch_id = r->lr.batch_id;
	r->t->loaded++;
	log_info("%s: loaded (batch %lld), archived as %s", r->path, RES(r)->batch_id, dest);
	notice_loaded(r);
	return 0;
}

/* What becomes of the file by vqr-load's result (runfile_load_outcome). */
static int step_outcome(filerun *r)
{
	runfile_outcome o = runfile_load_outcome(r->load_rc, &r->lr, r->t->dry_run);

	switch (o) {
	case RUNFILE_HELD:
		return hold(r);
	case RUNFILE_BLOCKED:
		return block(r);
	case RUNFILE_FAILED:
		if (r->load_rc < 0)
			log_error_text(r->err);
		log_error("%s: vqr-load failed; the database is unchanged and the file stays in the inbox", r->path);
		snprintf(RES(r)->reason, sizeof RES(r)->reason, "vqr-load failed (exit %d)", r->load_rc);
		return r->load_rc < 0 ? EXIT_INTERNAL : r->load_rc;
	case RUNFILE_WOULD_LOAD:
		RES(r)->status = "would_load";
		r->t->loaded++;
		return 0;
	default:
		return finish(r, o);
	}
}

/* ---- a workbook read as parts (runparts.h) ------------------------------ */

/* The sheets of a workbook whose sources read sheets: its parts in
 * r->parts, the first part's source the file's; quarantined when no
 * source reads any sheet.  One whose sheets cannot be listed goes on as
 * one table of its file name's source (its extract says what is wrong). */
static int parts_find(filerun *r)
{
	runparts *p = xcalloc(1, sizeof *p);
	int rc = runparts_find(r->c, r->config, &r->t->srv->x, r->path, p, r->err, sizeof r->err);
	char *reason;

	if (rc == 1) {
		free(p);
		return GO_ON;
	}
	r->parts = p;
	if (rc < 0)
		return quarantine_file(r, r->err);
	if (p->n == 0) {
		reason = xasprintf("%s: no source reads any of its sheets (%s)\nhint: add a pattern to the \"sheets\" "
				   "of a source whose \"files\" match the workbook", r->path, p->unmatched);
		rc = quarantine_file(r, reason);
		free(reason);
		return rc;
	}
	if (p->unmatched[0])
		log_info("%s: sheets no source reads (listed, not read): %s", r->path, p->unmatched);
	r->s = p->v[0].s;
	return GO_ON;
}

/* A stage job for part i failed (rc, what): the file stays in the
 * inbox.  The exit code. */
static int part_failed(filerun *r, size_t i, int rc, const char *what)
{
	if (rc < 0)
		log_error_text(r->err);
	log_error("%s: %s failed on sheet \"%s\"; the file stays in the inbox", r->path, what, r->parts->v[i].sheet);
	snprintf(RES(r)->reason, sizeof RES(r)->reason, "%s failed on sheet %s", what, r->parts->v[i].sheet);
	return rc < 0 ? EXIT_INTERNAL : rc;
}

/* Read part i's manifest (mpath) into m (cleared first).  0, or -1 after
 * saying why. */
static int part_manifest(filerun *r, const char *mpath, manifest *m)
{
	manifest_clear(m);
	if (manifest_read(mpath, m, r->err, sizeof r->err) == 0)
		return 0;
	log_error_text(r->err);
	return -1;
}

/* Extract part i into its staging directory, its manifest into m; a
 * sheet that cannot be read quarantines the whole file.  GO_ON, or the
 * code. */
static int part_extract(filerun *r, size_t i, manifest *m, const char *mpath)
{
	runpart *pt = &r->parts->v[i];
	char *argv[RUNFILE_ARGS];
	int rc;

	runparts_extract_argv(argv, (char *)"vqr-extract", r->config, r->parts, i, r->path, log_verbose());
	rc = stagesrv_run(&r->t->srv->x, argv, NULL, 0, r->err, sizeof r->err);
	if (rc != EXIT_OK && rc != EXIT_REJECTED)
		return part_failed(r, i, rc, "vqr-extract");
	if (part_manifest(r, mpath, m) < 0)
		return EXIT_INTERNAL;
	if (m->status == MANIFEST_FAILED)
		return quarantine_unreadable(r, m);
	log_info("%s: sheet \"%s\" (%s): %lld rows read, %lld rejected", r->path, pt->sheet, pt->s->name,
		 m->rows_read, m->rows_rejected);
	return GO_ON;
}

/* Transform part i (its manifest m then read again into m).  GO_ON, or
 * the code. */
static int part_transform(filerun *r, size_t i, manifest *m, const char *mpath)
{
	char *argv[RUNFILE_ARGS];
	int rc;

	runfile_transform_argv(argv, (char *)"vqr-transform", r->config, NULL, NULL, 0, r->parts->v[i].dir,
			       log_verbose());
	rc = stagesrv_run(&r->t->srv->t, argv, NULL, 0, r->err, sizeof r->err);
	if (rc != EXIT_OK && rc != EXIT_REJECTED)
		return part_failed(r, i, rc, "vqr-transform");
	return part_manifest(r, mpath, m) < 0 ? EXIT_INTERNAL : GO_ON;
}

/* Stage part i in a staging directory of its own (the first part's is
 * the file's): extract and transform it, counted in the file's result. */
static int part_stage(filerun *r, size_t i, manifest *m)
{
	runpart *pt = &r->parts->v[i];
	char mpath[4300];
	int rc;

	if (i == 0) {
		snprintf(pt->label, sizeof pt->label, "%s", r->label);
		snprintf(pt->dir, sizeof pt->dir, "%s", r->dir);
	} else {
		runfile_stage_dir(r->c, pt->s, r->t->dry_run ? "-dry" : "", pt->label, sizeof pt->label, pt->dir,
				  sizeof pt->dir);
	}
	snprintf(mpath, sizeof mpath, "%s/" STAGE_MANIFEST, pt->dir);
	if ((rc = part_extract(r, i, m, mpath)) != GO_ON || (rc = part_transform(r, i, m, mpath)) != GO_ON)
		return rc;
	RES(r)->rows_read += m->rows_read;
	RES(r)->rows_rejected += m->rows_rejected;
	RES(r)->extract_ms = (RES(r)->extract_ms < 0 ? 0 : RES(r)->extract_ms) + m->extract_ms;
	r->t->rows += m->rows_read;
	r->t->rejected += m->rows_rejected;
	return GO_ON;
}

/* Stage every part, one after the other; two parts of one source with
 * rows in the same period quarantine the file. */
static int parts_stage(filerun *r)
{
	size_t n = r->parts->n;
	manifest *ms = xcalloc(n, sizeof *ms), **mp = xcalloc(n, sizeof *mp);
	int rc = GO_ON;

	for (size_t i = 0; rc == GO_ON && i < n; i++) {
		mp[i] = &ms[i];
		rc = part_stage(r, i, &ms[i]);
	}
	if (rc == GO_ON && stage_parts_clash(mp, n, r->err, sizeof r->err) < 0)
		rc = quarantine_file(r, r->err);
	for (size_t i = 0; i < n; i++)
		manifest_clear(&ms[i]);
	free(ms);
	free(mp);
	return rc;
}

/* The steps of a file up to its load's result (runfile_begin), and from
 * it (runfile_end). */
static int (*const first_steps[])(filerun *) = {
	step_take, step_hash, step_duplicate, step_source, step_supplement, step_extract, step_manifest,
	step_transform, step_rows,
};
static int (*const last_steps[])(filerun *) = { step_load, step_outcome };

/* Steps (n) in order until one ends them: GO_ON when none did, else its
 * code. */
static int run_steps(filerun *r, int (*const *steps)(filerun *), size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = steps[i](r);
		if (rc != GO_ON)
			return rc;
	}
	return GO_ON;
}

/* The file's source and timings for the run's summary: the time spent on
 * it, and the transform's time from its manifest (when it got that far). */
static void file_timings(filerun *r, long long start)
{
	manifest m = { 0 };
	char e[ERR_MAX];

	if (r->s)
		snprintf(RES(r)->source, sizeof RES(r)->source, "%s", r->s->name);
	for (size_t i = 0; r->parts && i < r->parts->n; i++) {
		char *all = RES(r)->sources;
		const char *name = r->parts->v[i].s->name;
		size_t j = 0, k = strlen(all), n = strlen(name);

		while (j < i && strcmp(r->parts->v[j].s->name, name) != 0)
			j++;
		if (j == i && k + n + 2 < sizeof RES(r)->sources)
			snprintf(all + k, sizeof RES(r)->sources - k, "%s%s", k ? "," : "", name);
	}
	if (r->mpath[0] && RES(r)->extract_ms >= 0 && manifest_read(r->mpath, &m, e, sizeof e) == 0)
		RES(r)->transform_ms = m.transform_ms;
	manifest_clear(&m);
	RES(r)->ms = cli_ms() - start;
}

/* The file is done with: its timings, what it holds tidied up, r freed;
 * returns rc. */
static int done(filerun *r, int rc)
{
	log_set_context(NULL, NULL);
	file_timings(r, r->start);
	stop_follow(r);
	keep_rows_abort(r->kept);
	for (int i = 0; i < r->nwargs; i++)
		free(r->wargs[i]);
	if (r->parts)
		runparts_free(r->parts);
	free(r->parts);
	free(r);
	return rc;
}

filerun *runfile_begin(const cfg *c, const char *config, db *d, const char *conninfo, const char *path, tally *t,
		       int *rc)
{
	filerun *r = xcalloc(1, sizeof *r);

	r->start = cli_ms();
	r->c = c;
	r->config = config;
	r->d = d;
	r->conninfo = conninfo;
	r->path = path;
	r->t = t;
	r->fi = new_result(t, path);
	log_set_context(NULL, cli_basename(path));
	if ((*rc = run_steps(r, first_steps, sizeof first_steps / sizeof first_steps[0])) != GO_ON) {
		*rc = done(r, *rc);
		return NULL;
	}
	log_set_context(NULL, NULL);
	*rc = 0;
	return r;
}

void runfile_send_load(filerun *r)
{
	if (!r->lsent)
		send_load(r);
}

int runfile_end(filerun *r)
{
	int rc;

	log_set_context(r->label, cli_basename(r->path));
	rc = run_steps(r, last_steps, sizeof last_steps / sizeof last_steps[0]);
	return done(r, rc == GO_ON ? 0 : rc);
}

int runfile_do(const cfg *c, const char *config, db *d, const char *conninfo, const char *path, tally *t)
{
	int rc;
	filerun *r = runfile_begin(c, config, d, conninfo, path, t, &rc);

	return r ? runfile_end(r) : rc;
}

int runfile_in_order(const cfg *c, const char *path)
{
	const cfg_source *s = cfg_source_for_file(c, path);

	return s && cfg_is_supplement(s, path);
}
