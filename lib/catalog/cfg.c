/*
 * cfg.c - load vqr's YAML configuration with libyaml; see cfg.h.  This
 * file holds cfg_load and cfg_free, the deployment settings and the
 * lookups; cfg_yaml.h lists the other parts.
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
#include "lib/catalog/cfg_yaml.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/sha256.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- deployment settings ---------------------------------------------- */

const char *const yl_top_keys[] = {
	"school", "database", "pii_key_file", "embedded", "paths", "include", "sources", "indicators",
	"checks", "reported_check", "fail_on", "limits", "overlay", NULL
};

/* A whole number of bytes in [1, 2^40] for limits.<key>: 0, or -1 (error set). */
static int limit_bytes(loader *L, const ydoc *d, const yaml_node_t *lim, const char *key,
		       long long *out)
{
	yaml_node_t *v = yl_get(d, lim, key);
	char what[64];
	double b;

	if (!v || yl_is_null(v))
		return 0;
	snprintf(what, sizeof what, "limits.%s", key);
	if (yl_num_of(L, d, v, what, &b) < 0)
		return -1;
	if (b < 1 || b > (double)(1LL << 40) || b != (double)(long long)b)
		return yl_fail(L, d, v->start_mark, "%s must be a whole number of bytes, 1..%lld",
			    what, 1LL << 40);
	*out = (long long)b;
	return 0;
}

/* The deployment's `limits:` block (defaults for what it leaves out). */
static int read_limits(loader *L, const ydoc *d, const yaml_node_t *root)
{
	static const char *const limit_keys[] = { "max_record_bytes", "max_field_bytes",
						  "max_inflation_ratio",
						  "max_shared_strings_bytes", "max_xls_bytes",
						  "max_extract_memory_bytes", NULL };
	cfg_limits *lm = &L->c->limits;
	yaml_node_t *n = yl_get(d, root, "limits"), *v;

	lm->max_record_bytes = CFG_MAX_RECORD_BYTES;
	lm->max_field_bytes = CFG_MAX_FIELD_BYTES;
	lm->max_inflation_ratio = CFG_MAX_INFLATION;
	lm->max_shared_strings_bytes = CFG_MAX_SHARED_BYTES;
	lm->max_xls_bytes = CFG_MAX_XLS_BYTES;
	lm->max_extract_memory_bytes = CFG_MAX_EXTRACT_MEMORY;
	if (!n || yl_is_null(n))
		return 0;
	if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, "limits") < 0 ||
	    yl_check_keys(L, d, n, "limits", limit_keys) < 0 ||
	    limit_bytes(L, d, n, "max_record_bytes", &lm->max_record_bytes) < 0 ||
	    limit_bytes(L, d, n, "max_field_bytes", &lm->max_field_bytes) < 0 ||
	    limit_bytes(L, d, n, "max_shared_strings_bytes", &lm->max_shared_strings_bytes) < 0 ||
	    limit_bytes(L, d, n, "max_xls_bytes", &lm->max_xls_bytes) < 0 ||
	    limit_bytes(L, d, n, "max_extract_memory_bytes", &lm->max_extract_memory_bytes) < 0)
		return -1;
	if ((v = yl_get(d, n, "max_inflation_ratio")) && !yl_is_null(v)) {
		if (yl_num_of(L, d, v, "limits.max_inflation_ratio", &lm->max_inflation_ratio) < 0)
			return -1;
		if (!(lm->max_inflation_ratio >= 1 && lm->max_inflation_ratio <= 1e6))
			return yl_fail(L, d, v->start_mark,
				    "limits.max_inflation_ratio must be between 1 and 1000000");
	}
	if (lm->max_field_bytes > lm->max_record_bytes) {
		v = yl_get(d, n, "max_field_bytes");
		return yl_fail(L, d, v ? v->start_mark : n->start_mark,
			    "limits.max_field_bytes (%lld) is larger than limits.max_record_bytes (%lld)",
			    lm->max_field_bytes, lm->max_record_bytes);
	}
	return 0;
}

/* school: {code, name, region}. */
static int read_school(loader *L, const ydoc *d, yaml_node_t *root)
{
	static const char *const school_keys[] = { "code", "name", "region", NULL };
	yaml_node_t *n = yl_get(d, root, "school"), *v;
	cfg *c = L->c;

	if (!n)
		return yl_fail(L, d, root->start_mark, "missing \"school\" (code and name of the school)");
	if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, "school") < 0 ||
	    yl_check_keys(L, d, n, "school", school_keys) < 0)
		return -1;
	if (!(v = yl_get(d, n, "code")) || yl_is_null(v))
		return yl_fail(L, d, n->start_mark, "school needs a \"code\"");
	if (!(c->school_code = yl_str_of(L, d, v, "school.code")))
		return -1;
	if (!(v = yl_get(d, n, "name")) || yl_is_null(v))
		return yl_fail(L, d, n->start_mark, "school needs a \"name\"");
	if (!(c->school_name = yl_str_of(L, d, v, "school.name")))
		return -1;
	if ((v = yl_get(d, n, "region")) && !yl_is_null(v) &&
	    !(c->school_region = yl_str_of(L, d, v, "school.region")))
		return -1;
	return 0;
}

/* A path setting (scalar v) resolved against d's directory into *dst. */
static int path_of(loader *L, const ydoc *d, const yaml_node_t *v, const char *what, char **dst)
{
	char *s = yl_str_of(L, d, v, what);

	if (!s)
		return -1;
	*dst = yl_resolve_path(d->dir, s);
	free(s);
	return 0;
}

/* database: a conninfo or service name; empty or none: embedded. */
static int read_database(loader *L, const ydoc *d, yaml_node_t *root)
{
	yaml_node_t *n = yl_get(d, root, "database");
	cfg *c = L->c;

	if (n && !yl_is_null(n)) {
		if (!(c->database = yl_str_of(L, d, n, "database")))
			return -1;
		if (!c->database[0]) {
			free(c->database);
			c->database = NULL;
		}
	}
	return 0;
}

/* fail_on, pii_key_file. */
static int read_settings(loader *L, const ydoc *d, yaml_node_t *root)
{
	yaml_node_t *n;
	cfg *c = L->c;

	c->fail_on = -1;
	n = yl_get(d, root, "fail_on");
	if (n && !yl_is_null(n)) {
		if (yl_scalar_is(n, "error"))
			c->fail_on = CFG_ERROR;
		else if (yl_scalar_is(n, "warning"))
			c->fail_on = CFG_WARNING;
		else if (!yl_scalar_is(n, "never"))
			return yl_fail(L, d, n->start_mark, "fail_on must be error, warning or never");
	}
	n = yl_get(d, root, "pii_key_file");
	if (n && !yl_is_null(n) && path_of(L, d, n, "pii_key_file", &c->pii_key_file) < 0)
		return -1;
	return 0;
}

int cfg_loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcmp(addr, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, addr, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* embedded.listen: a loopback address (cfg_loopback) into c. */
static int read_listen(loader *L, const ydoc *d, yaml_node_t *v)
{
	cfg *c = L->c;

	if (!(c->embedded_listen = yl_str_of(L, d, v, "embedded.listen")))
		return -1;
	if (cfg_loopback(c->embedded_listen))
		return 0;
	return yl_fail(L, d, v->start_mark,
		       "embedded.listen \"%s\" is not a loopback address (127.0.0.1, ::1 or localhost)\n"
		       "hint: the embedded cluster takes connections from this machine only; for other "
		       "machines use an SSH tunnel or a PostgreSQL server of its own (database:)",
		       c->embedded_listen);
}

/* embedded: {dir, user, port, listen}, with their defaults. */
static int read_embedded(loader *L, const ydoc *d, yaml_node_t *root)
{
	static const char *const emb_keys[] = { "dir", "user", "port", "listen", NULL };
	yaml_node_t *n = yl_get(d, root, "embedded"), *v;
	cfg *c = L->c;

	c->embedded_port = 5432;
	if (n && !yl_is_null(n)) {
		if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, "embedded") < 0 ||
		    yl_check_keys(L, d, n, "embedded", emb_keys) < 0)
			return -1;
		if ((v = yl_get(d, n, "dir")) && path_of(L, d, v, "embedded.dir", &c->embedded_dir) < 0)
			return -1;
		if ((v = yl_get(d, n, "user")) && !(c->embedded_user = yl_str_of(L, d, v, "embedded.user")))
			return -1;
		if ((v = yl_get(d, n, "port")) && yl_int_in(L, d, v, "embedded.port", 1, 65535, &c->embedded_port) < 0)
			return -1;
		if ((v = yl_get(d, n, "listen")) && !yl_is_null(v) && read_listen(L, d, v) < 0)
			return -1;
	}
	if (!c->embedded_dir)
		c->embedded_dir = yl_resolve_path(d->dir, "var/pg");
	if (!c->embedded_user)
		c->embedded_user = xstrdup("postgres");
	return 0;
}

/* A whole number setting of paths (key) in [0, max], default def. */
static int whole_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *key, int max, int def,
		    const char *msg, int *out)
{
	yaml_node_t *v = yl_get(d, n, key);
	double x;

	*out = def;
	if (!v)
		return 0;
	if (yl_num_of(L, d, v, key, &x) < 0)
		return -1;
	if (x < 0 || x > max || x != (int)x)
		return yl_fail(L, d, v->start_mark, "%s", msg);
	*out = (int)x;
	return 0;
}

/* paths: the four directories and the inbox settings. */
static int read_paths(loader *L, const ydoc *d, yaml_node_t *root)
{
	static const char *const path_keys[] = { "inbox", "staging", "archive", "quarantine",
						  "settle_seconds", "done_marker", "keep_staging_days", NULL };
	cfg *c = L->c;
	struct { const char *key; char **dst; const char *def; } paths[] = {
		{ "inbox", &c->inbox, "var/inbox" },
		{ "staging", &c->staging, "var/staging" },
		{ "archive", &c->archive, "var/archive" },
		{ "quarantine", &c->quarantine, "var/quarantine" },
	};
	yaml_node_t *n = yl_get(d, root, "paths"), *v;

	if (n && !yl_is_null(n) &&
	    (yl_want_kind(L, d, n, YAML_MAPPING_NODE, "paths") < 0 ||
	     yl_check_keys(L, d, n, "paths", path_keys) < 0))
		return -1;
	if (whole_of(L, d, n, "settle_seconds", 86400, 60,
		     "settle_seconds must be a whole number of seconds, 0..86400", &c->settle_seconds) < 0)
		return -1;
	if ((v = yl_get(d, n, "done_marker")) && yl_bool_of(L, d, v, "done_marker", &c->done_marker) < 0)
		return -1;
	if (whole_of(L, d, n, "keep_staging_days", 36500, 30,
		     "keep_staging_days must be a whole number of days, 0..36500 (0: keep them)",
		     &c->keep_staging_days) < 0)
		return -1;
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		v = yl_get(d, n, paths[i].key);
		if (v && !yl_is_null(v)) {
			if (path_of(L, d, v, paths[i].key, paths[i].dst) < 0)
				return -1;
		} else {
			*paths[i].dst = yl_resolve_path(d->dir, paths[i].def);
		}
	}
	return 0;
}

static int read_deployment(loader *L)
{
	const ydoc *d = &L->docs[0];
	yaml_node_t *root = yaml_document_get_root_node((yaml_document_t *)&d->doc);

	if (yl_want_kind(L, d, root, YAML_MAPPING_NODE, "the configuration") < 0 ||
	    yl_check_keys(L, d, root, "the configuration", yl_top_keys) < 0)
		return -1;
	if (read_school(L, d, root) < 0 || read_database(L, d, root) < 0 || read_limits(L, d, root) < 0 ||
	    read_settings(L, d, root) < 0 || read_embedded(L, d, root) < 0 || read_paths(L, d, root) < 0)
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

cfg *cfg_load(const char *path, char *err, size_t errlen)
{
	loader L;
	cfg *c = xcalloc(1, sizeof *c);

	memset(&L, 0, sizeof L);
	L.err = err;
	L.errlen = errlen;
	c->files = xcalloc(MAX_FILES, sizeof *c->files);
	c->path = xstrdup(path);
	L.c = c;
	if (yl_read_file(&L, path, NULL, (yaml_mark_t){ 0, 0, 0 }) == 0 &&
	    yl_read_includes(&L, 0, 0) == 0 && read_deployment(&L) == 0 &&
	    yl_read_sources(&L) == 0 && yl_overlay_sources(&L) == 0 && yl_read_indicators(&L) == 0 &&
	    yl_read_checks(&L) == 0 && yl_overlay_catalog(&L) == 0)
		yl_link_catalog(&L);
	free(L.src_off);
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

void yl_indicator_free(cfg_indicator *ind)
{
	FREE_ALL(ind->code, ind->name_zh, ind->name_en, ind->unit, ind->description, ind->reads);
	agg_free(&ind->num);
	agg_free(&ind->den);
	calc_free(ind->formula);
	calc_free(ind->dformula);
	FREE_ALL(ind->across, ind->by);
	yl_strlist_free(ind->by_names);
	yl_strlist_free(ind->reported_keys);
}

void yl_check_free(cfg_check *k)
{
	FREE_ALL(k->code, k->name_zh, k->name_en);
	calc_free(k->left);
	calc_free(k->right);
	yl_strlist_free(k->by_names);
}

void yl_field_free(cfg_field *f)
{
	FREE_ALL(f->name, f->header, f->indicator_code);
	yl_strlist_free(f->synonyms);
	for (size_t k = 0; k < f->nvalues; k++) {
		free(f->values[k].value);
		yl_strlist_free(f->values[k].synonyms);
		yl_strlist_free(f->values[k].keys);
	}
	free(f->values);
}

void yl_source_free(cfg_source *s)
{
	for (size_t j = 0; j < s->nfields; j++)
		yl_field_free(&s->fields[j]);
	FREE_ALL(s->fields, s->used, s->rby, s->overlays);
	yl_strlist_free(s->rby_names);
	FREE_ALL(s->name, s->name_zh, s->name_en);
	yl_strlist_free(s->files);
	yl_strlist_free(s->supplement_files);
	yl_strlist_free(s->sheets);
	FREE_ALL(s->encoding, s->sheet);
}

void cfg_free(cfg *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nindicators; i++)
		yl_indicator_free(&c->indicators[i]);
	FREE_ALL(c->indicators, c->derived);
	for (size_t i = 0; i < c->nchecks; i++)
		yl_check_free(&c->checks[i]);
	free(c->checks);
	for (size_t i = 0; i < c->nsources; i++)
		yl_source_free(&c->sources[i]);
	FREE_ALL(c->sources, c->school_code, c->school_name, c->school_region, c->database, c->pii_key_file,
		 c->embedded_dir, c->embedded_user, c->embedded_listen, c->inbox, c->staging, c->archive, c->quarantine);
	strv_free(c->files, c->nfiles);
	FREE_ALL(c->path, c);
}

const cfg_source *cfg_source_find(const cfg *c, const char *name)
{
	for (size_t i = 0; i < c->nsources; i++)
		if (strcmp(c->sources[i].name, name) == 0)
			return &c->sources[i];
	return NULL;
}


/* Does one of the NULL-terminated patterns (NULL: none) match name? */
static int any_match(char *const *patterns, const char *name)
{
	for (size_t j = 0; patterns && patterns[j]; j++)
		if (fnmatch(patterns[j], name, 0) == 0)
			return 1;
	return 0;
}

const cfg_source *cfg_source_for_file(const cfg *c, const char *path)
{
	for (size_t i = 0; i < c->nsources; i++)
		if (any_match(c->sources[i].files, cli_basename(path)))
			return &c->sources[i];
	return NULL;
}

int cfg_file_has_sheets(const cfg *c, const char *path)
{
	for (size_t i = 0; i < c->nsources; i++)
		if (c->sources[i].sheets && any_match(c->sources[i].files, cli_basename(path)))
			return 1;
	return 0;
}

const cfg_source *cfg_source_for_sheet(const cfg *c, const char *path, const char *sheet)
{
	for (size_t i = 0; i < c->nsources; i++)
		if (any_match(c->sources[i].files, cli_basename(path)) && any_match(c->sources[i].sheets, sheet))
			return &c->sources[i];
	return NULL;
}

/* Is f the file of mark m? */
static int marked_in(const cfg_mark *m, const char *f)
{
	return m->file && strcmp(m->file, f) == 0;
}

/* Add span sp's base name and bytes to h: 0, or -1 with "path: reason". */
static int hash_span(sha256_ctx *h, const cfg_span *sp, char *err, size_t errlen)
{
	const char *base = strrchr(sp->file, '/');
	size_t len = sp->end - sp->start;
	char *buf = xmalloc(len + 1);
	FILE *f = fopen(sp->file, "rb");
	int ok = f && fseek(f, (long)sp->start, SEEK_SET) == 0 && fread(buf, 1, len, f) == len;

	if (!ok)
		err_set(err, errlen, "%s: cannot read the overlay: %s", sp->file,
			f && !ferror(f) ? "the file is shorter than when it was read" : strerror(errno));
	if (f)
		fclose(f);
	base = base ? base + 1 : sp->file;
	if (ok) {
		sha256_update(h, base, strlen(base) + 1);
		sha256_update(h, buf, len);
	}
	free(buf);
	return ok ? 0 : -1;
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
	for (size_t i = 0; i < s->noverlays; i++)
		if (hash_span(&all, &s->overlays[i], err, errlen) < 0) {
			sha256_final(&all, d);
			return -1;
		}
	if (sha256_final(&all, d) < 0)
		return err_set(err, errlen, "out of memory");
	sha256_hex(d, hex);
	return 0;
}

int cfg_is_supplement(const cfg_source *s, const char *path)
{
	return s->supplement || any_match(s->supplement_files, cli_basename(path));
}

const cfg_field *cfg_field_find(const cfg_source *s, const char *name)
{
	int i = yl_field_index(s, name);
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

cfg *cfg_keep(cfg_kept *k, const char *path, char *err, size_t errlen)
{
	if (k->c && strcmp(k->path, path) == 0)
		return k->c;
	cfg_kept_free(k);
	if ((k->c = cfg_load(path, err, errlen)))
		k->path = xstrdup(path);
	return k->c;
}

void cfg_kept_free(cfg_kept *k)
{
	cfg_free(k->c);
	free(k->path);
	k->c = NULL;
	k->path = NULL;
}
