/*
 * keep.h - the canonical rows of every loaded file, kept compressed in
 * <archive>/.rows/<sha256>.tsv.gz (rows.tsv as vqr-extract staged it:
 * personal fields with pii: drop were never in it), so that a supplement
 * (补录) computes its slices over the rows of every file of the slice
 * without extracting the older exports again.
 *
 *     char tmp[4200];
 *     if (keep_rows_begin("staging/x/rows.tsv", archive, sha, tmp, sizeof tmp, err, sizeof err) < 0) ...
 *     ... the load commits ...
 *     keep_rows_commit(tmp, err, sizeof err);     (or keep_rows_abort(tmp))
 */
#ifndef VQR_KEEP_H
#define VQR_KEEP_H

#include <stddef.h>

/* The path of the kept rows of the file with that sha256, into out. */
void keep_rows_path(const char *archive, const char *sha256, char *out, size_t len);

/* Compress rows (a rows.tsv) into the kept path + ".tmp" (written into
 * tmp, caller-owned), synced.  0, or -1 with err set (nothing is left). */
int keep_rows_begin(const char *rows, const char *archive, const char *sha256, char *tmp, size_t tmplen,
		    char *err, size_t errlen);

/* Put the rows written by keep_rows_begin in place (after the load
 * committed).  0, or -1 with err set. */
int keep_rows_commit(const char *tmp, char *err, size_t errlen);

/* Remove what keep_rows_begin wrote (the load failed); tmp "" is fine. */
void keep_rows_abort(const char *tmp);

#endif
