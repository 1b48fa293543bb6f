/*
 * load_follow.c - vqr-load --follow's first part; see load_follow.h.
 */
#include "stages/load/load_follow.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/db/rowload.h"
#include "lib/staging/stage.h"
#include "lib/util/err.h"
#include "stages/load/load_batch.h"
#include "stages/load/load_catalog.h"

/* Wait for the manifest at path to show the transform's indicators, and
 * read it into m.  0, or -2 when it says the extract gave the file up. */
static int await_transform(const char *path, manifest *m)
{
	char e2[256];

	for (;;) {
		manifest_clear(m);
		if (manifest_read(path, m, e2, sizeof e2) == 0) {
			if (m->status == MANIFEST_FAILED)
				return -2;
			if (m->indicators >= 0)
				return 0;
		}
		nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
	}
}

/* The catalog, the batch, the savepoint and a file id, in the open
 * transaction.  0, or -1 with err set. */
static int follow_setup(db *d, const cfg *c, const cfg_source *s, const char *label, long long *batch_id,
			long long *file_id, char *err, size_t errlen)
{
	PGresult *r;
	int guarded;

	if ((guarded = load_catalog_guarded(d, err, errlen)) < 0 ||
	    load_catalog_sync(d, c, s, guarded, err, errlen) < 0 ||
	    load_insert_batch(d, c, s, label, batch_id, err, errlen) < 0 ||
	    db_exec(d, "SAVEPOINT vqr_slice", err, errlen) < 0)
		return -1;
	if (!(r = db_query(d, "SELECT nextval(pg_get_serial_sequence('vqr.source_file', 'file_id'))", 0, NULL,
			   err, errlen)))
		return -1;
	*file_id = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int load_follow_first(db *d, const cfg *c, const cfg_source *s, manifest *m, const char *dir, const char *label,
		      long long *batch_id, long long *file_id, long long *rows, char *err, size_t errlen)
{
	char e2[256], *path = stage_path(dir, STAGE_MANIFEST);
	int rc = -1;

	if (load_begin_locked(d, c, err, errlen) < 0) {
		free(path);
		return -1;
	}
	if (follow_setup(d, c, s, label, batch_id, file_id, err, errlen) < 0)
		goto rollback;
	if (s->load_rows && rowload_copy(d, c, s, dir, *file_id, 1, rows, err, errlen) < 0) {
		db_exec(d, "ROLLBACK", e2, sizeof e2);
		free(path);
		return stage_extract_gave_up(dir, m, STAGE_FOLLOW_WAIT_MS) ? -2 : -1;
	}
	if ((rc = await_transform(path, m)) < 0)
		goto rollback;
	if (!m->source || strcmp(m->source, s->name) || !m->sha256 || (m->school && strcmp(m->school, c->school_code))) {
		rc = err_set(err, errlen, "%s: staged for source %s of school %s, not %s of %s (--follow)", path,
			     m->source ? m->source : "?", m->school ? m->school : "?", s->name, c->school_code);
		goto rollback;
	}
	free(path);
	return 0;
rollback:
	db_exec(d, "ROLLBACK", e2, sizeof e2);
	free(path);
	return rc;
}
