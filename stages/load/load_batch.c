/*
 * load_batch.c - vqr-load's transaction and batch; see load_batch.h.
 */
#include "stages/load/load_batch.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/db/db.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"

int load_begin_locked(db *d, const cfg *c, char *err, size_t errlen)
{
	const char *p[1] = { c->school_code };
	PGresult *r;

	if (db_exec(d, "BEGIN", err, errlen) < 0)
		return -1;
	if (!(r = db_query(d, "SELECT pg_advisory_xact_lock(hashtext('vqr.load:' || $1))", 1, p, err, errlen))) {
		char e2[256];
		db_exec(d, "ROLLBACK", e2, sizeof e2);
		return -1;
	}
	PQclear(r);
	return 0;
}

static int taken_by(const char *label, char *const *taken, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(taken[i], label) == 0)
			return 1;
	return 0;
}

char *load_batch_label(const char *label, char *const *taken, size_t n)
{
	if (!taken_by(label, taken, n))
		return xstrdup(label);
	for (int k = 2; k <= LOAD_LABEL_MAX_SUFFIX; k++) {
		char *l = xasprintf("%s.%d", label, k);
		if (!taken_by(l, taken, n))
			return l;
		free(l);
	}
	return NULL;
}

/* The labels of the school's batches that start with label: label and
 * its numbered variants (and some others, which do not matter).  A new
 * string the caller frees through *out (n of them), 0; or -1 with err. */
static int labels_taken(db *d, const cfg *c, const char *label, char ***out, size_t *n, char *err, size_t errlen)
{
	const char *p[2] = { c->school_code, label };
	PGresult *r = db_query(d, "SELECT label FROM vqr.batch WHERE school_code = $1 AND "
			       "left(label, length($2)) = $2", 2, p, err, errlen);

	if (!r)
		return -1;
	*n = (size_t)PQntuples(r);
	*out = xcalloc(*n + 1, sizeof **out);
	for (size_t i = 0; i < *n; i++)
		(*out)[i] = xstrdup(PQgetvalue(r, (int)i, 0));
	PQclear(r);
	return 0;
}

/* Pick the batch's label (a new string) into *pick.  0, or -1 with err. */
static int pick_label(db *d, const cfg *c, const char *label, char **pick, char *err, size_t errlen)
{
	char **taken;
	size_t n;

	if (labels_taken(d, c, label, &taken, &n, err, errlen) < 0)
		return -1;
	*pick = load_batch_label(label, taken, n);
	for (size_t i = 0; i < n; i++)
		free(taken[i]);
	free(taken);
	if (!*pick)
		return err_set(err, errlen, "batch label %s: %s.2 to %s.%d are taken too", label, label, label,
			       LOAD_LABEL_MAX_SUFFIX);
	return 0;
}

int load_insert_batch(db *d, const cfg *c, const cfg_source *s, const char *label, long long *batch_id, char *err,
		      size_t errlen)
{
	char host[256] = "", cat[65], *l;
	const char *p[5] = { c->school_code, NULL, VQR_VERSION, host, cat };
	PGresult *r;

	gethostname(host, sizeof host - 1);
	if (cfg_catalog_sha256(c, s, cat, err, errlen) < 0 || pick_label(d, c, label, &l, err, errlen) < 0)
		return -1;
	p[1] = l;
	r = db_query(d, "INSERT INTO vqr.batch (school_code, label, vqr_version, host, catalog_sha256) "
		     "VALUES ($1, $2, $3, $4, $5) RETURNING batch_id", 5, p, err, errlen);
	free(l);
	if (!r)
		return -1;
	*batch_id = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int load_batch_finish(db *d, const char *bnum, const char *status, char *err, size_t errlen)
{
	const char *p[2] = { bnum, status };
	return db_run(d, "UPDATE vqr.batch SET status = $2, finished_at = clock_timestamp() "
			       "WHERE batch_id = $1", 2, p, err, errlen);
}
