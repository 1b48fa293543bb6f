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

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/staging/rows.h"

#define SQLBUF (64 * 1024)      /* statements built here */
#define MAXCOLS 1024

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

/* Append printf output to sql (len used of SQLBUF); -1 when it is full. */
static int add(char *sql, size_t *len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int add(char *sql, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sql + *len, SQLBUF - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= SQLBUF - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

/* Append "; COMMENT ON what IS 'text'" to sql (len used of SQLBUF; no
 * "; " when it is the first statement), text quoted by PQescapeLiteral
 * (its copy freed here).  0, -1 with err set, or -2 when sql is full. */
static int add_comment(db *d, char *sql, size_t *len, const char *what, const char *text, char *err,
		       size_t errlen)
{
	char *lit = PQescapeLiteral(d->conn, text, strlen(text));
	int rc;

	if (!lit) {
		db_error(d, NULL, err, errlen);
		return -1;
	}
	rc = add(sql, len, "%sCOMMENT ON %s IS %s", *len ? "; " : "", what, lit) < 0 ? -2 : 0;
	PQfreemem(lit);
	return rc;
}

/* COPY-text escape of s into out (outlen >= 2 * strlen(s) + 1). */
static void copy_escape(const char *s, char *out)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': *out++ = '\\'; *out++ = '\\'; break;
		case '\t': *out++ = '\\'; *out++ = 't'; break;
		case '\n': *out++ = '\\'; *out++ = 'n'; break;
		case '\r': *out++ = '\\'; *out++ = 'r'; break;
		default: *out++ = *s;
		}
	}
	*out = '\0';
}

int rowload_copy(db *d, const cfg *c, const cfg_source *s, const char *dir, long long file_id, int follow,
		 long long *nrows, char *err, size_t errlen)
{
	char path[4200], mpath[4200], *sql = NULL, *table = NULL, *cols[MAXCOLS], *hdr = NULL, *suffix = NULL;
	char *qcols[MAXCOLS] = { NULL }, *what = NULL, *text = NULL; /* qcols: PQescapeIdentifier's, freed at out */
	const cfg_field *ftype[MAXCOLS];
	size_t len = 0, hlen;
	int ncols = 0, rc = -1, k;
	const char *line;
	rows_reader *r;
	PGresult *res;
	char *esc;

	*nrows = 0;
	snprintf(path, sizeof path, "%s/rows.tsv", dir);
	snprintf(mpath, sizeof mpath, "%s/manifest.yaml", dir);
	if (!(r = follow ? rows_follow(path, mpath, err, errlen) : rows_open(path, err, errlen)))
		return -1;
	if (!(line = rows_next_raw(r, &hlen))) {
		snprintf(err, errlen, "%s: %s", path, rows_error(r)[0] ? rows_error(r) : "empty: no header line");
		goto out;
	}
	if (!(sql = malloc(SQLBUF)) || !(hdr = malloc(hlen + 1)) || !(what = malloc(SQLBUF)) ||
	    !(suffix = malloc(2 * strlen(c->school_code) + 32))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(hdr, line, hlen);
	hdr[hlen] = '\0';
	for (char *t = hdr, *e; t && ncols < MAXCOLS; t = e ? e + 1 : NULL) {
		if ((e = strchr(t, '\t')))
			*e = '\0';
		cols[ncols] = t;
		if (strcmp(t, "_line") && strcmp(t, "_period") && !(ftype[ncols] = cfg_field_find(s, t))) {
			snprintf(err, errlen, "%s:1: column \"%s\" is not a field of source %s", path, t, s->name);
			goto out;
		}
		ncols++;
	}
	for (int i = 2; i < ncols; i++)
		if (!(qcols[i] = PQescapeIdentifier(d->conn, cols[i], strlen(cols[i])))) {
			db_error(d, NULL, err, errlen);
			goto out;
		}
	if (ncols < 2 || strcmp(cols[0], "_line") || strcmp(cols[1], "_period")) {
		snprintf(err, errlen, "%s:1: the header line does not start with _line and _period", path);
		goto out;
	}
	if (!(esc = PQescapeIdentifier(d->conn, s->name, strlen(s->name)))) {
		db_error(d, NULL, err, errlen);
		goto out;
	}
	table = malloc(strlen(esc) + 16);
	if (table)
		sprintf(table, "vqr_rows.%s", esc);
	PQfreemem(esc);
	if (!table) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}

	/* The table, widened by fields new since it was made. */
	if (add(sql, &len, "CREATE TABLE IF NOT EXISTS %s (school_code text NOT NULL, period text NOT NULL, "
		"file_id bigint NOT NULL, line bigint NOT NULL", table) < 0)
		goto toolong;
	for (int i = 2; i < ncols; i++)
		if (add(sql, &len, ", %s %s", qcols[i], rowload_sql_type(ftype[i]->type)) < 0)
			goto toolong;
	if (add(sql, &len, ")") < 0)
		goto toolong;
	for (int i = 2; i < ncols; i++)
		if (add(sql, &len, "; ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s", table, qcols[i],
			rowload_sql_type(ftype[i]->type)) < 0)
			goto toolong;
	if (db_exec(d, "SET LOCAL client_min_messages = warning", err, errlen) < 0 || db_exec(d, sql, err, errlen) < 0)
		goto out;

	/* The comments analysts read with \\d+: configuration text, quoted as literals. */
	len = 0;
	{
		const char *zh = s->name_zh ? s->name_zh : s->name, *en = s->name_en ? s->name_en : s->name;
		static const char *const fixed[][2] = {
			{ "school_code", "学校代码 / school" },
			{ "period", "统计期 / period of the row" },
			{ "file_id", "文件号 / vqr.source_file it came from" },
			{ "line", "行号 / line in that file" },
		};
		if (!(text = malloc(strlen(zh) + strlen(en) + 128))) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		sprintf(text, "明细行 / canonical rows of %s (%s), one per loaded row; replaced with its slice "
			"(school, period)", zh, en);
		snprintf(what, SQLBUF, "TABLE %s", table);
		if ((k = add_comment(d, sql, &len, what, text, err, errlen)) < 0)
			goto comment_failed;
		for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
			snprintf(what, SQLBUF, "COLUMN %s.%s", table, fixed[i][0]);
			if ((k = add_comment(d, sql, &len, what, fixed[i][1], err, errlen)) < 0)
				goto comment_failed;
		}
		for (int i = 2; i < ncols; i++) {
			if (!ftype[i]->header)
				continue;
			snprintf(what, SQLBUF, "COLUMN %s.%s", table, qcols[i]);
			if ((k = add_comment(d, sql, &len, what, ftype[i]->header, err, errlen)) < 0)
				goto comment_failed;
		}
	}
	if (db_exec(d, sql, err, errlen) < 0)
		goto out;

	/* The file's rows come in (rowload_replace removes the old ones). */
	len = 0;
	if (add(sql, &len, "COPY %s (line, period", table) < 0)
		goto toolong;
	for (int i = 2; i < ncols; i++)
		if (add(sql, &len, ", %s", qcols[i]) < 0)
			goto toolong;
	if (add(sql, &len, ", school_code, file_id) FROM STDIN") < 0)
		goto toolong;
	res = PQexec(d->conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		db_error(d, res, err, errlen);
		PQclear(res);
		goto out;
	}
	PQclear(res);
	suffix[0] = '\t';
	copy_escape(c->school_code, suffix + 1);
	sprintf(suffix + strlen(suffix), "\t%lld", file_id);
	rc = pgcopy_stream(d, r, 0, suffix, nrows, err, errlen);
	goto out;
comment_failed:
	if (k == -1)
		goto out;
toolong:
	snprintf(err, errlen, "%s: too many columns for vqr_rows", path);
out:
	for (int i = 2; i < ncols; i++)
		PQfreemem(qcols[i]);
	free(what);
	free(text);
	rows_close(r);
	free(sql);
	free(table);
	free(hdr);
	free(suffix);
	return rc;
}

int rowload_forget(db *d, const cfg_source *s, long long file_id, char *err, size_t errlen)
{
	char sql[512], num[32], *esc;
	const char *p[1] = { num };
	PGresult *res;

	if (!(esc = PQescapeIdentifier(d->conn, s->name, strlen(s->name)))) {
		db_error(d, NULL, err, errlen);
		return -1;
	}
	snprintf(sql, sizeof sql, "DELETE FROM vqr_rows.%s WHERE file_id = $1::bigint", esc);
	PQfreemem(esc);
	snprintf(num, sizeof num, "%lld", file_id);
	if (!(res = db_query(d, sql, 1, p, err, errlen)))
		return -1;
	PQclear(res);
	return 0;
}

int rowload_replace(db *d, const cfg *c, const cfg_source *s, long long file_id, const char *periods,
		    char *err, size_t errlen)
{
	char sql[512], num[32], *esc;
	const char *p[3] = { c->school_code, periods, num };
	PGresult *res;

	if (!(esc = PQescapeIdentifier(d->conn, s->name, strlen(s->name)))) {
		db_error(d, NULL, err, errlen);
		return -1;
	}
	snprintf(sql, sizeof sql, "DELETE FROM vqr_rows.%s WHERE school_code = $1 AND period = ANY($2::text[]) "
		 "AND file_id <> $3", esc);
	PQfreemem(esc);
	snprintf(num, sizeof num, "%lld", file_id);
	if (!(res = db_query(d, sql, 3, p, err, errlen)))
		return -1;
	PQclear(res);
	return 0;
}
