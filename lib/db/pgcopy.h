/*
 * pgcopy.h - stream the lines of a staged rows file into a COPY ... FROM
 * STDIN, the way psql's copy.c does: large PQputCopyData buffers,
 * PQputCopyEnd, then every PQgetResult.
 *
 *   rows_reader *r = rows_open("dir/indicators.gz", err, sizeof err);
 *   pgcopy_start(&d, "COPY vqr.indicator_value (...) FROM STDIN", err, sizeof err);
 *   pgcopy_stream(&d, r, 0, "\t42\t7", &n, err, sizeof err);
 *   rows_close(r);
 *
 * or all three steps in one: pgcopy_file(&d, copy_sql, path, 0, suffix,
 * &n, err, sizeof err).
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
#include "lib/util/str.h"

#define PGCOPY_BUF (1024 * 1024) /* bytes per PQputCopyData */

/* Send copy_sql (a COPY ... FROM STDIN) on d.  0 when the server is ready
 * for data, else -1 with err. */
int pgcopy_start(db *d, const char *copy_sql, char *err, size_t errlen);

/* Send the remaining lines of r (the first one dropped when skip_header),
 * each followed by suffix, end the COPY and collect its results.
 * *nlines counts the lines sent.  0, or -1 with err (the COPY is ended
 * either way; r stays the caller's to close). */
int pgcopy_stream(db *d, rows_reader *r, int skip_header, const char *suffix, long long *nlines, char *err,
		  size_t errlen);

/* COPY the staged rows file at path (rows_open: plain or gzipped) with
 * copy_sql, as pgcopy_start and pgcopy_stream do; skip_header, suffix and
 * *nlines as for pgcopy_stream.  0, or -1 with err.  (The crash-safety
 * tests can hold this COPY open: see the test hook in pgcopy.c.) */
int pgcopy_file(db *d, const char *copy_sql, const char *path, int skip_header, const char *suffix,
		long long *nlines, char *err, size_t errlen);

/* Append s to b escaped as a COPY text value (backslash, tab, line
 * breaks), e.g. for a suffix column. */
void pgcopy_add_escaped(str *b, const char *s);

#endif
