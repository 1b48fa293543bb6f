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
#include "lib/util/log.h"

static const char *target(const cfg *c, const char *override)
{
	if (override && *override)
		return override;
	return c ? c->database : NULL;
}

/* A bare word (no '=', not a URI) is a service name. */
static void expand(const char *t, char *buf, size_t len)
{
	if (strchr(t, '=') || strncmp(t, "postgresql://", 13) == 0 ||
	    strncmp(t, "postgres://", 11) == 0)
		snprintf(buf, len, "%s", t);
	else
		snprintf(buf, len, "service=%s", t);
}

/* Bounded output for db_mask_conninfo. */
typedef struct mbuf {
	char *p;                /* the output (not owned) */
	size_t len, n;          /* its size, bytes written */
} mbuf;

static void mput(mbuf *b, const char *s, size_t k)
{
	for (size_t i = 0; i < k && b->n + 1 < b->len; i++)
		b->p[b->n++] = s[i];
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

char *db_mask_conninfo(const char *t, char *out, size_t len)
{
	mbuf b = { out, len, 0 };
	size_t i = 0, j;

	if (!len)
		return out;
	while (t[i]) {
		if ((j = password_value(t, i))) {
			int in_query = i > 0 && (t[i - 1] == '?' || t[i - 1] == '&');
			mput(&b, "password=***", 12);
			i = value_end(t, j, in_query);
			continue;
		}
		if (strncmp(t + i, "://", 3) == 0) {
			/* user info: everything before the authority's last '@' */
			size_t a = i + 3, end = a, at = 0, colon = 0;
			while (t[end] && !strchr("/?#\"' \t\n", t[end]))
				end++;
			for (size_t k = a; k < end; k++)
				if (t[k] == '@')
					at = k;
			for (size_t k = a; at && k < at && !colon; k++)
				if (t[k] == ':')
					colon = k;
			mput(&b, t + i, 3);
			if (colon) {
				mput(&b, t + a, colon + 1 - a);
				mput(&b, "***", 3);
				i = at;
			} else {
				i = a;
			}
			continue;
		}
		mput(&b, t + i, 1);
		i++;
	}
	b.p[b.n] = '\0';
	return out;
}

char *db_conninfo(const db *d, const cfg *c, const char *override, char *buf, size_t len)
{
	const char *t = target(c, override);
	if (t)
		expand(t, buf, len);
	else if (d && d->conn && d->embedded)
		snprintf(buf, len, "host=%s port=%s user=%s dbname=%s", PQhost(d->conn),
			 PQport(d->conn), PQuser(d->conn), PQdb(d->conn));
	else
		buf[0] = '\0';
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

int db_open(db *d, const cfg *c, const char *override, void (*info)(const char *msg),
	    char *err, size_t errlen)
{
	const char *t = target(c, override);
	char conninfo[8192];
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *vals[] = { conninfo, log_progname(), NULL };

	memset(d, 0, sizeof *d);
	if (t) {
		expand(t, conninfo, sizeof conninfo);
	} else {
		embed_cluster cl;
		char eerr[2048];
		if (embed_init(&cl, c->embedded_dir, c->embedded_user, c->embedded_port, eerr,
			       sizeof eerr) < 0 ||
		    embed_start(&cl, eerr, sizeof eerr) < 0) {
			snprintf(err, errlen, "embedded PostgreSQL in %s: %s", c->embedded_dir, eerr);
			return -1;
		}
		if (cl.note[0]) {
			char head[4200];
			snprintf(head, sizeof head, "embedded PostgreSQL in %s", cl.datadir);
			warn_lines(head, cl.note);
		}
		d->embedded = 1;
		d->started = cl.started;
		snprintf(d->embedded_dir, sizeof d->embedded_dir, "%s", c->embedded_dir);
		snprintf(conninfo, sizeof conninfo, "%s", cl.conninfo);
		if (info && cl.initialised) {
			/* once, when it is made: where it is */
			char msg[8400];
			snprintf(msg, sizeof msg, "created and started embedded PostgreSQL in %s (socket %s)",
				 cl.datadir, cl.sockdir);
			info(msg);
		} else if (cl.started) {
			/* every run of a cron job: only with -v */
			log_info("started embedded PostgreSQL in %s (socket %s)", cl.datadir, cl.sockdir);
		}
	}
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
		char shown[8192], why[4096];
		size_t n;
		db_mask_conninfo(d->conn ? PQerrorMessage(d->conn) : "out of memory\n", why, sizeof why);
		n = strlen(why);
		while (n && why[n - 1] == '\n')
			why[--n] = '\0';
		snprintf(err, errlen, "cannot connect to %s: %s",
			 d->embedded ? "the embedded PostgreSQL" : db_mask_conninfo(conninfo, shown, sizeof shown), why);
		PQfinish(d->conn);
		d->conn = NULL;
		return -1;
	}
	snprintf(d->where, sizeof d->where, "server %s%s%s, database %s", PQhost(d->conn),
		 PQhost(d->conn)[0] == '/' ? " port " : ":", PQport(d->conn), PQdb(d->conn));
	/* Messages from the server in English, predictable dates. */
	PQclear(PQexec(d->conn, "SET client_min_messages = warning; SET datestyle = 'ISO, YMD'"));
	return 0;
}

void db_close(db *d, int stop_started)
{
	if (d->conn)
		PQfinish(d->conn);
	d->conn = NULL;
	if (stop_started && d->embedded && d->started) {
		embed_cluster cl;
		char eerr[2048], head[4200];
		if (embed_init(&cl, d->embedded_dir, NULL, 0, eerr, sizeof eerr) < 0 ||
		    embed_stop(&cl, eerr, sizeof eerr) < 0)
			warn_lines("could not stop the embedded PostgreSQL", eerr);
		else if (cl.note[0]) {
			snprintf(head, sizeof head, "embedded PostgreSQL in %s", cl.datadir);
			warn_lines(head, cl.note);
		}
	}
}

void db_error(db *d, const PGresult *res, char *err, size_t errlen)
{
	const char *prim = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	char text[8192];        /* the message before masking: libpq may quote a conninfo */
	size_t n;

	if (!prim) {
		const char *m = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
								  : PQerrorMessage(d->conn);
		n = strlen(m);
		while (n && m[n - 1] == '\n')
			n--;
		snprintf(text, sizeof text, "%.*s", (int)n, m);
	} else {
		n = (size_t)snprintf(text, sizeof text, "%s", prim);
		if (detail && n < sizeof text)
			n += (size_t)snprintf(text + n, sizeof text - n, "\ndetail: %s", detail);
		if (hint && n < sizeof text)
			snprintf(text + n, sizeof text - n, "\nhint: %s", hint);
	}
	db_mask_conninfo(text, err, errlen);
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

/* A PostgreSQL text[] literal of v[0..n) (malloc'd), or NULL (no memory). */
char *db_text_array(char *const *v, size_t n)
{
	size_t need = 3;
	char *a, *o;
	for (size_t i = 0; i < n; i++)
		need += strlen(v[i]) * 2 + 4;
	if (!(a = malloc(need)))
		return NULL;
	o = a;
	*o++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*o++ = ',';
		*o++ = '"';
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				*o++ = '\\';
			*o++ = *p;
		}
		*o++ = '"';
	}
	*o++ = '}';
	*o = '\0';
	return a;
}
