/*
 * db.h - connecting to PostgreSQL the way PostgreSQL's own frontend
 * programs do, and the few libpq helpers every vqr program shares.
 *
 * The database is, in order: the --database option, the configuration's
 * `database`, or else the private embedded cluster (lib/db/embed.h),
 * started on demand.  A conninfo string, a postgresql:// URI or a bare
 * service name (which becomes "service=NAME") all go through
 * PQconnectdbParams with expand_dbname, so PG* environment variables,
 * ~/.pgpass and pg_service.conf work as in psql.
 */
#ifndef VQR_DB_H
#define VQR_DB_H

#include <stddef.h>
#include <libpq-fe.h>

#include "lib/catalog/cfg.h"
#include "lib/db/embed.h"
#include "lib/util/str.h"

typedef struct db {
	PGconn *conn;           /* the connection (owned) */
	int embedded;           /* 1 when it is the private cluster */
	int started;            /* 1 when this process started that cluster */
	char embedded_dir[4096];/* the cluster's directory, when embedded */
	char where[512];        /* "server at HOST:PORT, database DB" for messages */
} db;

/* Connect for config c; override (may be NULL) replaces c->database.
 * Starting the embedded cluster is reported through info (may be NULL),
 * which receives a line such as "started embedded PostgreSQL in DIR"; a
 * cluster that had to be repaired on the way (embed_start's note) is
 * reported with one log_warning line.
 * 0, or -1 with err (and d->conn NULL). */
int db_open(db *d, const cfg *c, const char *override, void (*info)(const char *msg),
	    char *err, size_t errlen);

/* embed_init and embed_set_listen for the embedded cluster of config c
 * (its directory, user, port and listen address) into cl.  0, or -1 with
 * err. */
int db_embed_init(embed_cluster *cl, const cfg *c, char *err, size_t errlen);

/* Close the connection; stop the embedded cluster when this process
 * started it and stop_started is set.  A stop that had to escalate, or
 * failed, is reported with one log_warning line; a clean one says nothing. */
void db_close(db *d, int stop_started);

/* The conninfo a child process can use to reach the same database
 * (written into buf).  Returns buf. */
char *db_conninfo(const db *d, const cfg *c, const char *override, char *buf, size_t len);

/* Copy text to out (len bytes, always NUL-terminated) with every
 * password in it masked: the value of a "password" keyword of a conninfo
 * string (password=secret, password = 'a b') or of a URI's query
 * (?password=secret), and the password of a URI's user info
 * (postgresql://user:secret@host/db), each becoming "***".  text may be a
 * conninfo string, a URI or any message quoting them (a libpq error).
 * Every message that shows a conninfo goes through this.  Returns out. */
char *db_mask_conninfo(const char *text, char *out, size_t len);

/* Run a command without result rows.  0, or -1 with "message" in err. */
int db_exec(db *d, const char *sql, char *err, size_t errlen);

/* Run a parameterised statement whose result rows, if any, are not
 * wanted (an INSERT, UPDATE or DELETE with parameters): db_query and
 * PQclear in one.  0, or -1 with err. */
int db_run(db *d, const char *sql, int nparams, const char *const *params, char *err,
	   size_t errlen);

/* The boolean that sql (a query without parameters giving one row of one
 * boolean column) gives: 1 or 0, or -1 with err. */
int db_run_bool(db *d, const char *sql, char *err, size_t errlen);

/* Run a parameterised statement; the PGresult (caller PQclear()s it) when
 * it succeeded, else NULL with err. */
PGresult *db_query(db *d, const char *sql, int nparams, const char *const *params,
		   char *err, size_t errlen);

/* Run a parameterised query and call row(ctx, res, i) for each row i of
 * its result (cleared after).  0, or -1 with err. */
int db_each(db *d, const char *sql, int nparams, const char *const *params,
	    void (*row)(void *ctx, PGresult *res, int i), void *ctx, char *err, size_t errlen);

/* Format a libpq error: the primary message plus DETAIL and HINT lines
 * from res (may be NULL: the connection's message is used), passwords
 * masked (db_mask_conninfo). */
void db_error(db *d, const PGresult *res, char *err, size_t errlen);

/* Append v (NULL: a NULL element) to the text[] literal being built in
 * b, which starts empty (the first call opens the literal). */
void db_array_add(str *b, const char *v);

/* Close the text[] literal in b ("{}" when nothing was added) and return
 * its text, still b's (str_free(b) frees it). */
const char *db_array_end(str *b);

#define DB_COLS_MAX 16     /* the most columns a db_cols holds */

/* Rows sent in one statement as one text[] parameter per column (the
 * statement reads them through unnest($1::text[], $2::text[], ...)):
 * one round trip instead of one per row.
 *
 *     db_cols r;
 *     db_cols_init(&r, 3);
 *     for (...) db_cols_add(&r, (const char *[]){ a, b, c });
 *     rc = db_cols_run(d, &r, "INSERT ... SELECT ... FROM unnest($1::text[], ...)", err, errlen);
 */
typedef struct db_cols {
	int n;                        /* columns (at most DB_COLS_MAX) */
	size_t rows;                  /* rows added */
	str col[DB_COLS_MAX];         /* each column's text[] literal so far */
} db_cols;

/* Start r with n columns, no rows. */
void db_cols_init(db_cols *r, int n);

/* Add a row: v[0..r->n) (a NULL value is a NULL element); the values are
 * copied. */
void db_cols_add(db_cols *r, const char *const *v);

/* Run sql with r's columns as its parameters $1..$n (text[] literals,
 * "{}" when no row was added), then free r's text.  0 or -1 with err
 * set. */
int db_cols_run(db *d, db_cols *r, const char *sql, char *err, size_t errlen);

/* v[0..n) as a PostgreSQL text[] literal ("{\"a\",\"b\"}") for a
 * parameter cast to text[].  Returns a malloc'd string the caller frees
 * (never NULL: allocation goes through lib/util/mem.h). */
char *db_text_array(char *const *v, size_t n);

#endif
