/*
 * revert.c - vqr revert: undo a batch (see revert.h).  The database half
 * is the SQL function vqr.revert_slices (sql/046_revert.sql); here are the
 * transaction, the school's load lock, the checks that need the catalog
 * (load_rows), the revert's batch record, and the derived indicators and
 * checks computed again over the restored periods.
 */
#include "pipeline/revert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util/cli.h"
#include "lib/util/err.h"

/* Run sql with params, discard the result.  0 or -1 with err set. */
static int exec_params(db *d, const char *sql, int n, const char *const *p, char *err, size_t errlen)
{
	PGresult *r = db_query(d, sql, n, p, err, errlen);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

/* Refuse a batch of another school, or one that loaded a source whose
 * canonical rows are loaded too (load_rows).  0 or -1 with err set. */
static int revertible(db *d, const cfg *c, const char *bnum, char *err, size_t errlen)
{
	const char *p[1] = { bnum };
	PGresult *r = db_query(d, "SELECT school_code FROM vqr.batch WHERE batch_id = $1::bigint", 1, p, err, errlen);
	if (!r)
		return -1;
	if (PQntuples(r) && strcmp(PQgetvalue(r, 0, 0), c->school_code) != 0) {
		err_set(err, errlen, "batch %s is a batch of school %s, not of %s", bnum, PQgetvalue(r, 0, 0),
			 c->school_code);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	if (!(r = db_query(d, "SELECT DISTINCT source_code FROM vqr.source_file WHERE batch_id = $1::bigint", 1, p, err,
			   errlen)))
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		const cfg_source *s = cfg_source_find(c, PQgetvalue(r, i, 0));
		if (s && s->load_rows) {
			err_set(err, errlen, "batch %s loaded source %s, which keeps its canonical rows in vqr_rows.%s "
				 "(load_rows): the rows it replaced are in no history\n"
				 "hint: load the earlier export again instead", bnum, s->name, s->name);
			PQclear(r);
			return -1;
		}
	}
	PQclear(r);
	return 0;
}

int revert_batch(db *d, const cfg *c, long long batch, int dry_run, revert_result *out, char *err,
		 size_t errlen)
{
	char bnum[32], rnum[32], host[256] = "", e2[256];
	const char *p[4];
	PGresult *r;
	derive *dv = NULL;

	memset(out, 0, sizeof *out);
	snprintf(bnum, sizeof bnum, "%lld", batch);
	gethostname(host, sizeof host - 1);
	if (db_exec(d, "BEGIN", err, errlen) < 0)
		return -1;
	p[0] = c->school_code;
	if (exec_params(d, "SELECT pg_advisory_xact_lock(hashtext('vqr.load:' || $1))", 1, p, err, errlen) < 0 ||
	    revertible(d, c, bnum, err, errlen) < 0)
		goto rollback;
	p[0] = bnum;
	p[1] = VQR_VERSION;
	p[2] = host;
	if (!(r = db_query(d, "SELECT out_batch, out_periods, out_removed, out_restored "
			   "FROM vqr.revert_slices($1, $2, $3)", 3, p, err, errlen)))
		goto rollback;
	out->batch_id = atoll(PQgetvalue(r, 0, 0));
	snprintf(out->periods, sizeof out->periods, "%s", PQgetvalue(r, 0, 1));
	out->removed = atoll(PQgetvalue(r, 0, 2));
	out->restored = atoll(PQgetvalue(r, 0, 3));
	PQclear(r);
	snprintf(rnum, sizeof rnum, "%lld", out->batch_id);
	/* A blocking check does not stop a revert: its findings are recorded. */
	if (!(dv = derive_run(d, c, c->school_code, out->periods, out->batch_id, &out->checks, err, errlen)) ||
	    derive_record(d, dv, c->school_code, out->periods, out->batch_id, 0, err, errlen) < 0)
		goto rollback;
	derive_free(dv);
	dv = NULL;
	p[0] = rnum;
	if (exec_params(d, "UPDATE vqr.batch SET status = 'loaded', finished_at = clock_timestamp() "
			"WHERE batch_id = $1::bigint", 1, p, err, errlen) < 0)
		goto rollback;
	return db_exec(d, dry_run ? "ROLLBACK" : "COMMIT", err, errlen);
rollback:
	derive_free(dv);
	db_exec(d, "ROLLBACK", e2, sizeof e2);
	return -1;
}
