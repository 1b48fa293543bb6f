/*
 * test_db.c - unit tests of lib/db/db.c's helpers that need no server:
 * db_text_array (a PostgreSQL text[] literal), db_conninfo for a named
 * database (a bare word is a service name), and db_mask_conninfo cutting
 * a long text to its buffer; and of lib/util/cli.c's cli_mkdirs.
 */
#include "lib/db/db.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
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
	conninfo();
	mask_cut();
	mkdirs();
	return tap_done();
}
