/*
 * text.c - vqr-transform's arena and JSON quoting (see text.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util/mem.h"
#include "stages/transform/text.h"

char *arena_dup(arena *a, const char *s, size_t n)
{
	char *r;

	if (n + 1 > a->left) {
		size_t sz = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;
		a->blocks = xreallocarray(a->blocks, a->nblocks + 1, sizeof *a->blocks);
		a->blocks[a->nblocks] = xmalloc(sz);
		a->p = a->blocks[a->nblocks++];
		a->left = sz;
	}
	r = a->p;
	memcpy(r, s, n);
	r[n] = '\0';
	a->p += n + 1;
	a->left -= n + 1;
	return r;
}

void arena_free(arena *a)
{
	for (size_t i = 0; i < a->nblocks; i++)
		free(a->blocks[i]);
	free(a->blocks);
	memset(a, 0, sizeof *a);
}

void text_json_quote(char **p, const char *s)
{
	char *o = *p;

	*o++ = '"';
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			*o++ = '\\';
			*o++ = (char)ch;
		} else if (ch < 0x20) {
			o += sprintf(o, "\\u%04x", ch);
		} else {
			*o++ = (char)ch;
		}
	}
	*o++ = '"';
	*p = o;
}
