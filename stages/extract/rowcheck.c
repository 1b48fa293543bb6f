/*
 * rowcheck.c - vqr-extract's check of one data row (rowcheck.h): cells
 * parsed and checked, the row placed in a period, written to rows.tsv or
 * its bad cells to rejects.tsv.
 *
 * Text values are not copied: vptr points into the record (trimmed);
 * other values are written to vals in canonical form (voff).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/catalog/val.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"
#include "stages/extract/rowcheck.h"

/* The state of the row being checked. */
typedef struct rowstate {
	const csvin_record *rec; /* the row */
	size_t used;            /* bytes of rc->vals used */
	int bad;                /* a cell was rejected */
	long days;              /* the period date's value (days), when has_date */
	long year;              /* the period year's value, -1 when none */
	int has_date;           /* the row has a period date */
} rowstate;

/* The cell being checked. */
typedef struct cell {
	size_t c;               /* 0-based column */
	size_t fi;              /* index of its field */
	const cfg_field *f;     /* its field */
	const char *t;          /* its text, trimmed */
	size_t len;             /* its length */
	const char *sv;         /* what messages may show of it ("***" for personal data) */
	int sl;                 /* sv's length */
} cell;

void rowcheck_init(rowcheck *rc, const cfg_source *s, const char *path, manifest *m)
{
	size_t n = s->nfields ? s->nfields : 1;

	memset(rc, 0, sizeof *rc);
	rc->s = s;
	rc->path = path;
	rc->m = m;
	rc->voff = xcalloc(n, sizeof *rc->voff);
	rc->vptr = xcalloc(n, sizeof *rc->vptr);
	rc->vlen = xcalloc(n, sizeof *rc->vlen);
	rc->ecache = xcalloc(n, sizeof *rc->ecache);
}

void rowcheck_set_columns(rowcheck *rc, size_t ncols, colmap *map, char **header)
{
	const cfg_source *s = rc->s;

	rc->ncols = ncols;
	rc->map = map;
	rc->header = header;
	/* Required values whose column is missing altogether: every row
	 * rejects them, so find them once. */
	rc->missing = xcalloc(s->nfields ? s->nfields : 1, sizeof *rc->missing);
	rc->staged = xcalloc(s->nfields ? s->nfields : 1, 1);
	for (size_t i = 0; i < s->nfields; i++) {
		const cfg_field *f = &s->fields[i];
		int present = 0;
		for (size_t c = 0; c < ncols && !present; c++)
			present = map[c].field == f;
		if (f->not_null && !present)
			rc->missing[rc->nmissing++] = i;
		rc->staged[i] = present && f->col >= 0;
	}
}

void rowcheck_write_header(rowcheck *rc)
{
	if (rc->header_done)
		return;
	rc->header_done = 1;
	rows_put(rc->rows, "_line", 5);
	rows_put(rc->rows, "_period", 7);
	for (size_t i = 0; i < rc->s->nfields; i++)
		if (rc->staged ? rc->staged[i] : rc->s->fields[i].col >= 0)
			rows_put(rc->rows, rc->s->fields[i].name, strlen(rc->s->fields[i].name));
	rows_end(rc->rows);
}

void rowcheck_free(rowcheck *rc)
{
	for (size_t i = 0; i < rc->ncols; i++)
		free(rc->header ? rc->header[i] : NULL);
	free(rc->header);
	free(rc->map);
	free(rc->vals);
	free(rc->voff);
	free(rc->vptr);
	free(rc->vlen);
	free(rc->missing);
	free(rc->staged);
	free(rc->ecache);
	memset(rc, 0, sizeof *rc);
}

/* "Y-Y+1" (an academic year's label) into out; its length.  Per row when
 * a file's rows span years, so no printf. */
static size_t year_span(char *out, size_t outlen, long y)
{
	char tmp[48];
	size_t n = 0;

	for (int k = 1; k >= 0; k--) {
		unsigned long u = (unsigned long)(y + k);
		if (y + k < 0)
			u = 0UL - u;
		if (k == 0)
			tmp[n++] = '-';
		do
			tmp[n++] = (char)('0' + u % 10);
		while ((u /= 10));
		if (y + k < 0)
			tmp[n++] = '-';
	}
	/* tmp holds both numbers reversed, the later first: reverse all */
	if (n >= outlen)
		n = outlen - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

/* One line of rejects.tsv (and of stderr, for the first few): line, column
 * (0: the row), field, value (never personal data), rule and message. */
static void reject(rowcheck *rc, long line, size_t col, const cfg_field *f, const char *value,
		   size_t vlen, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

static void reject(rowcheck *rc, long line, size_t col, const cfg_field *f, const char *value,
		   size_t vlen, const char *rule, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rows_putf(rc->rejects, "%ld", line);
	if (col)
		rows_putf(rc->rejects, "%zu", col);
	else
		rows_put_null(rc->rejects);
	if (col && col <= rc->ncols)
		rows_put(rc->rejects, rc->header[col - 1], strlen(rc->header[col - 1]));
	else
		rows_put_null(rc->rejects);
	if (f)
		rows_put(rc->rejects, f->name, strlen(f->name));
	else
		rows_put_null(rc->rejects);
	if (value && f && f->pii != CFG_PII_NONE)
		rows_put(rc->rejects, "***", 3);  /* personal data: never the value */
	else if (value)
		rows_put(rc->rejects, value, vlen);
	else
		rows_put_null(rc->rejects);
	rows_put(rc->rejects, rule, strlen(rule));
	rows_put(rc->rejects, msg, strlen(msg));
	rows_end(rc->rejects);
	if (rc->printed++ < ROWCHECK_MAX_PRINTED) {
		if (col)
			log_error("%s:%ld:%zu: %s", rc->path, line, col, msg);
		else
			log_error("%s:%ld: %s", rc->path, line, msg);
	}
}

/* Is text t (len bytes of UTF-8) longer than f's max_length characters?
 * Then it is rejected (with its length, not quoted) and 1 returned. */
static int too_long(rowcheck *rc, long line, size_t col, const cfg_field *f, const char *t, size_t len)
{
	size_t chars = 0;

	if (!f->max_length || len <= (size_t)f->max_length)
		return 0;
	for (size_t i = 0; i < len; i++)
		chars += ((unsigned char)t[i] & 0xC0) != 0x80;
	if (chars <= (size_t)f->max_length)
		return 0;
	reject(rc, line, col, f, t, len, "max_length", "%s: %zu characters, more than max_length %d",
	       rc->header[col - 1], chars, f->max_length);
	return 1;
}

static int is_blank(const csvin_record *rec)
{
	for (size_t c = 0; c < rec->nfields; c++) {
		size_t len = rec->lens[c];
		val_trim(rec->fields[c], &len);
		if (len)
			return 0;
	}
	return 1;
}

/* A total row (合计, 总计, 小计) as spreadsheets append them. */
static int is_total(const csvin_record *rec)
{
	static const char *const words[] = { "合计", "总计", "小计", "总数", NULL };
	for (size_t c = 0; c < rec->nfields; c++) {
		char key[64];
		size_t len = rec->lens[c];
		const char *t = val_trim(rec->fields[c], &len);

		if (len == 0)
			continue;
		/* The normalised key starts with the first character left after
		 * trimming (or its half-width form): ASCII cannot start a word. */
		if ((unsigned char)t[0] < 0x80)
			return 0;
		val_norm_key(t, len, key, sizeof key);
		if (!key[0])
			continue;
		for (int i = 0; words[i]; i++)
			if (strncmp(key, words[i], strlen(words[i])) == 0)
				return 1;
		return 0; /* only the first non-empty cell counts */
	}
	return 0;
}

/* rc->vals with room for need bytes. */
static char *val_at(rowcheck *rc, size_t need)
{
	if (need > rc->vcap) {
		size_t nc = rc->vcap ? rc->vcap : 4096;
		while (nc < need)
			nc *= 2;
		rc->vals = xreallocarray(rc->vals, nc, 1);
		rc->vcap = nc;
	}
	return rc->vals;
}

/* The enum value a cell means.  Exports repeat a handful of labels, so
 * the last few cell texts of each field are remembered with their answer
 * and normalising (val_norm_key) is done once per distinct text. */
static const cfg_enumval *enum_lookup(rowcheck *rc, size_t fi, const char *t, size_t len)
{
	enum_cache *ec = &rc->ecache[fi];
	const cfg_enumval *e;
	char key[ROWCHECK_KEYLEN];

	for (int i = 0; i < ec->n; i++)
		if (ec->len[i] == len && memcmp(ec->text[i], t, len) == 0)
			return ec->val[i];
	val_norm_key(t, len, key, sizeof key);
	e = cfg_enum_match(&rc->s->fields[fi], key);
	if (e && len < sizeof ec->text[0]) {
		int slot = ec->n < ENUM_CACHE ? ec->n++ : ec->next++ % ENUM_CACHE;
		memcpy(ec->text[slot], t, len);
		ec->len[slot] = len;
		ec->val[slot] = e;
	}
	return e;
}

static void enum_values(const cfg_field *f, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < f->nvalues && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", f->values[i].value);
}

/* Is the row blank, a total, or of the wrong width?  Then it is counted
 * (skipped or rejected) and 1 returned; else 0. */
static int row_shape(rowcheck *rc, const csvin_record *rec)
{
	rc->m->rows_read++;
	if (is_blank(rec) || is_total(rec)) {
		rc->m->rows_skipped++;
		return 1;
	}
	if (rec->nfields != rc->ncols && !(rc->short_rows && rec->nfields < rc->ncols)) {
		/* Trailing empty cells beyond the header are harmless; a sheet
		 * row ends at its last non-empty cell (the rest are empty). */
		int extra_empty = rec->nfields > rc->ncols;
		for (size_t c = rc->ncols; extra_empty && c < rec->nfields; c++)
			if (rec->lens[c])
				extra_empty = 0;
		if (!extra_empty) {
			reject(rc, rec->line, 0, NULL, NULL, 0, "fields",
			       "row has %zu fields, the header (line %lld) has %zu", rec->nfields,
			       rc->m->header_line, rc->ncols);
			rc->m->rows_rejected++;
			return 1;
		}
	}
	return 0;
}

/* A text cell kept as it is (what val_parse would copy): checked for
 * presence, NUL bytes and length, then pointed at. */
static void check_text(rowcheck *rc, rowstate *st, const cell *k)
{
	const cfg_field *f = k->f;
	long line = st->rec->line;

	if (k->len == 0) {
		if (f->not_null) {
			reject(rc, line, k->c + 1, f, k->t, k->len, "not_null", "%s: a value is required",
			       rc->header[k->c]);
			st->bad = 1;
		}
	} else if (memchr(k->t, '\0', k->len)) {
		reject(rc, line, k->c + 1, f, k->t, k->len, cfg_ftype_name(f->type), "%s: \"%.*s\" %s",
		       rc->header[k->c], k->sl, k->sv, "contains a NUL character");
		st->bad = 1;
	} else if (too_long(rc, line, k->c + 1, f, k->t, k->len)) {
		st->bad = 1;
	} else {
		rc->vptr[k->fi] = k->t;
		rc->vlen[k->fi] = k->len;
	}
}

/* An enum cell: its canonical label, pointed at (or copied to *out when
 * it is hashed or read for the period; *out may move).  1 when the cell
 * is done (pointed at, or rejected), 0 with *vrc VAL_OK or VAL_NULL to go
 * on with *out. */
static int check_enum(rowcheck *rc, rowstate *st, const cell *k, char **out, size_t cap, int *vrc)
{
	const cfg_field *f = k->f;
	const cfg_enumval *e;
	size_t ll;

	if (k->len == 0) {
		*vrc = VAL_NULL;
		return 0;
	}
	e = enum_lookup(rc, k->fi, k->t, k->len);
	if (!e) {
		char list[512];
		enum_values(f, list, sizeof list);
		reject(rc, st->rec->line, k->c + 1, f, k->t, k->len, "enum", "%s: \"%.*s\" is not one of: %s",
		       rc->header[k->c], k->sl, k->sv, list);
		st->bad = 1;
		return 1;
	}
	ll = strlen(e->value);
	if (f->pii != CFG_PII_PSEUDONYMISE && (int)k->fi != rc->s->period_field) {
		/* the catalog's label itself, not a copy */
		rc->vptr[k->fi] = e->value;
		rc->vlen[k->fi] = ll;
		return 1;
	}
	if (ll >= cap)
		*out = val_at(rc, st->used + ll + 1) + st->used;
	memcpy(*out, e->value, ll + 1);
	*vrc = VAL_OK;
	return 0;
}

/* A parsed value out (num its number): checked for presence, length and
 * range, hashed when pseudonymised, noted for the period, and kept in
 * vals.  0, or -1 when hashing failed. */
static int check_value(rowcheck *rc, rowstate *st, const cell *k, char *out, double num, int vrc)
{
	const cfg_field *f = k->f;
	long line = st->rec->line;
	size_t col = k->c + 1, olen;

	if (vrc == VAL_NULL) {
		if (f->not_null) {
			reject(rc, line, col, f, k->t, k->len, "not_null", "%s: a value is required",
			       rc->header[k->c]);
			st->bad = 1;
		}
		return 0;
	}
	if (f->type == CFG_TEXT && too_long(rc, line, col, f, out, strlen(out))) {
		st->bad = 1;
		return 0;
	}
	if (f->has_min && num < f->min) {
		reject(rc, line, col, f, k->t, k->len, "min", "%s: %s is below the minimum %g", rc->header[k->c],
		       f->pii != CFG_PII_NONE ? "***" : out, f->min);
		st->bad = 1;
		return 0;
	}
	if (f->has_max && num > f->max) {
		reject(rc, line, col, f, k->t, k->len, "max", "%s: %s is above the maximum %g", rc->header[k->c],
		       f->pii != CFG_PII_NONE ? "***" : out, f->max);
		st->bad = 1;
		return 0;
	}
	if (f->pii == CFG_PII_PSEUDONYMISE) {
		char h[PII_HEX_LEN + 1];
		if (pii_hash(rc->pii, out, strlen(out), h) < 0)
			return -1;
		memcpy(out, h, sizeof h);
	}
	if ((int)k->fi == rc->s->period_date) {
		st->days = (long)num;
		st->has_date = 1;
	}
	if ((int)k->fi == rc->s->period_year)
		st->year = (long)num;
	olen = strlen(out);
	rc->vptr[k->fi] = NULL;
	rc->voff[k->fi] = st->used;
	rc->vlen[k->fi] = olen;
	st->used += olen + 1;
	return 0;
}

/* A digit string, with an X at its end (a 身份证号). */
static int id_like(const char *t, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!(t[i] >= '0' && t[i] <= '9') && !(i == len - 1 && i > 0 && (t[i] | 0x20) == 'x'))
			return 0;
	return len > 0;
}

/* The value behind Excel's text guards in cell k of a CSV: ="0012" gives
 * 0012 (in any field), '0012 gives 0012 (a field other than text, or a
 * text of digits such as an ID); k->t and k->len updated. */
static void unguard(const cfg_field *f, cell *k)
{
	const char *t = k->t;
	size_t len = k->len;

	if (len >= 3 && t[0] == '=' && t[1] == '"' && t[len - 1] == '"' && !memchr(t + 2, '"', len - 3)) {
		len -= 3;
		k->t = val_trim(t + 2, &len);
		k->len = len;
	} else if (len >= 2 && t[0] == '\'' && (f->type != CFG_TEXT || id_like(t + 1, len - 1))) {
		k->t = t + 1;
		k->len = len - 1;
	}
}

/* Check column c of the row.  0, or -1 when hashing failed. */
static int check_cell(rowcheck *rc, rowstate *st, size_t c)
{
	const csvin_record *rec = st->rec;
	const cfg_field *f = rc->map[c].field;
	cell k = { .c = c, .f = f };
	size_t cap;
	char *out;
	double num = 0;
	const char *why = NULL;
	int vrc;

	if (!f)
		return 0;
	k.fi = (size_t)(f - rc->s->fields);
	k.len = c < rec->nfields ? rec->lens[c] : 0;
	k.t = val_trim(c < rec->nfields ? rec->fields[c] : "", &k.len);
	if (rc->no_value_cells && k.len == READER_NO_VALUE_LEN && memcmp(k.t, READER_NO_VALUE, k.len) == 0) {
		reject(rc, rec->line, c + 1, f, NULL, 0, "formula", "%s: a formula without a cached value; open "
		       "and save the file in Excel or LibreOffice to compute it", rc->header[c]);
		st->bad = 1;
		return 0;
	}
	if (rc->text_guards)
		unguard(f, &k);
	/* What messages may show of the value: nothing of personal data. */
	k.sv = f->pii != CFG_PII_NONE ? "***" : k.t;
	k.sl = f->pii != CFG_PII_NONE ? 3 : (int)k.len;
	if (f->type == CFG_TEXT && f->pii != CFG_PII_PSEUDONYMISE && (int)k.fi != rc->s->period_field) {
		check_text(rc, st, &k);
		return 0;
	}
	cap = 2 * k.len + 512;
	out = val_at(rc, st->used + cap) + st->used;
	if (f->type == CFG_ENUM) {
		if (check_enum(rc, st, &k, &out, cap, &vrc))
			return 0;
	} else {
		val_opts o = { f->pct, f->scale, f->excel_serial || rc->excel_dates, rc->date1904 };
		vrc = val_parse(cfg_val_type(f->type), k.t, k.len, &o, out, cap, &num, &why);
		if (vrc == VAL_ERROR) {
			reject(rc, rec->line, c + 1, f, k.t, k.len, cfg_ftype_name(f->type), "%s: \"%.*s\" %s",
			       rc->header[c], k.sl, k.sv, why ? why : "is not valid");
			st->bad = 1;
			return 0;
		}
	}
	return check_value(rc, st, &k, out, num, vrc);
}

/* The reason a row has no period: its written academic year is not one,
 * or it has none of the period's fields. */
static void reject_period(rowcheck *rc, const rowstate *st)
{
	const cfg_source *s = rc->s;
	const char *dh = s->period_date >= 0 ? s->fields[s->period_date].header : NULL;
	const char *yh = s->period_year >= 0 ? s->fields[s->period_year].header : NULL;
	const char *fh = s->period_field >= 0 ? s->fields[s->period_field].header : NULL;
	const char *fv = s->period_field >= 0 && rc->vlen[s->period_field] != SIZE_MAX
				 ? rc->vals + rc->voff[s->period_field] : NULL;

	if (fv) {
		reject(rc, st->rec->line, 0, &s->fields[s->period_field], fv, strlen(fv), "period",
		       "%s: \"%s\" is not an academic year (such as 2022-2023)", fh, fv);
	} else {
		str what = STR_INIT;
		str_addf(&what, "%s%s%s%s%s", dh ? dh : "", dh && (yh || fh) ? " or " : "", yh ? yh : "",
			 yh && fh ? " or " : "", fh ? fh : "");
		reject(rc, st->rec->line, 0, NULL, NULL, 0, "period", "no %s to place the row in a period (%s)",
		       str_cstr(&what), period_type_name(s->period));
		str_free(&what);
	}
}

/* The row's period label into *period (rc->period or pbuf) and *plen,
 * noted in the manifest.  0, 1 when the row has none (rejected), -1 when
 * the manifest ran out of memory. */
static int row_period(rowcheck *rc, const rowstate *st, char pbuf[48], const char **period, size_t *plen)
{
	const cfg_source *s = rc->s;

	if (st->has_date && s->period == PERIOD_ACADEMIC_YEAR) {
		/* a register repeats a few dates (of graduation, of a survey) */
		unsigned k;

		for (k = 0; k < ROWCHECK_PERIODS; k++)
			if (rc->pcache[k].len && rc->pcache[k].days == st->days)
				break;
		if (k == ROWCHECK_PERIODS) {
			k = rc->pnext++ % ROWCHECK_PERIODS;
			rc->pcache[k].days = st->days;
			rc->pcache[k].len = year_span(rc->pcache[k].label, sizeof rc->pcache[k].label,
						      val_academic_year_start(st->days));
			if (manifest_add_period(rc->m, rc->pcache[k].label) < 0)
				return -1;
		}
		*period = rc->pcache[k].label;
		*plen = rc->pcache[k].len;
		return 0;
	}
	if ((st->has_date && period_label(s->period, st->days, pbuf) == 0) ||
	    /* semester, fiscal year or snapshot of the date */
	    (st->year > 0 && period_from_year(s->period, st->year, pbuf) == 0) ||
	    /* graduation year or fiscal year */
	    (s->period_field >= 0 && rc->vlen[s->period_field] != SIZE_MAX &&
	     period_parse_academic(rc->vals + rc->voff[s->period_field], pbuf) == 0)) {
		/* a written academic year (the period field is kept in vals) */
		*period = pbuf;
		*plen = strlen(pbuf);
		return manifest_add_period(rc->m, pbuf) < 0 ? -1 : 0;
	}
	reject_period(rc, st);
	return 1;
}

/* The row's line of rows.tsv. */
static void put_row(rowcheck *rc, long line, const char *period, size_t plen)
{
	rows_put_int(rc->rows, line);
	rows_put(rc->rows, period, plen);
	for (size_t i = 0; i < rc->s->nfields; i++) {
		if (!rc->staged[i])
			continue;
		if (rc->vlen[i] == SIZE_MAX)
			rows_put_null(rc->rows);
		else
			rows_put(rc->rows, rc->vptr[i] ? rc->vptr[i] : rc->vals + rc->voff[i], rc->vlen[i]);
	}
	rows_end(rc->rows);
}

int rowcheck_row(rowcheck *rc, const csvin_record *rec)
{
	const cfg_source *s = rc->s;
	rowstate st = { .rec = rec, .year = -1 };
	char pbuf[48];          /* a period label made for this row */
	const char *period;     /* the row's period label */
	size_t plen;            /* its length */
	int r;

	if (row_shape(rc, rec))
		return 0;
	for (size_t i = 0; i < s->nfields; i++)
		rc->vlen[i] = SIZE_MAX;
	for (size_t c = 0; c < rc->ncols; c++)
		if (check_cell(rc, &st, c) < 0)
			return -1;
	/* Required values whose column is missing altogether. */
	for (size_t k = 0; k < rc->nmissing; k++) {
		const cfg_field *f = &s->fields[rc->missing[k]];
		reject(rc, rec->line, 0, f, NULL, 0, "not_null", "%s: a value is required (the file has no %s column)",
		       f->header, f->header);
		st.bad = 1;
	}
	if (!st.bad && (r = row_period(rc, &st, pbuf, &period, &plen)) <= 0) {
		if (r < 0)
			return -1;
		put_row(rc, rec->line, period, plen);
		rc->m->rows_loaded++;
		return 0;
	}
	rc->m->rows_rejected++;
	return 0;
}
