/*
 * supplement.c - the rows of a slice's other files (see supplement.h).
 */
#include "pipeline/supplement.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/staging/stage.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "pipeline/child.h"
#include "pipeline/inbox.h"
#include "pipeline/keep.h"
#include "pipeline/runfile.h"

/* Whether the kept rows at path (of file name, batch, nrows loaded rows)
 * are whole: a kept file linked from the staging was not synced, and
 * after a crash it may be short (a header line, then one line a loaded
 * row).  One that is not is removed, with a warning, and the other form
 * looked for (path then names it, or the form that would be kept). */
static int kept_whole(const cfg *c, const char *sha, const char *name, const char *batch, long nrows, char *path,
		      size_t len)
{
	while (access(path, R_OK) == 0) {
		if (keep_rows_lines(path) == nrows + 1)
			return 1;
		log_warning("%s: the kept rows of %s (batch %s) are not whole (a crash?): extracted again",
			    path, name, batch);
		unlink(path);
		keep_rows_path(c->archive, sha, path, len);
	}
	return 0;
}

/* The kept rows of an earlier file of the slices, into path: kept at
 * its load, else extracted again from its archived export (and kept
 * from now on).  fresh: extracted again whenever the export is there (the
 * catalog may map its columns differently now).  0, or -1 with why in
 * reason. */
static int kept_rows_of(const cfg *c, const char *config, const cfg_source *s, const char *sha, const char *name,
			const char *batch, long nrows, const char *label, int fresh, char *path, size_t len,
			char *reason, size_t rlen)
{
	char exp[4300], dir[4300], rows[4400], tmp[4300], err[1024], prog[PATH_MAX + 32];
	int kept;

	keep_rows_path(c->archive, sha, path, len);
	kept = access(path, R_OK) == 0;
	if (kept && !fresh && kept_whole(c, sha, name, batch, nrows, path, len))
		return 0;       /* no need to look for (and hash) the export */
	if (inbox_archived_export(c, name, sha, exp, sizeof exp) < 0) {
		if (kept && kept_whole(c, sha, name, batch, nrows, path, len))
			return 0;
		keep_rows_path(c->archive, sha, path, len);
		err_set(reason, rlen, "its slices' file %s (batch %s) has neither kept rows (%s) nor its export in %s",
			 name, batch, path, c->archive);
		return -1;
	}
	snprintf(dir, sizeof dir, "%s/%s-rows-%.12s", c->staging, label, sha);
	child_program("vqr-extract", prog, sizeof prog);
	{
		char *argv[RUNFILE_ARGS];
		runfile_extract_argv(argv, prog, config, s->name, dir, exp, 0);
		int rc = child_run(argv, NULL, 0, err, sizeof err);
		if (rc != EXIT_OK && rc != EXIT_REJECTED) {
			err_set(reason, rlen, "its slices' file %s (batch %s) could not be extracted again from %s (exit %d)",
				 name, batch, exp, rc);
			return -1;
		}
	}
	snprintf(rows, sizeof rows, "%s/" STAGE_ROWS, dir);
	if (keep_rows_begin(rows, c->archive, sha, tmp, sizeof tmp, err, sizeof err) < 0 ||
	    keep_rows_commit(tmp, err, sizeof err) < 0) {
		keep_rows_abort(tmp);
		err_set(reason, rlen, "the rows of %s (batch %s) cannot be kept: %s", name, batch, err);
		return -1;
	}
	unlink(rows);
	keep_rows_path(c->archive, sha, path, len);     /* kept plain or compressed */
	return 0;
}

/* A supplement (补录): "-w PERIODS:ROWS" for vqr-transform for every
 * earlier file of the source's slices (vqr.slice_file; for slices loaded
 * before it existed, the files their values came from), appended to
 * *argv (*n of them, strings malloc'd).  A file whose rows are neither
 * kept nor extractable again adds its periods to gone (comma-separated,
 * glen bytes) and the first such reason to gone_why: the supplement
 * cannot be computed if it has rows in those periods, which only its
 * extract tells.  self_sha: a reprocessed file's sha256 (its own rows are
 * not added twice, and the others are extracted again from their exports
 * when there, as the catalog may map them differently now); NULL for a
 * supplement.  0, or -1 with why in reason. */
int supplement_args(db *d, const cfg *c, const char *config, const cfg_source *s, const char *label,
		    const char *self_sha, char **argv, int *n, int max, char *gone, size_t glen, char *gone_why,
		    size_t wlen, char *reason, size_t rlen)
{
	char err[1024];
	const char *p[3] = { c->school_code, s->name, self_sha };
	/* A reprocessed file's slices are known: only the files that share a
	 * period with it (the transform leaves the others' rows out anyway,
	 * and extracting them again for nothing made a file's cost grow with
	 * the history).  A new supplement's periods are not known before its
	 * extract: every file of the source's slices. */
	PGresult *r = db_query(d,
			       "WITH sf AS (SELECT period, file_id FROM vqr.slice_file WHERE school_code = $1 AND source_code = $2 "
			       "UNION SELECT DISTINCT v.period, v.file_id FROM vqr.indicator_value v "
			       "  WHERE v.school_code = $1 AND v.source_code = $2 AND v.file_id IS NOT NULL "
			       "  AND NOT EXISTS (SELECT 1 FROM vqr.slice_file x WHERE x.school_code = $1 "
			       "                  AND x.source_code = $2 AND x.period = v.period)) "
			       "SELECT string_agg(DISTINCT sf.period, ','), f.sha256, f.file_name, f.batch_id, f.rows_loaded "
			       "FROM sf JOIN vqr.source_file f USING (file_id) "
			       "WHERE $3::text IS NULL OR sf.period IN (SELECT sf2.period FROM sf sf2 "
			       "  JOIN vqr.source_file f2 USING (file_id) WHERE f2.school_code = $1 AND f2.sha256 = $3) "
			       "GROUP BY f.file_id, f.sha256, f.file_name, f.batch_id, f.rows_loaded ORDER BY f.file_id",
			       3, p, err, sizeof err);
	if (!r) {
		err_set(reason, rlen, "%s", err);
		return -1;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		char path[4300];
		if (*n + 2 >= max) {
			err_set(reason, rlen, "its slices have more than %d files", max / 2);
			PQclear(r);
			return -1;
		}
		if (self_sha && strcmp(PQgetvalue(r, i, 1), self_sha) == 0)
			continue;
		if (kept_rows_of(c, config, s, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
				 atol(PQgetvalue(r, i, 4)), label, self_sha != NULL, path, sizeof path, gone_why[0] ? err : gone_why,
				 gone_why[0] ? sizeof err : wlen) < 0) {
			size_t k = strlen(gone);
			snprintf(gone + k, glen - k, "%s%s", k ? "," : "", PQgetvalue(r, i, 0));
			continue;
		}
		argv[*n] = xstrdup("-w");
		argv[*n + 1] = xasprintf("%s:%s", PQgetvalue(r, i, 0), path);
		*n += 2;
	}
	PQclear(r);
	return 0;
}
