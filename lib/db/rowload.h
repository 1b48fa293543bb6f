/*
 * rowload.h - vqr-load's drill-down option: COPY the canonical rows of a
 * staged batch (DIR/rows.tsv, written by vqr-extract) into a per-source
 * table vqr_rows.<source>, for a source configured with `load_rows: true`.
 *
 *     if (s->load_rows &&
 *         (rowload_copy(d, c, s, dir, file_id, 0, &n, err, sizeof err) < 0 ||
 *          rowload_replace(d, c, s, file_id, "{2022-2023}", err, sizeof err) < 0))
 *             ... roll back ...
 *
 * Both run inside the caller's transaction: the table is created (or
 * widened by new fields) as needed, the file's rows are COPYed in with
 * their school, period, file and source line, and then the rows other
 * files had in the slices (school, source, period) the file covers are
 * deleted.  The periods are known only once the extract has finished,
 * so with follow the rows stream in while vqr-extract still writes them
 * (rows_follow) and the replacing comes after.  Columns are
 * typed from the source's fields: text and enum as text, integer as
 * bigint, decimal and percent as numeric, date as date, bool as boolean.
 * The staged lines are already COPY text and pass through unparsed, in
 * 1 MiB PQputCopyData buffers.  Fields with pii: drop are never staged,
 * so never loaded.
 */
#ifndef VQR_ROWLOAD_H
#define VQR_ROWLOAD_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"

/* COPY DIR/rows.tsv of source s for school c->school_code into
 * vqr_rows.<s->name> as file file_id; follow: read it while vqr-extract
 * writes it (rows_follow).  *nrows: rows copied.  0, or -1 with the
 * reason in err (the caller rolls back).  Allocates nothing the caller
 * frees. */
int rowload_copy(db *d, const cfg *c, const cfg_source *s, const char *dir, long long file_id, int follow,
		 long long *nrows, char *err, size_t errlen);

/* Delete the canonical rows of file_id from vqr_rows.<source> (before
 * they are loaded again, when the file is reprocessed).  0, or -1 with
 * err set. */
int rowload_forget(db *d, const cfg_source *s, long long file_id, char *err, size_t errlen);

/* Delete the rows of school c->school_code in vqr_rows.<s->name> whose
 * period is in `periods` (a text[] literal, e.g. {2022-2023}) and whose
 * file is not file_id.  0, or -1 with err. */
int rowload_replace(db *d, const cfg *c, const cfg_source *s, long long file_id, const char *periods,
		    char *err, size_t errlen);

/* The PostgreSQL type of a field of type t in vqr_rows ("text",
 * "bigint", ...); a static string. */
const char *rowload_sql_type(cfg_ftype t);

#endif
