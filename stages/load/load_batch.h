/*
 * load_batch.h - vqr-load's transaction and its batch: begin under the
 * school's lock, record the batch (vqr.batch) with a label unique in the
 * school, and set its final status.
 */
#ifndef VQR_LOAD_BATCH_H
#define VQR_LOAD_BATCH_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"

#define LOAD_LABEL_MAX_SUFFIX 1000 /* label.2 ... label.1000 are tried */

/* Begin the load's transaction; two loads of the same school queue here
 * rather than interleave.  0, or -1 with err set (rolled back). */
int load_begin_locked(db *d, const cfg *c, char *err, size_t errlen);

/* A batch label unique among taken[0..n): label itself when free, else
 * the first free of label.2, label.3, ... label.1000.  A new string the
 * caller frees, or NULL when all are taken. */
char *load_batch_label(const char *label, char *const *taken, size_t n);

/* Record the batch of this load in vqr.batch (*batch_id), labelled as
 * load_batch_label picks among the school's batches, with the sha256 of
 * the catalog that computes s.  Call under the school's lock
 * (load_begin_locked), so two loads cannot pick the same label.  0, or
 * -1 with err set. */
int load_insert_batch(db *d, const cfg *c, const cfg_source *s, const char *label, long long *batch_id, char *err,
		      size_t errlen);

/* Set the status of batch bnum ("loaded", "blocked") and its finish
 * time.  0, or -1 with err set. */
int load_batch_finish(db *d, const char *bnum, const char *status, char *err, size_t errlen);

#endif
