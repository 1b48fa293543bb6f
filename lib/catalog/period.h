/*
 * period.h - the periods indicator records are counted in, and their labels.
 *
 *   academic_year  1 September .. 31 August      "2022-2023"
 *   semester       autumn 1 Sep .. end of Feb,   "2022-2023-1"
 *                  spring 1 Mar .. 31 Aug        "2022-2023-2"
 *   fiscal_year    calendar year (China's fiscal year) "2023"
 *   snapshot       one day (a register as of a date)   "2023-08-31"
 *
 * The labels are the keys of vqr.period; each form is distinct, so a label
 * alone says its type and bounds (period_bounds).  Days are counted from
 * 1970-01-01 as in val.h.
 *
 *   char label[PERIOD_LABEL_MAX];
 *   period_label(PERIOD_SEMESTER, days, label);           // from a date
 *   period_from_year(PERIOD_ACADEMIC_YEAR, 2023, label);  // 2023届 -> "2022-2023"
 *   period_parse_academic("2022—2023学年", label);         // -> "2022-2023"
 */
#ifndef VQR_PERIOD_H
#define VQR_PERIOD_H

#include <stddef.h>

typedef enum {
	PERIOD_ACADEMIC_YEAR, PERIOD_SEMESTER, PERIOD_FISCAL_YEAR, PERIOD_SNAPSHOT
} period_type;

#define PERIOD_LABEL_MAX 16     /* longest label ("2022-2023-1") plus room */

/* "academic_year", "semester", "fiscal_year", "snapshot". */
const char *period_type_name(period_type t);

/* The type named s (as period_type_name prints it); 0, or -1 if none. */
int period_type_parse(const char *s, period_type *t);

/* Write the label of the period of type t containing day `days` into out
 * (PERIOD_LABEL_MAX bytes).  Returns 0, or -1 for a day out of range
 * (before year 1000 or after 9998). */
int period_label(period_type t, long days, char *out);

/* The label of a period given by a year: for academic_year the year a
 * cohort graduates (2023 -> "2022-2023"), for fiscal_year the year itself.
 * Returns -1 for other types or a year outside 1001..9998. */
int period_from_year(period_type t, long year, char *out);

/* Read an academic year as people write it: "2022-2023", "2022—2023学年",
 * "2022/2023", "2022至2023学年", "2022-23", "2022学年" (start year) with
 * spaces and full-width digits.  Writes the canonical label into out and
 * returns 0, or -1 when text is not an academic year (or the years do
 * not follow each other). */
int period_parse_academic(const char *text, char *out);

/* The type and first and last day of the period a label names.  Returns
 * 0, or -1 when label is not a period label. */
int period_bounds(const char *label, period_type *t, long *first, long *last);

/* Whether indicators of type `fine` can be counted from files whose rows
 * are placed in periods of type `file` without a period spanning files:
 * the same type, or semesters within an academic year. */
int period_nests(period_type fine, period_type file);

/* Is label one of the comma-separated period labels in list? */
int period_in_list(const char *list, const char *label);

#endif
