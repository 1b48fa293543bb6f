/*
 * revert.h - vqr revert: undo a batch.  The slices (school, source,
 * period) the batch loaded are restored as they were before it, in one
 * transaction recorded as a batch of its own (vqr.batch.reverts): the
 * values it replaced come back from vqr.indicator_value_history, its own
 * values go there, the files of each slice are those before it
 * (vqr.slice_file_history), and the derived indicators and checks of the
 * periods are computed again.  A batch whose slices a later batch loaded
 * again is refused (revert the later one first), as is a batch of a
 * source that keeps its canonical rows (load_rows: those rows are not
 * kept in any history).
 *
 *     revert_result res;
 *     if (revert_batch(&d, c, 12, 0, &res, err, sizeof err) < 0)
 *         log_error_text(err);            (nothing changed)
 */
#ifndef VQR_REVERT_H
#define VQR_REVERT_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"
#include "lib/db/derive.h"

typedef struct revert_result {
	long long batch_id;     /* the revert's own batch */
	long long removed;      /* values of the reverted batch's slices moved to the history */
	long long restored;     /* values it had replaced, current again */
	char periods[512];      /* the periods of the restored slices, as a text[] literal */
	derive_summary checks;  /* derived indicators and checks computed again over them */
} revert_result;

/* Revert batch (a batch of c's school) on d, which has no transaction
 * open; dry_run: do it, fill out, and roll back.  0, or -1 with the
 * reason in err (the database unchanged). */
int revert_batch(db *d, const cfg *c, long long batch, int dry_run, revert_result *out, char *err,
		 size_t errlen);

#endif
