/*
 * report_svg.c - inline SVG charts of the HTML report (report_svg.h):
 * bars from zero with the unit on the axis, and a stacked bar of shares.
 */
#include "pipeline/report_svg.h"

#include <stdio.h>
#include <string.h>

#define LABEL_W 210.0   /* the labels left of the bars */
#define ROW_H 26.0      /* one bar's row */
#define TOP 8.0         /* above the first bar */
#define AXIS_H 34.0     /* the axis under the bars */
#define PALETTE_N 6

static const char *const palette[PALETTE_N] = { "#1f5fa8", "#e08a1e", "#3b9a5a", "#b8403a", "#7a5ab8", "#6b6b6b" };

/* About how wide label s draws at font-size 12, in px: 12 for a wide
 * (CJK, full-width) character, 7 for another. */
static double label_px(const char *s)
{
	double px = 0;

	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		px += *p >= 0xE2 ? 12 : 7;
	}
	return px;
}

/* The opening <text> of a bar's label at y, squeezed into the room
 * left of the bars when it would not fit there. */
static void label_open(str *out, const char *label, double y)
{
	str_addf(out, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\"", LABEL_W - 6, y);
	if (label_px(label) > LABEL_W - 10)
		str_addf(out, " textLength=\"%.0f\" lengthAdjust=\"spacingAndGlyphs\"", LABEL_W - 10);
	str_add(out, ">");
}

void svg_escape(str *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': str_add(out, "&amp;"); break;
		case '<': str_add(out, "&lt;"); break;
		case '>': str_add(out, "&gt;"); break;
		case '"': str_add(out, "&quot;"); break;
		case '\'': str_add(out, "&#39;"); break;
		default: str_addc(out, *s);
		}
	}
}

double svg_axis_max(double max, const char *unit)
{
	static const double steps[] = { 1, 2, 2.5, 5, 10 };
	double p;

	if (unit && strcmp(unit, "%") == 0 && max <= 100)
		return 100;
	if (!(max > 1))
		return 1;
	for (p = 1; p * 10 <= max; p *= 10)
		;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (steps[i] * p >= max)
			return steps[i] * p;
	return 10 * p;
}

/* A number as an axis label: without trailing zeros. */
static void add_num(str *out, double v)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.6g", v);
	str_add(out, buf);
}

/* The axis under n rows of bars: the line, ticks at 0, half and the
 * maximum, and the unit. */
static void bars_axis(str *out, size_t n, const char *unit, double axis_max)
{
	double y = TOP + ROW_H * (double)n + 4;

	str_addf(out, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#444\"/>", LABEL_W,
		 TOP - 2, LABEL_W, y);
	str_addf(out, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#444\"/>", LABEL_W, y,
		 LABEL_W + SVG_BAR_W, y);
	for (int k = 0; k <= 2; k++) {
		double x = LABEL_W + SVG_BAR_W * k / 2;
		str_addf(out, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#444\"/>", x, y, x, y + 4);
		str_addf(out, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" font-size=\"11\">", x, y + 16);
		add_num(out, axis_max * k / 2);
		str_add(out, "</text>");
	}
	str_addf(out, "<text class=\"unit\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" font-size=\"11\">单位：",
		 LABEL_W + SVG_BAR_W + 60, y + 30);
	svg_escape(out, unit && *unit ? unit : "—");
	str_add(out, "</text>");
}

void svg_bars(str *out, const char *title, const svg_item *it, size_t n, const char *unit, double axis_max)
{
	double max = 0, h = TOP + ROW_H * (double)n + AXIS_H + 4;

	for (size_t i = 0; i < n; i++)
		if (it[i].value > max)
			max = it[i].value;
	if (axis_max <= 0)
		axis_max = svg_axis_max(max, unit);
	str_addf(out, "<svg class=\"chart bars\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 %.0f\" "
		      "role=\"img\" data-scale=\"%.9g\" data-axis-max=\"%.9g\"><title>", h, SVG_BAR_W / axis_max,
		 axis_max);
	svg_escape(out, title);
	str_add(out, "</title>");
	for (size_t i = 0; i < n; i++) {
		double y = TOP + ROW_H * (double)i, w = it[i].value > 0 ? it[i].value * SVG_BAR_W / axis_max : 0;
		label_open(out, it[i].label, y + ROW_H / 2 + 4);
		svg_escape(out, it[i].label);
		str_addf(out, "</text><rect class=\"mark%s\" x=\"%.0f\" y=\"%.1f\" width=\"%.3f\" height=\"%.0f\" "
			      "fill=\"%s\" data-value=\"%.9g\" data-label=\"",
			 it[i].region ? " region" : "", LABEL_W, y + 4, w, ROW_H - 8, palette[it[i].region ? 1 : 0],
			 it[i].value);
		svg_escape(out, it[i].label);
		str_addf(out, "\"/><text x=\"%.3f\" y=\"%.1f\" font-size=\"11\">", LABEL_W + w + 4, y + ROW_H / 2 + 4);
		svg_escape(out, it[i].shown);
		str_add(out, "</text>");
	}
	bars_axis(out, n, unit, axis_max);
	str_add(out, "</svg>");
}

void svg_stack(str *out, const char *title, const svg_item *it, size_t n, const char *unit)
{
	double sum = 0, x = 40, h = 60 + 20 * (double)n;

	for (size_t i = 0; i < n; i++)
		if (it[i].value > 0)
			sum += it[i].value;
	if (!(sum > 0))
		return;
	str_addf(out, "<svg class=\"chart stack\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 %.0f\" "
		      "role=\"img\" data-sum=\"%.9g\"><title>", h, sum);
	svg_escape(out, title);
	str_add(out, "</title>");
	for (size_t i = 0; i < n; i++) {
		double w = it[i].value > 0 ? it[i].value * SVG_STACK_W / sum : 0, ly = 56 + 20 * (double)i;
		str_addf(out, "<rect class=\"mark\" x=\"%.3f\" y=\"8\" width=\"%.3f\" height=\"28\" fill=\"%s\" "
			      "data-value=\"%.9g\" data-label=\"", x, w, palette[i % PALETTE_N], it[i].value);
		svg_escape(out, it[i].label);
		str_addf(out, "\"/><rect x=\"40\" y=\"%.0f\" width=\"12\" height=\"12\" fill=\"%s\"/>", ly - 10,
			 palette[i % PALETTE_N]);
		str_addf(out, "<text x=\"58\" y=\"%.0f\" font-size=\"12\">", ly);
		svg_escape(out, it[i].label);
		str_add(out, "：");
		svg_escape(out, it[i].shown);
		str_add(out, "</text>");
		x += w;
	}
	str_add(out, "<text x=\"40\" y=\"50\" font-size=\"11\">0</text>");
	str_addf(out, "<text x=\"%.0f\" y=\"50\" font-size=\"11\" text-anchor=\"end\">100%%（合计 ", 40 + SVG_STACK_W);
	add_num(out, sum);
	str_add(out, " ");
	svg_escape(out, unit && *unit ? unit : "");
	str_add(out, "）</text></svg>");
}
