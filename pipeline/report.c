/*
 * report.c - the quality report's tables from the database; see report.h.
 *
 * Three steps.  report_layout_load reads the YAML layout into tables of
 * cells (templates and value references), checking every key, format and
 * template variable with its line and column.  report_fetch expands the
 * tables for one school and year: rows taken from an indicator's
 * breakdowns are read first (one query per such table), then every value
 * of every table is read in one query that also resolves each indicator's
 * period and compares computed with reported figures.  report_write
 * prints the filled tables as text, Markdown or CSV.
 */
#include "pipeline/report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/util/log.h"

#define MAX_BY 16               /* breakdown fields of a rows_from table */

enum { AL_AUTO, AL_LEFT, AL_RIGHT };

/* A reference to an indicator value. */
typedef struct vref {
	char *indicator;        /* indicator code */
	char **bd_keys;         /* breakdown field names (nbd) */
	char **bd_vals;         /* their values: templates, NULL = JSON null (nbd) */
	size_t nbd;             /* number of breakdown fields */
	int decimals;           /* digits after the point; -1: as stored, at most 2 */
	char *prefix, *suffix;  /* literal text around the number (from format) */
	int reported;           /* value_type: reported (else computed, falling back to reported) */
	int semester;           /* 1 or 2 for a semester indicator, else 0 */
	char *period;           /* period template overriding the indicator's own, or NULL */
	int line, col;          /* where in the layout (for warnings) */
} vref;

/* A cell of the layout: a template, or a value reference. */
typedef struct lcell {
	char *text;             /* template (when ref is NULL) */
	vref *ref;              /* value reference, or NULL */
} lcell;

typedef struct lcol {
	char *title;            /* header template */
	char *group;            /* header template of the span above it, or NULL */
	int align;              /* AL_AUTO, AL_LEFT, AL_RIGHT */
} lcol;

typedef struct ltable {
	char *id;               /* table id, e.g. "1-2" (for --table) */
	char *title;            /* title template */
	char **notes;           /* note templates printed under the table (nnotes) */
	size_t nnotes;
	lcol *cols;             /* columns (ncols) */
	size_t ncols;
	lcell *cells;           /* fixed rows: nrows x ncols */
	size_t nrows;
	char *from;             /* rows_from: the indicator, or NULL */
	char *by[MAX_BY];       /* rows_from: its breakdown fields (nby) */
	size_t nby;
	char *order[MAX_BY];    /* rows_from: sort fields (norder) */
	size_t norder;
	lcell *row;             /* rows_from: one row template (ncols) */
	int line, col;          /* where the table starts */
} ltable;

struct report_layout {
	char *path;             /* the layout file */
	char *heading;          /* heading template, or NULL */
	ltable *t;              /* tables (nt) */
	size_t nt;
};

/* A filled cell. */
typedef struct fcell {
	char *text;             /* what it shows (without its mark) */
	const char *mark;       /* footnote mark (static), or NULL */
	int isref;              /* it came from a value reference */
} fcell;

typedef struct ftable {
	char *title;            /* expanded title */
	char **head;            /* column headers (ncols) */
	char **group;           /* span headers, NULL entries when none (ncols) */
	int *right;             /* per column: right-aligned */
	size_t ncols;
	fcell *cells;           /* nrows x ncols */
	size_t nrows;
	char **notes;           /* expanded notes and footnotes, in order (nnotes) */
	size_t nnotes;
	int nmarks;             /* footnote marks used */
} ftable;

struct report_data {
	char *heading;          /* expanded heading, or NULL */
	ftable *t;              /* tables (nt) */
	size_t nt;
	char **warn;            /* warnings (nwarn) */
	size_t nwarn;
	size_t found;           /* values found */
};

/* ---- small helpers ---------------------------------------------------- */

/* A growable string. */
typedef struct sbuf {
	char *s;
	size_t n, cap;
	int oom;
} sbuf;

static void sb_addn(sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 64;
		while (nc < b->n + n + 1)
			nc *= 2;
		char *ns = realloc(b->s, nc);
		if (!ns) {
			b->oom = 1;
			return;
		}
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void sb_add(sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

/* The string (owned by the caller), or NULL when out of memory. */
static char *sb_take(sbuf *b)
{
	if (b->oom) {
		free(b->s);
		return NULL;
	}
	if (!b->s)
		return strdup("");
	return b->s;
}

static int push_str(char ***v, size_t *n, char *s)
{
	char **nv;
	if (!s)
		return -1;
	if (!(nv = realloc(*v, (*n + 1) * sizeof *nv))) {
		free(s);
		return -1;
	}
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

/* ---- templates -------------------------------------------------------- */

/* Template variables: name -> value (NULL = no value). */
typedef struct vars {
	const char *name[8 + MAX_BY];
	const char *value[8 + MAX_BY];
	size_t n;
} vars;

static void vars_set(vars *v, const char *name, const char *value)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->name[i], name) == 0) {
			v->value[i] = value;
			return;
		}
	if (v->n < sizeof v->name / sizeof v->name[0]) {
		v->name[v->n] = name;
		v->value[v->n++] = value;
	}
}

static const char *const base_vars[] = { "school_name", "school_code", "year", "year_start", "year_end",
					  "fiscal_year", NULL };

/* Check template s: {name} with name in base_vars or extra (nextra),
 * optional groups [...] (not nested), {{ }} [[ ]] for literal brackets.
 * 0, or -1 with what is wrong in bad. */
static int tmpl_check(const char *s, char *const *extra, size_t nextra, char *bad, size_t badlen)
{
	int ingroup = 0;
	for (const char *p = s; *p; p++) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}') || (p[0] == '[' && p[1] == '[') ||
		    (p[0] == ']' && p[1] == ']')) {
			p++;
			continue;
		}
		if (*p == '[') {
			if (ingroup)
				return snprintf(bad, badlen, "optional groups [...] cannot be nested"), -1;
			ingroup = 1;
		} else if (*p == ']') {
			if (!ingroup)
				return snprintf(bad, badlen, "\"]\" without \"[\" (write ]] for a bracket)"), -1;
			ingroup = 0;
		} else if (*p == '}') {
			return snprintf(bad, badlen, "\"}\" without \"{\" (write }} for a brace)"), -1;
		} else if (*p == '{') {
			const char *e = strchr(p, '}');
			size_t n;
			int known = 0;
			if (!e)
				return snprintf(bad, badlen, "\"{\" without \"}\" (write {{ for a brace)"), -1;
			n = (size_t)(e - p - 1);
			for (int i = 0; base_vars[i]; i++)
				if (strlen(base_vars[i]) == n && strncmp(base_vars[i], p + 1, n) == 0)
					known = 1;
			for (size_t i = 0; i < nextra; i++)
				if (strlen(extra[i]) == n && strncmp(extra[i], p + 1, n) == 0)
					known = 1;
			if (!known) {
				char list[512];
				size_t len = 0;
				list[0] = '\0';
				for (int i = 0; base_vars[i] && len < sizeof list; i++)
					len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
								base_vars[i]);
				for (size_t i = 0; i < nextra && len < sizeof list; i++)
					len += (size_t)snprintf(list + len, sizeof list - len, ", %s", extra[i]);
				snprintf(bad, badlen, "unknown variable {%.*s} (known: %s)", (int)n, p + 1, list);
				return -1;
			}
			p = e;
		}
	}
	if (ingroup)
		return snprintf(bad, badlen, "\"[\" without \"]\" (write [[ for a bracket)"), -1;
	return 0;
}

static const char *var_of(const vars *v, const char *name, size_t n, int *known)
{
	for (size_t i = v->n; i-- > 0;)
		if (strlen(v->name[i]) == n && strncmp(v->name[i], name, n) == 0) {
			*known = 1;
			return v->value[i];
		}
	*known = 0;
	return NULL;
}

/* Expand a checked template.  NULL when out of memory. */
static char *tmpl_expand(const char *s, const vars *v)
{
	sbuf out = { 0 }, grp = { 0 };
	int ingroup = 0, gempty = 0;

	for (const char *p = s; *p; p++) {
		sbuf *b = ingroup ? &grp : &out;
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}') || (p[0] == '[' && p[1] == '[') ||
		    (p[0] == ']' && p[1] == ']')) {
			sb_addn(b, p, 1);
			p++;
		} else if (*p == '[') {
			ingroup = 1;
			gempty = 0;
			grp.n = 0;
			if (grp.s)
				grp.s[0] = '\0';
		} else if (*p == ']') {
			if (!gempty && grp.n)
				sb_addn(&out, grp.s, grp.n);
			ingroup = 0;
		} else if (*p == '{') {
			const char *e = strchr(p, '}');
			int known;
			const char *val = var_of(v, p + 1, (size_t)(e - p - 1), &known);
			if (!val || !*val)
				gempty = 1;
			else
				sb_add(b, val);
			p = e;
		} else {
			sb_addn(b, p, 1);
		}
	}
	free(grp.s);
	if (grp.oom)
		out.oom = 1;
	return sb_take(&out);
}

/* ---- loading the layout ----------------------------------------------- */

typedef struct ld {
	const char *file;       /* the layout file */
	yaml_document_t doc;    /* its document */
	char *err;              /* caller's buffer */
	size_t errlen;
	int failed;             /* an error was recorded */
} ld;

__attribute__((format(printf, 3, 4)))
static int fail(ld *L, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	size_t k;

	if (L->failed)
		return -1;
	L->failed = 1;
	k = (size_t)snprintf(L->err, L->errlen, "%s:%zu:%zu: ", L->file, n ? n->start_mark.line + 1 : 1,
			     n ? n->start_mark.column + 1 : 1);
	if (k < L->errlen) {
		va_start(ap, fmt);
		vsnprintf(L->err + k, L->errlen - k, fmt, ap);
		va_end(ap);
	}
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
	if (tmpl_check(sval(n), extra, nextra, bad, sizeof bad) < 0) {
		fail(L, n, "%s: %s", what, bad);
		return NULL;
	}
	if (!(s = strdup(sval(n))))
		fail(L, n, "out of memory");
	return s;
}

/* format: integer, percent, or text with one %.Nf (or %d) and %% for %. */
static int read_format(ld *L, const yaml_node_t *n, vref *r)
{
	const char *s = sval(n), *conv = NULL;
	sbuf pre = { 0 }, suf = { 0 };
	size_t clen = 0;

	if (strcmp(s, "integer") == 0) {
		r->decimals = 0;
		return 0;
	}
	if (strcmp(s, "percent") == 0) {
		r->decimals = 2;
		r->suffix = strdup("%");
		return r->suffix ? 0 : fail(L, n, "out of memory");
	}
	for (const char *p = s; *p; p++) {
		sbuf *b = conv ? &suf : &pre;
		if (p[0] == '%' && p[1] == '%') {
			sb_addn(b, "%", 1);
			p++;
		} else if (*p == '%') {
			if (conv) {
				free(pre.s);
				free(suf.s);
				return fail(L, n, "format \"%s\" has more than one conversion", s);
			}
			if (p[1] == 'd') {
				r->decimals = 0;
				clen = 2;
			} else if (p[1] == '.' && p[2] >= '0' && p[2] <= '9' && p[3] == 'f') {
				r->decimals = p[2] - '0';
				clen = 4;
			} else {
				free(pre.s);
				free(suf.s);
				return fail(L, n, "format \"%s\": a number is written %%.Nf (N = 0..9) or %%d, "
					    "a percent sign %%%%; or use integer or percent", s);
			}
			conv = p;
			p += clen - 1;
		} else {
			sb_addn(b, p, 1);
		}
	}
	if (!conv) {
		free(pre.s);
		free(suf.s);
		return fail(L, n, "format \"%s\" has no %%.Nf or %%d (or use integer or percent)", s);
	}
	r->prefix = pre.n ? sb_take(&pre) : (free(pre.s), NULL);
	r->suffix = suf.n ? sb_take(&suf) : (free(suf.s), NULL);
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
	free(r->bd_keys);
	free(r->bd_vals);
	free(r->prefix);
	free(r->suffix);
	free(r->period);
	free(r);
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
	if (!(r = calloc(1, sizeof *r)))
		return fail(L, n, "out of memory");
	c->ref = r;
	r->decimals = -1;
	r->line = (int)n->start_mark.line + 1;
	r->col = (int)n->start_mark.column + 1;
	if (!(r->indicator = strdup(sval(v))))
		return fail(L, v, "out of memory");
	if ((v = get(L, n, "breakdown"))) {
		size_t k = 0, cnt;
		if (want(L, v, YAML_MAPPING_NODE, "breakdown") < 0)
			return -1;
		cnt = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
		if (!(r->bd_keys = calloc(cnt + 1, sizeof *r->bd_keys)) || !(r->bd_vals = calloc(cnt + 1, sizeof *r->bd_vals)))
			return fail(L, v, "out of memory");
		for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++, k++) {
			yaml_node_t *bk = node(L, p->key), *bv = node(L, p->value);
			if (want(L, bk, YAML_SCALAR_NODE, "a breakdown field") < 0)
				return -1;
			if (!(r->bd_keys[k] = strdup(sval(bk))))
				return fail(L, bk, "out of memory");
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
		if (!(v[(*cnt)++] = strdup(sval(f))))
			return fail(L, f, "out of memory");
	}
	return 0;
}

static int read_table(ld *L, const yaml_node_t *n, ltable *t)
{
	static const char *const keys[] = { "id", "title", "columns", "rows", "rows_from", "row", "notes", NULL };
	static const char *const colkeys[] = { "title", "group", "align", NULL };
	static const char *const fromkeys[] = { "indicator", "by", "order", NULL };
	yaml_node_t *v, *rows, *from;
	size_t k = 0;
	char *extra[MAX_BY + 1];
	size_t nextra = 0;

	t->line = (int)n->start_mark.line + 1;
	t->col = (int)n->start_mark.column + 1;
	if (want(L, n, YAML_MAPPING_NODE, "a table") < 0 || check_keys(L, n, "a table", keys) < 0)
		return -1;
	if (!(v = get(L, n, "id")) || want(L, v, YAML_SCALAR_NODE, "id") < 0)
		return L->failed ? -1 : fail(L, n, "a table needs an id (e.g. id: \"1-2\")");
	if (!(t->id = strdup(sval(v))))
		return fail(L, v, "out of memory");
	if (!(v = get(L, n, "title")))
		return fail(L, n, "table %s needs a title", t->id);
	if (!(t->title = tmpl_of(L, v, "title", NULL, 0)))
		return -1;
	if (!(v = get(L, n, "columns")) || want(L, v, YAML_SEQUENCE_NODE, "columns") < 0)
		return L->failed ? -1 : fail(L, n, "table %s needs columns", t->id);
	if (!(t->ncols = seq_len(v)))
		return fail(L, v, "table %s has no columns", t->id);
	if (!(t->cols = calloc(t->ncols, sizeof *t->cols)))
		return fail(L, v, "out of memory");
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
	if ((v = get(L, n, "notes"))) {
		if (want(L, v, YAML_SEQUENCE_NODE, "notes") < 0)
			return -1;
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			char *s = tmpl_of(L, node(L, *it), "a note", NULL, 0);
			if (!s || push_str(&t->notes, &t->nnotes, s) < 0)
				return L->failed ? -1 : fail(L, v, "out of memory");
		}
	}
	rows = get(L, n, "rows");
	from = get(L, n, "rows_from");
	if (!rows == !from)
		return fail(L, n, "table %s needs either rows (a list of rows) or rows_from with row", t->id);
	if (rows) {
		if (want(L, rows, YAML_SEQUENCE_NODE, "rows") < 0)
			return -1;
		if (get(L, n, "row"))
			return fail(L, get(L, n, "row"), "row (a template) goes with rows_from, not rows");
		t->nrows = seq_len(rows);
		if (!(t->cells = calloc(t->nrows * t->ncols + 1, sizeof *t->cells)))
			return fail(L, rows, "out of memory");
		k = 0;
		for (yaml_node_item_t *it = rows->data.sequence.items.start; it < rows->data.sequence.items.top; it++, k++)
			if (read_row(L, node(L, *it), &t->cells[k * t->ncols], t->ncols, NULL, 0) < 0)
				return -1;
		return 0;
	}
	if (want(L, from, YAML_MAPPING_NODE, "rows_from") < 0 || check_keys(L, from, "rows_from", fromkeys) < 0)
		return -1;
	if (!(v = get(L, from, "indicator")) || want(L, v, YAML_SCALAR_NODE, "indicator") < 0)
		return L->failed ? -1 : fail(L, from, "rows_from needs the indicator whose breakdowns give the rows");
	if (!(t->from = strdup(sval(v))))
		return fail(L, v, "out of memory");
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
	if (!(t->row = calloc(t->ncols, sizeof *t->row)))
		return fail(L, v, "out of memory");
	return read_row(L, v, t->row, t->ncols, extra, nextra);
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
		free(t->id);
		free(t->title);
		for (size_t j = 0; j < t->nnotes; j++)
			free(t->notes[j]);
		free(t->notes);
		for (size_t j = 0; j < t->ncols; j++) {
			free(t->cols[j].title);
			free(t->cols[j].group);
		}
		free(t->cols);
		cells_free(t->cells, t->nrows * t->ncols);
		free(t->from);
		for (size_t j = 0; j < t->nby; j++)
			free(t->by[j]);
		for (size_t j = 0; j < t->norder; j++)
			free(t->order[j]);
		cells_free(t->row, t->row ? t->ncols : 0);
	}
	free(l->t);
	free(l->heading);
	free(l->path);
	free(l);
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
		snprintf(err, errlen, "%s: cannot open the report layout: %s", path, strerror(errno));
		return NULL;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &L.doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", path, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1, parser.problem ? parser.problem : "YAML syntax error",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(f);
		return NULL;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	if (!(l = calloc(1, sizeof *l)) || !(l->path = strdup(path))) {
		free(l);
		yaml_document_delete(&L.doc);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
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
	if (!(l->t = calloc(seq_len(v) + 1, sizeof *l->t))) {
		fail(&L, v, "out of memory");
		goto out;
	}
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

/* ---- filling the tables ----------------------------------------------- */

/* Append s to a PostgreSQL array literal, quoted (NULL: NULL). */
static void arr_add(sbuf *b, const char *s)
{
	sb_add(b, b->n > 1 ? "," : "");
	if (!s) {
		sb_add(b, "NULL");
		return;
	}
	sb_add(b, "\"");
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_addn(b, "\\", 1);
		sb_addn(b, p, 1);
	}
	sb_add(b, "\"");
}

static void json_str(sbuf *b, const char *s)
{
	sb_add(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			sb_addn(b, esc, 2);
		} else if (*p < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			sb_add(b, esc);
		} else {
			sb_addn(b, (const char *)p, 1);
		}
	}
	sb_add(b, "\"");
}

/* A value wanted from the database: an expanded reference of a cell. */
typedef struct wanted {
	const vref *ref;        /* the layout's reference */
	char *bd;               /* breakdown as JSON */
	char *period;           /* period override, or NULL */
	fcell *cell;            /* where the result goes (index into a table, fixed up later) */
	size_t table, index;    /* which filled table and cell */
} wanted;

typedef struct filler {
	PGconn *conn;
	const report_layout *l;
	report_data *r;
	const char *school, *year;
	char fiscal[16];        /* the fiscal year of the academic year */
	vars base;              /* the report's template variables */
	wanted *w;              /* every value wanted (nw) */
	size_t nw, capw;
	char *err;
	size_t errlen;
} filler;

static int oom(filler *F)
{
	snprintf(F->err, F->errlen, "out of memory");
	return EXIT_INTERNAL;
}

static int db_fail(filler *F, PGresult *res, const char *what)
{
	const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(F->conn);
	size_t n = strlen(m);
	while (n && m[n - 1] == '\n')
		n--;
	snprintf(F->err, F->errlen, "%s: %.*s", what, (int)n, m);
	PQclear(res);
	return EXIT_DB;
}

static int warn(filler *F, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int warn(filler *F, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < F->r->nwarn; i++)
		if (strcmp(F->r->warn[i], buf) == 0)
			return 0;
	return push_str(&F->r->warn, &F->r->nwarn, strdup(buf));
}

/* Expand a layout cell into filled cell c (a value reference is queued). */
static int fill_cell(filler *F, const lcell *lc, const vars *v, size_t ti, size_t ci)
{
	ftable *ft = &F->r->t[ti];
	fcell *c = &ft->cells[ci];
	const vref *r = lc->ref;
	wanted *w;
	sbuf bd = { 0 };

	if (!r) {
		return (c->text = tmpl_expand(lc->text, v)) ? 0 : oom(F);
	}
	c->isref = 1;
	if (F->nw == F->capw) {
		size_t nc = F->capw ? F->capw * 2 : 64;
		wanted *nw = realloc(F->w, nc * sizeof *nw);
		if (!nw)
			return oom(F);
		F->w = nw;
		F->capw = nc;
	}
	w = &F->w[F->nw];
	memset(w, 0, sizeof *w);
	w->ref = r;
	w->table = ti;
	w->index = ci;
	sb_add(&bd, "{");
	for (size_t i = 0; i < r->nbd; i++) {
		char *val = NULL;
		if (i)
			sb_add(&bd, ", ");
		json_str(&bd, r->bd_keys[i]);
		sb_add(&bd, ": ");
		/* "{field}" of a field without a value is JSON null */
		if (r->bd_vals[i] && r->bd_vals[i][0] == '{' && strchr(r->bd_vals[i], '}')[1] == '\0') {
			int known;
			const char *s = var_of(v, r->bd_vals[i] + 1, strlen(r->bd_vals[i]) - 2, &known);
			if (known && !s) {
				sb_add(&bd, "null");
				continue;
			}
		}
		if (r->bd_vals[i] && !(val = tmpl_expand(r->bd_vals[i], v))) {
			free(bd.s);
			return oom(F);
		}
		if (val)
			json_str(&bd, val);
		else
			sb_add(&bd, "null");
		free(val);
	}
	sb_add(&bd, "}");
	if (!(w->bd = sb_take(&bd)))
		return oom(F);
	if (r->period && !(w->period = tmpl_expand(r->period, v))) {
		free(w->bd);
		return oom(F);
	}
	F->nw++;
	return 0;
}

/* The period expression shared by the queries: $1 school, $2 academic
 * year, $3 fiscal year; w.code, w.sem, w.period_override; i = the
 * indicator (LEFT JOINed). */
#define PERIOD_SQL                                                                                        \
	"CASE WHEN w.period_override <> '' THEN w.period_override "                                       \
	"WHEN i.period_type = 'fiscal_year' THEN $3::text "                                               \
	"WHEN i.period_type = 'semester' THEN $2::text || '-' || w.sem "                                  \
	"WHEN i.period_type = 'snapshot' THEN (SELECT v.period FROM vqr.indicator_value v "                \
	"  JOIN vqr.period sp ON sp.period = v.period JOIN vqr.period ay ON ay.period = $2::text "          \
	"  WHERE v.school_code = $1::text AND v.indicator_code = w.code AND sp.period_type = 'snapshot' "  \
	"  AND sp.start_date BETWEEN ay.start_date AND ay.end_date ORDER BY sp.start_date DESC LIMIT 1) " \
	"ELSE $2::text END"

typedef struct brow {
	char *f[MAX_BY];        /* field values (NULL = null) */
	const ltable *t;        /* for the sort order */
} brow;

static const ltable *sort_table;

/* Text order, except that two whole numbers ("2", "10") compare as numbers. */
static int cmp_val(const char *a, const char *b)
{
	size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
	if (la && lb && !a[la] && !b[lb] && la < 19 && lb < 19) {
		long long x = atoll(a), y = atoll(b);
		return x < y ? -1 : x > y;
	}
	return strcmp(a, b);
}

static int cmp_brow(const void *a, const void *b)
{
	const brow *x = a, *y = b;
	const ltable *t = sort_table;
	for (size_t i = 0; i < t->norder; i++) {
		size_t k = 0;
		int c;
		while (strcmp(t->by[k], t->order[i]))
			k++;
		if (!x->f[k] || !y->f[k]) {
			if (x->f[k] != y->f[k])
				return x->f[k] ? -1 : 1;
			continue;
		}
		if ((c = cmp_val(x->f[k], y->f[k])))
			return c;
	}
	for (size_t k = 0; k < t->nby; k++) {
		int c;
		if (!x->f[k] || !y->f[k]) {
			if (x->f[k] != y->f[k])
				return x->f[k] ? -1 : 1;
			continue;
		}
		if ((c = strcmp(x->f[k], y->f[k])))
			return c;
	}
	return 0;
}

/* The rows of a rows_from table: the breakdowns of its indicator with
 * exactly the by fields, in the table's period. */
static int fill_from(filler *F, const ltable *t, size_t ti)
{
	ftable *ft = &F->r->t[ti];
	sbuf sql = { 0 }, keys = { 0 };
	const char *p[5 + MAX_BY];
	char nby[8];
	PGresult *res;
	brow *rows = NULL;
	size_t n;
	int rc = 0;

	sb_add(&keys, "{");
	for (size_t i = 0; i < t->nby; i++)
		arr_add(&keys, t->by[i]);
	sb_add(&keys, "}");
	sb_add(&sql, "WITH w AS (SELECT $4::text AS code, 0 AS sem, ''::text AS period_override) "
		     "SELECT DISTINCT b.breakdown::text");
	for (size_t i = 0; i < t->nby; i++) {
		char col[64];
		snprintf(col, sizeof col, ", b.breakdown->>$%zu::text", 7 + i);
		sb_add(&sql, col);
	}
	sb_add(&sql, ", i.indicator_code IS NULL FROM w LEFT JOIN vqr.indicator i ON i.indicator_code = w.code "
		     "LEFT JOIN vqr.indicator_value b ON b.school_code = $1::text AND b.indicator_code = w.code "
		     "AND b.period = (" PERIOD_SQL ") AND b.breakdown ?& $5::text[] "
		     "AND (SELECT count(*) FROM jsonb_object_keys(b.breakdown)) = $6::int");
	snprintf(nby, sizeof nby, "%zu", t->nby);
	if (!sql.s || sql.oom || !keys.s || keys.oom) {
		free(sql.s);
		free(keys.s);
		return oom(F);
	}
	p[0] = F->school;
	p[1] = F->year;
	p[2] = F->fiscal;
	p[3] = t->from;
	p[4] = keys.s;
	p[5] = nby;
	for (size_t i = 0; i < t->nby; i++)
		p[6 + i] = t->by[i];
	res = PQexecParams(F->conn, sql.s, (int)(6 + t->nby), NULL, p, NULL, NULL, 0);
	free(sql.s);
	free(keys.s);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return db_fail(F, res, "report: the rows of a table");
	n = 0;
	if (PQntuples(res) && PQgetvalue(res, 0, (int)t->nby + 1)[0] == 't') {
		if (warn(F, "%s:%d:%d: table %s: indicator %s is not in the database's catalog", F->l->path, t->line,
			 t->col, t->id, t->from) < 0) {
			PQclear(res);
			return oom(F);
		}
	}
	if (!(rows = calloc((size_t)PQntuples(res) + 1, sizeof *rows))) {
		PQclear(res);
		return oom(F);
	}
	for (int i = 0; i < PQntuples(res); i++) {
		if (PQgetisnull(res, i, 0))
			continue;
		for (size_t k = 0; k < t->nby; k++)
			rows[n].f[k] = PQgetisnull(res, i, (int)k + 1) ? NULL : PQgetvalue(res, i, (int)k + 1);
		n++;
	}
	sort_table = t;
	qsort(rows, n, sizeof *rows, cmp_brow);
	ft->nrows = n;
	F->r->found += n;
	if (!(ft->cells = calloc(n * t->ncols + 1, sizeof *ft->cells)))
		rc = oom(F);
	for (size_t i = 0; i < n && !rc; i++) {
		vars v = F->base;
		char num[24];
		snprintf(num, sizeof num, "%zu", i + 1);
		vars_set(&v, "n", num);
		for (size_t k = 0; k < t->nby; k++)
			vars_set(&v, t->by[k], rows[i].f[k]);
		for (size_t c = 0; c < t->ncols && !rc; c++)
			rc = fill_cell(F, &t->row[c], &v, ti, i * t->ncols + c);
	}
	free(rows);
	PQclear(res);
	return rc;
}

static const char *const marks[] = { "†", "‡", "§", "¶", "††", "‡‡", "§§", "¶¶" };

/* Format a number text with the reference's prefix and suffix. */
static char *with_affixes(const vref *r, const char *num)
{
	sbuf b = { 0 };
	if (r->prefix)
		sb_add(&b, r->prefix);
	sb_add(&b, num);
	if (r->suffix)
		sb_add(&b, r->suffix);
	return sb_take(&b);
}

/* Every wanted value in one query. */
static int fetch_values(filler *F)
{
	static const char *sql =
		"WITH w AS (SELECT * FROM unnest($4::text[], $5::jsonb[], $6::int[], $7::text[], $8::int[]) "
		"  WITH ORDINALITY AS w(code, bd, sem, period_override, dec, i)) "
		"SELECT w.i, i.period_type, p.period, "
		"  CASE WHEN w.dec < 0 THEN trim_scale(round(c.value, 2))::text ELSE round(c.value, w.dec)::text END, "
		"  CASE WHEN w.dec < 0 THEN trim_scale(round(r.value, 2))::text ELSE round(r.value, w.dec)::text END, "
		"  r.value::text, "
		"  c.value IS NOT NULL AND r.value IS NOT NULL "
		"    AND abs(c.value - r.value) > 0.5 * power(10::numeric, -scale(r.value)) "
		"FROM w LEFT JOIN vqr.indicator i ON i.indicator_code = w.code "
		"CROSS JOIN LATERAL (SELECT " PERIOD_SQL " AS period) p "
		"LEFT JOIN vqr.indicator_value c ON c.school_code = $1::text AND c.period = p.period "
		"  AND c.indicator_code = w.code AND c.breakdown = w.bd AND c.value_type = 'computed' "
		"LEFT JOIN vqr.indicator_value r ON r.school_code = $1::text AND r.period = p.period "
		"  AND r.indicator_code = w.code AND r.breakdown = w.bd AND r.value_type = 'reported' "
		"ORDER BY w.i";
	sbuf a[5] = { { 0 } };
	const char *p[8];
	PGresult *res;
	int rc = 0;

	if (!F->nw)
		return 0;
	for (int k = 0; k < 5; k++)
		sb_add(&a[k], "{");
	for (size_t i = 0; i < F->nw; i++) {
		char num[16];
		arr_add(&a[0], F->w[i].ref->indicator);
		arr_add(&a[1], F->w[i].bd);
		snprintf(num, sizeof num, "%d", F->w[i].ref->semester);
		arr_add(&a[2], num);
		arr_add(&a[3], F->w[i].period ? F->w[i].period : "");
		snprintf(num, sizeof num, "%d", F->w[i].ref->decimals);
		arr_add(&a[4], num);
	}
	for (int k = 0; k < 5; k++) {
		sb_add(&a[k], "}");
		if (a[k].oom)
			rc = oom(F);
		p[3 + k] = a[k].s;
	}
	p[0] = F->school;
	p[1] = F->year;
	p[2] = F->fiscal;
	res = rc ? NULL : PQexecParams(F->conn, sql, 8, NULL, p, NULL, NULL, 0);
	for (int k = 0; k < 5; k++)
		free(a[k].s);
	if (rc)
		return rc;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return db_fail(F, res, "report: the values");
	for (int row = 0; row < PQntuples(res) && !rc; row++) {
		size_t i = (size_t)atol(PQgetvalue(res, row, 0)) - 1;
		const wanted *w = &F->w[i];
		const vref *r = w->ref;
		ftable *ft = &F->r->t[w->table];
		fcell *c = &ft->cells[w->index];
		const char *ptype = PQgetisnull(res, row, 1) ? NULL : PQgetvalue(res, row, 1);
		const char *shown = NULL;
		int differs = PQgetvalue(res, row, 6)[0] == 't';

		if (!ptype)
			rc = warn(F, "%s:%d:%d: indicator %s is not in the database's catalog", F->l->path, r->line,
				  r->col, r->indicator);
		else if (strcmp(ptype, "semester") == 0 && !r->semester && !w->period)
			rc = warn(F, "%s:%d:%d: indicator %s is counted per semester: say semester: 1 or 2",
				  F->l->path, r->line, r->col, r->indicator);
		else if (strcmp(ptype, "semester") != 0 && r->semester)
			rc = warn(F, "%s:%d:%d: indicator %s is counted per %s, not per semester", F->l->path,
				  r->line, r->col, r->indicator, ptype);
		if (rc < 0)
			return oom(F);
		if (r->reported)
			shown = PQgetisnull(res, row, 4) ? NULL : PQgetvalue(res, row, 4);
		else if (!PQgetisnull(res, row, 3))
			shown = PQgetvalue(res, row, 3);
		else if (!PQgetisnull(res, row, 4))
			shown = PQgetvalue(res, row, 4);
		if (!shown) {
			if (!(c->text = strdup("—")))
				rc = oom(F);
			continue;
		}
		F->r->found++;
		if (!(c->text = with_affixes(r, shown))) {
			rc = oom(F);
			continue;
		}
		if (differs && !r->reported) {
			char *rep = with_affixes(r, PQgetvalue(res, row, 5));
			char note[512];
			int m = ft->nmarks < 8 ? ft->nmarks : 7;
			if (!rep)
				return oom(F);
			c->mark = marks[m];
			if (ft->nmarks < 8)
				ft->nmarks++;
			snprintf(note, sizeof note, "%s 报告填报 %s，按明细计算 %s / reported %s, computed %s", marks[m],
				 rep, c->text, rep, c->text);
			free(rep);
			if (push_str(&ft->notes, &ft->nnotes, strdup(note)) < 0)
				rc = oom(F);
		}
	}
	PQclear(res);
	return rc;
}

static int year_ok(const char *y, char *fiscal, size_t flen)
{
	int a, b;
	char tail;
	if (strlen(y) != 9 || sscanf(y, "%4d-%4d%c", &a, &b, &tail) != 2 || b != a + 1 || y[4] != '-')
		return 0;
	snprintf(fiscal, flen, "%d", a);
	return 1;
}

int report_fetch(PGconn *conn, const report_layout *l, const char *school, const char *year, const char *only_id,
		 report_data **out, char *err, size_t errlen)
{
	filler F = { .conn = conn, .l = l, .school = school, .year = year, .err = err, .errlen = errlen };
	const char *p[1] = { school };
	char ystart[8], yend[8];
	PGresult *res;
	int rc = 0;
	size_t nt = 0;

	*out = NULL;
	if (!year_ok(year, F.fiscal, sizeof F.fiscal)) {
		snprintf(err, errlen, "--year %s: an academic year is written like 2022-2023", year);
		return EXIT_USAGE;
	}
	snprintf(ystart, sizeof ystart, "%.4s", year);
	snprintf(yend, sizeof yend, "%.4s", year + 5);
	res = PQexecParams(conn, "SELECT name FROM vqr.school WHERE school_code = $1", 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return db_fail(&F, res, "report: the school");
	if (!PQntuples(res)) {
		PQclear(res);
		res = PQexec(conn, "SELECT string_agg(school_code, ', ' ORDER BY school_code) FROM vqr.school");
		snprintf(err, errlen, "school %s is not in the database (it has: %s)", school,
			 PQresultStatus(res) == PGRES_TUPLES_OK && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0)
											  : "none");
		PQclear(res);
		return EXIT_USAGE;
	}
	if (!(F.r = calloc(1, sizeof *F.r)) || !(F.r->t = calloc(l->nt + 1, sizeof *F.r->t))) {
		PQclear(res);
		free(F.r);
		return oom(&F);
	}
	vars_set(&F.base, "school_name", PQgetvalue(res, 0, 0));
	vars_set(&F.base, "school_code", school);
	vars_set(&F.base, "year", year);
	vars_set(&F.base, "year_start", ystart);
	vars_set(&F.base, "year_end", yend);
	vars_set(&F.base, "fiscal_year", F.fiscal);
	if (l->heading && !(F.r->heading = tmpl_expand(l->heading, &F.base)))
		rc = oom(&F);
	for (size_t i = 0; i < l->nt && !rc; i++) {
		const ltable *t = &l->t[i];
		ftable *ft = &F.r->t[nt];
		if (only_id && strcmp(t->id, only_id) != 0)
			continue;
		nt++;
		F.r->nt = nt;
		ft->ncols = t->ncols;
		if (!(ft->title = tmpl_expand(t->title, &F.base)) || !(ft->head = calloc(t->ncols, sizeof *ft->head)) ||
		    !(ft->group = calloc(t->ncols, sizeof *ft->group)) || !(ft->right = calloc(t->ncols, sizeof *ft->right))) {
			rc = oom(&F);
			break;
		}
		for (size_t c = 0; c < t->ncols && !rc; c++) {
			if (!(ft->head[c] = tmpl_expand(t->cols[c].title, &F.base)) ||
			    (t->cols[c].group && !(ft->group[c] = tmpl_expand(t->cols[c].group, &F.base))))
				rc = oom(&F);
			if (t->cols[c].align == AL_AUTO) {
				const lcell *cells = t->row ? t->row : t->cells;
				size_t nr = t->row ? 1 : t->nrows;
				for (size_t k = 0; k < nr; k++)
					if (cells[k * t->ncols + c].ref)
						ft->right[c] = 1;
			} else {
				ft->right[c] = t->cols[c].align == AL_RIGHT;
			}
		}
		for (size_t k = 0; k < t->nnotes && !rc; k++)
			if (push_str(&ft->notes, &ft->nnotes, tmpl_expand(t->notes[k], &F.base)) < 0)
				rc = oom(&F);
		if (rc)
			break;
		if (t->from) {
			rc = fill_from(&F, t, nt - 1);
			continue;
		}
		ft->nrows = t->nrows;
		if (!(ft->cells = calloc(t->nrows * t->ncols + 1, sizeof *ft->cells))) {
			rc = oom(&F);
			break;
		}
		for (size_t k = 0; k < t->nrows * t->ncols && !rc; k++)
			rc = fill_cell(&F, &t->cells[k], &F.base, nt - 1, k);
	}
	PQclear(res);
	if (!rc)
		rc = fetch_values(&F);
	for (size_t i = 0; i < F.nw; i++) {
		free(F.w[i].bd);
		free(F.w[i].period);
	}
	free(F.w);
	if (rc) {
		report_data_free(F.r);
		return rc;
	}
	*out = F.r;
	return 0;
}

const char *report_warning(const report_data *r, size_t i)
{
	return i < r->nwarn ? r->warn[i] : NULL;
}

size_t report_values_found(const report_data *r)
{
	return r->found;
}

void report_data_free(report_data *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nt; i++) {
		ftable *t = &r->t[i];
		free(t->title);
		for (size_t c = 0; c < t->ncols; c++) {
			if (t->head)
				free(t->head[c]);
			if (t->group)
				free(t->group[c]);
		}
		free(t->head);
		free(t->group);
		free(t->right);
		if (t->cells)
			for (size_t k = 0; k < t->nrows * t->ncols; k++)
				free(t->cells[k].text);
		free(t->cells);
		for (size_t k = 0; k < t->nnotes; k++)
			free(t->notes[k]);
		free(t->notes);
	}
	free(r->t);
	for (size_t i = 0; i < r->nwarn; i++)
		free(r->warn[i]);
	free(r->warn);
	free(r->heading);
	free(r);
}

/* ---- writing ---------------------------------------------------------- */

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

static void spaces(sbuf *b, int n)
{
	for (; n > 0; n--)
		sb_addn(b, " ", 1);
}

/* Print a line without trailing spaces. */
static void put_line(FILE *out, sbuf *b)
{
	size_t n = b->n;
	while (n && b->s[n - 1] == ' ')
		n--;
	fprintf(out, "%.*s\n", (int)n, b->s ? b->s : "");
	b->n = 0;
	if (b->s)
		b->s[0] = '\0';
}

static void write_text_table(const ftable *t, FILE *out)
{
	int *w = calloc(t->ncols + 1, sizeof *w), *mw = calloc(t->ncols + 1, sizeof *mw);
	sbuf line = { 0 };
	int groups = 0;

	if (!w || !mw) {
		free(w);
		free(mw);
		return;
	}
	fprintf(out, "%s\n\n", t->title);
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
	/* a group label wider than its span widens the span's last column */
	for (size_t c = 0; c < t->ncols && groups;) {
		size_t e = c + 1;
		int span;
		if (!t->group[c]) {
			c++;
			continue;
		}
		while (e < t->ncols && t->group[e] && strcmp(t->group[e], t->group[c]) == 0)
			e++;
		span = 2 * (int)(e - c - 1);
		for (size_t k = c; k < e; k++)
			span += w[k];
		if (dwidth(t->group[c]) > span)
			w[e - 1] += dwidth(t->group[c]) - span;
		c = e;
	}
	if (groups) {
		for (size_t c = 0; c < t->ncols;) {
			size_t e = c + 1;
			int span, gw, left;
			if (c)
				spaces(&line, 2);
			if (!t->group[c]) {
				spaces(&line, w[c]);
				c++;
				continue;
			}
			while (e < t->ncols && t->group[e] && strcmp(t->group[e], t->group[c]) == 0)
				e++;
			span = 2 * (int)(e - c - 1);
			for (size_t k = c; k < e; k++)
				span += w[k];
			gw = dwidth(t->group[c]);
			left = (span - gw) / 2;
			spaces(&line, left);
			sb_add(&line, t->group[c]);
			spaces(&line, span - gw - left);
			c = e;
		}
		put_line(out, &line);
	}
	for (size_t c = 0; c < t->ncols; c++) {
		int pad = w[c] - dwidth(t->head[c]);
		if (c)
			spaces(&line, 2);
		if (t->right[c])
			spaces(&line, pad);
		sb_add(&line, t->head[c]);
		if (!t->right[c])
			spaces(&line, pad);
	}
	put_line(out, &line);
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			spaces(&line, 2);
		for (int k = 0; k < w[c]; k++)
			sb_addn(&line, "-", 1);
	}
	put_line(out, &line);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const fcell *x = &t->cells[r * t->ncols + c];
			int tw = dwidth(x->text), mk = x->mark ? dwidth(x->mark) : 0;
			if (c)
				spaces(&line, 2);
			if (t->right[c]) {
				spaces(&line, w[c] - mw[c] - tw);
				sb_add(&line, x->text);
				if (x->mark)
					sb_add(&line, x->mark);
				spaces(&line, mw[c] - mk);
			} else {
				sb_add(&line, x->text);
				if (x->mark)
					sb_add(&line, x->mark);
				spaces(&line, w[c] - tw - mk);
			}
		}
		put_line(out, &line);
	}
	if (t->nnotes)
		fputc('\n', out);
	for (size_t k = 0; k < t->nnotes; k++)
		fprintf(out, "%s\n", t->notes[k]);
	free(line.s);
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

static void write_md_table(const ftable *t, FILE *out)
{
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
	for (size_t k = 0; k < t->nnotes; k++) {
		fputc('\n', out);
		md_text(out, t->notes[k]);
		fputc('\n', out);
	}
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

static void write_csv_table(const ftable *t, FILE *out)
{
	csv_field(out, t->title, NULL, 1);
	fputs("\r\n", out);
	for (size_t c = 0; c < t->ncols; c++) {
		char *h = NULL;
		if (t->group[c]) {
			sbuf b = { 0 };
			sb_add(&b, t->group[c]);
			sb_add(&b, " ");
			sb_add(&b, t->head[c]);
			h = sb_take(&b);
		}
		csv_field(out, h ? h : t->head[c], NULL, c == 0);
		free(h);
	}
	fputs("\r\n", out);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const fcell *x = &t->cells[r * t->ncols + c];
			csv_field(out, x->text, x->mark, c == 0);
		}
		fputs("\r\n", out);
	}
	for (size_t k = 0; k < t->nnotes; k++) {
		csv_field(out, t->notes[k], NULL, 1);
		fputs("\r\n", out);
	}
}

int report_write(const report_data *r, report_format fmt, FILE *out)
{
	if (r->heading) {
		if (fmt == REPORT_TEXT)
			fprintf(out, "%s\n\n", r->heading);
		else if (fmt == REPORT_MARKDOWN)
			fprintf(out, "# %s\n\n", r->heading);
		else {
			csv_field(out, r->heading, NULL, 1);
			fputs("\r\n\r\n", out);
		}
	}
	for (size_t i = 0; i < r->nt; i++) {
		if (i)
			fputs(fmt == REPORT_CSV ? "\r\n" : "\n", out);
		if (fmt == REPORT_TEXT)
			write_text_table(&r->t[i], out);
		else if (fmt == REPORT_MARKDOWN)
			write_md_table(&r->t[i], out);
		else
			write_csv_table(&r->t[i], out);
	}
	return ferror(out) ? -1 : 0;
}
