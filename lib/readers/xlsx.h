/*
 * xlsx.h - streaming .xlsx (Office Open XML workbook) row reader on
 * minizip (the zip container) and expat (the XML), read one row at a time
 * through the same record type as csvin.h, so the extract stage can take
 * either.
 *
 * Usage:
 *     char err[1024];
 *     xlsx_opts o = { .sheet = NULL };                // first sheet, default limits
 *     xlsx *x = xlsx_open("inbox/a.xlsx", &o, err, sizeof err);
 *     if (!x) { log_error("%s", err); return EXIT_USAGE; }
 *     const csvin_record *rec;
 *     int rc;
 *     while ((rc = xlsx_next(x, &rec)) == 1)
 *         use(rec->fields, rec->lens, rec->nfields, rec->line);  // line = sheet row
 *     if (rc < 0)
 *         log_error("%s", xlsx_error(x));
 *     xlsx_close(x);
 *
 * What the reader does:
 *  - The workbook part is found through _rels/.rels (xl/workbook.xml when
 *    that is missing), the sheets through the workbook's relationships;
 *    element names are matched without their namespace prefix, so strict
 *    OOXML and prefixed ("x:row") files read too.
 *  - The sheet is the named one (exact name, else ASCII case-insensitive),
 *    or the first visible worksheet (the first worksheet when all are
 *    hidden).  Chart sheets are never chosen.
 *  - The sheet XML is inflated and parsed in 64 KiB chunks and never held
 *    whole in memory (see Memory below).  Shared strings (xl/sharedStrings.xml) and
 *    the date flags of the cell formats (xl/styles.xml) are loaded at open.
 *    Part names match zip entries without regard to ASCII case, and an
 *    entry named with backslashes (xl\workbook.xml, as some Windows tools
 *    write them) is the part with slashes.
 *  - Cell values as text:
 *      shared and inline strings   their text; rich text runs joined,
 *                                  phonetic runs (<rPh>) left out, the
 *                                  OOXML escape _xHHHH_ decoded; an
 *                                  inline string's <is> text even when
 *                                  the cell has a <v> too, else its <v>
 *      numbers                     shortest text that reads back as the
 *                                  same double: "3", "-2.5", "0.1", "1e+20"
 *                                  (integers below 2^53 never get an exponent)
 *      booleans                    "TRUE" / "FALSE"
 *      dates (number with a date   "2023-06-30", or "2023-06-30 08:30:00"
 *      or time format)             when the value has a time of day;
 *                                  "08:30:00" for a time format and a
 *                                  value below 1; the 1904 system and
 *                                  Excel's 1900 leap-year bug are honoured
 *                                  (serial 60 is "1900-02-29" as Excel
 *                                  shows it, which a date parser rejects;
 *                                  serial 0 "1900-01-00" likewise)
 *      formulas                    the cached value (<v>), typed as above;
 *                                  when the file has none (no <v>, or an
 *                                  empty one but for a text result: files
 *                                  written by libraries, never opened in
 *                                  Excel or LibreOffice) the cell is one
 *                                  NUL byte, which no cell of a workbook
 *                                  can hold otherwise (READER_NO_VALUE,
 *                                  reader.h)
 *      errors                      the error text: "#N/A", "#DIV/0!"
 *      ISO dates (t="d")           "2023-06-30 08:30:00" (the T a space, no
 *                                  fraction or zone), midnight as the date,
 *                                  a time of day alone as "23:44:51"
 *    Date formats: built-in ids 14-22, 45-47 and the East Asian ones
 *    27-36, 50-58 (yyyy"年"m"月"d"日" and friends), and custom formats with
 *    y, m, d, h or s outside quotes, escapes and [brackets] ([h] [mm] [ss]
 *    elapsed times count).
 *  - Sparse sheets: cells are placed by their reference (r="C5"); missing
 *    cells are empty strings.  A record ends at the row's last non-empty
 *    cell, so nfields differs from row to row; trailing empty cells never
 *    count.  Rows absent from the XML, and rows whose cells are all
 *    empty, are not delivered (record.line jumps, like blank CSV lines).
 *    Row numbers (r="5") must increase down the sheet, as Excel writes
 *    them: a row numbered at or above the one before it is an error
 *    ("... rows out of order").
 *  - Merged cells are ignored: the top-left cell has the value and the
 *    others are empty, as in Excel's own CSV export.
 *  - Hidden rows and columns are read like the others.
 *  - Decompression bombs: an entry is refused before inflating when its
 *    declared size exceeds max_uncompressed, or (above 1 MiB) its
 *    declared ratio exceeds max_ratio; while inflating, the actual bytes
 *    are counted and may not exceed the declared size.  Shared strings in
 *    memory (text plus 8 bytes per string) are bounded by max_shared,
 *    the text of a cell by max_cell and the texts of a row (but the
 *    shared strings it refers to) by max_row.
 *    A DOCTYPE in any part is refused (no entity expansion).
 *  - Every entry's CRC-32 and size are checked when it ends.  Rows
 *    delivered before an error come from a damaged file: treat -1 as the
 *    whole file failing.
 *  - Memory: the rows completed by one 64 KiB parse step (at most about
 *    1 MiB of text and 64K fields before the parser is paused), 64 KiB
 *    of XML, 512 KiB of inflated XML queued by the inflater thread, the
 *    inflate state, the shared strings; no allocation per row in steady
 *    state.  About 6.6 MB peak RSS for a 1M-row sheet with 70,000 shared
 *    strings (tests/bench/bench_xlsx.sh).
 *  - Threads: xlsx_open starts one thread that inflates the sheet ahead
 *    of the parser; xlsx_close (or the end of the sheet) joins it.  One
 *    reader is used by one thread at a time, like any other object.
 */
#ifndef VQR_XLSX_H
#define VQR_XLSX_H

#include "lib/readers/csvin.h"

#include <stddef.h>

typedef struct xlsx xlsx;

typedef struct xlsx_opts {
	const char *sheet;              /* sheet name, NULL = the first visible worksheet */
	long long max_uncompressed;     /* largest inflated size of one zip entry, 0 = 2 GiB */
	double max_ratio;               /* largest uncompressed/compressed ratio of an entry over 1 MiB, 0 = 200 */
	long long max_shared;           /* largest shared string table in memory (text + 8 bytes a string), 0 = 1 GiB */
	int part;                       /* 0: the whole sheet; 1 or 2: only the odd or even blocks (for xlsxpar) */
	long long max_cell;             /* largest text of one cell, 0 = 4 MiB */
	long long max_row;              /* largest texts of one row (shared strings not counted), 0 = 64 MiB */
} xlsx_opts;

/*
 * Open the workbook at path and prepare to stream one of its sheets
 * (opts may be NULL: first visible worksheet, default limits).  Reads the
 * workbook, its relationships, the shared strings and the styles, and
 * opens the sheet's entry.  Returns NULL with "path: reason" in errbuf
 * (errbuf may be NULL): not a zip file (an OLE2 file gets a hint about
 * .xls and passwords), corrupt or truncated zip, no workbook, no such
 * sheet (the message lists the sheets), a possible decompression bomb,
 * bad XML or CRC errors in the parts read.  Free with xlsx_close().
 */
xlsx *xlsx_open(const char *path, const xlsx_opts *opts, char *errbuf, size_t errlen);

/*
 * Read the next non-empty row of the sheet.  Returns 1 and sets *rec
 * (owned by the reader, valid until the next xlsx_next or xlsx_close):
 * nfields >= 1 (up to the last non-empty cell), fields NUL-terminated with
 * their lengths, line = the sheet's row number (1-based), offset = 0.
 * Returns 0 at the end of the sheet (its CRC checked), -1 on error with
 * "path: sheet NAME row N: message" in xlsx_error().  After 0 or -1 every
 * further call returns the same.
 */
int xlsx_next(xlsx *x, const csvin_record **rec);

/* The last error message ("" when there was none); owned by the reader. */
const char *xlsx_error(const xlsx *x);

/*
 * Reading a part (xlsx_opts.part 1 or 2; see xlsxpar.h): the sheet's
 * inflated XML is cut into blocks of XLSX_PART_BLOCK bytes, each ending
 * just after a "</row>", and only every other block is parsed (part 1:
 * blocks 0, 2, 4...; part 2: 1, 3, 5..., after the document's start up to
 * <sheetData>).  After the rows of each of its blocks, xlsx_next hands out
 * a marker record with nfields 0.  Whatever the cut cannot handle (a row
 * without its number, a comment, CDATA or processing instruction in the
 * sheet data, a prefixed root element, no inflater thread) stops the part
 * with an error and makes xlsx_part_unsupported return 1: read the whole
 * sheet instead.  Any other error is the same as for the whole sheet.
 */
#define XLSX_PART_BLOCK (128 << 10)
int xlsx_part_unsupported(const xlsx *x);

/*
 * Let part reader b (part 2, just opened) take its inflated XML from part
 * reader a's inflater (part 1, just opened, nothing read yet) instead of
 * inflating the sheet a second time.  a must be closed after b.  0, or -1
 * when they are not such a pair (then b inflates by itself).
 */
int xlsx_part_share(xlsx *b, xlsx *a);

/* Stop a's shared inflater without waiting, so that neither reader waits
 * for a buffer any more (their xlsx_next then fail): before stopping
 * threads that read them.  NULL is fine. */
void xlsx_part_abort(xlsx *a);

/* Bytes of the shared string table held in memory (for a reader of two parts). */
size_t xlsx_shared_bytes(const xlsx *x);

/* The name of the sheet being read; owned by the reader. */
const char *xlsx_sheet(const xlsx *x);

/* The workbook's worksheets, in the workbook's order, hidden ones
 * included (chart sheets and other special sheets left out): how many,
 * and the name of the i-th (owned by the reader; NULL past the end). */
size_t xlsx_sheet_count(const xlsx *x);
const char *xlsx_sheet_name(const xlsx *x, size_t i);

/* Non-zero when the workbook uses the 1904 date system. */
int xlsx_date1904(const xlsx *x);

/* The text the reader gives a number cell of value v (finite), the
 * shortest that strtod reads back as v ("3", "0.1", "1e+20"), into out
 * (at least 32 bytes); returns its length.  For the other workbook
 * readers (xls.h), so that the formats agree. */
size_t xlsx_fmt_number(double v, char *out);

/* Close the archive and free the reader and its records.  NULL is allowed. */
void xlsx_close(xlsx *x);

#endif
