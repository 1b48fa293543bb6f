/*
 * cfg.c - load vqr's YAML configuration with libyaml; see cfg.h.
 *
 * Every file is loaded as a libyaml document (so every node keeps its
 * mark), all documents are kept until the end of cfg_load, and the
 * configuration is read in three passes: the deployment settings from the
 * main file, then the sources of every file, then the indicators of every
 * file (indicators name sources and their fields, which must be known to
 * type-check the filters).  Strings are copied out of the documents, so a
 * cfg does not depend on libyaml once loaded.
 */
#include "lib/catalog/cfg.h"
#include "lib/util/sha256.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_FILES 64
#define MAX_INCLUDE_DEPTH 8

typedef struct ydoc {
	yaml_document_t doc;    /* the parsed file */
	const char *file;       /* its path (owned by the cfg) */
	char *dir;              /* its directory, for relative paths */
} ydoc;

typedef struct loader {
	cfg *c;                 /* what is being built */
	ydoc docs[MAX_FILES];   /* every file read */
	int ndocs;
	char *err;              /* caller's buffer */
	size_t errlen;
	int failed;             /* an error was recorded */
} loader;

/* ---- small helpers ---------------------------------------------------- */

static char *xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

__attribute__((format(printf, 4, 5)))
static int fail(loader *L, const ydoc *d, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (L->failed)
		return -1;
	L->failed = 1;
	n = (size_t)snprintf(L->err, L->errlen, "%s:%zu:%zu: ", d->file,
			     m.line + 1, m.column + 1);
	if (n < L->errlen) {
		va_start(ap, fmt);
		vsnprintf(L->err + n, L->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static cfg_mark mark_of(const ydoc *d, const yaml_node_t *n)
{
	cfg_mark m = { d->file, (int)n->start_mark.line + 1,
		       (int)n->start_mark.column + 1 };
	return m;
}

static yaml_node_t *node(const ydoc *d, int i)
{
	return yaml_document_get_node((yaml_document_t *)&d->doc, i);
}

static int is_scalar(const yaml_node_t *n) { return n && n->type == YAML_SCALAR_NODE; }

static const char *sval(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static int scalar_is(const yaml_node_t *n, const char *s)
{
	return is_scalar(n) && strcmp(sval(n), s) == 0;
}

/* A YAML null: an empty plain scalar, ~ or null. */
static int is_null(const yaml_node_t *n)
{
	if (!is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return n->data.scalar.length == 0 || strcmp(sval(n), "~") == 0 ||
	       strcmp(sval(n), "null") == 0;
}

static int want_kind(loader *L, const ydoc *d, const yaml_node_t *n,
		     yaml_node_type_t t, const char *what)
{
	static const char *names[] = { "nothing", "a scalar", "a list", "a mapping" };
	if (n->type == t)
		return 0;
	return fail(L, d, n->start_mark, "%s must be %s, found %s", what,
		    names[t], names[n->type]);
}

/* Copy a scalar's text.  NULL (and an error) when it is not a scalar. */
static char *str_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what)
{
	char *s;
	if (want_kind(L, d, n, YAML_SCALAR_NODE, what) < 0)
		return NULL;
	s = xstrndup(sval(n), n->data.scalar.length);
	if (!s)
		fail(L, d, n->start_mark, "out of memory");
	return s;
}

static int bool_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what, int *out)
{
	static const char *yes[] = { "true", "yes", "on", "True", "TRUE", NULL };
	static const char *no[] = { "false", "no", "off", "False", "FALSE", NULL };
	if (want_kind(L, d, n, YAML_SCALAR_NODE, what) < 0)
		return -1;
	for (int i = 0; yes[i]; i++)
		if (strcmp(sval(n), yes[i]) == 0)
			return *out = 1, 0;
	for (int i = 0; no[i]; i++)
		if (strcmp(sval(n), no[i]) == 0)
			return *out = 0, 0;
	return fail(L, d, n->start_mark, "%s must be true or false, found \"%s\"", what, sval(n));
}

static int num_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what, double *out)
{
	char *end;
	if (want_kind(L, d, n, YAML_SCALAR_NODE, what) < 0)
		return -1;
	errno = 0;
	*out = strtod(sval(n), &end);
	if (end == sval(n) || *end || errno)
		return fail(L, d, n->start_mark, "%s must be a number, found \"%s\"", what, sval(n));
	return 0;
}

/* A NULL-terminated array of strings from a scalar or a list of scalars. */
static char **strlist_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what)
{
	char **v;
	size_t k = 0, cnt;

	if (is_scalar(n)) {
		v = calloc(2, sizeof *v);
		if (!v || !(v[0] = str_of(L, d, n, what))) {
			free(v);
			return NULL;
		}
		return v;
	}
	if (want_kind(L, d, n, YAML_SEQUENCE_NODE, what) < 0)
		return NULL;
	cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	v = calloc(cnt + 1, sizeof *v);
	if (!v) {
		fail(L, d, n->start_mark, "out of memory");
		return NULL;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		if (!(v[k] = str_of(L, d, node(d, *it), what)))
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

static void strlist_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static const char *const kind_names[CFG_KIND_N] = { "count", "amount", "mean", "rate" };
static const char *const aggregate_names[CFG_AGGREGATE_N] = { "sum", "ratio_of_sums", "weighted_mean", "none" };

/* The index in names[0..n) of scalar v's text, into *out; else an error
 * "what \"X\" is not one of A, B, C". */
static int name_of(loader *L, const ydoc *d, const yaml_node_t *v, const char *what, const char *const *names,
		   int n, int *out)
{
	str list = STR_INIT;

	if (want_kind(L, d, v, YAML_SCALAR_NODE, what) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(sval(v), names[i]) == 0)
			return *out = i, 0;
	for (int i = 0; i < n; i++)
		str_addf(&list, "%s%s", i ? ", " : "", names[i]);
	fail(L, d, v->start_mark, "%s \"%s\" is not one of %s", what, sval(v), str_cstr(&list));
	str_free(&list);
	return -1;
}

/* Into out: head's keys (may be NULL), every aggregation function's name,
 * then tail's keys, NULL-terminated (out has room for all of them). */
static void keys_with_aggfns(const char **out, const char *const *head, const char *const *tail)
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
static int check_keys(loader *L, const ydoc *d, const yaml_node_t *n,
		      const char *what, const char *const *allowed)
{
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(d, p->key);
		int found = 0;
		char list[512] = "";
		size_t len = 0;

		if (!is_scalar(k))
			return fail(L, d, k->start_mark, "keys of %s must be plain words", what);
		for (int i = 0; allowed[i]; i++)
			if (strcmp(sval(k), allowed[i]) == 0)
				found = 1;
		if (found)
			continue;
		for (int i = 0; allowed[i] && len < sizeof list; i++)
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
						i ? ", " : "", allowed[i]);
		return fail(L, d, k->start_mark, "unknown key \"%s\" in %s (expected one of: %s)",
			    sval(k), what, list);
	}
	return 0;
}

/* The value of key in mapping n, or NULL. */
static yaml_node_t *get(const ydoc *d, const yaml_node_t *n, const char *key)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++)
		if (scalar_is(node(d, p->key), key))
			return node(d, p->value);
	return NULL;
}

/* Resolve path against dir unless absolute.  Caller frees. */
static char *resolve_path(const char *dir, const char *path)
{
	size_t n;
	char *p;

	if (path[0] == '/' || !dir)
		return strdup(path);
	n = strlen(dir) + strlen(path) + 2;
	p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, path);
	return p;
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
	return strdup(buf);
}

/* ---- reading files ---------------------------------------------------- */

static int read_file(loader *L, const char *path, const ydoc *from, yaml_mark_t at)
{
	FILE *f;
	yaml_parser_t parser;
	ydoc *d;
	char *copy;

	if (L->ndocs == MAX_FILES)
		return fail(L, from, at, "more than %d configuration files", MAX_FILES);
	for (int i = 0; i < L->ndocs; i++)
		if (strcmp(L->docs[i].file, path) == 0)
			return fail(L, from, at, "\"%s\" is included twice", path);
	f = fopen(path, "rb");
	if (!f) {
		if (from)
			return fail(L, from, at, "cannot open included file \"%s\": %s",
				    path, strerror(errno));
		snprintf(L->err, L->errlen, "%s: cannot open: %s", path, strerror(errno));
		L->failed = 1;
		return -1;
	}
	copy = strdup(path);
	L->c->files[L->c->nfiles++] = copy;
	d = &L->docs[L->ndocs];
	d->file = copy;
	d->dir = dir_of(path);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &d->doc)) {
		snprintf(L->err, L->errlen, "%s:%zu:%zu: %s%s%s", path,
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
		snprintf(L->err, L->errlen, "%s:1:1: the file is empty", path);
		L->failed = 1;
		return -1;
	}
	return 0;
}

/* Read the file's `include:` list, recursively. */
static int read_includes(loader *L, int di, int depth)
{
	ydoc *d = &L->docs[di];
	yaml_node_t *root = yaml_document_get_root_node(&d->doc);
	yaml_node_t *inc = get(d, root, "include");

	if (!inc || is_null(inc))
		return 0;
	if (depth >= MAX_INCLUDE_DEPTH)
		return fail(L, d, inc->start_mark, "includes nested deeper than %d", MAX_INCLUDE_DEPTH);
	if (want_kind(L, d, inc, YAML_SEQUENCE_NODE, "include") < 0)
		return -1;
	for (yaml_node_item_t *it = inc->data.sequence.items.start;
	     it < inc->data.sequence.items.top; it++) {
		yaml_node_t *n = node(d, *it);
		char *p;
		int child;

		if (want_kind(L, d, n, YAML_SCALAR_NODE, "an include") < 0)
			return -1;
		p = resolve_path(d->dir, sval(n));
		child = L->ndocs;
		if (read_file(L, p, d, n->start_mark) < 0) {
			free(p);
			return -1;
		}
		free(p);
		d = &L->docs[di]; /* stable: docs is an array, not reallocated */
		if (read_includes(L, child, depth + 1) < 0)
			return -1;
	}
	return 0;
}

/* ---- deployment settings ---------------------------------------------- */

static const char *const top_keys[] = {
	"school", "database", "pii_key_file", "embedded", "paths", "include", "sources", "indicators",
	"checks", "reported_check", "fail_on", "limits", NULL
};

/* A whole number of bytes in [1, 2^40] for limits.<key>: 0, or -1 (error set). */
static int limit_bytes(loader *L, const ydoc *d, const yaml_node_t *lim, const char *key,
		       long long *out)
{
	yaml_node_t *v = get(d, lim, key);
	char what[64];
	double b;

	if (!v || is_null(v))
		return 0;
	snprintf(what, sizeof what, "limits.%s", key);
	if (num_of(L, d, v, what, &b) < 0)
		return -1;
	if (b < 1 || b > (double)(1LL << 40) || b != (double)(long long)b)
		return fail(L, d, v->start_mark, "%s must be a whole number of bytes, 1..%lld",
			    what, 1LL << 40);
	*out = (long long)b;
	return 0;
}

/* The deployment's `limits:` block (defaults for what it leaves out). */
static int read_limits(loader *L, const ydoc *d, const yaml_node_t *root)
{
	static const char *const limit_keys[] = { "max_record_bytes", "max_field_bytes",
						  "max_inflation_ratio",
						  "max_shared_strings_bytes", NULL };
	cfg_limits *lm = &L->c->limits;
	yaml_node_t *n = get(d, root, "limits"), *v;

	lm->max_record_bytes = CFG_MAX_RECORD_BYTES;
	lm->max_field_bytes = CFG_MAX_FIELD_BYTES;
	lm->max_inflation_ratio = CFG_MAX_INFLATION;
	lm->max_shared_strings_bytes = CFG_MAX_SHARED_BYTES;
	if (!n || is_null(n))
		return 0;
	if (want_kind(L, d, n, YAML_MAPPING_NODE, "limits") < 0 ||
	    check_keys(L, d, n, "limits", limit_keys) < 0 ||
	    limit_bytes(L, d, n, "max_record_bytes", &lm->max_record_bytes) < 0 ||
	    limit_bytes(L, d, n, "max_field_bytes", &lm->max_field_bytes) < 0 ||
	    limit_bytes(L, d, n, "max_shared_strings_bytes", &lm->max_shared_strings_bytes) < 0)
		return -1;
	if ((v = get(d, n, "max_inflation_ratio")) && !is_null(v)) {
		if (num_of(L, d, v, "limits.max_inflation_ratio", &lm->max_inflation_ratio) < 0)
			return -1;
		if (!(lm->max_inflation_ratio >= 1 && lm->max_inflation_ratio <= 1e6))
			return fail(L, d, v->start_mark,
				    "limits.max_inflation_ratio must be between 1 and 1000000");
	}
	if (lm->max_field_bytes > lm->max_record_bytes) {
		v = get(d, n, "max_field_bytes");
		return fail(L, d, v ? v->start_mark : n->start_mark,
			    "limits.max_field_bytes (%lld) is larger than limits.max_record_bytes (%lld)",
			    lm->max_field_bytes, lm->max_record_bytes);
	}
	return 0;
}

static int read_deployment(loader *L)
{
	const ydoc *d = &L->docs[0];
	yaml_node_t *root = yaml_document_get_root_node((yaml_document_t *)&d->doc);
	yaml_node_t *n, *v;
	cfg *c = L->c;
	static const char *const school_keys[] = { "code", "name", "region", NULL };
	static const char *const emb_keys[] = { "dir", "user", "port", NULL };
	static const char *const path_keys[] = { "inbox", "staging", "archive", "quarantine",
						  "settle_seconds", "done_marker", "keep_staging_days", NULL };
	struct { const char *key; char **dst; const char *def; } paths[] = {
		{ "inbox", &c->inbox, "var/inbox" },
		{ "staging", &c->staging, "var/staging" },
		{ "archive", &c->archive, "var/archive" },
		{ "quarantine", &c->quarantine, "var/quarantine" },
	};

	if (want_kind(L, d, root, YAML_MAPPING_NODE, "the configuration") < 0 ||
	    check_keys(L, d, root, "the configuration", top_keys) < 0)
		return -1;

	n = get(d, root, "school");
	if (!n)
		return fail(L, d, root->start_mark, "missing \"school\" (code and name of the school)");
	if (want_kind(L, d, n, YAML_MAPPING_NODE, "school") < 0 ||
	    check_keys(L, d, n, "school", school_keys) < 0)
		return -1;
	if (!(v = get(d, n, "code")) || is_null(v))
		return fail(L, d, n->start_mark, "school needs a \"code\"");
	if (!(c->school_code = str_of(L, d, v, "school.code")))
		return -1;
	if (!(v = get(d, n, "name")) || is_null(v))
		return fail(L, d, n->start_mark, "school needs a \"name\"");
	if (!(c->school_name = str_of(L, d, v, "school.name")))
		return -1;
	if ((v = get(d, n, "region")) && !is_null(v) &&
	    !(c->school_region = str_of(L, d, v, "school.region")))
		return -1;

	n = get(d, root, "database");
	if (n && !is_null(n)) {
		if (!(c->database = str_of(L, d, n, "database")))
			return -1;
		if (!c->database[0]) {
			free(c->database);
			c->database = NULL;
		}
	}

	if (read_limits(L, d, root) < 0)
		return -1;

	c->fail_on = -1;
	n = get(d, root, "fail_on");
	if (n && !is_null(n)) {
		if (scalar_is(n, "error"))
			c->fail_on = CFG_ERROR;
		else if (scalar_is(n, "warning"))
			c->fail_on = CFG_WARNING;
		else if (!scalar_is(n, "never"))
			return fail(L, d, n->start_mark, "fail_on must be error, warning or never");
	}

	n = get(d, root, "pii_key_file");
	if (n && !is_null(n)) {
		char *k = str_of(L, d, n, "pii_key_file");
		if (!k)
			return -1;
		c->pii_key_file = resolve_path(d->dir, k);
		free(k);
	}

	n = get(d, root, "embedded");
	c->embedded_port = 5432;
	if (n && !is_null(n)) {
		if (want_kind(L, d, n, YAML_MAPPING_NODE, "embedded") < 0 ||
		    check_keys(L, d, n, "embedded", emb_keys) < 0)
			return -1;
		if ((v = get(d, n, "dir"))) {
			char *s = str_of(L, d, v, "embedded.dir");
			if (!s)
				return -1;
			c->embedded_dir = resolve_path(d->dir, s);
			free(s);
		}
		if ((v = get(d, n, "user")) && !(c->embedded_user = str_of(L, d, v, "embedded.user")))
			return -1;
		if ((v = get(d, n, "port"))) {
			double p;
			if (num_of(L, d, v, "embedded.port", &p) < 0)
				return -1;
			if (p < 1 || p > 65535 || p != (int)p)
				return fail(L, d, v->start_mark, "embedded.port must be 1..65535");
			c->embedded_port = (int)p;
		}
	}
	if (!c->embedded_dir)
		c->embedded_dir = resolve_path(d->dir, "var/pg");
	if (!c->embedded_user)
		c->embedded_user = strdup("postgres");

	n = get(d, root, "paths");
	if (n && !is_null(n) &&
	    (want_kind(L, d, n, YAML_MAPPING_NODE, "paths") < 0 ||
	     check_keys(L, d, n, "paths", path_keys) < 0))
		return -1;
	c->settle_seconds = 60;
	if ((v = get(d, n, "settle_seconds"))) {
		double sec;
		if (num_of(L, d, v, "settle_seconds", &sec) < 0)
			return -1;
		if (sec < 0 || sec > 86400 || sec != (int)sec)
			return fail(L, d, v->start_mark, "settle_seconds must be a whole number of seconds, 0..86400");
		c->settle_seconds = (int)sec;
	}
	if ((v = get(d, n, "done_marker")) && bool_of(L, d, v, "done_marker", &c->done_marker) < 0)
		return -1;
	c->keep_staging_days = 30;
	if ((v = get(d, n, "keep_staging_days"))) {
		double days;
		if (num_of(L, d, v, "keep_staging_days", &days) < 0)
			return -1;
		if (days < 0 || days > 36500 || days != (int)days)
			return fail(L, d, v->start_mark, "keep_staging_days must be a whole number of days, 0..36500 (0: keep them)");
		c->keep_staging_days = (int)days;
	}
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		v = get(d, n, paths[i].key);
		if (v && !is_null(v)) {
			char *s = str_of(L, d, v, paths[i].key);
			if (!s)
				return -1;
			*paths[i].dst = resolve_path(d->dir, s);
			free(s);
		} else {
			*paths[i].dst = resolve_path(d->dir, paths[i].def);
		}
		if (!*paths[i].dst)
			return fail(L, d, root->start_mark, "out of memory");
	}
	return 0;
}

/* ---- sources ----------------------------------------------------------- */

const char *cfg_ftype_name(cfg_ftype t)
{
	static const char *names[] = { "text", "integer", "decimal", "date", "bool", "enum", "percent" };
	return names[t];
}

val_type cfg_val_type(cfg_ftype t)
{
	switch (t) {
	case CFG_INTEGER: return VAL_INTEGER;
	case CFG_DECIMAL: return VAL_DECIMAL;
	case CFG_DATE: return VAL_DATE;
	case CFG_BOOL: return VAL_BOOL;
	case CFG_PERCENT: return VAL_PERCENT;
	case CFG_TEXT:
	case CFG_ENUM: break;
	}
	return VAL_TEXT;
}

static int is_ident(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static char *norm_dup(const char *s)
{
	char buf[1024];
	val_norm_key(s, strlen(s), buf, sizeof buf);
	return strdup(buf);
}

static int read_enum(loader *L, const ydoc *d, cfg_field *f, yaml_node_t *n)
{
	size_t cnt;

	if (want_kind(L, d, n, YAML_MAPPING_NODE, "values (label: [synonyms])") < 0)
		return -1;
	cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (cnt == 0)
		return fail(L, d, n->start_mark, "an enum needs at least one value");
	f->values = calloc(cnt, sizeof *f->values);
	if (!f->values)
		return fail(L, d, n->start_mark, "out of memory");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(d, p->key), *v = node(d, p->value);
		cfg_enumval *e = &f->values[f->nvalues];
		size_t ns = 0;

		if (!(e->value = str_of(L, d, k, "an enum value")))
			return -1;
		f->nvalues++;
		if (is_null(v))
			e->synonyms = calloc(1, sizeof *e->synonyms);
		else
			e->synonyms = strlist_of(L, d, v, "synonyms of an enum value");
		if (!e->synonyms)
			return L->failed ? -1 : fail(L, d, v->start_mark, "out of memory");
		while (e->synonyms[ns])
			ns++;
		e->keys = calloc(ns + 2, sizeof *e->keys);
		if (!e->keys || !(e->keys[0] = norm_dup(e->value)))
			return fail(L, d, k->start_mark, "out of memory");
		for (size_t i = 0; i < ns; i++)
			if (!(e->keys[i + 1] = norm_dup(e->synonyms[i])))
				return fail(L, d, k->start_mark, "out of memory");
	}
	/* A label may not mean two values. */
	for (size_t i = 0; i < f->nvalues; i++)
		for (size_t j = 0; j < f->nvalues; j++)
			for (size_t a = 0; f->values[i].keys[a]; a++)
				for (size_t b = 0; f->values[j].keys[b]; b++)
					if ((i != j || a != b) &&
					    strcmp(f->values[i].keys[a], f->values[j].keys[b]) == 0)
						return fail(L, d, n->start_mark,
							    "enum label \"%s\" is given twice (for \"%s\" and \"%s\")",
							    f->values[i].keys[a], f->values[i].value,
							    f->values[j].value);
	return 0;
}

static int read_field(loader *L, const ydoc *d, cfg_field *f, yaml_node_t *k, yaml_node_t *n)
{
	static const char *const keys[] = {
		"header", "synonyms", "type", "required", "not_null", "pii",
		"min", "max", "max_length", "scale", "values", "percent", "excel_serial", "indicator", NULL
	};
	static const struct { const char *name; cfg_ftype t; } types[] = {
		{ "text", CFG_TEXT }, { "integer", CFG_INTEGER }, { "decimal", CFG_DECIMAL },
		{ "date", CFG_DATE }, { "bool", CFG_BOOL }, { "enum", CFG_ENUM },
		{ "percent", CFG_PERCENT },
	};
	yaml_node_t *v;
	int found = 0;

	f->mark = mark_of(d, k);
	f->col = -1;
	f->indicator = -1;
	if (!(f->name = str_of(L, d, k, "a field name")))
		return -1;
	if (!is_ident(f->name))
		return fail(L, d, k->start_mark,
			    "field name \"%s\" must be an ASCII identifier (letters, digits, _)", f->name);
	if (want_kind(L, d, n, YAML_MAPPING_NODE, "a field definition") < 0 ||
	    check_keys(L, d, n, "a field definition", keys) < 0)
		return -1;
	if (!(v = get(d, n, "header")))
		return fail(L, d, n->start_mark, "field \"%s\" needs a \"header\" (its column title in the export)", f->name);
	if (!(f->header = str_of(L, d, v, "header")))
		return -1;
	if ((v = get(d, n, "synonyms")))
		f->synonyms = strlist_of(L, d, v, "synonyms");
	else
		f->synonyms = calloc(1, sizeof *f->synonyms);
	if (!f->synonyms)
		return L->failed ? -1 : fail(L, d, n->start_mark, "out of memory");
	if (!(v = get(d, n, "type")))
		return fail(L, d, n->start_mark, "field \"%s\" needs a \"type\"", f->name);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (scalar_is(v, types[i].name)) {
			f->type = types[i].t;
			found = 1;
		}
	if (!found)
		return fail(L, d, v->start_mark,
			    "unknown type \"%s\" (expected text, integer, decimal, date, bool, enum or percent)",
			    is_scalar(v) ? sval(v) : "?");
	if ((v = get(d, n, "required")) && bool_of(L, d, v, "required", &f->required) < 0)
		return -1;
	if ((v = get(d, n, "indicator"))) {
		if (!(f->indicator_code = str_of(L, d, v, "indicator")))
			return -1;
		if (f->type != CFG_INTEGER && f->type != CFG_DECIMAL && f->type != CFG_PERCENT &&
		    f->type != CFG_TEXT)
			return fail(L, d, v->start_mark, "a column holding indicator \"%s\" must be a number (or text)",
				    f->indicator_code);
	}
	if ((v = get(d, n, "not_null")) && bool_of(L, d, v, "not_null", &f->not_null) < 0)
		return -1;
	if ((v = get(d, n, "pii"))) {
		if (scalar_is(v, "drop"))
			f->pii = CFG_PII_DROP;
		else if (scalar_is(v, "pseudonymise") || scalar_is(v, "pseudonymize"))
			f->pii = CFG_PII_PSEUDONYMISE;
		else if (scalar_is(v, "none") || scalar_is(v, "false"))
			f->pii = CFG_PII_NONE;
		else
			return fail(L, d, v->start_mark, "pii must be drop, pseudonymise or none");
		if (f->pii == CFG_PII_PSEUDONYMISE && f->type != CFG_TEXT)
			return fail(L, d, v->start_mark, "only text fields can be pseudonymised");
		if (f->pii == CFG_PII_PSEUDONYMISE && !L->c->pii_key_file)
			return fail(L, d, v->start_mark,
				    "field \"%s\" is to be pseudonymised, but the configuration names no pii_key_file", f->name);
	}
	f->pct = VAL_PCT_AUTO;
	if ((v = get(d, n, "percent"))) {
		if (f->type != CFG_PERCENT)
			return fail(L, d, v->start_mark, "\"percent\" applies to percent fields");
		if (scalar_is(v, "percent"))
			f->pct = VAL_PCT_PERCENT;
		else if (scalar_is(v, "fraction"))
			f->pct = VAL_PCT_FRACTION;
		else if (!scalar_is(v, "auto"))
			return fail(L, d, v->start_mark,
				    "percent must be percent (94.82 means 94.82%%), fraction (0.9482 means 94.82%%) or auto");
	}
	if ((v = get(d, n, "excel_serial"))) {
		if (bool_of(L, d, v, "excel_serial", &f->excel_serial) < 0)
			return -1;
		if (f->type != CFG_DATE)
			return fail(L, d, v->start_mark, "excel_serial applies to date fields");
	}
	if ((v = get(d, n, "min"))) {
		if (num_of(L, d, v, "min", &f->min) < 0)
			return -1;
		f->has_min = 1;
	}
	if ((v = get(d, n, "max"))) {
		if (num_of(L, d, v, "max", &f->max) < 0)
			return -1;
		f->has_max = 1;
	}
	if ((f->has_min || f->has_max) && f->type != CFG_INTEGER &&
	    f->type != CFG_DECIMAL && f->type != CFG_PERCENT)
		return fail(L, d, n->start_mark, "min/max apply to numbers, not to %s field \"%s\"",
			    cfg_ftype_name(f->type), f->name);
	f->max_length = f->type == CFG_TEXT ? CFG_TEXT_MAX_LENGTH : 0;
	if ((v = get(d, n, "max_length"))) {
		double ml;
		if (num_of(L, d, v, "max_length", &ml) < 0)
			return -1;
		if (f->type != CFG_TEXT)
			return fail(L, d, v->start_mark, "max_length applies to text fields, not to %s field \"%s\"",
				    cfg_ftype_name(f->type), f->name);
		if (ml < 1 || ml > 100000 || ml != (int)ml)
			return fail(L, d, v->start_mark, "max_length must be a whole number of characters from 1 to 100000");
		f->max_length = (int)ml;
	}
	if ((v = get(d, n, "scale"))) {
		if (num_of(L, d, v, "scale", &f->scale) < 0)
			return -1;
		if (f->type != CFG_INTEGER && f->type != CFG_DECIMAL)
			return fail(L, d, v->start_mark, "scale applies to integer and decimal fields");
		if (f->scale <= 0)
			return fail(L, d, v->start_mark, "scale must be positive");
	}
	v = get(d, n, "values");
	if (f->type == CFG_ENUM) {
		if (!v)
			return fail(L, d, n->start_mark, "enum field \"%s\" needs \"values\"", f->name);
		return read_enum(L, d, f, v);
	}
	if (v)
		return fail(L, d, v->start_mark, "\"values\" applies to enum fields only");
	return 0;
}

static int field_index(const cfg_source *s, const char *name)
{
	for (size_t i = 0; i < s->nfields; i++)
		if (strcmp(s->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The field of s named by scalar v for the period's `what`, of type want
 * (or also of type alt), or -1 after an error. */
static int period_field(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *v, const char *what,
			cfg_ftype want, int alt)
{
	int i = is_scalar(v) ? field_index(s, sval(v)) : -1;
	if (i < 0)
		return fail(L, d, v->start_mark, "period %s \"%s\" is not a field of source \"%s\"", what,
			    is_scalar(v) ? sval(v) : "?", s->name);
	if (s->fields[i].type != want && (alt < 0 || s->fields[i].type != (cfg_ftype)alt))
		return fail(L, d, v->start_mark, "period %s \"%s\" is a %s field, not %s", what, sval(v),
			    cfg_ftype_name(s->fields[i].type),
			    want == CFG_DATE ? "a date" : want == CFG_INTEGER ? "an integer" : "text");
	if (s->fields[i].pii == CFG_PII_DROP)
		return fail(L, d, v->start_mark, "period %s \"%s\" is dropped as personal data", what, sval(v));
	return i;
}

static int read_period(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *n)
{
	static const char *const keys[] = { "type", "date", "year", "field", NULL };
	yaml_node_t *v;

	s->period_date = s->period_year = s->period_field = -1;
	if (want_kind(L, d, n, YAML_MAPPING_NODE, "period") < 0 ||
	    check_keys(L, d, n, "period", keys) < 0)
		return -1;
	v = get(d, n, "type");
	if (!v || !is_scalar(v) || period_type_parse(sval(v), &s->period) < 0)
		return fail(L, d, v ? v->start_mark : n->start_mark,
			    "period type must be academic_year (1 September to 31 August), semester, "
			    "fiscal_year (calendar year) or snapshot (a day)");
	if ((v = get(d, n, "date")) && (s->period_date = period_field(L, d, s, v, "date", CFG_DATE, -1)) < 0)
		return -1;
	if ((v = get(d, n, "year"))) {
		if (s->period != PERIOD_ACADEMIC_YEAR && s->period != PERIOD_FISCAL_YEAR)
			return fail(L, d, v->start_mark, "a %s cannot be found from a year; give a \"date\"",
				    period_type_name(s->period));
		if ((s->period_year = period_field(L, d, s, v, "year", CFG_INTEGER, -1)) < 0)
			return -1;
	}
	if ((v = get(d, n, "field"))) {
		if (s->period != PERIOD_ACADEMIC_YEAR)
			return fail(L, d, v->start_mark, "\"field\" (a written academic year) applies to academic_year periods");
		if ((s->period_field = period_field(L, d, s, v, "field", CFG_TEXT, CFG_ENUM)) < 0)
			return -1;
	}
	if (s->period_date < 0 && s->period_year < 0 && s->period_field < 0)
		return fail(L, d, n->start_mark, "period needs a \"date\"%s field",
			    s->period == PERIOD_ACADEMIC_YEAR ? ", a \"year\" or a \"field\""
			    : s->period == PERIOD_FISCAL_YEAR ? " or a \"year\"" : "");
	return 0;
}

/* A field name of s for the reported-source key `what`, as an index, or -1 after an error. */
static int reported_field(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *n, const char *what)
{
	yaml_node_t *v = get(d, n, what);
	int i;
	if (!v)
		return fail(L, d, n->start_mark, "a long-form reported source needs \"%s\"", what);
	i = is_scalar(v) ? field_index(s, sval(v)) : -1;
	if (i < 0)
		return fail(L, d, v->start_mark, "%s \"%s\" is not a field of source \"%s\"", what,
			    is_scalar(v) ? sval(v) : "?", s->name);
	if (s->fields[i].col < 0)
		return fail(L, d, v->start_mark, "%s \"%s\" is dropped as personal data", what, sval(v));
	if (s->fields[i].type != CFG_TEXT && s->fields[i].type != CFG_ENUM &&
	    (strcmp(what, "indicator_field") == 0 || (s->fields[i].type != CFG_DECIMAL &&
						      s->fields[i].type != CFG_INTEGER &&
						      s->fields[i].type != CFG_PERCENT)))
		return fail(L, d, v->start_mark, "%s \"%s\" must be a text field", what, sval(v));
	s->used[s->fields[i].col] = 1;
	return i;
}

/* kind: reported - form, indicator_field, value_field, by. */
static int read_reported(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *n)
{
	yaml_node_t *v;
	size_t nind = 0;

	s->ind_field = s->value_field = -1;
	v = get(d, n, "form");
	if (!v || scalar_is(v, "long"))
		s->wide = 0;
	else if (scalar_is(v, "wide"))
		s->wide = 1;
	else
		return fail(L, d, v->start_mark, "form must be long (one row per figure) or wide (one column per indicator)");
	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].indicator_code) {
			if (!s->wide)
				return fail(L, d, (yaml_mark_t){ 0, (size_t)s->fields[i].mark.line - 1,
							 (size_t)s->fields[i].mark.col - 1 },
					    "field \"%s\" names an indicator, but the source is long form (use form: wide)",
					    s->fields[i].name);
			if (s->fields[i].col < 0)
				return fail(L, d, n->start_mark, "field \"%s\" holds a figure but is dropped", s->fields[i].name);
			s->used[s->fields[i].col] = 1;
			nind++;
		}
	if (s->wide) {
		if (get(d, n, "indicator_field") || get(d, n, "value_field"))
			return fail(L, d, n->start_mark, "a wide reported source names its indicators per field (indicator: CODE), not with indicator_field/value_field");
		if (!nind)
			return fail(L, d, n->start_mark, "a wide reported source needs fields with \"indicator: CODE\"");
	} else {
		if ((s->ind_field = reported_field(L, d, s, n, "indicator_field")) < 0 ||
		    (s->value_field = reported_field(L, d, s, n, "value_field")) < 0)
			return -1;
	}
	if ((v = get(d, n, "by")) && !is_null(v)) {
		size_t cnt = 0;
		if (!(s->rby_names = strlist_of(L, d, v, "by")))
			return -1;
		while (s->rby_names[cnt])
			cnt++;
		if (!(s->rby = calloc(cnt ? cnt : 1, sizeof *s->rby)))
			return fail(L, d, v->start_mark, "out of memory");
		for (size_t i = 0; i < cnt; i++) {
			int fi = field_index(s, s->rby_names[i]);
			if (fi < 0 || s->fields[fi].col < 0)
				return fail(L, d, v->start_mark, "breakdown field \"%s\" is not a usable field of source \"%s\"",
					    s->rby_names[i], s->name);
			s->rby[i] = s->fields[fi].col;
			s->used[s->rby[i]] = 1;
		}
		s->nrby = cnt;
	}
	return 0;
}

static int read_source(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *k, yaml_node_t *n)
{
	static const char *const keys[] = {
		"name_zh", "name_en", "files", "encoding", "delimiter", "header_scan",
		"max_reject_share", "sheet", "period", "fields", "kind", "form", "indicator_field",
		"value_field", "by", "load_rows", "mode", "supplement_files", "max_shrink", NULL
	};
	yaml_node_t *v, *fields;
	size_t cnt;
	int col = 2;

	s->mark = mark_of(d, k);
	if (!(s->name = str_of(L, d, k, "a source name")))
		return -1;
	if (!is_ident(s->name))
		return fail(L, d, k->start_mark, "source name \"%s\" must be an ASCII identifier", s->name);
	if (want_kind(L, d, n, YAML_MAPPING_NODE, "a source") < 0 ||
	    check_keys(L, d, n, "a source", keys) < 0)
		return -1;
	if ((v = get(d, n, "name_zh")) && !(s->name_zh = str_of(L, d, v, "name_zh")))
		return -1;
	if ((v = get(d, n, "name_en")) && !(s->name_en = str_of(L, d, v, "name_en")))
		return -1;
	if (!(v = get(d, n, "files")))
		return fail(L, d, n->start_mark, "source \"%s\" needs \"files\" (glob patterns of its exports)", s->name);
	if (!(s->files = strlist_of(L, d, v, "files")))
		return -1;
	v = get(d, n, "encoding");
	if (v && !scalar_is(v, "utf-8") && !scalar_is(v, "gb18030") && !scalar_is(v, "utf-16") &&
	    !scalar_is(v, "auto"))
		return fail(L, d, v->start_mark,
			    "encoding \"%s\" is not one of utf-8, gb18030 (covers GBK and GB2312), utf-16 or auto",
			    is_scalar(v) ? sval(v) : "?");
	s->encoding = strdup(v ? sval(v) : "auto");
	s->delim = 0;
	if ((v = get(d, n, "delimiter"))) {
		if (scalar_is(v, "auto"))
			s->delim = 0;
		else if (scalar_is(v, ",") || scalar_is(v, "comma"))
			s->delim = ',';
		else if (scalar_is(v, "\t") || scalar_is(v, "tab"))
			s->delim = '\t';
		else if (scalar_is(v, ";") || scalar_is(v, "semicolon"))
			s->delim = ';';
		else
			return fail(L, d, v->start_mark, "delimiter must be comma, tab, semicolon or auto");
	}
	s->header_scan = 20;
	if ((v = get(d, n, "header_scan"))) {
		double h;
		if (num_of(L, d, v, "header_scan", &h) < 0)
			return -1;
		if (h < 1 || h > 1000 || h != (int)h)
			return fail(L, d, v->start_mark, "header_scan must be 1..1000");
		s->header_scan = (int)h;
	}
	if ((v = get(d, n, "sheet")) && !is_null(v) && !(s->sheet = str_of(L, d, v, "sheet")))
		return -1;
	s->max_reject_share = 0.5;
	if ((v = get(d, n, "max_reject_share"))) {
		if (num_of(L, d, v, "max_reject_share", &s->max_reject_share) < 0)
			return -1;
		if (s->max_reject_share < 0 || s->max_reject_share > 1)
			return fail(L, d, v->start_mark, "max_reject_share must be between 0 and 1 (a share of the rows)");
	}
	if ((v = get(d, n, "load_rows")) && bool_of(L, d, v, "load_rows", &s->load_rows) < 0)
		return -1;
	if ((v = get(d, n, "mode"))) {
		if (scalar_is(v, "supplement"))
			s->supplement = 1;
		else if (!scalar_is(v, "replace"))
			return fail(L, d, v->start_mark, "mode must be replace (a file replaces its slices) or "
				    "supplement (a file adds its rows to them)");
	}
	if ((v = get(d, n, "supplement_files"))) {
		if (!(s->supplement_files = strlist_of(L, d, v, "supplement_files")))
			return -1;
	} else {
		static const char *const def[] = { "*补录*", "*supplement*", NULL };
		s->supplement_files = calloc(3, sizeof *s->supplement_files);
		if (!s->supplement_files || !(s->supplement_files[0] = strdup(def[0])) ||
		    !(s->supplement_files[1] = strdup(def[1])))
			return fail(L, d, n->start_mark, "out of memory");
	}
	s->max_shrink = 0.2;
	if ((v = get(d, n, "max_shrink"))) {
		if (num_of(L, d, v, "max_shrink", &s->max_shrink) < 0)
			return -1;
		if (s->max_shrink < 0 || s->max_shrink > 1)
			return fail(L, d, v->start_mark, "max_shrink must be between 0 and 1 (a share of the slice; 1 = never hold a file back)");
	}
	if (!(fields = get(d, n, "fields")))
		return fail(L, d, n->start_mark, "source \"%s\" needs \"fields\"", s->name);
	if (want_kind(L, d, fields, YAML_MAPPING_NODE, "fields") < 0)
		return -1;
	cnt = (size_t)(fields->data.mapping.pairs.top - fields->data.mapping.pairs.start);
	s->fields = calloc(cnt ? cnt : 1, sizeof *s->fields);
	if (!s->fields)
		return fail(L, d, fields->start_mark, "out of memory");
	for (yaml_node_pair_t *p = fields->data.mapping.pairs.start;
	     p < fields->data.mapping.pairs.top; p++) {
		cfg_field *f = &s->fields[s->nfields];
		yaml_node_t *fk = node(d, p->key);
		if (read_field(L, d, f, fk, node(d, p->value)) < 0) {
			s->nfields++;
			return -1;
		}
		s->nfields++;
		if (field_index(s, f->name) != (int)s->nfields - 1)
			return fail(L, d, fk->start_mark, "field \"%s\" is defined twice", f->name);
		if (f->pii != CFG_PII_DROP)
			f->col = col++;
	}
	s->ncols = (size_t)col;
	if (!(s->used = calloc(s->ncols, 1)))
		return fail(L, d, n->start_mark, "out of memory");
	if (!(v = get(d, n, "period")))
		return fail(L, d, n->start_mark,
			    "source \"%s\" needs a \"period\" (how a row's academic year is found)", s->name);
	if (read_period(L, d, s, v) < 0)
		return -1;
	v = get(d, n, "kind");
	if (v && scalar_is(v, "reported")) {
		s->reported = 1;
		return read_reported(L, d, s, n);
	}
	if (v && !scalar_is(v, "records"))
		return fail(L, d, v->start_mark, "kind must be records (row-level, the default) or reported (a summary sheet)");
	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].indicator_code)
			return fail(L, d, (yaml_mark_t){ 0, (size_t)s->fields[i].mark.line - 1, (size_t)s->fields[i].mark.col - 1 },
				    "field \"%s\" names an indicator, but only a reported source (kind: reported) holds figures",
				    s->fields[i].name);
	for (size_t i = 0; i < 4; i++) {
		static const char *const rk[] = { "form", "indicator_field", "value_field", "by" };
		if ((v = get(d, n, rk[i])))
			return fail(L, d, v->start_mark, "\"%s\" applies to reported sources (kind: reported)", rk[i]);
	}
	return 0;
}

static int read_sources(loader *L)
{
	size_t total = 0;

	for (int i = 0; i < L->ndocs; i++) {
		ydoc *d = &L->docs[i];
		yaml_node_t *n = get(d, yaml_document_get_root_node(&d->doc), "sources");
		if (!n || is_null(n))
			continue;
		if (want_kind(L, d, n, YAML_MAPPING_NODE, "sources") < 0)
			return -1;
		total += (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	}
	L->c->sources = calloc(total ? total : 1, sizeof *L->c->sources);
	if (!L->c->sources)
		return fail(L, &L->docs[0], L->docs[0].doc.nodes.start->start_mark, "out of memory");
	for (int i = 0; i < L->ndocs; i++) {
		ydoc *d = &L->docs[i];
		yaml_node_t *n = get(d, yaml_document_get_root_node(&d->doc), "sources");
		if (!n || is_null(n))
			continue;
		if (d != &L->docs[0] &&
		    check_keys(L, d, yaml_document_get_root_node(&d->doc), "the configuration", top_keys) < 0)
			return -1;
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			cfg_source *s = &L->c->sources[L->c->nsources++];
			yaml_node_t *k = node(d, p->key);
			if (read_source(L, d, s, k, node(d, p->value)) < 0)
				return -1;
			for (size_t j = 0; j + 1 < L->c->nsources; j++)
				if (strcmp(L->c->sources[j].name, s->name) == 0)
					return fail(L, d, k->start_mark, "source \"%s\" is defined twice (also at %s:%d)",
						    s->name, L->c->sources[j].mark.file, L->c->sources[j].mark.line);
		}
	}
	return 0;
}

/* ---- indicators -------------------------------------------------------- */

static expr_type expr_type_of(cfg_ftype t)
{
	switch (t) {
	case CFG_INTEGER:
	case CFG_DECIMAL:
	case CFG_PERCENT: return EXPR_NUMBER;
	case CFG_BOOL: return EXPR_BOOL;
	case CFG_DATE: return EXPR_DATE;
	case CFG_TEXT:
	case CFG_ENUM: break;
	}
	return EXPR_TEXT;
}

/* Note that ind's rule reads canonical column col.  0, or -1 (no memory). */
static int add_read(cfg_indicator *ind, int col)
{
	int *nr;
	for (size_t i = 0; i < ind->nreads; i++)
		if (ind->reads[i] == col)
			return 0;
	if (!(nr = realloc(ind->reads, (ind->nreads + 1) * sizeof *nr)))
		return -1;
	ind->reads = nr;
	nr[ind->nreads++] = col;
	return 0;
}

/* What resolve_field resolves in: the source, and the indicator whose
 * filter it is (its reads grow). */
typedef struct rctx {
	cfg_source *s;
	cfg_indicator *ind;
	int oom;                /* add_read ran out of memory */
} rctx;

static int resolve_field(void *ctx, const char *name, int *index, expr_type *type)
{
	rctx *rx = ctx;
	cfg_source *s = rx->s;
	const cfg_field *f = cfg_field_find(s, name);
	if (!f || f->col < 0)
		return 0;
	s->used[f->col] = 1;
	if (rx->ind && add_read(rx->ind, f->col) < 0)
		rx->oom = 1;
	*index = f->col;
	*type = expr_type_of(f->type);
	return 1;
}

static int numeric(cfg_ftype t)
{
	return t == CFG_INTEGER || t == CFG_DECIMAL || t == CFG_PERCENT;
}

/* A usable (non-personal) field of s, or an error at n. */
static const cfg_field *use_field(loader *L, const ydoc *d, const cfg_source *s, yaml_node_t *n)
{
	const cfg_field *f;
	if (want_kind(L, d, n, YAML_SCALAR_NODE, "a field name") < 0)
		return NULL;
	f = cfg_field_find(s, sval(n));
	if (!f) {
		fail(L, d, n->start_mark, "unknown field \"%s\" (source \"%s\" has no such field)",
		     sval(n), s->name);
		return NULL;
	}
	if (f->col < 0) {
		fail(L, d, n->start_mark, "field \"%s\" is personal data (pii: drop): it is dropped at extract and cannot be used in a rule",
		     sval(n));
		return NULL;
	}
	return f;
}

/* The mark of column col (1-based, 0 = unknown) inside scalar n: past its
 * opening quote, when it is on one line. */
static yaml_mark_t mark_in_scalar(const yaml_node_t *n, int col)
{
	yaml_mark_t m = n->start_mark;
	if (n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		m.column++;
	if (col > 0 && n->start_mark.line == n->end_mark.line)
		m.column += (size_t)col - 1;
	return m;
}

/* The argument of a function with a percent: {field: F, p: P}.  Returns
 * the field's node, or NULL after an error. */
static yaml_node_t *read_percent(loader *L, const ydoc *d, cfg_agg *a, yaml_node_t *arg, const char *name)
{
	static const char *const keys[] = { "field", "p", NULL };
	yaml_node_t *f, *p;

	if (arg->type != YAML_MAPPING_NODE) {
		fail(L, d, arg->start_mark, "%s takes {field: FIELD, p: PERCENT} (e.g. {field: salary, p: 90})", name);
		return NULL;
	}
	if (check_keys(L, d, arg, name, keys) < 0)
		return NULL;
	if (!(f = get(d, arg, "field")) || !(p = get(d, arg, "p"))) {
		fail(L, d, arg->start_mark, "%s needs field and p (a percent from 0 to 100)", name);
		return NULL;
	}
	if (num_of(L, d, p, "p", &a->p) < 0)
		return NULL;
	if (!(a->p >= 0 && a->p <= 100)) {
		fail(L, d, p->start_mark, "%s: p must be a percent from 0 to 100, found \"%s\"", name, sval(p));
		return NULL;
	}
	return f;
}

/* The function of aggregation n: exactly one key of the aggfn table.
 * Its argument's node, or NULL after an error. */
static yaml_node_t *agg_function(loader *L, const ydoc *d, cfg_agg *a, yaml_node_t *n, const char *what)
{
	yaml_node_t *arg = NULL;
	int nfound = 0;

	for (aggfn_id i = 0; i < AGGFN_N; i++) {
		yaml_node_t *v = get(d, n, aggfn_name(i));
		if (v) {
			a->fn = i;
			arg = v;
			nfound++;
		}
	}
	if (nfound != 1) {
		str names = STR_INIT;
		aggfn_names(&names);
		fail(L, d, n->start_mark, "%s needs exactly one of %s%s", what, str_cstr(&names),
		     nfound ? " (found several)" : "");
		str_free(&names);
		return NULL;
	}
	if (aggfn_get(a->fn)->param)
		return read_percent(L, d, a, arg, aggfn_name(a->fn));
	return arg;
}

/* The field an aggregation takes (or "*"), checked against its table row. */
static int agg_field(loader *L, const ydoc *d, const cfg_source *s, cfg_indicator *ind, cfg_agg *a,
		     yaml_node_t *arg)
{
	const aggfn *fn = aggfn_get(a->fn);
	const cfg_field *f;

	if ((fn->takes & AGGFN_TAKES_STAR) && scalar_is(arg, "*")) {
		a->field = -1;
		return 0;
	}
	if (!(f = use_field(L, d, s, arg)))
		return -1;
	if (!(fn->takes & AGGFN_TAKES_ANY) && !numeric(f->type))
		return fail(L, d, arg->start_mark, "cannot aggregate %s field \"%s\" with %s",
			    cfg_ftype_name(f->type), f->name, fn->name);
	a->field = f->col;
	((cfg_source *)s)->used[f->col] = 1;
	if (add_read(ind, f->col) < 0)
		return fail(L, d, arg->start_mark, "out of memory");
	return 0;
}

/* One aggregation: exactly one function of the aggfn table, and an optional where. */
static int read_agg(loader *L, const ydoc *d, const cfg_source *s, cfg_indicator *ind, cfg_agg *a,
		    yaml_node_t *n, const char *what)
{
	yaml_node_t *arg, *w;

	a->mark = mark_of(d, n);
	a->field = -1;
	if (!(arg = agg_function(L, d, a, n, what)) || agg_field(L, d, s, ind, a, arg) < 0)
		return -1;
	if ((w = get(d, n, "where")) && !is_null(w)) {
		char msg[512];
		int col = 0;
		rctx rx = { (cfg_source *)s, ind, 0 };
		if (!(a->where_text = str_of(L, d, w, "where")))
			return -1;
		a->where = expr_parse(a->where_text, resolve_field, &rx, msg, sizeof msg, &col);
		if (!a->where)
			return fail(L, d, mark_in_scalar(w, col), "in filter \"%s\": %s", a->where_text, msg);
		if (rx.oom)
			return fail(L, d, w->start_mark, "out of memory");
	}
	return 0;
}

/* A formula (scalar n) compiled, or NULL after an error at its column. */
static calc *formula_of(loader *L, const ydoc *d, yaml_node_t *n, const char *what)
{
	char msg[512];
	int col = 0;
	calc *f;

	if (want_kind(L, d, n, YAML_SCALAR_NODE, what) < 0)
		return NULL;
	if (!(f = calc_parse(sval(n), &col, msg, sizeof msg)))
		fail(L, d, mark_in_scalar(n, col), "in %s \"%s\": %s", what, sval(n), msg);
	return f;
}

/* Whether s is a bare indicator code: [A-Za-z_][A-Za-z0-9_.]*, not ending with '.'. */
static int is_code(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '.'))
			return 0;
	return s[strlen(s) - 1] != '.';
}

/* derived: {take: max|min, over: CODE, across: FIELD or [FIELDS]}: the
 * largest or smallest value of CODE's breakdown by those fields.  The
 * operand is kept as the one-reference formula "CODE", so that unknown
 * codes, self-reference and cycles are found like a formula's;
 * link_catalog checks the breakdown. */
static int read_take(loader *L, const ydoc *d, cfg_indicator *ind, yaml_node_t *n)
{
	static const char *const keys[] = { "take", "over", "across", NULL };
	yaml_node_t *v;
	char msg[256];

	if (want_kind(L, d, n, YAML_MAPPING_NODE, "derived") < 0 || check_keys(L, d, n, "derived", keys) < 0)
		return -1;
	if (!(v = get(d, n, "take")))
		return fail(L, d, n->start_mark, "derived needs \"take\": max or min");
	if (scalar_is(v, "max"))
		ind->take = CFG_TAKE_MAX;
	else if (scalar_is(v, "min"))
		ind->take = CFG_TAKE_MIN;
	else
		return fail(L, d, v->start_mark, "take must be max or min, found \"%s\"", is_scalar(v) ? sval(v) : "?");
	if (!(v = get(d, n, "over")))
		return fail(L, d, n->start_mark, "derived needs \"over\": the indicator whose breakdown is taken %s of",
			    cfg_take_name(ind->take));
	if (want_kind(L, d, v, YAML_SCALAR_NODE, "over") < 0)
		return -1;
	if (!is_code(sval(v)))
		return fail(L, d, v->start_mark, "over must be one indicator code, found \"%s\"", sval(v));
	ind->over_mark = mark_of(d, v);
	if (!(ind->formula = calc_parse(sval(v), NULL, msg, sizeof msg)))
		return fail(L, d, v->start_mark, "over \"%s\": %s", sval(v), msg);
	if ((v = get(d, n, "across")) && !is_null(v)) {
		char **names = strlist_of(L, d, v, "across");
		size_t cnt = 0, len = 1;
		if (!names)
			return -1;
		while (names[cnt])
			len += strlen(names[cnt++]) + 1;
		ind->across_mark = mark_of(d, v);
		if (!cnt || !(ind->across = malloc(len))) {
			strlist_free(names);
			return fail(L, d, v->start_mark, cnt ? "out of memory" : "across names no field");
		}
		/* sorted and joined like the keys of a stored breakdown */
		for (size_t i = 1; i < cnt; i++)
			for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
				char *t = names[j];
				names[j] = names[j - 1];
				names[j - 1] = t;
			}
		for (size_t i = 1; i < cnt; i++)
			if (strcmp(names[i - 1], names[i]) == 0) {
				fail(L, d, v->start_mark, "across names \"%s\" twice", names[i]);
				strlist_free(names);
				return -1;
			}
		ind->across[0] = '\0';
		for (size_t i = 0; i < cnt; i++) {
			if (i)
				strcat(ind->across, ",");
			strcat(ind->across, names[i]);
		}
		strlist_free(names);
	}
	return 0;
}

/* A derived indicator: formula, ratio {numerator: formula, denominator:
 * formula}, or derived {take, over, across}. */
static int read_derived(loader *L, const ydoc *d, cfg_indicator *ind, yaml_node_t *n)
{
	yaml_node_t *v, *ratio = get(d, n, "ratio"), *take = get(d, n, "derived");
	static const char *const not_here[] = {
		"source", "by", "count", "sum", "mean", "min", "max", "count_distinct", "where", NULL
	};

	for (int i = 0; not_here[i]; i++)
		if ((v = get(d, n, not_here[i])))
			return fail(L, d, v->start_mark,
				    "indicator \"%s\" is derived from other indicators: \"%s\" does not apply "
				    "(%s)", ind->code, not_here[i],
				    take ? "a value taken out of a breakdown has none" : "its breakdowns are those its operands share");
	if ((ratio != NULL) + (get(d, n, "formula") != NULL) + (take != NULL) > 1)
		return fail(L, d, (take ? take : ratio)->start_mark,
			    "give a derived indicator one of formula, ratio or derived");
	ind->period = PERIOD_ACADEMIC_YEAR;
	if ((v = get(d, n, "period")) && (!is_scalar(v) || period_type_parse(sval(v), &ind->period) < 0))
		return fail(L, d, v->start_mark, "period must be academic_year, semester, fiscal_year or snapshot");
	if (v)
		ind->period_mark = mark_of(d, v);
	if (take) {
		if (read_take(L, d, ind, take) < 0)
			return -1;
		if ((v = get(d, n, "aggregate")) && !scalar_is(v, "none"))
			return fail(L, d, v->start_mark,
				    "indicator \"%s\" takes one value out of a breakdown: schools do not combine into "
				    "a regional %s, so aggregate must be none", ind->code, cfg_take_name(ind->take));
		ind->aggregate = CFG_AGGREGATE_NONE;
		ind->scale = 1;
		return (v = get(d, n, "scale")) ? num_of(L, d, v, "scale", &ind->scale) : 0;
	}
	if (ratio) {
		static const char *const rkeys[] = { "numerator", "denominator", NULL };
		yaml_node_t *num, *den;
		if (want_kind(L, d, ratio, YAML_MAPPING_NODE, "ratio") < 0 ||
		    check_keys(L, d, ratio, "ratio", rkeys) < 0)
			return -1;
		if (!(num = get(d, ratio, "numerator")))
			return fail(L, d, ratio->start_mark, "a ratio needs a numerator");
		if (!(den = get(d, ratio, "denominator")))
			return fail(L, d, ratio->start_mark, "a ratio needs a denominator");
		if (!(ind->formula = formula_of(L, d, num, "the numerator")) ||
		    !(ind->dformula = formula_of(L, d, den, "the denominator")))
			return -1;
		ind->is_ratio = 1;
	} else if (!(ind->formula = formula_of(L, d, get(d, n, "formula"), "the formula"))) {
		return -1;
	}
	if (ind->kind == CFG_KIND_RATE && !ind->is_ratio)
		return fail(L, d, n->start_mark,
			    "indicator \"%s\" is a rate: give it ratio: {numerator: FORMULA, denominator: FORMULA} "
			    "so that a region can sum numerators and denominators", ind->code);
	ind->scale = ind->is_ratio && strcmp(ind->unit, "%") == 0 ? 100 : 1;
	if ((v = get(d, n, "scale")) && num_of(L, d, v, "scale", &ind->scale) < 0)
		return -1;
	return 0;
}

/* An indicator aggregated with a function whose values do not combine
 * across schools (a median): aggregate must be none, and is by default. */
static int no_regional(loader *L, const ydoc *d, cfg_indicator *ind, yaml_node_t *n)
{
	const aggfn *fn = aggfn_get(ind->num.fn);
	yaml_node_t *v;

	if (ind->is_ratio && fn->combines)
		fn = aggfn_get(ind->den.fn);
	if (fn->combines)
		return 0;
	if ((v = get(d, n, "aggregate")) && ind->aggregate != CFG_AGGREGATE_NONE)
		return fail(L, d, v->start_mark,
			    "indicator \"%s\" is a %s: schools' values do not combine into a regional %s, "
			    "so aggregate must be none", ind->code, fn->name, fn->name);
	ind->aggregate = CFG_AGGREGATE_NONE;
	return 0;
}

static int read_indicator(loader *L, const ydoc *d, cfg_indicator *ind, yaml_node_t *n)
{
	static const char *const head[] = {
		"code", "name_zh", "name_en", "unit", "kind", "aggregate", "description",
		"source", "period", "by", "scale", NULL
	};
	static const char *const tail[] = { "where", "ratio", "formula", "reported_names", "derived", NULL };
	static const char *const where[] = { "where", NULL };
	const char *keys[32], *agg_keys[AGGFN_N + 2];
	yaml_node_t *v, *ratio = NULL;
	const cfg_source *s;

	keys_with_aggfns(keys, head, tail);
	keys_with_aggfns(agg_keys, NULL, where);

	ind->mark = mark_of(d, n);
	if (want_kind(L, d, n, YAML_MAPPING_NODE, "an indicator") < 0 ||
	    check_keys(L, d, n, "an indicator", keys) < 0)
		return -1;
	if (!(v = get(d, n, "code")))
		return fail(L, d, n->start_mark, "an indicator needs a \"code\"");
	if (!(ind->code = str_of(L, d, v, "code")))
		return -1;
#define REQ_STR(key, dst)                                                                  \
	if (!(v = get(d, n, key)))                                                         \
		return fail(L, d, n->start_mark, "indicator \"%s\" needs \"%s\"", ind->code, key); \
	if (!(dst = str_of(L, d, v, key)))                                                 \
		return -1;
	REQ_STR("name_zh", ind->name_zh);
	REQ_STR("name_en", ind->name_en);
	REQ_STR("unit", ind->unit);
#undef REQ_STR
	if (!(v = get(d, n, "kind")))
		return fail(L, d, n->start_mark, "indicator \"%s\" needs \"%s\"", ind->code, "kind");
	if (name_of(L, d, v, "kind", kind_names, CFG_KIND_N, (int *)&ind->kind) < 0)
		return -1;
	if ((v = get(d, n, "description")) && !(ind->description = str_of(L, d, v, "description")))
		return -1;
	ind->aggregate = ind->kind == CFG_KIND_RATE   ? CFG_AGGREGATE_RATIO_OF_SUMS
			 : ind->kind == CFG_KIND_MEAN ? CFG_AGGREGATE_WEIGHTED_MEAN
						      : CFG_AGGREGATE_SUM;
	if ((v = get(d, n, "aggregate")) &&
	    name_of(L, d, v, "aggregate", aggregate_names, CFG_AGGREGATE_N, (int *)&ind->aggregate) < 0)
		return -1;
	if ((v = get(d, n, "reported_names")) && !is_null(v)) {
		char **names = strlist_of(L, d, v, "reported_names");
		size_t cnt = 0;
		if (!names)
			return -1;
		while (names[cnt])
			cnt++;
		if (!(ind->reported_keys = calloc(cnt + 1, sizeof *ind->reported_keys))) {
			strlist_free(names);
			return fail(L, d, v->start_mark, "out of memory");
		}
		for (size_t i = 0; i < cnt; i++)
			if (!(ind->reported_keys[i] = norm_dup(names[i]))) {
				strlist_free(names);
				return fail(L, d, v->start_mark, "out of memory");
			}
		strlist_free(names);
	}
	if (get(d, n, "formula") || get(d, n, "derived") || (!get(d, n, "source") && (ratio = get(d, n, "ratio")) &&
				     (v = get(d, ratio, "numerator")) && is_scalar(v)))
		return read_derived(L, d, ind, n);
	if (!(v = get(d, n, "source")))
		return fail(L, d, n->start_mark, "indicator \"%s\" needs a \"source\" (or a \"formula\" over other indicators)", ind->code);
	if (!is_scalar(v) || !(s = cfg_source_find(L->c, sval(v))))
		return fail(L, d, v->start_mark, "indicator \"%s\": unknown source \"%s\"", ind->code,
			    is_scalar(v) ? sval(v) : "?");
	ind->source = s;
	ind->period = s->period;
	if ((v = get(d, n, "period"))) {
		if (!is_scalar(v) || period_type_parse(sval(v), &ind->period) < 0)
			return fail(L, d, v->start_mark, "period must be academic_year, semester, fiscal_year or snapshot");
		if (!period_nests(ind->period, s->period))
			return fail(L, d, v->start_mark,
				    "indicator \"%s\" is counted per %s, but source \"%s\" places its files in %s periods: "
				    "a %s would span files (only semesters within an academic year can be split out)",
				    ind->code, period_type_name(ind->period), s->name, period_type_name(s->period),
				    period_type_name(ind->period));
		if (ind->period != s->period) {
			if (s->period_date < 0 || s->fields[s->period_date].col < 0)
				return fail(L, d, v->start_mark, "a %s is found from a date: source \"%s\" needs period.date",
					    period_type_name(ind->period), s->name);
			((cfg_source *)s)->used[s->fields[s->period_date].col] = 1;
			if (add_read(ind, s->fields[s->period_date].col) < 0)
				return fail(L, d, v->start_mark, "out of memory");
		}
	}
	if (s->reported)
		return fail(L, d, n->start_mark,
			    "indicator \"%s\": source \"%s\" is a reported summary; its rows are matched to indicators by name, not computed",
			    ind->code, s->name);

	ratio = get(d, n, "ratio");
	if (ratio) {
		static const char *const rkeys[] = { "numerator", "denominator", NULL };
		yaml_node_t *num, *den;
		for (size_t i = 0; agg_keys[i]; i++)
			if (get(d, n, agg_keys[i]))
				return fail(L, d, get(d, n, agg_keys[i])->start_mark,
					    "a ratio's aggregations go under ratio.numerator and ratio.denominator");
		if (want_kind(L, d, ratio, YAML_MAPPING_NODE, "ratio") < 0 ||
		    check_keys(L, d, ratio, "ratio", rkeys) < 0)
			return -1;
		if (!(num = get(d, ratio, "numerator")))
			return fail(L, d, ratio->start_mark, "a ratio needs a numerator");
		if (!(den = get(d, ratio, "denominator")))
			return fail(L, d, ratio->start_mark, "a ratio needs a denominator");
		if (want_kind(L, d, num, YAML_MAPPING_NODE, "numerator") < 0 ||
		    check_keys(L, d, num, "numerator", agg_keys) < 0 ||
		    read_agg(L, d, s, ind, &ind->num, num, "the numerator") < 0)
			return -1;
		if (want_kind(L, d, den, YAML_MAPPING_NODE, "denominator") < 0 ||
		    check_keys(L, d, den, "denominator", agg_keys) < 0 ||
		    read_agg(L, d, s, ind, &ind->den, den, "the denominator") < 0)
			return -1;
		ind->is_ratio = 1;
	} else if (read_agg(L, d, s, ind, &ind->num, n, "an indicator") < 0) {
		return -1;
	}
	if (ind->kind == CFG_KIND_RATE && !ind->is_ratio)
		return fail(L, d, n->start_mark, "indicator \"%s\" is a rate: give it a ratio (numerator and denominator)",
			    ind->code);
	if (no_regional(L, d, ind, n) < 0)
		return -1;
	if (ind->kind == CFG_KIND_MEAN && ind->num.fn != AGGFN_MEAN && !ind->is_ratio)
		return fail(L, d, n->start_mark, "indicator \"%s\" is a mean: compute it with mean", ind->code);

	ind->scale = ind->is_ratio && strcmp(ind->unit, "%") == 0 ? 100 : 1;
	if ((v = get(d, n, "scale")) && num_of(L, d, v, "scale", &ind->scale) < 0)
		return -1;

	if ((v = get(d, n, "by")) && !is_null(v)) {
		char **names = strlist_of(L, d, v, "by");
		size_t cnt = 0;
		if (!names)
			return -1;
		while (names[cnt])
			cnt++;
		ind->by_names = names;
		ind->nby = cnt;
		ind->by = calloc(cnt ? cnt : 1, sizeof *ind->by);
		if (!ind->by)
			return fail(L, d, v->start_mark, "out of memory");
		for (size_t i = 0; i < cnt; i++) {
			const cfg_field *f = cfg_field_find(s, names[i]);
			if (!f)
				return fail(L, d, v->start_mark, "breakdown field \"%s\" is not a field of source \"%s\"",
					    names[i], s->name);
			if (f->col < 0)
				return fail(L, d, v->start_mark, "breakdown field \"%s\" is personal data", names[i]);
			ind->by[i] = f->col;
			((cfg_source *)s)->used[f->col] = 1;
			if (add_read(ind, f->col) < 0)
				return fail(L, d, v->start_mark, "out of memory");
		}
	}
	return 0;
}

static int read_indicators(loader *L)
{
	size_t total = 0;
	cfg *c = L->c;

	for (int i = 0; i < L->ndocs; i++) {
		ydoc *d = &L->docs[i];
		yaml_node_t *n = get(d, yaml_document_get_root_node(&d->doc), "indicators");
		if (!n || is_null(n))
			continue;
		if (want_kind(L, d, n, YAML_SEQUENCE_NODE, "indicators") < 0)
			return -1;
		total += (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	}
	c->indicators = calloc(total ? total : 1, sizeof *c->indicators);
	if (!c->indicators)
		return fail(L, &L->docs[0], L->docs[0].doc.nodes.start->start_mark, "out of memory");
	for (int i = 0; i < L->ndocs; i++) {
		ydoc *d = &L->docs[i];
		yaml_node_t *root = yaml_document_get_root_node(&d->doc);
		yaml_node_t *n = get(d, root, "indicators");
		if (d != &L->docs[0] && check_keys(L, d, root, "the configuration", top_keys) < 0)
			return -1;
		if (!n || is_null(n))
			continue;
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			cfg_indicator *ind = &c->indicators[c->nindicators++];
			if (read_indicator(L, d, ind, node(d, *it)) < 0)
				return -1;
			for (size_t j = 0; j + 1 < c->nindicators; j++)
				if (strcmp(c->indicators[j].code, ind->code) == 0)
					return fail(L, d, node(d, *it)->start_mark,
						    "indicator \"%s\" is defined twice (also at %s:%d)", ind->code,
						    c->indicators[j].mark.file, c->indicators[j].mark.line);
		}
	}
	return 0;
}

/* ---- checks and the links between indicators ---------------------------- */

static int read_check(loader *L, const ydoc *d, cfg_check *k, yaml_node_t *n)
{
	static const char *const keys[] = {
		"code", "name_zh", "name_en", "left", "op", "right", "tolerance", "severity", "block", "by", NULL
	};
	yaml_node_t *v;

	k->mark = mark_of(d, n);
	k->severity = CFG_ERROR;
	if (want_kind(L, d, n, YAML_MAPPING_NODE, "a check") < 0 || check_keys(L, d, n, "a check", keys) < 0)
		return -1;
	if (!(v = get(d, n, "code")))
		return fail(L, d, n->start_mark, "a check needs a \"code\"");
	if (!(k->code = str_of(L, d, v, "code")))
		return -1;
	if ((v = get(d, n, "name_zh")) && !(k->name_zh = str_of(L, d, v, "name_zh")))
		return -1;
	if ((v = get(d, n, "name_en")) && !(k->name_en = str_of(L, d, v, "name_en")))
		return -1;
	if (!(v = get(d, n, "left")))
		return fail(L, d, n->start_mark, "check \"%s\" needs \"left\"", k->code);
	if (!(k->left = formula_of(L, d, v, "the left side")))
		return -1;
	if (!(v = get(d, n, "right")))
		return fail(L, d, n->start_mark, "check \"%s\" needs \"right\"", k->code);
	if (!(k->right = formula_of(L, d, v, "the right side")))
		return -1;
	k->op = CALC_EQ;
	if ((v = get(d, n, "op")) && (!is_scalar(v) || calc_op_parse(sval(v), &k->op) < 0))
		return fail(L, d, v->start_mark, "op must be one of = != < <= > >=");
	if ((v = get(d, n, "tolerance"))) {
		if (num_of(L, d, v, "tolerance", &k->tolerance) < 0)
			return -1;
		if (k->tolerance < 0)
			return fail(L, d, v->start_mark, "tolerance must not be negative");
	}
	if ((v = get(d, n, "severity"))) {
		if (scalar_is(v, "warning"))
			k->severity = CFG_WARNING;
		else if (!scalar_is(v, "error"))
			return fail(L, d, v->start_mark, "severity must be error or warning");
	}
	if ((v = get(d, n, "block"))) {
		if (bool_of(L, d, v, "block", &k->block) < 0)
			return -1;
		if (k->block && k->severity != CFG_ERROR)
			return fail(L, d, v->start_mark, "only an error can block a load (severity: error)");
	}
	if ((v = get(d, n, "by")) && !is_null(v) && !(k->by_names = strlist_of(L, d, v, "by")))
		return -1;
	return 0;
}

static int read_checks(loader *L)
{
	size_t total = 0;
	cfg *c = L->c;

	c->reported_check = CFG_WARNING;
	for (int i = 0; i < L->ndocs; i++) {
		ydoc *d = &L->docs[i];
		yaml_node_t *root = yaml_document_get_root_node(&d->doc);
		yaml_node_t *n = get(d, root, "checks"), *rc = get(d, root, "reported_check");
		if (rc) {
			static const char *const rkeys[] = { "severity", NULL };
			yaml_node_t *v;
			if (want_kind(L, d, rc, YAML_MAPPING_NODE, "reported_check") < 0 ||
			    check_keys(L, d, rc, "reported_check", rkeys) < 0)
				return -1;
			if ((v = get(d, rc, "severity"))) {
				if (scalar_is(v, "error"))
					c->reported_check = CFG_ERROR;
				else if (!scalar_is(v, "warning"))
					return fail(L, d, v->start_mark, "severity must be error or warning");
			}
		}
		if (!n || is_null(n))
			continue;
		if (want_kind(L, d, n, YAML_SEQUENCE_NODE, "checks") < 0)
			return -1;
		total += (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	}
	if (!(c->checks = calloc(total ? total : 1, sizeof *c->checks)))
		return fail(L, &L->docs[0], L->docs[0].doc.nodes.start->start_mark, "out of memory");
	for (int i = 0; i < L->ndocs; i++) {
		ydoc *d = &L->docs[i];
		yaml_node_t *n = get(d, yaml_document_get_root_node(&d->doc), "checks");
		if (!n || is_null(n))
			continue;
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			cfg_check *k = &c->checks[c->nchecks++];
			if (read_check(L, d, k, node(d, *it)) < 0)
				return -1;
			for (size_t j = 0; j + 1 < c->nchecks; j++)
				if (strcmp(c->checks[j].code, k->code) == 0)
					return fail(L, d, node(d, *it)->start_mark, "check \"%s\" is defined twice (also at %s:%d)",
						    k->code, c->checks[j].mark.file, c->checks[j].mark.line);
		}
	}
	return 0;
}

static int fail_at(loader *L, const cfg_mark *m, const char *fmt, const char *a, const char *b)
{
	if (L->failed)
		return -1;
	L->failed = 1;
	snprintf(L->err, L->errlen, "%s:%d:%d: ", m->file, m->line, m->col);
	size_t n = strlen(L->err);
	snprintf(L->err + n, L->errlen - n, fmt, a, b);
	return -1;
}

/* Every indicator a formula names must exist; reported() needs a reported
 * figure to be possible, numerator()/denominator() a ratio or mean. */
static int check_refs(loader *L, const calc *f, const cfg_mark *m, const char *who)
{
	for (size_t i = 0; i < calc_nrefs(f); i++) {
		const calc_ref *r = calc_ref_at(f, i);
		const cfg_indicator *ind = cfg_indicator_find(L->c, r->code);
		if (!ind)
			return fail_at(L, m, "%s: unknown indicator \"%s\"", who, r->code);
		if ((r->type == CALC_NUMERATOR || r->type == CALC_DENOMINATOR) && !ind->is_ratio &&
		    !(ind->source && ind->num.fn == AGGFN_MEAN))
			return fail_at(L, m, "%s: indicator \"%s\" has no numerator and denominator (it is not a ratio or mean)",
				       who, r->code);
	}
	return 0;
}

/* Order derived indicators so operands come first; refuse cycles. */
static int order_derived(loader *L)
{
	cfg *c = L->c;
	size_t n = c->nindicators;
	unsigned char *state = calloc(n ? n : 1, 1); /* 0 new, 1 on the path, 2 done */
	size_t *stack = calloc(n ? n : 1, sizeof *stack), *next = calloc(n ? n : 1, sizeof *next);
	int rc = 0;

	c->derived = calloc(n ? n : 1, sizeof *c->derived);
	if (!state || !stack || !next || !c->derived) {
		free(state);
		free(stack);
		free(next);
		return fail_at(L, &c->indicators[0].mark, "%s%sout of memory", "", "");
	}
	for (size_t root = 0; root < n && rc == 0; root++) {
		size_t sp = 0;
		if (!c->indicators[root].formula || state[root])
			continue;
		stack[sp++] = root;
		state[root] = 1;
		next[root] = 0;
		while (sp && rc == 0) {
			size_t i = stack[sp - 1];
			const cfg_indicator *ind = &c->indicators[i];
			size_t na = calc_nrefs(ind->formula), nb = ind->dformula ? calc_nrefs(ind->dformula) : 0;
			if (next[i] < na + nb) {
				size_t r = next[i]++;
				const calc_ref *ref = r < na ? calc_ref_at(ind->formula, r) : calc_ref_at(ind->dformula, r - na);
				const cfg_indicator *op = cfg_indicator_find(c, ref->code);
				size_t j = (size_t)(op - c->indicators);
				if (!op->formula || state[j] == 2)
					continue;
				if (state[j] == 1) {
					char path[1024] = "";
					size_t k = sp;
					while (k > 0 && stack[k - 1] != j)
						k--;
					for (size_t q = k ? k - 1 : 0; q < sp; q++) {
						strncat(path, c->indicators[stack[q]].code, sizeof path - strlen(path) - 5);
						strncat(path, " -> ", sizeof path - strlen(path) - 1);
					}
					strncat(path, op->code, sizeof path - strlen(path) - 1);
					rc = fail_at(L, &ind->mark, "derived indicators form a cycle: %s%s", path, "");
					break;
				}
				state[j] = 1;
				next[j] = 0;
				stack[sp++] = j;
			} else {
				state[i] = 2;
				c->derived[c->nderived++] = i;
				sp--;
			}
		}
	}
	free(state);
	free(stack);
	free(next);
	return rc;
}

/* Whether values of ind may be broken down by `field`: a counted
 * indicator lists it in `by`, a formula has the breakdowns all its operands
 * share, a value taken out of a breakdown has none.  Called once the
 * derived indicators are known to form no cycle. */
static int has_field(const cfg *c, const cfg_indicator *ind, const char *field)
{
	if (ind->source) {
		for (size_t i = 0; i < ind->nby; i++)
			if (strcmp(ind->by_names[i], field) == 0)
				return 1;
		return 0;
	}
	if (ind->take != CFG_TAKE_NONE || !ind->formula)
		return 0;
	for (int side = 0; side < 2; side++) {
		const calc *f = side ? ind->dformula : ind->formula;
		for (size_t r = 0; f && r < calc_nrefs(f); r++)
			if (!has_field(c, cfg_indicator_find(c, calc_ref_at(f, r)->code), field))
				return 0;
	}
	return 1;
}

/* A derived {take, over, across}: the operand exists, counts in the same
 * periods and names the breakdown (across may be left out when it has
 * exactly one field).  Before the generic formula checks, so that errors
 * point at `over` / `across`. */
static int link_take(loader *L, cfg_indicator *ind)
{
	const char *code = calc_ref_at(ind->formula, 0)->code;
	const cfg_indicator *op = cfg_indicator_find(L->c, code);
	char msg[600];

	snprintf(msg, sizeof msg, "derived indicator \"%s\": ", ind->code);
	if (!op)
		return fail_at(L, &ind->over_mark, "%sunknown indicator \"%s\"", msg, code);
	if (op == ind)
		return fail_at(L, &ind->over_mark, "%srefers to itself (over \"%s\")", msg, code);
	if (!ind->period_mark.line)
		ind->period = op->period;
	else if (ind->period != op->period)
		return fail_at(L, &ind->period_mark, "%sits period must be that of \"%s\", its operand", msg, code);
	if (ind->across)
		return 0;
	if (op->source && op->nby == 1)
		return (ind->across = strdup(op->by_names[0])) ? 0
			: fail_at(L, &ind->over_mark, "%s%s", "out of memory", "");
	if (op->source && op->nby)
		return fail_at(L, &ind->over_mark, "%sindicator \"%s\" breaks down by several fields: "
			       "say which with across: FIELD (or [FIELD, FIELD])", msg, code);
	if (op->source || op->take != CFG_TAKE_NONE)
		return fail_at(L, &ind->over_mark, "%sindicator \"%s\" has no breakdown to take a value out of", msg, code);
	return fail_at(L, &ind->over_mark, "%sindicator \"%s\" is derived: name its breakdown with across: FIELD",
		       msg, code);
}

/* After the order is known: a take's operand has the fields it is taken across. */
static int link_take_fields(loader *L, const cfg_indicator *ind)
{
	const char *code = calc_ref_at(ind->formula, 0)->code;
	const cfg_indicator *op = cfg_indicator_find(L->c, code);
	char field[256], msg[900];
	const char *p = ind->across;

	while (*p) {
		size_t n = strcspn(p, ",");
		snprintf(field, sizeof field, "%.*s", (int)n, p);
		p += n + (p[n] == ',');
		if (has_field(L->c, op, field))
			continue;
		snprintf(msg, sizeof msg, "derived indicator \"%s\": indicator \"%s\" does not break down by \"%s\"",
			 ind->code, code, field);
		return fail_at(L, ind->across_mark.line ? &ind->across_mark : &ind->over_mark, "%s%s", msg, "");
	}
	return 0;
}

/* After everything is read: wide summary columns name indicators, derived
 * indicators and checks name existing ones, no cycles. */
static int link_catalog(loader *L)
{
	cfg *c = L->c;

	for (size_t i = 0; i < c->nsources; i++)
		for (size_t j = 0; j < c->sources[i].nfields; j++) {
			cfg_field *f = &c->sources[i].fields[j];
			const cfg_indicator *ind;
			if (!f->indicator_code)
				continue;
			if (!(ind = cfg_indicator_find(c, f->indicator_code)))
				return fail_at(L, &f->mark, "field \"%s\": unknown indicator \"%s\"", f->name, f->indicator_code);
			f->indicator = (int)(ind - c->indicators);
		}
	for (size_t i = 0; i < c->nindicators; i++)
		if (c->indicators[i].take != CFG_TAKE_NONE && link_take(L, &c->indicators[i]) < 0)
			return -1;
	for (size_t i = 0; i < c->nindicators; i++) {
		const cfg_indicator *ind = &c->indicators[i];
		char who[300];
		if (!ind->formula)
			continue;
		snprintf(who, sizeof who, "derived indicator \"%s\"", ind->code);
		if (check_refs(L, ind->formula, &ind->mark, who) < 0 ||
		    (ind->dformula && check_refs(L, ind->dformula, &ind->mark, who) < 0))
			return -1;
		for (size_t r = 0; r < calc_nrefs(ind->formula); r++)
			if (strcmp(calc_ref_at(ind->formula, r)->code, ind->code) == 0 &&
			    calc_ref_at(ind->formula, r)->type != CALC_REPORTED)
				return fail_at(L, &ind->mark, "derived indicator \"%s\" refers to itself%s", ind->code, "");
	}
	for (size_t i = 0; i < c->nchecks; i++) {
		const cfg_check *k = &c->checks[i];
		char who[300];
		snprintf(who, sizeof who, "check \"%s\"", k->code);
		if (check_refs(L, k->left, &k->mark, who) < 0 || check_refs(L, k->right, &k->mark, who) < 0)
			return -1;
		for (size_t b = 0; k->by_names && k->by_names[b]; b++) {
			/* every indicator of the check must break down by it */
			const calc *sides[2] = { k->left, k->right };
			for (int sd = 0; sd < 2; sd++)
				for (size_t r = 0; r < calc_nrefs(sides[sd]); r++) {
					const cfg_indicator *ind = cfg_indicator_find(c, calc_ref_at(sides[sd], r)->code);
					int has = 0;
					for (size_t q = 0; q < ind->nby; q++)
						has |= strcmp(ind->by_names[q], k->by_names[b]) == 0;
					if (!has && ind->source && !ind->source->reported) {
						char what[600];
						snprintf(what, sizeof what, "%s: indicator \"%s\"", who, ind->code);
						return fail_at(L, &k->mark, "%s does not break down by \"%s\"", what, k->by_names[b]);
					}
				}
		}
	}
	if (order_derived(L) < 0)
		return -1;
	for (size_t i = 0; i < c->nindicators; i++)
		if (c->indicators[i].take != CFG_TAKE_NONE && link_take_fields(L, &c->indicators[i]) < 0)
			return -1;
	return 0;
}

/* ---- public ------------------------------------------------------------ */

const cfg_indicator *cfg_indicator_find(const cfg *c, const char *code)
{
	for (size_t i = 0; i < c->nindicators; i++)
		if (c->indicators[i].code && strcmp(c->indicators[i].code, code) == 0)
			return &c->indicators[i];
	return NULL;
}

const cfg_indicator *cfg_indicator_by_name(const cfg *c, const char *key)
{
	char buf[1024];
	for (size_t i = 0; i < c->nindicators; i++) {
		const cfg_indicator *ind = &c->indicators[i];
		if (val_norm_key(ind->code, strlen(ind->code), buf, sizeof buf) && strcmp(buf, key) == 0)
			return ind;
		if (val_norm_key(ind->name_zh, strlen(ind->name_zh), buf, sizeof buf) && strcmp(buf, key) == 0)
			return ind;
		for (size_t k = 0; ind->reported_keys && ind->reported_keys[k]; k++)
			if (strcmp(ind->reported_keys[k], key) == 0)
				return ind;
	}
	return NULL;
}

const char *cfg_take_name(cfg_take t)
{
	return t == CFG_TAKE_MAX ? "max" : t == CFG_TAKE_MIN ? "min" : "none";
}

const char *cfg_kind_name(cfg_kind k)
{
	return (unsigned)k < CFG_KIND_N ? kind_names[k] : "?";
}

const char *cfg_aggregate_name(cfg_aggregate a)
{
	return (unsigned)a < CFG_AGGREGATE_N ? aggregate_names[a] : "?";
}

cfg *cfg_load(const char *path, char *err, size_t errlen)
{
	loader L;
	cfg *c = calloc(1, sizeof *c);

	memset(&L, 0, sizeof L);
	L.err = err;
	L.errlen = errlen;
	if (!c || !(c->files = calloc(MAX_FILES, sizeof *c->files)) || !(c->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		cfg_free(c);
		return NULL;
	}
	L.c = c;
	if (read_file(&L, path, NULL, (yaml_mark_t){ 0, 0, 0 }) == 0 &&
	    read_includes(&L, 0, 0) == 0 && read_deployment(&L) == 0 &&
	    read_sources(&L) == 0 && read_indicators(&L) == 0 && read_checks(&L) == 0)
		link_catalog(&L);
	for (int i = 0; i < L.ndocs; i++) {
		yaml_document_delete(&L.docs[i].doc);
		free(L.docs[i].dir);
	}
	if (L.failed) {
		cfg_free(c);
		return NULL;
	}
	return c;
}

static void agg_free(cfg_agg *a)
{
	free(a->where_text);
	expr_free(a->where);
}

void cfg_free(cfg *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nindicators; i++) {
		cfg_indicator *ind = &c->indicators[i];
		free(ind->code);
		free(ind->name_zh);
		free(ind->name_en);
		free(ind->unit);
		free(ind->description);
		free(ind->reads);
		agg_free(&ind->num);
		agg_free(&ind->den);
		calc_free(ind->formula);
		calc_free(ind->dformula);
		free(ind->across);
		free(ind->by);
		strlist_free(ind->by_names);
		strlist_free(ind->reported_keys);
	}
	free(c->indicators);
	free(c->derived);
	for (size_t i = 0; i < c->nchecks; i++) {
		cfg_check *k = &c->checks[i];
		free(k->code);
		free(k->name_zh);
		free(k->name_en);
		calc_free(k->left);
		calc_free(k->right);
		strlist_free(k->by_names);
	}
	free(c->checks);
	for (size_t i = 0; i < c->nsources; i++) {
		cfg_source *s = &c->sources[i];
		for (size_t j = 0; j < s->nfields; j++) {
			cfg_field *f = &s->fields[j];
			free(f->name);
			free(f->header);
			free(f->indicator_code);
			strlist_free(f->synonyms);
			for (size_t k = 0; k < f->nvalues; k++) {
				free(f->values[k].value);
				strlist_free(f->values[k].synonyms);
				strlist_free(f->values[k].keys);
			}
			free(f->values);
		}
		free(s->fields);
		free(s->used);
		free(s->rby);
		strlist_free(s->rby_names);
		free(s->name);
		free(s->name_zh);
		free(s->name_en);
		strlist_free(s->files);
		strlist_free(s->supplement_files);
		free(s->encoding);
		free(s->sheet);
	}
	free(c->sources);
	free(c->school_code);
	free(c->school_name);
	free(c->school_region);
	free(c->database);
	free(c->pii_key_file);
	free(c->embedded_dir);
	free(c->embedded_user);
	free(c->inbox);
	free(c->staging);
	free(c->archive);
	free(c->quarantine);
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c->path);
	free(c);
}

const cfg_source *cfg_source_find(const cfg *c, const char *name)
{
	for (size_t i = 0; i < c->nsources; i++)
		if (strcmp(c->sources[i].name, name) == 0)
			return &c->sources[i];
	return NULL;
}

const cfg_source *cfg_source_for_file(const cfg *c, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < c->nsources; i++)
		for (size_t j = 0; c->sources[i].files[j]; j++)
			if (fnmatch(c->sources[i].files[j], base, 0) == 0)
				return &c->sources[i];
	return NULL;
}

/* Is f the file of mark m? */
static int marked_in(const cfg_mark *m, const char *f)
{
	return m->file && strcmp(m->file, f) == 0;
}

int cfg_catalog_sha256(const cfg *c, const cfg_source *s, char hex[65], char *err, size_t errlen)
{
	sha256_ctx all;
	unsigned char d[SHA256_DIGEST_LEN];

	sha256_init(&all);
	for (size_t i = 0; i < c->nfiles; i++) {
		const char *f = c->files[i], *base = strrchr(f, '/');
		int used = marked_in(&s->mark, f);
		for (size_t k = 0; !used && k < s->nfields; k++)
			used = marked_in(&s->fields[k].mark, f);
		for (size_t k = 0; !used && k < c->nindicators; k++)
			used = (c->indicators[k].source == s || !c->indicators[k].source) &&
			       marked_in(&c->indicators[k].mark, f);
		for (size_t k = 0; !used && k < c->nchecks; k++)
			used = marked_in(&c->checks[k].mark, f);
		if (!used)
			continue;
		if (sha256_file(f, d, err, errlen) < 0) {
			sha256_final(&all, d);
			return -1;
		}
		base = base ? base + 1 : f;
		sha256_update(&all, base, strlen(base) + 1);
		sha256_update(&all, d, sizeof d);
	}
	if (sha256_final(&all, d) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	sha256_hex(d, hex);
	return 0;
}

int cfg_is_supplement(const cfg_source *s, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (s->supplement)
		return 1;
	for (size_t j = 0; s->supplement_files && s->supplement_files[j]; j++)
		if (fnmatch(s->supplement_files[j], base, 0) == 0)
			return 1;
	return 0;
}

const cfg_field *cfg_field_find(const cfg_source *s, const char *name)
{
	int i = field_index(s, name);
	return i < 0 ? NULL : &s->fields[i];
}

const cfg_enumval *cfg_enum_match(const cfg_field *f, const char *key)
{
	for (size_t i = 0; i < f->nvalues; i++)
		for (size_t k = 0; f->values[i].keys[k]; k++)
			if (strcmp(f->values[i].keys[k], key) == 0)
				return &f->values[i];
	return NULL;
}
