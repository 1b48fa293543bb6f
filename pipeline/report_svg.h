/*
 * report_svg.h - the charts of the HTML report drawn as inline SVG
 * (report_html.c uses them): horizontal bars from zero, and one stacked
 * bar of shares.  Every mark carries its value (data-value) and its
 * label, every axis its unit; the text is escaped for HTML and XML.
 *
 * Use:
 *     svg_item it[] = { { "在校生满意度", 94.82, "94.82%", 0 }, ... };
 *     str b = STR_INIT;
 *     svg_bars(&b, "满意度", it, n, "%", 100);
 *     ... b.s is one <svg> element; str_free(&b).
 *
 * Geometry (for tests): a bar's length is value * SVG_BAR_W / axis_max
 * pixels (data-scale on the <svg> is SVG_BAR_W / axis_max); a stacked
 * segment's is value * SVG_STACK_W / the sum of the values.
 */
#ifndef VQR_REPORT_SVG_H
#define VQR_REPORT_SVG_H

#include <stddef.h>

#include "lib/util/str.h"

#define SVG_BAR_W 360.0         /* pixels of a bar at the axis maximum */
#define SVG_STACK_W 560.0       /* pixels of the stacked bar (100 %) */

/* One mark of a chart. */
typedef struct svg_item {
	const char *label;      /* what it is (the caller's) */
	double value;           /* its value, >= 0 */
	const char *shown;      /* the value as the report prints it (the caller's) */
	int region;             /* a bar of the region's (drawn in the region's colour, class "mark region") */
} svg_item;

/* Append to out text s escaped for HTML and XML (& < > " '). */
void svg_escape(str *out, const char *s);

/* The axis maximum for values up to max: max itself rounded up to 1, 2,
 * 2.5 or 5 times a power of ten (100 for a percentage of at most 100
 * when unit is "%"); at least 1. */
double svg_axis_max(double max, const char *unit);

/* Append an <svg> of horizontal bars from zero, one per item (n), titled
 * title (for screen readers), the axis from 0 to axis_max (<= 0: chosen
 * by svg_axis_max) labelled with unit.  Negative values draw no bar. */
void svg_bars(str *out, const char *title, const svg_item *it, size_t n, const char *unit, double axis_max);

/* Append an <svg> of one bar 100 % wide split into the items' shares of
 * their sum, with a legend (label, shown value) under it; unit labels
 * the values.  Nothing when the sum is not positive. */
void svg_stack(str *out, const char *title, const svg_item *it, size_t n, const char *unit);

#endif
