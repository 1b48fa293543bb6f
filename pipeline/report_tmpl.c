/*
 * report_tmpl.c - the templates of the quality report's layout: checked
 * when the layout is read, expanded when the tables are filled (see
 * report_int.h).
 */
#include "pipeline/report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util/mem.h"
#include "lib/util/str.h"

void report_push_str(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = s;
}

void report_vars_set(vars *v, const char *name, const char *value)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->name[i], name) == 0) {
			v->value[i] = value;
			return;
		}
	if (v->n < sizeof v->name / sizeof v->name[0]) {
		v->name[v->n] = name;
		v->value[v->n++] = value;
	}
}

void report_base_vars(report_base *b, const char *name, const char *code, const char *year)
{
	memset(b, 0, sizeof *b);
	snprintf(b->ystart, sizeof b->ystart, "%.4s", year);
	snprintf(b->yend, sizeof b->yend, "%.4s", strlen(year) > 5 ? year + 5 : "");
	snprintf(b->fiscal, sizeof b->fiscal, "%.4s", year);
	report_vars_set(&b->v, "school_name", name);
	report_vars_set(&b->v, "school_code", code);
	report_vars_set(&b->v, "year", year);
	report_vars_set(&b->v, "year_start", b->ystart);
	report_vars_set(&b->v, "year_end", b->yend);
	report_vars_set(&b->v, "fiscal_year", b->fiscal);
}

static const char *const base_vars[] = { "school_name", "school_code", "year", "year_start", "year_end",
					  "fiscal_year", NULL };

/* Check template s: {name} with name in base_vars or extra (nextra),
 * optional groups [...] (not nested), {{ }} [[ ]] for literal brackets.
 * 0, or -1 with what is wrong in bad. */
int report_tmpl_check(const char *s, char *const *extra, size_t nextra, char *bad, size_t badlen)
{
	int ingroup = 0;
	for (const char *p = s; *p; p++) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}') || (p[0] == '[' && p[1] == '[') ||
		    (p[0] == ']' && p[1] == ']')) {
			p++;
			continue;
		}
		if (*p == '[') {
			if (ingroup)
				return snprintf(bad, badlen, "optional groups [...] cannot be nested"), -1;
			ingroup = 1;
		} else if (*p == ']') {
			if (!ingroup)
				return snprintf(bad, badlen, "\"]\" without \"[\" (write ]] for a bracket)"), -1;
			ingroup = 0;
		} else if (*p == '}') {
			return snprintf(bad, badlen, "\"}\" without \"{\" (write }} for a brace)"), -1;
		} else if (*p == '{') {
			const char *e = strchr(p, '}');
			size_t n;
			int known = 0;
			if (!e)
				return snprintf(bad, badlen, "\"{\" without \"}\" (write {{ for a brace)"), -1;
			n = (size_t)(e - p - 1);
			for (int i = 0; base_vars[i]; i++)
				if (strlen(base_vars[i]) == n && strncmp(base_vars[i], p + 1, n) == 0)
					known = 1;
			for (size_t i = 0; i < nextra; i++)
				if (strlen(extra[i]) == n && strncmp(extra[i], p + 1, n) == 0)
					known = 1;
			if (!known) {
				char list[512];
				size_t len = 0;
				list[0] = '\0';
				for (int i = 0; base_vars[i] && len < sizeof list; i++)
					len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
								base_vars[i]);
				for (size_t i = 0; i < nextra && len < sizeof list; i++)
					len += (size_t)snprintf(list + len, sizeof list - len, ", %s", extra[i]);
				snprintf(bad, badlen, "unknown variable {%.*s} (known: %s)", (int)n, p + 1, list);
				return -1;
			}
			p = e;
		}
	}
	if (ingroup)
		return snprintf(bad, badlen, "\"[\" without \"]\" (write [[ for a bracket)"), -1;
	return 0;
}

const char *report_var_of(const vars *v, const char *name, size_t n, int *known)
{
	for (size_t i = v->n; i-- > 0;)
		if (strlen(v->name[i]) == n && strncmp(v->name[i], name, n) == 0) {
			*known = 1;
			return v->value[i];
		}
	*known = 0;
	return NULL;
}

/* Expand a checked template (a new string). */
char *report_tmpl_expand(const char *s, const vars *v)
{
	str out = STR_INIT, grp = STR_INIT;
	int ingroup = 0, gempty = 0;

	for (const char *p = s; *p; p++) {
		str *b = ingroup ? &grp : &out;
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}') || (p[0] == '[' && p[1] == '[') ||
		    (p[0] == ']' && p[1] == ']')) {
			str_addn(b, p, 1);
			p++;
		} else if (*p == '[') {
			ingroup = 1;
			gempty = 0;
			str_clear(&grp);
		} else if (*p == ']') {
			if (!gempty && grp.len)
				str_addn(&out, grp.s, grp.len);
			ingroup = 0;
		} else if (*p == '{') {
			const char *e = strchr(p, '}');
			int known;
			const char *val = report_var_of(v, p + 1, (size_t)(e - p - 1), &known);
			if (!val || !*val)
				gempty = 1;
			else
				str_add(b, val);
			p = e;
		} else {
			str_addn(b, p, 1);
		}
	}
	str_free(&grp);
	return str_steal(&out);
}
