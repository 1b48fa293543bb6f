/*
 * rowcheck.h - vqr-extract's check of one data row against its source:
 * every mapped cell is parsed and checked (type, not_null, enum value,
 * max_length, min/max), personal data is pseudonymised, the row is placed
 * in a period, and the row goes to rows.tsv or, with every bad cell of
 * it, to rejects.tsv.
 *
 *     rowcheck rc;
 *     rowcheck_init(&rc, source, path, &manifest);
 *     rc.rows = rows_writer; rc.rejects = rejects_writer;  // the caller's
 *     rowcheck_set_columns(&rc, ncols, map, header);       // owned by rc now
 *     while (next(&rec) > 0)
 *         if (rowcheck_row(&rc, rec) < 0) ...;             // a hash failed
 *     rowcheck_free(&rc);
 *
 * Rejected cells are written as "FILE:LINE:COLUMN: message" to stderr (the
 * first ROWCHECK_MAX_PRINTED of them) and as lines of rejects.tsv; personal
 * data is never shown.
 */
#ifndef VQR_ROWCHECK_H
#define VQR_ROWCHECK_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/readers/reader.h"
#include "lib/readers/csvin.h"
#include "lib/staging/manifest.h"
#include "lib/staging/rows.h"
#include "lib/util/pii.h"

#define ROWCHECK_MAX_PRINTED 20         /* reject messages printed on stderr */
#define ROWCHECK_KEYLEN 512             /* bytes of a normalised header or enum key */
#define ROWCHECK_PERIODS 8              /* period dates whose labels are remembered */

/* One column of the file. */
typedef struct colmap {
	const cfg_field *field; /* field of this column, NULL when unused */
} colmap;

#define ENUM_CACHE 16

/* The last few enum cell texts of one field and what they mean. */
typedef struct enum_cache {
	char text[ENUM_CACHE][64];      /* cell texts seen (only short ones are kept) */
	size_t len[ENUM_CACHE];         /* their lengths */
	const cfg_enumval *val[ENUM_CACHE]; /* what they mean */
	int n;                          /* slots used */
	int next;                       /* next slot to replace when full */
} enum_cache;

typedef struct rowcheck {
	const cfg_source *s;    /* the source rows are checked against */
	const char *path;       /* the input file, for messages */
	manifest *m;            /* row counts and periods go here (the caller's) */
	rows_writer *rows;      /* canonical rows (the caller's; NULL until set) */
	rows_writer *rejects;   /* rejected cells (the caller's) */
	pii *pii;               /* keyed hash for pseudonymised fields, NULL if none (the caller's) */
	int excel_dates;        /* dates may be Excel serials (an .xlsx input) */
	int date1904;           /* the workbook's 1904 date system */
	int short_rows;         /* a row may have fewer cells than the header (a sheet row
				 * ends at its last non-empty cell) */
	int no_value_cells;     /* a cell READER_NO_VALUE is a formula without its value */
	int text_guards;        /* ="0012" is 0012, and a leading apostrophe is dropped from
				 * a number, date, yes/no or enum cell and from a text cell of
				 * digits (a CSV input: Excel's text guards) */
	size_t ncols;           /* columns in the header */
	colmap *map;            /* ncols entries (owned) */
	char **header;          /* header texts, trimmed (ncols, owned) */
	size_t *missing;        /* not_null fields without a column (nmissing, in field order) */
	size_t nmissing;
	char *staged;           /* per field: it has a column in rows.tsv (the file has it, and
				 * it is not dropped); NULL before rowcheck_set_columns */
	int header_done;        /* rows.tsv's column line is written */
	long printed;           /* reject messages printed (or not, past the limit) */
	char *vals;             /* canonical values of the current row */
	size_t vcap;            /* bytes allocated at vals */
	size_t *voff;           /* per field: offset of its value in vals (vptr NULL) */
	const char **vptr;      /* per field: its value in the input record, or NULL when in vals */
	size_t *vlen;           /* per field: length of its value, or SIZE_MAX for NULL */
	enum_cache *ecache;     /* per field: recent enum cell texts */
	struct {
		long days;      /* a period date (days) seen before */
		char label[48]; /* its academic year's label, in the manifest */
		size_t len;     /* the label's length (0: slot unused) */
	} pcache[ROWCHECK_PERIODS]; /* period dates' labels: rows repeat a few dates */
	unsigned pnext;         /* the slot the next new date takes */
} rowcheck;

/* Prepare rc for rows of source s read from path, counted in m (both the
 * caller's, kept for rc's life).  Free with rowcheck_free. */
void rowcheck_init(rowcheck *rc, const cfg_source *s, const char *path, manifest *m);

/* The file's columns: ncols of them, map[c] the field of column c (or
 * none), header[c] its trimmed title.  rc takes map, header and its
 * strings (malloc'd), and finds the required fields without a column. */
void rowcheck_set_columns(rowcheck *rc, size_t ncols, colmap *map, char **header);

/* rows.tsv's column line (once): _line, _period and the staged fields (all
 * of the source's kept fields when no columns were set). */
void rowcheck_write_header(rowcheck *rc);

/* Check one data row (rec, whose line follows the header) and write it
 * or its rejects; the manifest's rows_read, rows_loaded, rows_rejected,
 * rows_skipped and periods count it.  0, or -1 when pseudonymising failed. */
int rowcheck_row(rowcheck *rc, const csvin_record *rec);

/* Free what rc owns (not the writers, the manifest or pii). */
void rowcheck_free(rowcheck *rc);

#endif
