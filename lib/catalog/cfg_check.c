/*
 * cfg_check.c - cfg_load's checks and the links between indicators (see
 * cfg_yaml.h): checks' formulas, the order of derived indicators (operands
 * first, no cycles), takes and their breakdowns, wide summary columns.
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

/* ---- checks and the links between indicators ---------------------------- */

int yl_check_options(loader *L, const ydoc *d, cfg_check *k, yaml_node_t *n)
{
	yaml_node_t *v, *sev;

	if ((v = yl_get(d, n, "tolerance"))) {
		if (yl_num_of(L, d, v, "tolerance", &k->tolerance) < 0)
			return -1;
		if (k->tolerance < 0)
			return yl_fail(L, d, v->start_mark, "tolerance must not be negative");
	}
	if ((sev = yl_get(d, n, "severity"))) {
		if (!yl_scalar_is(sev, "warning") && !yl_scalar_is(sev, "error"))
			return yl_fail(L, d, sev->start_mark, "severity must be error or warning");
		k->severity = yl_scalar_is(sev, "warning") ? CFG_WARNING : CFG_ERROR;
	}
	if ((v = yl_get(d, n, "block")) && yl_bool_of(L, d, v, "block", &k->block) < 0)
		return -1;
	if (k->block && k->severity != CFG_ERROR)
		return yl_fail(L, d, v ? v->start_mark : sev ? sev->start_mark : n->start_mark,
			    "only an error can block a load (severity: error)");
	return 0;
}

static int read_check(loader *L, const ydoc *d, cfg_check *k, yaml_node_t *n)
{
	static const char *const keys[] = {
		"code", "name_zh", "name_en", "left", "op", "right", "tolerance", "severity", "block", "by", NULL
	};
	yaml_node_t *v;

	k->mark = yl_mark_of(d, n);
	k->severity = CFG_ERROR;
	if (yl_want_kind(L, d, n, YAML_MAPPING_NODE, "a check") < 0 || yl_check_keys(L, d, n, "a check", keys) < 0)
		return -1;
	if (!(v = yl_get(d, n, "code")))
		return yl_fail(L, d, n->start_mark, "a check needs a \"code\"");
	if (!(k->code = yl_str_of(L, d, v, "code")))
		return -1;
	if (yl_names_of(L, d, n, &k->name_zh, &k->name_en) < 0)
		return -1;
	if (!(v = yl_get(d, n, "left")))
		return yl_fail(L, d, n->start_mark, "check \"%s\" needs \"left\"", k->code);
	if (!(k->left = yl_formula_of(L, d, v, "the left side")))
		return -1;
	if (!(v = yl_get(d, n, "right")))
		return yl_fail(L, d, n->start_mark, "check \"%s\" needs \"right\"", k->code);
	if (!(k->right = yl_formula_of(L, d, v, "the right side")))
		return -1;
	k->op = CALC_EQ;
	if ((v = yl_get(d, n, "op")) && (!yl_is_scalar(v) || calc_op_parse(yl_sval(v), &k->op) < 0))
		return yl_fail(L, d, v->start_mark, "op must be one of = != < <= > >=");
	if (yl_check_options(L, d, k, n) < 0)
		return -1;
	if ((v = yl_get(d, n, "by")) && !yl_is_null(v) && !(k->by_names = yl_strlist_of(L, d, v, "by")))
		return -1;
	return 0;
}

int yl_read_checks(loader *L)
{
	size_t total = 0;
	cfg *c = L->c;

	c->reported_check = CFG_WARNING;
	for (int i = 0; i < L->ndocs; i++) {
		ydoc *d = &L->docs[i];
		yaml_node_t *root = yaml_document_get_root_node(&d->doc);
		yaml_node_t *rc = yl_get(d, root, "reported_check");
		if (rc) {
			static const char *const rkeys[] = { "severity", NULL };
			yaml_node_t *v;
			if (yl_want_kind(L, d, rc, YAML_MAPPING_NODE, "reported_check") < 0 ||
			    yl_check_keys(L, d, rc, "reported_check", rkeys) < 0)
				return -1;
			if ((v = yl_get(d, rc, "severity"))) {
				if (yl_scalar_is(v, "error"))
					c->reported_check = CFG_ERROR;
				else if (!yl_scalar_is(v, "warning"))
					return yl_fail(L, d, v->start_mark, "severity must be error or warning");
			}
		}
		if (yl_count_top(L, d, "checks", YAML_SEQUENCE_NODE, &total) < 0)
			return -1;
	}
	c->checks = xcalloc(total ? total : 1, sizeof *c->checks);
	for (int i = 0; i < L->ndocs; i++) {
		ydoc *d = &L->docs[i];
		yaml_node_t *n = yl_get(d, yaml_document_get_root_node(&d->doc), "checks");
		if (!n || yl_is_null(n))
			continue;
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			cfg_check *k = &c->checks[c->nchecks++];
			if (read_check(L, d, k, yl_node(d, *it)) < 0)
				return -1;
			for (size_t j = 0; j + 1 < c->nchecks; j++)
				if (strcmp(c->checks[j].code, k->code) == 0)
					return yl_fail(L, d, yl_node(d, *it)->start_mark, "check \"%s\" is defined twice (also at %s:%d)",
						    k->code, c->checks[j].mark.file, c->checks[j].mark.line);
		}
	}
	return 0;
}


/* Every indicator a formula names must exist; reported() needs a reported
 * figure to be possible, numerator()/denominator() a ratio or mean. */
static int check_refs(loader *L, const calc *f, const cfg_mark *m, const char *who)
{
	for (size_t i = 0; i < calc_nrefs(f); i++) {
		const calc_ref *r = calc_ref_at(f, i);
		const cfg_indicator *ind = cfg_indicator_find(L->c, r->code);
		if (!ind)
			return yl_fail_at(L, m, "%s: unknown indicator \"%s\"", who, r->code);
		if ((r->type == CALC_NUMERATOR || r->type == CALC_DENOMINATOR) && !ind->is_ratio &&
		    !(ind->source && ind->num.fn == AGGFN_MEAN))
			return yl_fail_at(L, m, "%s: indicator \"%s\" has no numerator and denominator (it is not a ratio or mean)",
				       who, r->code);
	}
	return 0;
}

/* Order derived indicators so operands come first; refuse cycles. */
static int order_derived(loader *L)
{
	cfg *c = L->c;
	size_t n = c->nindicators;
	unsigned char *state = xcalloc(n ? n : 1, 1); /* 0 new, 1 on the path, 2 done */
	size_t *stack = xcalloc(n ? n : 1, sizeof *stack), *next = xcalloc(n ? n : 1, sizeof *next);
	int rc = 0;

	c->derived = xcalloc(n ? n : 1, sizeof *c->derived);
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
					rc = yl_fail_at(L, &ind->mark, "derived indicators form a cycle: %s%s", path, "");
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
		return yl_fail_at(L, &ind->over_mark, "%sunknown indicator \"%s\"", msg, code);
	if (op == ind)
		return yl_fail_at(L, &ind->over_mark, "%srefers to itself (over \"%s\")", msg, code);
	if (!ind->period_mark.line)
		ind->period = op->period;
	else if (ind->period != op->period)
		return yl_fail_at(L, &ind->period_mark, "%sits period must be that of \"%s\", its operand", msg, code);
	if (ind->across)
		return 0;
	if (op->source && op->nby == 1)
		return ind->across = xstrdup(op->by_names[0]), 0;
	if (op->source && op->nby)
		return yl_fail_at(L, &ind->over_mark, "%sindicator \"%s\" breaks down by several fields: "
			       "say which with across: FIELD (or [FIELD, FIELD])", msg, code);
	if (op->source || op->take != CFG_TAKE_NONE)
		return yl_fail_at(L, &ind->over_mark, "%sindicator \"%s\" has no breakdown to take a value out of", msg, code);
	return yl_fail_at(L, &ind->over_mark, "%sindicator \"%s\" is derived: name its breakdown with across: FIELD",
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
		return yl_fail_at(L, ind->across_mark.line ? &ind->across_mark : &ind->over_mark, "%s%s", msg, "");
	}
	return 0;
}

/* After everything is read: wide summary columns name indicators, derived
 * indicators and checks name existing ones, no cycles. */
int yl_link_catalog(loader *L)
{
	cfg *c = L->c;

	for (size_t i = 0; i < c->nsources; i++)
		for (size_t j = 0; j < c->sources[i].nfields; j++) {
			cfg_field *f = &c->sources[i].fields[j];
			const cfg_indicator *ind;
			if (!f->indicator_code)
				continue;
			if (!(ind = cfg_indicator_find(c, f->indicator_code)))
				return yl_fail_at(L, &f->mark, "field \"%s\": unknown indicator \"%s\"", f->name, f->indicator_code);
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
				return yl_fail_at(L, &ind->mark, "derived indicator \"%s\" refers to itself%s", ind->code, "");
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
						return yl_fail_at(L, &k->mark, "%s does not break down by \"%s\"", what, k->by_names[b]);
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
