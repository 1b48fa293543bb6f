/*
 * period.c - period types and labels (see period.h).
 */
#include "lib/catalog/period.h"

#include <stdio.h>
#include <string.h>

#include "lib/catalog/val.h"

static const char *const names[] = { "academic_year", "semester", "fiscal_year", "snapshot" };

const char *period_type_name(period_type t)
{
	return (unsigned)t < 4 ? names[t] : "?";
}

int period_type_parse(const char *s, period_type *t)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*t = (period_type)i;
			return 0;
		}
	return -1;
}

int period_label(period_type t, long days, char *out)
{
	int y, m, d;

	val_days_to_ymd(days, &y, &m, &d);
	if (y < 1000 || y > 9998)
		return -1;
	switch (t) {
	case PERIOD_ACADEMIC_YEAR: {
		int s = m >= 9 ? y : y - 1;
		snprintf(out, PERIOD_LABEL_MAX, "%d-%d", s, s + 1);
		return 0;
	}
	case PERIOD_SEMESTER: {
		int s = m >= 9 ? y : y - 1;
		snprintf(out, PERIOD_LABEL_MAX, "%d-%d-%d", s, s + 1, m >= 9 || m <= 2 ? 1 : 2);
		return 0;
	}
	case PERIOD_FISCAL_YEAR:
		snprintf(out, PERIOD_LABEL_MAX, "%d", y);
		return 0;
	case PERIOD_SNAPSHOT:
		snprintf(out, PERIOD_LABEL_MAX, "%04d-%02d-%02d", y, m, d);
		return 0;
	}
	return -1;
}

int period_from_year(period_type t, long year, char *out)
{
	if (year < 1001 || year > 9998)
		return -1;
	if (t == PERIOD_ACADEMIC_YEAR)
		snprintf(out, PERIOD_LABEL_MAX, "%ld-%ld", year - 1, year);
	else if (t == PERIOD_FISCAL_YEAR)
		snprintf(out, PERIOD_LABEL_MAX, "%ld", year);
	else
		return -1;
	return 0;
}

int period_parse_academic(const char *text, char *out)
{
	long num[3];
	int len[3], n = 0, year_word = 0;
	const unsigned char *p = (const unsigned char *)text;

	while (*p) {
		int digit = -1, w = 1;
		if (*p >= '0' && *p <= '9')
			digit = *p - '0';
		else if (p[0] == 0xef && p[1] == 0xbc && p[2] >= 0x90 && p[2] <= 0x99) {
			digit = p[2] - 0x90; /* full-width digit */
			w = 3;
		}
		if (digit >= 0) {
			if (n == 3)
				return -1;
			num[n] = 0;
			len[n] = 0;
			while (digit >= 0) {
				if (len[n] < 5)
					num[n] = num[n] * 10 + digit;
				len[n]++;
				p += w;
				digit = -1;
				w = 1;
				if (*p >= '0' && *p <= '9')
					digit = *p - '0';
				else if (p[0] == 0xef && p[1] == 0xbc && p[2] >= 0x90 && p[2] <= 0x99) {
					digit = p[2] - 0x90;
					w = 3;
				}
			}
			n++;
			continue;
		}
		if (strncmp((const char *)p, "学年", 6) == 0)
			year_word = 1;
		p++;
	}
	if (n < 1 || n > 2 || len[0] != 4 || num[0] < 1000 || num[0] > 9998)
		return -1;
	if (n == 1) {
		if (!year_word)
			return -1;
	} else if (!((len[1] == 4 && num[1] == num[0] + 1) ||
		     (len[1] == 2 && num[1] == (num[0] + 1) % 100))) {
		return -1;
	}
	snprintf(out, PERIOD_LABEL_MAX, "%ld-%ld", num[0], num[0] + 1);
	return 0;
}

static int atoi_n(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int period_bounds(const char *label, period_type *t, long *first, long *last)
{
	size_t n = strlen(label);
	int y, y2, m, d, sem;

	if (n == 4 && digits(label, 4)) {
		y = atoi_n(label, 4);
		*t = PERIOD_FISCAL_YEAR;
		*first = val_ymd_to_days(y, 1, 1);
		*last = val_ymd_to_days(y, 12, 31);
		return 0;
	}
	if ((n == 9 || n == 11) && digits(label, 4) && label[4] == '-' && digits(label + 5, 4)) {
		y = atoi_n(label, 4);
		y2 = atoi_n(label + 5, 4);
		if (y2 != y + 1)
			return -1;
		if (n == 9) {
			*t = PERIOD_ACADEMIC_YEAR;
			*first = val_ymd_to_days(y, 9, 1);
			*last = val_ymd_to_days(y + 1, 8, 31);
			return 0;
		}
		if (label[9] != '-' || (label[10] != '1' && label[10] != '2'))
			return -1;
		sem = label[10] - '0';
		*t = PERIOD_SEMESTER;
		*first = sem == 1 ? val_ymd_to_days(y, 9, 1) : val_ymd_to_days(y + 1, 3, 1);
		*last = sem == 1 ? val_ymd_to_days(y + 1, 3, 1) - 1 : val_ymd_to_days(y + 1, 8, 31);
		return 0;
	}
	if (n == 10 && digits(label, 4) && label[4] == '-' && digits(label + 5, 2) && label[7] == '-' &&
	    digits(label + 8, 2)) {
		y = atoi_n(label, 4);
		m = atoi_n(label + 5, 2);
		d = atoi_n(label + 8, 2);
		if (m < 1 || m > 12 || d < 1 || d > 31)
			return -1;
		long days = val_ymd_to_days(y, m, d);
		int yy, mm, dd;
		val_days_to_ymd(days, &yy, &mm, &dd);
		if (yy != y || mm != m || dd != d)
			return -1;
		*t = PERIOD_SNAPSHOT;
		*first = *last = days;
		return 0;
	}
	return -1;
}

int period_nests(period_type fine, period_type file)
{
	return fine == file || (fine == PERIOD_SEMESTER && file == PERIOD_ACADEMIC_YEAR);
}

int period_in_list(const char *list, const char *label)
{
	size_t n = strlen(label);
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && strncmp(p, label, n) == 0)
			return 1;
		p += k + (p[k] == ',');
	}
	return 0;
}
