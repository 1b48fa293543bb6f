/*
 * dbrun.c - a parameterised statement whose result is not wanted; see
 * dbrun.h.
 */
#include "lib/db/dbrun.h"

int db_run(db *d, const char *sql, int nparams, const char *const *params, char *err, size_t errlen)
{
	PGresult *r = db_query(d, sql, nparams, params, err, errlen);

	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

int db_run_bool(db *d, const char *sql, char *err, size_t errlen)
{
	PGresult *r = db_query(d, sql, 0, NULL, err, errlen);
	int b;

	if (!r)
		return -1;
	b = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return b;
}
