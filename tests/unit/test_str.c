/*
 * test_str.c - unit tests of lib/util: the growable string (str.c), the
 * allocation helpers (mem.c) and the error convention (err.c): messages
 * that do not fit say so.
 */
#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

static void test_str(void)
{
	str b = STR_INIT;
	int i;

	is_str(str_cstr(&b), "", "an empty str reads as \"\"");
	str_add(&b, "学号");
	str_addc(&b, ':');
	str_addf(&b, "%d/%s", 12, "x");
	is_str(str_cstr(&b), "学号:12/x", "add, addc and addf append");
	ok(b.len == strlen("学号:12/x"), "len counts bytes");
	str_clear(&b);
	is_str(str_cstr(&b), "", "clear empties");
	for (i = 0; i < 10000; i++)
		str_addc(&b, (char)('a' + i % 26));
	ok(b.len == 10000 && b.s[9999] == 'a' + 9999 % 26 && b.s[10000] == '\0', "grows past many doublings");
	str_clear(&b);
	str_add_json(&b, "a\"b\\c\n\t\x01 中");
	is_str(str_cstr(&b), "\"a\\\"b\\\\c\\n\\t\\u0001 中\"", "JSON escapes quotes, controls, keeps UTF-8");
	str_clear(&b);
	str_add_json(&b, NULL);
	is_str(str_cstr(&b), "null", "a NULL string is JSON null");
	str_clear(&b);
	str_addn(&b, "a\0b", 3);
	ok(b.len == 3 && memcmp(b.s, "a\0b", 4) == 0, "addn keeps NUL bytes");
	char *s = str_steal(&b);
	ok(memcmp(s, "a\0b", 3) == 0 && b.s == NULL && b.len == 0, "steal hands the text over");
	free(s);
	s = str_steal(&b);
	is_str(s, "", "steal of an empty str gives \"\"");
	free(s);
	str_free(&b);
}

static void test_mem(void)
{
	char *p = xasprintf("%s-%03d", "batch", 7);
	is_str(p, "batch-007", "xasprintf formats");
	free(p);
	p = xstrndup("abcdef", 3);
	is_str(p, "abc", "xstrndup cuts at n");
	free(p);
	ok(xstrdup_or_null(NULL) == NULL, "xstrdup_or_null(NULL) is NULL");
	int *a = NULL;
	size_t cap = 0;
	xgrow((void **)&a, &cap, 100, sizeof *a);
	ok(cap >= 100, "xgrow reaches the need (%zu)", cap);
	a[99] = 1;
	size_t before = cap;
	xgrow((void **)&a, &cap, 50, sizeof *a);
	ok(cap == before, "xgrow leaves a large enough array alone");
	free(a);
}

static void test_err(void)
{
	char e[32];
	int rc = err_set(e, sizeof e, "%s:%d:%d: %s", "a.csv", 3, 4, "bad");
	ok(rc == -1, "err_set returns -1");
	is_str(e, "a.csv:3:4: bad", "a message that fits is whole");
	err_set(e, sizeof e, "%s", "a very long message that does not fit in 32 bytes");
	ok(strlen(e) == sizeof e - 1, "a long message fills the buffer");
	ok(strstr(e, ERR_CUT_MARK) != NULL, "and ends with the cut mark: %s", e);
	err_set(e, sizeof e, "%s", "bad cell");
	err_prefix(e, sizeof e, "%s:%d", "x.csv", 9);
	is_str(e, "x.csv:9: bad cell", "err_prefix puts the place first");
	char path[8];
	ok(fmt_fits(path, sizeof path, "%s", "abc") == 0, "fmt_fits: fits");
	ok(fmt_fits(path, sizeof path, "%s/%s", "abcd", "efgh") == -1, "fmt_fits: -1 when cut");
	ok(err_set(NULL, 0, "x") == -1, "err_set with no buffer still fails");
}

int main(void)
{
	test_str();
	test_mem();
	test_err();
	return tap_done();
}
