/*
 * pgcopy.h - stream the lines of a staged rows file into a COPY ... FROM
 * STDIN, the way psql's copy.c does: large PQputCopyData buffers,
 * PQputCopyEnd, then every PQgetResult.
 *
 *   rows_reader *r = rows_open("dir/indicators.gz", err, sizeof err);
 *   pgcopy_start(&d, "COPY vqr.indicator_value (...) FROM STDIN", err, sizeof err);
 *   pgcopy_stream(&d, r, 0, "\t42\t7", 0, &n, err, sizeof err);
 *   rows_close(r);
 *
 * Each line goes to the server as it is (COPY text), with `suffix` (more
 * tab-separated columns, e.g. the batch and file ids) appended; values are
 * never re-parsed.
 */
#ifndef VQR_PGCOPY_H
#define VQR_PGCOPY_H

#include <stddef.h>

#include "lib/db/db.h"
#include "lib/staging/rows.h"

#define PGCOPY_BUF (1024 * 1024) /* bytes per PQputCopyData */

/* Send copy_sql (a COPY ... FROM STDIN) on d.  0 when the server is ready
 * for data, else -1 with err. */
int pgcopy_start(db *d, const char *copy_sql, char *err, size_t errlen);

/* Send the remaining lines of r (the first one dropped when skip_header),
 * each followed by suffix, end the COPY and collect its results.  stall
 * (seconds, 0 = none) holds the COPY open after the first line with data
 * sent: fault injection for the crash-safety tests.  *nlines counts the
 * lines sent.  0, or -1 with err (the COPY is ended either way; r stays
 * the caller's to close). */
int pgcopy_stream(db *d, rows_reader *r, int skip_header, const char *suffix, int stall, long long *nlines,
		  char *err, size_t errlen);

#endif
