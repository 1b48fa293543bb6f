/*
 * report_write.c - the filled tables of the quality report printed
 * (report_write, report.h) as aligned text, Markdown or CSV, each format
 * a writer in the table of formats (xlsx: report_xlsx.c), and saved to a
 * file (report_save).
 */
#include "pipeline/report_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

/* Display width of a code point: 2 for East Asian wide and fullwidth
 * characters, 0 for combining marks and zero-width characters, else 1
 * (ambiguous-width characters such as — and † count 1, as wcwidth does). */
static int cp_width(uint32_t c)
{
	if ((c >= 0x0300 && c <= 0x036F) || (c >= 0x200B && c <= 0x200F) || c == 0xFEFF ||
	    (c >= 0xFE00 && c <= 0xFE0F))
		return 0;
	if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
	    (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
	    (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
	    (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
	    (c >= 0x20000 && c <= 0x3FFFD))
		return 2;
	return 1;
}

/* Display width of UTF-8 text on a terminal. */
static int dwidth(const char *s)
{
	int w = 0;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		uint32_t c;
		int n;
		if (*p < 0x80) {
			c = *p;
			n = 1;
		} else if ((*p & 0xE0) == 0xC0) {
			c = *p & 0x1F;
			n = 2;
		} else if ((*p & 0xF0) == 0xE0) {
			c = *p & 0x0F;
			n = 3;
		} else if ((*p & 0xF8) == 0xF0) {
			c = *p & 0x07;
			n = 4;
		} else {
			w++;
			p++;
			continue;
		}
		for (int k = 1; k < n; k++) {
			if ((p[k] & 0xC0) != 0x80) {
				n = k;
				break;
			}
			c = (c << 6) | (p[k] & 0x3F);
		}
		w += cp_width(c);
		p += n;
	}
	return w;
}

/* The process's umask (read by setting it back). */
static mode_t report_umask(void)
{
	mode_t m = umask(022);
	umask(m);
	return m;
}

int report_dwidth(const char *s)
{
	return dwidth(s);
}

static void spaces(str *b, int n)
{
	for (; n > 0; n--)
		str_addn(b, " ", 1);
}

/* Print a line without trailing spaces. */
static void put_line(FILE *out, str *b)
{
	size_t n = b->len;
	while (n && b->s[n - 1] == ' ')
		n--;
	fprintf(out, "%.*s\n", (int)n, str_cstr(b));
	str_clear(b);
}

/* The end of the span of group labels that starts at column c. */
static size_t group_end(const ftable *t, size_t c)
{
	size_t e = c + 1;
	while (e < t->ncols && t->group[e] && strcmp(t->group[e], t->group[c]) == 0)
		e++;
	return e;
}

/* The width of columns [c, e) with the two spaces between them. */
static int span_width(const int *w, size_t c, size_t e)
{
	int span = 2 * (int)(e - c - 1);
	for (size_t k = c; k < e; k++)
		span += w[k];
	return span;
}

/* The widths of t's columns (w) and of their marks (mw); a group label
 * wider than its span widens the span's last column.  Whether t has
 * group labels. */
static int text_widths(const ftable *t, int *w, int *mw)
{
	int groups = 0;

	for (size_t c = 0; c < t->ncols; c++) {
		w[c] = dwidth(t->head[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			const fcell *x = &t->cells[r * t->ncols + c];
			if (x->mark && dwidth(x->mark) > mw[c])
				mw[c] = dwidth(x->mark);
		}
		for (size_t r = 0; r < t->nrows; r++) {
			const fcell *x = &t->cells[r * t->ncols + c];
			int cw = dwidth(x->text) + (t->right[c] ? mw[c] : (x->mark ? dwidth(x->mark) : 0));
			if (cw > w[c])
				w[c] = cw;
		}
		if (t->group[c])
			groups = 1;
	}
	for (size_t c = 0, e; c < t->ncols && groups; c = e) {
		int span;
		e = c + 1;
		if (!t->group[c])
			continue;
		e = group_end(t, c);
		span = span_width(w, c, e);
		if (dwidth(t->group[c]) > span)
			w[e - 1] += dwidth(t->group[c]) - span;
	}
	return groups;
}

/* The line of group labels, each centred over its span. */
static void text_groups(const ftable *t, const int *w, str *line, FILE *out)
{
	for (size_t c = 0, e; c < t->ncols; c = e) {
		int span, gw, left;
		e = c + 1;
		if (c)
			spaces(line, 2);
		if (!t->group[c]) {
			spaces(line, w[c]);
			continue;
		}
		e = group_end(t, c);
		span = span_width(w, c, e);
		gw = dwidth(t->group[c]);
		left = (span - gw) / 2;
		spaces(line, left);
		str_add(line, t->group[c]);
		spaces(line, span - gw - left);
	}
	put_line(out, line);
}

/* The header line and the rule under it. */
static void text_head(const ftable *t, const int *w, str *line, FILE *out)
{
	for (size_t c = 0; c < t->ncols; c++) {
		int pad = w[c] - dwidth(t->head[c]);
		if (c)
			spaces(line, 2);
		if (t->right[c])
			spaces(line, pad);
		str_add(line, t->head[c]);
		if (!t->right[c])
			spaces(line, pad);
	}
	put_line(out, line);
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			spaces(line, 2);
		for (int k = 0; k < w[c]; k++)
			str_addn(line, "-", 1);
	}
	put_line(out, line);
}

/* Row r: right-aligned cells keep their marks in a column of their own. */
static void text_row(const ftable *t, size_t r, const int *w, const int *mw, str *line, FILE *out)
{
	for (size_t c = 0; c < t->ncols; c++) {
		const fcell *x = &t->cells[r * t->ncols + c];
		int tw = dwidth(x->text), mk = x->mark ? dwidth(x->mark) : 0;
		if (c)
			spaces(line, 2);
		if (t->right[c])
			spaces(line, w[c] - mw[c] - tw);
		str_add(line, x->text);
		if (x->mark)
			str_add(line, x->mark);
		spaces(line, t->right[c] ? mw[c] - mk : w[c] - tw - mk);
	}
	put_line(out, line);
}

static void write_text_table(const report_data *r, const ftable *t, FILE *out)
{
	(void)r;
	int *w = xcalloc(t->ncols + 1, sizeof *w), *mw = xcalloc(t->ncols + 1, sizeof *mw);
	str line = STR_INIT;

	fprintf(out, "%s\n\n", t->title);
	if (t->kind == LK_TEXT)
		fprintf(out, "%s\n", t->text ? t->text : "");
	else if (text_widths(t, w, mw))
		text_groups(t, w, &line, out);
	if (t->kind != LK_TEXT)
		text_head(t, w, &line, out);
	for (size_t r = 0; r < t->nrows; r++)
		text_row(t, r, w, mw, &line, out);
	if (t->nnotes)
		fputc('\n', out);
	for (size_t k = 0; k < t->nnotes; k++)
		fprintf(out, "%s\n", t->notes[k]);
	str_free(&line);
	free(w);
	free(mw);
}

static void md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\')
			fputc('\\', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
}

/* The notes of a table in Markdown, a paragraph each. */
static void md_notes(const ftable *t, FILE *out)
{
	for (size_t k = 0; k < t->nnotes; k++) {
		fputc('\n', out);
		md_text(out, t->notes[k]);
		fputc('\n', out);
	}
}

static void write_md_table(const report_data *r, const ftable *t, FILE *out)
{
	(void)r;
	if (t->kind == LK_TEXT) {
		fprintf(out, "## %s\n\n", t->title);
		md_text(out, t->text ? t->text : "");
		fputc('\n', out);
		md_notes(t, out);
		return;
	}
	fprintf(out, "## %s\n\n|", t->title);
	for (size_t c = 0; c < t->ncols; c++) {
		fputc(' ', out);
		if (t->group[c]) {
			md_text(out, t->group[c]);
			fputc(' ', out);
		}
		md_text(out, t->head[c]);
		fputs(" |", out);
	}
	fputs("\n|", out);
	for (size_t c = 0; c < t->ncols; c++)
		fputs(t->right[c] ? "---:|" : "---|", out);
	fputc('\n', out);
	for (size_t r = 0; r < t->nrows; r++) {
		fputc('|', out);
		for (size_t c = 0; c < t->ncols; c++) {
			const fcell *x = &t->cells[r * t->ncols + c];
			fputc(' ', out);
			md_text(out, x->text);
			if (x->mark)
				fputs(x->mark, out);
			fputs(" |", out);
		}
		fputc('\n', out);
	}
	md_notes(t, out);
}

/* One CSV field (RFC 4180: quoted when it holds a comma, quote or line break). */
static void csv_field(FILE *out, const char *s, const char *mark, int first)
{
	int q = strpbrk(s, ",\"\r\n") || (mark && strpbrk(mark, ",\"\r\n"));
	if (!first)
		fputc(',', out);
	if (!q) {
		fputs(s, out);
		if (mark)
			fputs(mark, out);
		return;
	}
	fputc('"', out);
	for (int k = 0; k < 2; k++)
		for (const char *p = k ? (mark ? mark : "") : s; *p; p++) {
			if (*p == '"')
				fputc('"', out);
			fputc(*p, out);
		}
	fputc('"', out);
}

/* Which columns of t have a marked cell (each gets a note column after
 * it in CSV): a new array of ncols flags. */
static int *csv_noted(const ftable *t)
{
	int *noted = xcalloc(t->ncols + 1, sizeof *noted);
	for (size_t k = 0; k < t->nrows * t->ncols; k++)
		if (t->cells[k].mark)
			noted[k % t->ncols] = 1;
	return noted;
}

/* The CSV header line of t: "group head", and 注 after a noted column. */
static void csv_head(const ftable *t, const int *noted, FILE *out)
{
	for (size_t c = 0; c < t->ncols; c++) {
		char *h = NULL;
		if (t->group[c]) {
			str b = STR_INIT;
			str_add(&b, t->group[c]);
			str_add(&b, " ");
			str_add(&b, t->head[c]);
			h = str_steal(&b);
		}
		csv_field(out, h ? h : t->head[c], NULL, c == 0);
		if (noted[c])
			csv_field(out, "注", NULL, 0);
		free(h);
	}
	fputs("\r\n", out);
}

/* A cell in CSV: a figure as its bare number (a percentage keeps its %),
 * so that it stays a number in a spreadsheet; other cells as shown. */
static const char *csv_text(const fcell *x)
{
	size_t n = x->num ? strlen(x->num) : 0;
	if (!x->num || strcmp(x->text, x->num) == 0)
		return x->text;
	if (strncmp(x->text, x->num, n) == 0 && strcmp(x->text + n, "%") == 0)
		return x->text;
	return x->num;
}

static void write_csv_table(const report_data *rd, const ftable *t, FILE *out)
{
	int *noted = csv_noted(t);

	(void)rd;
	csv_field(out, t->title, NULL, 1);
	fputs("\r\n", out);
	if (t->kind == LK_TEXT) {
		csv_field(out, t->text ? t->text : "", NULL, 1);
		fputs("\r\n", out);
	} else
		csv_head(t, noted, out);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const fcell *x = &t->cells[r * t->ncols + c];
			csv_field(out, csv_text(x), NULL, c == 0);
			if (noted[c])
				csv_field(out, x->mark ? x->mark : "", NULL, 0);
		}
		fputs("\r\n", out);
	}
	for (size_t k = 0; k < t->nnotes; k++) {
		csv_field(out, t->notes[k], NULL, 1);
		fputs("\r\n", out);
	}
	free(noted);
}

static void heading_text(const char *heading, FILE *out)
{
	fprintf(out, "%s\n\n", heading);
}

static void heading_md(const char *heading, FILE *out)
{
	fprintf(out, "# %s\n\n", heading);
}

static void heading_csv(const char *heading, FILE *out)
{
	csv_field(out, heading, NULL, 1);
	fputs("\r\n\r\n", out);
}

/* A format of the report (report.h): how it prints. */
struct report_format {
	const char *name;       /* as --format names it */
	void (*heading)(const char *heading, FILE *out); /* the report's heading */
	void (*table)(const report_data *r, const ftable *t, FILE *out); /* one table */
	void (*begin)(const report_data *r, FILE *out); /* before the heading, or NULL */
	void (*end)(const report_data *r, FILE *out); /* after the last table, or NULL */
	const char *between;    /* between two tables */
	int (*file)(const report_data *r, const char *path, char *err, size_t errlen); /* or a whole file */
	const char *bom;        /* byte-order mark that begins a file, or NULL */
};

/* The formats, by name. */
static const report_format formats[] = {
	{ "text", heading_text, write_text_table, NULL, NULL, "\n", NULL, NULL },
	{ "markdown", heading_md, write_md_table, NULL, NULL, "\n", NULL, NULL },
	{ "md", heading_md, write_md_table, NULL, NULL, "\n", NULL, NULL },
	{ "csv", heading_csv, write_csv_table, NULL, NULL, "\r\n", NULL, "\xEF\xBB\xBF" },
	{ "html", NULL, report_html_block, report_html_begin, report_html_end, "\n", NULL, NULL },
	{ "xlsx", NULL, NULL, NULL, NULL, NULL, report_xlsx_write, NULL },
};

const report_format *report_format_find(const char *name)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	return NULL;
}

int report_format_file_only(const report_format *fmt)
{
	return fmt->file != NULL;
}

void report_write_bom(const report_format *fmt, FILE *out)
{
	if (fmt->bom)
		fputs(fmt->bom, out);
}

int report_write(const report_data *r, const report_format *fmt, FILE *out)
{
	if (fmt->file) {
		errno = EINVAL;
		return -1;
	}
	if (fmt->begin)
		fmt->begin(r, out);
	if (r->heading && fmt->heading)
		fmt->heading(r->heading, out);
	for (size_t i = 0; i < r->nt; i++) {
		if (i)
			fputs(fmt->between, out);
		fmt->table(r, &r->t[i], out);
	}
	if (fmt->end)
		fmt->end(r, out);
	return ferror(out) ? -1 : 0;
}

/* Write r in fmt (a stream format, through report_write) to the file at
 * path, beginning with fmt's byte-order mark, and fsync it when sync.
 * 0, or -1 with "path: <how>reason" in err. */
static int save_stream(const report_data *r, const report_format *fmt, const char *path, int sync,
		       const char *how, char *err, size_t errlen)
{
	FILE *f;
	int rc;

	if (!(f = fopen(path, "wb")))
		return err_set(err, errlen, "%s: %s%s", path, how, strerror(errno));
	report_write_bom(fmt, f);
	rc = report_write(r, fmt, f);
	if (fflush(f) || (sync && fsync(fileno(f))))
		rc = -1;
	if (fclose(f))
		rc = -1;
	return rc ? err_set(err, errlen, "%s: %s%s", path, how, strerror(errno)) : 0;
}

int report_save(const report_data *r, const report_format *fmt, const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	char *tmp;
	int fd, rc, there = stat(path, &st) == 0;

	/* a device such as /dev/stdout or a pipe is written as it is:
	 * renaming a file over it would replace it */
	if (there && S_ISDIR(st.st_mode))
		return err_set(err, errlen, "%s: cannot write there: it is a directory", path);
	if (there && !S_ISREG(st.st_mode))
		return fmt->file ? err_set(err, errlen, "%s: cannot write there: --format xlsx needs a regular file",
					   path)
				 : save_stream(r, fmt, path, 0, "cannot write there: ", err, errlen);
	tmp = xasprintf("%.*s.%s.XXXXXX", slash ? (int)(slash - path + 1) : 0, path, slash ? slash + 1 : path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = err_set(err, errlen, "%s: cannot write there: %s", path, strerror(errno));
		free(tmp);
		return rc;
	}
	close(fd);
	rc = fmt->file ? fmt->file(r, tmp, err, errlen) : save_stream(r, fmt, tmp, 1, "", err, errlen);
	if (!rc && chmod(tmp, 0644 & ~report_umask()))
		rc = err_set(err, errlen, "%s: %s", tmp, strerror(errno));
	if (!rc && rename(tmp, path))
		rc = err_set(err, errlen, "%s: %s", path, strerror(errno));
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}
