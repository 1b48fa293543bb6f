/*
 * hpath.h - a header of several rows (a source's header_rows: N) read as
 * one: each column is named by its path through the rows, its non-empty
 * parts joined with "/" ("职业资格/高级技师").
 *
 * How the path of a column is made from the N rows above the data:
 *  - In a group row (any row but the last), an empty cell takes the text
 *    of the cell to its left when both columns have the same path in the
 *    rows above; so a group title written once over several columns (as
 *    Excel keeps a merged range: its text in the top-left cell only, the
 *    other cells empty) names each of them.
 *  - The last row is never filled from the left: a column without a text
 *    there (a title merged down over the rows) is named by its group
 *    rows alone ("序号").
 *  - Empty parts are left out, and a part equal to the one above it (a
 *    title repeated down the rows) is written once.
 * The last part of a path ("高级技师") is what a source may also name the
 * column by (header.c).
 *
 * When the file gives its merged ranges (an .xlsx: hpath_set_merges), they
 * replace the rule above: a cell inside a merged range takes the text of
 * the range's top-left cell (when that cell is among the kept rows), any
 * other empty cell stays empty, in every row.  So a title merged down
 * ("序号" over A1:A2) does not spill into an empty group cell to its
 * right, a group merged across stops where its range stops, and a title
 * merged across two leaf columns names both.  The rule is for the formats
 * whose library gives no merges (CSV, .xls through libfreexl); it gives
 * the same names for the merges summary tables use most: a group title
 * across, a title down with an empty cell to its right only under groups.
 *
 *     hpath hp;
 *     hpath_init(&hp, 2);
 *     while (next(&rec) > 0) {
 *         const csvin_record *h = hpath_push(&hp, rec);  // NULL until 2 rows are in
 *         if (h && looks_like_header(h)) use(h, hpath_last(&hp, c));
 *     }
 *     hpath_free(&hp);
 */
#ifndef VQR_EXTRACT_HPATH_H
#define VQR_EXTRACT_HPATH_H

#include <stddef.h>

#include "lib/readers/csvin.h"
#include "lib/readers/reader.h"
#include "lib/util/str.h"

/* The sheet rows whose merged ranges a reader is asked for (reader_opts
 * merge_rows) when a header spans several rows: the header is searched in
 * the first header_scan non-empty rows, so this leaves room for blank
 * rows above it. */
#define HPATH_MERGE_ROWS 4096

/* One row kept: a copy of a record's cells. */
typedef struct hpath_row {
	size_t n;               /* cells */
	char **cells;           /* their texts, trimmed, NUL-terminated (owned) */
	size_t *lens;           /* their lengths */
	long line;              /* the record's line */
} hpath_row;

typedef struct hpath {
	int nrows;              /* rows a header spans (>= 1) */
	int have;               /* rows kept so far (at most nrows) */
	hpath_row *rows;        /* the last `have` rows pushed, oldest first (owned) */
	csvin_record rec;       /* the paths of the kept rows (fields and lens owned) */
	size_t *last;           /* per column of rec: byte offset of its last part */
	size_t cap;             /* columns allocated in rec and last */
	str buf;                /* the paths' text, one after another */
	const reader_merge *merges; /* the file's merged ranges (not owned), or NULL: the rule */
	size_t nmerges;         /* how many */
} hpath;

/* Prepare hp for headers of nrows rows (1..: with 1, a path is the cell). */
void hpath_init(hpath *hp, int nrows);

/* Name the columns by the file's merged ranges m (n of them, rows as
 * record lines; may be none) instead of by the rule for empty cells.  m
 * is not copied: it must outlive hp's use. */
void hpath_set_merges(hpath *hp, const reader_merge *m, size_t n);

/* Keep a copy of rec (dropping the oldest row when nrows are kept).  When
 * nrows rows are kept, the paths of their columns as a record (owned by
 * hp, valid until the next push or hpath_free; its line is the last
 * row's), else NULL. */
const csvin_record *hpath_push(hpath *hp, const csvin_record *rec);

/* Byte offset in column c's path (of the record the last push gave) where
 * its last part begins: 0 when the path is one part. */
size_t hpath_last(const hpath *hp, size_t c);

/* The line of the first of the rows the last push's record was made of. */
long hpath_first_line(const hpath *hp);

/* Free what hp owns. */
void hpath_free(hpath *hp);

#endif
