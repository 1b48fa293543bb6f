/*
 * cfg_overlay.c - cfg_load's overlays (see cfg_yaml.h): the `overlay:`
 * key of any configuration file changes sources, indicators and checks
 * that other files define, so that a deployment adapts the shipped
 * catalog in a few lines and still reads the shipped files on every run:
 *
 *     overlay:
 *       sources:
 *         graduate_destination:
 *           files: ["*去向*.csv"]                 # lists are appended to ...
 *           fields:
 *             major: {synonyms: [所学专业]}
 *             campus: {header: 校区, type: text}   # a field it lacks is added
 *           max_shrink: 0.3
 *       indicators:
 *         employment.dest.enterprise.rate: {disable: true}
 *       checks:
 *         employment.destinations_sum_to_graduates: {tolerance: 2}
 *
 * ... or replaced with {replace: LIST}.  Sources are changed right after
 * every source is read (so indicators see added fields and synonyms);
 * indicators and checks after every one is read, before they are linked.
 * Every entry's text counts in its source's catalog hash (s->overlays).
 * docs/CATALOG.md ("Overlays") is the user's description.
 */
#include "lib/catalog/cfg.h"
#include "lib/catalog/cfg_yaml.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Fail unless every key of mapping n is one of `allowed`, naming what an
 * overlay may change. */
static int ov_keys(loader *L, const ydoc *d, const yaml_node_t *n, const char *what,
		   const char *const *allowed)
{
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yl_node(d, p->key);
		int found = 0;
		str list = STR_INIT;

		for (int i = 0; allowed[i] && yl_is_scalar(k); i++)
			found |= strcmp(yl_sval(k), allowed[i]) == 0;
		if (found)
			continue;
		for (int i = 0; allowed[i]; i++)
			str_addf(&list, "%s%s", i ? ", " : "", allowed[i]);
		yl_fail(L, d, k->start_mark, "\"%s\" cannot be changed by an overlay of %s (it may give: %s)",
			yl_is_scalar(k) ? yl_sval(k) : "?", what, str_cstr(&list));
		str_free(&list);
		return -1;
	}
	return 0;
}

/* Note the entry k: v of document d as changing source s. */
static void add_span(cfg_source *s, const ydoc *d, const yaml_node_t *k, const yaml_node_t *v)
{
	cfg_span *sp;

	s->overlays = xreallocarray(s->overlays, s->noverlays + 1, sizeof *s->overlays);
	sp = &s->overlays[s->noverlays++];
	sp->file = d->file;
	sp->start = k->start_mark.index;
	sp->end = v->end_mark.index;
}

/* The same for every source (an entry for a derived indicator or a check). */
static void add_span_all(loader *L, const ydoc *d, const yaml_node_t *k, const yaml_node_t *v)
{
	for (size_t i = 0; i < L->c->nsources; i++)
		add_span(&L->c->sources[i], d, k, v);
}

/* A list key: n (a scalar or a list) is appended to *dst (what is there
 * already is not added twice), {replace: LIST} replaces it.  With norm,
 * the strings are stored through val_norm_key.  0, or -1. */
static int ov_list(loader *L, const ydoc *d, yaml_node_t *n, const char *what, int norm, char ***dst)
{
	static const char *const rkeys[] = { "replace", NULL };
	size_t have = 0, nadd = 0;
	int replace = n->type == YAML_MAPPING_NODE;
	char **add;

	if (replace) {
		if (yl_check_keys(L, d, n, what, rkeys) < 0)
			return -1;
		yaml_node_t *r = yl_get(d, n, "replace");
		if (!r)
			return yl_fail(L, d, n->start_mark, "%s: give a list to add, or {replace: LIST}", what);
		n = r;
	}
	if (!(add = yl_strlist_of(L, d, n, what)))
		return -1;
	for (; add[nadd]; nadd++)
		if (norm) {
			char *k = yl_norm_dup(add[nadd]);
			free(add[nadd]);
			add[nadd] = k;
		}
	if (replace || !*dst) {
		yl_strlist_free(*dst);
		*dst = add;
		return 0;
	}
	while ((*dst)[have])
		have++;
	*dst = xreallocarray(*dst, have + nadd + 1, sizeof **dst);
	for (size_t i = 0; i < nadd; i++) {
		int dup = 0;
		for (size_t j = 0; j < have && !dup; j++)
			dup = strcmp((*dst)[j], add[i]) == 0;
		if (dup)
			free(add[i]);
		else
			(*dst)[have++] = add[i];
	}
	(*dst)[have] = NULL;
	free(add);
	return 0;
}

/* A text key of mapping n, when there, replaces *dst (freed): 0, or -1. */
static int ov_text(loader *L, const ydoc *d, const yaml_node_t *n, const char *key, char **dst)
{
	yaml_node_t *v = yl_get(d, n, key);
	char *t;

	if (!v)
		return 0;
	if (!(t = yl_str_of(L, d, v, key)))
		return -1;
	free(*dst);
	*dst = t;
	return 0;
}

/* values: {LABEL: [synonyms]}: synonyms added to a value, or a new value. */
static int ov_enum(loader *L, const ydoc *d, cfg_field *f, yaml_node_t *n)
{
	if (f->type != CFG_ENUM)
		return yl_fail(L, d, n->start_mark, "\"values\" applies to enum fields only");
	if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, "values (label: [synonyms])") < 0)
		return -1;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yl_node(d, p->key), *v = yl_node(d, p->value);
		cfg_enumval *e = NULL;

		if (yl_want_kind(L, d, k, YAML_SCALAR_NODE, "an enum value") < 0)
			return -1;
		for (size_t i = 0; i < f->nvalues && !e; i++)
			if (strcmp(f->values[i].value, yl_sval(k)) == 0)
				e = &f->values[i];
		if (!e) {
			f->values = xreallocarray(f->values, f->nvalues + 1, sizeof *f->values);
			e = &f->values[f->nvalues++];
			memset(e, 0, sizeof *e);
			e->value = xstrdup(yl_sval(k));
			e->synonyms = xcalloc(1, sizeof *e->synonyms);
		}
		if (!yl_is_null(v) && ov_list(L, d, v, "synonyms of an enum value", 0, &e->synonyms) < 0)
			return -1;
		yl_enum_keys(e);
	}
	return yl_enum_unique(L, d, f, n);
}

/* A field the source lacks: n is its whole definition; it gets the next
 * canonical column. */
static int ov_new_field(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *k, yaml_node_t *n)
{
	cfg_field *f;

	if (yl_is_scalar(k) && n->type == YAML_MAPPING_NODE && (!yl_get(d, n, "header") || !yl_get(d, n, "type")))
		return yl_fail(L, d, k->start_mark, "source \"%s\" has no field \"%s\" (a new field needs a "
			    "\"header\" and a \"type\")", s->name, yl_sval(k));
	s->fields = xreallocarray(s->fields, s->nfields + 1, sizeof *s->fields);
	f = &s->fields[s->nfields++];
	memset(f, 0, sizeof *f);
	if (yl_read_field(L, d, f, k, n) < 0)
		return -1;
	if (f->indicator_code && !(s->reported && s->wide))
		return yl_fail(L, d, k->start_mark, "field \"%s\" names an indicator, but only a wide reported "
			    "source holds figures", f->name);
	if (f->pii != CFG_PII_DROP) {
		f->col = (int)s->ncols++;
		s->used = xreallocarray(s->used, s->ncols, 1);
		s->used[f->col] = f->indicator_code != NULL;
	}
	return 0;
}

/* fields: NAME: {...}: a field of s changed, or a new one. */
static int ov_field(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *k, yaml_node_t *n)
{
	static const char *const keys[] = {
		"header", "synonyms", "required", "not_null", "min", "max", "max_length", "scale",
		"percent", "excel_serial", "values", NULL
	};
	char what[300];
	cfg_field *f;
	yaml_node_t *v;
	int i = yl_is_scalar(k) ? yl_field_index(s, yl_sval(k)) : -1;

	if (i < 0)
		return ov_new_field(L, d, s, k, n);
	f = &s->fields[i];
	snprintf(what, sizeof what, "field \"%s\" of source \"%s\"", f->name, s->name);
	if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, what) < 0 || ov_keys(L, d, n, what, keys) < 0)
		return -1;
	if (ov_text(L, d, n, "header", &f->header) < 0)
		return -1;
	if ((v = yl_get(d, n, "synonyms")) && ov_list(L, d, v, "synonyms", 0, &f->synonyms) < 0)
		return -1;
	if (yl_field_options(L, d, f, n) < 0)
		return -1;
	if ((v = yl_get(d, n, "values")) && ov_enum(L, d, f, v) < 0)
		return -1;
	return 0;
}

/* A `disable:` in n into *m (its mark, or line 0 for false): 0, or -1. */
static int ov_disable(loader *L, const ydoc *d, yaml_node_t *n, cfg_mark *m)
{
	yaml_node_t *v = yl_get(d, n, "disable");
	int off;

	if (!v)
		return 0;
	if (yl_bool_of(L, d, v, "disable", &off) < 0)
		return -1;
	*m = off ? yl_mark_of(d, v) : (cfg_mark){ NULL, 0, 0 };
	return 0;
}

/* The head of entry k: n of overlay.<part>: k names a `kind` the catalog
 * has (found), n is a mapping of `keys`; what names it for messages. */
static int ov_head(loader *L, const ydoc *d, yaml_node_t *k, yaml_node_t *n, const char *kind, int found,
		   const char *const *keys, char *what, size_t wlen)
{
	if (yl_want_kind(L, d, k, YAML_SCALAR_NODE, "a name") < 0)
		return -1;
	if (!found)
		return yl_fail(L, d, k->start_mark, "overlay of an unknown %s \"%s\" (no catalog file read defines "
			    "it; a new %s goes under %ss:)", kind, yl_sval(k), kind, kind);
	snprintf(what, wlen, "%s \"%s\"", kind, yl_sval(k));
	if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, what) < 0 || ov_keys(L, d, n, what, keys) < 0)
		return -1;
	return 0;
}

/* sources: NAME: {...}. */
static int ov_source(loader *L, const ydoc *d, yaml_node_t *k, yaml_node_t *n)
{
	static const char *const keys[] = {
		"disable", "name_zh", "name_en", "files", "encoding", "delimiter", "header_scan", "header_rows", "sheet",
		"sheets", "max_reject_share", "load_rows", "mode", "supplement_files", "max_shrink", "fields", NULL
	};
	cfg *c = L->c;
	cfg_source *s = (cfg_source *)(yl_is_scalar(k) ? cfg_source_find(c, yl_sval(k)) : NULL);
	char what[300];
	yaml_node_t *v;

	if (ov_head(L, d, k, n, "source", s != NULL, keys, what, sizeof what) < 0)
		return -1;
	add_span(s, d, k, n);
	if (!L->src_off)
		L->src_off = xcalloc(c->nsources, sizeof *L->src_off);
	if (ov_disable(L, d, n, &L->src_off[s - c->sources]) < 0)
		return -1;
	if (((v = yl_get(d, n, "files")) && ov_list(L, d, v, "files", 0, &s->files) < 0) ||
	    ((v = yl_get(d, n, "supplement_files")) &&
	     ov_list(L, d, v, "supplement_files", 0, &s->supplement_files) < 0))
		return -1;
	if (yl_source_options(L, d, s, n) < 0)
		return -1;
	if (!(v = yl_get(d, n, "fields")) || yl_is_null(v))
		return 0;
	if (yl_want_kind(L, d, v, YAML_MAPPING_NODE, "fields") < 0)
		return -1;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++)
		if (ov_field(L, d, s, yl_node(d, p->key), yl_node(d, p->value)) < 0)
			return -1;
	return 0;
}

/* The mapping under overlay.<key> of document d, or NULL (also after an
 * error: see L->failed). */
static yaml_node_t *ov_part(loader *L, const ydoc *d, const char *key)
{
	static const char *const keys[] = { "sources", "indicators", "checks", NULL };
	yaml_node_t *ov = yl_get(d, yaml_document_get_root_node((yaml_document_t *)&d->doc), "overlay"), *n;
	char what[64];

	if (!ov || yl_is_null(ov))
		return NULL;
	if (yl_want_kind(L, d, ov, YAML_MAPPING_NODE, "overlay") < 0 ||
	    yl_check_keys(L, d, ov, "overlay", keys) < 0)
		return NULL;
	if (!(n = yl_get(d, ov, key)) || yl_is_null(n))
		return NULL;
	snprintf(what, sizeof what, "overlay.%s (names and their changes)", key);
	if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, what) < 0)
		return NULL;
	return n;
}

int yl_overlay_sources(loader *L)
{
	for (int i = 0; i < L->ndocs; i++) {
		const ydoc *d = &L->docs[i];
		yaml_node_t *n = ov_part(L, d, "sources");
		if (L->failed)
			return -1;
		for (yaml_node_pair_t *p = n ? n->data.mapping.pairs.start : NULL; n && p < n->data.mapping.pairs.top; p++)
			if (ov_source(L, d, yl_node(d, p->key), yl_node(d, p->value)) < 0)
				return -1;
	}
	return 0;
}

/* What is removed at the end, and why: per indicator and per check, the
 * mark of the `disable` (or of the source's, or of an operand's) that
 * removes it; line 0 keeps it. */
typedef struct offs {
	cfg_mark *ind;          /* nindicators */
	cfg_mark *chk;          /* nchecks */
} offs;

/* indicators: CODE: {...}. */
static int ov_indicator(loader *L, const ydoc *d, yaml_node_t *k, yaml_node_t *n, offs *o)
{
	static const char *const keys[] = { "disable", "name_zh", "name_en", "description", "reported_names", NULL };
	cfg *c = L->c;
	cfg_indicator *ind = (cfg_indicator *)(yl_is_scalar(k) ? cfg_indicator_find(c, yl_sval(k)) : NULL);
	char what[300];
	yaml_node_t *v;

	if (ov_head(L, d, k, n, "indicator", ind != NULL, keys, what, sizeof what) < 0)
		return -1;
	if (ind->source)
		add_span(&c->sources[ind->source - c->sources], d, k, n);
	else
		add_span_all(L, d, k, n);
	if (ov_disable(L, d, n, &o->ind[ind - c->indicators]) < 0 ||
	    yl_names_set(L, d, n, &ind->name_zh, &ind->name_en) < 0)
		return -1;
	if (ov_text(L, d, n, "description", &ind->description) < 0)
		return -1;
	if ((v = yl_get(d, n, "reported_names")) && ov_list(L, d, v, "reported_names", 1, &ind->reported_keys) < 0)
		return -1;
	return 0;
}

/* checks: CODE: {...}. */
static int ov_check(loader *L, const ydoc *d, yaml_node_t *k, yaml_node_t *n, offs *o)
{
	static const char *const keys[] = { "disable", "name_zh", "name_en", "tolerance", "severity", "block", NULL };
	cfg *c = L->c;
	cfg_check *chk = NULL;
	char what[300];

	for (size_t i = 0; i < c->nchecks && !chk && yl_is_scalar(k); i++)
		if (strcmp(c->checks[i].code, yl_sval(k)) == 0)
			chk = &c->checks[i];
	if (ov_head(L, d, k, n, "check", chk != NULL, keys, what, sizeof what) < 0)
		return -1;
	add_span_all(L, d, k, n);
	if (ov_disable(L, d, n, &o->chk[chk - c->checks]) < 0 ||
	    yl_names_set(L, d, n, &chk->name_zh, &chk->name_en) < 0 || yl_check_options(L, d, chk, n) < 0)
		return -1;
	return 0;
}

/* The mark that removes an operand of formula f (line 0: none). */
static cfg_mark gone_ref(const cfg *c, const calc *f, const offs *o)
{
	for (size_t r = 0; f && r < calc_nrefs(f); r++) {
		const cfg_indicator *op = cfg_indicator_find(c, calc_ref_at(f, r)->code);
		if (op && o->ind[op - c->indicators].line)
			return o->ind[op - c->indicators];
	}
	return (cfg_mark){ NULL, 0, 0 };
}

/* Mark what goes with what an overlay disables: the indicators of a
 * disabled source, then derived indicators and checks over removed
 * indicators.  A wide summary column holding a removed indicator of a
 * source that stays is an error at the `disable`. */
static int ov_cascade(loader *L, offs *o)
{
	cfg *c = L->c;
	int more = 1;

	for (size_t i = 0; i < c->nindicators && L->src_off; i++)
		if (c->indicators[i].source && !o->ind[i].line)
			o->ind[i] = L->src_off[c->indicators[i].source - c->sources];
	while (more) {
		more = 0;
		for (size_t i = 0; i < c->nindicators; i++) {
			cfg_mark m = gone_ref(c, c->indicators[i].formula, o);
			if (!m.line)
				m = gone_ref(c, c->indicators[i].dformula, o);
			if (!o->ind[i].line && m.line) {
				o->ind[i] = m;
				more = 1;
			}
		}
	}
	for (size_t i = 0; i < c->nchecks; i++)
		if (!o->chk[i].line && !(o->chk[i] = gone_ref(c, c->checks[i].left, o)).line)
			o->chk[i] = gone_ref(c, c->checks[i].right, o);
	for (size_t i = 0; i < c->nsources; i++)
		for (size_t j = 0; j < c->sources[i].nfields && !(L->src_off && L->src_off[i].line); j++) {
			const cfg_field *f = &c->sources[i].fields[j];
			const cfg_indicator *ind = f->indicator_code ? cfg_indicator_find(c, f->indicator_code) : NULL;
			cfg_mark m = ind ? o->ind[ind - c->indicators] : (cfg_mark){ NULL, 0, 0 };
			if (m.line)
				return yl_fail_at(L, &m, "indicator \"%s\" is a column (field \"%s\") of summary source "
						   "\"%s\": disable the source too, or keep the indicator",
						   ind->code, f->name, c->sources[i].name);
		}
	return 0;
}

/* Remove what o marks, and the disabled sources, keeping the order. */
static void ov_remove(loader *L, const offs *o)
{
	cfg *c = L->c;
	size_t n = 0, *map = xcalloc(c->nsources ? c->nsources : 1, sizeof *map);

	for (size_t i = 0; i < c->nsources; i++)
		map[i] = (L->src_off && L->src_off[i].line) ? (size_t)-1 : n++;
	n = 0;
	for (size_t i = 0; i < c->nindicators; i++) {
		cfg_indicator ind = c->indicators[i];
		if (o->ind[i].line) {
			yl_indicator_free(&ind);
			continue;
		}
		if (ind.source)
			ind.source = &c->sources[map[ind.source - c->sources]];
		c->indicators[n++] = ind;
	}
	c->nindicators = n;
	n = 0;
	for (size_t i = 0; i < c->nchecks; i++)
		if (o->chk[i].line)
			yl_check_free(&c->checks[i]);
		else
			c->checks[n++] = c->checks[i];
	c->nchecks = n;
	n = 0;
	for (size_t i = 0; i < c->nsources; i++)
		if (map[i] == (size_t)-1)
			yl_source_free(&c->sources[i]);
		else
			c->sources[n++] = c->sources[i];
	c->nsources = n;
	free(map);
}

int yl_overlay_catalog(loader *L)
{
	cfg *c = L->c;
	offs o = { xcalloc(c->nindicators + 1, sizeof *o.ind), xcalloc(c->nchecks + 1, sizeof *o.chk) };
	int rc = 0;

	for (int i = 0; i < L->ndocs && rc == 0; i++) {
		const ydoc *d = &L->docs[i];
		yaml_node_t *n = ov_part(L, d, "indicators"), *k = ov_part(L, d, "checks");
		if (L->failed)
			rc = -1;
		for (yaml_node_pair_t *p = n ? n->data.mapping.pairs.start : NULL; rc == 0 && n && p < n->data.mapping.pairs.top; p++)
			rc = ov_indicator(L, d, yl_node(d, p->key), yl_node(d, p->value), &o);
		for (yaml_node_pair_t *p = k ? k->data.mapping.pairs.start : NULL; rc == 0 && k && p < k->data.mapping.pairs.top; p++)
			rc = ov_check(L, d, yl_node(d, p->key), yl_node(d, p->value), &o);
	}
	if (rc == 0 && (rc = ov_cascade(L, &o)) == 0)
		ov_remove(L, &o);
	FREE_ALL(o.ind, o.chk);
	return rc;
}
