/*
 * expr.h - the filter expressions of indicator rules (`where:` in YAML):
 * parsed and type-checked once at start-up, evaluated once per row with
 * SQL's three-valued logic, without allocating.
 *
 * Usage:
 *     static int resolve(void *ctx, const char *name, int *index, expr_type *type)
 *     {
 *         ... look name up among the source's fields; 0 if unknown ...
 *     }
 *
 *     char err[256];
 *     int col;
 *     expr *e = expr_parse("destination in ('企事业单位就业', '自主择业') "
 *                          "and not (in_field = false or graduation_date < '2023-01-01')",
 *                          resolve, src, err, sizeof err, &col);
 *     if (!e)
 *         report "column %d: %s", col, err;
 *     for each row (expr_value row[nfields], indexed as resolve said):
 *         if (expr_eval(e, row) == EXPR_TRUE) count it;
 *     expr_free(e);
 *
 * Grammar (keywords case-insensitive):
 *     expr     := or
 *     or       := and ( OR and )*
 *     and      := not ( AND not )*
 *     not      := NOT not | primary
 *     primary  := '(' expr ')' | operand cmp operand
 *               | operand [NOT] IN '(' literal (',' literal)* ')'
 *               | operand IS [NOT] NULL
 *               | field                       (a bool field: field = TRUE)
 *     cmp      := = | != | <> | < | <= | > | >=
 *     operand  := field | literal
 *     field    := [A-Za-z_][A-Za-z0-9_]* (not a keyword)
 *               | "double-quoted identifier" ("" is a quote; any UTF-8)
 *     literal  := 'single-quoted string' ('' is a quote) | number
 *                 (123, -4.5, 1e3) | TRUE | FALSE | NULL
 * Keywords: AND OR NOT IN IS NULL TRUE FALSE; a field with such a name
 * must be double-quoted.
 *
 * Types are checked at parse time: both sides of a comparison and every
 * member of an IN list must have the same type.  A date field compares
 * with a string literal holding a valid ISO date ('2023-01-01'), which is
 * converted to a day number once.  Bool fields compare with TRUE/FALSE
 * (FALSE < TRUE).  NULL may appear only in IS [NOT] NULL: `= NULL` and
 * NULL in an IN list are errors (they can never be true).  Text orders by
 * bytes (strcmp), which for UTF-8 is code point order.
 *
 * Nesting of parentheses and NOT is limited to EXPR_MAX_DEPTH levels; AND
 * and OR chains of any length are flattened into one node, so evaluation
 * recursion stays shallow.
 */
#ifndef VQR_EXPR_H
#define VQR_EXPR_H

#include <stddef.h>

#define EXPR_MAX_DEPTH 64       /* deepest nesting of '(' and NOT accepted */

typedef enum {
	EXPR_TEXT,              /* UTF-8 text: expr_value.s */
	EXPR_NUMBER,            /* a number: expr_value.num */
	EXPR_BOOL,              /* true / false: expr_value.num 1 / 0 */
	EXPR_DATE               /* a calendar date: expr_value.num days since 1970-01-01 */
} expr_type;

typedef struct expr_value {
	int isnull;             /* SQL NULL: the other members are not read */
	const char *s;          /* NUL-terminated text, valid for EXPR_TEXT */
	double num;             /* EXPR_NUMBER value; 1 or 0 for EXPR_BOOL; days since 1970-01-01 for EXPR_DATE */
	unsigned id;            /* EXPR_TEXT, optional: the text's id in its field's dictionary (see expr_intern), 0 = none */
} expr_value;

/*
 * Resolve a field name (as written, without quotes): return 1 and set
 * *index (its position in the row array passed to expr_eval, >= 0) and
 * *type, or 0 if there is no such field.
 */
typedef int (*expr_resolve_fn)(void *ctx, const char *name, int *index, expr_type *type);

typedef struct expr expr;

/*
 * Parse and type-check text (UTF-8), resolving each field through
 * resolve(ctx, ...) (resolve may be NULL: every field is unknown).
 * Returns the compiled expression, owned by the caller (expr_free).  On
 * error returns NULL, writes an English message into errbuf (may be NULL)
 * and the 1-based character column (in UTF-8 code points) of the
 * offending token into *errcol (may be NULL; the end of the text is
 * column length + 1).  Out of memory is reported the same way.
 */
expr *expr_parse(const char *text, expr_resolve_fn resolve, void *ctx, char *errbuf, size_t errlen,
		 int *errcol);

enum {
	EXPR_FALSE = 0,         /* the row does not match */
	EXPR_TRUE = 1,          /* the row matches */
	EXPR_UNKNOWN = -1       /* SQL's unknown (a NULL got in the way): not a match */
};

/*
 * Evaluate e on one row: row[i] is the value of the field that resolve
 * gave index i (the type resolve gave; text values non-NULL unless
 * isnull).  Returns EXPR_TRUE, EXPR_FALSE or EXPR_UNKNOWN with SQL's
 * three-valued logic.  Never allocates; reads e and row only, so one e
 * may be evaluated from several threads.  e NULL (no filter) gives
 * EXPR_TRUE.
 */
int expr_eval(const expr *e, const expr_value *row);

/*
 * Give the text constants of e ids, so that `field = 'text'`, `!=`,
 * `IN` and `NOT IN` compare numbers instead of bytes: for each text
 * constant compared for equality with a field, intern(ctx, index, text)
 * returns the id of text in the dictionary of the field at that row
 * index (0: no id, that comparison stays by bytes).  Afterwards, a row
 * value of such a field whose id is not 0 is compared by id, so the
 * caller must give equal texts of one field equal ids, different texts
 * different ids, and every row value either its id or 0.  Ordering (<,
 * >) and field-to-field comparisons are never by id.  Call once, before
 * evaluating; e NULL is fine.
 */
typedef unsigned (*expr_intern_fn)(void *ctx, int index, const char *text);
void expr_intern(expr *e, expr_intern_fn intern, void *ctx);

/*
 * Call fn(ctx, index, type, null_only) for each field e reads (a field
 * read twice comes twice): its row index, its type, and null_only 1 when
 * it is read by IS [NOT] NULL only there (nothing but whether it is NULL
 * matters).  e NULL is fine (no calls).  For callers that keep the
 * results of a filter by the values it reads.
 */
typedef void (*expr_field_fn)(void *ctx, int index, expr_type type, int null_only);
void expr_fields(const expr *e, expr_field_fn fn, void *ctx);

/* Free e and everything it owns (NULL is fine). */
void expr_free(expr *e);

/*
 * The normalised text of e, for messages and tests: keywords in lower
 * case, `<>` written `!=`, fields bare when they can be (else
 * double-quoted), dates as 'YYYY-MM-DD', numbers in their shortest form
 * that reads back exactly (1e3 -> 1000), only the parentheses precedence
 * needs, nested AND/OR chains flattened.  Parsing the result gives the
 * same expression.  Returns a malloc'd string the caller frees, or NULL
 * if out of memory (or e is NULL).
 */
char *expr_to_string(const expr *e);

/*
 * Day number (days since 1970-01-01) of a valid ISO date 'YYYY-MM-DD'
 * (exactly that shape, year 0001..9999, month lengths and leap years
 * checked): returns 0 with *days set, or -1 if iso is not such a date
 * (*days untouched).
 */
int expr_date_days(const char *iso, long *days);

#endif
