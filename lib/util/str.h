/*
 * str.h - the one growable string of vqr: a NUL-terminated byte buffer
 * that grows as text is added (through mem.h: never fails).
 *
 *     str b = STR_INIT;
 *     str_addf(&b, "%s:%ld: ", path, line);
 *     str_add_json(&b, value);
 *     fputs(str_cstr(&b), f);
 *     str_free(&b);
 *
 * The struct is the caller's (on the stack or inside another); its
 * buffer is freed by str_free, or handed over by str_steal.
 */
#ifndef VQR_STR_H
#define VQR_STR_H

#include <stdarg.h>
#include <stddef.h>

typedef struct str {
	char *s;    /* the text, NUL-terminated; NULL until something is added */
	size_t len; /* bytes of text, without the NUL */
	size_t cap; /* bytes allocated at s */
} str;

#define STR_INIT {NULL, 0, 0}

/* Append n bytes of s (which may hold NULs). */
void str_addn(str *b, const char *s, size_t n);
/* Append the string s. */
void str_add(str *b, const char *s);
/* Append one byte. */
void str_addc(str *b, char c);
/* Append as printf would. */
void str_addf(str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void str_vaddf(str *b, const char *fmt, va_list ap);
/* Append s as a JSON string literal, quotes included (NULL gives null). */
void str_add_json(str *b, const char *s);
/* The text ("" while empty); valid until the next change to b. */
const char *str_cstr(const str *b);
/* Empty the text, keeping the buffer. */
void str_clear(str *b);
/* Hand the text over (the caller frees it; never NULL) and empty b. */
char *str_steal(str *b);
/* Free the buffer; b is empty and reusable afterwards. */
void str_free(str *b);

#endif
