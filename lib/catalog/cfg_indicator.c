/*
 * cfg_indicator.c - cfg_load's indicators (see cfg_yaml.h): kind and
 * aggregate (enums with name tables), the aggregation (a function of
 * aggfn.h's table, its field and its filter, type-checked by expr.c),
 * ratios, breakdowns, periods, and derived indicators (formulas and
 * takes).
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

/* ---- indicators -------------------------------------------------------- */

static const char *const kind_names[CFG_KIND_N] = { "count", "amount", "mean", "rate" };
static const char *const aggregate_names[CFG_AGGREGATE_N] = { "sum", "ratio_of_sums", "weighted_mean", "none" };


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

/* Note that ind's rule reads canonical column col. */
static void add_read(cfg_indicator *ind, int col)
{
	for (size_t i = 0; i < ind->nreads; i++)
		if (ind->reads[i] == col)
			return;
	ind->reads = xreallocarray(ind->reads, ind->nreads + 1, sizeof *ind->reads);
	ind->reads[ind->nreads++] = col;
}

/* What resolve_field resolves in: the source, and the indicator whose
 * filter it is (its reads grow). */
typedef struct rctx {
	cfg_source *s;
	cfg_indicator *ind;
} rctx;

static int resolve_field(void *ctx, const char *name, int *index, expr_type *type)
{
	rctx *rx = ctx;
	cfg_source *s = rx->s;
	const cfg_field *f = cfg_field_find(s, name);
	if (!f || f->col < 0)
		return 0;
	s->used[f->col] = 1;
	if (rx->ind)
		add_read(rx->ind, f->col);
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
	if (yl_want_kind(L, d, n, YAML_SCALAR_NODE, "a field name") < 0)
		return NULL;
	f = cfg_field_find(s, yl_sval(n));
	if (!f) {
		yl_fail(L, d, n->start_mark, "unknown field \"%s\" (source \"%s\" has no such field)",
		     yl_sval(n), s->name);
		return NULL;
	}
	if (f->col < 0) {
		yl_fail(L, d, n->start_mark, "field \"%s\" is personal data (pii: drop): it is dropped at extract and cannot be used in a rule",
		     yl_sval(n));
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
		yl_fail(L, d, arg->start_mark, "%s takes {field: FIELD, p: PERCENT} (e.g. {field: salary, p: 90})", name);
		return NULL;
	}
	if (yl_check_keys(L, d, arg, name, keys) < 0)
		return NULL;
	if (!(f = yl_get(d, arg, "field")) || !(p = yl_get(d, arg, "p"))) {
		yl_fail(L, d, arg->start_mark, "%s needs field and p (a percent from 0 to 100)", name);
		return NULL;
	}
	if (yl_num_of(L, d, p, "p", &a->p) < 0)
		return NULL;
	if (!(a->p >= 0 && a->p <= 100)) {
		yl_fail(L, d, p->start_mark, "%s: p must be a percent from 0 to 100, found \"%s\"", name, yl_sval(p));
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
		yaml_node_t *v = yl_get(d, n, aggfn_name(i));
		if (v) {
			a->fn = i;
			arg = v;
			nfound++;
		}
	}
	if (nfound != 1) {
		str names = STR_INIT;
		aggfn_names(&names);
		yl_fail(L, d, n->start_mark, "%s needs exactly one of %s%s", what, str_cstr(&names),
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

	if ((fn->takes & AGGFN_TAKES_STAR) && yl_scalar_is(arg, "*")) {
		a->field = -1;
		return 0;
	}
	if (!(f = use_field(L, d, s, arg)))
		return -1;
	if (!(fn->takes & AGGFN_TAKES_ANY) && !numeric(f->type))
		return yl_fail(L, d, arg->start_mark, "cannot aggregate %s field \"%s\" with %s",
			    cfg_ftype_name(f->type), f->name, fn->name);
	a->field = f->col;
	((cfg_source *)s)->used[f->col] = 1;
	add_read(ind, f->col);
	return 0;
}

/* One aggregation: exactly one function of the aggfn table, and an optional where. */
static int read_agg(loader *L, const ydoc *d, const cfg_source *s, cfg_indicator *ind, cfg_agg *a,
		    yaml_node_t *n, const char *what)
{
	yaml_node_t *arg, *w;

	a->mark = yl_mark_of(d, n);
	a->field = -1;
	if (!(arg = agg_function(L, d, a, n, what)) || agg_field(L, d, s, ind, a, arg) < 0)
		return -1;
	if ((w = yl_get(d, n, "where")) && !yl_is_null(w)) {
		char msg[512];
		int col = 0;
		rctx rx = { (cfg_source *)s, ind };
		if (!(a->where_text = yl_str_of(L, d, w, "where")))
			return -1;
		a->where = expr_parse(a->where_text, resolve_field, &rx, msg, sizeof msg, &col);
		if (!a->where)
			return yl_fail(L, d, mark_in_scalar(w, col), "in filter \"%s\": %s", a->where_text, msg);
	}
	return 0;
}

/* ratio: {numerator, denominator}: the two nodes into *num and *den. */
static int ratio_parts(loader *L, const ydoc *d, yaml_node_t *ratio, yaml_node_t **num, yaml_node_t **den)
{
	static const char *const rkeys[] = { "numerator", "denominator", NULL };

	if (yl_want_kind(L, d, ratio, YAML_MAPPING_NODE, "ratio") < 0 ||
	    yl_check_keys(L, d, ratio, "ratio", rkeys) < 0)
		return -1;
	if (!(*num = yl_get(d, ratio, "numerator")))
		return yl_fail(L, d, ratio->start_mark, "a ratio needs a numerator");
	if (!(*den = yl_get(d, ratio, "denominator")))
		return yl_fail(L, d, ratio->start_mark, "a ratio needs a denominator");
	return 0;
}

/* A formula (scalar n) compiled, or NULL after an error at its column. */
calc *yl_formula_of(loader *L, const ydoc *d, yaml_node_t *n, const char *what)
{
	char msg[512];
	int col = 0;
	calc *f;

	if (yl_want_kind(L, d, n, YAML_SCALAR_NODE, what) < 0)
		return NULL;
	if (!(f = calc_parse(yl_sval(n), &col, msg, sizeof msg)))
		yl_fail(L, d, mark_in_scalar(n, col), "in %s \"%s\": %s", what, yl_sval(n), msg);
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

	if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, "derived") < 0 || yl_check_keys(L, d, n, "derived", keys) < 0)
		return -1;
	if (!(v = yl_get(d, n, "take")))
		return yl_fail(L, d, n->start_mark, "derived needs \"take\": max or min");
	if (yl_scalar_is(v, "max"))
		ind->take = CFG_TAKE_MAX;
	else if (yl_scalar_is(v, "min"))
		ind->take = CFG_TAKE_MIN;
	else
		return yl_fail(L, d, v->start_mark, "take must be max or min, found \"%s\"", yl_is_scalar(v) ? yl_sval(v) : "?");
	if (!(v = yl_get(d, n, "over")))
		return yl_fail(L, d, n->start_mark, "derived needs \"over\": the indicator whose breakdown is taken %s of",
			    cfg_take_name(ind->take));
	if (yl_want_kind(L, d, v, YAML_SCALAR_NODE, "over") < 0)
		return -1;
	if (!is_code(yl_sval(v)))
		return yl_fail(L, d, v->start_mark, "over must be one indicator code, found \"%s\"", yl_sval(v));
	ind->over_mark = yl_mark_of(d, v);
	if (!(ind->formula = calc_parse(yl_sval(v), NULL, msg, sizeof msg)))
		return yl_fail(L, d, v->start_mark, "over \"%s\": %s", yl_sval(v), msg);
	if ((v = yl_get(d, n, "across")) && !yl_is_null(v)) {
		char **names = yl_strlist_of(L, d, v, "across");
		size_t cnt = 0, len = 1;
		if (!names)
			return -1;
		while (names[cnt])
			len += strlen(names[cnt++]) + 1;
		ind->across_mark = yl_mark_of(d, v);
		if (!cnt) {
			yl_strlist_free(names);
			return yl_fail(L, d, v->start_mark, "across names no field");
		}
		ind->across = xmalloc(len);
		/* sorted and joined like the keys of a stored breakdown */
		for (size_t i = 1; i < cnt; i++)
			for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
				char *t = names[j];
				names[j] = names[j - 1];
				names[j - 1] = t;
			}
		for (size_t i = 1; i < cnt; i++)
			if (strcmp(names[i - 1], names[i]) == 0) {
				yl_fail(L, d, v->start_mark, "across names \"%s\" twice", names[i]);
				yl_strlist_free(names);
				return -1;
			}
		ind->across[0] = '\0';
		for (size_t i = 0; i < cnt; i++) {
			if (i)
				strcat(ind->across, ",");
			strcat(ind->across, names[i]);
		}
		yl_strlist_free(names);
	}
	return 0;
}

/* A derived indicator: formula, ratio {numerator: formula, denominator:
 * formula}, or derived {take, over, across}. */
static int read_derived(loader *L, const ydoc *d, cfg_indicator *ind, yaml_node_t *n)
{
	yaml_node_t *v, *ratio = yl_get(d, n, "ratio"), *take = yl_get(d, n, "derived");
	static const char *const not_here[] = {
		"source", "by", "count", "sum", "mean", "min", "max", "count_distinct", "where", NULL
	};

	for (int i = 0; not_here[i]; i++)
		if ((v = yl_get(d, n, not_here[i])))
			return yl_fail(L, d, v->start_mark,
				    "indicator \"%s\" is derived from other indicators: \"%s\" does not apply "
				    "(%s)", ind->code, not_here[i],
				    take ? "a value taken out of a breakdown has none" : "its breakdowns are those its operands share");
	if ((ratio != NULL) + (yl_get(d, n, "formula") != NULL) + (take != NULL) > 1)
		return yl_fail(L, d, (take ? take : ratio)->start_mark,
			    "give a derived indicator one of formula, ratio or derived");
	ind->period = PERIOD_ACADEMIC_YEAR;
	if ((v = yl_get(d, n, "period")) && (!yl_is_scalar(v) || period_type_parse(yl_sval(v), &ind->period) < 0))
		return yl_fail(L, d, v->start_mark, "period must be academic_year, semester, fiscal_year or snapshot");
	if (v)
		ind->period_mark = yl_mark_of(d, v);
	if (take) {
		if (read_take(L, d, ind, take) < 0)
			return -1;
		if ((v = yl_get(d, n, "aggregate")) && !yl_scalar_is(v, "none"))
			return yl_fail(L, d, v->start_mark,
				    "indicator \"%s\" takes one value out of a breakdown: schools do not combine into "
				    "a regional %s, so aggregate must be none", ind->code, cfg_take_name(ind->take));
		ind->aggregate = CFG_AGGREGATE_NONE;
		ind->scale = 1;
		return (v = yl_get(d, n, "scale")) ? yl_num_of(L, d, v, "scale", &ind->scale) : 0;
	}
	if (ratio) {
		yaml_node_t *num, *den;
		if (ratio_parts(L, d, ratio, &num, &den) < 0)
			return -1;
		if (!(ind->formula = yl_formula_of(L, d, num, "the numerator")) ||
		    !(ind->dformula = yl_formula_of(L, d, den, "the denominator")))
			return -1;
		ind->is_ratio = 1;
	} else if (!(ind->formula = yl_formula_of(L, d, yl_get(d, n, "formula"), "the formula"))) {
		return -1;
	}
	if (ind->kind == CFG_KIND_RATE && !ind->is_ratio)
		return yl_fail(L, d, n->start_mark,
			    "indicator \"%s\" is a rate: give it ratio: {numerator: FORMULA, denominator: FORMULA} "
			    "so that a region can sum numerators and denominators", ind->code);
	ind->scale = ind->is_ratio && strcmp(ind->unit, "%") == 0 ? 100 : 1;
	if ((v = yl_get(d, n, "scale")) && yl_num_of(L, d, v, "scale", &ind->scale) < 0)
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
	if ((v = yl_get(d, n, "aggregate")) && ind->aggregate != CFG_AGGREGATE_NONE)
		return yl_fail(L, d, v->start_mark,
			    "indicator \"%s\" is a %s: schools' values do not combine into a regional %s, "
			    "so aggregate must be none", ind->code, fn->name, fn->name);
	ind->aggregate = CFG_AGGREGATE_NONE;
	return 0;
}

/* code, names, unit, kind, description, aggregate, reported_names. */
static int ind_head(loader *L, const ydoc *d, cfg_indicator *ind, yaml_node_t *n)
{
	static const char *const head[] = {
		"code", "name_zh", "name_en", "unit", "kind", "aggregate", "description",
		"source", "period", "by", "scale", NULL
	};
	static const char *const tail[] = { "where", "ratio", "formula", "reported_names", "derived", NULL };
	const char *keys[32];
	yaml_node_t *v;

	yl_keys_with_aggfns(keys, head, tail);
	ind->mark = yl_mark_of(d, n);
	if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, "an indicator") < 0 ||
	    yl_check_keys(L, d, n, "an indicator", keys) < 0)
		return -1;
	if (!(v = yl_get(d, n, "code")))
		return yl_fail(L, d, n->start_mark, "an indicator needs a \"code\"");
	if (!(ind->code = yl_str_of(L, d, v, "code")))
		return -1;
#define REQ_STR(key, dst)                                                                  \
	if (!(v = yl_get(d, n, key)))                                                         \
		return yl_fail(L, d, n->start_mark, "indicator \"%s\" needs \"%s\"", ind->code, key); \
	if (!(dst = yl_str_of(L, d, v, key)))                                                 \
		return -1;
	REQ_STR("name_zh", ind->name_zh);
	REQ_STR("name_en", ind->name_en);
	REQ_STR("unit", ind->unit);
#undef REQ_STR
	if (!(v = yl_get(d, n, "kind")))
		return yl_fail(L, d, n->start_mark, "indicator \"%s\" needs \"%s\"", ind->code, "kind");
	if (yl_name_of(L, d, v, "kind", kind_names, CFG_KIND_N, (int *)&ind->kind) < 0)
		return -1;
	if ((v = yl_get(d, n, "description")) && !(ind->description = yl_str_of(L, d, v, "description")))
		return -1;
	ind->aggregate = ind->kind == CFG_KIND_RATE   ? CFG_AGGREGATE_RATIO_OF_SUMS
			 : ind->kind == CFG_KIND_MEAN ? CFG_AGGREGATE_WEIGHTED_MEAN
						      : CFG_AGGREGATE_SUM;
	if ((v = yl_get(d, n, "aggregate")) &&
	    yl_name_of(L, d, v, "aggregate", aggregate_names, CFG_AGGREGATE_N, (int *)&ind->aggregate) < 0)
		return -1;
	if ((v = yl_get(d, n, "reported_names")) && !yl_is_null(v)) {
		char **names = yl_strlist_of(L, d, v, "reported_names");
		size_t cnt = 0;
		if (!names)
			return -1;
		while (names[cnt])
			cnt++;
		ind->reported_keys = xcalloc(cnt + 1, sizeof *ind->reported_keys);
		for (size_t i = 0; i < cnt; i++)
			ind->reported_keys[i] = yl_norm_dup(names[i]);
		yl_strlist_free(names);
	}
	return 0;
}

/* The source of a computed indicator (into *sp) and its period. */
static int ind_source(loader *L, const ydoc *d, cfg_indicator *ind, yaml_node_t *n, const cfg_source **sp)
{
	const cfg_source *s;
	yaml_node_t *v;

	if (!(v = yl_get(d, n, "source")))
		return yl_fail(L, d, n->start_mark, "indicator \"%s\" needs a \"source\" (or a \"formula\" over other indicators)", ind->code);
	if (!yl_is_scalar(v) || !(s = cfg_source_find(L->c, yl_sval(v))))
		return yl_fail(L, d, v->start_mark, "indicator \"%s\": unknown source \"%s\"", ind->code,
			    yl_is_scalar(v) ? yl_sval(v) : "?");
	*sp = ind->source = s;
	ind->period = s->period;
	if ((v = yl_get(d, n, "period"))) {
		if (!yl_is_scalar(v) || period_type_parse(yl_sval(v), &ind->period) < 0)
			return yl_fail(L, d, v->start_mark, "period must be academic_year, semester, fiscal_year or snapshot");
		if (!period_nests(ind->period, s->period))
			return yl_fail(L, d, v->start_mark,
				    "indicator \"%s\" is counted per %s, but source \"%s\" places its files in %s periods: "
				    "a %s would span files (only semesters within an academic year can be split out)",
				    ind->code, period_type_name(ind->period), s->name, period_type_name(s->period),
				    period_type_name(ind->period));
		if (ind->period != s->period) {
			if (s->period_date < 0 || s->fields[s->period_date].col < 0)
				return yl_fail(L, d, v->start_mark, "a %s is found from a date: source \"%s\" needs period.date",
					    period_type_name(ind->period), s->name);
			((cfg_source *)s)->used[s->fields[s->period_date].col] = 1;
			add_read(ind, s->fields[s->period_date].col);
		}
	}
	if (s->reported)
		return yl_fail(L, d, n->start_mark,
			    "indicator \"%s\": source \"%s\" is a reported summary; its rows are matched to indicators by name, not computed",
			    ind->code, s->name);

	return 0;
}

/* The rule: one aggregation, or a ratio of two; then the scale. */
static int ind_rule(loader *L, const ydoc *d, const cfg_source *s, cfg_indicator *ind, yaml_node_t *n)
{
	static const char *const where[] = { "where", NULL };
	const char *agg_keys[AGGFN_N + 2];
	yaml_node_t *v, *ratio;

	yl_keys_with_aggfns(agg_keys, NULL, where);
	ratio = yl_get(d, n, "ratio");
	if (ratio) {
		yaml_node_t *num, *den;
		for (size_t i = 0; agg_keys[i]; i++)
			if (yl_get(d, n, agg_keys[i]))
				return yl_fail(L, d, yl_get(d, n, agg_keys[i])->start_mark,
					    "a ratio's aggregations go under ratio.numerator and ratio.denominator");
		if (ratio_parts(L, d, ratio, &num, &den) < 0)
			return -1;
		if (yl_want_kind(L, d, num, YAML_MAPPING_NODE, "numerator") < 0 ||
		    yl_check_keys(L, d, num, "numerator", agg_keys) < 0 ||
		    read_agg(L, d, s, ind, &ind->num, num, "the numerator") < 0)
			return -1;
		if (yl_want_kind(L, d, den, YAML_MAPPING_NODE, "denominator") < 0 ||
		    yl_check_keys(L, d, den, "denominator", agg_keys) < 0 ||
		    read_agg(L, d, s, ind, &ind->den, den, "the denominator") < 0)
			return -1;
		ind->is_ratio = 1;
	} else if (read_agg(L, d, s, ind, &ind->num, n, "an indicator") < 0) {
		return -1;
	}
	if (ind->kind == CFG_KIND_RATE && !ind->is_ratio)
		return yl_fail(L, d, n->start_mark, "indicator \"%s\" is a rate: give it a ratio (numerator and denominator)",
			    ind->code);
	if (no_regional(L, d, ind, n) < 0)
		return -1;
	if (ind->kind == CFG_KIND_MEAN && ind->num.fn != AGGFN_MEAN && !ind->is_ratio)
		return yl_fail(L, d, n->start_mark, "indicator \"%s\" is a mean: compute it with mean", ind->code);

	ind->scale = ind->is_ratio && strcmp(ind->unit, "%") == 0 ? 100 : 1;
	if ((v = yl_get(d, n, "scale")) && yl_num_of(L, d, v, "scale", &ind->scale) < 0)
		return -1;

	return 0;
}

/* by: the breakdown fields. */
static int ind_by(loader *L, const ydoc *d, const cfg_source *s, cfg_indicator *ind, yaml_node_t *n)
{
	yaml_node_t *v;

	if ((v = yl_get(d, n, "by")) && !yl_is_null(v)) {
		char **names = yl_strlist_of(L, d, v, "by");
		size_t cnt = 0;
		if (!names)
			return -1;
		while (names[cnt])
			cnt++;
		ind->by_names = names;
		ind->nby = cnt;
		ind->by = xcalloc(cnt ? cnt : 1, sizeof *ind->by);
		for (size_t i = 0; i < cnt; i++) {
			const cfg_field *f = cfg_field_find(s, names[i]);
			if (!f)
				return yl_fail(L, d, v->start_mark, "breakdown field \"%s\" is not a field of source \"%s\"",
					    names[i], s->name);
			if (f->col < 0)
				return yl_fail(L, d, v->start_mark, "breakdown field \"%s\" is personal data", names[i]);
			ind->by[i] = f->col;
			((cfg_source *)s)->used[f->col] = 1;
			add_read(ind, f->col);
		}
	}
	return 0;
}

static int read_indicator(loader *L, const ydoc *d, cfg_indicator *ind, yaml_node_t *n)
{
	yaml_node_t *v, *ratio = NULL;
	const cfg_source *s = NULL;

	if (ind_head(L, d, ind, n) < 0)
		return -1;
	if (yl_get(d, n, "formula") || yl_get(d, n, "derived") || (!yl_get(d, n, "source") && (ratio = yl_get(d, n, "ratio")) &&
				     (v = yl_get(d, ratio, "numerator")) && yl_is_scalar(v)))
		return read_derived(L, d, ind, n);
	if (ind_source(L, d, ind, n, &s) < 0 || ind_rule(L, d, s, ind, n) < 0)
		return -1;
	return ind_by(L, d, s, ind, n);
}

int yl_read_indicators(loader *L)
{
	size_t total = 0;
	cfg *c = L->c;

	for (int i = 0; i < L->ndocs; i++)
		if (yl_count_top(L, &L->docs[i], "indicators", YAML_SEQUENCE_NODE, &total) < 0)
			return -1;
	c->indicators = xcalloc(total ? total : 1, sizeof *c->indicators);
	for (int i = 0; i < L->ndocs; i++) {
		ydoc *d = &L->docs[i];
		yaml_node_t *root = yaml_document_get_root_node(&d->doc);
		yaml_node_t *n = yl_get(d, root, "indicators");
		if (d != &L->docs[0] && yl_check_keys(L, d, root, "the configuration", yl_top_keys) < 0)
			return -1;
		if (!n || yl_is_null(n))
			continue;
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			cfg_indicator *ind = &c->indicators[c->nindicators++];
			if (read_indicator(L, d, ind, yl_node(d, *it)) < 0)
				return -1;
			for (size_t j = 0; j + 1 < c->nindicators; j++)
				if (strcmp(c->indicators[j].code, ind->code) == 0)
					return yl_fail(L, d, yl_node(d, *it)->start_mark,
						    "indicator \"%s\" is defined twice (also at %s:%d)", ind->code,
						    c->indicators[j].mark.file, c->indicators[j].mark.line);
		}
	}
	return 0;
}


const char *cfg_kind_name(cfg_kind k)
{
	return (unsigned)k < CFG_KIND_N ? kind_names[k] : "?";
}

const char *cfg_aggregate_name(cfg_aggregate a)
{
	return (unsigned)a < CFG_AGGREGATE_N ? aggregate_names[a] : "?";
}
