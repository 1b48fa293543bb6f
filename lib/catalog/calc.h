/*
 * calc.h - arithmetic formulas over indicator values: the `formula:` of a
 * derived indicator and the `left:` / `right:` of a check in the catalog.
 * A formula is parsed once at start-up into a small postfix program and
 * evaluated for every (school, period, breakdown) without allocating.
 *
 * Usage:
 *     char err[256];
 *     int col;
 *     calc *f = calc_parse("reported(employment.graduates.total) - "
 *                          "(employment.dest.enterprise + employment.dest.unplaced)",
 *                          &col, err, sizeof err);
 *     if (!f)
 *         report "path:line:%d: %s", col, err;
 *     for (i = 0; i < calc_nrefs(f); i++)
 *         look up calc_ref_at(f, i)->code / ->type: vals[i], present[i];
 *     double v;
 *     switch (calc_eval(f, vals, present, &v)) {
 *     case CALC_OK:      use v; break;
 *     case CALC_MISSING: an operand is absent: no value, no finding; break;
 *     case CALC_DIVZERO: a divisor is 0; break;
 *     }
 *     calc_free(f);
 *
 * Grammar (ASCII whitespace ignored between tokens):
 *     expr    := term (('+' | '-') term)*
 *     term    := unary (('*' | '/') unary)*
 *     unary   := '-' unary | primary
 *     primary := NUMBER | REF | FUNC '(' CODE ')' | '(' expr ')'
 *     NUMBER  := digits with an optional '.' and fraction digits (100, 0.5;
 *                not 1., .5 or 1e3)
 *     CODE    := [A-Za-z_][A-Za-z0-9_.]*, not ending with '.'
 *                (employment.dest.enterprise.rate)
 *     REF     := CODE                 the computed value of the indicator
 *     FUNC    := reported | numerator | denominator | computed
 *                (computed(x) is the same reference as x)
 * A code directly followed by '(' is a function call; a code named like a
 * function but not followed by '(' is an ordinary reference.  Nesting of
 * parentheses is limited to CALC_MAX_DEPTH levels; any number of unary
 * minus signs is fine.
 *
 * Comparisons (for checks) are calc_op, with a tolerance; calc_half_unit
 * gives the tolerance of the built-in reported = computed check.
 */
#ifndef VQR_CALC_H
#define VQR_CALC_H

#include <stddef.h>

#define CALC_MAX_DEPTH 64       /* deepest nesting of '(' accepted */

/* What value of an indicator a reference stands for. */
typedef enum {
	CALC_VALUE,             /* code or computed(code): the value vqr computed */
	CALC_REPORTED,          /* reported(code): the value a summary sheet reported */
	CALC_NUMERATOR,         /* numerator(code): the numerator of a rate */
	CALC_DENOMINATOR        /* denominator(code): the denominator of a rate */
} calc_reftype;

/* One operand of a formula; a formula's refs are its distinct (code, type)
 * pairs in order of first appearance. */
typedef struct calc_ref {
	char *code;             /* indicator code, NUL-terminated, owned by the formula */
	calc_reftype type;      /* which of its values */
} calc_ref;

typedef struct calc calc;

/*
 * Parse text (UTF-8) into a formula, owned by the caller (calc_free).
 * On error returns NULL, writes an English message into err (errlen bytes,
 * may be NULL) and the 1-based column, counted in characters (code points)
 * of text, of the offending token into *errcol (may be NULL; the end of the
 * text is column length + 1).  Messages: "empty formula", "unexpected ')'",
 * "unexpected '*'", "unexpected end of formula", "unexpected character
 * '（'", "expected ')'", "unknown function 'foo'", "expected an indicator
 * code" (inside a function's parentheses), "indicator code 'a.' ends with
 * '.'" (at the '.'), "expected a digit after '.'", "number out of range",
 * "trailing input", "formula nested too deeply", "invalid UTF-8 (byte
 * 0xFF)", "out of memory".
 */
calc *calc_parse(const char *text, int *errcol, char *err, size_t errlen);

/* Number of distinct references (code, type) of f. */
size_t calc_nrefs(const calc *f);

/* Reference i (< calc_nrefs(f)) of f, owned by f; NULL if i is out of
 * range. */
const calc_ref *calc_ref_at(const calc *f, size_t i);

/* The text f was parsed from, exactly as given; owned by f. */
const char *calc_text(const calc *f);

/* Outcome of calc_eval. */
typedef enum {
	CALC_OK,                /* *out holds the value */
	CALC_MISSING,           /* some reference is absent: the formula has no value */
	CALC_DIVZERO            /* a divisor evaluated to 0 */
} calc_status;

/*
 * Evaluate f: vals[i] and present[i] are the value of calc_ref_at(f, i)
 * and whether it exists (present may be NULL: all exist; vals may be NULL
 * when f has no refs).  Every reference is needed: if any is absent the
 * result is CALC_MISSING, whatever else happens.  Otherwise a division by
 * exactly 0 gives CALC_DIVZERO.  *out is written only on CALC_OK.  Never
 * allocates and only reads f, so one f may be evaluated from several
 * threads.  Values should be finite; overflow gives an infinite *out.
 */
calc_status calc_eval(const calc *f, const double *vals, const unsigned char *present, double *out);

/* Free f and everything it owns (NULL is fine). */
void calc_free(calc *f);

/* The comparison of a check. */
typedef enum {
	CALC_EQ,                /* =  (also ==) */
	CALC_NE,                /* != (also <>) */
	CALC_LT,                /* < */
	CALC_LE,                /* <= */
	CALC_GT,                /* > */
	CALC_GE                 /* >= */
} calc_op;

/* Parse an operator as written in a check ("=", "==", "!=", "<>", "<",
 * "<=", ">", ">=", nothing around it): 0 with *op set, or -1 (also for s
 * NULL; *op untouched). */
int calc_op_parse(const char *s, calc_op *op);

/* The canonical text of op: "=", "!=", "<", "<=", ">", ">=" (static). */
const char *calc_op_text(calc_op op);

/*
 * Whether `left op right` holds (1) or fails (0) with a tolerance:
 * left and right count as equal when |left - right| <= tolerance + slack,
 * slack = 1e-9 * max(|left|, |right|) absorbing binary rounding (94.825 -
 * 94.82 is 0.005000000000002558).  Then exactly one of <, =, > holds:
 *     =   equal                       !=  not equal
 *     <   left < right, not equal     <=  left < right, or equal
 *     >   left > right, not equal     >=  left > right, or equal
 * so with tolerance 0.5, 10 < 10.5 fails, 10 < 10.6 holds, 10 <= 10.5
 * and 10.5 <= 10 hold.  A negative or NaN tolerance counts as 0; infinite
 * values are equal only to themselves; a NaN operand fails every op.
 */
int calc_compare(double left, calc_op op, double right, double tolerance);

/*
 * Half a unit of the last printed decimal of the number in numeric_text:
 * "94.82" -> 0.005, "1466" -> 0.5, "6,042.72" -> 0.005, "26.31%" ->
 * 0.005, "1.5e3" -> 50, "９４．８２" -> 0.005 (full-width digits and '．'
 * read as ASCII).  The number is the first run of digits, ',' and '.' in
 * the text, with an optional exponent; anything around it (sign, '%',
 * units, spaces) is ignored.  0 if the text (or NULL) holds no digit.
 */
double calc_half_unit(const char *numeric_text);

#endif
