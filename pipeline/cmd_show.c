/*
 * cmd_show.c - vqr show: the school's computed indicators, a section per
 * period, aligned for a terminal (CJK text counts two columns).
 */
#define _XOPEN_SOURCE 700 /* wcswidth */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "lib/util/log.h"
#include "pipeline/cmd.h"

/* Display width of UTF-8 text on a terminal (CJK count 2). */
static int width(const char *s)
{
	wchar_t wbuf[512];
	size_t n = mbstowcs(wbuf, s, 511);
	int w;
	if (n == (size_t)-1)
		return (int)strlen(s);
	wbuf[n] = 0;
	w = wcswidth(wbuf, n);
	return w < 0 ? (int)n : w;
}

static void pad(const char *s, int w, int right)
{
	int k = w - width(s);
	if (right)
		for (; k > 0; k--)
			putchar(' ');
	fputs(s, stdout);
	if (!right)
		for (; k > 0; k--)
			putchar(' ');
}

/* The heading of a section of vqr show: the period's kind in Chinese and
 * English around its label, e.g. "学年 2022-2023 (academic year)". */
static void show_heading(const char *period_type, const char *period)
{
	static const char *const kinds[][3] = {
		{ "academic_year", "学年", "academic year" },
		{ "semester", "学期", "semester" },
		{ "fiscal_year", "会计年度", "fiscal year" },
		{ "snapshot", "时点", "snapshot" },
	};
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (strcmp(period_type, kinds[k][0]) == 0) {
			printf("\n%s %s (%s)\n", kinds[k][1], period, kinds[k][2]);
			return;
		}
	printf("\n统计期 %s (%s)\n", period, period_type);
}

/* One section of vqr show: rows [from, to) of r, which all have the same
 * period, as a table (columns 2.. of r: code, name, breakdown, value,
 * unit), the breakdown only with --all; widths fit this section. */
static void show_section(PGresult *r, int from, int to, int all)
{
	enum { first = 2, ncol = 5 };
	static const char *const head[ncol] = { "指标代码", "指标", "分组", "值", "单位" };
	int w[ncol];

	show_heading(PQgetvalue(r, from, 0), PQgetvalue(r, from, 1));
	for (int j = 0; j < ncol; j++)
		w[j] = width(head[j]);
	for (int i = from; i < to; i++)
		for (int j = 0; j < ncol; j++)
			if (width(PQgetvalue(r, i, first + j)) > w[j])
				w[j] = width(PQgetvalue(r, i, first + j));
	for (int i = from - 1; i < to; i++)
		for (int j = 0; j < ncol; j++) {
			if (j == 2 && !all)
				continue;
			pad(i < from ? head[j] : PQgetvalue(r, i, first + j), w[j], j == 3);
			fputs(j + 1 < ncol ? "  " : "\n", stdout);
		}
}

/* The periods vqr show prints, as CTEs: has = the periods with computed
 * values of school $1; ay = the latest academic year among them; shown =
 * period $2 when --year gave one, else ay with what vqr report pairs with
 * it (its semesters, the fiscal year it starts in, its latest snapshot),
 * else (no academic year) the latest period of each kind. */
#define SHOW_PERIODS_SQL                                                                                  \
	"WITH has AS (SELECT q.period, q.period_type, q.start_date, q.end_date FROM vqr.period q "          \
	"  WHERE EXISTS (SELECT 1 FROM vqr.indicator_value x WHERE x.school_code = $1::text "               \
	"    AND x.period = q.period AND x.value_type = 'computed')), "                                    \
	"ay AS (SELECT h.* FROM has h WHERE h.period_type = 'academic_year' "                              \
	"  ORDER BY h.start_date DESC LIMIT 1), "                                                          \
	"shown AS (SELECT h.* FROM has h WHERE h.period = $2::text "                                        \
	"  UNION ALL "                                                                                      \
	"  SELECT h.* FROM has h, ay WHERE $2::text IS NULL AND (h.period = ay.period "                     \
	"    OR (h.period_type = 'semester' AND h.start_date BETWEEN ay.start_date AND ay.end_date) "     \
	"    OR (h.period_type = 'fiscal_year' AND h.period = left(ay.period, 4)) "                       \
	"    OR (h.period_type = 'snapshot' AND h.start_date = (SELECT max(z.start_date) FROM has z "       \
	"      WHERE z.period_type = 'snapshot' AND z.start_date BETWEEN ay.start_date AND ay.end_date))) " \
	"  UNION ALL "                                                                                      \
	"  SELECT h.* FROM has h WHERE $2::text IS NULL AND NOT EXISTS (SELECT 1 FROM ay) "                 \
	"    AND h.start_date = (SELECT max(z.start_date) FROM has z WHERE z.period_type = h.period_type)) "

/* Sections in this order: academic year, semesters, fiscal year, snapshot. */
#define SHOW_KIND_ORDER                                                                                   \
	"coalesce(array_position(ARRAY['academic_year', 'semester', 'fiscal_year', 'snapshot'], "         \
	"s.period_type), 9)"

/* After the sections of vqr show without --year: the periods loaded for
 * the school that are later than those shown of their kind (e.g. the
 * fiscal year 2023 beside 2022-2023), with how to see them.  0, or -1
 * after saying why. */
static int show_later(db *d, const char *school)
{
	const char *p[2] = { school, NULL };
	PGresult *r = cmd_query(d,
			        SHOW_PERIODS_SQL
			        "SELECT s.period_type, s.period FROM has s "
			        "WHERE s.period NOT IN (SELECT period FROM shown) "
			        "AND s.start_date > coalesce((SELECT max(w.start_date) FROM shown w "
			        "  WHERE w.period_type = s.period_type), (SELECT start_date FROM ay)) "
			        "ORDER BY " SHOW_KIND_ORDER ", s.start_date",
			        2, p);
	if (!r)
		return -1;
	if (PQntuples(r)) {
		printf("\n也已载入较新的统计期 / later periods also loaded:");
		for (int i = 0; i < PQntuples(r); i++)
			printf("%s %s", i ? "," : "", PQgetvalue(r, i, 1));
		printf(" (vqr show --year PERIOD)\n");
	}
	PQclear(r);
	return 0;
}

/* vqr show: the school's computed values, a section per period headed by
 * its kind and label.  With --year, that period only; without, the latest
 * academic year with the semesters, fiscal year and snapshot that vqr
 * report pairs with it, so that a fiscal year or a snapshot never passes
 * for the academic year, and the later periods are named. */
int cmd_show(const cfg *c, const char *config, const opts *o, int argc, char **argv)
{
	const char *p[3] = { c->school_code, o->year, o->all ? "t" : "f" };
	db d;
	PGresult *r;
	int rc, n;

	(void)config;
	(void)argc;
	(void)argv;
	if ((rc = cmd_open_db(&d, c, o, 1))) {
		db_close(&d, 1);
		return rc;
	}
	r = cmd_query(&d,
		      SHOW_PERIODS_SQL
		      "SELECT s.period_type, v.period, v.indicator_code, v.name_zh, v.breakdown_text, "
		      "CASE WHEN v.kind IN ('rate', 'mean') THEN to_char(round(v.value, 2), 'FM999999990.00') "
		      "ELSE trim_scale(round(v.value, 2))::text END || "
		      "CASE WHEN v.denominator IS NOT NULL AND v.kind = 'rate' "
		      "THEN ' (' || v.numerator || '/' || v.denominator || ')' ELSE '' END, v.unit "
		      "FROM vqr.v_indicator v JOIN shown s USING (period) "
		      "WHERE v.school_code = $1 AND v.value_type = 'computed' "
		      "AND ($3::bool OR v.breakdown = '{}') "
		      "ORDER BY " SHOW_KIND_ORDER ", s.start_date, v.period, v.indicator_code, v.breakdown_text",
		      3, p);
	if (!r) {
		db_close(&d, 1);
		return EXIT_DB;
	}
	n = PQntuples(r);
	if (!n) {
		printf("vqr: no indicators loaded for %s%s%s\n", c->school_code, o->year ? " in " : "",
		       o->year ? o->year : "");
	} else {
		printf("%s (%s)\n", c->school_name, c->school_code);
		for (int i = 0, j; i < n; i = j) {
			for (j = i + 1; j < n && strcmp(PQgetvalue(r, j, 1), PQgetvalue(r, i, 1)) == 0; j++)
				;
			show_section(r, i, j, o->all);
		}
	}
	PQclear(r);
	if (n && !o->year && show_later(&d, c->school_code) < 0)
		rc = EXIT_DB;
	db_close(&d, 1);
	return rc ? rc : EXIT_OK;
}
