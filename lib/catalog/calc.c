/*
 * calc.c - formulas over indicator values; see calc.h.
 *
 * calc_parse is a recursive-descent parser over an on-demand lexer (one
 * token of lookahead), so the first error in reading order is reported.
 * It emits a postfix program as it goes: push a constant, push reference
 * i, negate, and the four binary operators.  While emitting it tracks the
 * stack depth the program needs; with parentheses nested at most
 * CALC_MAX_DEPTH deep that is at most 2 * (CALC_MAX_DEPTH + 1) + 1, so
 * calc_eval runs the program on a fixed array on its own stack.  Runs of
 * unary minus are folded to one negation or none (-(-x) == x exactly).
 */
#include "lib/catalog/calc.h"
#include "lib/catalog/val.h"
#include "lib/util/mem.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALC_STACK (2 * (CALC_MAX_DEPTH + 1) + 1)       /* evaluation stack calc_eval provides */

enum { P_NUM, P_REF, P_NEG, P_ADD, P_SUB, P_MUL, P_DIV };        /* program ops */

typedef struct cop {
	unsigned char op;       /* P_* */
	size_t ref;             /* P_REF: index into refs */
	double num;             /* P_NUM: the constant */
} cop;

struct calc {
	char *text;             /* the text as given */
	cop *prog;              /* the postfix program */
	size_t nprog;           /* ops used */
	size_t capprog;         /* ops allocated */
	calc_ref *refs;         /* distinct references, in order of first appearance */
	size_t nrefs;           /* references used */
	size_t caprefs;         /* references allocated */
};

enum { T_EOF, T_NUM, T_CODE, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_LP, T_RP };  /* tokens */

typedef struct token {
	int kind;               /* T_* */
	size_t pos;             /* byte offset of its first character */
	size_t len;             /* its length in bytes */
	double num;             /* T_NUM: the value */
} token;

typedef struct parser {
	const char *text;       /* the formula */
	size_t pos;             /* lexer position (byte offset) */
	token tok;              /* the current token */
	calc *f;                /* the formula being built */
	int depth;              /* nesting of '(' */
	int sp;                 /* stack depth after the ops emitted so far */
	int maxsp;              /* the deepest it got */
	char *err;              /* caller's message buffer (may be NULL) */
	size_t errlen;          /* its size */
	int *errcol;            /* caller's column (may be NULL) */
} parser;

/* ---- errors ---- */

/* Record an error at byte offset pos; gives -1. */
#define fail(p, pos, ...) VAL_PARSE_FAIL(p, pos, __VA_ARGS__)

/* ---- lexer ---- */

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_code_start(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_code_char(int c)
{
	return is_code_start(c) || is_digit(c) || c == '.';
}

/* Read a NUMBER at p->pos into p->tok.  Converted without the locale: the
 * digits without the point, then "e-<fraction digits>", through strtod
 * (correctly rounded). */
static int lex_number(parser *p)
{
	const char *s = p->text;
	size_t i = p->pos, frac = 0, n = 0;
	char small[64], *buf = small;
	double v;

	while (is_digit((unsigned char)s[i]))
		i++;
	if (s[i] == '.') {
		if (!is_digit((unsigned char)s[i + 1]))
			return fail(p, i + 1, "expected a digit after '.'");
		i++;
		while (is_digit((unsigned char)s[i]))
			i++, frac++;
	}
	p->tok.kind = T_NUM;
	p->tok.len = i - p->pos;
	if (p->tok.len + 32 > sizeof small)
		buf = xmalloc(p->tok.len + 32);
	for (i = p->pos; i < p->pos + p->tok.len; i++) {
		if (s[i] != '.')
			buf[n++] = s[i];
	}
	snprintf(buf + n, 32, "e-%zu", frac);
	v = strtod(buf, NULL);
	if (buf != small)
		free(buf);
	if (isinf(v))
		return fail(p, p->pos, "number out of range");
	p->tok.num = v;
	return 0;
}

/* Advance to the next token; -1 (error recorded) on a bad character. */
static int lex(parser *p)
{
	const char *s = p->text;
	unsigned char c;
	size_t n;

	while (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\n' || s[p->pos] == '\r' ||
	       s[p->pos] == '\f' || s[p->pos] == '\v')
		p->pos++;
	p->tok.pos = p->pos;
	p->tok.len = 1;
	c = (unsigned char)s[p->pos];
	switch (c) {
	case 0:
		p->tok.kind = T_EOF;
		p->tok.len = 0;
		return 0;
	case '+': p->tok.kind = T_PLUS; break;
	case '-': p->tok.kind = T_MINUS; break;
	case '*': p->tok.kind = T_STAR; break;
	case '/': p->tok.kind = T_SLASH; break;
	case '(': p->tok.kind = T_LP; break;
	case ')': p->tok.kind = T_RP; break;
	default:
		if (is_digit(c)) {
			if (lex_number(p) < 0)
				return -1;
			p->pos += p->tok.len;
			return 0;
		}
		if (is_code_start(c)) {
			n = 1;
			while (is_code_char((unsigned char)s[p->pos + n]))
				n++;
			if (s[p->pos + n - 1] == '.')
				return fail(p, p->pos + n - 1, "indicator code '%.*s' ends with '.'",
					    n > 64 ? 64 : (int)n, s + p->pos);
			p->tok.kind = T_CODE;
			p->tok.len = n;
			p->pos += n;
			return 0;
		}
		/* the whole character (the text is valid UTF-8) */
		n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		return fail(p, p->pos, "unexpected character '%.*s'", (int)n, s + p->pos);
	}
	p->pos++;
	return 0;
}

/* ---- program ---- */

/* Append an op; sp_delta is its effect on the stack depth. */
static int emit(parser *p, int op, size_t ref, double num, int sp_delta)
{
	calc *f = p->f;
	size_t cap;

	if (f->nprog == f->capprog) {
		cap = f->capprog ? 2 * f->capprog : 16;
		f->prog = xreallocarray(f->prog, cap, sizeof *f->prog);
		f->capprog = cap;
	}
	f->prog[f->nprog].op = (unsigned char)op;
	f->prog[f->nprog].ref = ref;
	f->prog[f->nprog].num = num;
	f->nprog++;
	p->sp += sp_delta;
	if (p->sp > p->maxsp)
		p->maxsp = p->sp;
	return 0;
}

/* Index of reference (code[0..len), type), added if new. */
static long ref_index(parser *p, const char *code, size_t len, calc_reftype type)
{
	calc *f = p->f;
	size_t i, cap;

	for (i = 0; i < f->nrefs; i++) {
		if (f->refs[i].type == type && strlen(f->refs[i].code) == len &&
		    memcmp(f->refs[i].code, code, len) == 0)
			return (long)i;
	}
	if (f->nrefs == f->caprefs) {
		cap = f->caprefs ? 2 * f->caprefs : 4;
		f->refs = xreallocarray(f->refs, cap, sizeof *f->refs);
		f->caprefs = cap;
	}
	f->refs[f->nrefs].code = xstrndup(code, len);
	f->refs[f->nrefs].type = type;
	return (long)f->nrefs++;
}

/* ---- parser ---- */

static int parse_expr(parser *p);

/* Describe the current token for "unexpected ...". */
static int unexpected(parser *p)
{
	if (p->tok.kind == T_EOF)
		return fail(p, p->tok.pos, "unexpected end of formula");
	return fail(p, p->tok.pos, "unexpected '%.*s'", (int)(p->tok.len > 64 ? 64 : p->tok.len),
		    p->text + p->tok.pos);
}

/* A function name's reference type, or -1 if code[0..len) is none. */
static int func_type(const char *code, size_t len)
{
	static const struct {
		const char *name;       /* function name */
		calc_reftype type;      /* what it refers to */
	} funcs[] = {
		{ "computed", CALC_VALUE },
		{ "reported", CALC_REPORTED },
		{ "numerator", CALC_NUMERATOR },
		{ "denominator", CALC_DENOMINATOR },
	};
	size_t i;

	for (i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
		if (strlen(funcs[i].name) == len && memcmp(funcs[i].name, code, len) == 0)
			return (int)funcs[i].type;
	}
	return -1;
}

static int parse_primary(parser *p)
{
	token name;
	long ref;
	int type;

	switch (p->tok.kind) {
	case T_NUM:
		if (emit(p, P_NUM, 0, p->tok.num, +1) < 0)
			return -1;
		return lex(p);
	case T_LP:
		if (p->depth >= CALC_MAX_DEPTH)
			return fail(p, p->tok.pos, "formula nested too deeply");
		p->depth++;
		if (lex(p) < 0 || parse_expr(p) < 0)
			return -1;
		if (p->tok.kind != T_RP)
			return fail(p, p->tok.pos, "expected ')'");
		p->depth--;
		return lex(p);
	case T_CODE:
		name = p->tok;
		if (lex(p) < 0)
			return -1;
		if (p->tok.kind != T_LP) {
			ref = ref_index(p, p->text + name.pos, name.len, CALC_VALUE);
			if (ref < 0)
				return -1;
			return emit(p, P_REF, (size_t)ref, 0, +1);
		}
		type = func_type(p->text + name.pos, name.len);
		if (type < 0)
			return fail(p, name.pos, "unknown function '%.*s'",
				    (int)(name.len > 64 ? 64 : name.len), p->text + name.pos);
		if (lex(p) < 0)
			return -1;
		if (p->tok.kind != T_CODE)
			return fail(p, p->tok.pos, "expected an indicator code");
		ref = ref_index(p, p->text + p->tok.pos, p->tok.len, (calc_reftype)type);
		if (ref < 0 || emit(p, P_REF, (size_t)ref, 0, +1) < 0 || lex(p) < 0)
			return -1;
		if (p->tok.kind != T_RP)
			return fail(p, p->tok.pos, "expected ')'");
		return lex(p);
	default:
		return unexpected(p);
	}
}

static int parse_unary(parser *p)
{
	int neg = 0;

	while (p->tok.kind == T_MINUS) {
		neg = !neg;
		if (lex(p) < 0)
			return -1;
	}
	if (parse_primary(p) < 0)
		return -1;
	return neg ? emit(p, P_NEG, 0, 0, 0) : 0;
}

/* A term (sum = 0: unary {* or / unary}) or a sum (sum = 1: term
 * {+ or - term}), left-associative. */
static int parse_level(parser *p, int sum)
{
	int a = sum ? T_PLUS : T_STAR, b = sum ? T_MINUS : T_SLASH;
	int op;

	if ((sum ? parse_level(p, 0) : parse_unary(p)) < 0)
		return -1;
	while (p->tok.kind == a || p->tok.kind == b) {
		op = sum ? (p->tok.kind == a ? P_ADD : P_SUB) : (p->tok.kind == a ? P_MUL : P_DIV);
		if (lex(p) < 0 || (sum ? parse_level(p, 0) : parse_unary(p)) < 0 || emit(p, op, 0, 0, -1) < 0)
			return -1;
	}
	return 0;
}

static int parse_expr(parser *p)
{
	return parse_level(p, 1);
}

calc *calc_parse(const char *text, int *errcol, char *err, size_t errlen)
{
	parser p = { .text = text ? text : "", .err = err, .errlen = errlen, .errcol = errcol };

	if (val_parse_begin(p.text, err, errlen, errcol) < 0)
		return NULL;
	p.f = xcalloc(1, sizeof *p.f);
	p.f->text = xstrdup(p.text);
	if (lex(&p) < 0)
		goto err;
	if (p.tok.kind == T_EOF) {
		fail(&p, p.tok.pos, "empty formula");
		goto err;
	}
	if (parse_expr(&p) < 0)
		goto err;
	if (p.tok.kind == T_RP) {
		unexpected(&p);
		goto err;
	}
	if (p.tok.kind != T_EOF) {
		fail(&p, p.tok.pos, "trailing input");
		goto err;
	}
	if (p.maxsp > CALC_STACK) {     /* cannot happen, see the file comment */
		fail(&p, 0, "formula too complex");
		goto err;
	}
	return p.f;
err:
	calc_free(p.f);
	return NULL;
}

size_t calc_nrefs(const calc *f)
{
	return f ? f->nrefs : 0;
}

const calc_ref *calc_ref_at(const calc *f, size_t i)
{
	return f && i < f->nrefs ? &f->refs[i] : NULL;
}

const char *calc_text(const calc *f)
{
	return f ? f->text : NULL;
}

calc_status calc_eval(const calc *f, const double *vals, const unsigned char *present, double *out)
{
	double st[CALC_STACK];
	size_t i, sp = 0;

	if (present) {
		for (i = 0; i < f->nrefs; i++) {
			if (!present[i])
				return CALC_MISSING;
		}
	}
	for (i = 0; i < f->nprog; i++) {
		const cop *o = &f->prog[i];

		switch (o->op) {
		case P_NUM: st[sp++] = o->num; break;
		case P_REF: st[sp++] = vals[o->ref]; break;
		case P_NEG: st[sp - 1] = -st[sp - 1]; break;
		case P_ADD: sp--; st[sp - 1] += st[sp]; break;
		case P_SUB: sp--; st[sp - 1] -= st[sp]; break;
		case P_MUL: sp--; st[sp - 1] *= st[sp]; break;
		case P_DIV:
			sp--;
			if (st[sp] == 0)
				return CALC_DIVZERO;
			st[sp - 1] /= st[sp];
			break;
		}
	}
	*out = st[0];
	return CALC_OK;
}

void calc_free(calc *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nrefs; i++)
		free(f->refs[i].code);
	free(f->refs);
	free(f->prog);
	free(f->text);
	free(f);
}

/* ---- comparisons ---- */

static const struct {
	const char *text;       /* as written in a check */
	calc_op op;             /* the operator */
} op_names[] = {
	{ "=", CALC_EQ }, { "==", CALC_EQ }, { "!=", CALC_NE }, { "<>", CALC_NE },
	{ "<", CALC_LT }, { "<=", CALC_LE }, { ">", CALC_GT }, { ">=", CALC_GE },
};

int calc_op_parse(const char *s, calc_op *op)
{
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < sizeof op_names / sizeof op_names[0]; i++) {
		if (strcmp(s, op_names[i].text) == 0) {
			*op = op_names[i].op;
			return 0;
		}
	}
	return -1;
}

const char *calc_op_text(calc_op op)
{
	switch (op) {
	case CALC_EQ: return "=";
	case CALC_NE: return "!=";
	case CALC_LT: return "<";
	case CALC_LE: return "<=";
	case CALC_GT: return ">";
	case CALC_GE: return ">=";
	}
	return "?";
}

int calc_compare(double left, calc_op op, double right, double tolerance)
{
	int eq;

	if (isnan(left) || isnan(right))
		return 0;
	if (!(tolerance > 0))
		tolerance = 0;
	if (left == right)
		eq = 1;
	else if (isinf(left) || isinf(right))
		eq = 0;
	else
		eq = fabs(left - right) <= tolerance + 1e-9 * fmax(fabs(left), fabs(right));
	switch (op) {
	case CALC_EQ: return eq;
	case CALC_NE: return !eq;
	case CALC_LT: return !eq && left < right;
	case CALC_LE: return eq || left < right;
	case CALC_GT: return !eq && left > right;
	case CALC_GE: return eq || left > right;
	}
	return 0;
}

/* ---- half a unit ---- */

/* The character at s[*i] as ASCII (full-width digits, '．', '，' mapped;
 * other non-ASCII characters give 0x80), advancing *i past it. */
static int ascii_at(const char *s, size_t *i)
{
	const unsigned char *u = (const unsigned char *)s + *i;

	if (u[0] == 0xEF && u[1] == 0xBC) {
		if (u[2] >= 0x90 && u[2] <= 0x99) {
			*i += 3;
			return '0' + (u[2] - 0x90);
		}
		if (u[2] == 0x8E || u[2] == 0x8C) {
			*i += 3;
			return u[2] == 0x8E ? '.' : ',';
		}
	}
	(*i)++;
	if (u[0] < 0x80)
		return u[0];
	while ((s[*i] & 0xC0) == 0x80)
		(*i)++;
	return 0x80;
}

double calc_half_unit(const char *numeric_text)
{
	const char *s = numeric_text;
	size_t i = 0, j, k;
	long frac = 0, ex = 0, e;
	int c, seen_point = 0, neg = 0;

	if (!s)
		return 0;
	/* the start: a digit, or a '.' followed by a digit */
	for (;;) {
		j = i;
		if (!s[i])
			return 0;
		c = ascii_at(s, &i);
		if (is_digit(c))
			break;
		k = i;
		if (c == '.' && is_digit(ascii_at(s, &k)))
			break;
	}
	/* the run of digits, ',' and '.': count digits after its last '.' */
	i = j;
	for (;;) {
		j = i;
		if (!s[i])
			break;
		c = ascii_at(s, &i);
		if (c == '.') {
			seen_point = 1;
			frac = 0;
		} else if (is_digit(c)) {
			if (seen_point && frac < 1000)
				frac++;
		} else if (c != ',') {
			break;
		}
	}
	/* an exponent: e or E, optional sign, digits */
	i = j;
	if (s[i] == 'e' || s[i] == 'E') {
		i++;
		if (s[i] == '+' || s[i] == '-')
			neg = s[i++] == '-';
		if (is_digit((unsigned char)s[i])) {
			for (e = 0; is_digit((unsigned char)s[i]); i++) {
				if (e < 1000)
					e = e * 10 + (s[i] - '0');
			}
			ex = neg ? -e : e;
		}
	}
	e = frac - ex;
	return e >= 0 ? 0.5 / pow(10, (double)e) : 0.5 * pow(10, (double)-e);
}
