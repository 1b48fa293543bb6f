/*
 * test_cfb.c - unit tests of the compound file stream reader
 * (lib/readers/cfb.c) on the .xls workbooks of tests/data/xls (written by
 * python3-xlwt and LibreOffice: the workbook stream in the big sectors,
 * and the small ones' in the mini stream): the stream is found, whole, and
 * starts with a BIFF8 BOF record; every prefix of a file (a file cut
 * short) gives no more than the stream's declared size and never a
 * stream it does not hold; names that are not there are not found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/readers/cfb.h"
#include "tests/unit/tap.h"

#define DIR "tests/data/xls/"

static const char *const wb_names[] = { "Workbook", "Book", NULL };

/* The whole of path, or NULL. */
static unsigned char *load(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		b = malloc((size_t)len);
		*n = fread(b, 1, (size_t)len, f);
	}
	fclose(f);
	return b;
}

static void test_file(const char *name)
{
	char path[256];
	size_t n = 0, cut, bad = 0;
	unsigned char *b;
	cfb_stream s;
	int rc;

	snprintf(path, sizeof path, DIR "%s", name);
	if (!(b = load(path, &n))) {
		ok(0, "%s: read", path);
		return;
	}
	rc = cfb_read(b, n, wb_names, &s);
	ok(rc == 1 && s.len == s.size && s.size > 8 && memcmp(s.data, "\x09\x08\x10\x00\x00\x06", 6) == 0,
	   "%s: the workbook stream, %zu of %zu bytes, starts with a BIFF8 BOF", name, s.len, s.size);
	cfb_stream_free(&s);
	for (cut = 0; cut < n; cut++) {
		rc = cfb_read(b, cut, wb_names, &s);
		if (rc < 0 || rc > 1 || s.len > s.size || (rc == 0 && (s.data || s.len)))
			bad = bad ? bad : cut + 1;
		cfb_stream_free(&s);
	}
	ok(!bad, "%s: cut after each of its %zu bytes: a part of the stream or none%s", name, n,
	   bad ? " (failed)" : "");
	rc = cfb_read(b, n, (const char *const[]){ "Workbook2", "Boo", NULL }, &s);
	ok(rc == 0 && !s.data, "%s: a name that is not there is not found", name);
	free(b);
}

int main(void)
{
	static const char *const files[] = {
		"cells_xlwt.xls", "formulas_libreoffice.xls", "毕业生去向登记表_xlwt.xls",
		"毕业生去向登记表_libreoffice.xls", "毕业生去向登记表_1904.xls",
	};

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		test_file(files[i]);
	return tap_done();
}
