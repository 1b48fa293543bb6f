/*
 * db.c - PostgreSQL connections and libpq helpers; see db.h.
 */
#include "lib/db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "lib/db/embed.h"
#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

static const char *target(const cfg *c, const char *override)
{
	if (override && *override)
		return override;
	return c ? c->database : NULL;
}

/* The conninfo for target t (malloc'd): a bare word (no '=', not a URI)
 * is a service name. */
static char *expand(const char *t)
{
	if (strchr(t, '=') || strncmp(t, "postgresql://", 13) == 0 ||
	    strncmp(t, "postgres://", 11) == 0)
		return xstrdup(t);
	return xasprintf("service=%s", t);
}

/* Does a "password" keyword start at t + i (not inside a longer word,
 * followed by '=')?  The offset of its value, else 0. */
static size_t password_value(const char *t, size_t i)
{
	size_t j = i + 8;

	if (strncasecmp(t + i, "password", 8) != 0)
		return 0;
	if (i > 0 && (isalnum((unsigned char)t[i - 1]) || t[i - 1] == '_'))
		return 0;
	while (t[j] == ' ' || t[j] == '\t')
		j++;
	if (t[j] != '=')
		return 0;
	j++;
	while (t[j] == ' ' || t[j] == '\t')
		j++;
	return j;
}

/* The end of the value starting at t + j: a quoted conninfo value up to
 * its closing quote, else up to white space (and, in a URI's query, '&'
 * or '#'). */
static size_t value_end(const char *t, size_t j, int in_query)
{
	if (t[j] == '\'') {
		for (j++; t[j] && t[j] != '\''; j++)
			if (t[j] == '\\' && t[j + 1])
				j++;
		return t[j] ? j + 1 : j;
	}
	while (t[j] && !isspace((unsigned char)t[j]) && t[j] != '"' &&
	       !(in_query && (t[j] == '&' || t[j] == '#')))
		j++;
	return j;
}

/* At t + i, "://" starts a URI's authority: copy "://" and the user
 * info to b with its password (what follows the first ':' before the
 * authority's last '@') as "***".  The offset to go on from. */
static size_t mask_userinfo(str *b, const char *t, size_t i)
{
	size_t a = i + 3, end = a, at = 0, colon = 0;

	while (t[end] && !strchr("/?#\"' \t\n", t[end]))
		end++;
	for (size_t k = a; k < end; k++)
		if (t[k] == '@')
			at = k;
	for (size_t k = a; at && k < at && !colon; k++)
		if (t[k] == ':')
			colon = k;
	str_addn(b, t + i, 3);
	if (!colon)
		return a;
	str_addn(b, t + a, colon + 1 - a);
	str_add(b, "***");
	return at;
}

char *db_mask_conninfo(const char *t, char *out, size_t len)
{
	str b = STR_INIT;
	size_t i = 0, j;

	if (!len)
		return out;
	while (t[i]) {
		if ((j = password_value(t, i))) {
			int in_query = i > 0 && (t[i - 1] == '?' || t[i - 1] == '&');
			str_add(&b, "password=***");
			i = value_end(t, j, in_query);
		} else if (strncmp(t + i, "://", 3) == 0) {
			i = mask_userinfo(&b, t, i);
		} else {
			str_addc(&b, t[i++]);
		}
	}
	/* Cut to fit: a cut never reveals more than the whole would. */
	j = b.len < len - 1 ? b.len : len - 1;
	memcpy(out, str_cstr(&b), j);
	out[j] = '\0';
	str_free(&b);
	return out;
}

char *db_conninfo(const db *d, const cfg *c, const char *override, char *buf, size_t len)
{
	const char *t = target(c, override);
	char *s = t ? expand(t) : NULL;

	if (s)
		snprintf(buf, len, "%s", s);
	else if (d && d->conn && d->embedded)
		snprintf(buf, len, "host=%s port=%s user=%s dbname=%s", PQhost(d->conn),
			 PQport(d->conn), PQuser(d->conn), PQdb(d->conn));
	else
		buf[0] = '\0';
	free(s);
	return buf;
}

/* Print text, which may have several lines, as a warning: its first line
 * after "HEAD: ", the others as details. */
static void warn_lines(const char *head, const char *text)
{
	size_t n = strcspn(text, "\n");

	log_warning("%s: %.*s", head, (int)n, text);
	for (text += n; *text == '\n'; text += n) {
		text++;
		n = strcspn(text, "\n");
		if (n)
			log_detail("%.*s", (int)n, text);
	}
}

int db_embed_init(embed_cluster *cl, const cfg *c, char *err, size_t errlen)
{
	if (embed_init(cl, c->embedded_dir, c->embedded_user, c->embedded_port, err, errlen) < 0)
		return -1;
	return embed_set_listen(cl, c->embedded_listen, err, errlen);
}

/* Warn about what the embedded cluster in datadir had to do (its note,
 * "" when nothing). */
static void warn_note(const char *datadir, const char *note)
{
	char *head;

	if (!note[0])
		return;
	head = xasprintf("embedded PostgreSQL in %s", datadir);
	warn_lines(head, note);
	free(head);
}

/* Start the embedded cluster of config c (when not running) and set d up
 * for it; *conninfo receives its conninfo (malloc'd).  0, or -1 with err. */
static int open_embedded(db *d, const cfg *c, void (*info)(const char *msg), char **conninfo,
			 char *err, size_t errlen)
{
	embed_cluster cl;
	char eerr[ERR_MAX];

	if (db_embed_init(&cl, c, eerr, sizeof eerr) < 0 ||
	    embed_start(&cl, eerr, sizeof eerr) < 0)
		return err_set(err, errlen, "embedded PostgreSQL in %s: %s", c->embedded_dir, eerr);
	warn_note(cl.datadir, cl.note);
	d->embedded = 1;
	d->started = cl.started;
	snprintf(d->embedded_dir, sizeof d->embedded_dir, "%s", c->embedded_dir);
	*conninfo = xstrdup(cl.conninfo);
	if (info && cl.initialised) {
		/* once, when it is made: where it is */
		char *msg = xasprintf("created and started embedded PostgreSQL in %s (socket %s)",
				      cl.datadir, cl.sockdir);
		info(msg);
		free(msg);
	} else if (cl.started) {
		/* every run of a cron job: only with -v */
		log_info("started embedded PostgreSQL in %s (socket %s)", cl.datadir, cl.sockdir);
	}
	return 0;
}

/* "cannot connect to ...: why" into err for the failed d->conn, which is
 * closed.  Returns -1. */
static int connect_failed(db *d, const char *conninfo, char *err, size_t errlen)
{
	char shown[8192], why[ERR_MAX];
	size_t n;

	db_mask_conninfo(d->conn ? PQerrorMessage(d->conn) : "out of memory\n", why, sizeof why);
	n = strlen(why);
	while (n && why[n - 1] == '\n')
		why[--n] = '\0';
	err_set(err, errlen, "cannot connect to %s: %s",
		d->embedded ? "the embedded PostgreSQL" : db_mask_conninfo(conninfo, shown, sizeof shown),
		why);
	PQfinish(d->conn);
	d->conn = NULL;
	return -1;
}

int db_open(db *d, const cfg *c, const char *override, void (*info)(const char *msg),
	    char *err, size_t errlen)
{
	const char *t = target(c, override);
	char *conninfo = NULL;
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *vals[] = { NULL, log_progname(), NULL };
	int rc = 0;

	memset(d, 0, sizeof *d);
	if (t)
		conninfo = expand(t);
	else if (open_embedded(d, c, info, &conninfo, err, errlen) < 0)
		return -1;
	vals[0] = conninfo;
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
		rc = connect_failed(d, conninfo, err, errlen);
	} else {
		snprintf(d->where, sizeof d->where, "server %s%s%s, database %s", PQhost(d->conn),
			 PQhost(d->conn)[0] == '/' ? " port " : ":", PQport(d->conn), PQdb(d->conn));
		/* Messages from the server in English, predictable dates. */
		PQclear(PQexec(d->conn, "SET client_min_messages = warning; SET datestyle = 'ISO, YMD'"));
	}
	free(conninfo);
	return rc;
}

void db_close(db *d, int stop_started)
{
	embed_cluster cl;
	char eerr[ERR_MAX];

	if (d->conn)
		PQfinish(d->conn);
	d->conn = NULL;
	if (!stop_started || !d->embedded || !d->started)
		return;
	if (embed_init(&cl, d->embedded_dir, NULL, 0, eerr, sizeof eerr) < 0 ||
	    embed_stop(&cl, eerr, sizeof eerr) < 0)
		warn_lines("could not stop the embedded PostgreSQL", eerr);
	else
		warn_note(cl.datadir, cl.note);
}

void db_error(db *d, const PGresult *res, char *err, size_t errlen)
{
	const char *prim = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	str text = STR_INIT;    /* the message before masking: libpq may quote a conninfo */

	if (!prim) {
		const char *m = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
								  : PQerrorMessage(d->conn);
		size_t n = strlen(m);
		while (n && m[n - 1] == '\n')
			n--;
		str_addn(&text, m, n);
	} else {
		str_add(&text, prim);
		if (detail)
			str_addf(&text, "\ndetail: %s", detail);
		if (hint)
			str_addf(&text, "\nhint: %s", hint);
	}
	db_mask_conninfo(str_cstr(&text), err, errlen);
	str_free(&text);
}

int db_exec(db *d, const char *sql, char *err, size_t errlen)
{
	PGresult *res = PQexec(d->conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		db_error(d, res, err, errlen);
	PQclear(res);
	return ok ? 0 : -1;
}

PGresult *db_query(db *d, const char *sql, int nparams, const char *const *params,
		   char *err, size_t errlen)
{
	PGresult *res = PQexecParams(d->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_error(d, res, err, errlen);
		PQclear(res);
		return NULL;
	}
	return res;
}

int db_run(db *d, const char *sql, int nparams, const char *const *params, char *err,
	   size_t errlen)
{
	PGresult *res = db_query(d, sql, nparams, params, err, errlen);

	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

int db_each(db *d, const char *sql, int nparams, const char *const *params,
	    void (*row)(void *ctx, PGresult *res, int i), void *ctx, char *err, size_t errlen)
{
	PGresult *res = db_query(d, sql, nparams, params, err, errlen);

	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++)
		row(ctx, res, i);
	PQclear(res);
	return 0;
}

void db_array_add(str *b, const char *v)
{
	str_addc(b, b->len ? ',' : '{');
	if (!v) {
		str_add(b, "NULL");
		return;
	}
	str_addc(b, '"');
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			str_addc(b, '\\');
		str_addc(b, *p);
	}
	str_addc(b, '"');
}

const char *db_array_end(str *b)
{
	if (!b->len)
		str_addc(b, '{');
	str_addc(b, '}');
	return str_cstr(b);
}

void db_cols_init(db_cols *r, int n)
{
	memset(r, 0, sizeof *r);
	r->n = n < DB_COLS_MAX ? n : DB_COLS_MAX;
}

void db_cols_add(db_cols *r, const char *const *v)
{
	for (int k = 0; k < r->n; k++)
		db_array_add(&r->col[k], v[k]);
	r->rows++;
}

int db_cols_run(db *d, db_cols *r, const char *sql, char *err, size_t errlen)
{
	const char *p[DB_COLS_MAX];
	int rc;

	for (int k = 0; k < r->n; k++)
		p[k] = db_array_end(&r->col[k]);
	rc = db_run(d, sql, r->n, p, err, errlen);
	for (int k = 0; k < r->n; k++)
		str_free(&r->col[k]);
	return rc;
}

char *db_text_array(char *const *v, size_t n)
{
	str b = STR_INIT;

	for (size_t i = 0; i < n; i++)
		db_array_add(&b, v[i]);
	db_array_end(&b);
	return str_steal(&b);
}

int db_run_bool(db *d, const char *sql, char *err, size_t errlen)
{
	PGresult *r = db_query(d, sql, 0, NULL, err, errlen);
	int b;

	if (!r)
		return -1;
	b = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return b;
}
