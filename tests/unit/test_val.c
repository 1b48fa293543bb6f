/*
 * test_val.c - unit tests for lib/catalog/val.c: every accepted form and every
 * rejection of each value type, full-width input, date boundaries (Excel's
 * 1900 and 1904 systems), percent modes, exact scaling, small output
 * buffers, header normalisation and academic years.
 *
 * Build and run (see tests/unit/tap.h):
 *     build/tests/test_val
 */
#include "tests/unit/tap.h"
#include "lib/catalog/val.h"

#include <stdlib.h>
#include <string.h>

static const char *const tnames[] = { "text", "integer", "decimal", "date", "bool", "percent" };
#define tname(t) ((unsigned)(t) <= VAL_PERCENT ? tnames[t] : "unknown")

static const val_opts DEF = { VAL_PCT_AUTO, 0, 0, 0 };
static const val_opts PCT_PERCENT = { VAL_PCT_PERCENT, 0, 0, 0 };
static const val_opts PCT_FRACTION = { VAL_PCT_FRACTION, 0, 0, 0 };
static const val_opts SCALE_WAN = { VAL_PCT_AUTO, 10000, 0, 0 };
static const val_opts EXCEL = { VAL_PCT_AUTO, 0, 1, 0 };
static const val_opts EXCEL1904 = { VAL_PCT_AUTO, 0, 1, 1 };

static char out[256];
static double num;
static const char *why;

static int run(val_type t, const val_opts *o, const char *in)
{
	num = -12345;
	why = "(unset)";
	return val_parse(t, in, strlen(in), o, out, sizeof out, &num, &why);
}

/* in parses as t to want (two assertions). */
static void yes(val_type t, const val_opts *o, const char *in, const char *want)
{
	int rc = run(t, o, in);

	if (!is_int(rc, VAL_OK, "%s \"%s\" is accepted", tname(t), in))
		printf("#   why: %s\n", why ? why : "(null)");
	is_str(out, want, "%s \"%s\" -> \"%s\"", tname(t), in, want);
}

/* in parses as t to want with number wantnum (three assertions). */
static void yes_num(val_type t, const val_opts *o, const char *in, const char *want, double wantnum)
{
	yes(t, o, in, want);
	ok(num == wantnum, "%s \"%s\" num %.17g", tname(t), in, wantnum);
	if (num != wantnum)
		printf("#   got: %.17g\n", num);
}

/* in is rejected as t with reason want (two assertions). */
static void no(val_type t, const val_opts *o, const char *in, const char *want)
{
	int rc = run(t, o, in);

	if (!is_int(rc, VAL_ERROR, "%s \"%s\" is rejected", tname(t), in))
		printf("#   out: %s\n", out);
	is_str(why, want, "%s \"%s\" reason", tname(t), in);
}

/* in is null for every type (one assertion each). */
static void null_all(const char *in, const char *label)
{
	for (int t = VAL_TEXT; t <= VAL_PERCENT; t++) {
		int rc = run((val_type)t, &DEF, in);
		ok(rc == VAL_NULL && out[0] == '\0' && num == 0 && why == NULL,
		   "%s %s is null", tname(t), label);
	}
}

static void test_trim(void)
{
	const char *s = "  \xE3\x80\x80\t x  y \r\n\xC2\xA0\xEF\xBB\xBF";
	size_t len = strlen(s);
	const char *t = val_trim(s, &len);

	ok(len == 4 && memcmp(t, "x  y", 4) == 0, "val_trim keeps inner spaces");
	is_int((long long)len, 4, "val_trim strips ASCII, U+3000, U+00A0, U+FEFF");
	is_int((long long)(t - s), 7, "val_trim start offset");
	len = 3;
	t = val_trim("\xEF\xBB\xBF", &len);
	is_int((long long)len, 0, "val_trim: BOM only is empty");
	len = 0;
	val_trim("", &len);
	is_int((long long)len, 0, "val_trim: empty stays empty");
	len = 4;
	t = val_trim("abcd", &len);
	is_int((long long)len, 4, "val_trim: nothing to trim");
	/* A lone 0xA0 byte (not preceded by 0xC2) is not trimmed. */
	len = 2;
	t = val_trim("a\xA0", &len);
	is_int((long long)len, 2, "val_trim: stray 0xA0 kept");
}

static void test_null(void)
{
	null_all("", "empty");
	null_all("   ", "spaces");
	null_all("\t\r\n", "tab/CR/LF");
	null_all("\xE3\x80\x80", "U+3000");
	null_all("\xE3\x80\x80 \xC2\xA0", "U+3000 + NBSP");

	/* Placeholders are values, not nulls. */
	no(VAL_DECIMAL, &DEF, "-", "is not a number");
	no(VAL_DECIMAL, &DEF, "—", "is not a number");
	no(VAL_DECIMAL, &DEF, "－", "is not a number");
	no(VAL_DECIMAL, &DEF, "/", "is not a number");
	no(VAL_DECIMAL, &DEF, "无", "is not a number");
	no(VAL_INTEGER, &DEF, "-", "is not a number");
	no(VAL_DATE, &DEF, "/", "is not a date");
	no(VAL_DATE, &DEF, "—", "is not a date");
	yes(VAL_TEXT, &DEF, "-", "-");
	yes(VAL_TEXT, &DEF, "无", "无");
	yes(VAL_BOOL, &DEF, "无", "f");

	/* NULL in/out pointers where allowed. */
	is_int(val_parse(VAL_INTEGER, NULL, 0, NULL, NULL, 0, NULL, NULL), VAL_NULL,
	       "NULL input of length 0 is null");
}

static void test_integer(void)
{
	yes_num(VAL_INTEGER, &DEF, "1466", "1466", 1466);
	yes_num(VAL_INTEGER, &DEF, "1,466", "1466", 1466);
	yes_num(VAL_INTEGER, &DEF, "１４６６", "1466", 1466);
	yes_num(VAL_INTEGER, &DEF, "１，４６６", "1466", 1466);
	yes_num(VAL_INTEGER, &DEF, "+5", "5", 5);
	yes_num(VAL_INTEGER, &DEF, "＋５", "5", 5);
	yes_num(VAL_INTEGER, &DEF, "-3", "-3", -3);
	yes_num(VAL_INTEGER, &DEF, "－３", "-3", -3);
	yes_num(VAL_INTEGER, &DEF, "12.0", "12", 12);
	yes_num(VAL_INTEGER, &DEF, "１２．００", "12", 12);
	yes_num(VAL_INTEGER, &DEF, "1,466.00", "1466", 1466);
	yes_num(VAL_INTEGER, &DEF, "  2023\r\n", "2023", 2023);
	yes_num(VAL_INTEGER, &DEF, "\xE3\x80\x80" "42" "\xE3\x80\x80", "42", 42);
	yes_num(VAL_INTEGER, &DEF, "007", "7", 7);
	yes_num(VAL_INTEGER, &DEF, "0", "0", 0);
	yes_num(VAL_INTEGER, &DEF, "-0", "0", 0);
	yes_num(VAL_INTEGER, &DEF, "1,234,567", "1234567", 1234567);
	yes(VAL_INTEGER, &DEF, "9223372036854775807", "9223372036854775807");
	yes(VAL_INTEGER, &DEF, "-9223372036854775808", "-9223372036854775808");
	yes(VAL_INTEGER, &DEF, "9,223,372,036,854,775,807", "9223372036854775807");
	no(VAL_INTEGER, &DEF, "9223372036854775808", "is out of range for an integer");
	no(VAL_INTEGER, &DEF, "-9223372036854775809", "is out of range for an integer");
	no(VAL_INTEGER, &DEF, "99999999999999999999", "is out of range for an integer");
	no(VAL_INTEGER, &DEF, "12.5", "has digits after the decimal point in an integer column");
	no(VAL_INTEGER, &DEF, "１２．５", "has digits after the decimal point in an integer column");
	no(VAL_INTEGER, &DEF, "0.001", "has digits after the decimal point in an integer column");
	no(VAL_INTEGER, &DEF, "1e3", "is in scientific notation, which may have lost digits");
	no(VAL_INTEGER, &DEF, "2.02004E+11", "is in scientific notation, which may have lost digits");
	no(VAL_INTEGER, &DEF, "abc", "is not a number");
	no(VAL_INTEGER, &DEF, "1 466", "is not a number");
	no(VAL_INTEGER, &DEF, "1,46", "is not a number");
	no(VAL_INTEGER, &DEF, "14,66", "is not a number");
	no(VAL_INTEGER, &DEF, "1466,", "is not a number");
	no(VAL_INTEGER, &DEF, ",466", "is not a number");
	no(VAL_INTEGER, &DEF, "1,,466", "is not a number");
	no(VAL_INTEGER, &DEF, "1,22,333", "is not a number");
	no(VAL_INTEGER, &DEF, "1466,000,0", "is not a number");
	no(VAL_INTEGER, &DEF, "--3", "is not a number");
	no(VAL_INTEGER, &DEF, "+-3", "is not a number");
	no(VAL_INTEGER, &DEF, "3-", "is not a number");
	no(VAL_INTEGER, &DEF, "+", "is not a number");
	no(VAL_INTEGER, &DEF, ".", "is not a number");
	no(VAL_INTEGER, &DEF, "1466人", "is not a number");
	no(VAL_INTEGER, &DEF, "0x10", "is not a number");
	no(VAL_INTEGER, &DEF, "2023届", "is not a number");

	/* Scaled integers: exact, and a fraction left after scaling is an error. */
	yes_num(VAL_INTEGER, &SCALE_WAN, "1.25", "12500", 12500);
	yes_num(VAL_INTEGER, &SCALE_WAN, "3", "30000", 30000);
	no(VAL_INTEGER, &SCALE_WAN, "1.23456", "has digits after the decimal point in an integer column");
	no(VAL_INTEGER, &SCALE_WAN, "922337203685478", "is out of range for an integer");
}

static void test_decimal(void)
{
	val_opts tenth = { VAL_PCT_AUTO, 0.1, 0, 0 };
	val_opts wanth = { VAL_PCT_AUTO, 0.0001, 0, 0 };
	val_opts hundred = { VAL_PCT_AUTO, 100, 0, 0 };
	val_opts one = { VAL_PCT_AUTO, 1, 0, 0 };

	yes_num(VAL_DECIMAL, &DEF, "4090", "4090", 4090);
	yes_num(VAL_DECIMAL, &DEF, "4,090.50", "4090.5", 4090.5);
	yes_num(VAL_DECIMAL, &DEF, "４，０９０．５０", "4090.5", 4090.5);
	yes_num(VAL_DECIMAL, &DEF, "1e3", "1000", 1000);
	yes_num(VAL_DECIMAL, &DEF, "1E+3", "1000", 1000);
	yes_num(VAL_DECIMAL, &DEF, "1.5E-3", "0.0015", 0.0015);
	yes_num(VAL_DECIMAL, &DEF, "-.5", "-0.5", -0.5);
	yes_num(VAL_DECIMAL, &DEF, ".25", "0.25", 0.25);
	yes_num(VAL_DECIMAL, &DEF, "5.", "5", 5);
	yes_num(VAL_DECIMAL, &DEF, "0.000", "0", 0);
	yes_num(VAL_DECIMAL, &DEF, "-0.0", "0", 0);
	yes_num(VAL_DECIMAL, &DEF, "0.1", "0.1", 0.1);
	yes_num(VAL_DECIMAL, &DEF, "00100.0100", "100.01", 100.01);
	yes_num(VAL_DECIMAL, &DEF, "+1e+2", "100", 100);
	yes_num(VAL_DECIMAL, &DEF, "-1,234.5", "-1234.5", -1234.5);
	yes(VAL_DECIMAL, &DEF, "12345678901234567890.123456789", "12345678901234567890.123456789");
	yes(VAL_DECIMAL, &DEF, "9.15E+17", "915000000000000000");
	no(VAL_DECIMAL, &DEF, "4090.5元", "is not a number");
	no(VAL_DECIMAL, &DEF, "¥4,090.50", "is not a number");
	no(VAL_DECIMAL, &DEF, "￥4090", "is not a number");
	no(VAL_DECIMAL, &DEF, "4090元/月", "is not a number");
	no(VAL_DECIMAL, &DEF, "1e", "is not a number");
	no(VAL_DECIMAL, &DEF, "e3", "is not a number");
	no(VAL_DECIMAL, &DEF, "1e3.5", "is not a number");
	no(VAL_DECIMAL, &DEF, "1.2.3", "is not a number");
	no(VAL_DECIMAL, &DEF, "NaN", "is not a number");
	no(VAL_DECIMAL, &DEF, "inf", "is not a number");
	no(VAL_DECIMAL, &DEF, "Infinity", "is not a number");
	no(VAL_DECIMAL, &DEF, "4090.50%", "is not a number");
	no(VAL_DECIMAL, &DEF, "4,09", "is not a number");
	no(VAL_DECIMAL, &DEF, "1e400", "is out of range");

	/* Exact scaling on the decimal digits. */
	yes_num(VAL_DECIMAL, &SCALE_WAN, "1.2345", "12345", 12345);
	yes_num(VAL_DECIMAL, &SCALE_WAN, "1.25", "12500", 12500);
	yes_num(VAL_DECIMAL, &SCALE_WAN, "0.1", "1000", 1000);
	yes_num(VAL_DECIMAL, &SCALE_WAN, "0.00001", "0.1", 0.1);
	yes_num(VAL_DECIMAL, &SCALE_WAN, "-2.5", "-25000", -25000);
	yes_num(VAL_DECIMAL, &SCALE_WAN, "０．３", "3000", 3000);
	yes_num(VAL_DECIMAL, &wanth, "12345", "1.2345", 1.2345);
	yes_num(VAL_DECIMAL, &tenth, "3", "0.3", 0.3);
	yes_num(VAL_DECIMAL, &hundred, "0.07", "7", 7);
	yes_num(VAL_DECIMAL, &hundred, "1.005", "100.5", 100.5);
	yes_num(VAL_DECIMAL, &one, "4090.5", "4090.5", 4090.5);
	yes_num(VAL_DECIMAL, &SCALE_WAN, "0", "0", 0);
}

static void test_percent(void)
{
	val_opts wan_pct = { VAL_PCT_PERCENT, 10000, 0, 0 };

	yes_num(VAL_PERCENT, &DEF, "94.82%", "94.82", 94.82);
	yes_num(VAL_PERCENT, &PCT_PERCENT, "94.82%", "94.82", 94.82);
	yes_num(VAL_PERCENT, &PCT_FRACTION, "94.82%", "94.82", 94.82);
	yes_num(VAL_PERCENT, &PCT_PERCENT, "94.82", "94.82", 94.82);
	yes_num(VAL_PERCENT, &PCT_FRACTION, "0.9482", "94.82", 94.82);
	yes_num(VAL_PERCENT, &DEF, "0.9482", "94.82", 94.82);
	yes_num(VAL_PERCENT, &DEF, "94.82", "94.82", 94.82);
	yes_num(VAL_PERCENT, &DEF, "９４．８２％", "94.82", 94.82);
	yes_num(VAL_PERCENT, &DEF, "94.82 %", "94.82", 94.82);
	yes_num(VAL_PERCENT, &DEF, "94.820%", "94.82", 94.82);
	yes_num(VAL_PERCENT, &DEF, "100%", "100", 100);
	yes_num(VAL_PERCENT, &DEF, "1", "100", 100);
	yes_num(VAL_PERCENT, &DEF, "1.0", "100", 100);
	yes_num(VAL_PERCENT, &DEF, "1.5", "1.5", 1.5);
	yes_num(VAL_PERCENT, &DEF, "0", "0", 0);
	yes_num(VAL_PERCENT, &DEF, "0%", "0", 0);
	yes_num(VAL_PERCENT, &DEF, "-0.05", "-5", -5);
	yes_num(VAL_PERCENT, &DEF, "0.5%", "0.5", 0.5);
	yes_num(VAL_PERCENT, &PCT_PERCENT, "0.5", "0.5", 0.5);
	yes_num(VAL_PERCENT, &PCT_FRACTION, "1.5", "150", 150);
	yes_num(VAL_PERCENT, &PCT_FRACTION, "0.12345", "12.345", 12.345);
	yes_num(VAL_PERCENT, &DEF, "9.482E-01", "94.82", 94.82);
	yes_num(VAL_PERCENT, &wan_pct, "50%", "50", 50);
	no(VAL_PERCENT, &DEF, "%", "is not a number");
	no(VAL_PERCENT, &DEF, "94.82%%", "is not a number");
	no(VAL_PERCENT, &DEF, "%94", "is not a number");
	no(VAL_PERCENT, &DEF, "abc%", "is not a number");
	no(VAL_PERCENT, &DEF, "94.82‰", "is not a number");
	no(VAL_PERCENT, &DEF, "九成", "is not a number");
}

static void test_date(void)
{
	yes_num(VAL_DATE, &DEF, "2023-06-30", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "2023/6/30", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "2023.6.30", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "2023年6月30日", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "2023年06月30日", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "2023年6月30", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "2023年6月30号", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "20230630", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "2023-06-30 00:00:00", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "2023/6/30 0:00", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "2023-06-30 17:45", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "2023-06-30T08:15:00", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "2023-06-30 23:59:59.123", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "2023年6月30日 14:30", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "２０２３－０６－３０", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "２０２３年６月３０日", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "２０２３／６／３０\xE3\x80\x80" "０:００", "2023-06-30", 19538);
	yes_num(VAL_DATE, &DEF, "1970-01-01", "1970-01-01", 0);
	yes_num(VAL_DATE, &DEF, "1969-12-31", "1969-12-31", -1);
	yes_num(VAL_DATE, &DEF, "1900-03-01", "1900-03-01", -25508);
	yes_num(VAL_DATE, &DEF, "2000-02-29", "2000-02-29", 11016);
	yes(VAL_DATE, &DEF, "2024-02-29", "2024-02-29");
	yes(VAL_DATE, &DEF, "2023-12-31", "2023-12-31");
	yes(VAL_DATE, &DEF, "0001-01-01", "0001-01-01");
	yes(VAL_DATE, &DEF, "9999-12-31", "9999-12-31");

	no(VAL_DATE, &DEF, "2023-02-29", "is not a valid date");
	no(VAL_DATE, &DEF, "1900-02-29", "is not a valid date");
	no(VAL_DATE, &DEF, "2100-02-29", "is not a valid date");
	no(VAL_DATE, &DEF, "2023-04-31", "is not a valid date");
	no(VAL_DATE, &DEF, "2023-00-10", "is not a valid date");
	no(VAL_DATE, &DEF, "2023-06-00", "is not a valid date");
	no(VAL_DATE, &DEF, "2023-13-01", "is not a valid date");
	no(VAL_DATE, &DEF, "20231301", "is not a valid date");
	no(VAL_DATE, &DEF, "2023年2月30日", "is not a valid date");
	no(VAL_DATE, &DEF, "0000-01-01", "date out of range");
	no(VAL_DATE, &DEF, "2023年6月", "is a month, not a date");
	no(VAL_DATE, &DEF, "2023年06月", "is a month, not a date");
	no(VAL_DATE, &DEF, "2023-06", "is a month, not a date");
	no(VAL_DATE, &DEF, "2023/6", "is a month, not a date");
	no(VAL_DATE, &DEF, "2023.6", "is a month, not a date");
	no(VAL_DATE, &DEF, "２０２３年６月", "is a month, not a date");
	no(VAL_DATE, &DEF, "2023-13", "is not a date");
	no(VAL_DATE, &DEF, "2023年", "is a year, not a date");
	no(VAL_DATE, &DEF, "2023", "is a year, not a date");
	no(VAL_DATE, &DEF, "2023-6/30", "is not a date");
	no(VAL_DATE, &DEF, "2023-06-30-", "is not a date");
	no(VAL_DATE, &DEF, "2023-006-30", "is not a date");
	no(VAL_DATE, &DEF, "2023-06-30 25:00", "is not a date");
	no(VAL_DATE, &DEF, "2023-06-30 12:60", "is not a date");
	no(VAL_DATE, &DEF, "2023-06-30 noon", "is not a date");
	no(VAL_DATE, &DEF, "2023-06-30上午", "is not a date");
	no(VAL_DATE, &DEF, "30/06/2023", "is not a date");
	no(VAL_DATE, &DEF, "6/30/2023", "is not a date");
	no(VAL_DATE, &DEF, "23-6-30", "is not a date");
	no(VAL_DATE, &DEF, "2023 06 30", "is not a date");
	no(VAL_DATE, &DEF, "2023年6月30日日", "is not a date");
	no(VAL_DATE, &DEF, "2023-06-30日", "is not a date");
	no(VAL_DATE, &DEF, "June 30, 2023", "is not a date");
	no(VAL_DATE, &DEF, "45107", "is not a date");
	no(VAL_DATE, &DEF, "2023063", "is not a date");
}

static void test_excel_dates(void)
{
	/* 1900 system, with Excel's nonexistent 1900-02-29 at serial 60. */
	yes_num(VAL_DATE, &EXCEL, "1", "1900-01-01", -25567);
	yes_num(VAL_DATE, &EXCEL, "59", "1900-02-28", -25509);
	no(VAL_DATE, &EXCEL, "60", "is Excel's nonexistent date 1900-02-29");
	yes_num(VAL_DATE, &EXCEL, "61", "1900-03-01", -25508);
	yes_num(VAL_DATE, &EXCEL, "25569", "1970-01-01", 0);
	yes_num(VAL_DATE, &EXCEL, "36526", "2000-01-01", 10957);
	yes_num(VAL_DATE, &EXCEL, "45107", "2023-06-30", 19538);
	yes_num(VAL_DATE, &EXCEL, "45107.5", "2023-06-30", 19538);
	yes_num(VAL_DATE, &EXCEL, "４５１０７", "2023-06-30", 19538);
	yes(VAL_DATE, &EXCEL, "2958465", "9999-12-31");
	yes(VAL_DATE, &EXCEL, "2023-06-30", "2023-06-30");
	yes(VAL_DATE, &EXCEL, "20230630", "2023-06-30");
	no(VAL_DATE, &EXCEL, "2958466", "date out of range");
	no(VAL_DATE, &EXCEL, "99999999999", "date out of range");
	no(VAL_DATE, &EXCEL, "0", "date out of range");
	no(VAL_DATE, &EXCEL, "2023", "is a year, not a date");
	no(VAL_DATE, &EXCEL, "45107.", "is not a date");
	no(VAL_DATE, &EXCEL, "-1", "is not a date");
	no(VAL_DATE, &EXCEL, "45,107", "is not a date");
	no(VAL_DATE, &EXCEL, "45107.5.5", "is not a date");

	/* 1904 system: serial 0 is 1904-01-01, 1462 days after the 1900 one. */
	yes_num(VAL_DATE, &EXCEL1904, "0", "1904-01-01", -24107);
	yes_num(VAL_DATE, &EXCEL1904, "1", "1904-01-02", -24106);
	yes_num(VAL_DATE, &EXCEL1904, "59", "1904-02-29", -24048);
	yes_num(VAL_DATE, &EXCEL1904, "60", "1904-03-01", -24047);
	yes_num(VAL_DATE, &EXCEL1904, "43645", "2023-06-30", 19538);
	yes(VAL_DATE, &EXCEL1904, "2957003", "9999-12-31");
	no(VAL_DATE, &EXCEL1904, "2957004", "date out of range");

	/* date1904 alone does not turn serials on. */
	{
		val_opts o = { VAL_PCT_AUTO, 0, 0, 1 };
		no(VAL_DATE, &o, "43645", "is not a date");
	}
}

static void test_bool(void)
{
	static const char *const t[] = {
		"是", "有", "对", "Y", "y", "yes", "Yes", "YES", "true", "TRUE", "True",
		"T", "t", "1", "√", "✓", "✔", "Ｙ", "ｙｅｓ", "ＴＲＵＥ", "１", NULL
	};
	static const char *const f[] = {
		"否", "无", "错", "N", "n", "no", "No", "NO", "false", "FALSE", "F", "f",
		"0", "×", "✗", "✘", "Ｎ", "０", " 否 ", NULL
	};

	for (int i = 0; t[i]; i++)
		yes_num(VAL_BOOL, &DEF, t[i], "t", 1);
	for (int i = 0; f[i]; i++)
		yes_num(VAL_BOOL, &DEF, f[i], "f", 0);
	no(VAL_BOOL, &DEF, "2", "is not a yes/no value");
	no(VAL_BOOL, &DEF, "10", "is not a yes/no value");
	no(VAL_BOOL, &DEF, "1.0", "is not a yes/no value");
	no(VAL_BOOL, &DEF, "是的", "is not a yes/no value");
	no(VAL_BOOL, &DEF, "是/否", "is not a yes/no value");
	no(VAL_BOOL, &DEF, "maybe", "is not a yes/no value");
	no(VAL_BOOL, &DEF, "yes!", "is not a yes/no value");
	no(VAL_BOOL, &DEF, "-", "is not a yes/no value");
	no(VAL_BOOL, &DEF, "x", "is not a yes/no value");
	no(VAL_BOOL, &DEF, "ye", "is not a yes/no value");
}

static void test_text(void)
{
	yes_num(VAL_TEXT, &DEF, "  数控加工  ", "数控加工", 0);
	yes(VAL_TEXT, &DEF, "\xE3\x80\x80" "汽车维修\xE3\x80\x80", "汽车维修");
	yes(VAL_TEXT, &DEF, "a  b\r\nc", "a  b\r\nc");
	yes(VAL_TEXT, &DEF, "ＡＢＣ", "ＡＢＣ");
	yes(VAL_TEXT, &DEF, "\xEF\xBB\xBF学号", "学号");
	yes(VAL_TEXT, &DEF, "0403-4", "0403-4");
	{
		int rc = val_parse(VAL_TEXT, "a\0b", 3, &DEF, out, sizeof out, &num, &why);
		is_int(rc, VAL_ERROR, "text with a NUL byte is rejected");
		is_str(why, "contains a NUL character", "text NUL reason");
	}
}

/* Input need not be NUL-terminated: only len bytes are read. */
static void test_lengths(void)
{
	int rc;

	rc = val_parse(VAL_TEXT, "abcdef", 3, &DEF, out, sizeof out, &num, &why);
	ok(rc == VAL_OK && strcmp(out, "abc") == 0, "text reads only len bytes");
	rc = val_parse(VAL_INTEGER, "1466xyz", 4, &DEF, out, sizeof out, &num, &why);
	ok(rc == VAL_OK && strcmp(out, "1466") == 0 && num == 1466, "integer reads only len bytes");
	rc = val_parse(VAL_DATE, "2023-06-30 garbage", 10, &DEF, out, sizeof out, &num, &why);
	ok(rc == VAL_OK && strcmp(out, "2023-06-30") == 0, "date reads only len bytes");
	rc = val_parse(VAL_BOOL, "yesterday", 3, &DEF, out, sizeof out, &num, &why);
	ok(rc == VAL_OK && strcmp(out, "t") == 0, "bool reads only len bytes");
	/* A cut inside a full-width character is not that character. */
	rc = val_parse(VAL_INTEGER, "１２", 5, &DEF, out, sizeof out, &num, &why);
	is_int(rc, VAL_ERROR, "integer with a truncated full-width digit is rejected");

	/* A very long cell cannot be a number. */
	{
		char big[600];
		memset(big, '1', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		no(VAL_DECIMAL, &DEF, big, "is not a number");
		no(VAL_DATE, &DEF, big, "is not a date");
		no(VAL_BOOL, &DEF, big, "is not a yes/no value");
		yes(VAL_TEXT, &DEF, "x", "x");
	}
	no((val_type)99, &DEF, "1", "has an unknown value type");
}

/* Output buffers of exactly the right size and one byte too small. */
static void test_small_out(void)
{
	char small[16];
	const char *w;
	double n;
	int rc;

	rc = val_parse(VAL_DECIMAL, "4090.5", 6, &DEF, small, 7, &n, &w);
	ok(rc == VAL_OK && strcmp(small, "4090.5") == 0, "decimal fits in 7 bytes");
	rc = val_parse(VAL_DECIMAL, "4090.5", 6, &DEF, small, 6, &n, &w);
	ok(rc == VAL_ERROR && strcmp(w, "value too long") == 0 && small[0] == '\0',
	   "decimal in 6 bytes: value too long, out emptied");
	rc = val_parse(VAL_DECIMAL, "1.25", 4, &SCALE_WAN, small, 6, &n, &w);
	ok(rc == VAL_OK && strcmp(small, "12500") == 0, "scaled decimal fits in 6 bytes");
	rc = val_parse(VAL_DECIMAL, "1.25", 4, &SCALE_WAN, small, 5, &n, &w);
	ok(rc == VAL_ERROR && strcmp(w, "value too long") == 0, "scaled decimal in 5 bytes is too long");
	rc = val_parse(VAL_DECIMAL, "1e12", 4, &DEF, small, sizeof small, &n, &w);
	ok(rc == VAL_OK && strcmp(small, "1000000000000") == 0, "1e12 fits in 16 bytes");
	rc = val_parse(VAL_DECIMAL, "1e20", 4, &DEF, small, sizeof small, &n, &w);
	ok(rc == VAL_ERROR && strcmp(w, "value too long") == 0, "1e20 in 16 bytes is too long");
	rc = val_parse(VAL_DECIMAL, "-1e-20", 6, &DEF, small, sizeof small, &n, &w);
	ok(rc == VAL_ERROR && strcmp(w, "value too long") == 0, "-1e-20 in 16 bytes is too long");
	rc = val_parse(VAL_INTEGER, "-1466", 5, &DEF, small, 6, &n, &w);
	ok(rc == VAL_OK && strcmp(small, "-1466") == 0, "integer fits in 6 bytes");
	rc = val_parse(VAL_INTEGER, "-1466", 5, &DEF, small, 5, &n, &w);
	ok(rc == VAL_ERROR && strcmp(w, "value too long") == 0, "integer in 5 bytes is too long");
	rc = val_parse(VAL_PERCENT, "0.9482", 6, &DEF, small, 6, &n, &w);
	ok(rc == VAL_OK && strcmp(small, "94.82") == 0, "percent fits in 6 bytes");
	rc = val_parse(VAL_PERCENT, "0.9482", 6, &DEF, small, 5, &n, &w);
	ok(rc == VAL_ERROR && strcmp(w, "value too long") == 0, "percent in 5 bytes is too long");
	rc = val_parse(VAL_DATE, "2023/6/30", 9, &DEF, small, 11, &n, &w);
	ok(rc == VAL_OK && strcmp(small, "2023-06-30") == 0, "date fits in 11 bytes");
	rc = val_parse(VAL_DATE, "2023/6/30", 9, &DEF, small, 10, &n, &w);
	ok(rc == VAL_ERROR && strcmp(w, "value too long") == 0, "date in 10 bytes is too long");
	rc = val_parse(VAL_BOOL, "是", 3, &DEF, small, 2, &n, &w);
	ok(rc == VAL_OK && strcmp(small, "t") == 0, "bool fits in 2 bytes");
	rc = val_parse(VAL_BOOL, "是", 3, &DEF, small, 1, &n, &w);
	ok(rc == VAL_ERROR && strcmp(w, "value too long") == 0, "bool in 1 byte is too long");
	rc = val_parse(VAL_TEXT, "汽车", 6, &DEF, small, 7, &n, &w);
	ok(rc == VAL_OK && strcmp(small, "汽车") == 0, "text fits in 7 bytes");
	rc = val_parse(VAL_TEXT, "汽车", 6, &DEF, small, 6, &n, &w);
	ok(rc == VAL_ERROR && strcmp(w, "value too long") == 0, "text in 6 bytes is too long");
	rc = val_parse(VAL_INTEGER, "1", 1, &DEF, NULL, 0, &n, &w);
	ok(rc == VAL_ERROR && strcmp(w, "value too long") == 0, "no output buffer: value too long");
	/* Nulls need no room. */
	rc = val_parse(VAL_INTEGER, " ", 1, &DEF, NULL, 0, NULL, NULL);
	is_int(rc, VAL_NULL, "null with no output buffer");
}

static void norm_is(const char *in, const char *want)
{
	char k[128];

	val_norm_key(in, strlen(in), k, sizeof k);
	is_str(k, want, "val_norm_key \"%s\"", in);
}

static void test_norm_key(void)
{
	char a[64], b[64], c[8];

	val_norm_key("起薪（元/月）", strlen("起薪（元/月）"), a, sizeof a);
	val_norm_key("起薪(元/月)", strlen("起薪(元/月)"), b, sizeof b);
	is_str(a, b, "起薪（元/月） and 起薪(元/月) give the same key");
	norm_is("起薪（元/月）", "起薪(元/月)");
	norm_is("起薪(元/\r\n月)", "起薪(元/月)");
	norm_is("起薪\n（元／月）", "起薪(元/月)");
	norm_is(" 起 薪 \t(元/月)\xE3\x80\x80", "起薪(元/月)");
	norm_is("\xEF\xBB\xBF学号", "学号");
	norm_is("是否\r\n专业对口", "是否专业对口");
	norm_is("【备注】", "[备注]");
	norm_is("〔备注〕", "[备注]");
	norm_is("［Ａ］", "[a]");
	norm_is("Major Code", "majorcode");
	norm_is("ＡＢＣ ｄｅｆ", "abcdef");
	norm_is("性别：", "性别:");
	norm_is("省，市", "省,市");
	norm_is("就业地区（省/市/区县）", "就业地区(省/市/区县)");
	norm_is("预备技师（技师）", "预备技师(技师)");
	norm_is("中级工", "中级工");
	norm_is("", "");

	/* Only len bytes are read. */
	val_norm_key("学号XYZ", 6, a, sizeof a);
	is_str(a, "学号", "val_norm_key reads only len bytes");
	/* Truncation happens between whole characters. */
	val_norm_key("起薪", 6, c, 5);
	is_str(c, "起", "val_norm_key truncates between characters");
	val_norm_key("起薪", 6, c, 7);
	is_str(c, "起薪", "val_norm_key: exact fit");
	val_norm_key("abc", 3, c, 3);
	is_str(c, "ab", "val_norm_key truncates ASCII");
	val_norm_key("起", 3, c, 1);
	is_str(c, "", "val_norm_key with room for the NUL only");
	c[0] = 'z';
	ok(val_norm_key("x", 1, c, 0) == c && c[0] == 'z', "val_norm_key with outlen 0 writes nothing");
}

/* val_decimal_fast: the shapes it takes give strtod's double bit for bit;
 * every other shape is left to strtod. */
static void test_decimal_fast(void)
{
	static const char *const yes[] = {
		"0", "-0", "5", "4500", "4500.5", "0.1", ".5", "-12.25", "0.3", "2.675",
		"123456789012345", "1234567.89012345", "0.00000000000001", "999999999999999",
	};
	static const char *const no[] = {
		"", "-", ".", "5.", "1e3", " 5", "5 ", "+5", "1.2.3", "0x10", "1234567890123456",
		"12345678.901234567", "0.000000000000001", "inf", "nan", "1,000",
	};
	unsigned long long seed = 12345;
	int bad = 0;

	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
		double d = -1, want = strtod(yes[i], NULL);
		int rc = val_decimal_fast(yes[i], strlen(yes[i]), &d);
		ok(rc == 0 && memcmp(&d, &want, sizeof d) == 0, "decimal_fast %s = strtod's %.17g", yes[i], want);
	}
	for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
		double d = 42;
		ok(val_decimal_fast(no[i], strlen(no[i]), &d) == -1 && d == 42, "decimal_fast leaves \"%s\" to strtod", no[i]);
	}
	/* 200000 random decimals of up to 15 digits, point anywhere */
	for (int k = 0; k < 200000; k++) {
		char buf[32];
		int n = 0, nd, point;
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		nd = 1 + (int)((seed >> 33) % 15);
		point = (int)((seed >> 40) % (unsigned)(nd + 1));
		if ((seed >> 50) & 1)
			buf[n++] = '-';
		for (int i = 0; i < nd; i++) {
			if (i == point && i > 0)
				buf[n++] = '.';
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			buf[n++] = (char)('0' + (seed >> 33) % 10);
		}
		buf[n] = '\0';
		double d, want = strtod(buf, NULL);
		if (val_decimal_fast(buf, (size_t)n, &d) != 0 || memcmp(&d, &want, sizeof d) != 0) {
			if (bad++ < 5)
				printf("# differs: %s\n", buf);
		}
	}
	ok(bad == 0, "decimal_fast = strtod on 200000 random decimals (%d differ)", bad);
}

static void test_days(void)
{
	int y, m, d, bad = 0;

	is_int(val_ymd_to_days(1970, 1, 1), 0, "1970-01-01 is day 0");
	is_int(val_ymd_to_days(2000, 3, 1), 11017, "2000-03-01");
	is_int(val_ymd_to_days(1900, 3, 1), -25508, "1900-03-01");
	is_int(val_ymd_to_days(1904, 1, 1), -24107, "1904-01-01");
	is_int(val_ymd_to_days(9999, 12, 31), 2932896, "9999-12-31");
	is_int(val_ymd_to_days(1, 1, 1), -719162, "0001-01-01");
	val_days_to_ymd(-1, &y, &m, &d);
	ok(y == 1969 && m == 12 && d == 31, "day -1 is 1969-12-31");
	val_days_to_ymd(11016, &y, &m, &d);
	ok(y == 2000 && m == 2 && d == 29, "day 11016 is 2000-02-29");
	val_days_to_ymd(-719162, &y, &m, &d);
	ok(y == 1 && m == 1 && d == 1, "day -719162 is 0001-01-01");
	/* Round trip and strictly consecutive days over 1895..2105. */
	for (long day = val_ymd_to_days(1895, 1, 1); day < val_ymd_to_days(2105, 1, 1); day++) {
		int y2, m2, d2;
		val_days_to_ymd(day, &y, &m, &d);
		val_days_to_ymd(day + 1, &y2, &m2, &d2);
		if (val_ymd_to_days(y, m, d) != day)
			bad++;
		if (!((y2 == y && m2 == m && d2 == d + 1) ||
		      (y2 == y && m2 == m + 1 && d2 == 1) ||
		      (y2 == y + 1 && m2 == 1 && d2 == 1 && m == 12 && d == 31)))
			bad++;
	}
	is_int(bad, 0, "days round-trip and follow each other 1895..2105");

	is_int(val_academic_year_start(val_ymd_to_days(2023, 6, 30)), 2022, "2023-06-30 is in 2022-2023");
	is_int(val_academic_year_start(val_ymd_to_days(2023, 8, 31)), 2022, "2023-08-31 is in 2022-2023");
	is_int(val_academic_year_start(val_ymd_to_days(2023, 9, 1)), 2023, "2023-09-01 is in 2023-2024");
	is_int(val_academic_year_start(val_ymd_to_days(2023, 12, 31)), 2023, "2023-12-31 is in 2023-2024");
	is_int(val_academic_year_start(val_ymd_to_days(2024, 1, 1)), 2023, "2024-01-01 is in 2023-2024");
	is_int(val_academic_year_start(val_ymd_to_days(2024, 2, 29)), 2023, "2024-02-29 is in 2023-2024");
	is_int(val_academic_year_start(val_ymd_to_days(1969, 8, 31)), 1968, "1969-08-31 is in 1968-1969");
	is_int(val_academic_year_start(val_ymd_to_days(1969, 9, 1)), 1969, "1969-09-01 is in 1969-1970");
	is_int(val_academic_year_start(0), 1969, "1970-01-01 is in 1969-1970");
}

int main(void)
{
	test_trim();
	test_null();
	test_integer();
	test_decimal();
	test_percent();
	test_date();
	test_excel_dates();
	test_bool();
	test_text();
	test_lengths();
	test_small_out();
	test_norm_key();
	test_days();
	test_decimal_fast();
	return tap_done();
}
