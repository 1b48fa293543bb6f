/*
 * xls.h - Excel 97-2003 workbook (.xls, BIFF8 in an OLE2 container) row
 * reader on libfreexl, read one row at a time through the same record
 * type as csvin.h and xlsx.h, so the extract stage can take any of them.
 *
 * Usage:
 *     char err[ERR_MAX];
 *     xls_opts o = { .sheet = NULL };                 // first sheet, default limits
 *     xls *x = xls_open("inbox/a.xls", &o, err, sizeof err);
 *     if (!x) { log_error("%s", err); return EXIT_USAGE; }
 *     const csvin_record *rec;
 *     int rc;
 *     while ((rc = xls_next(x, &rec)) == 1)
 *         use(rec->fields, rec->lens, rec->nfields, rec->line);  // line = sheet row
 *     if (rc < 0)
 *         log_error("%s", xls_error(x));
 *     xls_close(x);
 *
 * What the reader gives, chosen to match the .xlsx reader (xlsx.h) cell
 * for cell, so that the .xls, .xlsx and CSV forms of one register give
 * the same canonical rows:
 *  - The sheet is the named one (exact name, else ASCII case-insensitive)
 *    or the first worksheet of the workbook, hidden or not (libfreexl
 *    does not say which sheets are hidden; .xlsx skips hidden ones).
 *  - Cell values as text:
 *      text                        as it is (libfreexl decodes the
 *                                  workbook's code page or UTF-16 to UTF-8)
 *      numbers                     the shortest text that reads back as
 *                                  the same double, as .xlsx: "3", "-2.5",
 *                                  "0.1", "1e+20" (integers below 2^53
 *                                  never get an exponent)
 *      dates (number with a date,  "2023-06-30", "2023-06-30 08:30:00",
 *      date-time or time format)   "08:30:00", as libfreexl gives them in
 *                                  the workbook's date system (1900 or
 *                                  1904); a date-time at midnight is the
 *                                  date alone, as .xlsx
 *      booleans                    1 and 0 as xlwt writes them (not
 *                                  "TRUE"/"FALSE" as .xlsx); empty as
 *                                  LibreOffice writes them
 *      formulas                    EMPTY, whatever result the file holds:
 *                                  libfreexl 1.0.6 does not read formula
 *                                  cells (a register whose values come
 *                                  from formulas must be sent as .xlsx
 *                                  or CSV; test_xls checks this)
 *  - Where libfreexl differs from the .xlsx reader (all on values no
 *    register holds): a cell with a date-only format whose value has a
 *    time of day gives the date alone; a time format on a value of a day
 *    or more gives the time of day alone; serials below 1 read as
 *    1900-01-01 (1904-01-02 in the 1904 system); a date after 9999-12-31
 *    gives a five-digit year, which a date column then rejects.
 *  - Merged cells: libfreexl does not expose merged areas; the top-left
 *    cell has the value and the others are empty, as in .xlsx and in
 *    Excel's own CSV export.
 *  - Rows: a record ends at the row's last non-empty cell; rows whose
 *    cells are all empty are not delivered (record.line jumps, like blank
 *    CSV lines); line is the sheet's row number (1-based).
 *  - Refused at open with a reason: a file that is not an OLE2 container,
 *    a BIFF5 or older workbook (Excel 5.0/95 and before), an encrypted or
 *    password-protected workbook, a file over max_file bytes, a damaged
 *    container or workbook stream (libfreexl's reason), and, checked
 *    before libfreexl reads the file, a container whose first directory
 *    sector declares a name longer than the 64 bytes of an entry (libfreexl
 *    1.0.6 would read past its own stack buffer on it), and a workbook
 *    whose sheets declare more cells than max_grid allows (see Memory).
 *  - Memory: libfreexl reads the whole workbook at open: the workbook
 *    stream (at most the file's size), its shared strings, and for every
 *    sheet a grid of 16 bytes per cell of the sheet's declared dimensions
 *    (BIFF8 allows 65,536 rows x 256 columns: up to 256 MiB a sheet; a
 *    sheet whose used range is 10,000 x 30 takes 4.7 MB).  max_file
 *    bounds the first two; the grids are bounded by max_grid: before
 *    libfreexl loads the file, the reader reads the workbook stream out
 *    of the container (cfb.h) and adds up each sheet's DIMENSIONS (or
 *    the extent of its cells), and refuses the file when 16 bytes a cell
 *    would exceed max_grid.  The file is read whole once for this.
 *    The reader itself holds one row.
 *  - Time: libfreexl turns a date serial into text by counting days one
 *    at a time from 1900 (about 45,000 steps for a date in 2023).
 */
#ifndef VQR_XLS_H
#define VQR_XLS_H

#include <stddef.h>

#include "lib/readers/csvin.h"

typedef struct xls xls;

typedef struct xls_opts {
	const char *sheet;      /* sheet name, NULL = the first worksheet */
	long long max_file;     /* largest file in bytes, 0 = XLS_MAX_FILE */
	long long max_cell;     /* largest text of one cell in bytes, 0 = 4 MiB */
	long long max_row;      /* largest texts of one row in bytes, 0 = 64 MiB */
	long long max_grid;     /* largest cell grids libfreexl may allocate, in bytes, 0 = XLS_MAX_GRID */
} xls_opts;

/* The default max_grid: 256 MiB, libfreexl's own bound for one sheet
 * (16 bytes a cell: 16.7 million declared cells over all sheets). */
#define XLS_MAX_GRID (256LL << 20)

/* The default max_file: 64 MiB (a full BIFF8 sheet of short texts is
 * about 30 MB). */
#define XLS_MAX_FILE (64LL << 20)

/*
 * Open the workbook at path (opts may be NULL: first worksheet, default
 * limits) and load the sheet.  Returns the reader, freed with
 * xls_close(), or NULL with "path: reason" in errbuf (errbuf may be NULL):
 * see "Refused at open" above, and no such sheet (the message lists the
 * sheets).
 */
xls *xls_open(const char *path, const xls_opts *opts, char *errbuf, size_t errlen);

/*
 * Read the next non-empty row of the sheet.  Returns 1 and sets *rec
 * (owned by the reader, valid until the next xls_next or xls_close):
 * nfields >= 1 (up to the last non-empty cell), fields NUL-terminated with
 * their lengths, line = the sheet's row number (1-based), offset 0.
 * Returns 0 at the end of the sheet, -1 on error with "path: sheet NAME
 * row N column C: message" in xls_error().  After 0 or -1 every further
 * call returns the same.
 */
int xls_next(xls *x, const csvin_record **rec);

/* The last error message ("" when there was none); owned by the reader. */
const char *xls_error(const xls *x);

/* The name of the sheet being read; owned by the reader. */
const char *xls_sheet(const xls *x);

/* The workbook's worksheets, in order: how many, and the name of the
 * i-th (owned by libfreexl's handle, valid until xls_close; NULL past
 * the end). */
size_t xls_sheet_count(const xls *x);
const char *xls_sheet_name(const xls *x, size_t i);

/* Non-zero when the workbook uses the 1904 date system. */
int xls_date1904(const xls *x);

/* Close the workbook and free the reader and its records.  NULL is fine. */
void xls_close(xls *x);

#endif
