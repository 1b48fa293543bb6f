/*
 * xlsx_sheet.c - the sheet's expat handlers (xlsx_int.h): cells and rows
 * of <sheetData> into the queue of completed rows.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/readers/xlsx_int.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"

/* ---- the sheet -------------------------------------------------------- */

/* Make room for need fields in foff and flen. */
static void grow_fields(xlsx *x, size_t need)
{
	size_t ncap = x->fcap ? x->fcap : 64;

	if (need <= x->fcap)
		return;
	while (ncap < need)
		ncap *= 2;      /* need <= XLSX_QFIELDS + 2 * XLSX_MAX_COL */
	x->foff = xreallocarray(x->foff, ncap, sizeof *x->foff);
	x->flen = xreallocarray(x->flen, ncap, sizeof *x->flen);
	x->fcap = ncap;
}

/* Place text s[0..len) in column col (0-based) of the row being built,
 * or with ss_idx other than SIZE_MAX (and len > 0) that non-empty shared
 * string. */
static int put_cell(xlsx *x, long col, const char *s, size_t len, size_t ss_idx)
{
	size_t c = x->cur_first + (size_t)col;

	if (c >= x->fcap)
		grow_fields(x, c + 1);
	if ((size_t)col >= x->cur_nf) {
		for (size_t k = x->cur_first + x->cur_nf; k < c; k++) {
			x->foff[k] = 0;
			x->flen[k] = 0;
		}
		x->cur_nf = (size_t)col + 1;
	}
	if (len == 0) {
		x->foff[c] = 0;
		x->flen[c] = 0;
		return 0;
	}
	if (ss_idx != SIZE_MAX) {
		x->foff[c] = ss_idx | SS_REF;
		x->flen[c] = 1;         /* not empty; emit() sets the length */
		return 0;
	}
	if (x->cur_mem + len > x->max_row) {
		xl_herr(x, "the row's cells hold more than %zu bytes (max_record_bytes)", x->max_row);
		return -1;
	}
	x->cur_mem += len;
	xgrow((void **)&x->data, &x->dcap, x->dlen + len + 1, 1);
	memcpy(x->data + x->dlen, s, len);
	x->data[x->dlen + len] = '\0';
	x->foff[c] = x->dlen;
	x->flen[c] = len;
	x->dlen += len + 1;
	return 0;
}

/* The end of a row: queue it when it has a non-empty cell, else drop it.
 * Suspend the parser when the queue is full. */
static void row_end(xlsx *x)
{
	size_t nf = x->cur_nf;

	x->in_row = 0;
	while (nf > 0 && x->flen[x->cur_first + nf - 1] == 0)
		nf--;
	if (nf == 0 || x->herr_set) {
		x->dlen = x->cur_dstart;
		return;
	}
	xgrow((void **)&x->q, &x->qcap, x->nq + 1, sizeof *x->q);
	x->q[x->nq].line = x->row;
	x->q[x->nq].first = x->cur_first;
	x->q[x->nq].nf = nf;
	x->nq++;
	x->ftotal = x->cur_first + nf;
	if (x->ftotal > XLSX_QFIELDS || x->dlen > (size_t)XLSX_QBYTES)
		XML_StopParser(x->p, XML_TRUE);
}

/* Column of a cell reference "AB12" (0-based), or -1 when it is bad. */
static long ref_col(const char *r)
{
	long col = 0;
	int k = 0;

	for (; (*r >= 'A' && *r <= 'Z') || (*r >= 'a' && *r <= 'z'); r++, k++) {
		if (k == 3)
			return -1;
		col = col * 26 + ((*r | 0x20) - 'a' + 1);
	}
	if (k == 0 || col > XLSX_MAX_COL)
		return -1;
	for (; *r; r++)
		if (*r < '0' || *r > '9')
			return -1;
	return col - 1;
}

static void col_name(long col, char *out)
{
	char tmp[4];
	int n = 0, i;

	col++;
	while (col > 0 && n < 3) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/*
 * The local name of a sheet element: the root element's prefix is skipped
 * without a search (this is the hot path); names with another prefix keep
 * it and so match nothing.
 */
static const char *sh_local(xlsx *x, const char *name)
{
	if (x->pfxlen && strncmp(name, x->pfx, x->pfxlen) == 0)
		return name + x->pfxlen;
	return name;
}

/* The sheet's root element: its prefix, and whether a part can read it.
 * 0, or -1 after herr. */
static int sh_root(xlsx *x, const XML_Char *name)
{
	const char *colon = strchr(name, ':');

	x->seen_root = 1;
	if (x->part && (colon || strcmp(name, "worksheet") != 0)) {
		x->part_bad = 1;
		xl_herr(x, "the root element %.40s cannot be read in parts", name);
		return -1;
	}
	if (colon && (size_t)(colon - name) + 1 < sizeof x->pfx) {
		x->pfxlen = (size_t)(colon - name) + 1;
		memcpy(x->pfx, name, x->pfxlen);
		x->pfx[x->pfxlen] = '\0';
	}
	return 0;
}

/* The T_* of a cell's t attribute (NULL: a number). */
static int cell_type(const char *t)
{
	if (!t)
		return T_NUM;
	if (t[0] == 's' && t[1] == '\0')
		return T_SST;
	if (strcmp(t, "str") == 0)
		return T_STR;
	if (strcmp(t, "inlineStr") == 0)
		return T_INLINE;
	if (t[0] == 'b' && t[1] == '\0')
		return T_BOOL;
	if (t[0] == 'e' && t[1] == '\0')
		return T_ERR;
	if (t[0] == 'd' && t[1] == '\0')
		return T_DATE;
	return T_NUM;
}

/* A <c> of the row: its column, type and style's kind. */
static void cell_start(xlsx *x, const XML_Char **a)
{
	const char *r = NULL, *t = NULL, *s = NULL;

	for (; a[0]; a += 2) {
		const char *an = a[0];

		if (an[1] == '\0') {
			if (an[0] == 'r')
				r = a[1];
			else if (an[0] == 't')
				t = a[1];
			else if (an[0] == 's')
				s = a[1];
		}
	}
	x->in_c = 1;
	x->c_f = x->c_v = 0;
	x->cell_is = 0;
	x->tlen = 0;
	if (r) {
		x->ccol = ref_col(r);
		if (x->ccol < 0) {
			xl_herr(x, "bad cell reference \"%.20s\"", r);
			return;
		}
	} else {
		x->ccol = x->prev_col + 1;
		if (x->ccol >= XLSX_MAX_COL) {
			xl_herr(x, "more than %d columns", XLSX_MAX_COL);
			return;
		}
	}
	x->prev_col = x->ccol;
	x->ctype = cell_type(t);
	x->cstyle_kind = FMT_NUM;
	if (s && x->ctype == T_NUM) {
		size_t si = 0;

		for (; *s >= '0' && *s <= '9' && si < x->nxf; s++)
			si = si * 10 + (size_t)(*s - '0');
		if (*s == '\0' && si < x->nxf)
			x->cstyle_kind = x->xf_kind[si];
	}
}

/* A <row>: its number (r, or the next), and a new row begun. */
static void row_start(xlsx *x, const XML_Char **a)
{
	const char *r = NULL;

	for (; a[0]; a += 2)
		if (a[0][0] == 'r' && a[0][1] == '\0')
			r = a[1];
	if (r) {
		long v = 0;
		const char *d = r;

		for (; *d >= '0' && *d <= '9' && v <= XLSX_MAX_ROW; d++)
			v = v * 10 + (*d - '0');
		if (*d || v < 1 || v > XLSX_MAX_ROW) {
			xl_herr(x, "bad row number \"%.20s\"", r);
			return;
		}
		if (v <= x->row) {
			xl_herr(x, "the next row is numbered %ld: rows out of order", v);
			return;
		}
		x->row = v;
	} else {
		if (x->part) {
			/* its number depends on rows another part reads */
			x->part_bad = 1;
			xl_herr(x, "a row without its number cannot be read in parts");
			return;
		}
		if (x->row >= XLSX_MAX_ROW) {
			xl_herr(x, "more than %ld rows", XLSX_MAX_ROW);
			return;
		}
		x->row++;
	}
	x->prev_col = -1;
	x->in_row = 1;
	x->cur_first = x->ftotal;
	x->cur_nf = 0;
	x->cur_dstart = x->dlen;
	x->cur_mem = 0;
}

void XMLCALL xl_sh_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	xlsx *x = ud;
	const char *n;

	if (!x->seen_root && sh_root(x, name) < 0)
		return;
	n = sh_local(x, name);
	if (!x->in_sd) {
		if (strcmp(n, "sheetData") == 0)
			x->in_sd = 1;
		return;
	}
	switch (n[0]) {
	case 'c':
		if (n[1] == '\0' && x->in_row)
			cell_start(x, a);
		return;
	case 'v':
		if (n[1] == '\0' && x->in_c && !x->cell_is)
			x->in_v = x->c_v = 1;
		return;
	case 'f':
		if (n[1] == '\0' && x->in_c)
			x->c_f = 1;
		return;
	case 't':
		if (n[1] == '\0' && x->in_is)
			x->in_t = 1;
		return;
	case 'i':
		if (n[1] == 's' && n[2] == '\0' && x->in_c) {
			/* an inline string is the <is> text, whatever a <v> says
			 * (Excel); a <v> alone (LibreOffice) is read too */
			x->in_is = 1;
			x->cell_is = 1;
			x->tlen = 0;
		}
		return;
	case 'r':
		if (n[1] == 'o' && n[2] == 'w' && n[3] == '\0')
			row_start(x, a);
		else if (strcmp(n, "rPh") == 0)
			x->in_rph++;
		return;
	default:
		return;
	}
}

void XMLCALL xl_sh_text(void *ud, const XML_Char *s, int len)
{
	xlsx *x = ud;

	if (!(x->in_v || (x->in_is && x->in_t && !x->in_rph)) || len <= 0)
		return;
	if (x->tlen + (size_t)len > x->max_cell) {
		char c[4];

		col_name(x->ccol, c);
		xl_herr(x, "cell %s%ld holds more than %zu bytes (max_field_bytes)", c, x->row,
		     x->max_cell);
		return;
	}
	xgrow((void **)&x->tb, &x->tcap, x->tlen + (size_t)len + 1, 1);
	memcpy(x->tb + x->tlen, s, (size_t)len);
	x->tlen += (size_t)len;
}

/* Trim ASCII whitespace around s[0..*len). */
static const char *trim(const char *s, size_t *len)
{
	size_t n = *len;

	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	*len = n;
	return s;
}

/* A plain integer of at most 15 digits without a leading zero: kept as is. */
static int plain_int(const char *s, size_t n)
{
	size_t i = 0;

	if (n > 0 && s[0] == '-')
		i = 1;
	if (n - i == 0 || n - i > 15 || (s[i] == '0' && n - i > 1) || (s[i] == '0' && i))
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * A plain decimal that %.15g would print the same: [-]int.frac, no
 * leading zero in int, frac not ending in 0, at most 15 significant
 * digits, and for 0.x at most 3 zeros after the point (%g switches to an
 * exponent below 1e-4).  Kept as is, saving strtod and printf.
 */
static int plain_dec(const char *s, size_t n)
{
	size_t i = 0, ni, nf, lz = 0;

	if (n > 0 && s[0] == '-')
		i = 1;
	for (ni = 0; i + ni < n && s[i + ni] >= '0' && s[i + ni] <= '9'; ni++)
		;
	if (ni == 0 || (ni > 1 && s[i] == '0') || i + ni >= n || s[i + ni] != '.')
		return 0;
	i += ni + 1;
	for (nf = 0; i + nf < n && s[i + nf] >= '0' && s[i + nf] <= '9'; nf++)
		;
	if (nf == 0 || i + nf != n || s[n - 1] == '0')
		return 0;
	if (ni == 1 && s[n - nf - 2] == '0') {          /* 0.xxx */
		while (lz < nf && s[i + lz] == '0')
			lz++;
		return lz <= 3 && nf - lz <= 15;
	}
	return ni + nf <= 15;
}

/* The end of a cell: its text in the row. */
/* A shared string cell's index (s, n bytes): *ss_idx and *n = 1, or *n
 * = 0 for an empty string.  0, or -1 after herr (out of range). */
static int sst_cell(xlsx *x, const char *s, size_t *n, size_t *ss_idx)
{
	unsigned long long i = 0;
	size_t k;
	char c[4];

	for (k = 0; k < *n && s[k] >= '0' && s[k] <= '9' && i <= x->nss; k++)
		i = i * 10 + (unsigned)(s[k] - '0');
	if (k < *n || i >= x->nss) {
		col_name(x->ccol, c);
		xl_herr(x, "cell %s%ld: shared string index \"%.*s\" out of range (the table "
		     "has %zu)", c, x->row, (int)(*n > 20 ? 20 : *n), s, x->nss);
		return -1;
	}
	if (x->ss_empty[i >> 3] & (1u << (i & 7))) {
		*n = 0;
	} else {
		*ss_idx = (size_t)i;
		*n = 1;
		/* start loading its offsets for emit() (a miss in a large
		 * table otherwise stalls it there) */
		if (x->ss_o32)
			__builtin_prefetch(x->ss_o32 + i);
	}
	return 0;
}

/* A number cell's text (s, *n bytes, trimmed, not empty) as it is kept:
 * s itself, or a date or a canonical number formatted into buf (64
 * bytes), with *n its length. */
static const char *num_cell(const xlsx *x, const char *s, size_t *n, char *buf)
{
	char *end;
	double v;

	if (plain_int(s, *n)) {
		long long iv = 0;

		if (x->cstyle_kind == FMT_NUM)
			return s;               /* as it is */
		for (size_t k = s[0] == '-'; k < *n; k++)
			iv = iv * 10 + (s[k] - '0');
		v = (double)(s[0] == '-' ? -iv : iv);   /* exact: 15 digits at most */
	} else {
		if (x->cstyle_kind == FMT_NUM && plain_dec(s, *n))
			return s;
		if (*n >= 64)
			return s;       /* not a number Excel writes: as it is */
		memcpy(buf, s, *n);
		buf[*n] = '\0';
		v = strtod(buf, &end);
		if (*end || end == buf || !isfinite(v))
			return s;       /* as it is */
	}
	if (x->cstyle_kind != FMT_NUM) {
		size_t k = xl_fmt_serial(v, x->date1904, x->cstyle_kind, buf);

		if (k > 0) {
			*n = k;
			return buf;
		}
	}
	*n = xl_fmt_double(v, buf);
	return buf;
}

static void cell_end(xlsx *x)
{
	char buf[64];
	const char *s = x->tb;
	size_t n = x->tlen, ss_idx = SIZE_MAX;

	x->in_c = x->in_v = x->in_is = x->in_t = 0;
	x->in_rph = 0;
	if (x->herr_set)
		return;
	if (x->c_f && x->ctype != T_INLINE && (!x->c_v || (x->tlen == 0 && x->ctype != T_STR))) {
		/* a formula the file holds no value of (no <v>, or an empty
		 * one but for a text result): READER_NO_VALUE */
		put_cell(x, x->ccol, "", 1, SIZE_MAX);
		return;
	}
	switch (x->ctype) {
	case T_SST:
		s = trim(s, &n);
		if (n > 0 && sst_cell(x, s, &n, &ss_idx) < 0)
			return;
		break;
	case T_INLINE: case T_STR:
		n = xl_unescape_x(x->tb, x->tlen);
		break;
	case T_BOOL:
		s = trim(s, &n);
		if (n == 1 && s[0] == '1')
			s = "TRUE", n = 4;
		else if (n == 1 && s[0] == '0')
			s = "FALSE", n = 5;
		break;
	case T_ERR:
		s = trim(s, &n);
		break;
	case T_DATE:
		/* ISO 8601 in the cell (strict OOXML): a space for the T, no
		 * midnight, no fraction, no zone */
		s = trim(s, &n);
		if (n > 8 && s[2] == ':' && s[5] == ':' && strchr(".Z+-", s[8]))
			n = 8;          /* a time of day: HH:MM:SS */
		if (n >= 19 && n < sizeof buf && s[10] == 'T') {
			memcpy(buf, s, n);
			buf[10] = ' ';
			n = 19;
			if (memcmp(buf + 10, " 00:00:00", 9) == 0)
				n = 10;
			s = buf;
		}
		break;
	default:
		s = trim(s, &n);
		if (n > 0)
			s = num_cell(x, s, &n, buf);
		break;
	}
	put_cell(x, x->ccol, s, n, ss_idx);
}

void XMLCALL xl_sh_end(void *ud, const XML_Char *name)
{
	xlsx *x = ud;
	const char *n = sh_local(x, name);

	if (!x->in_sd)
		return;
	switch (n[0]) {
	case 'c':
		if (n[1] == '\0' && x->in_c)
			cell_end(x);
		return;
	case 'v':
		if (n[1] == '\0')
			x->in_v = 0;
		return;
	case 't':
		if (n[1] == '\0')
			x->in_t = 0;
		return;
	case 'i':
		if (n[1] == 's' && n[2] == '\0')
			x->in_is = 0;
		return;
	case 'r':
		if (n[1] == 'o' && n[2] == 'w' && n[3] == '\0') {
			if (x->in_row)
				row_end(x);
		} else if (strcmp(n, "rPh") == 0 && x->in_rph > 0) {
			x->in_rph--;
		}
		return;
	case 's':
		if (strcmp(n, "sheetData") == 0)
			x->in_sd = 0;
		return;
	default:
		return;
	}
}
