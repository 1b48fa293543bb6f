/*
 * test_calc.c - unit tests of lib/catalog/calc.c: every operator, precedence
 * and associativity, unary minus, parentheses, each function, references
 * deduplicated in order, missing operands, division by zero, every parse
 * error with its column, the nesting limit and the evaluation stack at
 * it, calc_op_parse / calc_op_text, calc_compare at the tolerance
 * boundaries of each operator, and calc_half_unit.
 */
#include "lib/catalog/calc.h"
#include "tests/unit/tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The indicators of the tests: computed values; the other values of a
 * code derive from it (see value_of) so a wrong reftype shows. */
static const struct {
	const char *code;       /* indicator code */
	double v;               /* its computed value */
} inds[] = {
	{ "a", 2 },
	{ "b", 3 },
	{ "c", 5 },
	{ "zero", 0 },
	{ "employment.dest.enterprise.rate", 94.82 },
	{ "_x9", 7 },
	{ "reported", 11 },     /* a code named like a function */
};

/* The value of (code, type): computed v, reported v + 100, numerator
 * v * 10, denominator v + 1000.  NAN for an unknown code. */
static double value_of(const char *code, calc_reftype type)
{
	size_t i;

	for (i = 0; i < sizeof inds / sizeof inds[0]; i++) {
		if (strcmp(inds[i].code, code) != 0)
			continue;
		switch (type) {
		case CALC_VALUE: return inds[i].v;
		case CALC_REPORTED: return inds[i].v + 100;
		case CALC_NUMERATOR: return inds[i].v * 10;
		case CALC_DENOMINATOR: return inds[i].v + 1000;
		}
	}
	return NAN;
}

/* Compare two doubles exactly; print both on failure. */
__attribute__((format(printf, 3, 4)))
static int is_num(double got, double want, const char *fmt, ...)
{
	va_list ap;
	int cond = got == want || (isnan(got) && isnan(want));

	va_start(ap, fmt);
	tap_ok_v(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("#   got:  %.17g\n#   want: %.17g\n", got, want);
	return cond;
}

/* Parse text, fill every ref from value_of (all present), evaluate;
 * *st gets the status.  NAN if the parse fails. */
static double run(const char *text, calc_status *st)
{
	char err[128];
	double vals[16], out = NAN;
	int col;
	size_t i;
	calc *f = calc_parse(text, &col, err, sizeof err);

	*st = CALC_MISSING;
	if (!f) {
		printf("# parse of \"%s\" failed: column %d: %s\n", text, col, err);
		return NAN;
	}
	for (i = 0; i < calc_nrefs(f) && i < 16; i++)
		vals[i] = value_of(calc_ref_at(f, i)->code, calc_ref_at(f, i)->type);
	*st = calc_eval(f, vals, NULL, &out);
	calc_free(f);
	return out;
}

/* text for a test name: control characters as ' ', cut after 60 bytes
 * with "...". Returns a static buffer. */
static const char *shown(const char *text)
{
	static char buf[80];
	size_t i;

	for (i = 0; text && text[i] && i < 60; i++)
		buf[i] = (unsigned char)text[i] < 0x20 ? ' ' : text[i];
	strcpy(buf + i, text && text[i] ? "..." : "");
	return buf;
}

/* text evaluates to want. */
static void value_is(const char *text, double want)
{
	calc_status st;
	double v = run(text, &st);

	is_int(st, CALC_OK, "%s: ok", shown(text));
	is_num(v, want, "%s = %.17g", shown(text), want);
}

/* text fails to parse with message msg at column col. */
static void parse_error(const char *text, const char *msg, int col)
{
	char err[128];
	int c = -5;
	calc *f = calc_parse(text, &c, err, sizeof err);

	ok(f == NULL, "\"%s\" is refused", shown(text));
	is_str(f ? "" : err, msg, "\"%s\": message", shown(text));
	is_int(c, col, "\"%s\": column", shown(text));
	calc_free(f);
}

static void test_arithmetic(void)
{
	value_is("1", 1);
	value_is("100", 100);
	value_is("0.5", 0.5);
	value_is("94.82", 94.82);
	value_is("007.250", 7.25);
	value_is("0.1 + 0.2", 0.1 + 0.2);
	value_is("2 + 3", 5);
	value_is("2 - 3", -1);
	value_is("2 * 3", 6);
	value_is("3 / 2", 1.5);
	value_is("1 / 3", 1.0 / 3);
	/* precedence */
	value_is("2 + 3 * 4", 14);
	value_is("2 * 3 + 4", 10);
	value_is("2 - 6 / 3", 0);
	value_is("6 / 3 - 2", 0);
	value_is("1 + 2 * 3 - 4 / 2", 5);
	/* left associativity */
	value_is("10 - 4 - 3", 3);
	value_is("64 / 4 / 2", 8);
	value_is("10 - 4 + 3", 9);
	value_is("8 / 4 * 2", 4);
	/* parentheses */
	value_is("(2 + 3) * 4", 20);
	value_is("2 * (3 + 4)", 14);
	value_is("10 - (4 - 3)", 9);
	value_is("64 / (4 / 2)", 32);
	value_is("((((7))))", 7);
	value_is("(1 + (2 * (3 - (4 / (5)))))", 1 + 2 * (3 - 4.0 / 5));
	/* unary minus */
	value_is("-3", -3);
	value_is("- 3", -3);
	value_is("--3", 3);
	value_is("- - -3", -3);
	value_is("2 - -3", 5);
	value_is("2--3", 5);
	value_is("-2 * -3", 6);
	value_is("-(2 + 3)", -5);
	value_is("-2 + 3", 1);
	value_is("2 * -(3 - 5)", 4);
	value_is("-a", -2);
	/* whitespace of every kind, or none */
	value_is("\t1\n+\r2 *\f3\v", 7);
	value_is("(a+b)*c", 25);
}

static void test_refs(void)
{
	char err[128];
	int col;
	calc *f;
	const calc_ref *r;
	const char *text;

	value_is("a + b * c", 17);
	value_is("employment.dest.enterprise.rate", 94.82);
	value_is("_x9 * 2", 14);
	value_is("reported(a)", 102);
	value_is("numerator(b)", 30);
	value_is("denominator(c)", 1005);
	value_is("computed(c)", 5);
	value_is("reported( employment.dest.enterprise.rate )", 194.82);
	value_is("reported(employment.dest.enterprise.rate) - employment.dest.enterprise.rate",
		 (94.82 + 100) - 94.82);
	value_is("numerator(a) / denominator(a) * 100", 20.0 / 1002 * 100);
	value_is("reported", 11);                       /* a function name alone is a code */
	value_is("reported(reported)", 111);
	value_is("reported + 1", 12);

	/* distinct (code, type) pairs in order of first appearance */
	text = "a + reported(a) + b + a + computed(a) + reported(a) + numerator(b) + denominator(b) + b";
	f = calc_parse(text, &col, err, sizeof err);
	ok(f != NULL, "dedup formula parses");
	if (!f)
		return;
	is_str(calc_text(f), text, "calc_text is the text as given");
	is_int((long long)calc_nrefs(f), 5, "5 distinct refs");
	r = calc_ref_at(f, 0);
	ok(r && strcmp(r->code, "a") == 0 && r->type == CALC_VALUE, "ref 0: a");
	r = calc_ref_at(f, 1);
	ok(r && strcmp(r->code, "a") == 0 && r->type == CALC_REPORTED, "ref 1: reported(a)");
	r = calc_ref_at(f, 2);
	ok(r && strcmp(r->code, "b") == 0 && r->type == CALC_VALUE, "ref 2: b");
	r = calc_ref_at(f, 3);
	ok(r && strcmp(r->code, "b") == 0 && r->type == CALC_NUMERATOR, "ref 3: numerator(b)");
	r = calc_ref_at(f, 4);
	ok(r && strcmp(r->code, "b") == 0 && r->type == CALC_DENOMINATOR, "ref 4: denominator(b)");
	ok(calc_ref_at(f, 5) == NULL, "ref 5: none");
	{
		double vals[5] = { 1, 20, 300, 4000, 50000 }, out = 0;
		is_int(calc_eval(f, vals, NULL, &out), CALC_OK, "dedup formula evaluates");
		is_num(out, 1 + 20 + 300 + 1 + 1 + 20 + 4000 + 50000 + 300, "each ref read at each use");
	}
	calc_free(f);

	/* a prefix of a code is another code */
	f = calc_parse("employment.rate + employment.rate.x + employment", &col, err, sizeof err);
	ok(f && calc_nrefs(f) == 3, "prefixes are distinct codes");
	calc_free(f);

	/* no refs */
	f = calc_parse("1 + 2", &col, err, sizeof err);
	ok(f && calc_nrefs(f) == 0 && calc_ref_at(f, 0) == NULL, "constant formula: no refs");
	if (f) {
		double out = 0;
		is_int(calc_eval(f, NULL, NULL, &out), CALC_OK, "constant formula without vals");
		is_num(out, 3, "constant formula value");
	}
	calc_free(f);
	calc_free(NULL);
	ok(calc_nrefs(NULL) == 0 && calc_text(NULL) == NULL, "NULL formula accessors");
}

static void test_missing_divzero(void)
{
	char err[128];
	int col;
	calc_status st;
	double out;
	calc *f;

	f = calc_parse("a / b + reported(c)", &col, err, sizeof err);
	ok(f && calc_nrefs(f) == 3, "a / b + reported(c) parses");
	if (f) {
		double vals[3] = { 6, 3, 1 };
		unsigned char all[3] = { 1, 1, 1 }, no_a[3] = { 0, 1, 1 }, no_c[3] = { 1, 1, 0 };

		out = -1;
		is_int(calc_eval(f, vals, all, &out), CALC_OK, "all present: ok");
		is_num(out, 3, "all present: value");
		out = -1;
		is_int(calc_eval(f, vals, no_a, &out), CALC_MISSING, "first operand absent: missing");
		is_num(out, -1, "missing: *out untouched");
		is_int(calc_eval(f, vals, no_c, &out), CALC_MISSING, "last operand absent: missing");
		vals[1] = 0;
		is_int(calc_eval(f, vals, all, &out), CALC_DIVZERO, "b = 0: division by zero");
		is_num(out, -1, "divzero: *out untouched");
		is_int(calc_eval(f, vals, no_c, &out), CALC_MISSING,
		       "b = 0 and reported(c) absent: missing wins");
		vals[1] = -0.0;
		is_int(calc_eval(f, vals, all, &out), CALC_DIVZERO, "b = -0: division by zero");
		vals[0] = 0;
		vals[1] = 4;
		is_int(calc_eval(f, vals, all, &out), CALC_OK, "0 / 4: ok");
		is_num(out, 1, "0 / 4 + 1");
	}
	calc_free(f);

	/* a ref used twice, absent */
	f = calc_parse("a - a", &col, err, sizeof err);
	if (f) {
		double vals[1] = { 1 };
		unsigned char none[1] = { 0 };
		is_int(calc_eval(f, vals, none, &out), CALC_MISSING, "a - a with a absent: missing");
	}
	calc_free(f);

	run("1 / 0", &st);
	is_int(st, CALC_DIVZERO, "1 / 0");
	run("1 / zero", &st);
	is_int(st, CALC_DIVZERO, "1 / zero");
	run("1 / (a - 2)", &st);
	is_int(st, CALC_DIVZERO, "1 / (a - 2)");
	run("1 / -0", &st);
	is_int(st, CALC_DIVZERO, "1 / -0");
	run("(1 / 0) * 0 + 5", &st);
	is_int(st, CALC_DIVZERO, "a division by zero anywhere");
	value_is("0 / 5", 0);
	value_is("zero * 3 + 1", 1);
}

static void test_parse_errors(void)
{
	char big[500], deep[400];
	int i, n;

	parse_error("", "empty formula", 1);
	parse_error("   ", "empty formula", 4);
	parse_error(NULL, "empty formula", 1);
	parse_error("a +", "unexpected end of formula", 4);
	parse_error("-", "unexpected end of formula", 2);
	parse_error("(", "unexpected end of formula", 2);
	parse_error("2 *", "unexpected end of formula", 4);
	parse_error("(a", "expected ')'", 3);
	parse_error("((a + b) * c", "expected ')'", 13);
	parse_error("(a b)", "expected ')'", 4);
	parse_error("a)", "unexpected ')'", 2);
	parse_error(")", "unexpected ')'", 1);
	parse_error("(a + b))", "unexpected ')'", 8);
	parse_error("()", "unexpected ')'", 2);
	parse_error("a + )", "unexpected ')'", 5);
	parse_error("a * * b", "unexpected '*'", 5);
	parse_error("* a", "unexpected '*'", 1);
	parse_error("/ a", "unexpected '/'", 1);
	parse_error("+ a", "unexpected '+'", 1);
	parse_error("a + + b", "unexpected '+'", 5);
	parse_error("a - * b", "unexpected '*'", 5);
	parse_error("foo(a)", "unknown function 'foo'", 1);
	parse_error("a + Reported(b)", "unknown function 'Reported'", 5);
	parse_error("1 + employment.rate (b)", "unknown function 'employment.rate'", 5);
	parse_error("1 + reported(2)", "expected an indicator code", 14);
	parse_error("reported()", "expected an indicator code", 10);
	parse_error("reported((a))", "expected an indicator code", 10);
	parse_error("numerator(-a)", "expected an indicator code", 11);
	parse_error("reported(a b)", "expected ')'", 12);
	parse_error("reported(a", "expected ')'", 11);
	parse_error("reported(a + b)", "expected ')'", 12);
	parse_error("denominator(reported(a))", "expected ')'", 21);
	parse_error("a b", "trailing input", 3);
	parse_error("2a", "trailing input", 2);
	parse_error("a (b)", "unknown function 'a'", 1);
	parse_error("1 2", "trailing input", 3);
	parse_error("(a) (b)", "trailing input", 5);
	parse_error("a.b. + 1", "indicator code 'a.b.' ends with '.'", 4);
	parse_error("reported(a.)", "indicator code 'a.' ends with '.'", 11);
	parse_error("1.", "expected a digit after '.'", 3);
	parse_error("1.+2", "expected a digit after '.'", 3);
	parse_error("1.2.3", "unexpected character '.'", 4);
	parse_error(".5", "unexpected character '.'", 1);
	parse_error("1e3", "trailing input", 2);
	parse_error("a % b", "unexpected character '%'", 3);
	parse_error("a = b", "unexpected character '='", 3);
	parse_error("a, b", "unexpected character ','", 2);
	parse_error("毕业生人数 + 1", "unexpected character '毕'", 1);
	parse_error("a + （b）", "unexpected character '（'", 5);
	parse_error("a\xc2\xa0+ b", "unexpected character '\xc2\xa0'", 2);
	parse_error("a + b\xff", "invalid UTF-8 (byte 0xFF)", 6);
	parse_error("毕\xe4\xb8", "invalid UTF-8 (byte 0xE4)", 2);
	parse_error("-1a", "trailing input", 3);

	/* a number too large for a double */
	big[0] = '1';
	for (i = 1; i < 400; i++)
		big[i] = '0';
	big[400] = 0;
	parse_error(big, "number out of range", 1);
	/* long but representable */
	big[300] = 0;
	value_is(big, strtod(big, NULL));

	/* nesting: CALC_MAX_DEPTH levels are fine, one more is not */
	n = 0;
	for (i = 0; i < CALC_MAX_DEPTH; i++)
		deep[n++] = '(';
	deep[n++] = '7';
	for (i = 0; i < CALC_MAX_DEPTH; i++)
		deep[n++] = ')';
	deep[n] = 0;
	value_is(deep, 7);
	n = 0;
	for (i = 0; i < CALC_MAX_DEPTH + 1; i++)
		deep[n++] = '(';
	deep[n++] = '7';
	for (i = 0; i < CALC_MAX_DEPTH + 1; i++)
		deep[n++] = ')';
	deep[n] = 0;
	parse_error(deep, "formula nested too deeply", CALC_MAX_DEPTH + 1);

	/* errors with no buffers */
	ok(calc_parse("(", NULL, NULL, 0) == NULL, "error without err/errcol");
	{
		char tiny[8];
		int col;
		ok(calc_parse("foo(a)", &col, tiny, sizeof tiny) == NULL && strcmp(tiny, "unknown") == 0,
		   "message cut to the buffer");
	}
}

/* The deepest evaluation stack: at every level an expr and a term hold a
 * value while the next level is computed. */
static void test_deep_stack(void)
{
	char text[2048];
	size_t n = 0;
	double want = 1;
	int i;

	for (i = 0; i < CALC_MAX_DEPTH; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "1 + 2 * (");
	n += (size_t)snprintf(text + n, sizeof text - n, "1 + 2 * 3");
	for (i = 0; i < CALC_MAX_DEPTH; i++)
		text[n++] = ')';
	text[n] = 0;
	want = 1 + 2 * 3;
	for (i = 0; i < CALC_MAX_DEPTH; i++)
		want = 1 + 2 * want;
	value_is(text, want);

	/* a long chain stays shallow */
	n = 0;
	for (i = 0; i < 300; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "a - ");
	snprintf(text + n, sizeof text - n, "1");
	value_is(text, 2 - 299 * 2 - 1);

	/* any number of unary minus signs */
	{
		char *m = malloc(100002);
		if (m) {
			memset(m, '-', 100000);
			m[100000] = '4';
			m[100001] = 0;
			value_is(m, 4);
			m[0] = ' ';
			value_is(m, -4);
			free(m);
		}
	}
}

static void test_ops(void)
{
	static const struct {
		const char *s;  /* text */
		calc_op op;     /* its operator */
		const char *canon; /* calc_op_text */
	} good[] = {
		{ "=", CALC_EQ, "=" }, { "==", CALC_EQ, "=" }, { "!=", CALC_NE, "!=" },
		{ "<>", CALC_NE, "!=" }, { "<", CALC_LT, "<" }, { "<=", CALC_LE, "<=" },
		{ ">", CALC_GT, ">" }, { ">=", CALC_GE, ">=" },
	};
	static const char *const bad[] = { "", " =", "= ", "===", "=<", "=>", "!", "<<", "≤", "eq" };
	size_t i;
	calc_op op;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		op = (calc_op)-1;
		is_int(calc_op_parse(good[i].s, &op), 0, "op \"%s\" parses", good[i].s);
		is_int(op, good[i].op, "op \"%s\"", good[i].s);
		is_str(calc_op_text(op), good[i].canon, "op \"%s\" text", good[i].s);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		op = CALC_GE;
		is_int(calc_op_parse(bad[i], &op), -1, "op \"%s\" refused", bad[i]);
		is_int(op, CALC_GE, "op \"%s\": *op untouched", bad[i]);
	}
	is_int(calc_op_parse(NULL, &op), -1, "op NULL refused");
}

/* calc_compare(l, op, r, tol) is want. */
static void cmp_is(double l, calc_op op, double r, double tol, int want)
{
	is_int(calc_compare(l, op, r, tol), want, "%.17g %s %.17g (tolerance %g) %s", l, calc_op_text(op), r,
	       tol, want ? "holds" : "fails");
}

static void test_compare(void)
{
	const double over = 10.5 + 1e-6;       /* just past the tolerance */
	double inf = INFINITY;
	int op;

	/* tolerance 0.5: 10 and 10.5 are equal, 10 and 10.500001 are not */
	cmp_is(10, CALC_EQ, 10.5, 0.5, 1);
	cmp_is(10.5, CALC_EQ, 10, 0.5, 1);
	cmp_is(10, CALC_EQ, over, 0.5, 0);
	cmp_is(over, CALC_EQ, 10, 0.5, 0);
	cmp_is(10, CALC_NE, 10.5, 0.5, 0);
	cmp_is(10, CALC_NE, over, 0.5, 1);
	cmp_is(10, CALC_LT, 10.5, 0.5, 0);
	cmp_is(10, CALC_LT, over, 0.5, 1);
	cmp_is(10.5, CALC_LT, 10, 0.5, 0);
	cmp_is(10, CALC_LE, 10.5, 0.5, 1);
	cmp_is(10.5, CALC_LE, 10, 0.5, 1);
	cmp_is(over, CALC_LE, 10, 0.5, 0);
	cmp_is(10, CALC_LE, over, 0.5, 1);
	cmp_is(10.5, CALC_GT, 10, 0.5, 0);
	cmp_is(over, CALC_GT, 10, 0.5, 1);
	cmp_is(10, CALC_GT, 10.5, 0.5, 0);
	cmp_is(10, CALC_GE, 10.5, 0.5, 1);
	cmp_is(10.5, CALC_GE, 10, 0.5, 1);
	cmp_is(10, CALC_GE, over, 0.5, 0);
	cmp_is(over, CALC_GE, 10, 0.5, 1);

	/* tolerance 0: exact, up to the relative slack */
	cmp_is(1466, CALC_EQ, 1466, 0, 1);
	cmp_is(1466, CALC_EQ, 1467, 0, 0);
	cmp_is(1466, CALC_LT, 1466, 0, 0);
	cmp_is(1466, CALC_LE, 1466, 0, 1);
	cmp_is(1466, CALC_GT, 1466, 0, 0);
	cmp_is(1466, CALC_GE, 1466, 0, 1);
	cmp_is(1466, CALC_NE, 1466, 0, 0);
	cmp_is(1466, CALC_LT, 1467, 0, 1);
	cmp_is(1467, CALC_GT, 1466, 0, 1);
	cmp_is(0.1 + 0.2, CALC_EQ, 0.3, 0, 1);
	cmp_is(0.1 + 0.2, CALC_GT, 0.3, 0, 0);
	cmp_is(1, CALC_EQ, 1 + 2e-9, 0, 0);
	cmp_is(1, CALC_LT, 1 + 2e-9, 0, 1);
	cmp_is(1, CALC_EQ, 1 + 0.5e-9, 0, 1);
	cmp_is(0, CALC_EQ, 1e-300, 0, 0);
	cmp_is(-0.0, CALC_EQ, 0.0, 0, 1);

	/* the reported-value check: binary rounding at the half-unit boundary */
	ok(fabs(94.825 - 94.82) > 0.005, "94.825 - 94.82 exceeds 0.005 in binary");
	cmp_is(94.825, CALC_EQ, 94.82, 0.005, 1);
	cmp_is(94.815, CALC_EQ, 94.82, 0.005, 1);
	cmp_is(94.8251, CALC_EQ, 94.82, 0.005, 0);
	cmp_is(94.8149, CALC_EQ, 94.82, 0.005, 0);
	cmp_is(6042.725, CALC_EQ, 6042.72, 0.005, 1);
	cmp_is(1466.5, CALC_EQ, 1466, 0.5, 1);
	cmp_is(1466.6, CALC_EQ, 1466, 0.5, 0);
	cmp_is(-3, CALC_EQ, -3.5, 0.5, 1);
	cmp_is(-3, CALC_GT, -3.6, 0.5, 1);

	/* negative or NaN tolerance counts as 0 */
	cmp_is(1, CALC_EQ, 2, -5, 0);
	cmp_is(1, CALC_LT, 2, -5, 1);
	cmp_is(1, CALC_EQ, 1, -5, 1);
	cmp_is(1, CALC_EQ, 2, NAN, 0);
	cmp_is(1, CALC_EQ, 1, NAN, 1);

	/* NaN fails everything; infinities equal only themselves */
	for (op = CALC_EQ; op <= CALC_GE; op++) {
		cmp_is(NAN, (calc_op)op, 1, 0, 0);
		cmp_is(1, (calc_op)op, NAN, 1, 0);
	}
	cmp_is(inf, CALC_EQ, inf, 0, 1);
	cmp_is(inf, CALC_EQ, 1e308, 1e300, 0);
	cmp_is(inf, CALC_GT, 1e308, 0, 1);
	cmp_is(-inf, CALC_LT, -1e308, 0, 1);
	cmp_is(-inf, CALC_NE, inf, 0, 1);
	cmp_is(inf, CALC_GE, inf, 0, 1);
}

static void test_half_unit(void)
{
	static const struct {
		const char *s;  /* printed figure */
		double want;    /* half a unit of its last decimal */
	} cases[] = {
		{ "94.82", 0.005 },
		{ "1466", 0.5 },
		{ "6,042.72", 0.005 },
		{ "26.31%", 0.005 },
		{ "0.0015", 0.00005 },
		{ "12.0", 0.05 },
		{ "  12.0 ", 0.05 },
		{ "-3.5", 0.05 },
		{ "+7", 0.5 },
		{ "1,466", 0.5 },
		{ "1,466.", 0.5 },
		{ ".5", 0.05 },
		{ "0", 0.5 },
		{ "1.5e3", 50 },
		{ "2.02004E+11", 5e5 },
		{ "1e-2", 0.005 },
		{ "15E", 0.5 },
		{ "１４６６", 0.5 },
		{ "９４．８２％", 0.005 },
		{ "６，０４２．７２", 0.005 },
		{ "约94.8%", 0.05 },
		{ "6042.72万元", 0.005 },
		{ "94.82% (2023)", 0.005 },
		{ "", 0 },
		{ "-", 0 },
		{ "无", 0 },
		{ ".", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		is_num(calc_half_unit(cases[i].s), cases[i].want, "half unit of \"%s\"", cases[i].s);
	is_num(calc_half_unit(NULL), 0, "half unit of NULL");
}

int main(void)
{
	test_arithmetic();
	test_refs();
	test_missing_divzero();
	test_parse_errors();
	test_deep_stack();
	test_ops();
	test_compare();
	test_half_unit();
	return tap_done();
}
