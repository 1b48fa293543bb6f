/*
 * val.c - cell value parsing and canonical forms; see val.h.
 *
 * Numbers never go through binary floating point on their way to text:
 * a cell is read into a decimal digit string with a power-of-ten exponent
 * (value = digits x 10^exp), scaled by multiplying digit strings, and
 * written back from the digits.  The double in *num is produced last, by
 * strtod on "DIGITSeEXP" (no decimal point, so the locale does not
 * matter), which rounds correctly.
 *
 * Before numbers, dates and yes/no values are read, the trimmed cell is
 * copied into a small stack buffer with full-width ASCII folded to
 * half-width (and U+3000 to a space); cells longer than that buffer cannot
 * be a number, date or yes/no value and are rejected as such.
 *
 * one file: numbers, dates and yes/no values share that folded scratch
 * cell, the digit-string decimal (dates read Excel serials and years with
 * it) and the reject reasons the extract reports; the fast paths must give
 * exactly what the full parsers give, so they stay beside them.
 */
#include "lib/catalog/val.h"
#include "lib/util/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VAL_SCRATCH 256                 /* longest folded non-text cell, bytes incl. NUL */
#define DEC_DIGITS (VAL_SCRATCH + 32)   /* digits of a decimal: a cell's digits times a scale's (<= 17) */
#define EXP_CAP 1000000L                /* written exponents saturate here (the result is too long anyway) */

/* Excel serial date limits: 9999-12-31 is the last day Excel knows. */
#define SERIAL_MAX_1900 2958465L
#define SERIAL_MAX_1904 2957003L
#define SERIAL_FAKE_LEAP 60L            /* Excel's 1900-02-29, a day that never was */
#define DAYS_SERIAL_1900 25569L         /* serial of 1970-01-01 in the 1900 system (from serial 61 on) */
#define DAYS_SERIAL_1904 24107L         /* serial of 1970-01-01 in the 1904 system */

static const char R_NOT_NUMBER[] = "is not a number";
static const char R_NOT_DATE[] = "is not a date";
static const char R_NOT_BOOL[] = "is not a yes/no value";
static const char R_FRACTION[] = "has digits after the decimal point in an integer column";
static const char R_SCIENTIFIC[] = "is in scientific notation, which may have lost digits";
static const char R_INT_RANGE[] = "is out of range for an integer";
static const char R_NUM_RANGE[] = "is out of range";
static const char R_DATE_RANGE[] = "date out of range";
static const char R_BAD_DATE[] = "is not a valid date";
static const char R_MONTH[] = "is a month, not a date";
static const char R_YEAR[] = "is a year, not a date";
static const char R_FAKE_LEAP[] = "is Excel's nonexistent date 1900-02-29";
static const char R_TOO_LONG[] = "value too long";
static const char R_NUL[] = "contains a NUL character";
static const char R_SCALE[] = "cannot be scaled (invalid scale option)";
static const char R_TYPE[] = "has an unknown value type";

/* A decimal number: (neg ? -1 : 1) * d[0..nd) * 10^exp. */
typedef struct dec {
	int neg;                        /* 1 when negative (never for zero after dec_norm) */
	int nd;                         /* number of digits in d; 0 for zero */
	long exp;                       /* power of ten applied to the digits */
	unsigned char d[DEC_DIGITS];    /* digit values 0..9, most significant first */
} dec;

/* ---- whitespace and full-width folding -------------------------------- */

static int is_ascii_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Length of the trimmable character starting at s[0..n), or 0. */
static size_t space_at(const unsigned char *s, size_t n)
{
	if (n >= 1 && is_ascii_space(s[0]))
		return 1;
	if (n >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
		return 2;
	if (n >= 3 && ((s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) ||
		       (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)))
		return 3;
	return 0;
}

/* Length of the trimmable character ending at s[n - 1], or 0. */
static size_t space_before(const unsigned char *s, size_t n)
{
	if (n >= 1 && is_ascii_space(s[n - 1]))
		return 1;
	if (n >= 2 && s[n - 2] == 0xC2 && s[n - 1] == 0xA0)
		return 2;
	if (n >= 3 && ((s[n - 3] == 0xE3 && s[n - 2] == 0x80 && s[n - 1] == 0x80) ||
		       (s[n - 3] == 0xEF && s[n - 2] == 0xBB && s[n - 1] == 0xBF)))
		return 3;
	return 0;
}

const char *val_trim(const char *in, size_t *len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = *len, k;

	if (!in) {
		*len = 0;
		return in;
	}
	/* Most values neither start nor end with a byte a space can. */
	if (n == 0 || (s[0] > ' ' && s[0] != 0xC2 && s[0] != 0xE3 && s[0] != 0xEF &&
		       s[n - 1] > ' ' && s[n - 1] != 0xA0 && s[n - 1] != 0x80 && s[n - 1] != 0xBF))
		return in;
	while ((k = space_at(s, n)) > 0) {
		s += k;
		n -= k;
	}
	while ((k = space_before(s, n)) > 0)
		n -= k;
	*len = n;
	return (const char *)s;
}

/* If s[0..n) starts with a full-width ASCII character (U+FF01..U+FF5E,
 * UTF-8 EF BC 81..EF BD 9E), return its half-width form, else 0. */
static int fullwidth_at(const unsigned char *s, size_t n)
{
	unsigned cp;

	if (n < 3 || s[0] != 0xEF || (s[1] != 0xBC && s[1] != 0xBD) || (s[2] & 0xC0) != 0x80)
		return 0;
	cp = 0xF000u | (unsigned)(s[1] & 0x3F) << 6 | (unsigned)(s[2] & 0x3F);
	if (cp < 0xFF01 || cp > 0xFF5E)
		return 0;
	return (int)(cp - 0xFEE0);
}

/* Copy in[0..len) to buf (cap bytes incl. NUL) with full-width ASCII
 * folded to half-width and U+3000 to a space.  Returns the length, or -1
 * when it does not fit. */
static int fold(const char *in, size_t len, char *buf, size_t cap)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, n = 0;
	int c;

	while (i < len) {
		if (n + 1 >= cap)
			return -1;
		if ((c = fullwidth_at(s + i, len - i)) != 0) {
			buf[n++] = (char)c;
			i += 3;
		} else if (len - i >= 3 && s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80) {
			buf[n++] = ' ';
			i += 3;
		} else {
			buf[n++] = (char)s[i++];
		}
	}
	buf[n] = '\0';
	return (int)n;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ---- decimal numbers -------------------------------------------------- */

/* Drop leading and trailing zero digits (moving the exponent); zero
 * becomes nd 0, exp 0, not negative. */
static void dec_norm(dec *v)
{
	int lead = 0;

	while (lead < v->nd && v->d[lead] == 0)
		lead++;
	if (lead > 0) {
		memmove(v->d, v->d + lead, (size_t)(v->nd - lead));
		v->nd -= lead;
	}
	while (v->nd > 0 && v->d[v->nd - 1] == 0) {
		v->nd--;
		v->exp++;
	}
	if (v->nd == 0) {
		v->exp = 0;
		v->neg = 0;
	}
}

/*
 * Read s (folded, NUL-terminated) as [+-]digits[,ddd...][.digits][e[+-]digits]
 * followed, when pct is not NULL, by an optional % sign (spaces allowed
 * before it; *pct set to 1 when present).  Comma groups must be proper
 * thousands groups.  *sci is set when an exponent was present.  Returns 0
 * with v normalised, or -1.
 */
static int dec_parse(const char *s, dec *v, int *sci, int *pct)
{
	const char *p = s;
	int groups = 0, glen = 0, ndig = 0;
	long nfrac = 0;

	v->neg = 0;
	v->nd = 0;
	v->exp = 0;
	*sci = 0;
	if (pct)
		*pct = 0;
	if (*p == '+' || *p == '-')
		v->neg = *p++ == '-';
	for (;; p++) {
		if (is_digit(*p)) {
			if (v->nd >= DEC_DIGITS)
				return -1;
			v->d[v->nd++] = (unsigned char)(*p - '0');
			glen++;
			ndig++;
		} else if (*p == ',') {
			if (glen == 0 || glen > 3 || (groups > 0 && glen != 3))
				return -1;
			groups++;
			glen = 0;
		} else {
			break;
		}
	}
	if (groups > 0 && glen != 3)
		return -1;
	if (*p == '.') {
		for (p++; is_digit(*p); p++) {
			if (v->nd >= DEC_DIGITS)
				return -1;
			v->d[v->nd++] = (unsigned char)(*p - '0');
			nfrac++;
			ndig++;
		}
	}
	if (ndig == 0)
		return -1;
	v->exp = -nfrac;
	if (*p == 'e' || *p == 'E') {
		int eneg = 0;
		long e = 0;

		p++;
		if (*p == '+' || *p == '-')
			eneg = *p++ == '-';
		if (!is_digit(*p))
			return -1;
		for (; is_digit(*p); p++)
			if (e < EXP_CAP)
				e = e * 10 + (*p - '0');
		v->exp += eneg ? -e : e;
		*sci = 1;
	}
	if (pct) {
		const char *q = p;

		while (*q == ' ')
			q++;
		if (*q == '%') {
			*pct = 1;
			p = q + 1;
		}
	}
	if (*p)
		return -1;
	dec_norm(v);
	return 0;
}

/* The shortest decimal that reads back as the double s, into v.  -1 when s
 * is not finite. */
static int dec_from_double(double s, dec *v)
{
	char buf[64];
	const char *p;
	int prec;

	if (!isfinite(s))
		return -1;
	v->neg = s < 0;
	v->nd = 0;
	v->exp = 0;
	if (s > -9e15 && s < 9e15 && (double)(long long)s == s) {
		/* Integral: the common case (10000, 100, 0.5 is not). */
		unsigned long long u = (unsigned long long)(s < 0 ? -(long long)s : (long long)s);
		char tmp[24];
		int n = snprintf(tmp, sizeof tmp, "%llu", u);

		for (int i = 0; i < n; i++)
			v->d[v->nd++] = (unsigned char)(tmp[i] - '0');
		dec_norm(v);
		return 0;
	}
	for (prec = 0; prec < 17; prec++) {
		snprintf(buf, sizeof buf, "%.*e", prec, s);
		if (strtod(buf, NULL) == s)
			break;
	}
	/* buf is "[-]d[<point>ddd]e[+-]xx"; the point is the locale's, so skip
	 * whatever single non-digit follows the first digit. */
	p = buf;
	if (*p == '-')
		p++;
	v->d[v->nd++] = (unsigned char)(*p++ - '0');
	if (*p && *p != 'e') {
		for (p++; is_digit(*p); p++) {
			v->d[v->nd++] = (unsigned char)(*p - '0');
			v->exp--;
		}
	}
	if (*p == 'e')
		v->exp += strtol(p + 1, NULL, 10);
	dec_norm(v);
	return 0;
}

/* a *= b, exactly.  -1 if the product has too many digits. */
static int dec_mul(dec *a, const dec *b)
{
	int acc[DEC_DIGITS];
	int n = a->nd + b->nd;

	if (a->nd == 0 || b->nd == 0) {
		a->nd = 0;
		dec_norm(a);
		return 0;
	}
	if (n > DEC_DIGITS)
		return -1;
	memset(acc, 0, sizeof acc);
	for (int i = a->nd - 1; i >= 0; i--)
		for (int j = b->nd - 1; j >= 0; j--)
			acc[i + j + 1] += a->d[i] * b->d[j];
	for (int k = n - 1; k > 0; k--) {
		acc[k - 1] += acc[k] / 10;
		acc[k] %= 10;
	}
	for (int k = 0; k < n; k++)
		a->d[k] = (unsigned char)acc[k];
	a->nd = n;
	a->exp += b->exp;
	a->neg ^= b->neg;
	dec_norm(a);
	return 0;
}

/* |v| <= 1 */
static int dec_le_one(const dec *v)
{
	return v->nd == 0 || v->nd + v->exp <= 0 || (v->nd == 1 && v->d[0] == 1 && v->exp == 0);
}

/* The double nearest to v (may be +-HUGE_VAL or 0 beyond double's range). */
static double dec_num(const dec *v)
{
	char buf[DEC_DIGITS + 32];
	int n = 0;

	if (v->nd == 0)
		return 0;
	if (v->nd <= 15 && v->exp >= -22 && v->exp <= 22) {
		/* Both the digits and the power of ten are exact doubles, so one
		 * multiplication or division rounds correctly, as strtod does. */
		static const double p10[23] = {
			1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
			1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
		};
		long long m = 0;
		double r;

		for (int i = 0; i < v->nd; i++)
			m = m * 10 + v->d[i];
		r = v->exp >= 0 ? (double)m * p10[v->exp] : (double)m / p10[-v->exp];
		return v->neg ? -r : r;
	}
	if (v->neg)
		buf[n++] = '-';
	for (int i = 0; i < v->nd; i++)
		buf[n++] = (char)('0' + v->d[i]);
	snprintf(buf + n, sizeof buf - (size_t)n, "e%ld", v->exp);
	return strtod(buf, NULL);
}

int val_decimal_fast(const char *s, size_t len, double *out)
{
	static const double p10[16] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15
	};
	const char *p = s, *end = s + len;
	long long m = 0;
	int nd = 0, frac = -1, neg = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end; p++) {
		if (*p >= '0' && *p <= '9') {
			if (++nd > 15)
				return -1;
			m = m * 10 + (*p - '0');
			if (frac >= 0)
				frac++;
		} else if (*p == '.' && frac < 0) {
			frac = 0;
		} else {
			return -1;
		}
	}
	if (nd == 0 || frac == 0)
		return -1;
	/* m < 10^15 < 2^53 and 10^frac are exact doubles: one division
	 * rounds correctly, as strtod does. */
	double r = frac > 0 ? (double)m / p10[frac] : (double)m;
	*out = neg ? -r : r;
	return 0;
}

/* Write v as plain decimal text ("-0.0015", "12500").  -1 if it does not
 * fit in outlen bytes including the NUL. */
static int dec_text(const dec *v, char *out, size_t outlen)
{
	long long nd = v->nd, e = v->exp, need;
	size_t n = 0;

	if (nd == 0)
		need = 1;
	else if (e >= 0)
		need = nd + e;
	else if (-e < nd)
		need = nd + 1;
	else
		need = 2 + (-e - nd) + nd;
	need += v->neg;
	if ((unsigned long long)need >= outlen)
		return -1;
	if (nd == 0) {
		out[n++] = '0';
	} else {
		if (v->neg)
			out[n++] = '-';
		if (e >= 0) {
			for (long long i = 0; i < nd; i++)
				out[n++] = (char)('0' + v->d[i]);
			for (long long i = 0; i < e; i++)
				out[n++] = '0';
		} else if (-e < nd) {
			for (long long i = 0; i < nd; i++) {
				if (i == nd + e)
					out[n++] = '.';
				out[n++] = (char)('0' + v->d[i]);
			}
		} else {
			out[n++] = '0';
			out[n++] = '.';
			for (long long i = 0; i < -e - nd; i++)
				out[n++] = '0';
			for (long long i = 0; i < nd; i++)
				out[n++] = (char)('0' + v->d[i]);
		}
	}
	out[n] = '\0';
	return 0;
}

/* Apply o->scale to v.  0, or -1 with *why. */
static int apply_scale(dec *v, const val_opts *o, const char **why)
{
	dec s;

	if (!o || o->scale == 0 || o->scale == 1)
		return 0;
	if (dec_from_double(o->scale, &s) < 0) {
		*why = R_SCALE;
		return -1;
	}
	if (dec_mul(v, &s) < 0) {
		*why = R_NOT_NUMBER;
		return -1;
	}
	return 0;
}

static int parse_integer(const char *s, const val_opts *o, char *out, size_t outlen,
			 double *num, const char **why)
{
	static const char max[] = "9223372036854775807";
	static const char min[] = "9223372036854775808";
	char digits[24];
	dec v;
	int sci, n;

	if (dec_parse(s, &v, &sci, NULL) < 0) {
		*why = R_NOT_NUMBER;
		return VAL_ERROR;
	}
	if (sci) {
		*why = R_SCIENTIFIC;
		return VAL_ERROR;
	}
	if (apply_scale(&v, o, why) < 0)
		return VAL_ERROR;
	if (v.exp < 0) {
		*why = R_FRACTION;
		return VAL_ERROR;
	}
	if (v.nd + v.exp > 19) {
		*why = R_INT_RANGE;
		return VAL_ERROR;
	}
	/* At most 19 digits: compare as text against the int64 limits. */
	n = 0;
	for (int i = 0; i < v.nd; i++)
		digits[n++] = (char)('0' + v.d[i]);
	for (long i = 0; i < v.exp; i++)
		digits[n++] = '0';
	digits[n] = '\0';
	if (n == 19 && strcmp(digits, v.neg ? min : max) > 0) {
		*why = R_INT_RANGE;
		return VAL_ERROR;
	}
	if (dec_text(&v, out, outlen) < 0) {
		*why = R_TOO_LONG;
		return VAL_ERROR;
	}
	*num = dec_num(&v);
	return VAL_OK;
}

/* DECIMAL (pct NULL) and PERCENT. */
static int parse_number(val_type t, const char *s, const val_opts *o, char *out, size_t outlen,
			double *num, const char **why)
{
	dec v;
	int sci, has_pct = 0;

	if (dec_parse(s, &v, &sci, t == VAL_PERCENT ? &has_pct : NULL) < 0) {
		*why = R_NOT_NUMBER;
		return VAL_ERROR;
	}
	if (t == VAL_PERCENT) {
		val_pct_mode m = o ? o->pct : VAL_PCT_AUTO;

		if (!has_pct && v.nd > 0 &&
		    (m == VAL_PCT_FRACTION || (m == VAL_PCT_AUTO && dec_le_one(&v))))
			v.exp += 2;
	} else if (apply_scale(&v, o, why) < 0) {
		return VAL_ERROR;
	}
	*num = dec_num(&v);
	if (isinf(*num)) {
		*why = R_NUM_RANGE;
		return VAL_ERROR;
	}
	if (dec_text(&v, out, outlen) < 0) {
		*why = R_TOO_LONG;
		return VAL_ERROR;
	}
	return VAL_OK;
}

/* ---- dates ------------------------------------------------------------ */

static int is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

long val_ymd_to_days(int y, int m, int d)
{
	/* H. Hinnant's days_from_civil. */
	long yy = (long)y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void val_days_to_ymd(long days, int *y, int *m, int *d)
{
	/* H. Hinnant's civil_from_days. */
	long z = days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long mm = mp < 10 ? mp + 3 : mp - 9;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)mm;
	*y = (int)(yoe + era * 400 + (mm <= 2));
}

int val_academic_year_start(long days)
{
	int y, m, d;

	val_days_to_ymd(days, &y, &m, &d);
	return m >= 9 ? y : y - 1;
}

/* Read between lo and hi digits at *pp into *val; advance.  0 if fewer
 * than lo digits are there. */
static int read_digits(const char **pp, int lo, int hi, int *val)
{
	const char *p = *pp;
	int n = 0, v = 0;

	while (n < hi && is_digit(p[n])) {
		v = v * 10 + (p[n] - '0');
		n++;
	}
	if (n < lo)
		return 0;
	*pp = p + n;
	*val = v;
	return 1;
}

/* Does p start with the 3-byte UTF-8 character c? */
static int starts3(const char *p, const char *c)
{
	return strncmp(p, c, 3) == 0;
}

/* A time of day after a date: " 0:00", " 00:00:00", "T08:30:00.000".
 * Returns 1 if p is one (or empty). */
static int time_tail(const char *p)
{
	int h, mi, se = 0;

	if (*p == '\0')
		return 1;
	if (*p == 'T')
		p++;
	else if (*p == ' ')
		while (*p == ' ')
			p++;
	else
		return 0;
	if (!read_digits(&p, 1, 2, &h) || *p++ != ':' || !read_digits(&p, 2, 2, &mi))
		return 0;
	if (*p == ':') {
		p++;
		if (!read_digits(&p, 2, 2, &se))
			return 0;
		if (*p == '.') {
			if (!is_digit(*++p))
				return 0;
			while (is_digit(*p))
				p++;
		}
	}
	return *p == '\0' && h <= 23 && mi <= 59 && se <= 60;
}

/* Check y-m-d and convert.  0, or -1 with *why. */
static int ymd_check(int y, int m, int d, long *days, const char **why)
{
	if (y < 1) {
		*why = R_DATE_RANGE;
		return -1;
	}
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
		*why = R_BAD_DATE;
		return -1;
	}
	*days = val_ymd_to_days(y, m, d);
	return 0;
}

/* "2023-6-30", "2023/06/30", "2023.6.30", "2023年6月30日" (+ time).  p
 * points at four digits and a separator. */
static int date_ymd(const char *p, long *days, const char **why)
{
	int y = 0, m = 0, d = 0, cjk = 0;
	char sep = 0;

	read_digits(&p, 4, 4, &y);
	if (starts3(p, "年")) {
		cjk = 1;
		p += 3;
		if (*p == '\0') {
			*why = R_YEAR;
			return -1;
		}
	} else {
		sep = *p++;
	}
	if (!read_digits(&p, 1, 2, &m))
		goto bad;
	if (cjk) {
		if (!starts3(p, "月"))
			goto bad;
		p += 3;
	}
	if (*p == '\0') {
		*why = m >= 1 && m <= 12 ? R_MONTH : R_NOT_DATE;
		return -1;
	}
	if (!cjk && *p++ != sep)
		goto bad;
	if (!read_digits(&p, 1, 2, &d))
		goto bad;
	if (cjk && (starts3(p, "日") || starts3(p, "号")))
		p += 3;
	if (!time_tail(p))
		goto bad;
	return ymd_check(y, m, d, days, why);
bad:
	*why = R_NOT_DATE;
	return -1;
}

/* An Excel serial day number: digits with an optional fraction (the time
 * of day, ignored).  nd is the count of leading digits. */
static int date_serial(const char *p, int nd, const val_opts *o, long *days, const char **why)
{
	long v = 0;

	for (int i = 0; i < nd; i++)
		if (v <= SERIAL_MAX_1900)
			v = v * 10 + (p[i] - '0');
	if (o->date1904) {
		if (v > SERIAL_MAX_1904) {
			*why = R_DATE_RANGE;
			return -1;
		}
		*days = v - DAYS_SERIAL_1904;
		return 0;
	}
	if (v < 1 || v > SERIAL_MAX_1900) {
		*why = R_DATE_RANGE;
		return -1;
	}
	if (v == SERIAL_FAKE_LEAP) {
		*why = R_FAKE_LEAP;
		return -1;
	}
	/* Excel counts 1900-02-29, so serials before it are one day off. */
	*days = v - (v < SERIAL_FAKE_LEAP ? DAYS_SERIAL_1900 - 1 : DAYS_SERIAL_1900);
	return 0;
}

/* Write y-m-d as "YYYY-MM-DD" (outlen >= 11). */
static void put_ymd(char *out, size_t outlen, int y, int m, int d)
{
	if (y < 0 || y > 9999) {
		snprintf(out, outlen, "%04d-%02d-%02d", y, m, d);
		return;
	}
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

static int parse_date(const char *s, const val_opts *o, char *out, size_t outlen,
		      double *num, const char **why)
{
	long days;
	int nd = 0, y, m, d;

	while (is_digit(s[nd]))
		nd++;
	if (nd == 4 && (s[4] == '-' || s[4] == '/' || s[4] == '.' || starts3(s + 4, "年"))) {
		if (date_ymd(s, &days, why) < 0)
			return VAL_ERROR;
	} else if (nd == 8 && (s[8] == '\0' || s[8] == ' ' || s[8] == 'T')) {
		y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
		m = (s[4] - '0') * 10 + (s[5] - '0');
		d = (s[6] - '0') * 10 + (s[7] - '0');
		if (!time_tail(s + 8)) {
			*why = R_NOT_DATE;
			return VAL_ERROR;
		}
		if (ymd_check(y, m, d, &days, why) < 0)
			return VAL_ERROR;
	} else if (nd == 4 && s[4] == '\0' && atoi(s) >= 1900 && atoi(s) <= 2100) {
		/* A bare year.  As a serial it would be a day in 1905, which
		 * no campus record means. */
		*why = R_YEAR;
		return VAL_ERROR;
	} else if (o && o->excel_dates && nd > 0 &&
		   (s[nd] == '\0' || (s[nd] == '.' && s[nd + 1] != '\0' &&
				      strspn(s + nd + 1, "0123456789") == strlen(s + nd + 1)))) {
		if (date_serial(s, nd, o, &days, why) < 0)
			return VAL_ERROR;
	} else {
		*why = R_NOT_DATE;
		return VAL_ERROR;
	}
	if (outlen < 11) {
		*why = R_TOO_LONG;
		return VAL_ERROR;
	}
	val_days_to_ymd(days, &y, &m, &d);
	put_ymd(out, outlen, y, m, d);
	*num = (double)days;
	return VAL_OK;
}

/* ---- yes/no ----------------------------------------------------------- */

static int parse_bool(char *s, char *out, size_t outlen, double *num, const char **why)
{
	static const char *const yes[] = {
		"是", "有", "对", "y", "yes", "true", "t", "1", "√", "✓", "✔", NULL
	};
	static const char *const no[] = {
		"否", "无", "错", "n", "no", "false", "f", "0", "×", "✗", "✘", NULL
	};
	int v = -1;

	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (int i = 0; v < 0 && yes[i]; i++)
		if (strcmp(s, yes[i]) == 0)
			v = 1;
	for (int i = 0; v < 0 && no[i]; i++)
		if (strcmp(s, no[i]) == 0)
			v = 0;
	if (v < 0) {
		*why = R_NOT_BOOL;
		return VAL_ERROR;
	}
	if (outlen < 2) {
		*why = R_TOO_LONG;
		return VAL_ERROR;
	}
	out[0] = v ? 't' : 'f';
	out[1] = '\0';
	*num = v;
	return VAL_OK;
}

/* ---- fast paths -------------------------------------------------------- */

#define FAST_NO 2       /* fast_parse: not a shape it knows, use the full parser */

/*
 * The commonest shapes, read without folding or decimal arithmetic, with
 * exactly the result the full parsers give: a plain integer (ASCII digits,
 * no leading zero, at most 15, no scale) for INTEGER and DECIMAL; an ISO
 * date "YYYY-MM-DD"; 是 and 否.  s[0..len) is trimmed and not empty.
 * Returns VAL_OK, VAL_ERROR (*why) or FAST_NO.
 */
static int fast_parse(val_type t, const char *s, size_t len, const val_opts *o,
		      char *out, size_t outlen, double *num, const char **why)
{
	if ((t == VAL_INTEGER || t == VAL_DECIMAL) && len <= 15 && (s[0] != '0' || len == 1) &&
	    (!o || o->scale == 0 || o->scale == 1)) {
		long long v = 0;

		for (size_t i = 0; i < len; i++) {
			if (!is_digit(s[i]))
				return FAST_NO;
			v = v * 10 + (s[i] - '0');
		}
		if (len >= outlen) {
			*why = R_TOO_LONG;
			return VAL_ERROR;
		}
		memcpy(out, s, len);
		out[len] = '\0';
		*num = (double)v;
		return VAL_OK;
	}
	if (t == VAL_DATE && len == 10 && s[4] == '-' && s[7] == '-') {
		long days;
		int y, m, d;

		for (size_t i = 0; i < 10; i++)
			if (i != 4 && i != 7 && !is_digit(s[i]))
				return FAST_NO;
		y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
		m = (s[5] - '0') * 10 + (s[6] - '0');
		d = (s[8] - '0') * 10 + (s[9] - '0');
		if (ymd_check(y, m, d, &days, why) < 0)
			return VAL_ERROR;
		if (outlen < 11) {
			*why = R_TOO_LONG;
			return VAL_ERROR;
		}
		memcpy(out, s, 10);
		out[10] = '\0';
		*num = (double)days;
		return VAL_OK;
	}
	if (t == VAL_BOOL && len == 3 && (memcmp(s, "是", 3) == 0 || memcmp(s, "否", 3) == 0)) {
		if (outlen < 2) {
			*why = R_TOO_LONG;
			return VAL_ERROR;
		}
		out[0] = s[0] == "是"[0] && s[1] == "是"[1] && s[2] == "是"[2] ? 't' : 'f';
		out[1] = '\0';
		*num = out[0] == 't';
		return VAL_OK;
	}
	return FAST_NO;
}

/* ---- entry points ----------------------------------------------------- */

int val_parse(val_type t, const char *in, size_t len, const val_opts *o,
	      char *out, size_t outlen, double *num, const char **why)
{
	char buf[VAL_SCRATCH];
	const char *s;
	const char *reason = NULL;
	double dummy_num;
	int rc;

	if (!num)
		num = &dummy_num;
	if (!why)
		why = &reason;
	*num = 0;
	*why = NULL;
	if (out && outlen > 0)
		out[0] = '\0';
	else
		outlen = 0;

	s = val_trim(in, &len);
	if (len == 0)
		return VAL_NULL;
	if ((rc = fast_parse(t, s, len, o, out, outlen, num, why)) != FAST_NO)
		return rc;

	switch (t) {
	case VAL_TEXT:
		if (memchr(s, '\0', len)) {
			*why = R_NUL;
			return VAL_ERROR;
		}
		if (len >= outlen) {
			*why = R_TOO_LONG;
			return VAL_ERROR;
		}
		memcpy(out, s, len);
		out[len] = '\0';
		return VAL_OK;
	case VAL_INTEGER:
	case VAL_DECIMAL:
	case VAL_PERCENT:
		reason = R_NOT_NUMBER;
		break;
	case VAL_DATE:
		reason = R_NOT_DATE;
		break;
	case VAL_BOOL:
		reason = R_NOT_BOOL;
		break;
	default:
		*why = R_TYPE;
		return VAL_ERROR;
	}
	if (memchr(s, '\0', len) || fold(s, len, buf, sizeof buf) < 0) {
		*why = reason;
		return VAL_ERROR;
	}
	switch (t) {
	case VAL_INTEGER:
		rc = parse_integer(buf, o, out, outlen, num, why);
		break;
	case VAL_DECIMAL:
	case VAL_PERCENT:
		rc = parse_number(t, buf, o, out, outlen, num, why);
		break;
	case VAL_DATE:
		rc = parse_date(buf, o, out, outlen, num, why);
		break;
	default:
		rc = parse_bool(buf, out, outlen, num, why);
		break;
	}
	if (rc != VAL_OK) {
		*num = 0;
		if (outlen > 0)
			out[0] = '\0';
	}
	return rc;
}

/* Length of the UTF-8 sequence led by c (1 for stray bytes). */
static size_t utf8_len(unsigned char c)
{
	if (c >= 0xF0 && c <= 0xF4)
		return 4;
	if (c >= 0xE0)
		return c <= 0xEF ? 3 : 1;
	if (c >= 0xC2)
		return 2;
	return 1;
}

char *val_norm_key(const char *in, size_t len, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, n = 0, k;
	int c;

	if (outlen == 0)
		return out;
	while (i < len) {
		if ((k = space_at(s + i, len - i)) > 0) {
			i += k;
			continue;
		}
		c = fullwidth_at(s + i, len - i);
		if (c) {
			k = 3;
		} else if (len - i >= 3 && s[i] == 0xE3 && s[i + 1] == 0x80 &&
			   (s[i + 2] == 0x90 || s[i + 2] == 0x94)) {
			c = '[';        /* 【 U+3010, 〔 U+3014 */
			k = 3;
		} else if (len - i >= 3 && s[i] == 0xE3 && s[i + 1] == 0x80 &&
			   (s[i + 2] == 0x91 || s[i + 2] == 0x95)) {
			c = ']';        /* 】 U+3011, 〕 U+3015 */
			k = 3;
		}
		if (c) {
			if (n + 1 >= outlen)
				break;
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			out[n++] = (char)c;
			i += k;
			continue;
		}
		k = utf8_len(s[i]);
		if (k > len - i)
			k = 1;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				k = 1;
		if (n + k >= outlen)
			break;
		for (size_t j = 0; j < k; j++) {
			unsigned char b = s[i + j];
			out[n++] = (char)(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
		}
		i += k;
	}
	out[n] = '\0';
	return out;
}

int val_utf8_column(const char *text, size_t pos)
{
	int col = 1;
	for (size_t i = 0; i < pos && text[i]; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			col++;
	return col;
}

size_t val_utf8_invalid(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (u[i]) {
		unsigned c = u[i], cp, min;
		int n, k;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1, cp = c & 0x1F, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2, cp = c & 0x0F, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return i;
		}
		for (k = 1; k <= n; k++) {
			if ((u[i + k] & 0xC0) != 0x80)
				return i;
			cp = cp << 6 | (u[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += n + 1;
	}
	return (size_t)-1;
}

/* The code points of key s (at most max), as numbers; returns how many. */
static size_t code_points(const char *s, unsigned *cp, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (*p && n < max) {
		unsigned c = *p++;
		int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
		while (more-- > 0 && (*p & 0xc0) == 0x80)
			c = c << 6 | (*p++ & 0x3f);
		cp[n++] = c;
	}
	return n;
}

double val_similarity(const char *a, const char *b)
{
	unsigned ca[129], cb[129];
	unsigned char used[128] = { 0 };
	size_t na = code_points(a, ca, 128), nb = code_points(b, cb, 128);
	size_t ba, bb, common = 0;

	if (!na || !nb)
		return 0;
	if (na == 1 || nb == 1) {
		/* one character: does the other key hold it? */
		const unsigned *one = na == 1 ? ca : cb, *other = na == 1 ? cb : ca;
		size_t no = na == 1 ? nb : na;
		for (size_t i = 0; i < no; i++)
			if (other[i] == one[0])
				return 1.0 / (double)no;
		return 0;
	}
	ba = na - 1;
	bb = nb - 1;
	for (size_t i = 0; i < ba; i++)
		for (size_t j = 0; j < bb; j++)
			if (!used[j] && ca[i] == cb[j] && ca[i + 1] == cb[j + 1]) {
				used[j] = 1;
				common++;
				break;
			}
	return 2.0 * (double)common / (double)(ba + bb);
}

int val_parse_begin(const char *text, char *err, size_t errlen, int *errcol)
{
	size_t bad;

	if (err && errlen)
		err[0] = 0;
	if (errcol)
		*errcol = 0;
	bad = val_utf8_invalid(text);
	if (bad == (size_t)-1)
		return 0;
	return val_parse_error(err, errlen, errcol, text, bad, "invalid UTF-8 (byte 0x%02X)", (unsigned char)text[bad]);
}

int val_parse_error(char *err, size_t errlen, int *errcol, const char *text, size_t pos, const char *fmt,
		    ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err && errlen)
		err_vset(err, errlen, fmt, ap);
	va_end(ap);
	if (errcol)
		*errcol = val_utf8_column(text, pos);
	return -1;
}
