/*
 * xls_check.h - an .xls file checked, before libfreexl 1.0.6 reads it, for
 * what libfreexl would read past its buffers or allocate without bound.
 *
 * libfreexl trusts the lengths a workbook declares in places: a directory
 * entry's name, a text in a FORMAT or LABEL record or the shared string
 * table, the cells a sheet declares (16 bytes each, allocated at once, and
 * again for every sheet it failed to size).  xls_check reads the container
 * and the workbook stream exactly as libfreexl will (cfb.h, and its record
 * buffer and sheet bookkeeping mirrored) and refuses the file, with what
 * is wrong in it, where libfreexl would go wrong.  It refuses encrypted
 * and pre-BIFF8 workbooks too, which libfreexl would parse before saying
 * so.  What libfreexl refuses by itself is left to it.
 *
 * Usage (xls.c):
 *     if (xls_check(bytes, nbytes, max_grid, path, err, sizeof err) < 0)
 *         refuse the file with err;
 */
#ifndef VQR_XLS_CHECK_H
#define VQR_XLS_CHECK_H

#include <stddef.h>

/* The messages for an encrypted and an older workbook, also given when
 * libfreexl finds them itself (xls.c). */
#define XLS_ENCRYPTED "the workbook is encrypted (password-protected): save it without a password"
#define XLS_NOT_BIFF8 "not an Excel 97-2003 (BIFF8) workbook: Excel 5.0/95 and older .xls files " \
	"are not read; save it as .xlsx"

/*
 * Check the .xls file held in buf (n bytes, the whole file, at least 512;
 * not kept), named path in messages.  max_grid bounds the bytes of the
 * cell grids libfreexl would allocate.  Returns 0, or -1 with a message
 * "path: reason" in err (errlen bytes).
 */
int xls_check(const unsigned char *buf, size_t n, long long max_grid, const char *path, char *err,
	      size_t errlen);

#endif
