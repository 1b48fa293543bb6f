/*
 * report_xlsx.c - the filled tables of the quality report written as an
 * Excel workbook through libxlsxwriter (report_xlsx_write, report_int.h;
 * the "xlsx" row of report_write.c's formats).
 *
 * One sheet per table, named after its title (at most 31 characters,
 * none of []:*?/\, unique), with the title on top, the column headers
 * (a group header merged over its span), the rows, and the notes under
 * the table; the text blocks (paragraphs with values) together on a
 * sheet "文字".  A value is a number with the report's decimals as its
 * number format ("0", "0.00"); a percentage (a "%" suffix, or an
 * indicator whose unit is %) is stored as a fraction (0.9466) with the
 * format "0.00%"; another prefix or suffix of the
 * layout's format becomes literal text of the number format.  A marked
 * value (†) carries its footnote as a cell comment too.  Last, a sheet
 * "说明" says which school, year, database and time the figures are of.
 */
#include "pipeline/report_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

/* The workbook being written and its shared formats. */
typedef struct xw {
	lxw_workbook *wb;       /* the workbook */
	lxw_format *title;      /* a table's title */
	lxw_format *head;       /* header cells */
	lxw_format *text;       /* text cells */
	lxw_format *nums[16];   /* number formats made so far (nnums) */
	char *codes[16];        /* their format codes (nnums) */
	size_t nnums;
	char **names;           /* sheet names used (nnames) */
	size_t nnames;
} xw;

/* The number format of code (made once per code). */
static lxw_format *num_format(xw *x, const char *code)
{
	for (size_t i = 0; i < x->nnums; i++)
		if (strcmp(x->codes[i], code) == 0)
			return x->nums[i];
	if (x->nnums == sizeof x->nums / sizeof x->nums[0])
		return NULL;
	x->nums[x->nnums] = workbook_add_format(x->wb);
	format_set_num_format(x->nums[x->nnums], code);
	x->codes[x->nnums] = xstrdup(code);
	return x->nums[x->nnums++];
}

/* Literal text s of a number format, quoted (a quote in it left out). */
static void code_literal(str *b, const char *s, size_t n)
{
	if (!n)
		return;
	str_add(b, "\"");
	for (size_t i = 0; i < n; i++)
		if (s[i] != '"')
			str_addn(b, s + i, 1);
	str_add(b, "\"");
}

/* Write value cell c at (row, col): a number with its format when its
 * text is a number with affixes, else text.  0, or -1. */
static int write_value(xw *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const fcell *c)
{
	const char *at = c->num ? strstr(c->text, c->num) : NULL, *dot, *suf;
	char *end;
	double v = c->num ? strtod(c->num, &end) : 0;
	str code = STR_INIT;
	lxw_error e;
	int pct;

	if (!at || !*c->num || *end)
		return worksheet_write_string(ws, row, col, c->text, x->text) ? -1 : 0;
	suf = at + strlen(c->num);
	pct = strcmp(suf, "%") == 0 || (!*suf && c->pct);
	code_literal(&code, c->text, (size_t)(at - c->text));
	str_add(&code, "0");
	if ((dot = strchr(c->num, '.'))) {
		str_add(&code, ".");
		for (const char *p = dot + 1; *p >= '0' && *p <= '9'; p++)
			str_add(&code, "0");
	}
	if (pct)
		str_add(&code, "%");
	else
		code_literal(&code, suf, strlen(suf));
	e = worksheet_write_number(ws, row, col, pct ? v / 100 : v, num_format(x, code.s));
	str_free(&code);
	return e ? -1 : 0;
}

/* Title t as a sheet name of at most max characters: []:*?/\ become _,
 * no apostrophe or space at either end, never empty.  Malloc'd. */
static char *sheet_base(const char *t, size_t max)
{
	str b = STR_INIT;
	size_t chars = 0;

	for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
		if ((*p & 0xC0) != 0x80 && ++chars > max)
			break;
		str_addc(&b, strchr("[]:*?/\\", *p) ? '_' : (char)*p);
	}
	while (b.len && (b.s[b.len - 1] == ' ' || b.s[b.len - 1] == '\''))
		b.len--;
	if (b.len && b.s[0] == '\'')
		b.s[0] = '_';
	if (!b.len)
		str_add(&b, "表");
	b.s[b.len] = '\0';
	return str_steal(&b);
}

/* Has x a sheet called name? */
static int name_used(const xw *x, const char *name)
{
	for (size_t i = 0; i < x->nnames; i++)
		if (strcmp(x->names[i], name) == 0)
			return 1;
	return 0;
}

/* The sheet name of title t: sheet_base, made unique in x with ~2, ~3,
 * ...  Owned by x. */
static const char *sheet_name(xw *x, const char *t)
{
	char *name = sheet_base(t, 31);

	for (size_t n = 2; name_used(x, name); n++) {
		char *b = sheet_base(t, 27);
		free(name);
		name = xasprintf("%s~%zu", b, n);
		free(b);
	}
	report_push_str(&x->names, &x->nnames, name);
	return name;
}

/* The note of t that explains mark m ("† ..."), or NULL. */
static const char *note_of(const ftable *t, const char *m)
{
	size_t n = strlen(m);
	for (size_t k = 0; k < t->nnotes; k++)
		if (strncmp(t->notes[k], m, n) == 0 && t->notes[k][n] == ' ')
			return t->notes[k];
	return NULL;
}

/* The header rows of t from row 2: a group's label merged over its
 * span, a column without a group merged over both rows.  The first row
 * after the headers. */
static lxw_row_t sheet_head(xw *x, lxw_worksheet *ws, const ftable *t)
{
	int groups = 0;

	for (size_t c = 0; c < t->ncols; c++)
		groups |= t->group[c] != NULL;
	for (size_t c = 0, e; c < t->ncols; c = e) {
		lxw_col_t c0 = (lxw_col_t)c;
		e = c + 1;
		if (!groups) {
			worksheet_write_string(ws, 2, c0, t->head[c], x->head);
			continue;
		}
		if (!t->group[c]) {
			worksheet_merge_range(ws, 2, c0, 3, c0, t->head[c], x->head);
			continue;
		}
		while (e < t->ncols && t->group[e] && strcmp(t->group[e], t->group[c]) == 0)
			e++;
		if (e - c > 1)
			worksheet_merge_range(ws, 2, c0, 2, (lxw_col_t)(e - 1), t->group[c], x->head);
		else
			worksheet_write_string(ws, 2, c0, t->group[c], x->head);
		for (size_t k = c; k < e; k++)
			worksheet_write_string(ws, 3, (lxw_col_t)k, t->head[k], x->head);
	}
	return groups ? 4 : 3;
}

/* One sheet for table t.  0, or -1 with err. */
static int sheet_table(xw *x, const ftable *t, char *err, size_t errlen)
{
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, sheet_name(x, t->title));
	lxw_row_t row;
	int rc = 0;

	if (!ws)
		return err_set(err, errlen, "cannot add the sheet of table \"%s\"", t->title);
	worksheet_write_string(ws, 0, 0, t->title, x->title);
	row = sheet_head(x, ws, t);
	for (size_t c = 0; c < t->ncols; c++) {
		int w = report_dwidth(t->head[c]);
		for (size_t r = 0; r < t->nrows; r++)
			if (report_dwidth(t->cells[r * t->ncols + c].text) > w)
				w = report_dwidth(t->cells[r * t->ncols + c].text);
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w + 2 < 60 ? w + 2 : 60, NULL);
	}
	for (size_t r = 0; r < t->nrows && !rc; r++, row++)
		for (size_t c = 0; c < t->ncols && !rc; c++) {
			const fcell *f = &t->cells[r * t->ncols + c];
			const char *note = f->mark ? note_of(t, f->mark) : NULL;
			rc = f->isref ? write_value(x, ws, row, (lxw_col_t)c, f)
				      : worksheet_write_string(ws, row, (lxw_col_t)c, f->text, x->text) ? -1 : 0;
			if (!rc && note)
				rc = worksheet_write_comment(ws, row, (lxw_col_t)c, note) ? -1 : 0;
		}
	row++;
	for (size_t k = 0; k < t->nnotes && !rc; k++)
		rc = worksheet_write_string(ws, row++, 0, t->notes[k], NULL) ? -1 : 0;
	return rc ? err_set(err, errlen, "table \"%s\": cannot write a cell", t->title) : 0;
}

/* The text blocks (paragraphs with values) of r, on one sheet "文字":
 * each block's title, its paragraph (wrapped) and its notes.  0, or -1
 * with err. */
static int sheet_texts(xw *x, const report_data *r, char *err, size_t errlen)
{
	lxw_worksheet *ws = NULL;
	lxw_format *wrap = NULL;
	lxw_row_t row = 0;
	int rc = 0;

	for (size_t i = 0; i < r->nt && !rc; i++) {
		const ftable *t = &r->t[i];
		if (t->kind != LK_TEXT)
			continue;
		if (!ws) {
			if (!(ws = workbook_add_worksheet(x->wb, sheet_name(x, "文字"))))
				return err_set(err, errlen, "cannot add the sheet of the text blocks");
			wrap = workbook_add_format(x->wb);
			format_set_text_wrap(wrap);
			worksheet_set_column(ws, 0, 0, 100, NULL);
		}
		rc = worksheet_write_string(ws, row++, 0, t->title, x->title) ||
		     worksheet_write_string(ws, row++, 0, t->text ? t->text : "", wrap) ? -1 : 0;
		for (size_t k = 0; k < t->nnotes && !rc; k++)
			rc = worksheet_write_string(ws, row++, 0, t->notes[k], NULL) ? -1 : 0;
		row++;
	}
	return rc ? err_set(err, errlen, "the text blocks: cannot write a cell") : 0;
}

/* The about sheet: school, year, database, time written. */
static void sheet_about(xw *x, const report_data *r)
{
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, "说明");
	char when[64];
	time_t now = time(NULL);
	struct tm tm;
	const char *rows[][2] = {
		{ "报告 / report", r->heading ? r->heading : "" },
		{ "学校 / school", r->school_name },
		{ "学校代码 / school code", r->school_code },
		{ "学年 / academic year", r->year },
		{ "生成时间 / generated (UTC)", when },
		{ "数据来源 / source database", r->source },
	};

	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", gmtime_r(&now, &tm));
	worksheet_set_column(ws, 0, 0, 28, NULL);
	worksheet_set_column(ws, 1, 1, 60, NULL);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		worksheet_write_string(ws, (lxw_row_t)i, 0, rows[i][0], x->head);
		worksheet_write_string(ws, (lxw_row_t)i, 1, rows[i][1] ? rows[i][1] : "", x->text);
	}
}

int report_xlsx_write(const report_data *r, const char *path, char *err, size_t errlen)
{
	xw x = { .wb = workbook_new(path) };
	lxw_doc_properties props = { .title = r->heading, .comments = r->source };
	lxw_error e;
	int rc = 0;

	if (!x.wb)
		return err_set(err, errlen, "%s: cannot create the workbook", path);
	x.title = workbook_add_format(x.wb);
	format_set_bold(x.title);
	format_set_font_size(x.title, 14);
	x.head = workbook_add_format(x.wb);
	format_set_bold(x.head);
	format_set_align(x.head, LXW_ALIGN_CENTER);
	format_set_align(x.head, LXW_ALIGN_VERTICAL_CENTER);
	format_set_border(x.head, LXW_BORDER_THIN);
	x.text = workbook_add_format(x.wb);
	workbook_set_properties(x.wb, &props);
	for (size_t i = 0; i < r->nt && !rc; i++)
		if (r->t[i].kind != LK_TEXT)
			rc = sheet_table(&x, &r->t[i], err, errlen);
	if (!rc)
		rc = sheet_texts(&x, r, err, errlen);
	sheet_about(&x, r);
	e = workbook_close(x.wb);
	if (!rc && e)
		rc = err_set(err, errlen, "%s: %s", path, lxw_strerror(e));
	for (size_t i = 0; i < x.nnums; i++)
		free(x.codes[i]);
	strv_free(x.names, x.nnames);
	return rc;
}
