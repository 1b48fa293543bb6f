/*
 * cmd_login.c - vqr db login NAME: an analyst's login to the database vqr
 * uses (a LOGIN role in the read-only group role vqr_analyst), or a new
 * password for one.  The password is read from the terminal (asked twice,
 * not echoed) or, with --password-stdin, from the first line of standard
 * input; never from the command line, where ps would show it.  Only its
 * SCRAM-SHA-256 verifier (PQencryptPasswordConn) goes to the server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "pipeline/cmd.h"

#define PW_MAX 1024     /* bytes of a password, with its line end */

/* A role name an analyst can type unquoted: [a-z_][a-z0-9_]*, 1..63 bytes. */
static int good_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 63 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n &&
	       !(s[0] >= '0' && s[0] <= '9');
}

/* One line of f into buf (len bytes) without its line end: 0, or -1 at
 * the end of input or when the line does not fit. */
static int read_line(FILE *f, char *buf, size_t len)
{
	size_t n;

	if (!fgets(buf, (int)len, f))
		return -1;
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(f))
		return -1;
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

/* Ask for a line on the terminal tty with echo off: 0, or -1. */
static int ask(FILE *tty, const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	int fd = fileno(tty), rc;

	if (tcgetattr(fd, &old) < 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	fputs(prompt, tty);
	fflush(tty);
	if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0)
		return -1;
	rc = read_line(tty, buf, len);
	tcsetattr(fd, TCSAFLUSH, &old);
	return rc;
}

/* The new password of name into pw (PW_MAX bytes): from standard input
 * with --password-stdin, else asked twice on the terminal.  0, or an exit
 * code after saying why. */
static int read_password(const opts *o, const char *name, char *pw)
{
	char again[PW_MAX], prompt[128];
	FILE *tty;
	int rc = EXIT_USAGE;

	if (o->password_stdin) {
		if (read_line(stdin, pw, PW_MAX) < 0 || !pw[0]) {
			log_error("--password-stdin: no password on standard input (one line, at most %d bytes)",
				  PW_MAX - 2);
			return EXIT_USAGE;
		}
		return 0;
	}
	if (!(tty = fopen("/dev/tty", "r+"))) {
		log_error("no terminal to ask for the password of %s", name);
		log_hint("give it on the first line of standard input with --password-stdin");
		return EXIT_USAGE;
	}
	snprintf(prompt, sizeof prompt, "Password for %s: ", name);
	if (ask(tty, prompt, pw, PW_MAX) < 0 || ask(tty, "Again: ", again, sizeof again) < 0)
		log_error("could not read the password from the terminal");
	else if (strcmp(pw, again) != 0)
		log_error("the two passwords differ");
	else if (!pw[0])
		log_error("an empty password is not allowed");
	else
		rc = 0;
	explicit_bzero(again, sizeof again);
	fclose(tty);
	return rc;
}

/* Is name an existing role: 0 no, 1 an analyst's login vqr may change (a
 * member of vqr_analyst without special attributes), 2 some other role;
 * or -1 after saying why. */
static int role_kind(db *d, const char *name)
{
	const char *p[] = { name };
	PGresult *r = cmd_query(d,
				"SELECT NOT (r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication "
				"OR r.rolbypassrls) AND pg_has_role(r.oid, 'vqr_analyst', 'MEMBER') "
				"FROM pg_roles r WHERE r.rolname = $1", 1, p);
	int kind;

	if (!r)
		return -1;
	kind = PQntuples(r) == 0 ? 0 : strcmp(PQgetvalue(r, 0, 0), "t") == 0 ? 1 : 2;
	PQclear(r);
	return kind;
}

/* Create the login name in vqr_analyst (kind 0) or give it a new password
 * (kind 1), with the SCRAM verifier of pw, in one transaction.  0, or an
 * exit code after saying why. */
static int set_login(db *d, const char *name, int kind, const char *pw)
{
	char err[4096], *verifier, *ident = NULL, *lit = NULL, *q;
	int rc = EXIT_DB;

	if (!(verifier = PQencryptPasswordConn(d->conn, pw, name, "scram-sha-256"))) {
		log_error("cannot make the password's SCRAM verifier: %s", PQerrorMessage(d->conn));
		return EXIT_DB;
	}
	ident = PQescapeIdentifier(d->conn, name, strlen(name));
	lit = PQescapeLiteral(d->conn, verifier, strlen(verifier));
	if (!ident || !lit) {
		log_error("cannot quote the login: %s", PQerrorMessage(d->conn));
		goto out;
	}
	if (kind == 0)
		q = xasprintf("BEGIN; CREATE ROLE %s LOGIN PASSWORD %s IN ROLE vqr_analyst; "
			      "ALTER ROLE %s SET default_transaction_read_only = on; COMMIT",
			      ident, lit, ident);
	else
		q = xasprintf("BEGIN; ALTER ROLE %s LOGIN PASSWORD %s; COMMIT", ident, lit);
	if (db_exec(d, q, err, sizeof err) < 0) {
		PQclear(PQexec(d->conn, "ROLLBACK"));
		log_error_text(err);
	} else {
		rc = EXIT_OK;
	}
	free(q);
out:
	PQfreemem(ident);
	PQfreemem(lit);
	PQfreemem(verifier);
	return rc;
}

int cmd_db_login(const cfg *c, const opts *o, const char *name)
{
	char pw[PW_MAX];
	db d;
	int rc, kind = 0;

	if (!good_name(name)) {
		log_error("\"%s\" is not a login name vqr makes: lower-case letters, digits and _, "
			  "not starting with a digit, at most 63 bytes", name);
		return EXIT_USAGE;
	}
	if ((rc = read_password(o, name, pw)))
		return rc;
	if (!(rc = cmd_open_db(&d, c, o, 1)) && (kind = role_kind(&d, name)) < 0)
		rc = EXIT_DB;
	if (!rc && kind == 2) {
		log_error("role %s exists and is not an analyst's login (a plain member of vqr_analyst)", name);
		log_hint("choose another name; vqr db login changes only the logins it makes");
		rc = EXIT_USAGE;
	}
	if (!rc && !(rc = set_login(&d, name, kind, pw))) {
		printf("vqr: %s analyst login %s (read only, in role vqr_analyst)\n",
		       kind == 0 ? "created" : "new password for", name);
		if (!c->database && !o->database && c->embedded_listen)
			printf("connect with: psql \"host=%s port=%d dbname=vqr user=%s\"\n",
			       c->embedded_listen, c->embedded_port, name);
	}
	explicit_bzero(pw, sizeof pw);
	db_close(&d, 1);
	return rc;
}
