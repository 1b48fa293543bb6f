/*
 * load_copy.c - vqr-load's COPY of a staged file; see load_copy.h.
 */
#include "stages/load/load_copy.h"

#include <stdlib.h>

#include "lib/db/db.h"
#include "lib/db/pgcopy.h"
#include "lib/util/mem.h"

int load_rls_active(db *d, char *err, size_t errlen)
{
	return db_run_bool(d, "SELECT row_security_active('vqr.indicator_value')", err, errlen);
}

int load_table(db *d, const char *table, const char *cols, int rls, const char *path, int skip_header,
	       const char *suffix, long long *nlines, char *err, size_t errlen)
{
	char *sql;
	int rc;

	*nlines = 0;
	if (rls) {
		sql = xasprintf("DROP TABLE IF EXISTS pg_temp.vqr_in; CREATE TEMP TABLE vqr_in (LIKE %s) ON COMMIT DROP",
				table);
		rc = db_exec(d, sql, err, errlen);
		free(sql);
		if (rc < 0)
			return -1;
	}
	sql = xasprintf("COPY %s (%s) FROM STDIN", rls ? "vqr_in" : table, cols);
	rc = pgcopy_file(d, sql, path, skip_header, suffix, nlines, err, errlen);
	free(sql);
	if (rc < 0 || !rls)
		return rc;
	sql = xasprintf("INSERT INTO %s SELECT * FROM vqr_in", table);
	rc = db_exec(d, sql, err, errlen);
	free(sql);
	return rc;
}
