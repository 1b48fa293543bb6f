/*
 * tap.h - a minimal Test Anything Protocol producer for vqr's C unit tests.
 *
 * Each tests/unit/test_*.c is built into build/tests/test_* and run by
 * `prove` from tests/run.sh.  Usage:
 *
 *     int main(void) {
 *         ok(1 + 1 == 2, "addition");
 *         is_str(got, "x", "field %d", i);
 *         return tap_done();     // prints the plan, exit 1 if any failed
 *     }
 */
#ifndef VQR_TAP_H
#define VQR_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static int tap_ok_v(int cond, const char *fmt, va_list ap)
{
	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 2, 3), unused))
static int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_ok_v(cond, fmt, ap);
	va_end(ap);
	return r;
}

/* Compare two strings (either may be NULL); print both on failure. */
__attribute__((format(printf, 3, 4), unused))
static int is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int cond = (got == NULL && want == NULL) ||
		   (got && want && strcmp(got, want) == 0);
	va_start(ap, fmt);
	tap_ok_v(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		       want ? want : "(null)");
	return cond;
}

/* Compare two integers; print both on failure. */
__attribute__((format(printf, 3, 4), unused))
static int is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_ok_v(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
	return got == want;
}

/* Print "1..N" and return the exit status for main. */
__attribute__((unused))
static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
