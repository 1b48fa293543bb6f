/*
 * migrate.h - the numbered SQL migrations of sql/, embedded in the binary
 * at build time (scripts/embed-sql.sh), applied in order by `vqr init`.
 *
 * Each script runs in its own transaction together with the row that
 * records it in vqr.schema_migration (version = file name, sha256 of the
 * text).  A recorded script is never run again; one whose text changed
 * since it was applied is refused, so a database is never silently out of
 * step with the code.  A session-level advisory lock keeps two inits from
 * racing.
 */
#ifndef VQR_MIGRATE_H
#define VQR_MIGRATE_H

#include <stddef.h>

#include "lib/db/db.h"

struct migrate_script {
	const char *name;       /* file name, e.g. "001_core.sql" */
	const char *sql;        /* its text */
};

extern const struct migrate_script migrate_scripts[];
extern const int migrate_nscripts;

/* Apply every migration not yet recorded.  *applied receives how many
 * were applied now.  0, or -1 with err (that migration rolled back). */
int migrate_apply(db *d, int *applied, char *err, size_t errlen);

/* Check that every migration is applied (for programs that load).  0, or
 * -1 with err saying what is missing (and that `vqr init` fixes it). */
int migrate_check(db *d, char *err, size_t errlen);

/* Name of the newest migration this binary knows. */
const char *migrate_latest(void);

#endif
