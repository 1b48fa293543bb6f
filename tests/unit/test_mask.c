/*
 * test_mask.c - unit tests of db_mask_conninfo (lib/db/db.c): passwords
 * of conninfo strings, URIs and libpq messages quoting them become "***",
 * everything else is kept as it is.
 */
#include "lib/db/db.h"
#include "tests/unit/tap.h"

#include <string.h>

static void check(const char *in, const char *want)
{
	char out[512];
	is_str(db_mask_conninfo(in, out, sizeof out), want, "%s", in);
}

int main(void)
{
	char small[8];

	check("host=db dbname=vqr password=sekret user=u", "host=db dbname=vqr password=*** user=u");
	check("password = 'se cr\\'et' host=db", "password=*** host=db");
	check("PASSWORD=sekret", "password=***");
	check("host=db dbname=vqr", "host=db dbname=vqr");
	check("postgresql://u:sekret@db:5432/vqr", "postgresql://u:***@db:5432/vqr");
	check("postgres://u:se@cret@db/vqr?sslmode=disable", "postgres://u:***@db/vqr?sslmode=disable");
	check("postgresql://u@db/vqr", "postgresql://u@db/vqr");
	check("postgresql://db/vqr?user=u&password=sekret&sslmode=require",
	      "postgresql://db/vqr?user=u&password=***&sslmode=require");
	check("cannot connect to \"postgresql://u:sekret@nohost/vqr\": could not translate host name",
	      "cannot connect to \"postgresql://u:***@nohost/vqr\": could not translate host name");
	check("password authentication failed for user \"u\"", "password authentication failed for user \"u\"");
	check("mypassword=x mypassword", "mypassword=x mypassword");
	db_mask_conninfo("password=sekret", small, sizeof small);
	ok(strlen(small) == sizeof small - 1 && !strstr(small, "sek"), "a short buffer is cut, never overflowed: %s",
	   small);
	return tap_done();
}
