/*
 * supplement.h - the rows of the other files of a slice, for a supplement
 * (补录) and for a reprocess: vqr-transform computes a slice over the
 * rows of every file of it ("-w PERIODS:ROWS"), each kept at its load
 * (keep.h) or extracted again from its archived export.
 */
#ifndef VQR_SUPPLEMENT_H
#define VQR_SUPPLEMENT_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"

#define MAX_WITH 128            /* "-w PERIODS:ROWS" arguments of a supplement's transform */

/* "-w PERIODS:ROWS" for vqr-transform for every earlier file of the
 * source's slices (vqr.slice_file; for slices loaded before it existed,
 * the files their values came from), appended to *argv (*n of them, at
 * most max, strings malloc'd: the caller frees them).  A file whose rows
 * are neither kept nor extractable again (into staging/LABEL-rows-SHA)
 * adds its periods to gone (comma-separated, glen bytes) and the first
 * such reason to gone_why: the supplement cannot be computed if it has
 * rows in those periods, which only its extract tells.  self_sha: a
 * reprocessed file's sha256 (its own rows are not added twice, and the
 * others are extracted again from their exports when there, as the
 * catalog may map them differently now); NULL for a supplement.  0, or
 * -1 with why in reason. */
int supplement_args(db *d, const cfg *c, const char *config, const cfg_source *s, const char *label,
		    const char *self_sha, char **argv, int *n, int max, char *gone, size_t glen, char *gone_why,
		    size_t wlen, char *reason, size_t rlen);

#endif
