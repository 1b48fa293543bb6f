/*
 * test_db.c - unit tests of lib/db/db.c's helpers that need no server:
 * db_text_array (a PostgreSQL text[] literal), db_conninfo for a named
 * database (a bare word is a service name), and db_mask_conninfo cutting
 * a long text to its buffer; and of lib/util/cli.c's cli_mkdirs.  With a
 * server (PGHOST set, as tests/run.sh does), db_cols: rows sent as one
 * text[] per column come back from unnest as they were, NULLs, quotes,
 * backslashes, braces and the word NULL included, and no rows at all.
 */
#include "lib/db/db.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void text_array(void)
{
	char *none[] = { NULL };
	char *two[] = { "a", "b c" };
	char *quoted[] = { "say \"hi\"", "back\\slash", "" };
	char *s;

	s = db_text_array(none, 0);
	is_str(s, "{}", "no elements: {}");
	free(s);
	s = db_text_array(two, 2);
	is_str(s, "{\"a\",\"b c\"}", "elements are quoted and separated by commas");
	free(s);
	s = db_text_array(quoted, 3);
	is_str(s, "{\"say \\\"hi\\\"\",\"back\\\\slash\",\"\"}", "quotes and backslashes are escaped");
	free(s);
}

/* Send the rows through db_cols into a temporary table and read them back
 * (NULL shows as "<null>"), one row a line. */
static char *cols_round_trip(db *d, const char *const (*rows)[3], size_t n)
{
	char err[ERR_MAX], *out;
	db_cols r;
	PGresult *res;

	db_exec(d, "DROP TABLE IF EXISTS cols_t; CREATE TEMP TABLE cols_t (i int, a text, b text)", err, sizeof err);
	db_cols_init(&r, 3);
	for (size_t i = 0; i < n; i++)
		db_cols_add(&r, rows[i]);
	if (db_cols_run(d, &r, "INSERT INTO cols_t SELECT i::int, a, b FROM unnest($1::text[], $2::text[], "
			"$3::text[]) AS u(i, a, b)", err, sizeof err) < 0) {
		fprintf(stderr, "# %s\n", err);
		return xstrdup("error");
	}
	res = db_query(d, "SELECT coalesce(string_agg(coalesce(a, '<null>') || '|' || coalesce(b, '<null>'), "
		       "E'\\n' ORDER BY i), '') FROM cols_t", 0, NULL, err, sizeof err);
	out = xstrdup(res ? PQgetvalue(res, 0, 0) : "error");
	PQclear(res);
	return out;
}

static void cols(void)
{
	static const char *const rows[][3] = {
		{ "1", "plain", NULL },
		{ "2", "say \"hi\", {x,y}", "back\\slash" },
		{ "3", "NULL", "" },
		{ "4", "中文, 逗号", "tab\there" },
	};
	char err[ERR_MAX], *got;
	db d;

	if (!getenv("PGHOST")) {
		ok(1, "# SKIP db_cols: no server (PGHOST unset)");
		return;
	}
	if (db_open(&d, NULL, "dbname=postgres", NULL, err, sizeof err) < 0) {
		ok(0, "db_cols: connect: %s", err);
		return;
	}
	got = cols_round_trip(&d, rows, 4);
	is_str(got, "plain|<null>\nsay \"hi\", {x,y}|back\\slash\nNULL|\n中文, 逗号|tab\there",
	       "db_cols: every value comes back as sent (NULL, quotes, braces, backslash, the word NULL, empty)");
	free(got);
	got = cols_round_trip(&d, rows, 0);
	is_str(got, "", "db_cols: no rows: the statement runs on empty arrays");
	free(got);
	db_close(&d, 0);
}

static void conninfo(void)
{
	char buf[256];

	is_str(db_conninfo(NULL, NULL, "vqrprod", buf, sizeof buf), "service=vqrprod",
	       "a bare word is a service name");
	is_str(db_conninfo(NULL, NULL, "host=db dbname=vqr", buf, sizeof buf), "host=db dbname=vqr",
	       "a conninfo string is kept");
	is_str(db_conninfo(NULL, NULL, "postgresql://db/vqr", buf, sizeof buf), "postgresql://db/vqr",
	       "a postgresql:// URI is kept");
	is_str(db_conninfo(NULL, NULL, "postgres://db/vqr", buf, sizeof buf), "postgres://db/vqr",
	       "a postgres:// URI is kept");
	is_str(db_conninfo(NULL, NULL, NULL, buf, sizeof buf), "", "nothing named, no connection: empty");
}

static void mask_cut(void)
{
	char out[16];

	is_str(db_mask_conninfo("host=db password=sekret", out, sizeof out), "host=db passwor",
	       "a masked text is cut to its buffer");
	is_str(db_mask_conninfo("postgresql://u:sekret@db/vqr", out, sizeof out), "postgresql://u:",
	       "a URI's password is never shown, even cut");
	is_str(db_mask_conninfo("", out, sizeof out), "", "an empty text stays empty");
}

static void mkdirs(void)
{
	char base[] = "/tmp/vqr-test-db.XXXXXX", path[256], file[256], err[ERR_MAX];
	struct stat st;
	FILE *f;

	if (!mkdtemp(base)) {
		ok(0, "mkdtemp: cannot make a temporary directory");
		return;
	}
	snprintf(path, sizeof path, "%s/a/b/c", base);
	ok(cli_mkdirs(path, err, sizeof err) == 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode),
	   "cli_mkdirs makes every missing level");
	ok(cli_mkdirs(path, err, sizeof err) == 0, "cli_mkdirs of an existing directory is fine");
	snprintf(file, sizeof file, "%s/f", base);
	f = fopen(file, "w");
	if (f)
		fclose(f);
	ok(cli_mkdirs(file, err, sizeof err) < 0 && strstr(err, ": not a directory"),
	   "cli_mkdirs of a file fails: %s", err);
	ok(cli_mkdirs("", err, sizeof err) < 0 && strcmp(err, ": bad directory name") == 0,
	   "cli_mkdirs of an empty name fails: %s", err);
	unlink(file);
	for (int i = 0; i < 3; i++) {
		rmdir(path);
		*strrchr(path, '/') = '\0';
	}
	rmdir(base);
}

int main(void)
{
	text_array();
	cols();
	conninfo();
	mask_cut();
	mkdirs();
	return tap_done();
}
