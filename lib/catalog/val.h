/*
 * val.h - parsing of spreadsheet cell values into vqr's canonical forms.
 *
 * Campus-system exports carry numbers, dates and yes/no values in many
 * shapes (full-width digits, thousands separators, 2023年6月30日, Excel
 * serial dates, 是/否, √/×...).  val_parse turns one UTF-8 cell into a
 * canonical text form that PostgreSQL reads directly, plus a number for
 * range checks, or rejects it with a short English reason meant to follow
 * the quoted value in a message:
 *
 *     char out[64];
 *     double num;
 *     const char *why;
 *     val_opts o = { VAL_PCT_AUTO, 0, 0, 0 };
 *     switch (val_parse(VAL_DECIMAL, cell, len, &o, out, sizeof out, &num, &why)) {
 *     case VAL_OK:    use out ("4090.5") and num (4090.5); break;
 *     case VAL_NULL:  the cell is empty; break;
 *     case VAL_ERROR: report "%s: \"%.*s\" %s", header, (int)len, cell, why;
 *     }
 *
 * Canonical forms (input is trimmed first, see val_trim; full-width ASCII
 * such as ０-９ ．，－＋％ is read as its half-width form everywhere except
 * in text):
 *   VAL_INTEGER  "-3", "1466": [+-]digits with optional 3-digit comma
 *                groups and an optional all-zero fraction ("12.0").
 *                Scientific notation is rejected (Excel writes long
 *                numbers as 2.02004E+11 after dropping digits).  Must fit
 *                in int64.  num = the value.
 *   VAL_DECIMAL  "4090.5", "0.0015", "12500": the exact decimal value
 *                without exponent, leading or trailing zeros; scientific
 *                notation is accepted.  Computed on the decimal digits, so
 *                the text never shows binary rounding.  num = the value.
 *   VAL_PERCENT  "94.82" meaning 94.82%: "94.82%" always; a bare number
 *                per val_opts.pct.  num = the percent value.
 *   VAL_DATE     "2023-06-30"; num = days since 1970-01-01.
 *   VAL_BOOL     "t" / "f"; num = 1 / 0.
 *   VAL_TEXT     the trimmed text, inner whitespace kept; num = 0.
 * val_opts.scale multiplies INTEGER and DECIMAL values (exactly, on the
 * decimal digits); it does not apply to the other types.
 *
 * All functions are pure: no allocation, no global state, thread-safe.
 */
#ifndef VQR_VAL_H
#define VQR_VAL_H

#include <stdarg.h>
#include <stddef.h>

typedef enum {
	VAL_TEXT,               /* any text, trimmed */
	VAL_INTEGER,            /* 64-bit signed integer */
	VAL_DECIMAL,            /* exact decimal number (PostgreSQL numeric) */
	VAL_DATE,               /* calendar date, no time */
	VAL_BOOL,               /* yes / no */
	VAL_PERCENT             /* percentage, canonical 94.82 for 94.82% */
} val_type;

enum {
	VAL_OK = 0,             /* parsed: canonical text in out, number in *num */
	VAL_NULL = 1,           /* empty or whitespace-only cell */
	VAL_ERROR = -1          /* rejected: reason in *why */
};

typedef enum {
	VAL_PCT_AUTO,           /* "94.82%" percent; bare |x| <= 1 a fraction, else a percent */
	VAL_PCT_PERCENT,        /* bare 94.82 means 94.82% */
	VAL_PCT_FRACTION        /* bare 0.9482 means 94.82% */
} val_pct_mode;

typedef struct val_opts {
	val_pct_mode pct;       /* how a bare number (no % sign) in a percent column reads */
	double scale;           /* INTEGER/DECIMAL values are multiplied by this (万元 -> 元: 10000); 0 means 1 */
	int excel_dates;        /* DATE accepts Excel serial numbers (1..2958465, 1904 system 0..2957003) */
	int date1904;           /* serials count from 1904-01-01 (Excel's 1904 date system) */
} val_opts;

/*
 * Parse the cell in[0..len) (UTF-8, need not be NUL-terminated) as type t
 * with options o (NULL: VAL_PCT_AUTO, scale 1, no serial dates).
 *
 * VAL_OK: the canonical text (see above) is written NUL-terminated to out
 *   (outlen bytes, caller-owned) and *num is set.
 * VAL_NULL: the cell is empty or only whitespace (ASCII, U+3000, U+00A0,
 *   U+FEFF).  Placeholders such as "-", "—", "/" or "无" are NOT null;
 *   they are parsed (and usually rejected) like any other value.  out is
 *   set to "" and *num to 0.
 * VAL_ERROR: *why points to a static English reason that reads after the
 *   quoted value, e.g. "is not a number", "is not a date", "is a month,
 *   not a date", "is not a yes/no value", "has digits after the decimal
 *   point in an integer column", "date out of range"; "value too long"
 *   when the canonical form does not fit in out.  out is set to "".
 * num and why may be NULL when not wanted.  *why is NULL unless VAL_ERROR.
 */
int val_parse(val_type t, const char *in, size_t len, const val_opts *o,
	      char *out, size_t outlen, double *num, const char **why);

/*
 * Normalise a header or enum label for matching: full-width ASCII
 * (U+FF01..U+FF5E) to half-width, so （）［］：， become ()[]:,; 【】〔〕 to
 * []; ASCII letters lower-cased; all ASCII whitespace (including CR/LF),
 * U+3000, U+00A0 and U+FEFF removed.  "起薪（元/月）" and "起薪(元/\n月)" both
 * give "起薪(元/月)".  Writes at most outlen bytes including the NUL into
 * out (caller-owned), truncating only between whole characters; nothing
 * is written when outlen is 0.  Returns out.
 */
char *val_norm_key(const char *in, size_t len, char *out, size_t outlen);

/* How alike two header keys (already through val_norm_key) are, 0..1:
 * the Dice coefficient of their bigrams of UTF-8 code points, so 学制层次
 * and 层次 give 0.5 and 对口情况 and 专业对口 0.33 (a one-character key:
 * 1/length of the other when it holds that character, else 0).  Keys of
 * more than 128 characters compare by their first 128. */
double val_similarity(const char *a, const char *b);

/*
 * Trim leading and trailing ASCII whitespace, U+3000 (ideographic space),
 * U+00A0 (no-break space) and U+FEFF (byte order mark) from in[0..*len).
 * Returns a pointer into in and sets *len to the trimmed length.
 */
const char *val_trim(const char *in, size_t *len);

/* The 1-based column, counted in code points, of byte offset pos in the
 * UTF-8 text (for "file:line:col" messages about formulas and filters). */
int val_utf8_column(const char *text, size_t pos);

/* A parser's error (expr.c, calc.c): the message formatted into err
 * (errlen bytes, through err_vset; err may be NULL) and the 1-based
 * column of byte pos of text into *errcol (errcol may be NULL).
 * Returns -1. */
int val_parse_error(char *err, size_t errlen, int *errcol, const char *text, size_t pos, const char *fmt,
		    ...) __attribute__((format(printf, 6, 7)));

/* A parser's start (expr.c, calc.c): clears err (when errlen) and
 * *errcol (when not NULL); 0 when text is valid UTF-8, else the error
 * "invalid UTF-8 (byte 0xXX)" at the bad byte and -1. */
int val_parse_begin(const char *text, char *err, size_t errlen, int *errcol);

/* The parsers' fail(p, pos, fmt, ...): p is a parser with members text,
 * err, errlen and errcol; records the error at byte pos, gives -1. */
#define VAL_PARSE_FAIL(p, pos, ...) \
	val_parse_error((p)->err, (p)->errlen, (p)->errcol, (p)->text, (pos), __VA_ARGS__)

/* The byte offset of the first invalid UTF-8 sequence in the NUL-terminated
 * s (overlong forms, surrogates and code points above U+10FFFF count as
 * invalid), or (size_t)-1 when it is all valid. */
size_t val_utf8_invalid(const char *s);

/*
 * The academic year (1 September .. 31 August) that day number `days`
 * (days since 1970-01-01) falls in, as its starting calendar year:
 * 2023-06-30 -> 2022 (academic year "2022-2023"), 2023-09-01 -> 2023.
 */
int val_academic_year_start(long days);

/* Convert days since 1970-01-01 to year, month (1-12) and day (1-31) in
 * the proleptic Gregorian calendar. */
void val_days_to_ymd(long days, int *y, int *m, int *d);

/* Days since 1970-01-01 of y-m-d (proleptic Gregorian; m and d are not
 * range-checked: callers validate first). */
long val_ymd_to_days(int y, int m, int d);

/* The double of plain decimal text s (len bytes: an optional '-', digits,
 * optionally '.' and digits; at most 15 digits in all), exactly what
 * strtod gives, in *out: returns 0.  Any other text (exponents, spaces,
 * more digits) returns -1 and leaves *out alone: use strtod then.  For hot
 * loops reading numbers that vqr wrote itself. */
int val_decimal_fast(const char *s, size_t len, double *out);

#endif
