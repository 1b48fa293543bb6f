/*
 * header.h - vqr-extract's search for a file's header row: the row, among
 * the first header_scan, that names every required column of the source
 * (by its header text or a synonym, compared as val_norm_key keys); its
 * columns mapped to the source's fields; and, when none is found, a reason
 * that says what was expected and what the first rows looked like (never
 * a cell of the file: it may be personal data).
 *
 * A source's header may span several rows (header_rows): then each column
 * is named by its path through them (hpath.h), and a field's header or
 * synonym names a column by its whole path or by its last part
 * ("职业资格/高级技师" or "高级技师").  A whole path wins; a last part
 * that two columns share names neither: the file fails, naming both.
 *
 *     hfind h;
 *     hfind_init(&h, source);
 *     for each of the first rows:
 *         cand = hfind_candidate(&h, rec);        // NULL while a header's rows are read
 *         if (!cand) continue;
 *         if (hfind_is_header(&h, cand)) { hfind_take(&h, cand, ...); break; }
 *         else hfind_note(&h, cand);
 *     if none: hfind_explain(&h, path, why, sizeof why);
 *     hfind_free(&h);
 */
#ifndef VQR_EXTRACT_HEADER_H
#define VQR_EXTRACT_HEADER_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/readers/csvin.h"
#include "lib/staging/manifest.h"
#include "stages/extract/hpath.h"
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
	hpath hp;               /* the last header_rows rows and their columns' paths */
} hfind;

/* Prepare h for the header of source s (kept for h's life). */
void hfind_init(hfind *h, const cfg_source *s);

/* The field whose header or synonyms match this cell (len bytes), or -1. */
int hfind_match(const hfind *h, const char *cell, size_t len);

/* The header candidate that ends with record rec: rec itself for a
 * one-row header, else the paths of the last header_rows records (owned
 * by h, valid until the next call), or NULL while fewer have been seen. */
const csvin_record *hfind_candidate(hfind *h, const csvin_record *rec);

/* The field column c of candidate rec names (by its path, else by its
 * last part, then *by_last = 1; by_last may be NULL), or -1. */
int hfind_match_col(const hfind *h, const csvin_record *rec, size_t c, int *by_last);

/* Does rec hold every required column (and at least two known ones)? */
int hfind_is_header(const hfind *h, const csvin_record *rec);

/* Count rec (not a header) among the rows looked at, and keep what the
 * reason will say of it. */
void hfind_note(hfind *h, const csvin_record *rec);

/* The header rec (a candidate) of the file at path: its columns into rc
 * (rowcheck_set_columns; rows.tsv's column line written), its coverage
 * (unmapped titles with hints, missing fields) into m, a warning for a
 * second column of one field.  0; 1 when two columns share the last part
 * that names a field (the reason, naming both, in why: the file fails);
 * -1 when m ran out of memory. */
int hfind_take(const hfind *h, const csvin_record *rec, const char *path, rowcheck *rc, manifest *m,
	       char *why, size_t whylen);

/* Why the file at path has no header row, into err (several lines). */
void hfind_explain(const hfind *h, const char *path, char *err, size_t errlen);

/* Free what h owns. */
void hfind_free(hfind *h);

#endif
