/*
 * report_layout.c - the quality report's layout read from YAML
 * (report_layout_load, report.h): tables of cells (templates and value
 * references), every key, format and template variable checked with its
 * line and column.
 */
#include "pipeline/report_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

typedef struct ld {
	const char *file;       /* the layout file */
	yaml_document_t doc;    /* its document */
	char *err;              /* caller's buffer */
	size_t errlen;
	int failed;             /* an error was recorded */
} ld;

/* Record the first error of the layout, at node n (NULL: its start), as
 * "file:line:col: message" through err_set.  Returns -1. */
__attribute__((format(printf, 3, 4)))
static int fail(ld *L, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (L->failed)
		return -1;
	L->failed = 1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	err_set(L->err, L->errlen, "%s:%zu:%zu: %s", L->file, n ? n->start_mark.line + 1 : 1,
		n ? n->start_mark.column + 1 : 1, msg);
	free(msg);
	return -1;
}

static yaml_node_t *node(ld *L, int i)
{
	return yaml_document_get_node(&L->doc, i);
}

static int is_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE;
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int is_null(const yaml_node_t *n)
{
	return is_scalar(n) && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (n->data.scalar.length == 0 || strcmp(sval(n), "~") == 0 || strcmp(sval(n), "null") == 0);
}

static yaml_node_t *get(ld *L, const yaml_node_t *n, const char *key)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(L, p->key);
		if (is_scalar(k) && strcmp(sval(k), key) == 0)
			return node(L, p->value);
	}
	return NULL;
}

static int check_keys(ld *L, const yaml_node_t *n, const char *what, const char *const *allowed)
{
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(L, p->key);
		int found = 0;
		char list[512] = "";
		size_t len = 0;
		if (!is_scalar(k))
			return fail(L, k, "keys of %s must be plain words", what);
		for (int i = 0; allowed[i]; i++)
			if (strcmp(sval(k), allowed[i]) == 0)
				found = 1;
		if (found)
			continue;
		for (int i = 0; allowed[i] && len < sizeof list; i++)
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", allowed[i]);
		return fail(L, k, "unknown key \"%s\" in %s (expected one of: %s)", sval(k), what, list);
	}
	return 0;
}

static int want(ld *L, const yaml_node_t *n, yaml_node_type_t t, const char *what)
{
	static const char *names[] = { "nothing", "text", "a list", "a mapping" };
	if (n->type == t)
		return 0;
	return fail(L, n, "%s must be %s, found %s", what, names[t], names[n->type]);
}

/* A copy of the text of n's scalar key into *out: 0; when the key is
 * missing, the error need (or, when it is not text, want's error): -1. */
static int req_text(ld *L, const yaml_node_t *n, const char *key, const char *need, char **out)
{
	yaml_node_t *v;

	if (!(v = get(L, n, key)) || want(L, v, YAML_SCALAR_NODE, key) < 0)
		return L->failed ? -1 : fail(L, n, "%s", need);
	*out = xstrdup(sval(v));
	return 0;
}

static size_t seq_len(const yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

/* A template from a scalar, checked.  NULL on error. */
static char *tmpl_of(ld *L, const yaml_node_t *n, const char *what, char *const *extra, size_t nextra)
{
	char bad[700], *s;
	if (want(L, n, YAML_SCALAR_NODE, what) < 0)
		return NULL;
	if (report_tmpl_check(sval(n), extra, nextra, bad, sizeof bad) < 0) {
		fail(L, n, "%s: %s", what, bad);
		return NULL;
	}
	s = xstrdup(sval(n));
	return s;
}

/* format: integer, percent, or text with one %.Nf (or %d) and %% for %. */
static int read_format(ld *L, const yaml_node_t *n, vref *r)
{
	const char *s = sval(n), *conv = NULL;
	str pre = STR_INIT, suf = STR_INIT;
	size_t clen = 0;

	if (strcmp(s, "integer") == 0) {
		r->decimals = 0;
		return 0;
	}
	if (strcmp(s, "percent") == 0) {
		r->decimals = 2;
		r->suffix = xstrdup("%");
		return 0;
	}
	for (const char *p = s; *p; p++) {
		str *b = conv ? &suf : &pre;
		if (p[0] == '%' && p[1] == '%') {
			str_addn(b, "%", 1);
			p++;
		} else if (*p == '%') {
			if (conv) {
				str_free(&pre);
				str_free(&suf);
				return fail(L, n, "format \"%s\" has more than one conversion", s);
			}
			if (p[1] == 'd') {
				r->decimals = 0;
				clen = 2;
			} else if (p[1] == '.' && p[2] >= '0' && p[2] <= '9' && p[3] == 'f') {
				r->decimals = p[2] - '0';
				clen = 4;
			} else {
				str_free(&pre);
				str_free(&suf);
				return fail(L, n, "format \"%s\": a number is written %%.Nf (N = 0..9) or %%d, "
					    "a percent sign %%%%; or use integer or percent", s);
			}
			conv = p;
			p += clen - 1;
		} else {
			str_addn(b, p, 1);
		}
	}
	if (!conv) {
		str_free(&pre);
		str_free(&suf);
		return fail(L, n, "format \"%s\" has no %%.Nf or %%d (or use integer or percent)", s);
	}
	r->prefix = pre.len ? str_steal(&pre) : (str_free(&pre), NULL);
	r->suffix = suf.len ? str_steal(&suf) : (str_free(&suf), NULL);
	return 0;
}

static void vref_free(vref *r)
{
	if (!r)
		return;
	free(r->indicator);
	for (size_t i = 0; i < r->nbd; i++) {
		free(r->bd_keys[i]);
		free(r->bd_vals[i]);
	}
	FREE_ALL(r->bd_keys, r->bd_vals, r->prefix, r->suffix, r->period, r);
}

static int read_cell(ld *L, const yaml_node_t *n, lcell *c, char *const *extra, size_t nextra)
{
	static const char *const keys[] = { "indicator", "breakdown", "format", "value_type", "semester", "period",
					    NULL };
	yaml_node_t *v;
	vref *r;

	if (is_scalar(n))
		return (c->text = tmpl_of(L, n, "a cell", extra, nextra)) ? 0 : -1;
	if (n->type != YAML_MAPPING_NODE)
		return fail(L, n, "a cell is text or a value {indicator: CODE, ...}, found a list");
	if (!(v = get(L, n, "indicator")))
		return fail(L, n, "a value cell needs indicator: CODE (quote text that starts with \"{\")");
	if (check_keys(L, n, "a value cell", keys) < 0)
		return -1;
	if (want(L, v, YAML_SCALAR_NODE, "indicator") < 0)
		return -1;
	r = xcalloc(1, sizeof *r);
	c->ref = r;
	r->decimals = -1;
	r->line = (int)n->start_mark.line + 1;
	r->col = (int)n->start_mark.column + 1;
	r->indicator = xstrdup(sval(v));
	if ((v = get(L, n, "breakdown"))) {
		size_t k = 0, cnt;
		if (want(L, v, YAML_MAPPING_NODE, "breakdown") < 0)
			return -1;
		cnt = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
		r->bd_keys = xcalloc(cnt + 1, sizeof *r->bd_keys);
		r->bd_vals = xcalloc(cnt + 1, sizeof *r->bd_vals);
		for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++, k++) {
			yaml_node_t *bk = node(L, p->key), *bv = node(L, p->value);
			if (want(L, bk, YAML_SCALAR_NODE, "a breakdown field") < 0)
				return -1;
			r->bd_keys[k] = xstrdup(sval(bk));
			r->nbd = k + 1;
			if (is_null(bv))
				continue;
			if (!(r->bd_vals[k] = tmpl_of(L, bv, "a breakdown value", extra, nextra)))
				return -1;
		}
	}
	if ((v = get(L, n, "format"))) {
		if (want(L, v, YAML_SCALAR_NODE, "format") < 0 || read_format(L, v, r) < 0)
			return -1;
	}
	if ((v = get(L, n, "value_type"))) {
		if (want(L, v, YAML_SCALAR_NODE, "value_type") < 0)
			return -1;
		if (strcmp(sval(v), "reported") == 0)
			r->reported = 1;
		else if (strcmp(sval(v), "computed") != 0)
			return fail(L, v, "value_type must be computed or reported, found \"%s\"", sval(v));
	}
	if ((v = get(L, n, "semester"))) {
		if (!is_scalar(v) || (strcmp(sval(v), "1") && strcmp(sval(v), "2")))
			return fail(L, v, "semester must be 1 (autumn) or 2 (spring)");
		r->semester = sval(v)[0] - '0';
	}
	if ((v = get(L, n, "period")) && !(r->period = tmpl_of(L, v, "period", extra, nextra)))
		return -1;
	return 0;
}

static int read_row(ld *L, const yaml_node_t *n, lcell *cells, size_t ncols, char *const *extra, size_t nextra)
{
	size_t k = 0;
	if (want(L, n, YAML_SEQUENCE_NODE, "a row") < 0)
		return -1;
	if (seq_len(n) != ncols)
		return fail(L, n, "this row has %zu cells, the table has %zu columns", seq_len(n), ncols);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, k++)
		if (read_cell(L, node(L, *it), &cells[k], extra, nextra) < 0)
			return -1;
	return 0;
}

static int read_names(ld *L, const yaml_node_t *n, const char *what, char **v, size_t *cnt)
{
	if (want(L, n, YAML_SEQUENCE_NODE, what) < 0)
		return -1;
	if (seq_len(n) == 0 || seq_len(n) > MAX_BY)
		return fail(L, n, "%s must name 1 to %d fields", what, MAX_BY);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *f = node(L, *it);
		if (want(L, f, YAML_SCALAR_NODE, what) < 0)
			return -1;
		v[(*cnt)++] = xstrdup(sval(f));
	}
	return 0;
}

/* The columns of table t (v: its columns list). */
static int read_columns(ld *L, const yaml_node_t *v, ltable *t)
{
	static const char *const colkeys[] = { "title", "group", "align", NULL };
	size_t k = 0;

	t->cols = xcalloc(t->ncols, sizeof *t->cols);
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++, k++) {
		yaml_node_t *c = node(L, *it), *x;
		lcol *col = &t->cols[k];
		if (is_scalar(c)) {
			if (!(col->title = tmpl_of(L, c, "a column title", NULL, 0)))
				return -1;
			continue;
		}
		if (want(L, c, YAML_MAPPING_NODE, "a column") < 0 || check_keys(L, c, "a column", colkeys) < 0)
			return -1;
		if (!(x = get(L, c, "title")))
			return fail(L, c, "a column needs a title");
		if (!(col->title = tmpl_of(L, x, "a column title", NULL, 0)))
			return -1;
		if ((x = get(L, c, "group")) && !(col->group = tmpl_of(L, x, "a column group", NULL, 0)))
			return -1;
		if ((x = get(L, c, "align"))) {
			if (is_scalar(x) && strcmp(sval(x), "left") == 0)
				col->align = AL_LEFT;
			else if (is_scalar(x) && strcmp(sval(x), "right") == 0)
				col->align = AL_RIGHT;
			else
				return fail(L, x, "align must be left or right");
		}
	}
	return 0;
}

/* The fixed rows of table t (rows: its rows list; n the table). */
static int read_rows(ld *L, const yaml_node_t *n, const yaml_node_t *rows, ltable *t)
{
	size_t k = 0;

	if (want(L, rows, YAML_SEQUENCE_NODE, "rows") < 0)
		return -1;
	if (get(L, n, "row"))
		return fail(L, get(L, n, "row"), "row (a template) goes with rows_from, not rows");
	t->nrows = seq_len(rows);
	t->cells = xcalloc(t->nrows * t->ncols + 1, sizeof *t->cells);
	for (yaml_node_item_t *it = rows->data.sequence.items.start; it < rows->data.sequence.items.top; it++, k++)
		if (read_row(L, node(L, *it), &t->cells[k * t->ncols], t->ncols, NULL, 0) < 0)
			return -1;
	return 0;
}

/* The rows of table t taken from an indicator's breakdowns (from: its
 * rows_from; n the table, with its row template). */
static int read_rows_from(ld *L, const yaml_node_t *n, const yaml_node_t *from, ltable *t)
{
	static const char *const fromkeys[] = { "indicator", "by", "order", NULL };
	char *extra[MAX_BY + 1];
	size_t nextra = 0;
	yaml_node_t *v;

	if (want(L, from, YAML_MAPPING_NODE, "rows_from") < 0 || check_keys(L, from, "rows_from", fromkeys) < 0)
		return -1;
	if (req_text(L, from, "indicator", "rows_from needs the indicator whose breakdowns give the rows", &t->from) < 0)
		return -1;
	if (!(v = get(L, from, "by")))
		return fail(L, from, "rows_from needs by: [the breakdown fields of a row]");
	if (read_names(L, v, "by", t->by, &t->nby) < 0)
		return -1;
	if ((v = get(L, from, "order"))) {
		if (read_names(L, v, "order", t->order, &t->norder) < 0)
			return -1;
		for (size_t i = 0; i < t->norder; i++) {
			int found = 0;
			for (size_t j = 0; j < t->nby; j++)
				found |= strcmp(t->order[i], t->by[j]) == 0;
			if (!found)
				return fail(L, v, "order: \"%s\" is not one of the by fields", t->order[i]);
		}
	}
	for (size_t i = 0; i < t->nby; i++)
		extra[nextra++] = t->by[i];
	extra[nextra++] = "n";
	if (!(v = get(L, n, "row")))
		return fail(L, n, "rows_from needs row: [a template per column, using {n} and the by fields]");
	t->row = xcalloc(t->ncols, sizeof *t->row);
	return read_row(L, v, t->row, t->ncols, extra, nextra);
}

/* A column number of chart key key (1 = the first column) into *col. */
static int chart_col(ld *L, const yaml_node_t *c, const char *key, const ltable *t, size_t *col)
{
	yaml_node_t *v = get(L, c, key);
	long k;
	char *end;

	if (!v)
		return 0;
	if (!is_scalar(v) || (k = strtol(sval(v), &end, 10)) < 1 || *end || (size_t)k > t->ncols)
		return fail(L, v, "chart: %s is a column number from 1 to %zu", key, t->ncols);
	*col = (size_t)k - 1;
	return 0;
}

/* chart: {type: bars | stack, label: N, value: N, unit: TEXT} of table t
 * (HTML draws it). */
static int read_chart(ld *L, const yaml_node_t *c, ltable *t)
{
	static const char *const keys[] = { "type", "label", "value", "unit", NULL };
	yaml_node_t *v;

	if (want(L, c, YAML_MAPPING_NODE, "chart") < 0 || check_keys(L, c, "chart", keys) < 0)
		return -1;
	if (!(v = get(L, c, "type")) || !is_scalar(v) || (strcmp(sval(v), "bars") && strcmp(sval(v), "stack")))
		return fail(L, v ? v : c, "chart needs type: bars or stack");
	t->chart = strcmp(sval(v), "bars") == 0 ? CH_BARS : CH_STACK;
	t->chart_value = t->ncols - 1;
	if (chart_col(L, c, "label", t, &t->chart_label) < 0 || chart_col(L, c, "value", t, &t->chart_value) < 0)
		return -1;
	if ((v = get(L, c, "unit")) && !(t->chart_unit = tmpl_of(L, v, "unit", NULL, 0)))
		return -1;
	return 0;
}

/* A text block (n, with its text: template): its values first (their
 * names are the template's variables), then the template. */
static int read_text(ld *L, const yaml_node_t *n, const yaml_node_t *text, ltable *t)
{
	yaml_node_t *v = get(L, n, "values");
	size_t k = 0;

	t->kind = LK_TEXT;
	if (v && want(L, v, YAML_MAPPING_NODE, "values") < 0)
		return -1;
	t->nvals = v ? (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start) : 0;
	if (t->nvals > MAX_BY)
		return fail(L, v, "a text block takes at most %d values (split it in two)", MAX_BY);
	t->vnames = xcalloc(t->nvals + 1, sizeof *t->vnames);
	t->vals = xcalloc(t->nvals + 1, sizeof *t->vals);
	for (yaml_node_pair_t *p = v ? v->data.mapping.pairs.start : NULL; v && p < v->data.mapping.pairs.top;
	     p++, k++) {
		yaml_node_t *key = node(L, p->key), *val = node(L, p->value);
		if (want(L, key, YAML_SCALAR_NODE, "a value's name") < 0)
			return -1;
		t->vnames[k] = xstrdup(sval(key));
		if (val->type != YAML_MAPPING_NODE)
			return fail(L, val, "value %s must be {indicator: CODE, ...}", sval(key));
		if (read_cell(L, val, &t->vals[k], NULL, 0) < 0)
			return -1;
	}
	return (t->text = tmpl_of(L, text, "text", t->vnames, t->nvals)) ? 0 : -1;
}

/* A block of key figures: rows of [label, value] shown as a two-column
 * table (指标, 数值), as cards in HTML. */
static int read_figures(ld *L, const yaml_node_t *n, const yaml_node_t *figs, ltable *t)
{
	static const char *const heads[] = { "指标", "数值" };

	t->kind = LK_FIGURES;
	t->ncols = 2;
	t->cols = xcalloc(2, sizeof *t->cols);
	for (int c = 0; c < 2; c++)
		t->cols[c].title = xstrdup(heads[c]);
	if (get(L, n, "columns"))
		return fail(L, get(L, n, "columns"), "a block of figures has no columns (rows: [label, value])");
	return read_rows(L, n, figs, t);
}

/* The columns and rows of an ordinary table (n). */
static int read_grid(ld *L, const yaml_node_t *n, ltable *t)
{
	yaml_node_t *v, *rows, *from;

	if (!(v = get(L, n, "columns")) || want(L, v, YAML_SEQUENCE_NODE, "columns") < 0)
		return L->failed ? -1 : fail(L, n, "table %s needs columns (or text: or figures:)", t->id);
	if (!(t->ncols = seq_len(v)))
		return fail(L, v, "table %s has no columns", t->id);
	if (read_columns(L, v, t) < 0)
		return -1;
	rows = get(L, n, "rows");
	from = get(L, n, "rows_from");
	if (!rows == !from)
		return fail(L, n, "table %s needs either rows (a list of rows) or rows_from with row", t->id);
	return rows ? read_rows(L, n, rows, t) : read_rows_from(L, n, from, t);
}

static int read_table(ld *L, const yaml_node_t *n, ltable *t)
{
	static const char *const keys[] = { "id", "title", "columns", "rows", "rows_from", "row", "notes",
					    "text", "values", "figures", "chart", NULL };
	yaml_node_t *v, *text, *figs;

	t->line = (int)n->start_mark.line + 1;
	t->col = (int)n->start_mark.column + 1;
	if (want(L, n, YAML_MAPPING_NODE, "a table") < 0 || check_keys(L, n, "a table", keys) < 0)
		return -1;
	if (req_text(L, n, "id", "a table needs an id (e.g. id: \"1-2\")", &t->id) < 0)
		return -1;
	if (!(v = get(L, n, "title")))
		return fail(L, n, "table %s needs a title", t->id);
	if (!(t->title = tmpl_of(L, v, "title", NULL, 0)))
		return -1;
	if ((v = get(L, n, "notes"))) {
		if (want(L, v, YAML_SEQUENCE_NODE, "notes") < 0)
			return -1;
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			char *s = tmpl_of(L, node(L, *it), "a note", NULL, 0);
			if (!s)
				return -1;
			report_push_str(&t->notes, &t->nnotes, s);
		}
	}
	text = get(L, n, "text");
	figs = get(L, n, "figures");
	if (text && figs)
		return fail(L, figs, "block %s is text or figures, not both", t->id);
	if ((text || figs) && (get(L, n, "rows") || get(L, n, "rows_from") || (text && get(L, n, "columns"))))
		return fail(L, n, "block %s: text and figures take no columns, rows or rows_from", t->id);
	if (!text && get(L, n, "values"))
		return fail(L, get(L, n, "values"), "values go with text: (a paragraph template)");
	if (text)
		return read_text(L, n, text, t);
	if ((figs ? read_figures(L, n, figs, t) : read_grid(L, n, t)) < 0)
		return -1;
	return (v = get(L, n, "chart")) ? read_chart(L, v, t) : 0;
}

static void cells_free(lcell *c, size_t n)
{
	if (!c)
		return;
	for (size_t i = 0; i < n; i++) {
		free(c[i].text);
		vref_free(c[i].ref);
	}
	free(c);
}

void report_layout_free(report_layout *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nt; i++) {
		ltable *t = &l->t[i];
		FREE_ALL(t->id, t->title);
		strv_free(t->notes, t->nnotes);
		for (size_t j = 0; j < t->ncols; j++)
			FREE_ALL(t->cols[j].title, t->cols[j].group);
		free(t->cols);
		cells_free(t->cells, t->nrows * t->ncols);
		free(t->from);
		free_each((void *const *)t->by, t->nby);
		free_each((void *const *)t->order, t->norder);
		cells_free(t->row, t->row ? t->ncols : 0);
		FREE_ALL(t->text, t->chart_unit);
		free_each((void *const *)t->vnames, t->nvals);
		free(t->vnames);
		cells_free(t->vals, t->nvals);
	}
	FREE_ALL(l->t, l->heading, l->path, l);
}

report_layout *report_layout_load(const char *path, char *err, size_t errlen)
{
	static const char *const keys[] = { "heading", "tables", NULL };
	ld L = { .file = path, .err = err, .errlen = errlen };
	yaml_parser_t parser;
	yaml_node_t *root, *v;
	report_layout *l;
	FILE *f = fopen(path, "rb");

	if (!f) {
		err_set(err, errlen, "%s: cannot open the report layout: %s", path, strerror(errno));
		return NULL;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &L.doc)) {
		err_set(err, errlen, "%s:%zu:%zu: %s%s%s", path, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1, parser.problem ? parser.problem : "YAML syntax error",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(f);
		return NULL;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	l = xcalloc(1, sizeof *l);
	l->path = xstrdup(path);
	root = yaml_document_get_root_node(&L.doc);
	if (!root) {
		fail(&L, NULL, "the report layout is empty");
		goto out;
	}
	if (want(&L, root, YAML_MAPPING_NODE, "the report layout") < 0 ||
	    check_keys(&L, root, "the report layout", keys) < 0)
		goto out;
	if ((v = get(&L, root, "heading")) && !(l->heading = tmpl_of(&L, v, "heading", NULL, 0)))
		goto out;
	if (!(v = get(&L, root, "tables"))) {
		fail(&L, root, "the report layout needs tables: [...]");
		goto out;
	}
	if (want(&L, v, YAML_SEQUENCE_NODE, "tables") < 0)
		goto out;
	l->t = xcalloc(seq_len(v) + 1, sizeof *l->t);
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *tn = node(&L, *it);
		ltable *t = &l->t[l->nt++];
		if (read_table(&L, tn, t) < 0)
			goto out;
		for (size_t i = 0; i + 1 < l->nt; i++)
			if (strcmp(l->t[i].id, t->id) == 0) {
				fail(&L, get(&L, tn, "id"), "table id \"%s\" is used twice", t->id);
				goto out;
			}
	}
out:
	yaml_document_delete(&L.doc);
	if (L.failed) {
		report_layout_free(l);
		return NULL;
	}
	return l;
}

int report_layout_has_table(const report_layout *l, const char *id)
{
	for (size_t i = 0; i < l->nt; i++)
		if (strcmp(l->t[i].id, id) == 0)
			return 1;
	return 0;
}
