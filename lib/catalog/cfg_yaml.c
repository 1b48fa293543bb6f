/*
 * cfg_yaml.c - cfg_load's YAML side (see cfg_yaml.h): reading files and
 * their includes as libyaml documents, which keep every node's mark, and
 * the helpers that read nodes, with errors at file:line:col.
 */
#include "lib/catalog/cfg.h"
#include "lib/catalog/cfg_yaml.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- small helpers ---------------------------------------------------- */

int yl_vfail(loader *L, const char *file, size_t line, size_t col, const char *fmt, va_list ap)
{
	char *msg;

	if (L->failed)
		return -1;
	L->failed = 1;
	msg = xvasprintf(fmt, ap);
	err_set(L->err, L->errlen, "%s:%zu:%zu: %s", file, line, col, msg);
	free(msg);
	return -1;
}

int yl_fail(loader *L, const ydoc *d, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yl_vfail(L, d->file, m.line + 1, m.column + 1, fmt, ap);
	va_end(ap);
	return -1;
}

int yl_fail_at(loader *L, const cfg_mark *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yl_vfail(L, m->file, (size_t)m->line, (size_t)m->col, fmt, ap);
	va_end(ap);
	return -1;
}

cfg_mark yl_mark_of(const ydoc *d, const yaml_node_t *n)
{
	cfg_mark m = { d->file, (int)n->start_mark.line + 1,
		       (int)n->start_mark.column + 1 };
	return m;
}

yaml_node_t *yl_node(const ydoc *d, int i)
{
	return yaml_document_get_node((yaml_document_t *)&d->doc, i);
}

int yl_is_scalar(const yaml_node_t *n) { return n && n->type == YAML_SCALAR_NODE; }

const char *yl_sval(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

int yl_scalar_is(const yaml_node_t *n, const char *s)
{
	return yl_is_scalar(n) && strcmp(yl_sval(n), s) == 0;
}

/* A YAML null: an empty plain scalar, ~ or null. */
int yl_is_null(const yaml_node_t *n)
{
	if (!yl_is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return n->data.scalar.length == 0 || strcmp(yl_sval(n), "~") == 0 ||
	       strcmp(yl_sval(n), "null") == 0;
}

int yl_want_kind(loader *L, const ydoc *d, const yaml_node_t *n,
		     yaml_node_type_t t, const char *what)
{
	static const char *names[] = { "nothing", "a scalar", "a list", "a mapping" };
	if (n->type == t)
		return 0;
	return yl_fail(L, d, n->start_mark, "%s must be %s, found %s", what,
		    names[t], names[n->type]);
}

/* Copy a scalar's text.  NULL (and an error) when it is not a scalar. */
char *yl_str_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what)
{
	if (yl_want_kind(L, d, n, YAML_SCALAR_NODE, what) < 0)
		return NULL;
	return xstrndup(yl_sval(n), n->data.scalar.length);
}

int yl_bool_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what, int *out)
{
	static const char *yes[] = { "true", "yes", "on", "True", "TRUE", NULL };
	static const char *no[] = { "false", "no", "off", "False", "FALSE", NULL };
	if (yl_want_kind(L, d, n, YAML_SCALAR_NODE, what) < 0)
		return -1;
	for (int i = 0; yes[i]; i++)
		if (strcmp(yl_sval(n), yes[i]) == 0)
			return *out = 1, 0;
	for (int i = 0; no[i]; i++)
		if (strcmp(yl_sval(n), no[i]) == 0)
			return *out = 0, 0;
	return yl_fail(L, d, n->start_mark, "%s must be true or false, found \"%s\"", what, yl_sval(n));
}

int yl_num_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what, double *out)
{
	char *end;
	if (yl_want_kind(L, d, n, YAML_SCALAR_NODE, what) < 0)
		return -1;
	errno = 0;
	*out = strtod(yl_sval(n), &end);
	if (end == yl_sval(n) || *end || errno)
		return yl_fail(L, d, n->start_mark, "%s must be a number, found \"%s\"", what, yl_sval(n));
	return 0;
}

int yl_int_in(loader *L, const ydoc *d, const yaml_node_t *n, const char *what, int lo, int hi, int *out)
{
	double x;

	if (yl_num_of(L, d, n, what, &x) < 0)
		return -1;
	if (x < lo || x > hi || x != (int)x)
		return yl_fail(L, d, n->start_mark, "%s must be %d..%d", what, lo, hi);
	*out = (int)x;
	return 0;
}

int yl_share_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what, const char *why, double *out)
{
	if (yl_num_of(L, d, n, what, out) < 0)
		return -1;
	if (*out < 0 || *out > 1)
		return yl_fail(L, d, n->start_mark, "%s must be between 0 and 1 (%s)", what, why);
	return 0;
}

int yl_names_of(loader *L, const ydoc *d, const yaml_node_t *n, char **zh, char **en)
{
	yaml_node_t *v;

	if ((v = yl_get(d, n, "name_zh")) && !(*zh = yl_str_of(L, d, v, "name_zh")))
		return -1;
	if ((v = yl_get(d, n, "name_en")) && !(*en = yl_str_of(L, d, v, "name_en")))
		return -1;
	return 0;
}

int yl_names_set(loader *L, const ydoc *d, const yaml_node_t *n, char **zh, char **en)
{
	char *z = NULL, *e = NULL;

	if (yl_names_of(L, d, n, &z, &e) < 0) {
		FREE_ALL(z, e);
		return -1;
	}
	if (z) {
		free(*zh);
		*zh = z;
	}
	if (e) {
		free(*en);
		*en = e;
	}
	return 0;
}

int yl_count_top(loader *L, ydoc *d, const char *key, yaml_node_type_t t, size_t *total)
{
	yaml_node_t *n = yl_get(d, yaml_document_get_root_node(&d->doc), key);

	if (!n || yl_is_null(n))
		return 0;
	if (yl_want_kind(L, d, n, t, key) < 0)
		return -1;
	if (t == YAML_SEQUENCE_NODE)
		*total += (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	else
		*total += (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	return 0;
}

/* A NULL-terminated array of strings from a scalar or a list of scalars. */
char **yl_strlist_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what)
{
	char **v;
	size_t k = 0, cnt;

	if (yl_is_scalar(n)) {
		v = xcalloc(2, sizeof *v);
		if (!(v[0] = yl_str_of(L, d, n, what))) {
			free(v);
			return NULL;
		}
		return v;
	}
	if (yl_want_kind(L, d, n, YAML_SEQUENCE_NODE, what) < 0)
		return NULL;
	cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	v = xcalloc(cnt + 1, sizeof *v);
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		if (!(v[k] = yl_str_of(L, d, yl_node(d, *it), what)))
			break;
		k++;
	}
	if (L->failed) {
		for (size_t i = 0; i < k; i++)
			free(v[i]);
		free(v);
		return NULL;
	}
	return v;
}

void yl_strlist_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

/* The index in names[0..n) of scalar v's text, into *out; else an error
 * "what \"X\" is not one of A, B, C". */
int yl_name_of(loader *L, const ydoc *d, const yaml_node_t *v, const char *what, const char *const *names,
		   int n, int *out)
{
	str list = STR_INIT;

	if (yl_want_kind(L, d, v, YAML_SCALAR_NODE, what) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(yl_sval(v), names[i]) == 0)
			return *out = i, 0;
	for (int i = 0; i < n; i++)
		str_addf(&list, "%s%s", i ? ", " : "", names[i]);
	yl_fail(L, d, v->start_mark, "%s \"%s\" is not one of %s", what, yl_sval(v), str_cstr(&list));
	str_free(&list);
	return -1;
}

/* Into out: head's keys (may be NULL), every aggregation function's name,
 * then tail's keys, NULL-terminated (out has room for all of them). */
void yl_keys_with_aggfns(const char **out, const char *const *head, const char *const *tail)
{
	size_t k = 0;

	for (size_t i = 0; head && head[i]; i++)
		out[k++] = head[i];
	for (aggfn_id i = 0; i < AGGFN_N; i++)
		out[k++] = aggfn_name(i);
	for (size_t i = 0; tail[i]; i++)
		out[k++] = tail[i];
	out[k] = NULL;
}

/* Check that every key of mapping n is one of `allowed` (NULL-terminated). */
int yl_check_keys(loader *L, const ydoc *d, const yaml_node_t *n,
		      const char *what, const char *const *allowed)
{
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yl_node(d, p->key);
		int found = 0;
		str list = STR_INIT;

		if (!yl_is_scalar(k))
			return yl_fail(L, d, k->start_mark, "keys of %s must be plain words", what);
		for (int i = 0; allowed[i]; i++)
			if (strcmp(yl_sval(k), allowed[i]) == 0)
				found = 1;
		if (found)
			continue;
		for (int i = 0; allowed[i]; i++)
			str_addf(&list, "%s%s", i ? ", " : "", allowed[i]);
		yl_fail(L, d, k->start_mark, "unknown key \"%s\" in %s (expected one of: %s)", yl_sval(k), what,
			str_cstr(&list));
		str_free(&list);
		return -1;
	}
	return 0;
}

/* The value of key in mapping n, or NULL. */
yaml_node_t *yl_get(const ydoc *d, const yaml_node_t *n, const char *key)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++)
		if (yl_scalar_is(yl_node(d, p->key), key))
			return yl_node(d, p->value);
	return NULL;
}

/* Resolve path against dir unless absolute.  Caller frees. */
char *yl_resolve_path(const char *dir, const char *path)
{
	if (path[0] == '/' || !dir)
		return xstrdup(path);
	return xasprintf("%s/%s", dir, path);
}

static char *dir_of(const char *path)
{
	char buf[PATH_MAX];
	char *slash;

	if (!realpath(path, buf))
		return NULL;
	slash = strrchr(buf, '/');
	if (slash == buf)
		slash[1] = '\0';
	else
		*slash = '\0';
	return xstrdup(buf);
}

/* ---- reading files ---------------------------------------------------- */

int yl_read_file(loader *L, const char *path, const ydoc *from, yaml_mark_t at)
{
	FILE *f;
	yaml_parser_t parser;
	ydoc *d;
	char *copy;

	if (L->ndocs == MAX_FILES)
		return yl_fail(L, from, at, "more than %d configuration files", MAX_FILES);
	for (int i = 0; i < L->ndocs; i++)
		if (strcmp(L->docs[i].file, path) == 0)
			return yl_fail(L, from, at, "\"%s\" is included twice", path);
	f = fopen(path, "rb");
	if (!f) {
		if (from)
			return yl_fail(L, from, at, "cannot open included file \"%s\": %s",
				    path, strerror(errno));
		L->failed = 1;
		return err_set(L->err, L->errlen, "%s: cannot open: %s", path, strerror(errno));
	}
	copy = xstrdup(path);
	L->c->files[L->c->nfiles++] = copy;
	d = &L->docs[L->ndocs];
	d->file = copy;
	d->dir = dir_of(path);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &d->doc)) {
		err_set(L->err, L->errlen, "%s:%zu:%zu: %s%s%s", path,
			parser.problem_mark.line + 1, parser.problem_mark.column + 1,
			parser.problem ? parser.problem : "YAML syntax error",
			parser.context ? " " : "", parser.context ? parser.context : "");
		L->failed = 1;
		yaml_parser_delete(&parser);
		fclose(f);
		free(d->dir);
		return -1;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	L->ndocs++;
	if (!yaml_document_get_root_node(&d->doc)) {
		L->failed = 1;
		return err_set(L->err, L->errlen, "%s:1:1: the file is empty", path);
	}
	return 0;
}

/* Read the file's `include:` list, recursively. */
int yl_read_includes(loader *L, int di, int depth)
{
	ydoc *d = &L->docs[di];
	yaml_node_t *root = yaml_document_get_root_node(&d->doc);
	yaml_node_t *inc = yl_get(d, root, "include");

	if (!inc || yl_is_null(inc))
		return 0;
	if (depth >= MAX_INCLUDE_DEPTH)
		return yl_fail(L, d, inc->start_mark, "includes nested deeper than %d", MAX_INCLUDE_DEPTH);
	if (yl_want_kind(L, d, inc, YAML_SEQUENCE_NODE, "include") < 0)
		return -1;
	for (yaml_node_item_t *it = inc->data.sequence.items.start;
	     it < inc->data.sequence.items.top; it++) {
		yaml_node_t *n = yl_node(d, *it);
		char *p;
		int child;

		if (yl_want_kind(L, d, n, YAML_SCALAR_NODE, "an include") < 0)
			return -1;
		p = yl_resolve_path(d->dir, yl_sval(n));
		child = L->ndocs;
		if (yl_read_file(L, p, d, n->start_mark) < 0) {
			free(p);
			return -1;
		}
		free(p);
		d = &L->docs[di]; /* stable: docs is an array, not reallocated */
		if (yl_read_includes(L, child, depth + 1) < 0)
			return -1;
	}
	return 0;
}
