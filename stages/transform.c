/*
 * transform.c - vqr-transform: turn the canonical rows of one staged file
 * into indicator records, by the rules of the indicator catalog.
 *
 * Usage: vqr-transform --config vqr.yaml DIR
 *
 * Reads DIR/manifest.yaml and DIR/rows.gz (written by vqr-extract), and
 * writes DIR/indicators.gz: one line per (period, indicator, breakdown)
 * in the column order of vqr.indicator_value (COPY text), then records
 * its timing and count in the manifest.
 *
 * Rows stream through once.  Every indicator of the file's source is
 * evaluated on each row; each (period, indicator, breakdown) group keeps
 * running accumulators in a hash table, so memory grows with the number
 * of groups, never with the number of rows.  A group exists as soon as a
 * row of its breakdown exists, so a count that no row meets is emitted as
 * 0 (not left out), while a rate whose denominator is 0 or a mean of no
 * values is left out (it has no value).
 *
 * With --follow SOURCE (what `vqr run` uses) it starts beside vqr-extract
 * and reads DIR/rows.gz while it is being written (rows_follow), then
 * waits for the extract's manifest and checks it as usual before writing
 * anything.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "cli.h"
#include "expr.h"
#include "log.h"
#include "manifest.h"
#include "rows.h"

typedef struct acc {
	long long n;            /* rows (count) or non-null values aggregated */
	double sum;             /* sum of values */
	double min, max;        /* extremes */
} acc;

/* Indicators that break down by the same fields share their groups: a
 * row finds its group once per breakdown set, not once per indicator. */
typedef struct byset {
	const int *cols;        /* breakdown columns (of the first indicator using it) */
	char *const *names;     /* their field names */
	size_t n;               /* how many */
	size_t *inds;           /* indicators using this set (indexes into inds) */
	size_t ninds;
} byset;

typedef struct group {
	uint64_t hash;          /* of key */
	char *key;              /* set, mask, period \0, then one value \0 per set bit */
	size_t klen;
	size_t set;             /* breakdown set */
	unsigned mask;          /* which breakdown fields are set */
	const char *period;     /* points into key */
	char *json;             /* breakdown as JSON, made at output */
	acc *acc;               /* 2 per indicator of the set: numerator, denominator */
} group;

typedef struct gtable {
	group **slots;          /* open addressing, power of two */
	size_t cap, n;
} gtable;

typedef struct transform {
	const cfg *c;
	const cfg_source *s;
	const cfg_indicator **inds; /* the source's indicators */
	size_t ninds;
	byset *sets;            /* distinct breakdown sets */
	size_t nsets;
	unsigned char *npass;   /* per indicator, this row: numerator filter holds */
	unsigned char *dpass;   /* per indicator, this row: denominator filter holds */
	expr_type *coltype;     /* per canonical column */
	expr_value *row;        /* the current row, typed */
	gtable t;
	char *kbuf;             /* key being built */
	size_t kcap;
} transform;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqr-transform [OPTION]... DIR\n"
		"Compute indicator records from the canonical rows that vqr-extract staged in\n"
		"DIR, by the rules of the indicator catalog, into DIR/indicators.gz.\n"
		"\n"
		"  -c, --config FILE   deployment configuration (default: $VQR_CONFIG,\n"
		"                      ./vqr.yaml, /etc/vqr/vqr.yaml)\n"
		"  -f, --follow SOURCE read DIR/rows.gz of SOURCE while vqr-extract still\n"
		"                      writes it (started beside it), then its manifest\n"
		"  -v, --verbose       say what is done\n"
		"  -L, --log FILE      also append every message to FILE\n"
		"  -h, --help          show this help and exit\n"
		"  -V, --version       show the version and exit\n"
		"\n" LOG_EXIT_CODES_HELP);
}

/* ---- groups ------------------------------------------------------------ */

/* A hash of the key, 8 bytes a step (multiply-xorshift mixing). */
static uint64_t khash(const char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, p, n);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

static int grow(gtable *t)
{
	size_t nc = t->cap ? t->cap * 2 : 1024;
	group **ns = calloc(nc, sizeof *ns);
	if (!ns)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		group *g = t->slots[i];
		if (!g)
			continue;
		size_t j = g->hash & (nc - 1);
		while (ns[j])
			j = (j + 1) & (nc - 1);
		ns[j] = g;
	}
	free(t->slots);
	t->slots = ns;
	t->cap = nc;
	return 0;
}

static void acc_init(acc *a)
{
	a->n = 0;
	a->sum = 0;
	a->min = INFINITY;
	a->max = -INFINITY;
}

/* Append n bytes and, when term, a NUL to the key being built. */
static int kput(transform *x, size_t *len, const void *s, size_t n, int term)
{
	if (*len + n + 1 > x->kcap) {
		size_t nc = x->kcap ? x->kcap * 2 : 1024;
		while (nc < *len + n + 1)
			nc *= 2;
		char *nb = realloc(x->kbuf, nc);
		if (!nb)
			return -1;
		x->kbuf = nb;
		x->kcap = nc;
	}
	memcpy(x->kbuf + *len, s, n);
	*len += n;
	if (term)
		x->kbuf[(*len)++] = '\0';
	return 0;
}

static void json_str(char **p, const char *s)
{
	char *o = *p;
	*o++ = '"';
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			*o++ = '\\';
			*o++ = (char)ch;
		} else if (ch < 0x20) {
			o += sprintf(o, "\\u%04x", ch);
		} else {
			*o++ = (char)ch;
		}
	}
	*o++ = '"';
	*p = o;
}

#define KEY_HEAD (sizeof(unsigned) + sizeof(size_t)) /* mask, set */

/* The breakdown of g as a JSON object, from its key. */
static char *make_json(const transform *x, const group *g)
{
	const byset *b = &x->sets[g->set];
	size_t need = 3;
	const char *v, *vals;
	char *out, *o;

	vals = g->key + KEY_HEAD;
	vals += strlen(vals) + 1; /* the period */
	v = vals;
	for (size_t i = 0; i < b->n; i++)
		if (g->mask & (1u << i)) {
			need += 6 * strlen(v) + 6 * strlen(b->names[i]) + 8;
			v += strlen(v) + 1;
		}
	if (!(out = malloc(need)))
		return NULL;
	o = out;
	*o++ = '{';
	v = vals;
	for (size_t i = 0, k = 0; i < b->n; i++) {
		if (!(g->mask & (1u << i)))
			continue;
		if (k++) {
			*o++ = ',';
			*o++ = ' ';
		}
		json_str(&o, b->names[i]);
		*o++ = ':';
		*o++ = ' ';
		if (v[0] == '\x01' && v[1] == '\0') {
			memcpy(o, "null", 4);
			o += 4;
		} else {
			json_str(&o, v);
		}
		v += strlen(v) + 1;
	}
	*o++ = '}';
	*o = '\0';
	return out;
}

/* Find or create the group of breakdown set si, mask, for this row. */
static group *lookup(transform *x, const char *period, size_t si, unsigned mask)
{
	const byset *b = &x->sets[si];
	size_t len = 0, j;
	uint64_t h;

	if (kput(x, &len, &mask, sizeof mask, 0) < 0 || kput(x, &len, &si, sizeof si, 0) < 0 ||
	    kput(x, &len, period, strlen(period), 1) < 0)
		return NULL;
	for (size_t i = 0; i < b->n; i++) {
		if (!(mask & (1u << i)))
			continue;
		const expr_value *v = &x->row[b->cols[i]];
		if (v->isnull ? kput(x, &len, "\x01", 1, 1) < 0 : kput(x, &len, v->s, strlen(v->s), 1) < 0)
			return NULL;
	}
	h = khash(x->kbuf, len);
	if (x->t.n * 2 >= x->t.cap && grow(&x->t) < 0)
		return NULL;
	for (j = h & (x->t.cap - 1); x->t.slots[j]; j = (j + 1) & (x->t.cap - 1)) {
		group *g = x->t.slots[j];
		if (g->hash == h && g->klen == len && memcmp(g->key, x->kbuf, len) == 0)
			return g;
	}
	group *g = calloc(1, sizeof *g);
	if (!g || !(g->key = malloc(len)) || !(g->acc = malloc(2 * b->ninds * sizeof *g->acc))) {
		if (g)
			free(g->key);
		free(g);
		return NULL;
	}
	memcpy(g->key, x->kbuf, len);
	g->klen = len;
	g->hash = h;
	g->set = si;
	g->mask = mask;
	g->period = g->key + KEY_HEAD;
	for (size_t k = 0; k < 2 * b->ninds; k++)
		acc_init(&g->acc[k]);
	x->t.slots[j] = g;
	x->t.n++;
	return g;
}

/* ---- rows -------------------------------------------------------------- */

static int passes(const cfg_agg *agg, const expr_value *row)
{
	return !agg->where || expr_eval(agg->where, row) == EXPR_TRUE;
}

/* Add this row to a, which its filter already passed. */
static void add(acc *a, const cfg_agg *agg, const expr_value *row)
{
	if (agg->field < 0) {
		a->n++;
		return;
	}
	const expr_value *v = &row[agg->field];
	if (v->isnull)
		return;
	a->n++;
	a->sum += v->num;
	if (v->num < a->min)
		a->min = v->num;
	if (v->num > a->max)
		a->max = v->num;
}

static int typed_row(transform *x, rows_reader *r, int n, char *err, size_t errlen)
{
	if ((size_t)n != x->s->ncols) {
		snprintf(err, errlen, "rows.gz:%ld: %d fields, expected %zu", rows_lineno(r), n, x->s->ncols);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		expr_value *v = &x->row[i];
		const char *s = rows_field(r, i);
		v->isnull = s == NULL;
		v->s = s ? s : "";
		v->num = 0;
		if (!s || !x->s->used[i])
			continue;
		switch (x->coltype[i]) {
		case EXPR_NUMBER: {
			char *end;
			v->num = strtod(s, &end);
			if (*end) {
				snprintf(err, errlen, "rows.gz:%ld: column %d: \"%s\" is not a number", rows_lineno(r), i + 1, s);
				return -1;
			}
			break;
		}
		case EXPR_BOOL:
			v->num = s[0] == 't';
			break;
		case EXPR_DATE: {
			long days;
			if (expr_date_days(s, &days) < 0) {
				snprintf(err, errlen, "rows.gz:%ld: column %d: \"%s\" is not a date", rows_lineno(r), i + 1, s);
				return -1;
			}
			v->num = (double)days;
			break;
		}
		case EXPR_TEXT:
			break;
		}
	}
	return 0;
}

static int do_row(transform *x, char *err, size_t errlen)
{
	const char *period = x->row[CFG_COL_PERIOD].s;

	/* Filters once per indicator and row, whatever the breakdowns. */
	for (size_t i = 0; i < x->ninds; i++) {
		const cfg_indicator *ind = x->inds[i];
		x->npass[i] = (unsigned char)passes(&ind->num, x->row);
		x->dpass[i] = ind->is_ratio ? (unsigned char)passes(&ind->den, x->row) : 0;
	}
	for (size_t si = 0; si < x->nsets; si++) {
		const byset *b = &x->sets[si];
		unsigned nmask = 1u << b->n;
		for (unsigned mask = 0; mask < nmask; mask++) {
			group *g = lookup(x, period, si, mask);
			if (!g) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			for (size_t k = 0; k < b->ninds; k++) {
				size_t i = b->inds[k];
				if (x->npass[i])
					add(&g->acc[2 * k], &x->inds[i]->num, x->row);
				if (x->dpass[i])
					add(&g->acc[2 * k + 1], &x->inds[i]->den, x->row);
			}
		}
	}
	return 0;
}

/* ---- output ------------------------------------------------------------ */

/* One output record: indicator i of group g (its k-th in the set). */
typedef struct outrec {
	const group *g;
	size_t i, k;
} outrec;

static int cmp_out(const void *a, const void *b)
{
	const outrec *p = a, *q = b;
	int c;
	if (p->i != q->i)
		return p->i < q->i ? -1 : 1;
	if ((c = strcmp(p->g->period, q->g->period)))
		return c;
	if (p->g->mask != q->g->mask)
		return p->g->mask < q->g->mask ? -1 : 1;
	return strcmp(p->g->json, q->g->json);
}

static double agg_value(const cfg_agg *a, const acc *v, int *ok)
{
	*ok = 1;
	switch (a->fn) {
	case CFG_AGG_COUNT: return (double)v->n;
	case CFG_AGG_SUM: *ok = v->n > 0; return v->sum;
	case CFG_AGG_MEAN: *ok = v->n > 0; return v->n ? v->sum / (double)v->n : 0;
	case CFG_AGG_MIN: *ok = v->n > 0; return v->min;
	case CFG_AGG_MAX: *ok = v->n > 0; return v->max;
	}
	return 0;
}

static int write_out(transform *x, const char *dir, long long *count, char *err, size_t errlen)
{
	char path[4200];
	outrec *all;
	size_t n = 0, total = 0;
	rows_writer *w;

	for (size_t j = 0; j < x->t.cap; j++)
		if (x->t.slots[j])
			total += x->sets[x->t.slots[j]->set].ninds;
	all = malloc((total ? total : 1) * sizeof *all);
	if (!all) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t j = 0; j < x->t.cap; j++) {
		group *g = x->t.slots[j];
		if (!g)
			continue;
		if (!(g->json = make_json(x, g))) {
			free(all);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (size_t k = 0; k < x->sets[g->set].ninds; k++)
			all[n++] = (outrec){ g, x->sets[g->set].inds[k], k };
	}
	qsort(all, n, sizeof *all, cmp_out);
	snprintf(path, sizeof path, "%s/indicators.gz", dir);
	if (!(w = rows_create(path, 1, err, errlen))) {
		free(all);
		return -1;
	}
	*count = 0;
	for (size_t r = 0; r < n; r++) {
		const group *g = all[r].g;
		const cfg_indicator *ind = x->inds[all[r].i];
		const acc *na = &g->acc[2 * all[r].k], *da = &g->acc[2 * all[r].k + 1];
		int ok = 1, ok2 = 1;
		double num = agg_value(&ind->num, na, &ok), den = 0, value;
		int has_nd = 0;

		if (ind->is_ratio) {
			den = agg_value(&ind->den, da, &ok2);
			if (!ok || !ok2 || den == 0)
				continue;
			value = num / den * ind->scale;
			has_nd = 1;
		} else if (ind->num.fn == CFG_AGG_MEAN) {
			if (!ok)
				continue;
			value = num;
			num = na->sum;
			den = (double)na->n;
			has_nd = 1;
		} else {
			if (!ok)
				continue;
			value = num;
		}
		rows_put(w, x->c->school_code, strlen(x->c->school_code));
		rows_put(w, g->period, strlen(g->period));
		rows_put(w, ind->code, strlen(ind->code));
		rows_put(w, g->json, strlen(g->json));
		rows_put(w, "computed", 8);
		rows_put(w, x->s->name, strlen(x->s->name));
		if (has_nd) {
			rows_putf(w, "%.15g", num);
			rows_putf(w, "%.15g", den);
		} else {
			rows_put_null(w);
			rows_put_null(w);
		}
		rows_putf(w, "%.15g", value);
		rows_end(w);
		(*count)++;
	}
	free(all);
	return rows_commit(w, err, errlen);
}

/* ---- main -------------------------------------------------------------- */

static int setup(transform *x, char *err, size_t errlen)
{
	const cfg_source *s = x->s;
	size_t k = 0;

	x->inds = calloc(x->c->nindicators ? x->c->nindicators : 1, sizeof *x->inds);
	x->coltype = calloc(s->ncols, sizeof *x->coltype);
	x->row = calloc(s->ncols, sizeof *x->row);
	if (!x->inds || !x->coltype || !x->row) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < x->c->nindicators; i++)
		if (x->c->indicators[i].source == s)
			x->inds[k++] = &x->c->indicators[i];
	x->ninds = k;
	x->sets = calloc(k ? k : 1, sizeof *x->sets);
	x->npass = calloc(k ? k : 1, 1);
	x->dpass = calloc(k ? k : 1, 1);
	if (!x->sets || !x->npass || !x->dpass) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < k; i++) {
		const cfg_indicator *ind = x->inds[i];
		size_t si;
		for (si = 0; si < x->nsets; si++)
			if (x->sets[si].n == ind->nby &&
			    (ind->nby == 0 || memcmp(x->sets[si].cols, ind->by, ind->nby * sizeof *ind->by) == 0))
				break;
		if (si == x->nsets) {
			x->sets[si].cols = ind->by;
			x->sets[si].names = ind->by_names;
			x->sets[si].n = ind->nby;
			if (!(x->sets[si].inds = calloc(k, sizeof *x->sets[si].inds))) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			x->nsets++;
		}
		x->sets[si].inds[x->sets[si].ninds++] = i;
	}
	x->coltype[CFG_COL_LINE] = EXPR_NUMBER;
	x->coltype[CFG_COL_PERIOD] = EXPR_TEXT;
	for (size_t i = 0; i < s->nfields; i++) {
		const cfg_field *f = &s->fields[i];
		if (f->col < 0)
			continue;
		switch (f->type) {
		case CFG_INTEGER:
		case CFG_DECIMAL:
		case CFG_PERCENT: x->coltype[f->col] = EXPR_NUMBER; break;
		case CFG_BOOL: x->coltype[f->col] = EXPR_BOOL; break;
		case CFG_DATE: x->coltype[f->col] = EXPR_DATE; break;
		default: x->coltype[f->col] = EXPR_TEXT; break;
		}
	}
	return 0;
}

static int check_header(const transform *x, rows_reader *r, char *err, size_t errlen)
{
	int n = rows_next(r);
	if (n < 0) {
		snprintf(err, errlen, "%s", rows_error(r));
		return -1;
	}
	if ((size_t)n != x->s->ncols) {
		snprintf(err, errlen, "rows.gz has %d columns, source \"%s\" now has %zu\n"
			 "hint: the configuration changed since extract; extract the file again", n,
			 x->s->name, x->s->ncols);
		return -1;
	}
	for (size_t i = 0; i < x->s->nfields; i++) {
		const cfg_field *f = &x->s->fields[i];
		if (f->col >= 0 && strcmp(rows_field(r, f->col), f->name) != 0) {
			snprintf(err, errlen, "rows.gz column %d is \"%s\", source \"%s\" now has \"%s\" there\n"
				 "hint: the configuration changed since extract; extract the file again",
				 f->col + 1, rows_field(r, f->col), x->s->name, f->name);
			return -1;
		}
	}
	return 0;
}

static void cleanup(transform *x)
{
	for (size_t i = 0; i < x->t.cap; i++)
		if (x->t.slots[i]) {
			free(x->t.slots[i]->key);
			free(x->t.slots[i]->json);
			free(x->t.slots[i]->acc);
			free(x->t.slots[i]);
		}
	for (size_t i = 0; i < x->nsets; i++)
		free(x->sets[i].inds);
	free(x->sets);
	free(x->npass);
	free(x->dpass);
	free(x->t.slots);
	free(x->inds);
	free(x->coltype);
	free(x->row);
	free(x->kbuf);
}

/* --follow: wait (up to a minute) for the manifest vqr-extract writes
 * right after its rows, and read it into m.  1 when it says the extract
 * gave the file up (which the extract reports, so the caller stays quiet). */
static int extract_gave_up(const char *mpath, manifest *m)
{
	char err[512];

	for (int i = 0; access(mpath, F_OK) != 0 && i < 60000; i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	manifest_clear(m);
	return manifest_read(mpath, m, err, sizeof err) == 0 && m->status && strcmp(m->status, "failed") == 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "follow", required_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config = NULL, *dir, *follow = NULL;
	char err[4096], path[4200], mpath[4200];
	manifest m = { 0 };
	transform x;
	rows_reader *r = NULL;
	cfg *c;
	int ch, n, rc, status = EXIT_OK;
	long long t0 = cli_ms(), rows = 0, count = 0;

	log_init("vqr-transform");
	cli_init_process();
	while ((ch = getopt_long(argc, argv, "c:f:vL:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'f': follow = optarg; break;
		default:
			if ((rc = cli_std_option(ch, optarg, "vqr-transform", usage)) != CLI_GO_ON)
				return rc == CLI_NOT_MINE ? EXIT_USAGE : rc;
		}
	}
	if ((rc = cli_one_operand(argc, argv, optind, "vqr-transform", "staging directory")))
		return rc;
	dir = argv[optind];
	config = cli_config_path(config);
	if (!(c = cfg_load(config, err, sizeof err))) {
		log_error_text(err);
		return EXIT_USAGE;
	}
	memset(&x, 0, sizeof x);
	x.c = c;
	snprintf(mpath, sizeof mpath, "%s/manifest.yaml", dir);
	if (follow && !(x.s = cfg_source_find(c, follow))) {
		log_error("--follow %s: no such source in %s", follow, config);
		status = EXIT_USAGE;
		goto out;
	}
	if (!follow && (status = cli_open_stage(dir, c, config, &m, &x.s)))
		goto out;
	if (setup(&x, err, sizeof err) < 0)
		goto internal;
	snprintf(path, sizeof path, "%s/rows.gz", dir);
	if (!(r = follow ? rows_follow(path, mpath, err, sizeof err) : rows_open(path, err, sizeof err)))
		goto follow_failed;
	if (check_header(&x, r, err, sizeof err) < 0) {
		log_error_text(err);
		status = EXIT_USAGE;
		goto out;
	}
	while ((n = rows_next(r)) > 0) {
		if (typed_row(&x, r, n, err, sizeof err) < 0 || do_row(&x, err, sizeof err) < 0)
			goto internal;
		rows++;
	}
	if (n < 0) {
		snprintf(err, sizeof err, "%s", rows_error(r));
		goto follow_failed;
	}
	if (follow) {
		const cfg_source *ms;
		if (extract_gave_up(mpath, &m)) {
			status = EXIT_REJECTED;
			goto out;
		}
		manifest_clear(&m);
		if ((status = cli_open_stage(dir, c, config, &m, &ms)))
			goto out;
		if (ms != x.s) {
			log_error("%s: staged for source %s, not %s (--follow)", dir, ms->name, follow);
			status = EXIT_USAGE;
			goto out;
		}
	}
	if (write_out(&x, dir, &count, err, sizeof err) < 0)
		goto internal;
	m.transform_ms = cli_ms() - t0;
	m.indicators = count;
	snprintf(path, sizeof path, "%s/manifest.yaml", dir);
	if (manifest_write(path, &m, err, sizeof err) < 0)
		goto internal;
	log_info("%s: %lld rows -> %lld indicator records (%zu indicators, %zu breakdown sets, %zu groups)", dir,
		 rows, count, x.ninds, x.nsets, x.t.n);
	goto out;
follow_failed:
	/* Following, the rows end early when the extract gives the file up:
	 * that is the extract's to report (its manifest says why). */
	if (follow && extract_gave_up(mpath, &m)) {
		status = EXIT_REJECTED;
		goto out;
	}
internal:
	log_error_text(err);
	status = EXIT_INTERNAL;
out:
	rows_close(r);
	cleanup(&x);
	manifest_clear(&m);
	cfg_free(c);
	return cli_finish_stdout(status);
}
