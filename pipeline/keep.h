/*
 * keep.h - the canonical rows of every loaded file, kept in
 * <archive>/.rows/ by the file's sha256 (rows.tsv as vqr-extract staged
 * it: personal fields with pii: drop were never in it), so that a
 * supplement (补录) computes its slices over the rows of every file of the
 * slice without extracting the older exports again.  The staged file is
 * hard-linked there (<sha256>.tsv: no copy, no time on the run's critical
 * path, not synced); where staging and archive are different filesystems
 * it is compressed there, synced (<sha256>.tsv.gz).  A reader counts the
 * lines of a kept file against the rows the load recorded
 * (keep_rows_lines), as a crash can leave an unsynced file short.
 *
 *     char tmp[4200];
 *     if (keep_rows_begin("staging/x/rows.tsv", archive, sha, tmp, sizeof tmp, err, sizeof err) < 0) ...
 *     ... the load commits ...
 *     keep_rows_commit(tmp, err, sizeof err);     (or keep_rows_abort(tmp))
 */
#ifndef VQR_KEEP_H
#define VQR_KEEP_H

#include <stddef.h>

/* The path of the kept rows of the file with that sha256, into out: the
 * plain file when there is one, else the compressed one's. */
void keep_rows_path(const char *archive, const char *sha256, char *out, size_t len);

/* Link rows (a rows.tsv) to <sha256>.tsv.tmp, or where that cannot be
 * (another filesystem) compress it into <sha256>.tsv.gz.tmp, synced; the
 * name into tmp (caller-owned).  0, or -1 with err set (nothing is
 * left). */
int keep_rows_begin(const char *rows, const char *archive, const char *sha256, char *tmp, size_t tmplen,
		    char *err, size_t errlen);

/* Put the rows written by keep_rows_begin in place (after the load
 * committed), removing the other form kept before.  0, or -1 with err
 * set. */
int keep_rows_commit(const char *tmp, char *err, size_t errlen);

/* The lines of the kept rows at path (plain or compressed; the header
 * line included), or -1 when it cannot be read whole. */
long keep_rows_lines(const char *path);

/* Remove what keep_rows_begin wrote (the load failed); tmp "" is fine. */
void keep_rows_abort(const char *tmp);

#endif
