/*
 * load.c - vqr-load: load one staged batch into PostgreSQL, in one
 * transaction.
 *
 * Usage: vqr-load --config vqr.yaml [--database CONNINFO] DIR
 *
 * Reads DIR/manifest.yaml, DIR/indicators.gz (vqr-transform) and
 * DIR/rejects.tsv (vqr-extract).  In one transaction it syncs the school,
 * source and indicator catalog from the configuration, records the batch
 * and the source file (sha256, counts), deletes the slices the file covers
 * (school, source, period) and COPYs the new indicator values and the
 * rejects in.  Either all of it commits or none of it: an analyst never
 * sees a half-loaded year, and a file whose sha256 is already loaded is
 * not loaded again.
 *
 * With --follow SOURCE (what `vqr run` uses for a source with load_rows)
 * it starts beside vqr-extract: the transaction opens and the canonical
 * rows stream in while they are written; then it waits for the manifest
 * to show the transform's indicators and goes on as usual.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/catalog/cfg.h"
#include "lib/util/cli.h"
#include "lib/db/db.h"
#include "lib/db/derive.h"
#include "lib/util/log.h"
#include "lib/staging/manifest.h"
#include "lib/staging/stage.h"
#include "lib/db/migrate.h"
#include "lib/db/pgcopy.h"
#include "lib/staging/rows.h"
#include "lib/db/rowload.h"


static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqr-load [OPTION]... DIR\n"
		"Load the batch staged in DIR (by vqr-extract and vqr-transform) into\n"
		"PostgreSQL in one transaction, replacing the slices (school, source, period)\n"
		"it covers.  A file whose sha256 is already loaded is skipped.\n"
		"Prints one line: STATUS BATCH VALUES REPLACED REJECTS ERRORS WARNINGS\n"
		"(tab-separated), STATUS being loaded, skipped (already loaded), blocked\n"
		"(a blocking check failed) or held (a replacing file would shrink its slice\n"
		"by more than the source's max_shrink; DIR/held.txt says by how much); with\n"
		"--dry-run, the changes instead.  A file whose name matches the source's\n"
		"supplement_files (or a source with mode: supplement) adds its rows to its\n"
		"slices: DIR/indicators.gz was then computed over all of their rows.\n"
		"\n"
		"  -c, --config FILE      deployment configuration (default: $VQR_CONFIG,\n"
		"                         ./vqr.yaml, /etc/vqr/vqr.yaml)\n"
		"  -d, --database CONN    libpq conninfo, URI or service name (default:\n"
		"                         $VQR_DATABASE, else the configuration's database,\n"
		"                         else the embedded cluster)\n"
		"  -l, --label TEXT       batch label (default: the directory's name)\n"
		"  -n, --dry-run          load, report what would change, and roll back\n"
		"  -a, --accept-shrink    load a replacing file even if it shrinks its slice\n"
		"  -R, --reprocess        the file is loaded already: compute its slices again\n"
		"                         (with the current catalog), keeping its file record\n"
		"                         and the history; implies --accept-shrink\n"
		"  -f, --follow SOURCE    start beside vqr-extract and vqr-transform: stream\n"
		"                         the rows (load_rows) as they are written, then wait\n"
		"                         for the transform's manifest\n"
		"  -v, --verbose          say what is done\n"
		"  -L, --log FILE         also append every message to FILE\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"\n"
		"Environment:\n"
		"  VQR_DATABASE           the database when -d is not given; vqr run passes its\n"
		"                         database this way, so that no password shows in ps\n"
		"\n" LOG_EXIT_CODES_HELP);
}

/* COPY the lines of a rows file, each with `suffix` appended, into the
 * table named by copy_sql.  skip_header: drop the first line. */
static int copy_file(db *d, const char *copy_sql, const char *path, int skip_header,
		     const char *suffix, long long *nlines, char *err, size_t errlen)
{
	const char *st = getenv("VQR_TEST_STALL_COPY");
	rows_reader *r;
	int rc;

	*nlines = 0;
	if (!(r = rows_open(path, err, errlen)))
		return -1;
	if (pgcopy_start(d, copy_sql, err, errlen) < 0) {
		rows_close(r);
		return -1;
	}
	/* VQR_TEST_STALL_COPY=SECONDS: fault injection for the crash-safety tests */
	rc = pgcopy_stream(d, r, skip_header, suffix, st && !skip_header ? atoi(st) : 0, nlines, err, errlen);
	rows_close(r);
	return rc;
}

/* COPY a rows file into table (its columns cols).  PostgreSQL refuses COPY
 * FROM into a table whose row-level security applies (a per-school loader
 * role): with rls set, COPY into a temporary copy of the table and INSERT
 * from it, which the policies check row by row. */
static int load_table(db *d, const char *table, const char *cols, int rls, const char *path,
		      int skip_header, const char *suffix, long long *nlines, char *err, size_t errlen)
{
	char sql[1024];

	if (rls) {
		snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS pg_temp.vqr_in; "
			 "CREATE TEMP TABLE vqr_in (LIKE %s) ON COMMIT DROP", table);
		if (db_exec(d, sql, err, errlen) < 0)
			return -1;
	}
	snprintf(sql, sizeof sql, "COPY %s (%s) FROM STDIN", rls ? "vqr_in" : table, cols);
	if (copy_file(d, sql, path, skip_header, suffix, nlines, err, errlen) < 0)
		return -1;
	if (rls) {
		snprintf(sql, sizeof sql, "INSERT INTO %s SELECT * FROM vqr_in", table);
		return db_exec(d, sql, err, errlen);
	}
	return 0;
}

/* The rule of an indicator as text, for the catalog. */
static void rule_text(const cfg_indicator *ind, char *buf, size_t len)
{
	const cfg_source *s = ind->source;
	const cfg_agg *parts[2] = { &ind->num, &ind->den };
	size_t n = 0;

	if (ind->take != CFG_TAKE_NONE) {
		snprintf(buf, len, "%s(%s across %s)", cfg_take_name(ind->take), calc_text(ind->formula), ind->across);
		return;
	}
	if (ind->formula) {
		if (ind->dformula)
			snprintf(buf, len, "(%s) / (%s)", calc_text(ind->formula), calc_text(ind->dformula));
		else
			snprintf(buf, len, "%s", calc_text(ind->formula));
		return;
	}

	for (int p = 0; p < (ind->is_ratio ? 2 : 1) && n < len; p++) {
		const cfg_agg *a = parts[p];
		const char *field = "*";
		for (size_t i = 0; i < s->nfields; i++)
			if (s->fields[i].col == a->field && a->field >= 0)
				field = s->fields[i].name;
		if (p == 1)
			n += (size_t)snprintf(buf + n, len - n, " / ");
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s(%s)%s%s", aggfn_name(a->fn), field,
					      a->where_text ? " where " : "", a->where_text ? a->where_text : "");
	}
	if (ind->nby && n < len) {
		n += (size_t)snprintf(buf + n, len - n, " by");
		for (size_t b = 0; b < ind->nby && n < len; b++)
			n += (size_t)snprintf(buf + n, len - n, " %s", ind->by_names[b]);
	}
}

static int sync_indicators(db *d, const cfg *c, const cfg_source *s, int guarded, char *err, size_t errlen);

/* Whether the shared catalog (source, indicator, period, check_rule) must
 * be written through the vqr.catalog_add_* functions, which add entries
 * but refuse to change existing ones: when the connected role may not
 * update vqr.indicator itself (a school's loader).  1 or 0, or -1 with
 * err set. */
static int catalog_guarded(db *d, char *err, size_t errlen)
{
	PGresult *r = db_query(d, "SELECT NOT has_table_privilege('vqr.indicator', 'UPDATE')", 0, NULL, err, errlen);
	int g;

	if (!r)
		return -1;
	g = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return g;
}

/* The indicators of another source, for a summary sheet that reports them. */
static int sync_catalog_of(db *d, const cfg *c, const cfg_source *s, int guarded, char *err, size_t errlen)
{
	const char *p[3] = { s->name, s->name_zh, s->name_en };
	PGresult *r = db_query(d,
			       guarded ? "SELECT vqr.catalog_add_source($1, $2, $3)"
				       : "INSERT INTO vqr.source (source_code, name_zh, name_en) VALUES ($1, $2, $3) "
					 "ON CONFLICT (source_code) DO NOTHING",
			       3, p, err, errlen);
	if (!r)
		return -1;
	PQclear(r);
	return sync_indicators(d, c, s, guarded, err, errlen);
}

/* Sync the school, the source and its indicators (and the derived ones,
 * and the checks) from the configuration; guarded as catalog_guarded
 * says. */
static int sync_catalog(db *d, const cfg *c, const cfg_source *s, int guarded, char *err, size_t errlen)
{
	PGresult *r;
	const char *p[12];

	p[0] = c->school_code;
	p[1] = c->school_name;
	p[2] = c->school_region;
	r = db_query(d,
		     "INSERT INTO vqr.school (school_code, name, region) VALUES ($1, $2, $3) "
		     "ON CONFLICT (school_code) DO UPDATE SET name = EXCLUDED.name, region = EXCLUDED.region",
		     3, p, err, errlen);
	if (!r)
		return -1;
	PQclear(r);
	p[0] = s->name;
	p[1] = s->name_zh;
	p[2] = s->name_en;
	r = db_query(d,
		     guarded ? "SELECT vqr.catalog_add_source($1, $2, $3)"
			     : "INSERT INTO vqr.source (source_code, name_zh, name_en) VALUES ($1, $2, $3) "
			       "ON CONFLICT (source_code) DO UPDATE SET name_zh = EXCLUDED.name_zh, "
			       "name_en = EXCLUDED.name_en",
		     3, p, err, errlen);
	if (!r)
		return -1;
	PQclear(r);
	if (sync_indicators(d, c, s, guarded, err, errlen) < 0)
		return -1;
	/* Indicators reported on a summary sheet are matched by name: all must exist. */
	if (s->reported)
		for (size_t k = 0; k < c->nsources; k++)
			if (&c->sources[k] != s && !c->sources[k].reported &&
			    sync_catalog_of(d, c, &c->sources[k], guarded, err, errlen) < 0)
				return -1;
	return derive_sync_checks(d, c, guarded, err, errlen);
}

/* Sync the indicators of source s (and the derived ones with it) into
 * vqr.indicator, through vqr.catalog_add_indicator when guarded. */
static int sync_indicators(db *d, const cfg *c, const cfg_source *s, int guarded, char *err, size_t errlen)
{
	const char *p[12];
	PGresult *r;

	for (size_t i = 0; i < c->nindicators; i++) {
		const cfg_indicator *ind = &c->indicators[i];
		char scale[32], rule[2048];
		if (ind->source != s && ind->source)
			continue;
		snprintf(scale, sizeof scale, "%.15g", ind->scale);
		rule_text(ind, rule, sizeof rule);
		p[0] = ind->code;
		p[1] = ind->name_zh;
		p[2] = ind->name_en;
		p[3] = ind->unit;
		p[4] = cfg_kind_name(ind->kind);
		p[5] = cfg_aggregate_name(ind->aggregate);
		p[6] = ind->source ? ind->source->name : NULL;
		p[7] = scale;
		p[8] = ind->description;
		p[9] = rule;
		p[10] = period_type_name(ind->period);
		p[11] = ind->formula ? "true" : "false";
		r = db_query(d, guarded ?
			     "SELECT vqr.catalog_add_indicator($1, $2, $3, $4, $5, $6, $7, $8::numeric, $9, $10, $11, "
			     "$12::boolean)" :
			     "INSERT INTO vqr.indicator (indicator_code, name_zh, name_en, unit, kind, aggregate, "
			     "source_code, scale, description, rule, period_type, derived) "
			     "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) "
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
			     12, p, err, errlen);
		if (!r)
			return -1;
		PQclear(r);
	}
	return 0;
}

/* The periods of m as a PostgreSQL text[] literal. */
static char *periods_array(const manifest *m)
{
	return db_text_array(m->periods, m->nperiods);
}

/* The file's column coverage as four text[] literals for vqr.source_file
 * (unmapped headers, their hints, missing fields, skipped indicators);
 * 0, or -1 (no memory; what was made is freed). */
static int coverage_arrays(const manifest *m, char *arr[4])
{
	arr[0] = db_text_array(m->unmapped.v, m->unmapped.n);
	arr[1] = db_text_array(m->unmapped_hint.v, m->unmapped_hint.n);
	arr[2] = db_text_array(m->missing.v, m->missing.n);
	arr[3] = db_text_array(m->skipped.v, m->skipped.n);
	if (arr[0] && arr[1] && arr[2] && arr[3])
		return 0;
	for (int i = 0; i < 4; i++)
		free(arr[i]), arr[i] = NULL;
	return -1;
}

/* The file's unmapped headers for a message: "对口情况 (did you mean
 * in_field (是否专业对口)?), 辅导员", or "none". */
static void unmapped_text(const manifest *m, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < m->unmapped.n && n < len; i++) {
		const char *h = i < m->unmapped_hint.n ? m->unmapped_hint.v[i] : "";
		n += (size_t)snprintf(buf + n, len - n, "%s%s%s%s%s", i ? ", " : "", m->unmapped.v[i],
				      h[0] ? " (did you mean " : "", h, h[0] ? "?)" : "");
	}
	if (!m->unmapped.n)
		snprintf(buf, len, "none");
}

/* Record a field_missing finding (warning) for each indicator the
 * transform left uncomputed, in each period of the file of its period
 * type, after superseding those of the slices this load replaces.
 * Returns how many were recorded, or -1 with err set. */
static long long field_missing_findings(db *d, const cfg *c, const cfg_source *s, const manifest *m,
					const char *periods, const char *bnum, const char *fnum, char *err,
					size_t errlen)
{
	const char *p[8];
	char unmapped[2048];
	long long n = 0;
	PGresult *r;

	p[0] = c->school_code;
	p[1] = s->name;
	p[2] = periods;
	p[3] = bnum;
	r = db_query(d,
		     "UPDATE vqr.finding SET superseded_by = $4::bigint WHERE school_code = $1 AND source_code = $2 "
		     "AND period = ANY($3::text[]) AND check_code = 'field_missing' AND superseded_by IS NULL",
		     4, p, err, errlen);
	if (!r)
		return -1;
	PQclear(r);
	unmapped_text(m, unmapped, sizeof unmapped);
	for (size_t i = 0; i < m->skipped.n; i++) {
		const cfg_indicator *ind = cfg_indicator_find(c, m->skipped.v[i]);
		const cfg_field *f = i < m->skipped_field.n ? cfg_field_find(s, m->skipped_field.v[i]) : NULL;
		int absent = i < m->skipped_why.n && strcmp(m->skipped_why.v[i], "absent") == 0;
		char msg[4096];
		int any = 0;

		if (!ind || !f)
			continue; /* the catalog changed since the transform */
		snprintf(msg, sizeof msg, "%s %s is not computed: %s %s field %s (%s); unmapped columns of the file: %s",
			 ind->code, ind->name_zh, m->file_name, absent ? "has no column for" : "has no value in any row of",
			 f->name, f->header, unmapped);
		for (int pass = 0; pass < 2 && !any; pass++) {
			for (size_t k = 0; k < m->nperiods; k++) {
				period_type pt;
				long first, last;
				if (period_bounds(m->periods[k], &pt, &first, &last) < 0 ||
				    pt != (pass ? s->period : ind->period))
					continue;
				p[0] = bnum;
				p[1] = fnum;
				p[2] = c->school_code;
				p[3] = m->periods[k];
				p[4] = s->name;
				p[5] = msg;
				p[6] = ind->code;
				r = db_query(d,
					     "INSERT INTO vqr.finding (batch_id, file_id, school_code, period, source_code, "
					     "check_code, severity, message, indicator_code) "
					     "VALUES ($1, $2, $3, $4, $5, 'field_missing', 'warning', $6, $7)",
					     7, p, err, errlen);
				if (!r)
					return -1;
				PQclear(r);
				any = 1;
				n++;
			}
		}
	}
	return n;
}

/* A replacing file that shrinks its slice: the figures, kept across the
 * rollback to the savepoint and recorded as slice_shrink findings. */
typedef struct shrink {
	char period[64][32];    /* per finding: its period */
	char msg[64][512];      /* per finding: what shrank, before and after */
	double before[64], after[64];
	int n;
	char text[4096];        /* all of it in words, for held.txt and the message */
} shrink;

typedef struct result {
	long long batch_id;     /* batch recorded, 0 when skipped */
	long long replaced;     /* old values deleted */
	long long values;       /* values copied in */
	long long rejects;      /* rejects copied in */
	long long rows;         /* canonical rows copied into vqr_rows (load_rows) */
	derive_summary checks;  /* derived values and findings */
	char skipped_by[128];   /* when already loaded: "batch N at T" */
	int held;               /* a replacing file would shrink its slice: held back */
} result;

/* Dry run: print what the load would change (values whose value differs
 * from the slice's current one), on stdout. */
static int report_changes(db *d, const manifest *m, long long batch_id, const result *out, char *err,
			  size_t errlen)
{
	char num[32];
	const char *p[1] = { num };
	PGresult *r;
	int n, shown;

	snprintf(num, sizeof num, "%lld", batch_id);
	r = db_query(d,
		     "SELECT coalesce(n.period, o.period), coalesce(n.indicator_code, o.indicator_code), "
		     "coalesce(n.breakdown, o.breakdown)::text, coalesce(o.value::text, '-'), "
		     "coalesce(n.value::text, '-') "
		     "FROM (SELECT period, indicator_code, breakdown, value FROM vqr.indicator_value "
		     "      WHERE batch_id = $1) n "
		     "FULL JOIN vqr_dry_old o ON (o.period, o.indicator_code, o.breakdown) = "
		     "     (n.period, n.indicator_code, n.breakdown) "
		     "WHERE o.value IS DISTINCT FROM n.value ORDER BY 1, 2, 3",
		     1, p, err, errlen);
	if (!r)
		return -1;
	n = PQntuples(r);
	printf("dry run: %s: %lld rows (%lld rejected) -> %lld values for", m->file_name, m->rows_read,
	       m->rows_rejected, out->values);
	for (size_t i = 0; i < m->nperiods; i++)
		printf(" %s", m->periods[i]);
	printf(", replacing %lld; %d would change\n", out->replaced, n);
	shown = n > 200 ? 200 : n;
	for (int i = 0; i < shown; i++)
		printf("  %s  %s  %s  %s -> %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
		       PQgetvalue(r, i, 3), PQgetvalue(r, i, 4));
	if (n > shown)
		printf("  ... and %d more\n", n - shown);
	PQclear(r);
	return 0;
}

/* Record the batch of this load (out->batch_id), with the sha256 of the
 * catalog that computes s (cfg_catalog_sha256).  Its label is the
 * staging directory's name; when the school already has a batch of that
 * name (another deployment on the same database staged a file of the same
 * source in the same second), ".2", ".3", ... is appended.  Called under
 * the school's lock (begin_locked), so two loads cannot pick the same. */
static int insert_batch(db *d, const cfg *c, const cfg_source *s, const char *label, result *out, char *err,
			size_t errlen)
{
	char host[256] = "", cat[65];
	const char *p[5] = { c->school_code, label, VQR_VERSION, host, cat };
	PGresult *r;

	gethostname(host, sizeof host - 1);
	if (cfg_catalog_sha256(c, s, cat, err, errlen) < 0)
		return -1;
	r = db_query(d, "INSERT INTO vqr.batch (school_code, label, vqr_version, host, catalog_sha256) "
		     "SELECT $1, x.l, $3, $4, $5 FROM (SELECT $2 AS l, 1 AS n UNION ALL "
		     "SELECT $2 || '.' || g, g FROM generate_series(2, 1000) g) x "
		     "WHERE NOT EXISTS (SELECT 1 FROM vqr.batch b WHERE b.school_code = $1 AND b.label = x.l) "
		     "ORDER BY x.n LIMIT 1 RETURNING batch_id", 5, p, err, errlen);
	if (!r)
		return -1;
	out->batch_id = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

/* Begin the load's transaction; two loads of the same school queue here
 * rather than interleave. */
static int begin_locked(db *d, const cfg *c, char *err, size_t errlen)
{
	const char *p[1] = { c->school_code };
	PGresult *r;

	if (db_exec(d, "BEGIN", err, errlen) < 0)
		return -1;
	if (!(r = db_query(d, "SELECT pg_advisory_xact_lock(hashtext('vqr.load:' || $1))", 1, p, err, errlen))) {
		char e2[256];
		db_exec(d, "ROLLBACK", e2, sizeof e2);
		return -1;
	}
	PQclear(r);
	return 0;
}

/* --follow: the first part of the load, while vqr-extract and
 * vqr-transform still run.  The transaction begins, the catalog, the
 * batch and a file id are made, the canonical rows (load_rows) stream in
 * as vqr-extract writes them, and then the manifest is awaited until
 * vqr-transform has recorded its indicators in it (read into m).  0 with
 * the transaction open, or -1 with err (rolled back), or -2 (rolled back)
 * when the extract gave the file up. */
static int follow_first(db *d, const cfg *c, const cfg_source *s, manifest *m, const char *dir,
			const char *label, result *out, long long *file_id, char *err, size_t errlen)
{
	char path[4200], e2[256];
	PGresult *r;
	int guarded;

	if (begin_locked(d, c, err, errlen) < 0)
		return -1;
	if ((guarded = catalog_guarded(d, err, errlen)) < 0 || sync_catalog(d, c, s, guarded, err, errlen) < 0 ||
	    insert_batch(d, c, s, label, out, err, errlen) < 0 ||
	    db_exec(d, "SAVEPOINT vqr_slice", err, errlen) < 0)
		goto rollback;
	if (!(r = db_query(d, "SELECT nextval(pg_get_serial_sequence('vqr.source_file', 'file_id'))", 0, NULL,
			   err, errlen)))
		goto rollback;
	*file_id = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	snprintf(path, sizeof path, "%s/manifest.yaml", dir);
	if (s->load_rows && rowload_copy(d, c, s, dir, *file_id, 1, &out->rows, err, errlen) < 0) {
		db_exec(d, "ROLLBACK", e2, sizeof e2);
		return stage_extract_gave_up(dir, m, STAGE_FOLLOW_WAIT_MS) ? -2 : -1;
	}
	for (;;) {
		manifest_clear(m);
		if (manifest_read(path, m, e2, sizeof e2) == 0) {
			if (m->status == MANIFEST_FAILED) {
				db_exec(d, "ROLLBACK", e2, sizeof e2);
				return -2;
			}
			if (m->indicators >= 0)
				break;
		}
		nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
	}
	if (!m->source || strcmp(m->source, s->name) || !m->sha256 || (m->school && strcmp(m->school, c->school_code))) {
		snprintf(err, errlen, "%s: staged for source %s of school %s, not %s of %s (--follow)", path,
			 m->source ? m->source : "?", m->school ? m->school : "?", s->name, c->school_code);
		goto rollback;
	}
	return 0;
rollback:
	db_exec(d, "ROLLBACK", e2, sizeof e2);
	return -1;
}

static void shrink_add(shrink *k, const char *period, const char *what, double before, double after)
{
	size_t u = strlen(k->text);
	if (k->n >= 64)
		return;
	snprintf(k->period[k->n], sizeof k->period[k->n], "%s", period);
	snprintf(k->msg[k->n], sizeof k->msg[k->n], "%s %s: %.15g -> %.15g (%+.1f%%)", what, period, before, after,
		 before ? (after - before) / before * 100 : 0);
	k->before[k->n] = before;
	k->after[k->n] = after;
	snprintf(k->text + u, sizeof k->text - u, "%s%s", u ? "; " : "", k->msg[k->n]);
	k->n++;
}

/* Keep vqr.slice_file in step for batch bnum: a replacing file becomes
 * the only file of its slices (the files it replaces go to
 * vqr.slice_file_history, their rows into *old_rows), a supplement joins
 * theirs.  0 or -1 with err set. */
static int slice_files(db *d, const cfg *c, const cfg_source *s, const char *periods, const char *fnum,
		       const char *bnum, int supplement, long long *old_rows, long long *old_files, char *err,
		       size_t errlen)
{
	const char *p[5] = { c->school_code, s->name, periods, fnum, bnum };
	const char *g[4] = { c->school_code, s->name, periods, bnum };
	PGresult *r;

	*old_rows = *old_files = 0;
	if (!supplement) {
		r = db_query(d,
			     "WITH gone AS (DELETE FROM vqr.slice_file WHERE school_code = $1 AND source_code = $2 "
			     "AND period = ANY($3::text[]) RETURNING *), "
			     "kept AS (INSERT INTO vqr.slice_file_history (school_code, source_code, period, file_id, "
			     "  added_by, superseded_by) SELECT school_code, source_code, period, file_id, added_by, "
			     "  $4::bigint FROM gone) "
			     "SELECT coalesce(sum(rows_loaded), 0), count(*) FROM vqr.source_file "
			     "WHERE file_id IN (SELECT file_id FROM gone)",
			     4, g, err, errlen);
		if (!r)
			return -1;
		*old_rows = atoll(PQgetvalue(r, 0, 0));
		*old_files = atoll(PQgetvalue(r, 0, 1));
		PQclear(r);
	}
	r = db_query(d,
		     "INSERT INTO vqr.slice_file (school_code, source_code, period, file_id, added_by) "
		     "SELECT $1, $2, p, $4::bigint, $5::bigint FROM unnest($3::text[]) p ON CONFLICT DO NOTHING",
		     5, p, err, errlen);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

/* Does this replacing load shrink its slices by more than the source's
 * max_shrink, by rows or by a count indicator's total?  Fills k.  0 or
 * -1 with err set. */
static int shrink_check(db *d, const cfg *c, const cfg_source *s, const manifest *m, const char *periods,
			const char *bnum, long long old_rows, shrink *k, char *err, size_t errlen)
{
	char share[32], *codes;
	char **cv = calloc(c->nindicators + 1, sizeof *cv);
	size_t nc = 0;
	const char *p[4];
	PGresult *r;

	memset(k, 0, sizeof *k);
	if (!cv) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (old_rows > 0 && (double)m->rows_loaded < (double)old_rows * (1 - s->max_shrink))
		shrink_add(k, m->nperiods ? m->periods[0] : "", "rows", (double)old_rows, (double)m->rows_loaded);
	for (size_t i = 0; i < c->nindicators; i++)
		if (c->indicators[i].source == s && c->indicators[i].kind == CFG_KIND_COUNT)
			cv[nc++] = c->indicators[i].code;
	codes = db_text_array(cv, nc);
	free(cv);
	if (!codes) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(share, sizeof share, "%.15g", 1 - s->max_shrink);
	p[0] = bnum;
	p[1] = codes;
	p[2] = share;
	p[3] = periods;
	r = db_query(d,
		     "SELECT o.period, o.indicator_code, o.value, coalesce(n.value, 0) "
		     "FROM vqr.indicator_value_history o "
		     "LEFT JOIN vqr.indicator_value n ON n.batch_id = $1::bigint AND n.period = o.period "
		     "  AND n.indicator_code = o.indicator_code AND n.breakdown = '{}' AND n.value_type = 'computed' "
		     "WHERE o.superseded_by = $1::bigint AND o.breakdown = '{}' AND o.value_type = 'computed' "
		     "AND o.indicator_code = ANY($2::text[]) AND o.period = ANY($4::text[]) "
		     "AND o.value > 0 AND coalesce(n.value, 0) < o.value * $3::numeric "
		     "ORDER BY o.period, o.indicator_code",
		     4, p, err, errlen);
	free(codes);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		shrink_add(k, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), strtod(PQgetvalue(r, i, 2), NULL),
			   strtod(PQgetvalue(r, i, 3), NULL));
	PQclear(r);
	return 0;
}

/* Record the shrink as blocking findings of batch bnum. */
static int shrink_record(db *d, const cfg *c, const cfg_source *s, const shrink *k, const char *file,
			 const char *bnum, char *err, size_t errlen)
{
	for (int i = 0; i < k->n; i++) {
		char msg[1024], l[40], r2[40];
		const char *p[7] = { bnum, c->school_code, k->period[i], s->name, msg, l, r2 };
		PGresult *r;
		snprintf(msg, sizeof msg, "%s would shrink its slice by more than max_shrink %.15g: %s; held back until "
			 "accepted (vqr run --accept-shrink)", file, s->max_shrink, k->msg[i]);
		snprintf(l, sizeof l, "%.15g", k->before[i]);
		snprintf(r2, sizeof r2, "%.15g", k->after[i]);
		r = db_query(d,
			     "INSERT INTO vqr.finding (batch_id, school_code, period, source_code, check_code, severity, "
			     "message, left_value, right_value) VALUES ($1, $2, $3, $4, 'slice_shrink', 'error', $5, $6, $7)",
			     7, p, err, errlen);
		if (!r)
			return -1;
		PQclear(r);
	}
	return 0;
}

/* Load the batch staged in dir.  reprocess: the file was loaded before
 * (its sha256 is in vqr.source_file) and is computed again with the
 * current catalog: its file record is reused, its rejects and rows are
 * replaced, it joins its slices' files (slice_file) rather than resetting
 * them, and no shrink holds it back. */
static int load(db *d, const cfg *c, const cfg_source *s, manifest *m, const char *dir,
		const char *label, int dry_run, int accept_shrink, int follow, int reprocess, result *out,
		char *err, size_t errlen)
{
	PGresult *r;
	char path[4200], suffix[64], ms_e[32], ms_t[32], num[7][32];
	char *periods, *cov[4] = { NULL, NULL, NULL, NULL };
	const char *p[20];
	long long file_id = 0, nmissing;
	shrink held;
	int rc = -1, rls, guarded;
	derive *dv = NULL;

	memset(out, 0, sizeof *out);
	held.n = 0;
	held.text[0] = '\0';
	if (follow && (rc = follow_first(d, c, s, m, dir, label, out, &file_id, err, errlen)) < 0)
		return rc;
	rc = -1;
	if (!(periods = periods_array(m)) || coverage_arrays(m, cov) < 0) {
		snprintf(err, errlen, "out of memory");
		goto rollback;
	}
	if (!follow && begin_locked(d, c, err, errlen) < 0)
		goto done;
	p[0] = c->school_code;
	p[1] = m->sha256;
	r = db_query(d,
		     "SELECT f.batch_id, to_char(f.loaded_at, 'YYYY-MM-DD HH24:MI:SS'), f.file_id FROM vqr.source_file f "
		     "WHERE f.school_code = $1 AND f.sha256 = $2",
		     2, p, err, errlen);
	if (!r)
		goto rollback;
	if (reprocess) {
		if (!PQntuples(r)) {
			snprintf(err, errlen, "%s: --reprocess: %s (sha256 %s) is not loaded", dir, m->file_name,
				 m->sha256);
			PQclear(r);
			goto rollback;
		}
		file_id = atoll(PQgetvalue(r, 0, 2));
		accept_shrink = 1;
	} else if (PQntuples(r)) {
		snprintf(out->skipped_by, sizeof out->skipped_by, "batch %s at %s", PQgetvalue(r, 0, 0),
			 PQgetvalue(r, 0, 1));
		PQclear(r);
		rc = db_exec(d, "ROLLBACK", err, errlen);
		goto done;
	}
	PQclear(r);
	if ((guarded = catalog_guarded(d, err, errlen)) < 0 || (!follow && sync_catalog(d, c, s, guarded, err, errlen) < 0))
		goto rollback;
	for (size_t i = 0; i < m->nperiods; i++) {
		period_type pt;
		long first, last;
		char f[16], l[16];
		int y, mo, dd;
		if (period_bounds(m->periods[i], &pt, &first, &last) < 0) {
			snprintf(err, errlen, "%s/manifest.yaml: \"%s\" is not a period label", dir, m->periods[i]);
			goto rollback;
		}
		val_days_to_ymd(first, &y, &mo, &dd);
		snprintf(f, sizeof f, "%04d-%02d-%02d", y, mo, dd);
		val_days_to_ymd(last, &y, &mo, &dd);
		snprintf(l, sizeof l, "%04d-%02d-%02d", y, mo, dd);
		p[0] = m->periods[i];
		p[1] = period_type_name(pt);
		p[2] = f;
		p[3] = l;
		r = db_query(d,
			     guarded ? "SELECT vqr.catalog_add_period($1, $2, $3::date, $4::date)"
				     : "INSERT INTO vqr.period (period, period_type, start_date, end_date) "
				       "VALUES ($1, $2, $3, $4) ON CONFLICT (period) DO NOTHING",
			     4, p, err, errlen);
		if (!r)
			goto rollback;
		PQclear(r);
	}
	if (!follow && insert_batch(d, c, s, label, out, err, errlen) < 0)
		goto rollback;
	/* A blocking check rolls back to here: the batch stays, with its findings.
	 * (--follow took it in follow_first, before the rows.) */
	if (!follow && db_exec(d, "SAVEPOINT vqr_slice", err, errlen) < 0)
		goto rollback;
	snprintf(num[6], sizeof num[6], "%lld", file_id);
	snprintf(num[0], sizeof num[0], "%lld", out->batch_id);
	snprintf(num[1], sizeof num[1], "%lld", m->size);
	snprintf(num[2], sizeof num[2], "%lld", m->rows_read);
	snprintf(num[3], sizeof num[3], "%lld", m->rows_loaded);
	snprintf(num[4], sizeof num[4], "%lld", m->rows_rejected);
	snprintf(num[5], sizeof num[5], "%lld", m->rows_skipped);
	snprintf(ms_e, sizeof ms_e, "%lld", m->extract_ms);
	snprintf(ms_t, sizeof ms_t, "%lld", m->transform_ms);
	{
		char hl[32];
		snprintf(hl, sizeof hl, "%lld", m->header_line);
		const char *q[] = { num[0], c->school_code, s->name, m->file_name, m->sha256, num[1],
				    m->encoding, hl, num[2], num[3], num[4], num[5], periods, ms_e, ms_t,
				    file_id ? num[6] : NULL, cov[0], cov[1], cov[2], cov[3] };
		/* A file id is taken ahead (--follow) when the rows came first;
		 * a reprocessed file keeps its record, now of this batch. */
		r = reprocess ? db_query(d,
			     "UPDATE vqr.source_file SET batch_id = $1, file_name = $4, size_bytes = $6, encoding = $7, "
			     "header_line = $8, rows_read = $9, rows_loaded = $10, rows_rejected = $11, rows_skipped = $12, "
			     "periods = $13, extract_ms = $14, transform_ms = $15, unmapped_headers = $17, "
			     "unmapped_hints = $18, missing_fields = $19, skipped_indicators = $20, loaded_at = now() "
			     "WHERE file_id = $16::bigint AND school_code = $2 AND source_code = $3 AND sha256 = $5 "
			     "RETURNING file_id",
			     20, q, err, errlen) : db_query(d,
			     "INSERT INTO vqr.source_file (file_id, batch_id, school_code, source_code, file_name, sha256, "
			     "size_bytes, encoding, header_line, rows_read, rows_loaded, rows_rejected, rows_skipped, "
			     "periods, extract_ms, transform_ms, unmapped_headers, unmapped_hints, missing_fields, "
			     "skipped_indicators) OVERRIDING SYSTEM VALUE "
			     "VALUES (coalesce($16::bigint, nextval(pg_get_serial_sequence('vqr.source_file', 'file_id'))), "
			     "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$17,$18,$19,$20) RETURNING file_id",
			     20, q, err, errlen);
	}
	if (!r)
		goto rollback;
	file_id = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	p[0] = c->school_code;
	p[1] = s->name;
	p[2] = periods;
	if (dry_run) {
		r = db_query(d,
			     "CREATE TEMP TABLE vqr_dry_old ON COMMIT DROP AS "
			     "SELECT period, indicator_code, breakdown, value FROM vqr.indicator_value "
			     "WHERE school_code = $1 AND source_code = $2 AND period = ANY($3::text[])",
			     3, p, err, errlen);
		if (!r)
			goto rollback;
		PQclear(r);
	}
	p[3] = num[0];
	r = db_query(d,
		     "WITH gone AS (DELETE FROM vqr.indicator_value WHERE school_code = $1 AND source_code = $2 "
		     "AND period = ANY($3::text[]) RETURNING *) "
		     "INSERT INTO vqr.indicator_value_history SELECT gone.*, $4::bigint FROM gone",
		     4, p, err, errlen);
	if (!r)
		goto rollback;
	out->replaced = atoll(PQcmdTuples(r));
	PQclear(r);
	snprintf(suffix, sizeof suffix, "\t%lld\t%lld", out->batch_id, file_id);
	snprintf(path, sizeof path, "%s/indicators.gz", dir);
	if (!(r = db_query(d, "SELECT row_security_active('vqr.indicator_value')", 0, NULL, err, errlen)))
		goto rollback;
	rls = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (load_table(d, "vqr.indicator_value", STAGE_INDICATOR_COPY_COLUMNS,
		       rls, path, 0, suffix, &out->values, err, errlen) < 0)
		goto rollback;
	snprintf(suffix, sizeof suffix, "\t%lld", file_id);
	if (reprocess) {
		/* its rejects and canonical rows are made again */
		const char *fp[1] = { num[6] };
		if (!(r = db_query(d, "DELETE FROM vqr.reject WHERE file_id = $1::bigint", 1, fp, err, errlen)))
			goto rollback;
		PQclear(r);
		if (s->load_rows && rowload_forget(d, s, file_id, err, errlen) < 0)
			goto rollback;
	}
	snprintf(path, sizeof path, "%s/rejects.tsv", dir);
	if (load_table(d, "vqr.reject", STAGE_REJECT_COPY_COLUMNS,
		       rls, path, 1, suffix, &out->rejects, err, errlen) < 0)
		goto rollback;
	/* A replacing file's rows replace its slices' rows; a supplement's
	 * (or a reprocessed file's) join those of the slices' other files. */
	if (s->load_rows && ((!follow && rowload_copy(d, c, s, dir, file_id, 0, &out->rows, err, errlen) < 0) ||
			     (!reprocess && !cfg_is_supplement(s, m->file_name) &&
			      rowload_replace(d, c, s, file_id, periods, err, errlen) < 0)))
		goto rollback;
	if (s->load_rows && m->rows_staged >= 0 && out->rows != m->rows_staged) {
		/* rows.tsv is not synced: a crash can leave it short */
		snprintf(err, errlen, "%s/rows.tsv: %lld rows, but vqr-extract staged %lld (manifest.yaml: "
			 "rows_staged): the file is incomplete\nhint: extract the export again", dir, out->rows,
			 m->rows_staged);
		goto rollback;
	}
	snprintf(path, sizeof path, "%s/rejects_transform.tsv", dir);
	if (access(path, F_OK) == 0) {
		long long more;
		if (load_table(d, "vqr.reject", STAGE_REJECT_COPY_COLUMNS,
			       rls, path, 1, suffix, &more, err, errlen) < 0)
			goto rollback;
		out->rejects += more;
	}
	snprintf(num[6], sizeof num[6], "%lld", file_id);
	{
		int supplement = reprocess || cfg_is_supplement(s, m->file_name);
		long long old_rows, old_files;
		if (slice_files(d, c, s, periods, num[6], num[0], supplement, &old_rows, &old_files, err, errlen) < 0)
			goto rollback;
		if (!supplement && !accept_shrink && s->max_shrink < 1 &&
		    shrink_check(d, c, s, m, periods, num[0], old_rows, &held, err, errlen) < 0)
			goto rollback;
	}
	if (held.n && dry_run) {
		printf("dry run: %s would be held back: it shrinks its slice by more than max_shrink %.15g: %s\n",
		       m->file_name, s->max_shrink, held.text);
		held.n = 0;
	}
	if (held.n) {
		char hpath[4200];
		FILE *hf;
		if (db_exec(d, "ROLLBACK TO SAVEPOINT vqr_slice", err, errlen) < 0 ||
		    shrink_record(d, c, s, &held, m->file_name, num[0], err, errlen) < 0)
			goto rollback;
		p[0] = num[0];
		if (!(r = db_query(d, "UPDATE vqr.batch SET status = 'blocked', finished_at = clock_timestamp() "
				   "WHERE batch_id = $1", 1, p, err, errlen)))
			goto rollback;
		PQclear(r);
		snprintf(hpath, sizeof hpath, "%s/held.txt", dir);
		if (!(hf = fopen(hpath, "w")) || fprintf(hf, "%s\n", held.text) < 0 || fclose(hf) != 0) {
			snprintf(err, errlen, "%s: cannot write: %s", hpath, strerror(errno));
			goto rollback;
		}
		out->held = 1;
		out->values = out->replaced = out->rejects = 0;
		out->checks.errors = held.n;
		if (db_exec(d, "COMMIT", err, errlen) < 0)
			goto done;
		rc = 0;
		goto done;
	}
	if ((nmissing = field_missing_findings(d, c, s, m, periods, num[0], num[6], err, errlen)) < 0)
		goto rollback;
	/* Derived indicators and checks over the periods as they now stand. */
	if (!(dv = derive_run(d, c, c->school_code, periods, out->batch_id, &out->checks, err, errlen)))
		goto rollback;
	out->checks.warnings += nmissing;
	if (out->checks.blocked && !dry_run) {
		if (db_exec(d, "ROLLBACK TO SAVEPOINT vqr_slice", err, errlen) < 0 ||
		    derive_record(d, dv, c->school_code, periods, out->batch_id, 0, err, errlen) < 0)
			goto rollback;
		p[0] = num[0];
		if (!(r = db_query(d, "UPDATE vqr.batch SET status = 'blocked', finished_at = clock_timestamp() "
				   "WHERE batch_id = $1", 1, p, err, errlen)))
			goto rollback;
		PQclear(r);
		out->values = out->replaced = out->rejects = 0;
		if (db_exec(d, "COMMIT", err, errlen) < 0)
			goto done;
		rc = 0;
		goto done;
	}
	if (derive_record(d, dv, c->school_code, periods, out->batch_id, file_id, err, errlen) < 0)
		goto rollback;
	if (dry_run) {
		if (report_changes(d, m, out->batch_id, out, err, errlen) < 0)
			goto rollback;
		rc = db_exec(d, "ROLLBACK", err, errlen);
		goto done;
	}
	p[0] = num[0];
	if (!(r = db_query(d, "UPDATE vqr.batch SET status = 'loaded', finished_at = clock_timestamp() "
			   "WHERE batch_id = $1", 1, p, err, errlen)))
		goto rollback;
	PQclear(r);
	if (db_exec(d, "COMMIT", err, errlen) < 0)
		goto done;
	rc = 0;
	goto done;
rollback:
	{
		char e2[256];
		db_exec(d, "ROLLBACK", e2, sizeof e2);
	}
done:
	derive_free(dv);
	free(periods);
	for (int i = 0; i < 4; i++)
		free(cov[i]);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "database", required_argument, NULL, 'd' },
		{ "label", required_argument, NULL, 'l' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "accept-shrink", no_argument, NULL, 'a' },
		{ "reprocess", no_argument, NULL, 'R' },
		{ "follow", required_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config = NULL, *database = NULL, *label = NULL, *dir, *follow = NULL;
	int dry_run = 0, accept_shrink = 0, reprocess = 0;
	char err[4096];
	manifest m = { 0 };
	const cfg_source *s;
	result res;
	db d = { 0 };
	cfg *c;
	int ch, rc, status = EXIT_OK;

	log_init("vqr-load");
	cli_init_process();
	while ((ch = getopt_long(argc, argv, "c:d:l:naRf:vL:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'd': database = optarg; break;
		case 'l': label = optarg; break;
		case 'n': dry_run = 1; break;
		case 'a': accept_shrink = 1; break;
		case 'R': reprocess = 1; break;
		case 'f': follow = optarg; break;
		default:
			if ((rc = cli_std_option(ch, optarg, "vqr-load", usage)) != CLI_GO_ON)
				return rc == CLI_NOT_MINE ? EXIT_USAGE : rc;
		}
	}
	if ((rc = cli_one_operand(argc, argv, optind, "vqr-load", "staging directory")))
		return rc;
	dir = argv[optind];
	if (!label)
		label = cli_basename(dir);
	config = cli_config_path(config);
	if (!(c = cfg_load(config, err, sizeof err))) {
		log_error_text(err);
		return EXIT_USAGE;
	}
	if (follow && !(s = cfg_source_find(c, follow))) {
		log_error("--follow %s: no such source in %s", follow, config);
		status = EXIT_USAGE;
		goto out;
	}
	if (!follow && (status = stage_open(dir, c, config, &m, &s)))
		goto out;
	if (!follow && m.indicators < 0) {
		log_error("%s: not transformed yet", dir);
		log_hint("run \"vqr-transform %s\" first", dir);
		status = EXIT_USAGE;
		goto out;
	}
	if (!database && getenv("VQR_DATABASE") && *getenv("VQR_DATABASE"))
		database = getenv("VQR_DATABASE");
	if (db_open(&d, c, database, NULL, err, sizeof err) < 0) {
		log_error_text(err);
		status = EXIT_DB;
		goto out;
	}
	if (migrate_check(&d, err, sizeof err) < 0) {
		log_error_text(err);
		status = EXIT_DB;
		goto out;
	}
	if ((rc = load(&d, c, s, &m, dir, label, dry_run, accept_shrink, follow != NULL, reprocess, &res, err,
		       sizeof err)) == -2) {
		status = EXIT_REJECTED;         /* --follow: the extract gave the file up, and says why */
		goto out;
	}
	if (rc < 0) {
		log_error("%s: load rolled back, the database is unchanged", dir);
		log_error_text(err);
		log_detail("%s", d.where);
		status = EXIT_DB;
		goto out;
	}
	if (dry_run && !res.skipped_by[0])
		goto out;
	if (res.skipped_by[0]) {
		log_info("%s: %s is already loaded (%s): nothing to do", dir, m.file_name, res.skipped_by);
	} else if (res.held) {
		log_error("%s: batch %lld held back: %s would shrink its slice by more than max_shrink %g; nothing of it "
			  "was loaded", dir, res.batch_id, m.file_name, s->max_shrink);
		log_detail("see %s/held.txt and SELECT * FROM vqr.v_finding WHERE check_code = 'slice_shrink'", dir);
		log_hint("if the smaller export is right, load it with --accept-shrink (vqr run --accept-shrink %s)",
			 m.file_name);
		status = EXIT_REJECTED;
	} else if (res.checks.blocked) {
		log_error("%s: batch %lld blocked: a check with block: true failed; nothing of %s was loaded", dir,
			  res.batch_id, m.file_name);
		log_detail("%s", res.checks.blocked_by);
		log_hint("see SELECT * FROM vqr.v_finding; correct the export, or the check, and load again");
		status = EXIT_REJECTED;
	} else {
		log_info("%s: batch %lld: %lld indicator values (%lld replaced), %lld rejects, %lld derived, "
			 "%lld checked: %lld errors, %lld warnings", dir, res.batch_id, res.values, res.replaced,
			 res.rejects, res.checks.derived, res.checks.checked, res.checks.errors, res.checks.warnings);
		if (s->load_rows)
			log_info("%s: %lld canonical rows into vqr_rows.%s", dir, res.rows, s->name);
	}
	{
		stage_result sr = { res.skipped_by[0] ? STAGE_SKIPPED : res.held ? STAGE_HELD
					: res.checks.blocked ? STAGE_BLOCKED : STAGE_LOADED,
				    res.batch_id, res.values, res.replaced, res.rejects, res.checks.errors,
				    res.checks.warnings };
		stage_result_print(stdout, &sr);
	}
out:
	db_close(&d, 1);
	manifest_clear(&m);
	cfg_free(c);
	return cli_finish_stdout(status);
}
