/*
 * cfg_source.c - cfg_load's sources (see cfg_yaml.h): a source's files,
 * encoding, period, its fields (types, enums and their synonyms, ranges,
 * personal data) and, for summary sheets, how figures are laid out.
 */
#include "lib/catalog/cfg.h"
#include "lib/catalog/cfg_yaml.h"
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

char *yl_norm_dup(const char *s)
{
	char buf[1024];
	val_norm_key(s, strlen(s), buf, sizeof buf);
	return xstrdup(buf);
}

void yl_enum_keys(cfg_enumval *e)
{
	size_t ns = 0;

	while (e->synonyms[ns])
		ns++;
	yl_strlist_free(e->keys);
	e->keys = xcalloc(ns + 2, sizeof *e->keys);
	e->keys[0] = yl_norm_dup(e->value);
	for (size_t i = 0; i < ns; i++)
		e->keys[i + 1] = yl_norm_dup(e->synonyms[i]);
}

static int read_enum(loader *L, const ydoc *d, cfg_field *f, yaml_node_t *n)
{
	size_t cnt;

	if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, "values (label: [synonyms])") < 0)
		return -1;
	cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (cnt == 0)
		return yl_fail(L, d, n->start_mark, "an enum needs at least one value");
	f->values = xcalloc(cnt, sizeof *f->values);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yl_node(d, p->key), *v = yl_node(d, p->value);
		cfg_enumval *e = &f->values[f->nvalues];

		if (!(e->value = yl_str_of(L, d, k, "an enum value")))
			return -1;
		f->nvalues++;
		if (yl_is_null(v))
			e->synonyms = xcalloc(1, sizeof *e->synonyms);
		else
			e->synonyms = yl_strlist_of(L, d, v, "synonyms of an enum value");
		if (!e->synonyms)
			return -1;
		yl_enum_keys(e);
	}
	return yl_enum_unique(L, d, f, n);
}

int yl_enum_unique(loader *L, const ydoc *d, const cfg_field *f, const yaml_node_t *n)
{
	/* A label may not mean two values. */
	for (size_t i = 0; i < f->nvalues; i++)
		for (size_t j = 0; j < f->nvalues; j++)
			for (size_t a = 0; f->values[i].keys[a]; a++)
				for (size_t b = 0; f->values[j].keys[b]; b++)
					if ((i != j || a != b) &&
					    strcmp(f->values[i].keys[a], f->values[j].keys[b]) == 0)
						return yl_fail(L, d, n->start_mark,
							    "enum label \"%s\" is given twice (for \"%s\" and \"%s\")",
							    f->values[i].keys[a], f->values[i].value,
							    f->values[j].value);
	return 0;
}

/* A field's name, header, synonyms and type. */
static int field_names(loader *L, const ydoc *d, cfg_field *f, yaml_node_t *k, yaml_node_t *n)
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

	f->mark = yl_mark_of(d, k);
	f->col = -1;
	f->indicator = -1;
	if (!(f->name = yl_str_of(L, d, k, "a field name")))
		return -1;
	if (!is_ident(f->name))
		return yl_fail(L, d, k->start_mark,
			    "field name \"%s\" must be an ASCII identifier (letters, digits, _)", f->name);
	if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, "a field definition") < 0 ||
	    yl_check_keys(L, d, n, "a field definition", keys) < 0)
		return -1;
	if (!(v = yl_get(d, n, "header")))
		return yl_fail(L, d, n->start_mark, "field \"%s\" needs a \"header\" (its column title in the export)", f->name);
	if (!(f->header = yl_str_of(L, d, v, "header")))
		return -1;
	if ((v = yl_get(d, n, "synonyms")))
		f->synonyms = yl_strlist_of(L, d, v, "synonyms");
	else
		f->synonyms = xcalloc(1, sizeof *f->synonyms);
	if (!f->synonyms)
		return -1;
	if (!(v = yl_get(d, n, "type")))
		return yl_fail(L, d, n->start_mark, "field \"%s\" needs a \"type\"", f->name);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (yl_scalar_is(v, types[i].name)) {
			f->type = types[i].t;
			found = 1;
		}
	if (!found)
		return yl_fail(L, d, v->start_mark,
			    "unknown type \"%s\" (expected text, integer, decimal, date, bool, enum or percent)",
			    yl_is_scalar(v) ? yl_sval(v) : "?");
	return 0;
}

/* required, indicator (a wide summary column), not_null, pii. */
static int field_flags(loader *L, const ydoc *d, cfg_field *f, yaml_node_t *n)
{
	yaml_node_t *v;

	if ((v = yl_get(d, n, "required")) && yl_bool_of(L, d, v, "required", &f->required) < 0)
		return -1;
	if ((v = yl_get(d, n, "indicator"))) {
		if (!(f->indicator_code = yl_str_of(L, d, v, "indicator")))
			return -1;
		if (f->type != CFG_INTEGER && f->type != CFG_DECIMAL && f->type != CFG_PERCENT &&
		    f->type != CFG_TEXT)
			return yl_fail(L, d, v->start_mark, "a column holding indicator \"%s\" must be a number (or text)",
				    f->indicator_code);
	}
	if ((v = yl_get(d, n, "not_null")) && yl_bool_of(L, d, v, "not_null", &f->not_null) < 0)
		return -1;
	if ((v = yl_get(d, n, "pii"))) {
		if (yl_scalar_is(v, "drop"))
			f->pii = CFG_PII_DROP;
		else if (yl_scalar_is(v, "pseudonymise") || yl_scalar_is(v, "pseudonymize"))
			f->pii = CFG_PII_PSEUDONYMISE;
		else if (yl_scalar_is(v, "none") || yl_scalar_is(v, "false"))
			f->pii = CFG_PII_NONE;
		else
			return yl_fail(L, d, v->start_mark, "pii must be drop, pseudonymise or none");
		if (f->pii == CFG_PII_PSEUDONYMISE && f->type != CFG_TEXT)
			return yl_fail(L, d, v->start_mark, "only text fields can be pseudonymised");
		if (f->pii == CFG_PII_PSEUDONYMISE && !L->c->pii_key_file)
			return yl_fail(L, d, v->start_mark,
				    "field \"%s\" is to be pseudonymised, but the configuration names no pii_key_file", f->name);
	}
	return 0;
}

/* percent (how a bare number reads) and excel_serial. */
static int field_format(loader *L, const ydoc *d, cfg_field *f, yaml_node_t *n)
{
	yaml_node_t *v;

	if ((v = yl_get(d, n, "percent"))) {
		if (f->type != CFG_PERCENT)
			return yl_fail(L, d, v->start_mark, "\"percent\" applies to percent fields");
		if (yl_scalar_is(v, "percent"))
			f->pct = VAL_PCT_PERCENT;
		else if (yl_scalar_is(v, "fraction"))
			f->pct = VAL_PCT_FRACTION;
		else if (!yl_scalar_is(v, "auto"))
			return yl_fail(L, d, v->start_mark,
				    "percent must be percent (94.82 means 94.82%%), fraction (0.9482 means 94.82%%) or auto");
	}
	if ((v = yl_get(d, n, "excel_serial"))) {
		if (yl_bool_of(L, d, v, "excel_serial", &f->excel_serial) < 0)
			return -1;
		if (f->type != CFG_DATE)
			return yl_fail(L, d, v->start_mark, "excel_serial applies to date fields");
	}
	return 0;
}

/* min, max, max_length, scale. */
static int field_range(loader *L, const ydoc *d, cfg_field *f, yaml_node_t *n)
{
	yaml_node_t *v;

	if ((v = yl_get(d, n, "min"))) {
		if (yl_num_of(L, d, v, "min", &f->min) < 0)
			return -1;
		f->has_min = 1;
	}
	if ((v = yl_get(d, n, "max"))) {
		if (yl_num_of(L, d, v, "max", &f->max) < 0)
			return -1;
		f->has_max = 1;
	}
	if ((f->has_min || f->has_max) && f->type != CFG_INTEGER &&
	    f->type != CFG_DECIMAL && f->type != CFG_PERCENT)
		return yl_fail(L, d, n->start_mark, "min/max apply to numbers, not to %s field \"%s\"",
			    cfg_ftype_name(f->type), f->name);
	if ((v = yl_get(d, n, "max_length"))) {
		double ml;
		if (yl_num_of(L, d, v, "max_length", &ml) < 0)
			return -1;
		if (f->type != CFG_TEXT)
			return yl_fail(L, d, v->start_mark, "max_length applies to text fields, not to %s field \"%s\"",
				    cfg_ftype_name(f->type), f->name);
		if (ml < 1 || ml > 100000 || ml != (int)ml)
			return yl_fail(L, d, v->start_mark, "max_length must be a whole number of characters from 1 to 100000");
		f->max_length = (int)ml;
	}
	if ((v = yl_get(d, n, "scale"))) {
		if (yl_num_of(L, d, v, "scale", &f->scale) < 0)
			return -1;
		if (f->type != CFG_INTEGER && f->type != CFG_DECIMAL)
			return yl_fail(L, d, v->start_mark, "scale applies to integer and decimal fields");
		if (f->scale <= 0)
			return yl_fail(L, d, v->start_mark, "scale must be positive");
	}
	return 0;
}

int yl_field_options(loader *L, const ydoc *d, cfg_field *f, yaml_node_t *n)
{
	if (field_flags(L, d, f, n) < 0 || field_format(L, d, f, n) < 0 || field_range(L, d, f, n) < 0)
		return -1;
	return 0;
}

int yl_read_field(loader *L, const ydoc *d, cfg_field *f, yaml_node_t *k, yaml_node_t *n)
{
	yaml_node_t *v;

	if (field_names(L, d, f, k, n) < 0)
		return -1;
	f->pct = VAL_PCT_AUTO;
	f->max_length = f->type == CFG_TEXT ? CFG_TEXT_MAX_LENGTH : 0;
	if (yl_field_options(L, d, f, n) < 0)
		return -1;
	v = yl_get(d, n, "values");
	if (f->type == CFG_ENUM) {
		if (!v)
			return yl_fail(L, d, n->start_mark, "enum field \"%s\" needs \"values\"", f->name);
		return read_enum(L, d, f, v);
	}
	if (v)
		return yl_fail(L, d, v->start_mark, "\"values\" applies to enum fields only");
	return 0;
}

int yl_field_index(const cfg_source *s, const char *name)
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
	int i = yl_is_scalar(v) ? yl_field_index(s, yl_sval(v)) : -1;
	if (i < 0)
		return yl_fail(L, d, v->start_mark, "period %s \"%s\" is not a field of source \"%s\"", what,
			    yl_is_scalar(v) ? yl_sval(v) : "?", s->name);
	if (s->fields[i].type != want && (alt < 0 || s->fields[i].type != (cfg_ftype)alt))
		return yl_fail(L, d, v->start_mark, "period %s \"%s\" is a %s field, not %s", what, yl_sval(v),
			    cfg_ftype_name(s->fields[i].type),
			    want == CFG_DATE ? "a date" : want == CFG_INTEGER ? "an integer" : "text");
	if (s->fields[i].pii == CFG_PII_DROP)
		return yl_fail(L, d, v->start_mark, "period %s \"%s\" is dropped as personal data", what, yl_sval(v));
	return i;
}

static int read_period(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *n)
{
	static const char *const keys[] = { "type", "date", "year", "field", NULL };
	yaml_node_t *v;

	s->period_date = s->period_year = s->period_field = -1;
	if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, "period") < 0 ||
	    yl_check_keys(L, d, n, "period", keys) < 0)
		return -1;
	v = yl_get(d, n, "type");
	if (!v || !yl_is_scalar(v) || period_type_parse(yl_sval(v), &s->period) < 0)
		return yl_fail(L, d, v ? v->start_mark : n->start_mark,
			    "period type must be academic_year (1 September to 31 August), semester, "
			    "fiscal_year (calendar year) or snapshot (a day)");
	if ((v = yl_get(d, n, "date")) && (s->period_date = period_field(L, d, s, v, "date", CFG_DATE, -1)) < 0)
		return -1;
	if ((v = yl_get(d, n, "year"))) {
		if (s->period != PERIOD_ACADEMIC_YEAR && s->period != PERIOD_FISCAL_YEAR)
			return yl_fail(L, d, v->start_mark, "a %s cannot be found from a year; give a \"date\"",
				    period_type_name(s->period));
		if ((s->period_year = period_field(L, d, s, v, "year", CFG_INTEGER, -1)) < 0)
			return -1;
	}
	if ((v = yl_get(d, n, "field"))) {
		if (s->period != PERIOD_ACADEMIC_YEAR)
			return yl_fail(L, d, v->start_mark, "\"field\" (a written academic year) applies to academic_year periods");
		if ((s->period_field = period_field(L, d, s, v, "field", CFG_TEXT, CFG_ENUM)) < 0)
			return -1;
	}
	if (s->period_date < 0 && s->period_year < 0 && s->period_field < 0)
		return yl_fail(L, d, n->start_mark, "period needs a \"date\"%s field",
			    s->period == PERIOD_ACADEMIC_YEAR ? ", a \"year\" or a \"field\""
			    : s->period == PERIOD_FISCAL_YEAR ? " or a \"year\"" : "");
	return 0;
}

/* A field name of s for the reported-source key `what`, as an index, or -1 after an error. */
static int reported_field(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *n, const char *what)
{
	yaml_node_t *v = yl_get(d, n, what);
	int i;
	if (!v)
		return yl_fail(L, d, n->start_mark, "a long-form reported source needs \"%s\"", what);
	i = yl_is_scalar(v) ? yl_field_index(s, yl_sval(v)) : -1;
	if (i < 0)
		return yl_fail(L, d, v->start_mark, "%s \"%s\" is not a field of source \"%s\"", what,
			    yl_is_scalar(v) ? yl_sval(v) : "?", s->name);
	if (s->fields[i].col < 0)
		return yl_fail(L, d, v->start_mark, "%s \"%s\" is dropped as personal data", what, yl_sval(v));
	if (s->fields[i].type != CFG_TEXT && s->fields[i].type != CFG_ENUM &&
	    (strcmp(what, "indicator_field") == 0 || (s->fields[i].type != CFG_DECIMAL &&
						      s->fields[i].type != CFG_INTEGER &&
						      s->fields[i].type != CFG_PERCENT)))
		return yl_fail(L, d, v->start_mark, "%s \"%s\" must be a text field", what, yl_sval(v));
	s->used[s->fields[i].col] = 1;
	return i;
}

/* kind: reported - form, indicator_field, value_field, by. */
static int read_reported(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *n)
{
	yaml_node_t *v;
	size_t nind = 0;

	s->ind_field = s->value_field = -1;
	v = yl_get(d, n, "form");
	if (!v || yl_scalar_is(v, "long"))
		s->wide = 0;
	else if (yl_scalar_is(v, "wide"))
		s->wide = 1;
	else
		return yl_fail(L, d, v->start_mark, "form must be long (one row per figure) or wide (one column per indicator)");
	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].indicator_code) {
			if (!s->wide)
				return yl_fail(L, d, (yaml_mark_t){ 0, (size_t)s->fields[i].mark.line - 1,
							 (size_t)s->fields[i].mark.col - 1 },
					    "field \"%s\" names an indicator, but the source is long form (use form: wide)",
					    s->fields[i].name);
			if (s->fields[i].col < 0)
				return yl_fail(L, d, n->start_mark, "field \"%s\" holds a figure but is dropped", s->fields[i].name);
			s->used[s->fields[i].col] = 1;
			nind++;
		}
	if (s->wide) {
		if (yl_get(d, n, "indicator_field") || yl_get(d, n, "value_field"))
			return yl_fail(L, d, n->start_mark, "a wide reported source names its indicators per field (indicator: CODE), not with indicator_field/value_field");
		if (!nind)
			return yl_fail(L, d, n->start_mark, "a wide reported source needs fields with \"indicator: CODE\"");
	} else {
		if ((s->ind_field = reported_field(L, d, s, n, "indicator_field")) < 0 ||
		    (s->value_field = reported_field(L, d, s, n, "value_field")) < 0)
			return -1;
	}
	if ((v = yl_get(d, n, "by")) && !yl_is_null(v)) {
		size_t cnt = 0;
		if (!(s->rby_names = yl_strlist_of(L, d, v, "by")))
			return -1;
		while (s->rby_names[cnt])
			cnt++;
		s->rby = xcalloc(cnt ? cnt : 1, sizeof *s->rby);
		for (size_t i = 0; i < cnt; i++) {
			int fi = yl_field_index(s, s->rby_names[i]);
			if (fi < 0 || s->fields[fi].col < 0)
				return yl_fail(L, d, v->start_mark, "breakdown field \"%s\" is not a usable field of source \"%s\"",
					    s->rby_names[i], s->name);
			s->rby[i] = s->fields[fi].col;
			s->used[s->rby[i]] = 1;
		}
		s->nrby = cnt;
	}
	return 0;
}

/* A source's name, names and files, and the defaults of its options. */
static int source_head(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *k, yaml_node_t *n)
{
	static const char *const keys[] = {
		"name_zh", "name_en", "files", "encoding", "delimiter", "header_scan",
		"header_rows", "max_reject_share", "sheet", "sheets", "period", "fields", "kind", "form", "indicator_field",
		"value_field", "by", "load_rows", "mode", "supplement_files", "max_shrink", NULL
	};
	yaml_node_t *v;

	s->mark = yl_mark_of(d, k);
	if (!(s->name = yl_str_of(L, d, k, "a source name")))
		return -1;
	if (!is_ident(s->name))
		return yl_fail(L, d, k->start_mark, "source name \"%s\" must be an ASCII identifier", s->name);
	if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, "a source") < 0 ||
	    yl_check_keys(L, d, n, "a source", keys) < 0)
		return -1;
	if (!(v = yl_get(d, n, "files")))
		return yl_fail(L, d, n->start_mark, "source \"%s\" needs \"files\" (glob patterns of its exports)", s->name);
	if (!(s->files = yl_strlist_of(L, d, v, "files")))
		return -1;
	s->encoding = xstrdup("auto");
	s->header_scan = 20;
	s->header_rows = 1;
	s->max_reject_share = 0.5;
	s->max_shrink = 0.2;
	if ((v = yl_get(d, n, "supplement_files"))) {
		if (!(s->supplement_files = yl_strlist_of(L, d, v, "supplement_files")))
			return -1;
	} else {
		static const char *const def[] = { "*补录*", "*supplement*", NULL };
		s->supplement_files = xcalloc(3, sizeof *s->supplement_files);
		s->supplement_files[0] = xstrdup(def[0]);
		s->supplement_files[1] = xstrdup(def[1]);
	}
	return yl_source_options(L, d, s, n);
}

/* Whether v names an encoding the CSV reader knows (csvin.h). */
static int encoding_known(yaml_node_t *v)
{
	static const char *const names[] = { "utf-8", "gb18030", "utf-16", "utf-32", "utf-32le",
					     "utf-32be", "auto" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (yl_scalar_is(v, names[i]))
			return 1;
	return 0;
}

/* encoding, delimiter, header_scan, header_rows, sheet, when n has them. */
static int source_format(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *n)
{
	yaml_node_t *v;

	v = yl_get(d, n, "encoding");
	if (v && !encoding_known(v))
		return yl_fail(L, d, v->start_mark,
			    "encoding \"%s\" is not one of utf-8, gb18030 (covers GBK and GB2312), utf-16, "
			    "utf-32, utf-32le, utf-32be or auto", yl_is_scalar(v) ? yl_sval(v) : "?");
	if (v) {
		free(s->encoding);
		s->encoding = xstrdup(yl_sval(v));
	}
	if ((v = yl_get(d, n, "delimiter"))) {
		if (yl_scalar_is(v, "auto"))
			s->delim = 0;
		else if (yl_scalar_is(v, ",") || yl_scalar_is(v, "comma"))
			s->delim = ',';
		else if (yl_scalar_is(v, "\t") || yl_scalar_is(v, "tab"))
			s->delim = '\t';
		else if (yl_scalar_is(v, ";") || yl_scalar_is(v, "semicolon"))
			s->delim = ';';
		else
			return yl_fail(L, d, v->start_mark, "delimiter must be comma, tab, semicolon or auto");
	}
	if ((v = yl_get(d, n, "header_scan")) && yl_int_in(L, d, v, "header_scan", 1, 1000, &s->header_scan) < 0)
		return -1;
	if ((v = yl_get(d, n, "header_rows")) && yl_int_in(L, d, v, "header_rows", 1, 10, &s->header_rows) < 0)
		return -1;
	if (s->header_rows > s->header_scan)
		return yl_fail(L, d, (v ? v : n)->start_mark, "header_rows %d is more than header_scan %d: the header's rows "
			       "are searched for within header_scan rows", s->header_rows, s->header_scan);
	if ((v = yl_get(d, n, "sheet")) && !yl_is_null(v)) {
		free(s->sheet);
		if (!(s->sheet = yl_str_of(L, d, v, "sheet")))
			return -1;
	}
	if ((v = yl_get(d, n, "sheets")) && !yl_is_null(v)) {
		yl_strlist_free(s->sheets);
		if (!(s->sheets = yl_strlist_of(L, d, v, "sheets")))
			return -1;
		if (!s->sheets[0])
			return yl_fail(L, d, v->start_mark, "sheets must name at least one pattern, e.g. [\"*资助*\"]");
	}
	if (s->sheet && s->sheets)
		return yl_fail(L, d, n->start_mark, "source \"%s\" has both sheet (one sheet) and sheets (patterns): "
			       "keep one", s->name);
	return 0;
}

int yl_source_options(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *n)
{
	yaml_node_t *v;

	if (source_format(L, d, s, n) < 0)
		return -1;
	if (yl_names_set(L, d, n, &s->name_zh, &s->name_en) < 0)
		return -1;
	if ((v = yl_get(d, n, "max_reject_share")) &&
	    yl_share_of(L, d, v, "max_reject_share", "a share of the rows", &s->max_reject_share) < 0)
		return -1;
	if ((v = yl_get(d, n, "load_rows")) && yl_bool_of(L, d, v, "load_rows", &s->load_rows) < 0)
		return -1;
	if ((v = yl_get(d, n, "mode"))) {
		if (!yl_scalar_is(v, "supplement") && !yl_scalar_is(v, "replace"))
			return yl_fail(L, d, v->start_mark, "mode must be replace (a file replaces its slices) or "
				    "supplement (a file adds its rows to them)");
		s->supplement = yl_scalar_is(v, "supplement");
	}
	if ((v = yl_get(d, n, "max_shrink")) &&
	    yl_share_of(L, d, v, "max_shrink", "a share of the slice; 1 = never hold a file back", &s->max_shrink) < 0)
		return -1;
	return 0;
}

/* The fields, in configuration order, with their canonical columns. */
static int source_fields(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *n)
{
	yaml_node_t *fields;
	size_t cnt;
	int col = 2;

	if (!(fields = yl_get(d, n, "fields")))
		return yl_fail(L, d, n->start_mark, "source \"%s\" needs \"fields\"", s->name);
	if (yl_want_kind(L, d, fields, YAML_MAPPING_NODE, "fields") < 0)
		return -1;
	cnt = (size_t)(fields->data.mapping.pairs.top - fields->data.mapping.pairs.start);
	s->fields = xcalloc(cnt ? cnt : 1, sizeof *s->fields);
	for (yaml_node_pair_t *p = fields->data.mapping.pairs.start;
	     p < fields->data.mapping.pairs.top; p++) {
		cfg_field *f = &s->fields[s->nfields];
		yaml_node_t *fk = yl_node(d, p->key);
		if (yl_read_field(L, d, f, fk, yl_node(d, p->value)) < 0) {
			s->nfields++;
			return -1;
		}
		s->nfields++;
		if (yl_field_index(s, f->name) != (int)s->nfields - 1)
			return yl_fail(L, d, fk->start_mark, "field \"%s\" is defined twice", f->name);
		if (f->pii != CFG_PII_DROP)
			f->col = col++;
	}
	s->ncols = (size_t)col;
	s->used = xcalloc(s->ncols, 1);
	return 0;
}

static int read_source(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *k, yaml_node_t *n)
{
	yaml_node_t *v;

	if (source_head(L, d, s, k, n) < 0 || source_fields(L, d, s, n) < 0)
		return -1;
	if (!(v = yl_get(d, n, "period")))
		return yl_fail(L, d, n->start_mark,
			    "source \"%s\" needs a \"period\" (how a row's academic year is found)", s->name);
	if (read_period(L, d, s, v) < 0)
		return -1;
	v = yl_get(d, n, "kind");
	if (v && yl_scalar_is(v, "reported")) {
		s->reported = 1;
		return read_reported(L, d, s, n);
	}
	if (v && !yl_scalar_is(v, "records"))
		return yl_fail(L, d, v->start_mark, "kind must be records (row-level, the default) or reported (a summary sheet)");
	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].indicator_code)
			return yl_fail(L, d, (yaml_mark_t){ 0, (size_t)s->fields[i].mark.line - 1, (size_t)s->fields[i].mark.col - 1 },
				    "field \"%s\" names an indicator, but only a reported source (kind: reported) holds figures",
				    s->fields[i].name);
	for (size_t i = 0; i < 4; i++) {
		static const char *const rk[] = { "form", "indicator_field", "value_field", "by" };
		if ((v = yl_get(d, n, rk[i])))
			return yl_fail(L, d, v->start_mark, "\"%s\" applies to reported sources (kind: reported)", rk[i]);
	}
	return 0;
}

int yl_read_sources(loader *L)
{
	size_t total = 0;

	for (int i = 0; i < L->ndocs; i++)
		if (yl_count_top(L, &L->docs[i], "sources", YAML_MAPPING_NODE, &total) < 0)
			return -1;
	L->c->sources = xcalloc(total ? total : 1, sizeof *L->c->sources);
	for (int i = 0; i < L->ndocs; i++) {
		ydoc *d = &L->docs[i];
		yaml_node_t *n = yl_get(d, yaml_document_get_root_node(&d->doc), "sources");
		if (!n || yl_is_null(n))
			continue;
		if (d != &L->docs[0] &&
		    yl_check_keys(L, d, yaml_document_get_root_node(&d->doc), "the configuration", yl_top_keys) < 0)
			return -1;
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			cfg_source *s = &L->c->sources[L->c->nsources++];
			yaml_node_t *k = yl_node(d, p->key);
			if (read_source(L, d, s, k, yl_node(d, p->value)) < 0)
				return -1;
			for (size_t j = 0; j + 1 < L->c->nsources; j++)
				if (strcmp(L->c->sources[j].name, s->name) == 0)
					return yl_fail(L, d, k->start_mark, "source \"%s\" is defined twice (also at %s:%d; "
						    "to change it, give the changes under overlay: sources:)",
						    s->name, L->c->sources[j].mark.file, L->c->sources[j].mark.line);
		}
	}
	return 0;
}
