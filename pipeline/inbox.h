/*
 * inbox.h - the files the driver takes and where they go: the inbox's
 * listing and readiness (settle_seconds, .done markers, .accept-shrink
 * markers), moves into the archive or quarantine (with a .reason file),
 * and finding an archived export again by name and sha256.
 */
#ifndef VQR_INBOX_H
#define VQR_INBOX_H

#include <stddef.h>
#include <sys/stat.h>

#include "lib/catalog/cfg.h"

/* The suffix of the marker that accepts a shrinking file: FILE.accept-shrink. */
#define INBOX_ACCEPT_SUFFIX ".accept-shrink"

/* Move path into dir under its own name (adding .1, .2, ... when taken),
 * and make a regular file its owner's alone.  Both must be on one
 * filesystem: rename is atomic.  The new path goes into dest (dlen
 * bytes).  0, or -1 with err. */
int inbox_move(const char *path, const char *dir, char *dest, size_t dlen, char *err, size_t errlen);

/* Move path into c's quarantine with reason in a DEST.reason file beside
 * it, and say so (with the reason) on stderr.  0, or -1 with err. */
int inbox_quarantine(const cfg *c, const char *path, const char *reason, char *err, size_t errlen);

/* Entries of the inbox dir, sorted; hidden and partial files (.tmp,
 * .part) and .accept-shrink markers left out.  The array (*n entries)
 * and its strings are malloc'd, the caller frees them; NULL with err
 * when dir cannot be read (errno kept). */
char **inbox_list(const char *dir, size_t *n, char *err, size_t errlen);

/* Say which of the directories vqr writes data into (staging, archive,
 * quarantine) others may read or enter: what vqr creates in them is
 * private, but an operator's directory keeps the mode it was given. */
void inbox_warn_shared(const cfg *c);

/* Is path ready to be taken: unchanged for settle_seconds, and with its
 * .done marker when markers are configured? */
int inbox_ready(const cfg *c, const char *path);

/* Remove path's markers (.accept-shrink, and .done when configured),
 * once the file has been moved. */
void inbox_drop_marker(const cfg *c, const char *path);

/* The archived export of an earlier file with that name and sha256 (a
 * later namesake is archived as NAME.1, NAME.2, ...), into out; 0 if
 * found, else -1. */
int inbox_archived_export(const cfg *c, const char *name, const char *sha, char *out, size_t len);

/* Has the file at path changed since st0 was taken (size, mtime, or
 * gone)? */
int inbox_changed_since(const char *path, const struct stat *st0);

#endif
