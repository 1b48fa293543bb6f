/*
 * text.h - vqr-transform's texts: an arena that keeps strings for the
 * whole run (dictionary values, period labels, reported figures) in large
 * blocks, and the JSON quoting of breakdown values as indicators.gz has
 * always written them.
 */
#ifndef VQR_TRANSFORM_TEXT_H
#define VQR_TRANSFORM_TEXT_H

#include <stddef.h>

/* Strings kept for the whole run, allocated in large blocks. */
typedef struct arena {
	char **blocks;          /* nblocks of ARENA_BLOCK (or larger) bytes */
	size_t nblocks;
	char *p;                /* free space in the last block */
	size_t left;            /* its size */
} arena;
#define ARENA_BLOCK (256 * 1024)
#define ARENA_INIT {NULL, 0, NULL, 0}

/* A copy of s[0..n) with a NUL, in the arena (lives until arena_free). */
char *arena_dup(arena *a, const char *s, size_t n);

/* Free every block of a (a is then empty). */
void arena_free(arena *a);

/* Write s as a JSON string literal at *p and advance *p: '"' and '\'
 * escaped, control characters as \u00XX, everything else as is.  The
 * caller gives room for 6 * strlen(s) + 2 bytes. */
void text_json_quote(char **p, const char *s);

#endif
