/*
 * err.c - error messages that say when they were cut; see err.h.
 */
#include "lib/util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util/mem.h"

/* Mark a message that did not fit. */
static void mark_cut(char *err, size_t errlen)
{
	size_t m = sizeof ERR_CUT_MARK;

	if (errlen >= m)
		memcpy(err + errlen - m, ERR_CUT_MARK, m);
}

int err_vset(char *err, size_t errlen, const char *fmt, va_list ap)
{
	int n;

	if (!err || !errlen)
		return -1;
	n = vsnprintf(err, errlen, fmt, ap);
	if (n < 0)
		snprintf(err, errlen, "(unprintable message: %s)", fmt);
	else if ((size_t)n >= errlen)
		mark_cut(err, errlen);
	return -1;
}

int err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int err_prefix(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	char *head, *old;

	if (!err || !errlen)
		return -1;
	va_start(ap, fmt);
	head = xvasprintf(fmt, ap);
	va_end(ap);
	old = xstrdup(err);
	err_set(err, errlen, "%s: %s", head, old);
	free(head);
	free(old);
	return -1;
}

int fmt_fits(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
