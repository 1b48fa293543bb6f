/*
 * migrate.c - apply and check schema migrations; see migrate.h.
 */
#include "lib/db/migrate.h"

#include <stdio.h>
#include <string.h>

#include "lib/util/err.h"
#include "lib/util/sha256.h"

/* Any constant, shared by every vqr program: the init lock's key. */
#define MIGRATE_LOCK_KEY 7105113 /* "vqr" */

const char *migrate_latest(void)
{
	return migrate_nscripts ? migrate_scripts[migrate_nscripts - 1].name : "";
}

static void hash_hex(const char *s, char out[65])
{
	sha256_ctx ctx;
	unsigned char dig[32];
	sha256_init(&ctx);
	sha256_update(&ctx, s, strlen(s));
	sha256_final(&ctx, dig);
	sha256_hex(dig, out);
}

/* The recorded checksum of version, "" when not applied, or NULL if the
 * migration table does not exist yet. */
static int recorded(db *d, const char *version, char out[65], char *err, size_t errlen)
{
	const char *p[1] = { version };
	PGresult *r = db_query(d, "SELECT sha256 FROM vqr.schema_migration WHERE version = $1", 1, p,
			       err, errlen);
	if (!r)
		return -1;
	snprintf(out, 65, "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return 0;
}

/* Apply migration m (its sha256 want) in a transaction of its own, and
 * record it.  0, or -1 with err set (rolled back). */
static int apply_one(db *d, const struct migrate_script *m, const char *want, char *err, size_t errlen)
{
	const char *p[2] = { m->name, want };
	char e2[1024];
	PGresult *r;

	if (db_exec(d, "BEGIN", err, errlen) < 0)
		return -1;
	if (db_exec(d, m->sql, e2, sizeof e2) < 0) {
		err_set(err, errlen, "%s: %s", m->name, e2);
		db_exec(d, "ROLLBACK", e2, sizeof e2);
		return -1;
	}
	r = db_query(d, "INSERT INTO vqr.schema_migration (version, sha256) VALUES ($1, $2)", 2, p, err, errlen);
	if (!r || db_exec(d, "COMMIT", err, errlen) < 0) {
		PQclear(r);
		db_exec(d, "ROLLBACK", e2, sizeof e2);
		return -1;
	}
	PQclear(r);
	return 0;
}

/* Bring migration i up to date: the first (the migration table itself)
 * is idempotent and always run; one recorded must have the same
 * contents; one not recorded is applied (*applied counts it).  0, or -1
 * with err set. */
static int migrate_one(db *d, int i, int *applied, char *err, size_t errlen)
{
	const struct migrate_script *m = &migrate_scripts[i];
	char want[65], have[65], e2[1024];

	hash_hex(m->sql, want);
	if (i == 0 && db_exec(d, m->sql, e2, sizeof e2) < 0)
		return err_set(err, errlen, "%s: %s", m->name, e2);
	if (recorded(d, m->name, have, err, errlen) < 0)
		return -1;
	if (have[0] && strcmp(have, want) != 0)
		return err_set(err, errlen,
			       "%s was applied with different contents (sha256 %.12s..., this vqr has %.12s...)\n"
			       "hint: migrations are never edited once released; restore the file or add a new migration",
			       m->name, have, want);
	if (have[0])
		return 0;
	if (apply_one(d, m, want, err, errlen) < 0)
		return -1;
	(*applied)++;
	return 0;
}

int migrate_apply(db *d, int *applied, char *err, size_t errlen)
{
	char lock[64], e2[1024];
	int rc = 0;

	*applied = 0;
	snprintf(lock, sizeof lock, "SELECT pg_advisory_lock(%d)", MIGRATE_LOCK_KEY);
	if (db_exec(d, lock, err, errlen) < 0)
		return -1;
	for (int i = 0; i < migrate_nscripts && rc == 0; i++)
		rc = migrate_one(d, i, applied, err, errlen);
	snprintf(lock, sizeof lock, "SELECT pg_advisory_unlock(%d)", MIGRATE_LOCK_KEY);
	db_exec(d, lock, e2, sizeof e2);
	return rc;
}

/* Is version among the n rows of r's first column? */
static int listed(const PGresult *r, const char *version)
{
	for (int k = 0; k < PQntuples(r); k++)
		if (strcmp(PQgetvalue(r, k, 0), version) == 0)
			return 1;
	return 0;
}

int migrate_check(db *d, char *err, size_t errlen)
{
	PGresult *r = db_query(d, "SELECT to_regclass('vqr.schema_migration') IS NOT NULL", 0, NULL, err,
			       errlen);
	int exists;

	if (!r)
		return -1;
	exists = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!exists)
		return err_set(err, errlen, "the database has no vqr schema\nhint: run \"vqr init\" first");
	/* One query for every version (a program opens a connection per file). */
	if (!(r = db_query(d, "SELECT version FROM vqr.schema_migration", 0, NULL, err, errlen)))
		return -1;
	for (int i = 1; i < migrate_nscripts; i++)
		if (!listed(r, migrate_scripts[i].name)) {
			err_set(err, errlen, "the vqr schema is older than this vqr (migration %s is not applied)\n"
				"hint: run \"vqr init\" to upgrade it", migrate_scripts[i].name);
			PQclear(r);
			return -1;
		}
	PQclear(r);
	return 0;
}
