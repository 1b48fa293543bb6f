/*
 * expr.c - filter expressions of indicator rules; see expr.h.
 *
 * expr_parse is a recursive-descent parser over an on-demand lexer (one
 * token of lookahead), so the first error in reading order is the one
 * reported.  It type-checks as it goes and compiles into flat arrays:
 * every node in e->nodes (AND/OR children linked through `next`, nested
 * chains of the same operator spliced into one), IN list constants in
 * e->lits, and every string (field names, text literals) owned by e->strs.
 * Date literals are converted to day numbers at parse time.
 *
 * expr_eval walks the nodes with SQL three-valued logic and short-circuit
 * AND/OR.  It only reads e and the row, so it never allocates; its
 * recursion depth is bounded by EXPR_MAX_DEPTH (AND/OR chains are flat).
 *
 * one file: the lexer, the parser, the evaluator and the printer share the
 * compiled node layout (enode), the token and keyword tables and the
 * operator texts; split, they would need a private header exposing all of
 * them, and the parser's type rules would sit apart from the evaluator
 * that relies on them.
 */
#include "lib/catalog/expr.h"

#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/catalog/val.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

enum { N_AND, N_OR, N_NOT, N_CMP, N_IN, N_ISNULL };     /* node kinds */
enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };      /* comparison operators */
enum { C_TEXT, C_NUM, C_BOOL };                         /* how two values compare */

typedef struct enode {
	unsigned char kind;     /* N_* */
	unsigned char op;       /* N_CMP: OP_* */
	unsigned char cls;      /* N_CMP, N_IN: C_* */
	unsigned char neg;      /* N_IN: NOT IN; N_ISNULL: IS NOT NULL */
	unsigned char bare;     /* N_CMP: a bare bool field (means field = TRUE) */
	unsigned char byid;     /* N_CMP (= or !=), N_IN: text constants carry ids of field a's dictionary (expr_intern) */
	expr_type type;         /* N_CMP, N_IN, N_ISNULL: type of the operands */
	int a;                  /* row index of the left (or only) operand, -1: the constant ca */
	int b;                  /* N_CMP: row index of the right operand, -1: the constant cb */
	expr_value ca;          /* constant left operand */
	expr_value cb;          /* constant right operand */
	const char *na;         /* field name of operand a (NULL for a constant), owned by e->strs */
	const char *nb;         /* field name of operand b (NULL for a constant), owned by e->strs */
	int first;              /* N_AND/N_OR: first child; N_NOT: the child; N_IN: first constant in lits */
	int count;              /* N_IN: number of constants */
	int next;               /* next sibling under an N_AND/N_OR, -1 at the end */
} enode;

struct expr {
	enode *nodes;           /* all nodes (some spliced-away chains are unused) */
	int nnodes;             /* nodes used */
	int capnodes;           /* nodes allocated */
	expr_value *lits;       /* constants of all IN lists */
	int nlits;              /* constants used */
	int caplits;            /* constants allocated */
	char **strs;            /* strings owned by the expression */
	int nstrs;              /* strings used */
	int capstrs;            /* strings allocated */
	int root;               /* index of the top node */
};

/* ---- dates ---- */

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

int expr_date_days(const char *iso, long *days)
{
	static const char shape[] = "dddd-dd-dd";
	int y, m, d, i, yy, mm, dd;
	long n;

	if (!iso)
		return -1;
	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? !is_digit((unsigned char)iso[i]) : iso[i] != shape[i])
			return -1;
	}
	if (iso[i])
		return -1;
	y = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 + (iso[2] - '0') * 10 + (iso[3] - '0');
	m = (iso[5] - '0') * 10 + (iso[6] - '0');
	d = (iso[8] - '0') * 10 + (iso[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	/* A day that does not exist (2023-02-29) does not survive the round trip. */
	n = val_ymd_to_days(y, m, d);
	val_days_to_ymd(n, &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return -1;
	if (days)
		*days = n;
	return 0;
}

/* ---- evaluation ---- */

static int compare(int cls, const expr_value *x, const expr_value *y)
{
	switch (cls) {
	case C_TEXT:
		return strcmp(x->s ? x->s : "", y->s ? y->s : "");
	case C_BOOL:
		return (x->num != 0) - (y->num != 0);
	default:
		return (x->num > y->num) - (x->num < y->num);
	}
}

static int eval_node(const expr *e, const enode *n, const expr_value *row)
{
	const enode *nodes = e->nodes;
	const expr_value *x, *y;
	int i, r, v, c;

	switch (n->kind) {
	case N_AND:
	case N_OR:
		/* AND stops at the first FALSE, OR at the first TRUE */
		c = n->kind == N_AND ? EXPR_FALSE : EXPR_TRUE;
		r = n->kind == N_AND ? EXPR_TRUE : EXPR_FALSE;
		for (i = n->first; i >= 0; i = nodes[i].next) {
			v = eval_node(e, &nodes[i], row);
			if (v == c)
				return c;
			if (v == EXPR_UNKNOWN)
				r = EXPR_UNKNOWN;
		}
		return r;
	case N_NOT:
		v = eval_node(e, &nodes[n->first], row);
		return v == EXPR_UNKNOWN ? EXPR_UNKNOWN : !v;
	case N_CMP:
		x = n->a >= 0 ? &row[n->a] : &n->ca;
		y = n->b >= 0 ? &row[n->b] : &n->cb;
		if (x->isnull || y->isnull)
			return EXPR_UNKNOWN;
		if (n->byid && x->id && y->id)
			c = x->id != y->id;
		else
			c = compare(n->cls, x, y);
		switch (n->op) {
		case OP_EQ: return c == 0;
		case OP_NE: return c != 0;
		case OP_LT: return c < 0;
		case OP_LE: return c <= 0;
		case OP_GT: return c > 0;
		default:    return c >= 0;
		}
	case N_IN:
		x = n->a >= 0 ? &row[n->a] : &n->ca;
		if (x->isnull)
			return EXPR_UNKNOWN;
		if (n->byid && x->id) {
			for (i = 0; i < n->count; i++)
				if (e->lits[n->first + i].id == x->id)
					return !n->neg;
			return n->neg;
		}
		for (i = 0; i < n->count; i++) {
			if (compare(n->cls, x, &e->lits[n->first + i]) == 0)
				return !n->neg;
		}
		return n->neg;
	case N_ISNULL:
		x = n->a >= 0 ? &row[n->a] : &n->ca;
		return x->isnull ? !n->neg : n->neg;
	}
	return EXPR_UNKNOWN;
}

int expr_eval(const expr *e, const expr_value *row)
{
	if (!e)
		return EXPR_TRUE;
	return eval_node(e, &e->nodes[e->root], row);
}

void expr_intern(expr *e, expr_intern_fn intern, void *ctx)
{
	if (!e)
		return;
	for (int k = 0; k < e->nnodes; k++) {
		enode *n = &e->nodes[k];
		if (n->cls != C_TEXT || n->type != EXPR_TEXT)
			continue;
		if (n->kind == N_CMP && (n->op == OP_EQ || n->op == OP_NE) && (n->a >= 0) != (n->b >= 0)) {
			/* keep the field on the a side: the id is looked up in its dictionary */
			int field = n->a >= 0 ? n->a : n->b;
			expr_value *c = n->a >= 0 ? &n->cb : &n->ca;
			if (!c->isnull && c->s && (c->id = intern(ctx, field, c->s)) != 0)
				n->byid = 1;
		} else if (n->kind == N_IN && n->a >= 0) {
			int all = 1;
			for (int i = 0; i < n->count; i++) {
				expr_value *c = &e->lits[n->first + i];
				if (c->isnull || !c->s || !(c->id = intern(ctx, n->a, c->s)))
					all = 0;
			}
			n->byid = (unsigned char)all;
		}
	}
}

/* expr_fields from node i down. */
static void fields_of(const expr *e, int i, expr_field_fn fn, void *ctx)
{
	const enode *n = &e->nodes[i];

	switch (n->kind) {
	case N_AND:
	case N_OR:
		for (int c = n->first; c >= 0; c = e->nodes[c].next)
			fields_of(e, c, fn, ctx);
		return;
	case N_NOT:
		fields_of(e, n->first, fn, ctx);
		return;
	default:
		if (n->a >= 0)
			fn(ctx, n->a, n->type, n->kind == N_ISNULL);
		if (n->kind == N_CMP && n->b >= 0)
			fn(ctx, n->b, n->type, 0);
	}
}

void expr_fields(const expr *e, expr_field_fn fn, void *ctx)
{
	if (e)
		fields_of(e, e->root, fn, ctx);
}

void expr_free(expr *e)
{
	int i;

	if (!e)
		return;
	for (i = 0; i < e->nstrs; i++)
		free(e->strs[i]);
	free(e->strs);
	free(e->nodes);
	free(e->lits);
	free(e);
}

/* ---- lexer ---- */

enum {
	T_EOF, T_LPAREN, T_RPAREN, T_COMMA, T_CMP, T_IDENT, T_QIDENT, T_STRING, T_NUMBER,
	T_AND, T_OR, T_NOT, T_IN, T_IS, T_NULL, T_TRUE, T_FALSE
};

static const struct {
	const char *word;       /* keyword, lower case */
	int kind;               /* its token */
} keywords[] = {
	{ "and", T_AND }, { "or", T_OR }, { "not", T_NOT }, { "in", T_IN }, { "is", T_IS },
	{ "null", T_NULL }, { "true", T_TRUE }, { "false", T_FALSE },
};

static const char *const op_text[] = { "=", "!=", "<", "<=", ">", ">=" };

typedef struct token {
	int kind;               /* T_* */
	int op;                 /* T_CMP: OP_* */
	size_t pos;             /* byte offset of the token in the text */
	size_t end;             /* byte offset just past it */
	const char *str;        /* T_IDENT, T_QIDENT, T_STRING: the decoded text, owned by e->strs */
	double num;             /* T_NUMBER: the value */
} token;

typedef struct parser {
	const char *text;       /* the expression */
	size_t pos;             /* lexer position (byte offset) */
	token tok;              /* the current token */
	expr *e;                /* the expression being built */
	expr_resolve_fn resolve;/* field lookup */
	void *ctx;              /* its context */
	int depth;              /* nesting of '(' and NOT */
	char *err;              /* caller's message buffer (may be NULL) */
	size_t errlen;          /* its size */
	int *errcol;            /* caller's column (may be NULL) */
} parser;

/* Record an error at byte offset pos; gives -1. */
#define fail(p, pos, ...) VAL_PARSE_FAIL(p, pos, __VA_ARGS__)

/* Copy s[0..n) into buf for a message, cut at a code point boundary with
 * "..." when longer than fits. */
static const char *clip(const char *s, size_t n, char *buf, size_t size)
{
	size_t max = size - 4;

	if (n <= size - 1) {
		memcpy(buf, s, n);
		buf[n] = 0;
		return buf;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	memcpy(buf, s, max);
	memcpy(buf + max, "...", 4);
	return buf;
}

/* The source text of the current token for a message: 'x' (quoted
 * literals and identifiers as written), or "the end of the expression". */
static const char *tok_desc(parser *p, char *buf, size_t size)
{
	char tmp[64];
	const token *t = &p->tok;

	if (t->kind == T_EOF)
		return "the end of the expression";
	clip(p->text + t->pos, t->end - t->pos, tmp, sizeof tmp);
	if (t->kind == T_STRING || t->kind == T_QIDENT)
		snprintf(buf, size, "%s", tmp);
	else
		snprintf(buf, size, "'%s'", tmp);
	return buf;
}

/* Take ownership of s (malloc'd) into e->strs; returns s. */
static char *keep(expr *e, char *s)
{
	if (e->nstrs == e->capstrs) {
		int cap = e->capstrs ? e->capstrs * 2 : 16;
		e->strs = xreallocarray(e->strs, (size_t)cap, sizeof *e->strs);
		e->capstrs = cap;
	}
	e->strs[e->nstrs++] = s;
	return s;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_idstart(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_idchar(int c)
{
	return is_idstart(c) || is_digit(c);
}

/* Keyword token of s[0..n), or T_IDENT. */
static int keyword(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
		if (strlen(keywords[i].word) == n && strncasecmp(s, keywords[i].word, n) == 0)
			return keywords[i].kind;
	}
	return T_IDENT;
}

/* Lex a q-quoted token (q doubled inside is one q) starting at s[i]:
 * its decoded text into p->tok.str, the offset past it into *endp.
 * 0, or -1 with the error recorded. */
static int lex_quoted(parser *p, size_t i, char q, size_t *endp)
{
	const char *s = p->text;
	size_t j = i + 1, n = 0;
	char *out;

	for (;;) {
		if (!s[j])
			return fail(p, i, q == '\'' ? "unterminated string literal (no closing ')"
					      : "unterminated quoted field name (no closing \")");
		if (s[j] == q) {
			if (s[j + 1] != q)
				break;
			j++;
		}
		j++;
		n++;
	}
	out = keep(p->e, xmalloc(n + 1));
	n = 0;
	for (j = i + 1;; j++) {
		if (s[j] == q) {
			if (s[j + 1] != q)
				break;
			j++;
		}
		out[n++] = s[j];
	}
	out[n] = 0;
	p->tok.str = out;
	*endp = j + 1;
	return 0;
}

/* Lex a number starting at s[i] ('-', '.' or a digit): its value into
 * p->tok.num, the offset past it into *endp.  0, or -1 with the error
 * recorded. */
static int lex_number(parser *p, size_t i, size_t *endp)
{
	const char *s = p->text;
	size_t j = i, k;
	char buf[64], *copy;
	double v;

	if (s[j] == '-')
		j++;
	if (is_digit((unsigned char)s[j])) {
		while (is_digit((unsigned char)s[j]))
			j++;
		if (s[j] == '.')
			for (j++; is_digit((unsigned char)s[j]); j++)
				;
	} else if (s[j] == '.' && is_digit((unsigned char)s[j + 1])) {
		for (j++; is_digit((unsigned char)s[j]); j++)
			;
	} else {
		return fail(p, i, "unexpected character '%c'%s", s[i],
			    s[i] == '-' ? " (a minus sign must be followed directly by digits)" : "");
	}
	if (s[j] == 'e' || s[j] == 'E') {
		k = j + 1;
		if (s[k] == '+' || s[k] == '-')
			k++;
		if (is_digit((unsigned char)s[k])) {
			while (is_digit((unsigned char)s[k]))
				k++;
			j = k;
		}
	}
	if (is_idchar((unsigned char)s[j]) || s[j] == '.') {
		while (is_idchar((unsigned char)s[j]) || s[j] == '.')
			j++;
		return fail(p, i, "invalid number '%s'", clip(s + i, j - i, buf, sizeof buf));
	}
	copy = xstrndup(s + i, j - i);
	v = strtod(copy, NULL);
	free(copy);
	if (v > DBL_MAX || v < -DBL_MAX)
		return fail(p, i, "number '%s' is out of range", clip(s + i, j - i, buf, sizeof buf));
	p->tok.num = v;
	*endp = j;
	return 0;
}

/* Read the next token into p->tok.  0, or -1 with the error recorded. */
static int lex(parser *p)
{
	const char *s = p->text;
	token *t = &p->tok;
	size_t i = p->pos, j;
	unsigned char c;

	while (is_space((unsigned char)s[i]))
		i++;
	memset(t, 0, sizeof *t);
	t->pos = i;
	c = (unsigned char)s[i];
	j = i + 1;
	switch (c) {
	case 0:
		t->kind = T_EOF;
		j = i;
		break;
	case '(':
		t->kind = T_LPAREN;
		break;
	case ')':
		t->kind = T_RPAREN;
		break;
	case ',':
		t->kind = T_COMMA;
		break;
	case '=':
		t->kind = T_CMP, t->op = OP_EQ;
		break;
	case '!':
		if (s[i + 1] != '=')
			return fail(p, i, "unexpected character '!' (not-equal is written != or <>)");
		t->kind = T_CMP, t->op = OP_NE, j = i + 2;
		break;
	case '<':
		t->kind = T_CMP, t->op = OP_LT;
		if (s[i + 1] == '=')
			t->op = OP_LE, j = i + 2;
		else if (s[i + 1] == '>')
			t->op = OP_NE, j = i + 2;
		break;
	case '>':
		t->kind = T_CMP, t->op = OP_GT;
		if (s[i + 1] == '=')
			t->op = OP_GE, j = i + 2;
		break;
	case '\'':
	case '"':
		t->kind = c == '\'' ? T_STRING : T_QIDENT;
		if (lex_quoted(p, i, (char)c, &j) < 0)
			return -1;
		if (c == '"' && !t->str[0])
			return fail(p, i, "empty quoted field name \"\"");
		break;
	default:
		if (c == '-' || c == '.' || is_digit(c)) {
			t->kind = T_NUMBER;
			if (lex_number(p, i, &j) < 0)
				return -1;
		} else if (is_idstart(c)) {
			for (j = i; is_idchar((unsigned char)s[j]); j++)
				;
			t->kind = keyword(s + i, j - i);
			if (t->kind == T_IDENT) {
				t->str = keep(p->e, xstrndup(s + i, j - i));
			}
		} else {
			/* One whole code point (the text is valid UTF-8). */
			int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;

			return fail(p, i, "unexpected character '%.*s'", n, s + i);
		}
	}
	t->end = j;
	p->pos = j;
	return 0;
}

/* ---- parser ---- */

enum { L_FIELD, L_STRING, L_NUMBER, L_BOOL, L_NULL };   /* what an operand is */

typedef struct operand {
	int lit;                /* L_* */
	int field;              /* L_FIELD: row index; else -1 */
	expr_type type;         /* the field's type, or the literal's (a string is EXPR_TEXT until compared with a date) */
	expr_value v;           /* a literal's value */
	const char *name;       /* L_FIELD: the field name, owned by e->strs */
	size_t pos;             /* byte span of the token in the text */
	size_t end;             /* byte offset past it */
} operand;

static const char *const type_name[] = { "text", "number", "bool", "date" };

static int parse_or(parser *p);

/* Append a node of kind to e->nodes; its index. */
static int new_node(parser *p, int kind)
{
	expr *e = p->e;
	enode *n;

	if (e->nnodes == e->capnodes) {
		int cap = e->capnodes ? e->capnodes * 2 : 16;
		e->nodes = xreallocarray(e->nodes, (size_t)cap, sizeof *e->nodes);
		e->capnodes = cap;
	}
	n = &e->nodes[e->nnodes];
	memset(n, 0, sizeof *n);
	n->kind = (unsigned char)kind;
	n->a = n->b = n->first = n->next = -1;
	return e->nnodes++;
}

/* A literal operand's source text, as "number 5", "text 'x'", "bool TRUE". */
static const char *lit_desc(parser *p, const operand *o, char *buf, size_t size)
{
	char tmp[64];
	const char *kind = o->lit == L_STRING ? "text " : o->lit == L_NUMBER ? "number "
			 : o->lit == L_BOOL ? "bool " : "";

	snprintf(buf, size, "%s%s", kind, clip(p->text + o->pos, o->end - o->pos, tmp, sizeof tmp));
	return buf;
}

/* Source text of an operand, for hints ("salary IS NULL"). */
static const char *op_src(parser *p, const operand *o, char *buf, size_t size)
{
	return clip(p->text + o->pos, o->end - o->pos, buf, size);
}

/*
 * Check that x and y may be compared (y an IN list member or the right
 * side of a comparison), converting a string literal compared with a date
 * field to its day number.  Afterwards x->type == y->type.
 */
static int unify(parser *p, operand *x, operand *y)
{
	static const char *const hint[] = {
		" (text is written in single quotes)", " (numbers are written without quotes)",
		" (use TRUE or FALSE)", " (dates are written 'YYYY-MM-DD')"
	};
	char d1[96], d2[96];
	operand *f, *l;
	long days;
	int okay;

	if (x->lit == L_FIELD && y->lit == L_FIELD) {
		if (x->type != y->type)
			return fail(p, y->pos, "%s field '%s' cannot be compared with %s field '%s'",
				    type_name[x->type], x->name, type_name[y->type], y->name);
		return 0;
	}
	if (x->lit != L_FIELD && y->lit != L_FIELD) {
		if (x->lit != y->lit)
			return fail(p, y->pos, "%s cannot be compared with %s", lit_desc(p, x, d1, sizeof d1),
				    lit_desc(p, y, d2, sizeof d2));
		return 0;
	}
	f = x->lit == L_FIELD ? x : y;
	l = x->lit == L_FIELD ? y : x;
	switch (f->type) {
	case EXPR_TEXT:
		okay = l->lit == L_STRING;
		break;
	case EXPR_NUMBER:
		okay = l->lit == L_NUMBER;
		break;
	case EXPR_BOOL:
		okay = l->lit == L_BOOL;
		break;
	default:
		okay = l->lit == L_STRING;
		if (okay && expr_date_days(l->v.s, &days) < 0)
			return fail(p, l->pos, "%s is not a valid date for date field '%s'%s",
				    op_src(p, l, d1, sizeof d1), f->name, hint[EXPR_DATE]);
		if (okay) {
			l->type = EXPR_DATE;
			l->v.num = (double)days;
		}
		break;
	}
	if (!okay)
		return fail(p, l->pos, "%s field '%s' cannot be compared with %s%s", type_name[f->type],
			    f->name, lit_desc(p, l, d1, sizeof d1), hint[f->type]);
	return 0;
}

/* Read a field or literal into o; what says what was expected. */
static int parse_operand(parser *p, operand *o, const char *what)
{
	token *t = &p->tok;
	char d[96];
	int index;
	expr_type type;

	memset(o, 0, sizeof *o);
	o->field = -1;
	o->pos = t->pos;
	o->end = t->end;
	switch (t->kind) {
	case T_IDENT:
	case T_QIDENT:
		if (!p->resolve || !p->resolve(p->ctx, t->str, &index, &type))
			return fail(p, t->pos, "unknown field '%s'", t->str);
		if (index < 0 || (unsigned)type > EXPR_DATE)
			return fail(p, t->pos, "field '%s': invalid index or type from the resolver", t->str);
		o->lit = L_FIELD;
		o->field = index;
		o->type = type;
		o->name = t->str;
		break;
	case T_STRING:
		o->lit = L_STRING;
		o->type = EXPR_TEXT;
		o->v.s = t->str;
		break;
	case T_NUMBER:
		o->lit = L_NUMBER;
		o->type = EXPR_NUMBER;
		o->v.num = t->num;
		break;
	case T_TRUE:
	case T_FALSE:
		o->lit = L_BOOL;
		o->type = EXPR_BOOL;
		o->v.num = t->kind == T_TRUE;
		break;
	case T_NULL:
		o->lit = L_NULL;
		o->type = EXPR_TEXT;
		o->v.isnull = 1;
		break;
	default:
		return fail(p, t->pos, "expected %s, found %s", what, tok_desc(p, d, sizeof d));
	}
	return lex(p);
}

static void set_a(enode *n, const operand *o)
{
	n->a = o->field;
	n->ca = o->v;
	n->na = o->name;
	n->type = o->type;
	n->cls = o->type == EXPR_TEXT ? C_TEXT : o->type == EXPR_BOOL ? C_BOOL : C_NUM;
}

/* operand [NOT] IN ( literal, ... ); the current token is IN. */
static int parse_in(parser *p, operand *a, int neg)
{
	expr *e = p->e;
	char d[96], s1[64];
	size_t in_pos = p->tok.pos;
	int first = e->nlits, count = 0, n;
	operand l;

	if (a->lit == L_NULL)
		return fail(p, a->pos, "NULL %sIN (...) is never true; use IS NULL", neg ? "NOT " : "");
	if (lex(p) < 0)
		return -1;
	if (p->tok.kind != T_LPAREN)
		return fail(p, p->tok.pos, "expected '(' after IN, found %s", tok_desc(p, d, sizeof d));
	if (lex(p) < 0)
		return -1;
	if (p->tok.kind == T_RPAREN)
		return fail(p, p->tok.pos, "empty IN list");
	for (;;) {
		switch (p->tok.kind) {
		case T_STRING:
		case T_NUMBER:
		case T_TRUE:
		case T_FALSE:
			break;
		case T_NULL:
			return fail(p, p->tok.pos, "NULL in an IN list never matches; test '%s IS NULL' instead",
				    op_src(p, a, s1, sizeof s1));
		case T_IDENT:
		case T_QIDENT:
			return fail(p, p->tok.pos, "an IN list holds only literals, not field '%s'", p->tok.str);
		default:
			return fail(p, p->tok.pos, "expected a literal in the IN list, found %s",
				    tok_desc(p, d, sizeof d));
		}
		if (parse_operand(p, &l, "a literal") < 0 || unify(p, a, &l) < 0)
			return -1;
		if (e->nlits == e->caplits) {
			int cap = e->caplits ? e->caplits * 2 : 16;
			e->lits = xreallocarray(e->lits, (size_t)cap, sizeof *e->lits);
			e->caplits = cap;
		}
		e->lits[e->nlits++] = l.v;
		count++;
		if (p->tok.kind == T_COMMA) {
			if (lex(p) < 0)
				return -1;
			continue;
		}
		if (p->tok.kind != T_RPAREN)
			return fail(p, p->tok.pos, "expected ',' or ')' in the IN list opened at column %d, found %s",
				    val_utf8_column(p->text, in_pos), tok_desc(p, d, sizeof d));
		if (lex(p) < 0)
			return -1;
		break;
	}
	n = new_node(p, N_IN);
	if (n < 0)
		return -1;
	set_a(&e->nodes[n], a);
	e->nodes[n].neg = (unsigned char)neg;
	e->nodes[n].first = first;
	e->nodes[n].count = count;
	return n;
}

/* A comparison a op b; the current token is the operator. */
static int parse_cmp(parser *p, operand *a)
{
	int op = p->tok.op, n;
	char what[64], s1[64];
	operand b, *nul, *other;

	snprintf(what, sizeof what, "a field or a literal after '%s'", op_text[op]);
	if (lex(p) < 0 || parse_operand(p, &b, what) < 0)
		return -1;
	if (a->lit == L_NULL || b.lit == L_NULL) {
		nul = a->lit == L_NULL ? a : &b;
		other = a->lit == L_NULL ? &b : a;
		if (op == OP_EQ || op == OP_NE)
			return fail(p, nul->pos, "comparison with NULL is never true; use '%s IS %sNULL'",
				    op_src(p, other, s1, sizeof s1), op == OP_NE ? "NOT " : "");
		return fail(p, nul->pos, "comparison with NULL is never true; use IS NULL or IS NOT NULL");
	}
	if (unify(p, a, &b) < 0)
		return -1;
	n = new_node(p, N_CMP);
	if (n < 0)
		return -1;
	set_a(&p->e->nodes[n], a);
	p->e->nodes[n].op = (unsigned char)op;
	p->e->nodes[n].b = b.field;
	p->e->nodes[n].cb = b.v;
	p->e->nodes[n].nb = b.name;
	return n;
}

static int parse_primary(parser *p)
{
	char d[96], s1[64];
	size_t open;
	operand a;
	int n, neg = 0;

	if (p->tok.kind == T_LPAREN) {
		open = p->tok.pos;
		if (++p->depth > EXPR_MAX_DEPTH)
			return fail(p, open, "expression nested too deeply (more than %d levels of parentheses and NOT)",
				    EXPR_MAX_DEPTH);
		if (lex(p) < 0 || (n = parse_or(p)) < 0)
			return -1;
		if (p->tok.kind != T_RPAREN)
			return fail(p, p->tok.pos, "expected ')' to close the '(' at column %d, found %s",
				    val_utf8_column(p->text, open), tok_desc(p, d, sizeof d));
		p->depth--;
		return lex(p) < 0 ? -1 : n;
	}
	if (parse_operand(p, &a, "a condition") < 0)
		return -1;
	switch (p->tok.kind) {
	case T_CMP:
		return parse_cmp(p, &a);
	case T_NOT:
		if (lex(p) < 0)
			return -1;
		if (p->tok.kind != T_IN)
			return fail(p, p->tok.pos, "expected IN after NOT, found %s", tok_desc(p, d, sizeof d));
		neg = 1;
		/* fall through */
	case T_IN:
		return parse_in(p, &a, neg);
	case T_IS:
		if (lex(p) < 0)
			return -1;
		if (p->tok.kind == T_NOT) {
			neg = 1;
			if (lex(p) < 0)
				return -1;
		}
		if (p->tok.kind != T_NULL)
			return fail(p, p->tok.pos, "expected %sNULL after IS, found %s", neg ? "" : "NULL or NOT ",
				    tok_desc(p, d, sizeof d));
		if (lex(p) < 0 || (n = new_node(p, N_ISNULL)) < 0)
			return -1;
		set_a(&p->e->nodes[n], &a);
		p->e->nodes[n].neg = (unsigned char)neg;
		return n;
	case T_AND:
	case T_OR:
	case T_RPAREN:
	case T_EOF:
		if (a.lit == L_FIELD) {
			if (a.type != EXPR_BOOL)
				return fail(p, a.pos, "%s field '%s' is not a condition by itself (only a bool field is); "
					    "compare it with a value", type_name[a.type], a.name);
			if ((n = new_node(p, N_CMP)) < 0)
				return -1;
			set_a(&p->e->nodes[n], &a);
			p->e->nodes[n].op = OP_EQ;
			p->e->nodes[n].bare = 1;
			p->e->nodes[n].cb.num = 1;
			return n;
		}
		break;
	default:
		break;
	}
	return fail(p, p->tok.pos, "expected a comparison operator, IN or IS after %s, found %s",
		    a.lit == L_FIELD ? op_src(p, &a, s1, sizeof s1) : lit_desc(p, &a, s1, sizeof s1),
		    tok_desc(p, d, sizeof d));
}

static int parse_not(parser *p)
{
	int c, n;

	if (p->tok.kind != T_NOT)
		return parse_primary(p);
	if (++p->depth > EXPR_MAX_DEPTH)
		return fail(p, p->tok.pos, "expression nested too deeply (more than %d levels of parentheses and NOT)",
			    EXPR_MAX_DEPTH);
	if (lex(p) < 0 || (c = parse_not(p)) < 0 || (n = new_node(p, N_NOT)) < 0)
		return -1;
	p->depth--;
	p->e->nodes[n].first = c;
	return n;
}

/* Add child c to the AND/OR node n whose last child is *last; a child of
 * the same kind has its children spliced in instead. */
static void add_child(expr *e, int n, int c, int *last)
{
	int k, next;

	if (e->nodes[c].kind == e->nodes[n].kind) {
		for (k = e->nodes[c].first; k >= 0; k = next) {
			next = e->nodes[k].next;
			add_child(e, n, k, last);
		}
		return;
	}
	if (*last < 0)
		e->nodes[n].first = c;
	else
		e->nodes[*last].next = c;
	e->nodes[c].next = -1;
	*last = c;
}

/* and := not (AND not)*  /  or := and (OR and)* */
static int parse_chain(parser *p, int kind)
{
	int tk = kind == N_OR ? T_OR : T_AND;
	int first, c, n, last = -1;

	first = kind == N_OR ? parse_chain(p, N_AND) : parse_not(p);
	if (first < 0 || p->tok.kind != tk)
		return first;
	if ((n = new_node(p, kind)) < 0)
		return -1;
	add_child(p->e, n, first, &last);
	while (p->tok.kind == tk) {
		if (lex(p) < 0)
			return -1;
		c = kind == N_OR ? parse_chain(p, N_AND) : parse_not(p);
		if (c < 0)
			return -1;
		add_child(p->e, n, c, &last);
	}
	return n;
}

static int parse_or(parser *p)
{
	return parse_chain(p, N_OR);
}

expr *expr_parse(const char *text, expr_resolve_fn resolve, void *ctx, char *errbuf, size_t errlen,
		 int *errcol)
{
	parser p = { .text = text ? text : "", .resolve = resolve, .ctx = ctx,
		     .err = errbuf, .errlen = errlen, .errcol = errcol };
	char d[96];
	int root;

	if (val_parse_begin(p.text, errbuf, errlen, errcol) < 0)
		return NULL;
	p.e = xcalloc(1, sizeof *p.e);
	if (lex(&p) < 0)
		goto err;
	if (p.tok.kind == T_EOF) {
		fail(&p, 0, "empty expression");
		goto err;
	}
	root = parse_or(&p);
	if (root < 0)
		goto err;
	if (p.tok.kind == T_RPAREN) {
		fail(&p, p.tok.pos, "unmatched ')'");
		goto err;
	}
	if (p.tok.kind != T_EOF) {
		fail(&p, p.tok.pos, "unexpected %s (expected AND, OR or the end of the expression)",
		     tok_desc(&p, d, sizeof d));
		goto err;
	}
	p.e->root = root;
	return p.e;
err:
	expr_free(p.e);
	return NULL;
}

/* ---- printing ---- */

/* s between q quotes, each q inside doubled. */
static void sb_quoted(str *b, const char *s, char q)
{
	const char *c;

	str_addc(b, q);
	for (c = s; *c; c++) {
		if (*c == q)
			str_addc(b, q);
		str_addc(b, *c);
	}
	str_addc(b, q);
}

static void sb_field(str *b, const char *name)
{
	size_t i;

	for (i = 0; is_idchar((unsigned char)name[i]); i++)
		;
	if (!name[i] && is_idstart((unsigned char)name[0]) && keyword(name, i) == T_IDENT)
		str_add(b, name);
	else
		sb_quoted(b, name, '"');
}

/* The shortest text of v that strtod reads back exactly. */
static void fmt_num(double v, char *buf, size_t size)
{
	int prec;

	if (v > -1e15 && v < 1e15 && (double)(long long)v == v) {
		snprintf(buf, size, "%.0f", v);
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static void sb_value(str *b, expr_type t, const expr_value *v)
{
	char buf[40];
	int y, m, d;

	if (v->isnull) {
		str_add(b, "null");
		return;
	}
	switch (t) {
	case EXPR_TEXT:
		sb_quoted(b, v->s ? v->s : "", '\'');
		return;
	case EXPR_NUMBER:
		fmt_num(v->num, buf, sizeof buf);
		break;
	case EXPR_BOOL:
		snprintf(buf, sizeof buf, "%s", v->num != 0 ? "true" : "false");
		break;
	case EXPR_DATE:
		val_days_to_ymd((long)v->num, &y, &m, &d);
		snprintf(buf, sizeof buf, "'%04d-%02d-%02d'", y, m, d);
		break;
	}
	str_add(b, buf);
}

static int prec_of(int kind)
{
	return kind == N_OR ? 1 : kind == N_AND ? 2 : kind == N_NOT ? 3 : 4;
}

/* Print node i, in parentheses if it binds less tightly than need. */
static void print_node(const expr *e, int i, str *b, int need)
{
	const enode *n = &e->nodes[i];
	int paren = prec_of(n->kind) < need, k;

	if (paren)
		str_add(b, "(");
	switch (n->kind) {
	case N_AND:
	case N_OR:
		for (k = n->first; k >= 0; k = e->nodes[k].next) {
			if (k != n->first)
				str_add(b, n->kind == N_AND ? " and " : " or ");
			print_node(e, k, b, prec_of(n->kind) + 1);
		}
		break;
	case N_NOT:
		str_add(b, "not ");
		print_node(e, n->first, b, 3);
		break;
	default:
		if (n->na)
			sb_field(b, n->na);
		else
			sb_value(b, n->type, &n->ca);
		if (n->kind == N_CMP) {
			if (n->bare)
				break;
			str_add(b, " ");
			str_add(b, op_text[n->op]);
			str_add(b, " ");
			if (n->nb)
				sb_field(b, n->nb);
			else
				sb_value(b, n->type, &n->cb);
		} else if (n->kind == N_IN) {
			str_add(b, n->neg ? " not in (" : " in (");
			for (k = 0; k < n->count; k++) {
				if (k)
					str_add(b, ", ");
				sb_value(b, n->type, &e->lits[n->first + k]);
			}
			str_add(b, ")");
		} else {
			str_add(b, n->neg ? " is not null" : " is null");
		}
	}
	if (paren)
		str_add(b, ")");
}

char *expr_to_string(const expr *e)
{
	str b = STR_INIT;

	if (!e)
		return NULL;
	print_node(e, e->root, &b, 0);
	return str_steal(&b);
}
