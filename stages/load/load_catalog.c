/*
 * load_catalog.c - vqr-load's sync of the catalog from the configuration;
 * see load_catalog.h.
 */
#include "stages/load/load_catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/catalog/val.h"
#include "lib/db/db.h"
#include "lib/db/derive.h"
#include "lib/staging/stage.h"
#include "lib/util/err.h"
#include "lib/util/str.h"

int load_catalog_guarded(db *d, char *err, size_t errlen)
{
	return db_run_bool(d, "SELECT NOT has_table_privilege('vqr.indicator', 'UPDATE')", err, errlen);
}

/* The aggregation of a source indicator: "count(*) where ... / sum(x) by
 * major". */
static void agg_text(str *b, const cfg_indicator *ind)
{
	const cfg_source *s = ind->source;
	const cfg_agg *parts[2] = { &ind->num, &ind->den };

	for (int p = 0; p < (ind->is_ratio ? 2 : 1); p++) {
		const cfg_agg *a = parts[p];
		const char *field = "*";
		for (size_t i = 0; i < s->nfields; i++)
			if (s->fields[i].col == a->field && a->field >= 0)
				field = s->fields[i].name;
		if (p == 1)
			str_add(b, " / ");
		if (a->fn == AGGFN_PERCENTILE)
			str_addf(b, "%s(%s, %g)", aggfn_name(a->fn), field, a->p);
		else
			str_addf(b, "%s(%s)", aggfn_name(a->fn), field);
		str_addf(b, "%s%s", a->where_text ? " where " : "", a->where_text ? a->where_text : "");
	}
	if (ind->nby) {
		str_add(b, " by");
		for (size_t k = 0; k < ind->nby; k++)
			str_addf(b, " %s", ind->by_names[k]);
	}
}

char *load_rule_text(const cfg_indicator *ind)
{
	str b = STR_INIT;

	if (ind->take != CFG_TAKE_NONE)
		str_addf(&b, "%s(%s across %s)", cfg_take_name(ind->take), calc_text(ind->formula), ind->across);
	else if (ind->formula && ind->dformula)
		str_addf(&b, "(%s) / (%s)", calc_text(ind->formula), calc_text(ind->dformula));
	else if (ind->formula)
		str_add(&b, calc_text(ind->formula));
	else
		agg_text(&b, ind);
	return str_steal(&b);
}

#define IND_COLS 12         /* the columns of an indicator's row */

/* The indicators' rows, as one text[] per column: through
 * vqr.catalog_add_indicator when guarded, else inserted or updated where
 * they differ. */
static const char *const sync_indicators_sql[2] = {
	"INSERT INTO vqr.indicator (indicator_code, name_zh, name_en, unit, kind, aggregate, "
	"source_code, scale, description, rule, period_type, derived) "
	"SELECT c1, c2, c3, c4, c5, c6, c7, c8::numeric, c9, c10, c11, c12::boolean "
	"FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
	"$8::text[], $9::text[], $10::text[], $11::text[], $12::text[]) "
	"AS u(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12) "
	"ON CONFLICT (indicator_code) DO UPDATE SET name_zh = EXCLUDED.name_zh, "
	"name_en = EXCLUDED.name_en, unit = EXCLUDED.unit, kind = EXCLUDED.kind, "
	"aggregate = EXCLUDED.aggregate, source_code = EXCLUDED.source_code, "
	"scale = EXCLUDED.scale, description = EXCLUDED.description, rule = EXCLUDED.rule, "
	"period_type = EXCLUDED.period_type, derived = EXCLUDED.derived, updated_at = now() "
	"WHERE (vqr.indicator.name_zh, vqr.indicator.name_en, vqr.indicator.unit, "
	"vqr.indicator.kind, vqr.indicator.aggregate, vqr.indicator.source_code, "
	"vqr.indicator.scale, vqr.indicator.description, vqr.indicator.rule, "
	"vqr.indicator.period_type, vqr.indicator.derived) IS DISTINCT FROM "
	"(EXCLUDED.name_zh, EXCLUDED.name_en, EXCLUDED.unit, EXCLUDED.kind, EXCLUDED.aggregate, "
	"EXCLUDED.source_code, EXCLUDED.scale, EXCLUDED.description, EXCLUDED.rule, "
	"EXCLUDED.period_type, EXCLUDED.derived)",
	"SELECT vqr.catalog_add_indicator(c1, c2, c3, c4, c5, c6, c7, c8::numeric, c9, c10, c11, c12::boolean) "
	"FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
	"$8::text[], $9::text[], $10::text[], $11::text[], $12::text[]) "
	"AS u(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12)",
};

/* Add indicator ind's row to r. */
static void indicator_row(db_cols *r, const cfg_indicator *ind)
{
	char scale[32], *rule = load_rule_text(ind);
	const char *v[IND_COLS] = { ind->code, ind->name_zh, ind->name_en, ind->unit, cfg_kind_name(ind->kind),
				    cfg_aggregate_name(ind->aggregate), ind->source ? ind->source->name : NULL,
				    scale, ind->description, rule, period_type_name(ind->period),
				    ind->formula ? "true" : "false" };

	snprintf(scale, sizeof scale, "%.15g", ind->scale);
	db_cols_add(r, v);
	free(rule);
}

/* Sync, in one statement, the indicators of source s, the derived ones,
 * and when s is reported (a summary sheet, matched by name) those of
 * every source not reported too. */
static int sync_indicators(db *d, const cfg *c, const cfg_source *s, int guarded, char *err, size_t errlen)
{
	db_cols r;

	db_cols_init(&r, IND_COLS);
	for (size_t i = 0; i < c->nindicators; i++) {
		const cfg_indicator *ind = &c->indicators[i];
		if (!ind->source || ind->source == s || (s->reported && !ind->source->reported))
			indicator_row(&r, ind);
	}
	return db_cols_run(d, &r, sync_indicators_sql[guarded != 0], err, errlen);
}

/* Add (or update, unless guarded or only_add) source s in vqr.source. */
static int sync_source(db *d, const cfg_source *s, int guarded, int only_add, char *err, size_t errlen)
{
	const char *p[3] = { s->name, s->name_zh, s->name_en };
	return db_run(d,
			       guarded ? "SELECT vqr.catalog_add_source($1, $2, $3)"
			       : only_add ? "INSERT INTO vqr.source (source_code, name_zh, name_en) VALUES ($1, $2, $3) "
					    "ON CONFLICT (source_code) DO NOTHING"
			       : "INSERT INTO vqr.source (source_code, name_zh, name_en) VALUES ($1, $2, $3) "
				 "ON CONFLICT (source_code) DO UPDATE SET name_zh = EXCLUDED.name_zh, "
				 "name_en = EXCLUDED.name_en",
			       3, p, err, errlen);
}

int load_catalog_sync(db *d, const cfg *c, const cfg_source *s, int guarded, char *err, size_t errlen)
{
	const char *p[3] = { c->school_code, c->school_name, c->school_region };
	if (db_run(d,
			       "INSERT INTO vqr.school (school_code, name, region) VALUES ($1, $2, $3) "
			       "ON CONFLICT (school_code) DO UPDATE SET name = EXCLUDED.name, region = EXCLUDED.region",
			       3, p, err, errlen) < 0)
		return -1;
	if (sync_source(d, s, guarded, 0, err, errlen) < 0)
		return -1;
	/* Indicators reported on a summary sheet are matched by name: all must exist. */
	if (s->reported)
		for (size_t k = 0; k < c->nsources; k++) {
			const cfg_source *o = &c->sources[k];
			if (o != s && !o->reported && sync_source(d, o, guarded, 1, err, errlen) < 0)
				return -1;
		}
	if (sync_indicators(d, c, s, guarded, err, errlen) < 0)
		return -1;
	return derive_sync_checks(d, c, guarded, err, errlen);
}

int load_catalog_periods(db *d, const manifest *m, const char *dir, int guarded, char *err, size_t errlen)
{
	for (size_t i = 0; i < m->nperiods; i++) {
		const char *p[4];
		period_type pt;
		long first, last;
		char f[16], l[16];
		int y, mo, dd;
		if (period_bounds(m->periods[i], &pt, &first, &last) < 0)
			return err_set(err, errlen, "%s/%s: \"%s\" is not a period label", dir, STAGE_MANIFEST,
				       m->periods[i]);
		val_days_to_ymd(first, &y, &mo, &dd);
		snprintf(f, sizeof f, "%04d-%02d-%02d", y, mo, dd);
		val_days_to_ymd(last, &y, &mo, &dd);
		snprintf(l, sizeof l, "%04d-%02d-%02d", y, mo, dd);
		p[0] = m->periods[i];
		p[1] = period_type_name(pt);
		p[2] = f;
		p[3] = l;
		if (db_run(d,
			     guarded ? "SELECT vqr.catalog_add_period($1, $2, $3::date, $4::date)"
				     : "INSERT INTO vqr.period (period, period_type, start_date, end_date) "
				       "VALUES ($1, $2, $3, $4) ON CONFLICT (period) DO NOTHING",
			     4, p, err, errlen) < 0)
			return -1;
	}
	return 0;
}
