/*
 * load_file.c - vqr-load's records of the file and its slices; see
 * load_file.h.
 */
#include "stages/load/load_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/db/db.h"
#include "lib/util/err.h"

/* Run sql with params on d and put the number in column col of its first
 * row (col -1: the number of rows it changed) into *v.  0, or -1 with
 * err. */
static int query_number(db *d, const char *sql, int nparams, const char *const *params, int col, long long *v,
			char *err, size_t errlen)
{
	PGresult *r = db_query(d, sql, nparams, params, err, errlen);

	if (!r)
		return -1;
	*v = atoll(col < 0 ? PQcmdTuples(r) : PQgetvalue(r, 0, col));
	PQclear(r);
	return 0;
}

/* The file's column coverage as four text[] literals for vqr.source_file
 * (unmapped headers, their hints, missing fields, skipped indicators),
 * each the caller's to free. */
static void coverage_arrays(const manifest *m, char *arr[4])
{
	arr[0] = db_text_array(m->unmapped.v, m->unmapped.n);
	arr[1] = db_text_array(m->unmapped_hint.v, m->unmapped_hint.n);
	arr[2] = db_text_array(m->missing.v, m->missing.n);
	arr[3] = db_text_array(m->skipped.v, m->skipped.n);
}

/* A reprocessed file keeps its record, now of this batch. */
#define UPDATE_FILE \
	"UPDATE vqr.source_file SET batch_id = $1, file_name = $4, size_bytes = $6, encoding = $7, " \
	"header_line = $8, rows_read = $9, rows_loaded = $10, rows_rejected = $11, rows_skipped = $12, " \
	"periods = $13, extract_ms = $14, transform_ms = $15, unmapped_headers = $17, " \
	"unmapped_hints = $18, missing_fields = $19, skipped_indicators = $20, loaded_at = now() " \
	"WHERE file_id = $16::bigint AND school_code = $2 AND source_code = $3 AND sha256 = $5 " \
	"RETURNING file_id"
/* A file id is taken ahead (--follow) when the rows came first. */
#define INSERT_FILE \
	"INSERT INTO vqr.source_file (file_id, batch_id, school_code, source_code, file_name, sha256, " \
	"size_bytes, encoding, header_line, rows_read, rows_loaded, rows_rejected, rows_skipped, " \
	"periods, extract_ms, transform_ms, unmapped_headers, unmapped_hints, missing_fields, " \
	"skipped_indicators) OVERRIDING SYSTEM VALUE " \
	"VALUES (coalesce($16::bigint, nextval(pg_get_serial_sequence('vqr.source_file', 'file_id'))), " \
	"$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$17,$18,$19,$20) RETURNING file_id"

int load_record_file(db *d, const cfg *c, const cfg_source *s, const manifest *m, const char *periods,
		     const char *bnum, int reprocess, long long *file_id, char *err, size_t errlen)
{
	long long nv[9] = { m->size, m->header_line, m->rows_read, m->rows_loaded, m->rows_rejected,
			    m->rows_skipped, m->extract_ms, m->transform_ms, *file_id };
	char num[9][32], *cov[4];
	int rc;

	coverage_arrays(m, cov);
	for (int i = 0; i < 9; i++)
		snprintf(num[i], sizeof num[i], "%lld", nv[i]);
	{
		const char *q[] = { bnum, c->school_code, s->name, m->file_name, m->sha256, num[0],
				    m->encoding, num[1], num[2], num[3], num[4], num[5], periods, num[6], num[7],
				    *file_id ? num[8] : NULL, cov[0], cov[1], cov[2], cov[3] };
		rc = query_number(d, reprocess ? UPDATE_FILE : INSERT_FILE, 20, q, 0, file_id, err, errlen);
	}
	for (int i = 0; i < 4; i++)
		free(cov[i]);
	return rc;
}

/* One row of vqr.source_file_sheet: sheet number no, named name, read
 * as the part m (NULL: unmatched). */
static int record_sheet(db *d, const char *fnum, size_t no, const char *name, const manifest *m, char *err,
			size_t errlen)
{
	char num[6][32], *periods = m ? db_text_array(m->periods, m->nperiods) : NULL;
	long long nv[5] = { m ? m->header_line : 0, m ? m->rows_read : 0, m ? m->rows_loaded : 0,
			    m ? m->rows_rejected : 0, m ? m->rows_skipped : 0 };
	int rc;

	snprintf(num[0], sizeof num[0], "%zu", no);
	for (int i = 0; i < 5; i++)
		snprintf(num[i + 1], sizeof num[i + 1], "%lld", nv[i]);
	{
		const char *p[11] = { fnum, num[0], name, m ? m->source : NULL, m ? "loaded" : "unmatched",
				      m ? num[1] : NULL, m ? num[2] : NULL, m ? num[3] : NULL, m ? num[4] : NULL,
				      m ? num[5] : NULL, periods };
		rc = db_run(d,
			    "INSERT INTO vqr.source_file_sheet (file_id, sheet_no, sheet_name, source_code, status, "
			    "header_line, rows_read, rows_loaded, rows_rejected, rows_skipped, periods) "
			    "VALUES ($1::bigint, $2::integer, $3, $4, $5, $6::integer, $7::bigint, $8::bigint, "
			    "$9::bigint, $10::bigint, $11::text[])", 11, p, err, errlen);
	}
	free(periods);
	return rc;
}

int load_record_sheets(db *d, manifest *const *ms, size_t n, const char *fnum, char *err, size_t errlen)
{
	const manifest_list *all = &ms[0]->sheets;
	const char *p[1] = { fnum };
	size_t no = 0;

	if (db_run(d, "DELETE FROM vqr.source_file_sheet WHERE file_id = $1::bigint", 1, p, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < all->n; i++) {
		const manifest *m = NULL;
		for (size_t k = 0; !m && k < n; k++)
			if (ms[k]->sheet && strcmp(ms[k]->sheet, all->v[i]) == 0)
				m = ms[k];
		if (record_sheet(d, fnum, ++no, all->v[i], m, err, errlen) < 0)
			return -1;
	}
	for (size_t k = 0; k < n; k++) {        /* a part whose sheet the list does not have as written */
		size_t i = 0;
		while (i < all->n && strcmp(ms[k]->sheet, all->v[i]) != 0)
			i++;
		if (i == all->n && record_sheet(d, fnum, ++no, ms[k]->sheet, ms[k], err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* A dry run keeps the slices' values for load_report_changes (those of
 * every part of a workbook, each part adding its own). */
#define MAKE_DRY_OLD \
	"CREATE TEMP TABLE IF NOT EXISTS vqr_dry_old (period text, indicator_code text, breakdown jsonb, " \
	"value numeric) ON COMMIT DROP"
#define KEEP_DRY_OLD \
	"INSERT INTO vqr_dry_old SELECT period, indicator_code, breakdown, value FROM vqr.indicator_value " \
	"WHERE school_code = $1 AND source_code = $2 AND period = ANY($3::text[])"

int load_replace_values(db *d, const cfg *c, const cfg_source *s, const char *periods, const char *bnum,
			int dry_run, long long *replaced, char *err, size_t errlen)
{
	const char *p[4] = { c->school_code, s->name, periods, bnum };

	if (dry_run && (db_exec(d, MAKE_DRY_OLD, err, errlen) < 0 || db_run(d, KEEP_DRY_OLD, 3, p, err, errlen) < 0))
		return -1;
	return query_number(d,
			    "WITH gone AS (DELETE FROM vqr.indicator_value WHERE school_code = $1 AND source_code = $2 "
			    "AND period = ANY($3::text[]) RETURNING *) "
			    "INSERT INTO vqr.indicator_value_history SELECT gone.*, $4::bigint FROM gone",
			    4, p, -1, replaced, err, errlen);
}

int load_slice_files(db *d, const cfg *c, const cfg_source *s, const char *periods, const char *fnum,
		     const char *bnum, int supplement, long long *old_rows, char *err, size_t errlen)
{
	const char *p[5] = { c->school_code, s->name, periods, fnum, bnum };
	const char *g[4] = { c->school_code, s->name, periods, bnum };

	*old_rows = 0;
	if (!supplement &&
	    query_number(d,
			 "WITH gone AS (DELETE FROM vqr.slice_file WHERE school_code = $1 AND source_code = $2 "
			 "AND period = ANY($3::text[]) RETURNING *), "
			 "kept AS (INSERT INTO vqr.slice_file_history (school_code, source_code, period, file_id, "
			 "  added_by, superseded_by) SELECT school_code, source_code, period, file_id, added_by, "
			 "  $4::bigint FROM gone) "
			 "SELECT coalesce(sum(rows_loaded), 0), count(*) FROM vqr.source_file "
			 "WHERE file_id IN (SELECT file_id FROM gone)",
			 4, g, 0, old_rows, err, errlen) < 0)
		return -1;
	if (db_run(d,
		     "INSERT INTO vqr.slice_file (school_code, source_code, period, file_id, added_by) "
		     "SELECT $1, $2, p, $4::bigint, $5::bigint FROM unnest($3::text[]) p ON CONFLICT DO NOTHING",
		     5, p, err, errlen) < 0)
		return -1;
	return 0;
}

int load_report_changes(db *d, const manifest *m, const char *bnum, long long values, long long replaced,
			char *err, size_t errlen)
{
	const char *p[1] = { bnum };
	PGresult *r;
	int n, shown;

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
	       m->rows_rejected, values);
	for (size_t i = 0; i < m->nperiods; i++)
		printf(" %s", m->periods[i]);
	printf(", replacing %lld; %d would change\n", replaced, n);
	shown = n > 200 ? 200 : n;
	for (int i = 0; i < shown; i++)
		printf("  %s  %s  %s  %s -> %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
		       PQgetvalue(r, i, 3), PQgetvalue(r, i, 4));
	if (n > shown)
		printf("  ... and %d more\n", n - shown);
	PQclear(r);
	return 0;
}
