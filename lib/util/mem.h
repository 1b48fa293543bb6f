/*
 * mem.h - allocation that cannot fail: on exhaustion the program says so
 * and ends with exit status 5 (EXIT_INTERNAL), as PostgreSQL's pg_malloc
 * and sbase's emalloc do.  exit() runs the atexit cleanups (the embedded
 * cluster's stop, the log's flush), so a fatal exit still tidies up.
 *
 * Library code allocates through these and never tests for NULL; the one
 * place that decides what exhaustion means is mem.c.  Everything returned
 * is the caller's, freed with free().
 */
#ifndef VQR_MEM_H
#define VQR_MEM_H

#include <stdarg.h>
#include <stddef.h>

/* malloc(n), never NULL (n == 0 gives a unique pointer to free). */
void *xmalloc(size_t n);
/* calloc(n, size), never NULL; ends the program on n * size overflow. */
void *xcalloc(size_t n, size_t size);
/* realloc(p, n * size) with the product checked for overflow; never NULL.
 * p may be NULL.  On exhaustion p is not freed (the program ends). */
void *xreallocarray(void *p, size_t n, size_t size);
/* A copy of s (s must not be NULL). */
char *xstrdup(const char *s);
/* A copy of s (s may be NULL: gives NULL). */
char *xstrdup_or_null(const char *s);
/* A copy of the first n bytes of s (stops at a NUL), NUL-terminated. */
char *xstrndup(const char *s, size_t n);
/* A new string formatted as printf would. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Grow *p (an array of *cap elements of size bytes) to hold at least need
 * elements: doubles the capacity (at least 8), checked for overflow. */
void xgrow(void **p, size_t *cap, size_t need, size_t size);

/* free() each of the n pointers p[0..n) (NULLs are skipped by free). */
void free_each(void *const *p, size_t n);
/* FREE_ALL(a, b, ...): free() each pointer named, in order: the one way
 * a structure's plain members and then the structure itself go. */
#define FREE_ALL(...) \
	free_each((void *const[]){ __VA_ARGS__ }, sizeof((void *const[]){ __VA_ARGS__ }) / sizeof(void *))

/* free() the n strings of v and then v itself (v may be NULL when n is 0). */
void strv_free(char **v, size_t n);

#endif
