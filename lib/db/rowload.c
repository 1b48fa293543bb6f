/*
 * rowload.c - canonical rows into vqr_rows.<source>; see rowload.h.
 *
 * The column list comes from the header line of rows.tsv (the names
 * vqr-extract staged, _line and _period first), each matched to its field
 * in the configuration for its type, so the COPY column list always
 * follows the file, whatever order or subset the configuration had when
 * it was staged.
 */
#include "lib/db/rowload.h"
#include "lib/db/pgcopy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/staging/rows.h"
#include "lib/staging/stage.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

#define MAXCOLS 1024            /* columns of a rows file */

const char *rowload_sql_type(cfg_ftype t)
{
	switch (t) {
	case CFG_INTEGER: return "bigint";
	case CFG_DECIMAL:
	case CFG_PERCENT: return "numeric";
	case CFG_DATE: return "date";
	case CFG_BOOL: return "boolean";
	case CFG_TEXT:
	case CFG_ENUM: break;
	}
	return "text";
}

/* The columns of rows.tsv, from its header line. */
typedef struct rowcols {
	char *hdr;                      /* the header line, owned, cut into cols */
	char *cols[MAXCOLS];            /* the column names (n), in hdr */
	char *q[MAXCOLS];               /* from 2: the names quoted (PQescapeIdentifier's) */
	const cfg_field *f[MAXCOLS];    /* from 2: each column's field */
	int n;                          /* how many; the first two are _line and _period */
} rowcols;

static void rowcols_free(rowcols *rc)
{
	for (int i = 2; i < rc->n; i++)
		PQfreemem(rc->q[i]);
	free(rc->hdr);
}

/* Read the header line (line, hlen bytes) of rows file path of source s
 * into rc.  0, or -1 with err set. */
static int read_header(db *d, const cfg_source *s, const char *path, const char *line, size_t hlen, rowcols *rc,
		       char *err, size_t errlen)
{
	rc->hdr = xstrndup(line, hlen);
	for (char *t = rc->hdr, *e; t; t = e ? e + 1 : NULL) {
		if (rc->n == MAXCOLS)
			return err_set(err, errlen, "%s: too many columns for vqr_rows", path);
		if ((e = strchr(t, '\t')))
			*e = '\0';
		rc->cols[rc->n] = t;
		if (strcmp(t, "_line") && strcmp(t, "_period") && !(rc->f[rc->n] = cfg_field_find(s, t)))
			return err_set(err, errlen, "%s:1: column \"%s\" is not a field of source %s", path, t, s->name);
		rc->q[rc->n] = NULL;
		rc->n++;
	}
	if (rc->n < 2 || strcmp(rc->cols[0], "_line") || strcmp(rc->cols[1], "_period"))
		return err_set(err, errlen, "%s:1: the header line does not start with _line and _period", path);
	for (int i = 2; i < rc->n; i++)
		if (!(rc->q[i] = PQescapeIdentifier(d->conn, rc->cols[i], strlen(rc->cols[i])))) {
			db_error(d, NULL, err, errlen);
			return -1;
		}
	return 0;
}

/* "vqr_rows.<source>", quoted: a new string (*table), 0; or -1 with err. */
static int table_name(db *d, const cfg_source *s, char **table, char *err, size_t errlen)
{
	char *esc = PQescapeIdentifier(d->conn, s->name, strlen(s->name));

	if (!esc) {
		db_error(d, NULL, err, errlen);
		return -1;
	}
	*table = xasprintf("vqr_rows.%s", esc);
	PQfreemem(esc);
	return 0;
}

/* The table, widened by fields new since it was made. */
static int create_table(db *d, const char *table, const rowcols *rc, char *err, size_t errlen)
{
	str sql = STR_INIT;
	int k;

	str_addf(&sql, "CREATE TABLE IF NOT EXISTS %s (school_code text NOT NULL, period text NOT NULL, "
		 "file_id bigint NOT NULL, line bigint NOT NULL", table);
	for (int i = 2; i < rc->n; i++)
		str_addf(&sql, ", %s %s", rc->q[i], rowload_sql_type(rc->f[i]->type));
	str_add(&sql, ")");
	for (int i = 2; i < rc->n; i++)
		str_addf(&sql, "; ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s", table, rc->q[i],
			 rowload_sql_type(rc->f[i]->type));
	k = db_exec(d, "SET LOCAL client_min_messages = warning", err, errlen) < 0 ||
	    db_exec(d, str_cstr(&sql), err, errlen) < 0 ? -1 : 0;
	str_free(&sql);
	return k;
}

/* Append "; COMMENT ON what IS 'text'" to sql (no "; " when it is the
 * first statement), text quoted by PQescapeLiteral.  0, or -1 with err
 * set. */
static int add_comment(db *d, str *sql, const char *what, const char *text, char *err, size_t errlen)
{
	char *lit = PQescapeLiteral(d->conn, text, strlen(text));

	if (!lit) {
		db_error(d, NULL, err, errlen);
		return -1;
	}
	str_addf(sql, "%sCOMMENT ON %s IS %s", sql->len ? "; " : "", what, lit);
	PQfreemem(lit);
	return 0;
}

/* The comments analysts read with \d+: configuration text, quoted as
 * literals. */
static int comment_table(db *d, const cfg_source *s, const char *table, const rowcols *rc, char *err,
			 size_t errlen)
{
	static const char *const fixed[][2] = {
		{ "school_code", "学校代码 / school" },
		{ "period", "统计期 / period of the row" },
		{ "file_id", "文件号 / vqr.source_file it came from" },
		{ "line", "行号 / line in that file" },
	};
	const char *zh = s->name_zh ? s->name_zh : s->name, *en = s->name_en ? s->name_en : s->name;
	char *text = xasprintf("明细行 / canonical rows of %s (%s), one per loaded row; replaced with its slice "
			       "(school, period)", zh, en), *what = xasprintf("TABLE %s", table);
	str sql = STR_INIT;
	int k = add_comment(d, &sql, what, text, err, errlen);

	for (size_t i = 0; k == 0 && i < sizeof fixed / sizeof fixed[0]; i++) {
		free(what);
		what = xasprintf("COLUMN %s.%s", table, fixed[i][0]);
		k = add_comment(d, &sql, what, fixed[i][1], err, errlen);
	}
	for (int i = 2; k == 0 && i < rc->n; i++) {
		if (!rc->f[i]->header)
			continue;
		free(what);
		what = xasprintf("COLUMN %s.%s", table, rc->q[i]);
		k = add_comment(d, &sql, what, rc->f[i]->header, err, errlen);
	}
	if (k == 0)
		k = db_exec(d, str_cstr(&sql), err, errlen);
	free(text);
	free(what);
	str_free(&sql);
	return k;
}

/* The file's rows come in (rowload_replace removes the old ones), each
 * with its school and file id. */
static int copy_rows(db *d, const cfg *c, const char *table, const rowcols *rc, rows_reader *r, long long file_id,
		     long long *nrows, char *err, size_t errlen)
{
	str sql = STR_INIT, suffix = STR_INIT;
	int k;

	str_addf(&sql, "COPY %s (line, period", table);
	for (int i = 2; i < rc->n; i++)
		str_addf(&sql, ", %s", rc->q[i]);
	str_add(&sql, ", school_code, file_id) FROM STDIN");
	str_addc(&suffix, '\t');
	pgcopy_add_escaped(&suffix, c->school_code);
	str_addf(&suffix, "\t%lld", file_id);
	k = pgcopy_start(d, str_cstr(&sql), err, errlen) < 0 ? -1
		: pgcopy_stream(d, r, 0, str_cstr(&suffix), nrows, err, errlen);
	str_free(&sql);
	str_free(&suffix);
	return k;
}

int rowload_copy(db *d, const cfg *c, const cfg_source *s, const char *dir, long long file_id, int follow,
		 long long *nrows, char *err, size_t errlen)
{
	char *path = stage_path(dir, STAGE_ROWS), *mpath = stage_path(dir, STAGE_MANIFEST), *table = NULL;
	rowcols *rc = xcalloc(1, sizeof *rc);
	const char *line;
	rows_reader *r;
	size_t hlen;
	int k = -1;

	*nrows = 0;
	if (!(r = follow ? rows_follow(path, mpath, err, errlen) : rows_open(path, err, errlen)))
		goto out;
	if (!(line = rows_next_raw(r, &hlen)))
		err_set(err, errlen, "%s: %s", path, rows_error(r)[0] ? rows_error(r) : "empty: no header line");
	else if (read_header(d, s, path, line, hlen, rc, err, errlen) == 0 &&
		 table_name(d, s, &table, err, errlen) == 0 && create_table(d, table, rc, err, errlen) == 0 &&
		 comment_table(d, s, table, rc, err, errlen) == 0)
		k = copy_rows(d, c, table, rc, r, file_id, nrows, err, errlen);
	rows_close(r);
out:
	rowcols_free(rc);
	free(rc);
	free(table);
	free(path);
	free(mpath);
	return k;
}

/* Delete rows of vqr_rows.<s->name> (where: the condition, over the n
 * parameters p).  0, or -1 with err set. */
static int delete_rows(db *d, const cfg_source *s, const char *where, int n, const char *const *p, char *err,
		       size_t errlen)
{
	char *table, *sql;
	PGresult *res;

	if (table_name(d, s, &table, err, errlen) < 0)
		return -1;
	sql = xasprintf("DELETE FROM %s WHERE %s", table, where);
	res = db_query(d, sql, n, p, err, errlen);
	free(sql);
	free(table);
	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

int rowload_forget(db *d, const cfg_source *s, long long file_id, char *err, size_t errlen)
{
	char num[32];
	const char *p[1] = { num };

	snprintf(num, sizeof num, "%lld", file_id);
	return delete_rows(d, s, "file_id = $1::bigint", 1, p, err, errlen);
}

int rowload_replace(db *d, const cfg *c, const cfg_source *s, long long file_id, const char *periods,
		    char *err, size_t errlen)
{
	char num[32];
	const char *p[3] = { c->school_code, periods, num };

	snprintf(num, sizeof num, "%lld", file_id);
	return delete_rows(d, s, "school_code = $1 AND period = ANY($2::text[]) AND file_id <> $3", 3, p, err,
			   errlen);
}
