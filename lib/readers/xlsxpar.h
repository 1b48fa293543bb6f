/*
 * xlsxpar.h - an .xlsx sheet's rows parsed on two cores: two readers of
 * the same sheet (xlsx.c, xlsx_opts.part 1 and 2) each parse every other
 * block of the sheet's XML in a thread of its own (recq.c), and the rows
 * come back here in the sheet's order.  Anything the blocks cannot handle
 * (see xlsx_part_unsupported), and any error, makes it read the whole
 * sheet again with one reader, past the rows already handed out, so rows,
 * line numbers and error messages are exactly those of xlsx_next.
 *
 * Usage: as xlsx.h, with xlsxpar_ for xlsx_:
 *     xlsxpar *p = xlsxpar_open(path, &opts, err, sizeof err);
 *     while ((rc = xlsxpar_next(p, &rec)) == 1)
 *         use rec (valid until the next call);
 *     if (rc < 0) report xlsxpar_error(p);
 *     xlsxpar_close(p);
 *
 * A workbook whose shared string table is larger than XLSXPAR_MAX_SHARED
 * is read by one reader (each part holds the table).
 */
#ifndef VQR_XLSXPAR_H
#define VQR_XLSXPAR_H

#include <stddef.h>

#include "lib/readers/csvin.h"
#include "lib/readers/xlsx.h"

#define XLSXPAR_MAX_SHARED (4 << 20)    /* bytes of shared strings up to which two readers are used */

typedef struct xlsxpar xlsxpar;

/* Open path as xlsx_open does (opts may be NULL; its part is ignored).
 * Returns the reader, owned by the caller (xlsxpar_close), or NULL with
 * xlsx_open's message in errbuf. */
xlsxpar *xlsxpar_open(const char *path, const xlsx_opts *opts, char *errbuf, size_t errlen);

/* As xlsx_next: 1 with *rec (owned by p, valid until the next call), 0 at
 * the end, -1 on error (xlsxpar_error). */
int xlsxpar_next(xlsxpar *p, const csvin_record **rec);

/* As xlsx_error, xlsx_sheet and xlsx_date1904.  Strings owned by p. */
const char *xlsxpar_error(const xlsxpar *p);
const char *xlsxpar_sheet(const xlsxpar *p);
int xlsxpar_date1904(const xlsxpar *p);

/* As xlsx_sheet_count and xlsx_sheet_name (names owned by p). */
size_t xlsxpar_sheet_count(const xlsxpar *p);
const char *xlsxpar_sheet_name(const xlsxpar *p, size_t i);

/* 1 while the rows come from the two parts, 0 when one reader reads the
 * whole sheet (from the start, or since a part could not go on). */
int xlsxpar_in_parts(const xlsxpar *p);

/* Stop its threads and free everything (NULL is fine). */
void xlsxpar_close(xlsxpar *p);

#endif
