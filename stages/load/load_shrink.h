/*
 * load_shrink.h - vqr-load's shrink check: a replacing file that shrinks
 * its slices (by rows, or by a count indicator's total) by more than the
 * source's max_shrink is held back.  The figures are kept across the
 * rollback to the load's savepoint and recorded as slice_shrink findings
 * (and in DIR/held.txt, STAGE_HELD_FILE).
 */
#ifndef VQR_LOAD_SHRINK_H
#define VQR_LOAD_SHRINK_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"
#include "lib/staging/manifest.h"
#include "lib/util/str.h"

#define SHRINK_MAX 64 /* shrinks kept (and recorded) per load; more are left out */

/* One figure that shrank. */
typedef struct shrink_item {
	char *period;           /* its period, owned */
	char *msg;              /* what shrank, before and after, owned */
	double before, after;   /* the figure in the slice, and in the file */
} shrink_item;

/* The shrinks of one load; zero it (or SHRINK_INIT) before use, free it
 * with shrink_free. */
typedef struct shrink {
	shrink_item item[SHRINK_MAX]; /* the first n */
	int n;                  /* how many */
	str text;               /* all of them in words, "; "-separated */
} shrink;

#define SHRINK_INIT {{{0}}, 0, STR_INIT}

/* Does a figure going from before to after shrink by more than
 * max_shrink (a share, 0.2 = 20 %)?  Never when before is not above 0. */
int shrink_exceeds(double before, double after, double max_shrink);

/* Add a figure (what, e.g. "rows" or an indicator code, in period) that
 * shrank from before to after to k (ignored past SHRINK_MAX). */
void shrink_add(shrink *k, const char *period, const char *what, double before, double after);

/* Free what k holds and zero it. */
void shrink_free(shrink *k);

/* Does this replacing load (batch bnum, its periods as a text[] literal)
 * shrink its slices by more than s->max_shrink: by rows (old_rows before,
 * m->rows_loaded after) or by a count indicator's total?  Fills k (which
 * must be empty).  0 or -1 with err set. */
int shrink_check(db *d, const cfg *c, const cfg_source *s, const manifest *m, const char *periods,
		 const char *bnum, long long old_rows, shrink *k, char *err, size_t errlen);

/* Record the shrinks of k as blocking slice_shrink findings of batch bnum
 * (file: the export's name, for the message).  0 or -1 with err set. */
int shrink_record(db *d, const cfg *c, const cfg_source *s, const shrink *k, const char *file,
		  const char *bnum, char *err, size_t errlen);

/* Write k's text to dir/STAGE_HELD_FILE.  0 or -1 with err set. */
int shrink_write_held(const char *dir, const shrink *k, char *err, size_t errlen);

#endif
