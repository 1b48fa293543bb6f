/* test_period.c - period labels, parsing and bounds. */
#include <string.h>

#include "lib/catalog/period.h"
#include "lib/catalog/val.h"
#include "tests/unit/tap.h"

static const char *lab(period_type t, int y, int m, int d)
{
	static char out[PERIOD_LABEL_MAX];
	if (period_label(t, val_ymd_to_days(y, m, d), out) < 0)
		return "ERR";
	return out;
}

static const char *acad(const char *s)
{
	static char out[PERIOD_LABEL_MAX];
	return period_parse_academic(s, out) < 0 ? "ERR" : out;
}

static void bounds(const char *label, period_type et, int y1, int m1, int d1, int y2, int m2, int d2)
{
	period_type t;
	long a, b;
	int r = period_bounds(label, &t, &a, &b);
	ok(r == 0 && t == et && a == val_ymd_to_days(y1, m1, d1) && b == val_ymd_to_days(y2, m2, d2),
	   "bounds of %s", label);
}

int main(void)
{
	char out[PERIOD_LABEL_MAX];
	period_type t;
	long a, b;

	is_str(lab(PERIOD_ACADEMIC_YEAR, 2023, 6, 30), "2022-2023", "academic year: June");
	is_str(lab(PERIOD_ACADEMIC_YEAR, 2023, 8, 31), "2022-2023", "academic year: 31 August");
	is_str(lab(PERIOD_ACADEMIC_YEAR, 2023, 9, 1), "2023-2024", "academic year: 1 September starts the next");
	is_str(lab(PERIOD_SEMESTER, 2022, 9, 1), "2022-2023-1", "semester: September is autumn");
	is_str(lab(PERIOD_SEMESTER, 2023, 1, 15), "2022-2023-1", "semester: January is still autumn");
	is_str(lab(PERIOD_SEMESTER, 2024, 2, 29), "2023-2024-1", "semester: 29 February is autumn");
	is_str(lab(PERIOD_SEMESTER, 2023, 3, 1), "2022-2023-2", "semester: March is spring");
	is_str(lab(PERIOD_SEMESTER, 2023, 8, 31), "2022-2023-2", "semester: August is spring");
	is_str(lab(PERIOD_FISCAL_YEAR, 2023, 1, 1), "2023", "fiscal year: 1 January");
	is_str(lab(PERIOD_FISCAL_YEAR, 2022, 12, 31), "2022", "fiscal year: 31 December");
	is_str(lab(PERIOD_SNAPSHOT, 2023, 8, 31), "2023-08-31", "snapshot: the day");
	is_str(lab(PERIOD_FISCAL_YEAR, 999, 1, 1), "ERR", "a year before 1000 is refused");

	ok(period_from_year(PERIOD_ACADEMIC_YEAR, 2023, out) == 0 && strcmp(out, "2022-2023") == 0,
	   "graduation year 2023 -> 2022-2023");
	ok(period_from_year(PERIOD_FISCAL_YEAR, 2023, out) == 0 && strcmp(out, "2023") == 0, "fiscal 2023");
	ok(period_from_year(PERIOD_SEMESTER, 2023, out) < 0, "a year does not give a semester");
	ok(period_from_year(PERIOD_SNAPSHOT, 2023, out) < 0, "a year does not give a snapshot");
	ok(period_from_year(PERIOD_FISCAL_YEAR, 99999, out) < 0, "year out of range");

	is_str(acad("2022-2023"), "2022-2023", "academic: plain");
	is_str(acad("2022—2023学年"), "2022-2023", "academic: em dash and 学年");
	is_str(acad(" 2022 / 2023 "), "2022-2023", "academic: slash and spaces");
	is_str(acad("2022至2023学年"), "2022-2023", "academic: 至");
	is_str(acad("2022-23"), "2022-2023", "academic: two-digit end");
	is_str(acad("2099-00"), "2099-2100", "academic: two-digit end across a century");
	is_str(acad("2022学年"), "2022-2023", "academic: start year with 学年");
	is_str(acad("２０２２－２０２３学年"), "2022-2023", "academic: full-width digits");
	is_str(acad("2022"), "ERR", "academic: a bare year is ambiguous");
	is_str(acad("2022-2024"), "ERR", "academic: years must follow each other");
	is_str(acad("22-23"), "ERR", "academic: two-digit start");
	is_str(acad("2022-2023-1"), "ERR", "academic: three numbers");
	is_str(acad(""), "ERR", "academic: empty");
	is_str(acad("学年"), "ERR", "academic: no year");

	bounds("2022-2023", PERIOD_ACADEMIC_YEAR, 2022, 9, 1, 2023, 8, 31);
	bounds("2022-2023-1", PERIOD_SEMESTER, 2022, 9, 1, 2023, 2, 28);
	bounds("2023-2024-1", PERIOD_SEMESTER, 2023, 9, 1, 2024, 2, 29);
	bounds("2022-2023-2", PERIOD_SEMESTER, 2023, 3, 1, 2023, 8, 31);
	bounds("2023", PERIOD_FISCAL_YEAR, 2023, 1, 1, 2023, 12, 31);
	bounds("2023-08-31", PERIOD_SNAPSHOT, 2023, 8, 31, 2023, 8, 31);
	ok(period_bounds("2023-02-30", &t, &a, &b) < 0, "no 30 February");
	ok(period_bounds("2022-2024", &t, &a, &b) < 0, "not consecutive");
	ok(period_bounds("2022-2023-3", &t, &a, &b) < 0, "no third semester");
	ok(period_bounds("23", &t, &a, &b) < 0, "not a label");
	ok(period_bounds("", &t, &a, &b) < 0, "empty label");

	ok(period_type_parse("semester", &t) == 0 && t == PERIOD_SEMESTER, "type name parses");
	ok(period_type_parse("term", &t) < 0, "unknown type name");
	is_str(period_type_name(PERIOD_FISCAL_YEAR), "fiscal_year", "type name prints");
	ok(period_nests(PERIOD_SEMESTER, PERIOD_ACADEMIC_YEAR), "semesters nest in academic years");
	ok(!period_nests(PERIOD_FISCAL_YEAR, PERIOD_ACADEMIC_YEAR), "fiscal years do not");
	ok(!period_nests(PERIOD_ACADEMIC_YEAR, PERIOD_SEMESTER), "academic years do not nest in semesters");
	ok(period_nests(PERIOD_SNAPSHOT, PERIOD_SNAPSHOT), "a type nests in itself");
	return tap_done();
}
