/*
 * xlsx_merge.c - the merged ranges of an .xlsx sheet (xlsx_opts.merge_rows,
 * xlsx_merges): a first pass over the sheet's XML before its rows are
 * streamed, because <mergeCells> comes AFTER <sheetData> in the sheet.
 *
 * The pass inflates the sheet entry and looks for the start tag of the
 * mergeCells element in the bytes ("<mergeCells" or "<x:mergeCells": a
 * '<' cannot stand unescaped in text or attribute values, so only markup
 * matches), without parsing the rows; from that '<' on, the bytes go to
 * an expat parser of their own, which reads the <mergeCell ref="B1:D1"/>
 * elements and stops at </mergeCells>.  The scanner (xl_mscan_*) takes
 * the bytes in chunks of any size.  Its cost is one more inflate of the
 * sheet and a memmem over it (bench/README.md).
 */
#define _GNU_SOURCE                     /* memmem (glibc) */
#include <stdlib.h>
#include <string.h>

#include "lib/readers/xlsx_int.h"
#include "lib/util/mem.h"

#define MSCAN_TAG "mergeCells"
#define MSCAN_PREFIX 32                 /* longest namespace prefix looked back over */
#define MSCAN_MAX 65536                 /* merged ranges kept at most */

/* A cell reference "AB12" at *s: 1-based row and 0-based column, *s moved
 * past it.  0, or -1 when it is not one. */
static int cell_ref(const char **s, long *row, long *col)
{
	const char *p = *s;
	long c = 0, r = 0;
	int k = 0;

	for (; ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') && k < 4; p++, k++)
		c = c * 26 + ((*p | 0x20) - 'a' + 1);
	if (k == 0 || k == 4 || c > XLSX_MAX_COL)
		return -1;
	for (k = 0; *p >= '0' && *p <= '9' && k < 8; p++, k++)
		r = r * 10 + (*p - '0');
	if (k == 0 || r < 1 || r > XLSX_MAX_ROW)
		return -1;
	*row = r;
	*col = c - 1;
	*s = p;
	return 0;
}

/* The range "B1:D2" (or one cell "B1") into m: 0, or -1. */
static int range_ref(const char *ref, reader_merge *m)
{
	if (!ref || cell_ref(&ref, &m->r1, &m->c1) < 0)
		return -1;
	m->r2 = m->r1;
	m->c2 = m->c1;
	if (*ref == ':' && (ref++, cell_ref(&ref, &m->r2, &m->c2) < 0))
		return -1;
	if (*ref || m->r2 < m->r1 || m->c2 < m->c1)
		return -1;
	return 0;
}

static void XMLCALL ms_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	xl_mscan *s = ud;
	reader_merge m;

	if (strcmp(xl_local(name), "mergeCell") != 0 || range_ref(xl_attr(a, "ref"), &m) < 0 ||
	    m.r1 > s->max_row || s->n >= MSCAN_MAX)
		return;
	xgrow((void **)&s->m, &s->cap, s->n + 1, sizeof *s->m);
	s->m[s->n++] = m;
}

static void XMLCALL ms_end(void *ud, const XML_Char *name)
{
	xl_mscan *s = ud;

	if (strcmp(xl_local(name), MSCAN_TAG) == 0) {
		s->state = 1;
		XML_StopParser(s->p, XML_FALSE);
	}
}

void xl_mscan_init(xl_mscan *s, long max_row)
{
	memset(s, 0, sizeof *s);
	s->max_row = max_row;
}

/* Feed n bytes at b to the parser: done or failed sets state. */
static void ms_parse(xl_mscan *s, const char *b, size_t n)
{
	if (XML_Parse(s->p, b, (int)n, 0) != XML_STATUS_OK && s->state == 0)
		s->state = -1;
}

/* Where in w (n bytes) the mergeCells start tag begins (its '<'), or -1;
 * *keep is how many bytes at the end may hold the start of one that the
 * chunk cut off. */
static long ms_find(const char *w, size_t n, size_t *keep)
{
	const size_t tl = sizeof MSCAN_TAG - 1;
	const char *p = w;

	*keep = n < tl + MSCAN_PREFIX + 2 ? n : tl + MSCAN_PREFIX + 2;
	while ((p = memmem(p, n - (size_t)(p - w), MSCAN_TAG, tl))) {
		size_t at = (size_t)(p - w), q = at;

		if (at + tl >= n)
			return -1;      /* what follows is cut off: kept for the next chunk */
		if (q > 0 && w[q - 1] == ':')   /* a prefix: back to its '<' */
			for (q--; q > 0 && at - q < MSCAN_PREFIX && !strchr("< \t\r\n>", w[q - 1]); q--)
				;
		if (q > 0 && w[q - 1] == '<' && strchr(" \t\r\n/>", w[at + tl]))
			return (long)(q - 1);
		p++;
	}
	return -1;
}

void xl_mscan_feed(xl_mscan *s, const char *b, size_t n)
{
	size_t keep;
	long at;

	if (s->state != 0 || n == 0)
		return;
	if (s->p) {
		ms_parse(s, b, n);
		return;
	}
	xgrow((void **)&s->win, &s->wcap, s->wlen + n, 1);
	memcpy(s->win + s->wlen, b, n);
	s->wlen += n;
	at = ms_find(s->win, s->wlen, &keep);
	if (at < 0) {
		memmove(s->win, s->win + s->wlen - keep, keep);
		s->wlen = keep;
		return;
	}
	if (!(s->p = XML_ParserCreate(NULL))) {
		s->state = -1;
		return;
	}
	XML_SetUserData(s->p, s);
	XML_SetElementHandler(s->p, ms_start, ms_end);
	ms_parse(s, s->win + at, s->wlen - (size_t)at);
}

int xl_mscan_end(xl_mscan *s)
{
	return s->state < 0 || (s->p && s->state == 0) ? -1 : 0;
}

void xl_mscan_free(xl_mscan *s)
{
	if (s->p)
		XML_ParserFree(s->p);
	free(s->win);
	free(s->m);
	memset(s, 0, sizeof *s);
}

int xl_read_merges(xlsx *x, long max_row)
{
	unsigned char *buf = xmalloc(XLSX_CHUNK);
	xl_mscan s;
	long n;
	int rc = xl_zent_open(x, x->sheet_path);

	if (rc <= 0) {
		free(buf);
		return rc == 0 ? 0 : -1;        /* open_sheet says the sheet is missing */
	}
	xl_mscan_init(&s, max_row);
	while ((n = xl_zent_read(x, buf, XLSX_CHUNK)) > 0)
		xl_mscan_feed(&s, (const char *)buf, (size_t)n);
	xl_zent_close(x);
	free(buf);
	if (n < 0) {
		xl_mscan_free(&s);
		return -1;
	}
	if (xl_mscan_end(&s) == 0) {
		x->merges = s.m;        /* taken over */
		x->nmerges = s.n;
		x->have_merges = 1;
		s.m = NULL;
	}
	xl_mscan_free(&s);
	return 0;
}
