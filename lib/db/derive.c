/*
 * derive.c - derived indicators and validation checks after a load (see
 * derive.h).
 *
 * The values of the school's touched periods are read once into a hash
 * table keyed by (period, breakdown, indicator, value type); derived
 * values join it as they are computed, so a derived indicator can use
 * another.  The amounts involved are those of one school and a few
 * periods (thousands of values), so this runs in milliseconds.
 */
#include "lib/db/derive.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/db/db.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

typedef struct entry {
	char *period;           /* period label */
	char *bd;               /* breakdown as jsonb text */
	char *keys;             /* its keys, sorted, comma-separated ("" for the total) */
	const char *code;       /* indicator code (points into the cfg, or owned when unknown) */
	int reported;           /* value_type reported */
	double value;
	double num, den;        /* numerator, denominator */
	int has_nd;             /* num and den are set */
	char *text;             /* value as PostgreSQL prints it (keeps printed decimals) */
	int this_batch;         /* written by the batch being loaded */
	struct entry *next;     /* hash chain */
} entry;

typedef struct finding {
	char *period;
	char *bd;
	const char *check;      /* check code (cfg) or "reported_vs_computed" */
	const char *indicator;  /* reported_vs_computed: the indicator, else NULL */
	cfg_severity severity;
	double left, right;
	char *message;
} finding;

struct derive {
	entry **tab;            /* hash buckets */
	size_t cap, n;
	entry **all;            /* every entry, in insertion order (n of them) */
	size_t allcap;
	char **periods;         /* touched periods (nperiods) */
	size_t nperiods;
	finding *f;             /* findings (nf) */
	size_t nf, fcap;
	char **owned;           /* codes of values whose indicator is not in the catalog */
	size_t nowned;
	char **gone;            /* "period\tcode" of indicators with no value because a field they
				   read is missing (field_missing findings), and of what derives from them */
	size_t ngone;
};

static uint64_t hstr(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

static uint64_t hkey(const char *period, const char *bd, const char *code, int reported)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	h = hstr(h, period);
	h = hstr(h, bd);
	h = hstr(h, code);
	return h ^ (uint64_t)reported;
}

static entry *find(const derive *dv, const char *period, const char *bd, const char *code, int reported)
{
	size_t b = hkey(period, bd, code, reported) & (dv->cap - 1);
	for (entry *e = dv->tab[b]; e; e = e->next)
		if (e->reported == reported && strcmp(e->code, code) == 0 && strcmp(e->period, period) == 0 &&
		    strcmp(e->bd, bd) == 0)
			return e;
	return NULL;
}

static void insert(derive *dv, entry *e)
{
	size_t b;

	xgrow((void **)&dv->all, &dv->allcap, dv->n + 1, sizeof *dv->all);
	if (dv->n * 2 >= dv->cap) {
		size_t nc = dv->cap ? dv->cap * 4 : 1024;
		entry **nt = xcalloc(nc, sizeof *nt);
		for (size_t i = 0; i < dv->n; i++) {
			entry *x = dv->all[i];
			size_t h = hkey(x->period, x->bd, x->code, x->reported) & (nc - 1);
			x->next = nt[h];
			nt[h] = x;
		}
		free(dv->tab);
		dv->tab = nt;
		dv->cap = nc;
	}
	b = hkey(e->period, e->bd, e->code, e->reported) & (dv->cap - 1);
	e->next = dv->tab[b];
	dv->tab[b] = e;
	dv->all[dv->n++] = e;
}

static void entry_free(entry *e)
{
	FREE_ALL(e->period, e->bd, e->keys, e->text, e);
}

/* Free the n strings of v, and v. */
static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void derive_free(derive *dv)
{
	if (!dv)
		return;
	for (size_t i = 0; i < dv->n; i++)
		entry_free(dv->all[i]);
	free(dv->all);
	free(dv->tab);
	free_strings(dv->periods, dv->nperiods);
	for (size_t i = 0; i < dv->nf; i++) {
		free(dv->f[i].period);
		free(dv->f[i].bd);
		free(dv->f[i].message);
	}
	free(dv->f);
	free_strings(dv->owned, dv->nowned);
	free_strings(dv->gone, dv->ngone);
	free(dv);
}

/* Is code without a value in period because a field is missing? */
static int is_gone(const derive *dv, const char *period, const char *code)
{
	size_t pl = strlen(period);
	for (size_t i = 0; i < dv->ngone; i++)
		if (strncmp(dv->gone[i], period, pl) == 0 && dv->gone[i][pl] == '\t' &&
		    strcmp(dv->gone[i] + pl + 1, code) == 0)
			return 1;
	return 0;
}

static void add_gone(derive *dv, const char *period, const char *code)
{
	dv->gone = xreallocarray(dv->gone, dv->ngone + 1, sizeof *dv->gone);
	dv->gone[dv->ngone++] = xasprintf("%s\t%s", period, code);
}

/* The first operand of formula f (may be NULL) that is gone in period, or NULL. */
static const char *gone_operand(const derive *dv, const calc *f, const char *period)
{
	for (size_t i = 0; f && i < calc_nrefs(f); i++)
		if (is_gone(dv, period, calc_ref_at(f, i)->code))
			return calc_ref_at(f, i)->code;
	return NULL;
}

/* read_gone's row i of r (ctx: the derive). */
static void gone_row(void *ctx, PGresult *r, int i)
{
	add_gone(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
}

/* The indicators of the periods that a load left without a value because
 * a field they read is missing (the current field_missing findings of
 * the slices, recorded by vqr-load). */
static int read_gone(derive *dv, db *d, const char *school, const char *periods, char *err, size_t errlen)
{
	const char *p[2] = { school, periods };
	return db_each(d,
		       "SELECT DISTINCT period, indicator_code FROM vqr.finding WHERE school_code = $1 "
		       "AND period = ANY($2::text[]) AND superseded_by IS NULL AND check_code = 'field_missing' "
		       "AND source_code IS NOT NULL AND indicator_code IS NOT NULL",
		       2, p, gone_row, dv, err, errlen);
}

/* The catalog's copy of code (stable for the run), or an owned copy. */
static const char *intern(derive *dv, const cfg *c, const char *code)
{
	const cfg_indicator *ind = cfg_indicator_find(c, code);

	if (ind)
		return ind->code;
	dv->owned = xreallocarray(dv->owned, dv->nowned + 1, sizeof *dv->owned);
	dv->owned[dv->nowned] = xstrdup(code);
	return dv->owned[dv->nowned++];
}

/* Resolve a formula's references at (period, bd) into vals/present;
 * *mine is set when some operand was written by this batch. */
static void bind(const derive *dv, const calc *f, const char *period, const char *bd, double *vals,
		 unsigned char *present, int *mine)
{
	for (size_t i = 0; i < calc_nrefs(f); i++) {
		const calc_ref *r = calc_ref_at(f, i);
		const entry *e = find(dv, period, bd, r->code, r->type == CALC_REPORTED);
		present[i] = 0;
		if (!e || isnan(e->value))
			continue; /* absent, or a derived value of before that has none now */
		switch (r->type) {
		case CALC_VALUE:
		case CALC_REPORTED:
			vals[i] = e->value;
			present[i] = 1;
			break;
		case CALC_NUMERATOR:
		case CALC_DENOMINATOR:
			if (!e->has_nd)
				continue;
			vals[i] = r->type == CALC_NUMERATOR ? e->num : e->den;
			present[i] = 1;
			break;
		}
		if (e->this_batch && mine)
			*mine = 1;
	}
}

/* Add a finding (msg: a new string, handed over). */
static void add_finding(derive *dv, const char *period, const char *bd, const char *check, const char *indicator,
			cfg_severity sev, double left, double right, char *msg)
{
	xgrow((void **)&dv->f, &dv->fcap, dv->nf + 1, sizeof *dv->f);
	dv->f[dv->nf++] = (finding){ .period = xstrdup(period), .bd = xstrdup(bd), .message = msg, .check = check,
				     .indicator = indicator, .severity = sev, .left = left, .right = right };
}

/* An entry of row i of read_values' result. */
static entry *read_entry(derive *dv, const cfg *c, PGresult *r, int i)
{
	entry *e = xcalloc(1, sizeof *e);

	e->period = xstrdup(PQgetvalue(r, i, 0));
	e->code = intern(dv, c, PQgetvalue(r, i, 1));
	e->bd = xstrdup(PQgetvalue(r, i, 3));
	e->keys = xstrdup(PQgetvalue(r, i, 4));
	e->text = xstrdup(PQgetvalue(r, i, 5));
	e->reported = PQgetvalue(r, i, 2)[0] == 't';
	e->value = strtod(e->text, NULL);
	if (!PQgetisnull(r, i, 6) && !PQgetisnull(r, i, 7)) {
		e->num = strtod(PQgetvalue(r, i, 6), NULL);
		e->den = strtod(PQgetvalue(r, i, 7), NULL);
		e->has_nd = 1;
	}
	e->this_batch = PQgetvalue(r, i, 8)[0] == 't';
	return e;
}

/* What value_row reads into. */
typedef struct reading {
	derive *dv;             /* the values read */
	const cfg *c;           /* the catalog (for intern) */
} reading;

/* read_values' row i of r (ctx: a reading). */
static void value_row(void *ctx, PGresult *r, int i)
{
	reading *rd = ctx;
	insert(rd->dv, read_entry(rd->dv, rd->c, r, i));
}

/* Read the school's values of the periods. */
static int read_values(derive *dv, db *d, const cfg *c, const char *school, const char *periods,
		       long long batch_id, char *err, size_t errlen)
{
	char bnum[32];
	const char *p[3] = { school, periods, bnum };
	reading rd = { dv, c };

	snprintf(bnum, sizeof bnum, "%lld", batch_id);
	return db_each(d,
		       "SELECT period, indicator_code, value_type = 'reported', breakdown::text, "
		       "coalesce((SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(breakdown) k), ''), "
		       "value::text, numerator::text, denominator::text, batch_id = $3::bigint "
		       "FROM vqr.indicator_value WHERE school_code = $1 AND period = ANY($2::text[]) "
		       "AND value IS NOT NULL",
		       3, p, value_row, &rd, err, errlen);
}

/* The distinct (breakdown, keys) of the period among entries, into bds/keys
 * (new arrays of pointers into entries; the caller frees the arrays);
 * returns the count. */
static long breakdowns(const derive *dv, const char *period, const char ***bds, const char ***keys)
{
	size_t n = 0, bcap = 0, kcap = 0;
	const char **b = NULL, **k = NULL;

	for (size_t i = 0; i < dv->n; i++) {
		const entry *e = dv->all[i];
		size_t j;
		if (strcmp(e->period, period) != 0)
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(b[j], e->bd) == 0)
				break;
		if (j < n)
			continue;
		xgrow((void **)&b, &bcap, n + 1, sizeof *b);
		xgrow((void **)&k, &kcap, n + 1, sizeof *k);
		b[n] = e->bd;
		k[n] = e->keys;
		n++;
	}
	*bds = b;
	*keys = k;
	return (long)n;
}

#define INSERT_DERIVED \
	"INSERT INTO vqr.indicator_value (school_code, period, indicator_code, breakdown, value_type, " \
	"source_code, numerator, denominator, value, batch_id) " \
	"VALUES ($1, $2, $3, $4::jsonb, 'computed', 'derived', $5, $6, $7, $8)"

/* Record a derived value of ind at (period, bd): in the table (so that
 * later derived indicators and the checks see it) and in the database.
 * num and den are stored when has_nd.  0, or -1 with err set. */
static int put_value(derive *dv, db *d, const char *school, const char *period, const cfg_indicator *ind,
		     const char *bd, const char *keys, double value, double num, double den, int has_nd,
		     const char *bnum, derive_summary *sum, char *err, size_t errlen)
{
	char vtext[64], ntext[64], dtext[64];
	const char *q[8] = { school, period, ind->code, bd, has_nd ? ntext : NULL, has_nd ? dtext : NULL, vtext,
			     bnum };
	entry *e;

	snprintf(vtext, sizeof vtext, "%.15g", value);
	snprintf(ntext, sizeof ntext, "%.15g", num);
	snprintf(dtext, sizeof dtext, "%.15g", den);
	if (!(e = find(dv, period, bd, ind->code, 0))) {
		e = xcalloc(1, sizeof *e);
		e->code = ind->code;
		e->period = xstrdup(period);
		e->bd = xstrdup(bd);
		e->keys = xstrdup(keys);
		insert(dv, e);
	}
	free(e->text);
	e->text = xstrdup(vtext);
	e->value = value;
	e->num = num;
	e->den = den;
	e->has_nd = has_nd;
	e->this_batch = 1;
	if (db_run(d, INSERT_DERIVED, 8, q, err, errlen) < 0)
		return -1;
	sum->derived++;
	return 0;
}

/* A derived {take: max|min, over, across}: the largest or smallest computed
 * value of the operand among its breakdowns by exactly the `across` fields
 * in the period, recorded as the total; nothing when there is none. */
static int take_value(derive *dv, db *d, const cfg *c, const char *school, const char *period,
		      const cfg_indicator *ind, const char *bnum, derive_summary *sum, char *err, size_t errlen)
{
	const cfg_indicator *op = cfg_indicator_find(c, calc_ref_at(ind->formula, 0)->code);
	double best = NAN;

	for (size_t i = 0; i < dv->n; i++) {
		const entry *e = dv->all[i];
		if (e->code != op->code || e->reported || isnan(e->value) || strcmp(e->keys, ind->across) != 0 ||
		    strcmp(e->period, period) != 0)
			continue;
		if (isnan(best) || (ind->take == CFG_TAKE_MAX ? e->value > best : e->value < best))
			best = e->value;
	}
	if (isnan(best) || !isfinite(best * ind->scale))
		return 0;
	return put_value(dv, d, school, period, ind, "{}", "", best * ind->scale, 0, 0, 0, bnum, sum, err, errlen);
}

/* The breakdowns of one period (breakdowns()), and the batch, for the
 * derived values of the period. */
typedef struct period_ctx {
	db *d;
	const char *school;
	const char *period;
	const char **bds, **keys; /* the period's breakdowns and their keys (nb) */
	long nb;
	const char *bnum;         /* the batch, as text */
	derive_summary *sum;
} period_ctx;

/* Move the period's old derived values to history, and forget them in
 * the table. */
static int forget_derived(derive *dv, const cfg *c, const period_ctx *pc, char *err, size_t errlen)
{
	const char *p[3] = { pc->school, pc->period, pc->bnum };
	if (db_run(pc->d,
			       "WITH gone AS (DELETE FROM vqr.indicator_value WHERE school_code = $1 AND "
			       "source_code = 'derived' AND period = $2 RETURNING *) "
			       "INSERT INTO vqr.indicator_value_history SELECT gone.*, $3::bigint FROM gone",
			       3, p, err, errlen) < 0)
		return -1;
	for (size_t k = 0; k < c->nderived; k++) {
		const cfg_indicator *ind = &c->indicators[c->derived[k]];
		for (size_t i = 0; i < dv->n; i++)
			if (dv->all[i]->code == ind->code && !dv->all[i]->reported &&
			    strcmp(dv->all[i]->period, pc->period) == 0)
				dv->all[i]->value = NAN, dv->all[i]->has_nd = 0;
	}
	return 0;
}

/* When an operand of ind has no value because a field it reads is
 * missing, ind has none either: a field_missing finding says so.  1 then,
 * else 0. */
static int derived_gone(derive *dv, const cfg_indicator *ind, const period_ctx *pc)
{
	const char *op = gone_operand(dv, ind->formula, pc->period);

	if (!op)
		op = gone_operand(dv, ind->dformula, pc->period);
	if (!op)
		return 0;
	add_gone(dv, pc->period, ind->code);
	add_finding(dv, pc->period, "{}", "field_missing", ind->code, CFG_WARNING, NAN, NAN,
		    xasprintf("%s %s is not computed: its operand %s has no value, because a field it reads is "
			      "missing (see the field_missing finding of %s)", ind->code, ind->name_zh, op, op));
	pc->sum->warnings++;
	return 1;
}

/* The derived values of a formula indicator ind in each breakdown of the
 * period. */
static int derive_formula(derive *dv, const cfg_indicator *ind, const period_ctx *pc, char *err, size_t errlen)
{
	size_t na = calc_nrefs(ind->formula), nd = ind->dformula ? calc_nrefs(ind->dformula) : 0;
	double *va = xcalloc(na + nd + 1, sizeof *va);
	unsigned char *pa = xcalloc(na + nd + 1, 1);
	int rc = 0;

	for (long b = 0; rc == 0 && b < pc->nb; b++) {
		double num, den = 0, value;
		bind(dv, ind->formula, pc->period, pc->bds[b], va, pa, NULL);
		if (calc_eval(ind->formula, va, pa, &num) != CALC_OK)
			continue;
		if (ind->dformula) {
			bind(dv, ind->dformula, pc->period, pc->bds[b], va + na, pa + na, NULL);
			if (calc_eval(ind->dformula, va + na, pa + na, &den) != CALC_OK || den <= 0)
				continue;
			value = num / den * ind->scale;
		} else {
			value = num * ind->scale;
		}
		if (!isfinite(value))
			continue;
		/* bds/keys point into entries, which stay put */
		rc = put_value(dv, pc->d, pc->school, pc->period, ind, pc->bds[b], pc->keys[b], value, num, den,
			       ind->dformula != NULL, pc->bnum, pc->sum, err, errlen);
	}
	free(va);
	free(pa);
	return rc;
}

/* Write the derived indicators for one period. */
static int derive_period(derive *dv, db *d, const cfg *c, const char *school, const char *period,
			 long long batch_id, derive_summary *sum, char *err, size_t errlen)
{
	char bnum[32];
	period_ctx pc = { d, school, period, NULL, NULL, 0, bnum, sum };
	period_type pt;
	long first, last;
	int rc = 0;

	if (period_bounds(period, &pt, &first, &last) < 0)
		return 0;
	snprintf(bnum, sizeof bnum, "%lld", batch_id);
	if (forget_derived(dv, c, &pc, err, errlen) < 0)
		return -1;
	/* The breakdowns of the period: derived values only take those. */
	pc.nb = breakdowns(dv, period, &pc.bds, &pc.keys);
	for (size_t k = 0; rc == 0 && k < c->nderived; k++) {
		const cfg_indicator *ind = &c->indicators[c->derived[k]];
		if (ind->period != pt || derived_gone(dv, ind, &pc))
			continue;
		if (ind->take != CFG_TAKE_NONE)
			rc = take_value(dv, d, c, school, period, ind, bnum, sum, err, errlen);
		else
			rc = derive_formula(dv, ind, &pc, err, errlen);
	}
	free(pc.bds);
	free(pc.keys);
	return rc;
}

static void fmtnum(char *buf, size_t n, double v)
{
	snprintf(buf, n, "%.10g", v);
}

/* When an operand of check ck has no value because a field it reads is
 * missing, ck is not evaluated: a field_missing finding says so.  1
 * then, else 0. */
static int check_gone(derive *dv, const cfg_check *ck, const char *period, derive_summary *sum)
{
	const char *op = gone_operand(dv, ck->left, period);

	if (!op)
		op = gone_operand(dv, ck->right, period);
	if (!op)
		return 0;
	add_finding(dv, period, "{}", "field_missing", NULL, CFG_WARNING, NAN, NAN,
		    xasprintf("check %s is not evaluated: %s has no value, because a field it reads is missing "
			      "(see the field_missing finding of %s)", ck->code, op, op));
	sum->warnings++;
	return 1;
}

/* The by fields of ck, sorted and joined like the entries' keys ("" when
 * none): a new string. */
static char *check_keys(const cfg_check *ck)
{
	str want = STR_INIT;
	size_t cnt = 0;
	const char **sorted;

	while (ck->by_names && ck->by_names[cnt])
		cnt++;
	sorted = xcalloc(cnt + 1, sizeof *sorted);
	for (size_t i = 0; i < cnt; i++) {
		size_t j = i;
		while (j > 0 && strcmp(sorted[j - 1], ck->by_names[i]) > 0) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = ck->by_names[i];
	}
	for (size_t i = 0; i < cnt; i++)
		str_addf(&want, "%s%s", i ? "," : "", sorted[i]);
	free(sorted);
	return str_steal(&want);
}

/* Record that check ck failed in breakdown bd of the period (l and r its
 * sides); mine: an operand is of this batch, so a blocking check blocks
 * it. */
static void check_failed(derive *dv, const cfg_check *ck, const char *period, const char *bd, double l, double r,
			 int mine, derive_summary *sum)
{
	char ls[40], rs[40], tol[48] = "", *msg;
	int total = strcmp(bd, "{}") == 0;

	fmtnum(ls, sizeof ls, l);
	fmtnum(rs, sizeof rs, r);
	if (ck->tolerance > 0)
		snprintf(tol, sizeof tol, " (tolerance %g)", ck->tolerance);
	msg = xasprintf("%s%s%s: %s = %s, but it should be %s %s%s%s%s", ck->code, ck->name_zh ? " " : "",
			ck->name_zh ? ck->name_zh : "", calc_text(ck->left), ls, calc_op_text(ck->op),
			calc_text(ck->right), calc_nrefs(ck->right) ? " = " : "", calc_nrefs(ck->right) ? rs : "", tol);
	if (ck->severity == CFG_ERROR)
		sum->errors++;
	else
		sum->warnings++;
	if (ck->block && ck->severity == CFG_ERROR && mine && !sum->blocked) {
		sum->blocked = 1;
		snprintf(sum->blocked_by, sizeof sum->blocked_by, "%s %s%s%s", period, total ? "" : bd,
			 total ? "" : " ", msg);
	}
	add_finding(dv, period, bd, ck->code, NULL, ck->severity, l, r, msg);
}

/* Evaluate check ck in each breakdown of the period (the total, and
 * those by its by fields). */
static void check_one(derive *dv, const cfg_check *ck, const char *period, const char **bds, const char **keys,
		      long nb, derive_summary *sum)
{
	size_t nl = calc_nrefs(ck->left), nr = calc_nrefs(ck->right);
	double *v = xcalloc(nl + nr + 1, sizeof *v);
	unsigned char *pr = xcalloc(nl + nr + 1, 1);
	char *want = check_keys(ck);

	for (long b = 0; b < nb; b++) {
		double l, r;
		int mine = 0;
		if (keys[b][0] && (!ck->by_names || strcmp(keys[b], want) != 0))
			continue;
		bind(dv, ck->left, period, bds[b], v, pr, &mine);
		bind(dv, ck->right, period, bds[b], v + nl, pr + nl, &mine);
		if (calc_eval(ck->left, v, pr, &l) != CALC_OK || calc_eval(ck->right, v + nl, pr + nl, &r) != CALC_OK)
			continue;
		sum->checked++;
		if (!calc_compare(l, ck->op, r, ck->tolerance))
			check_failed(dv, ck, period, bds[b], l, r, mine, sum);
	}
	free(want);
	free(v);
	free(pr);
}

/* Reported figures of the period against the computed ones. */
static void check_reported(derive *dv, const cfg *c, const char *period, derive_summary *sum)
{
	for (size_t i = 0; i < dv->n; i++) {
		const entry *e = dv->all[i], *cmp;
		const cfg_indicator *ind;
		char rs[40];
		if (!e->reported || strcmp(e->period, period) != 0)
			continue;
		if (!(cmp = find(dv, period, e->bd, e->code, 0)) || isnan(cmp->value))
			continue;
		sum->checked++;
		if (calc_compare(e->value, CALC_EQ, cmp->value, calc_half_unit(e->text)))
			continue;
		ind = cfg_indicator_find(c, e->code);
		fmtnum(rs, sizeof rs, cmp->value);
		add_finding(dv, period, e->bd, "reported_vs_computed", ind ? ind->code : NULL, c->reported_check,
			    e->value, cmp->value,
			    xasprintf("%s%s%s: reported %s, computed %s from the records", e->code, ind ? " " : "",
				      ind ? ind->name_zh : "", e->text, rs));
		if (c->reported_check == CFG_ERROR)
			sum->errors++;
		else
			sum->warnings++;
	}
}

static void check_period(derive *dv, const cfg *c, const char *period, derive_summary *sum)
{
	const char **bds, **keys;
	long nb = breakdowns(dv, period, &bds, &keys);

	for (size_t k = 0; k < c->nchecks; k++)
		if (!check_gone(dv, &c->checks[k], period, sum))
			check_one(dv, &c->checks[k], period, bds, keys, nb, sum);
	free(bds);
	free(keys);
	check_reported(dv, c, period, sum);
}

/* Split a text[] literal of simple labels ({a,"b"}) into dv->periods. */
static void split_periods(derive *dv, const char *lit)
{
	const char *p = lit;

	if (*p == '{')
		p++;
	while (*p && *p != '}') {
		str buf = STR_INIT;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				str_addc(&buf, *p);
			}
			if (*p == '"')
				p++;
		} else {
			for (; *p && *p != ',' && *p != '}'; p++)
				str_addc(&buf, *p);
		}
		dv->periods = xreallocarray(dv->periods, dv->nperiods + 1, sizeof *dv->periods);
		dv->periods[dv->nperiods++] = str_steal(&buf);
	}
}

derive *derive_run(db *d, const cfg *c, const char *school, const char *periods, long long batch_id,
		   derive_summary *sum, char *err, size_t errlen)
{
	derive *dv = xcalloc(1, sizeof *dv);

	memset(sum, 0, sizeof *sum);
	split_periods(dv, periods);
	if (read_values(dv, d, c, school, periods, batch_id, err, errlen) < 0 ||
	    read_gone(dv, d, school, periods, err, errlen) < 0)
		goto fail;
	for (size_t i = 0; i < dv->nperiods; i++)
		if (c->nderived && derive_period(dv, d, c, school, dv->periods[i], batch_id, sum, err, errlen) < 0)
			goto fail;
	for (size_t i = 0; i < dv->nperiods; i++)
		check_period(dv, c, dv->periods[i], sum);
	return dv;
fail:
	derive_free(dv);
	return NULL;
}

/* Insert finding f of batch bnum (file fnum, NULL none) of school.  0, or
 * -1 with err. */
static int record_finding(db *d, const finding *f, const char *bnum, const char *fnum, const char *school,
			  char *err, size_t errlen)
{
	char ls[40], rs[40];
	const char *p[11] = { bnum, fnum, school, f->period, f->check, f->severity == CFG_ERROR ? "error" : "warning",
			      f->bd, isfinite(f->left) ? ls : NULL, isfinite(f->right) ? rs : NULL, f->message,
			      f->indicator };

	snprintf(ls, sizeof ls, "%.15g", f->left);
	snprintf(rs, sizeof rs, "%.15g", f->right);
	return db_run(d,
		      "INSERT INTO vqr.finding (batch_id, file_id, school_code, period, check_code, severity, "
		      "breakdown, left_value, right_value, message, indicator_code) "
		      "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11)",
		      11, p, err, errlen);
}

int derive_record(db *d, const derive *dv, const char *school, const char *periods, long long batch_id,
		  long long file_id, char *err, size_t errlen)
{
	char bnum[32], fnum[32];
	const char *p[3] = { school, periods, bnum };
	int rc;

	snprintf(bnum, sizeof bnum, "%lld", batch_id);
	snprintf(fnum, sizeof fnum, "%lld", file_id);
	rc = db_run(d,
		    "UPDATE vqr.finding SET superseded_by = $3::bigint WHERE school_code = $1 "
		    "AND period = ANY($2::text[]) AND superseded_by IS NULL "
		    "AND NOT (check_code = 'field_missing' AND source_code IS NOT NULL)",
		    3, p, err, errlen);
	for (size_t i = 0; !rc && i < dv->nf; i++)
		rc = record_finding(d, &dv->f[i], bnum, file_id ? fnum : NULL, school, err, errlen);
	return rc;
}

/* The by fields of check k as a text[] literal: a new string. */
static char *by_fields(const cfg_check *k)
{
	str by = STR_INIT;

	str_addc(&by, '{');
	for (size_t b = 0; k->by_names && k->by_names[b]; b++)
		str_addf(&by, "%s\"%s\"", b ? "," : "", k->by_names[b]);
	str_addc(&by, '}');
	return str_steal(&by);
}

#define CHECK_COLS 10        /* the columns of a check's row */

/* The checks' rows, as one text[] per column: through
 * vqr.catalog_add_check when guarded, else inserted or updated where
 * they differ. */
static const char *const sync_checks_sql[2] = {
	"INSERT INTO vqr.check_rule (check_code, name_zh, name_en, left_side, op, right_side, "
	"tolerance, severity, block, by_fields) "
	"SELECT c1, c2, c3, c4, c5, c6, c7::numeric, c8, c9::boolean, c10::text[] "
	"FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
	"$8::text[], $9::text[], $10::text[]) AS u(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10) "
	"ON CONFLICT (check_code) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, "
	"left_side = EXCLUDED.left_side, op = EXCLUDED.op, right_side = EXCLUDED.right_side, "
	"tolerance = EXCLUDED.tolerance, severity = EXCLUDED.severity, block = EXCLUDED.block, "
	"by_fields = EXCLUDED.by_fields, updated_at = now() "
	"WHERE (vqr.check_rule.name_zh, vqr.check_rule.name_en, vqr.check_rule.left_side, "
	"vqr.check_rule.op, vqr.check_rule.right_side, vqr.check_rule.tolerance, "
	"vqr.check_rule.severity, vqr.check_rule.block, vqr.check_rule.by_fields) IS DISTINCT FROM "
	"(EXCLUDED.name_zh, EXCLUDED.name_en, EXCLUDED.left_side, EXCLUDED.op, EXCLUDED.right_side, "
	"EXCLUDED.tolerance, EXCLUDED.severity, EXCLUDED.block, EXCLUDED.by_fields)",
	"SELECT vqr.catalog_add_check(c1, c2, c3, c4, c5, c6, c7::numeric, c8, c9::boolean, c10::text[]) "
	"FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
	"$8::text[], $9::text[], $10::text[]) AS u(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10)",
};

int derive_sync_checks(db *d, const cfg *c, int guarded, char *err, size_t errlen)
{
	db_cols r;

	db_cols_init(&r, CHECK_COLS);
	for (size_t i = 0; i < c->nchecks; i++) {
		const cfg_check *k = &c->checks[i];
		char tol[40], *by = by_fields(k);
		const char *v[CHECK_COLS] = { k->code, k->name_zh, k->name_en, calc_text(k->left),
					      calc_op_text(k->op), calc_text(k->right), tol,
					      k->severity == CFG_ERROR ? "error" : "warning", k->block ? "true" : "false",
					      by };
		snprintf(tol, sizeof tol, "%.15g", k->tolerance);
		db_cols_add(&r, v);
		free(by);
	}
	return db_cols_run(d, &r, sync_checks_sql[guarded != 0], err, errlen);
}
