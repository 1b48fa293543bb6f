/*
 * reader.h - one interface to every input format vqr-extract reads: a
 * table of formats (reader.c), each of which says whether it reads a file
 * (from its name and first bytes) and hands out its records one at a time,
 * cells with their line numbers, as csvin does.
 *
 *     reader_opts o = { .encoding = "auto", .sheet = NULL };   // 0: defaults
 *     reader *r = reader_open("inbox/a.xlsx", &o, err, sizeof err);
 *     if (!r) fail(err);                         // "path: reason"
 *     while ((rc = reader_next(r, &rec)) > 0)
 *         use(rec->fields, rec->lens, rec->nfields, rec->line);
 *     if (rc < 0) fail(reader_error(r));
 *     reader_close(r);
 *
 * Adding an input format means two things and no more: one file
 * lib/readers/reader_<name>.c that defines a `const reader_format
 * reader_<name>` (the functions below, over the format's own reader), and
 * one row for it in the table in reader.c (with its extern declaration
 * here).  vqr-extract picks the reader through the table only.
 */
#ifndef VQR_READER_H
#define VQR_READER_H

#include <stddef.h>

#include "lib/readers/csvin.h"

/* How many first bytes of a file a format's match sees (fewer when the
 * file is shorter). */
#define READER_HEAD 8

/* Everything any format may be told (each reads what it needs; 0 or NULL
 * is that format's default). */
typedef struct reader_opts {
	unsigned char delim;    /* CSV: ',', '\t', ';' or 0 = detect */
	const char *encoding;   /* CSV: "utf-8", "gb18030", "utf-16", "utf-32", "utf-32le", "utf-32be", NULL or "auto" */
	const char *sheet;      /* workbooks: the sheet to read, NULL = the first */
	size_t max_record;      /* largest record (CSV) or row's texts (.xlsx), in bytes */
	size_t max_field;       /* largest field or cell, in bytes */
	double max_ratio;       /* largest inflated / compressed ratio (.gz, zip members) */
	long long max_shared;   /* .xlsx: largest shared string table in memory */
	long long max_xls;      /* .xls: largest file, in bytes (libfreexl reads it whole) */
} reader_opts;

/* A cell a reader gives for a formula whose value the file does not hold
 * (a workbook written by a library and never opened in a spreadsheet
 * program): exactly READER_NO_VALUE_LEN bytes, a NUL, which no cell of
 * such a format can hold otherwise.  Only when reader_info.no_value_cells
 * says so (a CSV field may hold a NUL). */
#define READER_NO_VALUE "\0"
#define READER_NO_VALUE_LEN 1

/* What a manifest says of the input and how its values read. */
typedef struct reader_info {
	const char *delimiter;  /* "comma", "tab", "semicolon" or the format ("xlsx", "xls"); static */
	char encoding[300];     /* "utf-8", "gb18030 (BOM)", "xlsx (sheet 数据)", ... */
	int excel_dates;        /* dates may be Excel serial numbers */
	int date1904;           /* ... counted in the 1904 date system */
	int short_rows;         /* a record may end at its last non-empty cell (fewer
				 * cells than the header) */
	int no_value_cells;     /* a cell may be READER_NO_VALUE (a formula without its value) */
	int text_guards;        /* cells may carry Excel's text guards: ="0012" and a leading
				 * apostrophe, as text exports write them (CSV) */
} reader_info;

/* One input format.  Its handle (void *) is its own reader. */
typedef struct reader_format {
	const char *name;       /* "csv", "xlsx", "xls" */
	/* 1 when this format reads the file at path whose first n bytes
	 * (n <= READER_HEAD; 0 when it cannot be read) are head. */
	int (*match)(const char *path, const unsigned char *head, size_t n);
	/* Open path: the handle, or NULL with "path: reason" in err. */
	void *(*open)(const char *path, const reader_opts *o, char *err, size_t errlen);
	/* The next record: 1 with *rec (owned by the handle, valid until the
	 * next call), 0 at the end, -1 on error (error() says why).  After
	 * 0 or -1 every further call returns the same. */
	int (*next)(void *h, const csvin_record **rec);
	/* The message after -1, "" before; owned by the handle. */
	const char *(*error)(void *h);
	/* The manifest's description of the input (after reading). */
	void (*info)(void *h, reader_info *out);
	/* Close the handle and free it (NULL is fine). */
	void (*close)(void *h);
	/* Workbooks: how many worksheets the file has, and the name of the
	 * i-th (owned by the handle; NULL past the end).  NULL for a format
	 * of one table (CSV). */
	size_t (*sheet_count)(void *h);
	const char *(*sheet_name)(void *h, size_t i);
	/* 1: next parses in the caller's thread, so rows after the header
	 * are better read ahead in a thread of their own (recq.h). */
	int read_ahead;
} reader_format;

/* The formats (reader_<name>.c). */
extern const reader_format reader_xlsx;
extern const reader_format reader_xls;
extern const reader_format reader_csv;

typedef struct reader reader;

/* The format of the file at path: the first in the table whose match
 * takes it (CSV, last, takes any file).  Never NULL. */
const reader_format *reader_pick(const char *path);

/* Open path with the format reader_pick gives (o may be NULL: defaults).
 * The reader, owned by the caller (reader_close), or NULL with "path:
 * reason" in err. */
reader *reader_open(const char *path, const reader_opts *o, char *err, size_t errlen);

/* The next record, as reader_format.next: 1 with *rec (owned by r), 0 at
 * the end, -1 on error (reader_error). */
int reader_next(reader *r, const csvin_record **rec);

/* The message after -1 ("" before); owned by r. */
const char *reader_error(const reader *r);

/* From now on, read the records ahead in a thread (when the format wants
 * it, and a thread can be had; else nothing changes). */
void reader_read_ahead(reader *r);

/* The worksheets of the workbook r reads, in the workbook's order: how
 * many (0 for a format of one table, such as CSV), and the name of the
 * i-th (owned by r, valid until reader_close; NULL past the end). */
size_t reader_sheet_count(const reader *r);
const char *reader_sheet_name(const reader *r, size_t i);

/* The format r reads. */
const reader_format *reader_format_of(const reader *r);

/* The input's description into out (its encoding once the first records
 * are read; how values read from the start; what the format does not set
 * is 0).  Stops a read-ahead thread
 * first: further records are read in the caller's thread. */
void reader_describe(reader *r, reader_info *out);

/* Stop any thread, close the format's handle and free r (NULL is fine). */
void reader_close(reader *r);

#endif
