/*
 * header.h - vqr-extract's search for a file's header row: the row, among
 * the first header_scan, that names every required column of the source
 * (by its header text or a synonym, compared as val_norm_key keys); its
 * columns mapped to the source's fields; and, when none is found, a reason
 * that says what was expected and what the first rows looked like (never
 * a cell of the file: it may be personal data).
 *
 *     hfind h;
 *     hfind_init(&h, source);
 *     for each of the first rows: if (hfind_is_header(&h, rec)) { hfind_take(...); break; }
 *                                 else hfind_note(&h, rec);
 *     if none: hfind_explain(&h, path, why, sizeof why);
 *     hfind_free(&h);
 */
#ifndef VQR_EXTRACT_HEADER_H
#define VQR_EXTRACT_HEADER_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/readers/csvin.h"
#include "lib/staging/manifest.h"
#include "stages/extract/rowcheck.h"

typedef struct hfind {
	const cfg_source *s;    /* the source whose columns are looked for */
	char **keys;            /* per field: its header's and synonyms' keys, ROWCHECK_KEYLEN
				 * bytes each, then an empty one (owned) */
	char found[1024];       /* the best header candidate, for messages: its line, width and
				 * the configured names of the columns it has (never its cells) */
	char widths[256];       /* the widths of the rows looked at for a header: "3, 3, 5" */
	int nwidths;            /* how many of them */
	int found_score;        /* known columns in it, -1 before any row */
} hfind;

/* Prepare h for the header of source s (kept for h's life). */
void hfind_init(hfind *h, const cfg_source *s);

/* The field whose header or synonyms match this cell (len bytes), or -1. */
int hfind_match(const hfind *h, const char *cell, size_t len);

/* Does rec hold every required column (and at least two known ones)? */
int hfind_is_header(const hfind *h, const csvin_record *rec);

/* Count rec (not a header) among the rows looked at, and keep what the
 * reason will say of it. */
void hfind_note(hfind *h, const csvin_record *rec);

/* The header rec of the file at path: its columns into rc
 * (rowcheck_set_columns; rows.tsv's column line written), its coverage
 * (unmapped titles with hints, missing fields) into m, a warning for a
 * second column of one field.  0, or -1 when m ran out of memory. */
int hfind_take(const hfind *h, const csvin_record *rec, const char *path, rowcheck *rc, manifest *m);

/* Why the file at path has no header row, into err (several lines). */
void hfind_explain(const hfind *h, const char *path, char *err, size_t errlen);

/* Free what h owns. */
void hfind_free(hfind *h);

#endif
