/*
 * str.c - the growable string; see str.h.
 */
#include "lib/util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util/mem.h"

static void reserve(str *b, size_t more)
{
	void *p = b->s;

	xgrow(&p, &b->cap, b->len + more + 1, 1);
	b->s = p;
}

void str_addn(str *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void str_add(str *b, const char *s)
{
	str_addn(b, s, strlen(s));
}

void str_addc(str *b, char c)
{
	str_addn(b, &c, 1);
}

void str_vaddf(str *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n <= 0)
		return;
	reserve(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void str_addf(str *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	str_vaddf(b, fmt, ap);
	va_end(ap);
}

void str_add_json(str *b, const char *s)
{
	if (!s) {
		str_add(b, "null");
		return;
	}
	str_addc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': str_add(b, "\\\""); break;
		case '\\': str_add(b, "\\\\"); break;
		case '\n': str_add(b, "\\n"); break;
		case '\r': str_add(b, "\\r"); break;
		case '\t': str_add(b, "\\t"); break;
		default:
			if (c < 0x20)
				str_addf(b, "\\u%04x", c);
			else
				str_addc(b, (char)c);
		}
	}
	str_addc(b, '"');
}

const char *str_cstr(const str *b)
{
	return b->s ? b->s : "";
}

void str_clear(str *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

char *str_steal(str *b)
{
	char *s = b->s ? b->s : xstrdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void str_free(str *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}
