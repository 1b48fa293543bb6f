/*
 * filters.h - the distinct filters (`where:`) of vqr-transform's engine,
 * evaluated on each row into one pass flag per filter.
 *
 *     filters *fs = filters_new(where, n, hasid, ncols);
 *     for each typed row:
 *         filters_eval(fs, row, pass);    // pass[i]: where[i] is TRUE
 *     filters_free(fs);
 *
 * A filter that reads only text fields whose values carry dictionary ids,
 * bool fields, and fields tested with IS [NOT] NULL depends on few
 * combinations of values, and a register repeats few of them: its result
 * is kept in a small direct-mapped cache keyed by those values (ids, bool
 * values, NULL or not), so that most rows cost one lookup for all such
 * filters instead of an evaluation each.  The others (comparisons of
 * numbers, dates, texts without ids) are evaluated on every row, and so
 * are the kept ones once the cache has missed on more than half of the
 * first 4,096 rows (their values take too many combinations).  The flags
 * are the same either way: a cached result is reused only for the very
 * same key.
 */
#ifndef VQR_TRANSFORM_FILTERS_H
#define VQR_TRANSFORM_FILTERS_H

#include <stddef.h>

#include "lib/catalog/expr.h"

typedef struct filters filters;

/* The filters where[0..n) (none NULL; they must outlive the result, which
 * copies only the array).  hasid[col] (ncols columns) is 1 for the text
 * columns whose non-NULL row values always carry their dictionary id in
 * expr_value.id (equal texts equal ids, different texts different ids).
 * Free with filters_free. */
filters *filters_new(const expr *const *where, size_t n, const unsigned char *hasid, size_t ncols);

/* Evaluate every filter on row: pass[i] = 1 when where[i] is TRUE, else
 * 0 (FALSE or unknown).  pass has room for the n flags. */
void filters_eval(filters *fs, const expr_value *row, unsigned char *pass);

/* How many of the filters are kept by their values, 0 once the cache is
 * given up (for tests). */
size_t filters_nkept(const filters *fs);

/* Free fs (NULL is fine). */
void filters_free(filters *fs);

#endif
