/*
 * dbrun.h - a parameterised statement whose result is not wanted (an
 * INSERT, UPDATE or DELETE, a SELECT of a function for its effect): the
 * one place of the "db_query, test, PQclear" steps that vqr-load and
 * derive repeat.  (A candidate for lib/db/db.h.)
 */
#ifndef VQR_DBRUN_H
#define VQR_DBRUN_H

#include <stddef.h>

#include "lib/db/db.h"

/* Run sql with its nparams params (as db_query) and discard the result.
 * 0, or -1 with err set. */
int db_run(db *d, const char *sql, int nparams, const char *const *params, char *err, size_t errlen);

/* The boolean that sql (a query without parameters of one row, one
 * boolean column) gives: 1 or 0, or -1 with err set. */
int db_run_bool(db *d, const char *sql, char *err, size_t errlen);

#endif
