/*
 * err.h - the error convention of vqr's library code.
 *
 * A library function that can fail returns 0 on success and -1 on
 * failure, and writes the reason into a caller's buffer (char *err,
 * size_t errlen; ERR_MAX bytes is enough for any message vqr writes).
 * It never exits and never prints: main decides what the failure means
 * and which exit status it gives.  Messages name what failed, as
 * "path:line:col: reason" where a place is known.
 *
 * A message is never cut silently: when it does not fit, err_set ends it
 * with ERR_CUT_MARK, so the reader knows there was more.
 */
#ifndef VQR_ERR_H
#define VQR_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* The size of an error buffer that holds any of vqr's messages. */
#define ERR_MAX 4096
/* What ends a message that did not fit its buffer. */
#define ERR_CUT_MARK "... (message cut)"

/* Format the message into err (errlen bytes; err may be NULL to discard
 * it) and return -1, so that "return err_set(err, errlen, ...);" fails. */
int err_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int err_vset(char *err, size_t errlen, const char *fmt, va_list ap);
/* Put "prefix: " before the message already in err (e.g. a path before a
 * reader's reason), keeping the cut mark if the whole does not fit.
 * Returns -1. */
int err_prefix(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Write a formatted string into buf (len bytes): 0 when it fits, -1 when
 * it would be cut (buf then holds the cut text).  For paths and keys that
 * must be whole: the caller treats -1 as an error ("path too long"). */
int fmt_fits(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
