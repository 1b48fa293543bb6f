/*
 * load_follow.h - vqr-load --follow: the first part of the load, while
 * vqr-extract and vqr-transform still run.
 */
#ifndef VQR_LOAD_FOLLOW_H
#define VQR_LOAD_FOLLOW_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"
#include "lib/staging/manifest.h"

/* The transaction begins, the catalog, the batch (*batch_id, labelled
 * label) and a file id (*file_id) are made, the canonical rows
 * (load_rows) stream in from dir as vqr-extract writes them (*rows), and
 * then the manifest is awaited until vqr-transform has recorded its
 * indicators in it (read into m).  0 with the transaction open, or -1
 * with err (rolled back), or -2 (rolled back) when the extract gave the
 * file up. */
int load_follow_first(db *d, const cfg *c, const cfg_source *s, manifest *m, const char *dir, const char *label,
		      long long *batch_id, long long *file_id, long long *rows, char *err, size_t errlen);

#endif
