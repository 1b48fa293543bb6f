/*
 * test_report_svg.c - unit tests of the HTML report's charts
 * (pipeline/report_svg.c): escaping, the axis maximum, bar lengths
 * proportional to the values from zero, stacked shares, units.
 */
#include "pipeline/report_svg.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

/* The number after attribute attr="..." in the k-th (0-based) element
 * that has it, or -1. */
static double attr_num(const char *s, const char *attr, int k)
{
	char pat[64];
	const char *p = s;
	snprintf(pat, sizeof pat, " %s=\"", attr);
	for (int i = 0; p && (p = strstr(p, pat)); i++, p++)
		if (i == k)
			return atof(p + strlen(pat));
	return -1;
}

static int near(double a, double b)
{
	return a - b < 0.01 && b - a < 0.01;
}

static void test_escape(void)
{
	str b = STR_INIT;
	svg_escape(&b, "<a href='x'>&\"");
	is_str(b.s, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;", "every markup character is escaped");
	str_free(&b);
}

static void test_axis(void)
{
	ok(near(svg_axis_max(94.82, "%"), 100), "a percentage up to 100: the axis ends at 100");
	ok(near(svg_axis_max(130, "%"), 200), "a percentage over 100: rounded up like a number");
	ok(near(svg_axis_max(737, "人"), 1000), "737 -> 1000");
	ok(near(svg_axis_max(1466, "人"), 2000), "1466 -> 2000");
	ok(near(svg_axis_max(2406, NULL), 2500), "2406 -> 2500");
	ok(near(svg_axis_max(0, NULL), 1), "nothing: an axis of 1");
}

static void test_bars(void)
{
	svg_item it[] = { { "在校生<满意度>", 94.82, "94.82%", 0 }, { "家长", 50, "50%", 0 }, { "零", 0, "0%", 0 } };
	str b = STR_INIT;
	svg_bars(&b, "表 1-1 & 满意度", it, 3, "%", 0);
	ok(strncmp(b.s, "<svg ", 5) == 0 && strstr(b.s, "</svg>") != NULL, "one svg element");
	ok(strstr(b.s, "viewBox=\"0 0 640 ") != NULL, "it scales by its viewBox");
	ok(strstr(b.s, "<title>表 1-1 &amp; 满意度</title>") != NULL, "its title, escaped");
	ok(strstr(b.s, "在校生&lt;满意度&gt;") != NULL && !strstr(b.s, "在校生<"), "labels escaped");
	ok(near(attr_num(b.s, "data-scale", 0), SVG_BAR_W / 100), "scale: the axis from 0 to 100");
	ok(near(attr_num(b.s, "width", 0), 94.82 * SVG_BAR_W / 100), "the first bar is 94.82%% of the axis");
	ok(near(attr_num(b.s, "width", 1), 50 * SVG_BAR_W / 100), "the second 50%%");
	ok(near(attr_num(b.s, "width", 2), 0), "zero draws nothing");
	ok(near(attr_num(b.s, "data-value", 0), 94.82) && near(attr_num(b.s, "data-value", 1), 50),
	   "each bar carries its value");
	ok(near(attr_num(b.s, "x", 1), 210) && near(attr_num(b.s, "x", 7), 210), "every bar starts at the same x (zero)");
	ok(strstr(b.s, "单位：%") != NULL, "the axis has its unit");
	ok(!strstr(b.s, "textLength"), "short labels are drawn as they are");
	str_free(&b);
	/* 表1-1's longest label would run off the chart's left edge */
	svg_item lo[] = { { "公共基础课（不含思想政治课）教学满意度", 92.12, "92.12%", 0 }, { "家长", 50, "50%", 0 } };
	svg_bars(&b, "表 1-1", lo, 2, "%", 0);
	ok(near(attr_num(b.s, "textLength", 0), 200) && strstr(b.s, "lengthAdjust=\"spacingAndGlyphs\"") &&
	   !strstr(strstr(b.s, "textLength") + 10, "textLength"),
	   "a label too long for the room left of the bars is squeezed into it, and only that one");
	str_free(&b);
}

static void test_stack(void)
{
	svg_item it[] = { { "企事业单位就业", 737, "737†", 0 }, { "高等教育深造", 709, "709", 0 }, { "自主择业", 15, "15", 0 } };
	str b = STR_INIT;
	svg_stack(&b, "表 1-2", it, 3, "人");
	ok(near(attr_num(b.s, "data-sum", 0), 1461), "the sum of the parts");
	ok(near(attr_num(b.s, "width", 0), 737 * SVG_STACK_W / 1461), "a segment is its share of the bar");
	ok(near(attr_num(b.s, "x", 3), 40 + 737 * SVG_STACK_W / 1461), "the next starts where it ends");
	ok(strstr(b.s, "企事业单位就业：737†") != NULL, "the legend shows the value as printed");
	ok(strstr(b.s, "1461 人") != NULL, "and the total with its unit");
	str_free(&b);
	svg_stack(&b, "none", it, 0, "人");
	ok(b.len == 0, "nothing to stack: nothing drawn");
	str_free(&b);
}

int main(void)
{
	test_escape();
	test_axis();
	test_bars();
	test_stack();
	return tap_done();
}
