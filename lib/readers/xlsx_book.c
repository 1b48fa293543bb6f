/*
 * xlsx_book.c - opening an .xlsx workbook (xlsx_open): the workbook and
 * its sheets, the styles' number formats, the shared string table, and
 * the numbers and dates as cells show them.
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

/* ---- workbook --------------------------------------------------------- */

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	xlsx *x = ud;
	const char *n = xl_local(name), *sname, *rid, *state;
	wsheet *w;

	if (strcmp(n, "workbookPr") == 0) {
		x->date1904 = xl_xml_true(xl_attr(a, "date1904"));
		return;
	}
	if (strcmp(n, "sheet") != 0)
		return;
	sname = xl_attr(a, "name");
	rid = xl_attr(a, "id");            /* r:id */
	state = xl_attr(a, "state");
	if (!sname || !rid) {
		xl_herr(x, "a <sheet> without name or r:id");
		return;
	}
	xgrow((void **)&x->sheets, &x->csheets, x->nsheets + 1, sizeof *x->sheets);
	w = &x->sheets[x->nsheets];
	w->name = xstrdup(sname);
	w->rid = xstrdup(rid);
	w->hidden = state && strcmp(state, "visible") != 0;
	x->nsheets++;
}

/* ---- styles ----------------------------------------------------------- */

/*
 * The kind of a custom number format code: a date when y, d (or an m that
 * is not minutes) occurs outside quotes, escapes and brackets, a time when
 * only h, m, s do ([h] [mm] [ss] elapsed times included).
 */
static int fmt_kind(const char *code)
{
	int has_date = 0, has_time = 0, has_m = 0;
	const char *p;

	for (p = code; *p; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		switch (c) {
		case '"':
			p++;
			while (*p && *p != '"')
				p++;
			if (!*p)
				return has_date ? FMT_DATE : has_time ? FMT_TIME : has_m ? FMT_DATE : FMT_NUM;
			break;
		case '\\': case '_': case '*':
			if (p[1])
				p++;
			break;
		case '[': {
			const char *q = p + 1;
			size_t k = 0;

			while (q[k] && q[k] != ']')
				k++;
			if (k > 0 && strspn(q, "hH") >= k)
				has_time = 1;
			else if (k > 0 && (strspn(q, "mM") >= k || strspn(q, "sS") >= k))
				has_time = 1;
			p = q[k] ? q + k : q + k - 1;
			break;
		}
		case 'a':
			/* AM/PM and A/P are not months */
			if (strncasecmp(p, "am/pm", 5) == 0)
				p += 4;
			else if (strncasecmp(p, "a/p", 3) == 0)
				p += 2;
			break;
		case 'y': case 'd':
			has_date = 1;
			break;
		case 'h': case 's':
			has_time = 1;
			break;
		case 'm':
			has_m = 1;
			break;
		case 'g':
			/* General */
			if (strncasecmp(p, "general", 7) == 0)
				p += 6;
			break;
		case 'e':
			break;
		default:
			break;
		}
	}
	if (has_date)
		return FMT_DATE;
	if (has_time)
		return FMT_TIME;
	return has_m ? FMT_DATE : FMT_NUM;
}

/* The kind of built-in format id (ECMA-376 18.8.30, East Asian ids too). */
static int builtin_kind(long id)
{
	if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || id == 36 ||
	    (id >= 50 && id <= 54) || id == 57 || id == 58)
		return FMT_DATE;
	if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47) ||
	    id == 55 || id == 56)
		return FMT_TIME;
	return FMT_NUM;
}

static long to_long(const char *s, long dflt)
{
	char *end;
	long v;

	if (!s)
		return dflt;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno)
		return dflt;
	return v;
}

static void XMLCALL st_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	xlsx *x = ud;
	const char *n = xl_local(name);

	if (strcmp(n, "numFmts") == 0) {
		x->in_numfmts = 1;
	} else if (strcmp(n, "cellXfs") == 0) {
		x->in_cellxfs = 1;
	} else if (x->in_numfmts && strcmp(n, "numFmt") == 0) {
		const char *code = xl_attr(a, "formatCode");
		long id = to_long(xl_attr(a, "numFmtId"), -1);

		if (id < 0 || !code)
			return;
		xgrow((void **)&x->fmts, &x->cfmts, x->nfmts + 1, sizeof *x->fmts);
		x->fmts[x->nfmts].id = id;
		x->fmts[x->nfmts].kind = fmt_kind(code);
		x->nfmts++;
	} else if (x->in_cellxfs && strcmp(n, "xf") == 0) {
		xgrow((void **)&x->xf_fmt, &x->cxf, x->nxf + 1, sizeof *x->xf_fmt);
		x->xf_fmt[x->nxf++] = to_long(xl_attr(a, "numFmtId"), 0);
	}
}

static void XMLCALL st_end(void *ud, const XML_Char *name)
{
	xlsx *x = ud;
	const char *n = xl_local(name);

	if (strcmp(n, "numFmts") == 0)
		x->in_numfmts = 0;
	else if (strcmp(n, "cellXfs") == 0)
		x->in_cellxfs = 0;
}

/* The FMT_* of each xf, from the custom formats or the built-in ids. */
static int style_kinds(xlsx *x)
{
	if (x->nxf == 0)
		return 0;
	x->xf_kind = xmalloc(x->nxf);
	for (size_t i = 0; i < x->nxf; i++) {
		long id = x->xf_fmt[i];
		int kind = builtin_kind(id);

		for (size_t j = 0; j < x->nfmts; j++)
			if (x->fmts[j].id == id)
				kind = x->fmts[j].kind;     /* the last definition wins */
		x->xf_kind[i] = (unsigned char)kind;
	}
	return 0;
}

/* ---- strings ---------------------------------------------------------- */

/* Append code point c as UTF-8 at out; returns the byte count. */
static size_t put_utf8(char *out, unsigned long c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* The code of "_xHHHH_" at s (n bytes available), or -1. */
static long x_escape(const char *s, size_t n)
{
	long v = 0;

	if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
		return -1;
	for (int i = 2; i < 6; i++) {
		int h = xl_hexval((unsigned char)s[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * Decode OOXML's _xHHHH_ escapes (ST_Xstring: characters XML cannot hold,
 * "_x000D_" for CR, "_x005F_" for '_') in s[0..n), in place.  Surrogate
 * pairs are joined; a lone surrogate becomes U+FFFD; U+0000 is dropped.
 * Returns the new length.
 */
size_t xl_unescape_x(char *s, size_t n)
{
	size_t i = 0, o = 0;
	const char *u;

	if (n == 0)             /* s may be NULL: a formula cell without a value */
		return 0;
	u = memchr(s, '_', n);
	if (!u)
		return n;
	i = o = (size_t)(u - s);
	while (i < n) {
		long c = s[i] == '_' ? x_escape(s + i, n - i) : -1;

		if (c < 0) {
			s[o++] = s[i++];
			continue;
		}
		i += 7;
		if (c >= 0xD800 && c <= 0xDBFF) {
			long lo = x_escape(s + i, n - i);

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				i += 7;
			} else {
				c = 0xFFFD;
			}
		} else if (c >= 0xDC00 && c <= 0xDFFF) {
			c = 0xFFFD;
		}
		if (c != 0)
			o += put_utf8(s + o, (unsigned long)c);
	}
	return o;
}

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	xlsx *x = ud;
	const char *n = xl_local(name);

	(void)a;
	if (n[0] == 's' && strcmp(n, "si") == 0) {
		x->in_si = 1;
		x->in_t = 0;
		x->in_rph = 0;
		x->si_start = x->sslen;
	} else if (x->in_si && n[0] == 't' && n[1] == '\0') {
		x->in_t = 1;
	} else if (x->in_si && strcmp(n, "rPh") == 0) {
		x->in_rph++;
	}
}

/* Room for need more bytes of shared string text; 0 or -1 (herr). */
static int sst_room(xlsx *x, size_t need)
{
	if ((unsigned long long)x->sslen + need + 8ULL * (x->nss + 1) > x->max_shared) {
		xl_herr(x, "the shared strings take more than %llu bytes: refusing a possible "
		     "decompression bomb", x->max_shared);
		return -1;
	}
	xgrow((void **)&x->ss, &x->sscap, x->sslen + need, 1);
	return 0;
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
	xlsx *x = ud;
	const char *n = xl_local(name);

	if (n[0] == 't' && n[1] == '\0') {
		x->in_t = 0;
	} else if (strcmp(n, "rPh") == 0) {
		if (x->in_rph > 0)
			x->in_rph--;
	} else if (strcmp(n, "si") == 0 && x->in_si) {
		/* no text yet in the whole table (an empty first <si/>): ss is NULL */
		size_t len = x->ss ? xl_unescape_x(x->ss + x->si_start, x->sslen - x->si_start) : 0;

		x->sslen = x->si_start + len;
		if (sst_room(x, 1) < 0)
			return;
		x->ss[x->sslen++] = '\0';
		xgrow((void **)&x->ss_off, &x->coff, x->nss + 2, sizeof *x->ss_off);
		x->ss_off[x->nss++] = x->si_start;
		x->in_si = 0;
	}
}

static void XMLCALL sst_text(void *ud, const XML_Char *s, int len)
{
	xlsx *x = ud;

	if (!x->in_si || !x->in_t || x->in_rph || len <= 0)
		return;
	if (sst_room(x, (size_t)len) < 0)
		return;
	memcpy(x->ss + x->sslen, s, (size_t)len);
	x->sslen += (size_t)len;
}

/* ---- numbers and dates ------------------------------------------------ */

/* Non-negative integer v < 2^53 as decimal digits; returns the length. */
static size_t put_uint(char *out, unsigned long long v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* The shortest text strtod reads back as v (finite); out >= 32 bytes. */
size_t xl_fmt_double(double v, char *out)
{
	int n = 0;

	if (v == 0) {
		out[0] = '0';
		return 1;
	}
	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		size_t k = 0;

		if (v < 0)
			out[k++] = '-';
		return k + put_uint(out + k, (unsigned long long)fabs(v));
	}
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(out, 32, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
	return (size_t)n;
}

size_t xlsx_fmt_number(double v, char *out)
{
	return xl_fmt_double(v, out);
}

static void put2(char *out, int v)
{
	out[0] = (char)('0' + v / 10 % 10);
	out[1] = (char)('0' + v % 10);
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant). */
static void civil(long z, int *y, int *m, int *d)
{
	long era, yy;
	unsigned long doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned long)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

/*
 * Serial date-time v of a cell with format kind `kind` as text in out
 * (>= 32 bytes): "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS", "HH:MM:SS" (a time
 * format and a value below one day).  Returns the length, or 0 when v is
 * not a date Excel can show (negative, after 9999-12-31).
 */
size_t xl_fmt_serial(double v, int date1904, int kind, char *out)
{
	double whole;
	long days, secs;
	int y, m, d;
	size_t n = 0;

	if (!(v >= 0) || v >= (date1904 ? SERIAL_MAX_1904 : SERIAL_MAX_1900) + 1.0)
		return 0;
	whole = floor(v);
	days = (long)whole;
	secs = (long)floor((v - whole) * 86400.0 + 0.5);
	if (secs >= 86400) {
		days++;
		secs -= 86400;
	}
	if (days > (date1904 ? SERIAL_MAX_1904 : SERIAL_MAX_1900))
		return 0;
	if (!(kind == FMT_TIME && days == 0)) {
		if (date1904) {
			civil(DAYS_1904_01_01 + days, &y, &m, &d);
		} else if (days == 0) {
			y = 1900, m = 1, d = 0;         /* Excel shows 1900-01-00 */
		} else if (days == 60) {
			y = 1900, m = 2, d = 29;        /* the day that never was */
		} else {
			civil(DAYS_1899_12_30 + days + (days < 60), &y, &m, &d);
		}
		put2(out, y / 100);
		put2(out + 2, y % 100);
		out[4] = '-';
		put2(out + 5, m);
		out[7] = '-';
		put2(out + 8, d);
		n = 10;
		if (secs == 0)
			return n;
		out[n++] = ' ';
	}
	put2(out + n, (int)(secs / 3600));
	out[n + 2] = ':';
	put2(out + n + 3, (int)(secs / 60 % 60));
	out[n + 5] = ':';
	put2(out + n + 6, (int)(secs % 60));
	return n + 8;
}

/* ---- open ------------------------------------------------------------- */

/* What kind of file is this?  0 zip, -1 not (errbuf set). */
static int check_magic(const char *path, char *errbuf, size_t errlen)
{
	unsigned char m[4] = { 0 };
	int fd = cli_open_input(path, errbuf, errlen);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, m, 4);
	close(fd);
	if (n == 4 && m[0] == 'P' && m[1] == 'K' && m[2] < 9 && m[3] < 9)
		return 0;
	if (n == 4 && memcmp(m, "\xD0\xCF\x11\xE0", 4) == 0)
		err_set(errbuf, errlen, "%s: an OLE2 file, not an .xlsx: a legacy .xls workbook or a "
			"password-protected one; save it as .xlsx without a password", path);
	else
		err_set(errbuf, errlen, "%s: not an .xlsx file (not a zip archive)", path);
	return -1;
}

/* The error of x into errbuf, then close x.  NULL. */
static xlsx *open_failed(xlsx *x, char *errbuf, size_t errlen)
{
	err_set(errbuf, errlen, "%s", x->err);
	xlsx_close(x);
	return NULL;
}

/* Is the workbook's sheet w a worksheet (not a chart or special sheet)? */
static int is_worksheet(const xlsx *x, const wsheet *w)
{
	const rel *r = xl_rel_by_id(x, w->rid);

	return r && !r->external && xl_ends_with(r->type, "/worksheet");
}

size_t xlsx_sheet_count(const xlsx *x)
{
	size_t n = 0;

	for (size_t i = 0; i < x->nsheets; i++)
		n += (size_t)is_worksheet(x, &x->sheets[i]);
	return n;
}

const char *xlsx_sheet_name(const xlsx *x, size_t i)
{
	for (size_t k = 0; k < x->nsheets; k++)
		if (is_worksheet(x, &x->sheets[k]) && i-- == 0)
			return x->sheets[k].name;
	return NULL;
}

/* Choose the sheet and find its part.  0 or -1. */
static int pick_sheet(xlsx *x, const char *want)
{
	const wsheet *w = NULL;
	const rel *r;
	size_t i;

	if (x->nsheets == 0)
		return xl_fail(x, "the workbook has no sheets");
	if (want) {
		for (i = 0; !w && i < x->nsheets; i++)
			if (strcmp(x->sheets[i].name, want) == 0)
				w = &x->sheets[i];
		for (i = 0; !w && i < x->nsheets; i++)
			if (xl_ascii_ieq(x->sheets[i].name, want))
				w = &x->sheets[i];
		if (!w) {
			char list[700];
			size_t n = 0;

			list[0] = '\0';
			for (i = 0; i < x->nsheets && n < sizeof list; i++) {
				int k = snprintf(list + n, sizeof list - n, "%s\"%s\"%s", i ? ", " : "",
						 x->sheets[i].name, x->sheets[i].hidden ? " (hidden)" : "");

				if (k < 0)
					break;
				n += (size_t)k;
			}
			return xl_fail(x, "no sheet \"%s\" in the workbook; its sheets are %s", want, list);
		}
		r = xl_rel_by_id(x, w->rid);
		if (!r)
			return xl_fail(x, "sheet \"%s\": relationship %s is missing from the workbook's "
				    "relationships", w->name, w->rid);
		if (!xl_ends_with(r->type, "/worksheet"))
			return xl_fail(x, "sheet \"%s\" is a %s, not a worksheet", w->name,
				    xl_ends_with(r->type, "/chartsheet") ? "chart sheet" : "special sheet");
	} else {
		/* the first visible worksheet, else the first worksheet */
		const wsheet *first = NULL;
		const rel *first_r = NULL;

		r = NULL;
		for (i = 0; !w && i < x->nsheets; i++) {
			const rel *ri = xl_rel_by_id(x, x->sheets[i].rid);

			if (!ri || ri->external || !xl_ends_with(ri->type, "/worksheet"))
				continue;
			if (!first) {
				first = &x->sheets[i];
				first_r = ri;
			}
			if (!x->sheets[i].hidden) {
				w = &x->sheets[i];
				r = ri;
			}
		}
		if (!w) {
			w = first;
			r = first_r;
		}
		if (!w)
			return xl_fail(x, "the workbook has no worksheets");
	}
	if (r->external || xl_resolve(x->wb_path, r->target, x->sheet_path, sizeof x->sheet_path) < 0)
		return xl_fail(x, "sheet \"%s\": bad part name \"%s\"", w->name, r->target);
	x->sheet_name = w->name;
	return 0;
}

/* A new reader of path with opts' limits (defaults applied). */
static xlsx *new_reader(const char *path, const xlsx_opts *opts)
{
	xlsx *x = xcalloc(1, sizeof *x);

	x->path = xstrdup(path);
	x->zin = xmalloc(XLSX_ZIN);
	x->data = xmalloc(4096);
	x->dcap = 4096;
	x->data[0] = '\0';
	x->dlen = 1;
	x->cur_dstart = 1;
	x->max_uncomp = opts && opts->max_uncompressed > 0 ?
		(unsigned long long)opts->max_uncompressed : (unsigned long long)XLSX_MAX_UNCOMP;
	x->max_ratio = opts && opts->max_ratio > 0 ? opts->max_ratio : XLSX_MAX_RATIO;
	x->part = opts && (opts->part == 1 || opts->part == 2) ? opts->part : 0;
	x->next_cut = XLSX_PART_BLOCK;
	x->max_shared = opts && opts->max_shared > 0 ?
		(unsigned long long)opts->max_shared : (unsigned long long)XLSX_MAX_SHARED;
	x->max_cell = opts && opts->max_cell > 0 ? (size_t)opts->max_cell : (size_t)XLSX_MAX_CELL;
	x->max_row = opts && opts->max_row > 0 ? (size_t)opts->max_row : (size_t)XLSX_MAX_ROWMEM;
	return x;
}

/* The zip archive opened and its directory checked.  0, or -1 (fail). */
static int open_zip(xlsx *x)
{
	unz_global_info64 gi;

	x->uf = unzOpen64(x->path);
	if (!x->uf)
		return xl_fail(x, "corrupt or truncated zip archive (its central directory is missing or damaged)");
	if (unzGetGlobalInfo64(x->uf, &gi) != UNZ_OK)
		return xl_fail(x, "corrupt zip archive");
	if (gi.number_entry > XLSX_MAX_ENTRIES)
		return xl_fail(x, "the zip archive has %llu entries (at most %d): not a workbook",
			    (unsigned long long)gi.number_entry, XLSX_MAX_ENTRIES);
	return 0;
}

/* The workbook part (from the package relationships), its sheets and
 * relationships; the sheet wanted, the shared strings and styles parts.
 * 0, or -1 (fail). */
static int read_workbook(xlsx *x, const char *sheet)
{
	char name[XLSX_PATH];
	const rel *r;
	int rc;

	strcpy(x->wb_path, "xl/workbook.xml");
	rc = xl_parse_part(x, "_rels/.rels", xl_rels_start, xl_end_nothing, xl_text_nothing);
	if (rc < 0)
		return -1;
	if (rc > 0 && (r = xl_rel_by_type(x, "/officeDocument")) &&
	    xl_resolve("", r->target, name, sizeof name) == 0)
		memcpy(x->wb_path, name, sizeof name);
	xl_free_rels(x);
	if (xl_ends_with(x->wb_path, ".bin"))
		return xl_fail(x, "a binary .xlsb workbook: save it as .xlsx");
	rc = xl_parse_part(x, x->wb_path, wb_start, xl_end_nothing, xl_text_nothing);
	if (rc == 0)
		xl_fail(x, "not an Excel workbook: the archive has no %s", x->wb_path);
	if (rc <= 0)
		return -1;
	/* its relationships: sheets, shared strings, styles */
	if (xl_rels_name(x->wb_path, name, sizeof name) < 0)
		return xl_fail(x, "bad part name \"%s\"", x->wb_path);
	rc = xl_parse_part(x, name, xl_rels_start, xl_end_nothing, xl_text_nothing);
	if (rc == 0)
		xl_fail(x, "the archive has no %s (the workbook's relationships)", name);
	if (rc <= 0 || pick_sheet(x, sheet) < 0)
		return -1;
	if ((r = xl_rel_by_type(x, "/sharedStrings")))
		xl_resolve(x->wb_path, r->target, x->sst_path, sizeof x->sst_path);
	if ((r = xl_rel_by_type(x, "/styles")))
		xl_resolve(x->wb_path, r->target, x->styles_path, sizeof x->styles_path);
	return 0;
}

/* The styles' number formats and the shared string table, read whole.
 * 0, or -1 (fail). */
static int read_tables(xlsx *x)
{
	if (x->styles_path[0] &&
	    (xl_parse_part(x, x->styles_path, st_start, st_end, xl_text_nothing) < 0 || style_kinds(x) < 0))
		return -1;
	if (x->sst_path[0] && xl_parse_part(x, x->sst_path, sst_start, sst_end, sst_text) < 0)
		return -1;
	xgrow((void **)&x->ss_off, &x->coff, x->nss + 1, sizeof *x->ss_off);
	x->ss_off[x->nss] = x->sslen;   /* sentinel: the end of the last string */
	x->ss_empty = xcalloc(x->nss / 8 + 1, 1);
	for (size_t i = 0; i < x->nss; i++)
		if (x->ss_off[i + 1] - x->ss_off[i] == 1)
			x->ss_empty[i >> 3] |= (unsigned char)(1u << (i & 7));
	if (x->sslen <= UINT32_MAX) {
		x->ss_o32 = xreallocarray(NULL, x->nss + 1, sizeof *x->ss_o32);
		for (size_t i = 0; i <= x->nss; i++)
			x->ss_o32[i] = (uint32_t)x->ss_off[i];
	}
	x->in_si = x->in_t = x->in_rph = 0;
	return 0;
}

/* The sheet: its entry opened, its parser made, the inflater started.
 * 0, or -1 (fail). */
static int open_sheet(xlsx *x)
{
	int rc = xl_zent_open(x, x->sheet_path);

	if (rc == 0)
		xl_fail(x, "sheet \"%s\": the archive has no %s", x->sheet_name, x->sheet_path);
	if (rc <= 0)
		return -1;
	x->p = xl_new_parser(x, xl_sh_start, xl_sh_end, xl_sh_text);
	if (!x->p)
		return xl_fail(x, "out of memory");
	x->herr_set = 0;
	xl_start_inflater(x);
	if (x->part && !x->inflating)
		x->part_bad = 1;        /* xlsx_next says so */
	return 0;
}

xlsx *xlsx_open(const char *path, const xlsx_opts *opts, char *errbuf, size_t errlen)
{
	xlsx *x;

	if (!path) {
		err_set(errbuf, errlen, "(null): no file name");
		return NULL;
	}
	if (check_magic(path, errbuf, errlen) < 0)
		return NULL;
	x = new_reader(path, opts);
	if (open_zip(x) < 0 || read_workbook(x, opts ? opts->sheet : NULL) < 0 || read_tables(x) < 0 ||
	    open_sheet(x) < 0)
		return open_failed(x, errbuf, errlen);
	return x;
}
