/*
 * load_copy.h - vqr-load's COPY of a staged file into a table, also for
 * a loader role under row-level security.
 */
#ifndef VQR_LOAD_COPY_H
#define VQR_LOAD_COPY_H

#include <stddef.h>

#include "lib/db/db.h"

/* Whether row-level security applies to the connected role's writes to
 * vqr.indicator_value (a per-school loader role).  1 or 0, or -1 with err
 * set. */
int load_rls_active(db *d, char *err, size_t errlen);

/* COPY the staged rows file at path into table (its columns cols), each
 * line with suffix appended; skip_header: drop the first line.
 * PostgreSQL refuses COPY FROM into a table whose row-level security
 * applies: with rls set, COPY into a temporary copy of the table and
 * INSERT from it, which the policies check row by row.  *nlines: lines
 * copied.  0, or -1 with err set. */
int load_table(db *d, const char *table, const char *cols, int rls, const char *path, int skip_header,
	       const char *suffix, long long *nlines, char *err, size_t errlen);

#endif
