/*
 * engine.c - vqr-transform's aggregation engine (see engine.h): breakdown
 * sets, dictionaries of column values, the group table, the filters
 * evaluated once per row, the roll-up of the finest groups and the merge
 * of two engines.  The accumulators are aggfn.h's, called through its
 * table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/catalog/aggfn.h"
#include "lib/catalog/period.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "stages/transform/engine.h"
#include "stages/transform/filters.h"
#include "stages/transform/text.h"

#define MAX_BY 32               /* breakdown fields of one indicator */
#define DCACHE 256              /* slots of a dictionary's cache of recent texts (a power of two) */
#define GCACHE 256              /* slots of a breakdown set's cache of recent groups (a power of two) */

/* The distinct texts of one canonical column (or the period labels), each
 * with a small id: rows are grouped and counted by ids, not by strings. */
typedef struct cdict {
	uint64_t *hash;         /* per slot, 0 = empty */
	uint32_t *slot_id;      /* per slot: its id */
	const char **text;      /* by id (1..n); id 0 is NULL; texts live in the arena */
	size_t *len;            /* by id: its text's length in bytes */
	size_t cap, n;          /* slots (power of two), ids given */
	uint32_t cache[DCACHE]; /* by text_slot: the id of a text seen lately with that slot, 0 = none */
} cdict;

/* What a row adds to one accumulator of its group (an indicator's
 * numerator or denominator), flattened for engine_add_row. */
typedef struct accop {
	const aggfn *fn;        /* the aggregation function */
	size_t f;               /* its filter's index in fpass (nfilt: no filter, always passes) */
	int field;              /* the column it aggregates, -1 for "*" */
	size_t q;               /* its accumulator in the group: 2 per indicator of the set */
} accop;

/* Indicators that break down by the same fields share their groups: a
 * row finds its group once per breakdown set, not once per indicator. */
typedef struct byset {
	const int *cols;        /* breakdown columns (of the first indicator using it) */
	char *const *names;     /* their field names */
	size_t n;               /* how many */
	period_type ptype;      /* the period type its indicators are counted in */
	size_t *inds;           /* indicators using this set (indexes into inds) */
	size_t ninds;
	accop *ops;             /* what a row adds to its group's accumulators (nops): the counts first (ncount) */
	size_t nops, ncount;
	size_t *src;            /* per accumulator: the one holding its value (a count of the same rows as an earlier one is kept once) */
} byset;

typedef struct group {
	uint64_t hash;          /* of key */
	uint32_t *key;          /* set, mask, period id, then the value id of each breakdown field (0 when unset) */
	size_t klen;            /* words in key */
	size_t set;             /* breakdown set */
	unsigned mask;          /* which breakdown fields are set */
	const char *period;     /* its label (arena) */
	char *json;             /* breakdown as JSON, made at output */
	aggfn_acc *acc;         /* 2 per indicator of the set: numerator, denominator */
} group;

typedef struct gtable {
	group **slots;          /* open addressing, power of two */
	size_t cap, n;
} gtable;

struct engine {
	const cfg_source *s;
	const cfg_indicator **inds; /* the source's indicators */
	size_t ninds;
	byset *sets;            /* distinct breakdown sets */
	size_t nsets;
	gtable t;
	uint32_t kbuf[3 + MAX_BY]; /* key being built */
	cdict *dict;            /* per canonical column (used for breakdowns and count_distinct) */
	unsigned char *needid;  /* per canonical column: give its values ids */
	int *idcols;            /* the columns needid marks (nidcols) */
	size_t nidcols;
	uint32_t *rid;          /* per canonical column: this row's value id (0 = NULL) */
	group **gcache;         /* per breakdown set, GCACHE slots by key_slot: groups found lately */
	cdict pdict;            /* period labels */
	const cfg_agg **filt;   /* distinct filters (by text) of the indicators (nfilt) */
	size_t nfilt;
	filters *fs;            /* evaluates them (filters.h) */
	unsigned char *fpass;   /* per distinct filter: this row passes; fpass[nfilt] is always 1 */
	size_t *nfi, *dfi;      /* per indicator: index of its numerator's, denominator's filter, or SIZE_MAX */
	int date_col;           /* canonical column of the period date, -1 none */
	arena a;                /* dictionary texts */
	int rolled;             /* engine_records ran */
};

/* ---- dictionaries and keys ---------------------------------------------- */

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

/* The first n bytes of a and b are the same (words at a time, without
 * a call: the texts of a dictionary are short). */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	size_t i;

	if (n < 8) {
		for (i = 0; i < n; i++)
			if (a[i] != b[i])
				return 0;
		return 1;
	}
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return 0;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return x == y;
}

/* A text's slot in a dictionary's cache: a cheap hash of its length and
 * of its first and last 8 bytes (a collision only costs a full lookup). */
static inline size_t text_slot(const char *s, size_t len)
{
	uint64_t a = 0, b = 0;

	if (len >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + len - 8, 8);
	} else {
		memcpy(&a, s, len);
	}
	return (size_t)(((a ^ (b * 0xc4ceb9fe1a85ec53ULL) ^ len) * 0x9e3779b97f4a7c15ULL) >> 56) & (DCACHE - 1);
}

static void cdict_grow(cdict *d)
{
	size_t nc = d->cap ? d->cap * 2 : 64, j;
	uint64_t *nh = xcalloc(nc, sizeof *nh);
	uint32_t *ni = xcalloc(nc, sizeof *ni);

	d->text = xreallocarray(d->text, nc + 1, sizeof *d->text);
	d->len = xreallocarray(d->len, nc + 1, sizeof *d->len);
	for (size_t i = 0; i < d->cap; i++) {
		if (!d->hash[i])
			continue;
		for (j = d->hash[i] & (nc - 1); nh[j]; j = (j + 1) & (nc - 1))
			;
		nh[j] = d->hash[i];
		ni[j] = d->slot_id[i];
	}
	free(d->hash);
	free(d->slot_id);
	d->hash = nh;
	d->slot_id = ni;
	d->cap = nc;
}

/* The id (from 1) of text s (len bytes) in d's hash table, adding it. */
static uint32_t cdict_find(cdict *d, arena *ar, const char *s, size_t len)
{
	uint64_t h = khash(s, len) | 1;
	size_t j;

	if (d->n * 2 + 2 >= d->cap)
		cdict_grow(d);
	for (j = h & (d->cap - 1); d->hash[j]; j = (j + 1) & (d->cap - 1))
		if (d->hash[j] == h && d->len[d->slot_id[j]] == len && memcmp(d->text[d->slot_id[j]], s, len) == 0)
			return d->slot_id[j];
	d->hash[j] = h;
	d->slot_id[j] = (uint32_t)++d->n;
	d->text[d->n] = arena_dup(ar, s, len);
	d->len[d->n] = len;
	return d->slot_id[j];
}

/* The id (from 1) of text s (len bytes) in d, adding it.  A register
 * repeats few values, so most texts are found in the small cache, without
 * hashing them whole. */
static inline uint32_t cdict_id(cdict *d, arena *ar, const char *s, size_t len)
{
	size_t c = text_slot(s, len);
	uint32_t id = d->cache[c];

	if (id && d->len[id] == len && same_bytes(d->text[id], s, len))
		return id;
	return d->cache[c] = cdict_find(d, ar, s, len);
}

/* The id in d of the text id has in from (0 stays 0). */
static uint32_t cdict_map(cdict *d, arena *ar, const cdict *from, uint32_t id)
{
	return id ? cdict_id(d, ar, from->text[id], strlen(from->text[id])) : 0;
}

static void cdict_free(cdict *d)
{
	free(d->hash);
	free(d->slot_id);
	free(d->text);
	free(d->len);
}

/* ---- groups ------------------------------------------------------------- */

static void gtable_grow(gtable *t)
{
	size_t nc = t->cap ? t->cap * 2 : 1024;
	group **ns = xcalloc(nc, sizeof *ns);

	for (size_t i = 0; i < t->cap; i++) {
		group *g = t->slots[i];
		size_t j;
		if (!g)
			continue;
		for (j = g->hash & (nc - 1); ns[j]; j = (j + 1) & (nc - 1))
			;
		ns[j] = g;
	}
	free(t->slots);
	t->slots = ns;
	t->cap = nc;
}

/* The aggregation of accumulator q (2 per indicator: numerator, denominator) of set b. */
static const cfg_agg *acc_agg(const engine *e, const byset *b, size_t q)
{
	const cfg_indicator *ind = e->inds[b->inds[q / 2]];
	return q % 2 ? &ind->den : &ind->num;
}

static group *group_new(engine *e, const uint32_t *k, size_t len, uint64_t h)
{
	const byset *b = &e->sets[k[0]];
	group *g = xcalloc(1, sizeof *g);

	g->key = xmalloc(len * sizeof *k);
	memcpy(g->key, k, len * sizeof *k);
	g->acc = xcalloc(b->ninds ? 2 * b->ninds : 1, sizeof *g->acc);
	g->klen = len;
	g->hash = h;
	g->set = k[0];
	g->mask = k[1];
	g->period = e->pdict.text[k[2]];
	for (size_t q = 0; q < 2 * b->ninds; q++)
		aggfn_get(acc_agg(e, b, q)->fn)->init(&g->acc[q]);
	return g;
}

/* Find or create the group whose key (set, mask, period id, value ids) is k. */
static group *lookup_key(engine *e, const uint32_t *k)
{
	size_t len = 3 + e->sets[k[0]].n, j;
	uint64_t h = khash((const char *)k, len * sizeof *k);

	if (e->t.n * 2 >= e->t.cap)
		gtable_grow(&e->t);
	for (j = h & (e->t.cap - 1); e->t.slots[j]; j = (j + 1) & (e->t.cap - 1)) {
		group *g = e->t.slots[j];
		if (g->hash == h && g->klen == len && memcmp(g->key, k, len * sizeof *k) == 0)
			return g;
	}
	e->t.n++;
	return e->t.slots[j] = group_new(e, k, len, h);
}

/* The finest group of breakdown set si (every field set) for this row:
 * from the set's small cache of groups when it is there (keyed by the
 * period and value ids), else from the table. */
static group *lookup(engine *e, uint32_t period, size_t si)
{
	const byset *b = &e->sets[si];
	uint32_t *k = e->kbuf;
	uint64_t h = period * 0xc4ceb9fe1a85ec53ULL;
	size_t len = 3 + b->n, i;
	group **c;

	k[0] = (uint32_t)si;
	k[1] = (1u << b->n) - 1;
	k[2] = period;
	for (i = 0; i < b->n; i++) {
		k[3 + i] = e->rid[b->cols[i]];
		h = (h ^ k[3 + i]) * 0x9e3779b97f4a7c15ULL;
	}
	c = &e->gcache[si * GCACHE + ((h * 0xff51afd7ed558ccdULL) >> 56 & (GCACHE - 1))];
	if (*c) {
		const uint32_t *gk = (*c)->key;
		for (i = 2; i < len && gk[i] == k[i]; i++)
			;
		if (i == len)
			return *c;
	}
	return *c = lookup_key(e, k);
}

/* The groups of the table, in slot order (*n of them; the caller frees). */
static group **all_groups(const engine *e, size_t *n)
{
	group **v = xcalloc(e->t.n ? e->t.n : 1, sizeof *v);
	size_t k = 0;

	for (size_t j = 0; j < e->t.cap; j++)
		if (e->t.slots[j])
			v[k++] = e->t.slots[j];
	*n = k;
	return v;
}

/* Merge every accumulator of group f into t (same breakdown set). */
static void merge_accs(const engine *e, group *t, const group *f)
{
	const byset *b = &e->sets[f->set];

	for (size_t q = 0; q < 2 * b->ninds; q++)
		aggfn_get(acc_agg(e, b, q)->fn)->merge(&t->acc[q], &f->acc[q]);
}

/* Rows were counted in the finest groups only (every breakdown field set);
 * make the coarser ones (the total, each field alone, ...) by merging them:
 * a row then costs one lookup per breakdown set, not one per combination. */
static void rollup(engine *e)
{
	size_t nfine;
	group **fine = all_groups(e, &nfine);

	for (size_t i = 0; i < nfine; i++) {
		const group *g = fine[i];
		const byset *b = &e->sets[g->set];
		unsigned full = (1u << b->n) - 1;
		uint32_t key[3 + MAX_BY];
		for (unsigned mask = 0; mask < full; mask++) {
			key[0] = (uint32_t)g->set;
			key[1] = mask;
			key[2] = g->key[2];
			for (size_t q = 0; q < b->n; q++)
				key[3 + q] = (mask & (1u << q)) ? g->key[3 + q] : 0;
			merge_accs(e, lookup_key(e, key), g);
		}
	}
	free(fine);
}

/* ---- rows --------------------------------------------------------------- */

/* Give the row's values of the columns that need them their ids; each
 * distinct filter evaluated once, then each indicator's parts. */
static void row_ids_and_filters(engine *e, expr_value *row, const size_t *lens)
{
	for (size_t k = 0; k < e->nidcols; k++) {
		int c = e->idcols[k];
		expr_value *v = &row[c];
		e->rid[c] = v->isnull ? 0 : cdict_id(&e->dict[c], &e->a, v->s, lens[c]);
		v->id = e->rid[c];
	}
	filters_eval(e->fs, row, e->fpass);
}

/* Add this row to group g of set b: every accumulator whose filter it
 * passed and whose field it has.  Counts (count's add is a->n++) add the
 * flag itself, without a branch on it: filters pass or fail at random
 * from row to row, which branches mispredict. */
static void add_ops(const engine *e, const byset *b, group *g, const expr_value *row)
{
	const accop *o = b->ops, *counts = b->ops + b->ncount, *end = b->ops + b->nops;

	for (; o < counts; o++)
		g->acc[o->q].n += e->fpass[o->f] & (o->field < 0 || !row[o->field].isnull);
	for (; o < end; o++) {
		aggfn_acc *a = &g->acc[o->q];
		if (!e->fpass[o->f])
			continue;
		if (o->field < 0)
			o->fn->add(a, 0, 0);
		else if (!row[o->field].isnull)
			o->fn->add(a, row[o->field].num, e->rid[o->field]);
	}
}

/* The period id of this row in period type t (0: the row has none). */
static uint32_t row_period(engine *e, const expr_value *row, const size_t *lens, period_type t)
{
	char label[PERIOD_LABEL_MAX];
	const expr_value *dv = e->date_col >= 0 ? &row[e->date_col] : NULL;

	if (t == e->s->period)
		return cdict_id(&e->pdict, &e->a, row[CFG_COL_PERIOD].s, lens[CFG_COL_PERIOD]);
	/* a finer period (semesters), from the period date */
	if (!dv || dv->isnull || period_label(t, (long)dv->num, label) < 0)
		return 0;
	return cdict_id(&e->pdict, &e->a, label, strlen(label));
}

void engine_add_row(engine *e, expr_value *row, const size_t *lens)
{
	uint32_t pid[4] = { 0, 0, 0, 0 };
	unsigned char tried[4] = { 0, 0, 0, 0 };

	row_ids_and_filters(e, row, lens);
	for (size_t si = 0; si < e->nsets; si++) {
		const byset *b = &e->sets[si];
		group *g;
		if (!tried[b->ptype]) {
			pid[b->ptype] = row_period(e, row, lens, b->ptype);
			tried[b->ptype] = 1;
		}
		if (!pid[b->ptype])
			continue;
		g = lookup(e, pid[b->ptype], si);
		add_ops(e, b, g, row);
	}
}

/* ---- merge of two engines ------------------------------------------------ */

/* Add a count_distinct accumulator of from to t, its ids mapped by text
 * from from's dictionary of col to into's. */
static void merge_ids(engine *into, const engine *from, int col, aggfn_acc *t, const aggfn_acc *f)
{
	const aggfn *fn = aggfn_get(AGGFN_COUNT_DISTINCT);

	if (!f->ds)
		return;
	for (size_t i = 0; i < f->ds->cap; i++)
		if (f->ds->id[i])
			fn->add(t, 0, cdict_map(&into->dict[col], &into->a, &from->dict[col], f->ds->id[i]));
}

/* Merge from's group f into into's group of the same texts. */
static void merge_group(engine *into, const engine *from, const group *f)
{
	const byset *b = &from->sets[f->set];
	uint32_t key[3 + MAX_BY];
	group *t;

	key[0] = f->key[0];
	key[1] = f->key[1];
	key[2] = cdict_map(&into->pdict, &into->a, &from->pdict, f->key[2]);
	for (size_t i = 0; i < b->n; i++)
		key[3 + i] = cdict_map(&into->dict[b->cols[i]], &into->a, &from->dict[b->cols[i]], f->key[3 + i]);
	t = lookup_key(into, key);
	for (size_t q = 0; q < 2 * b->ninds; q++) {
		const cfg_agg *agg = acc_agg(from, b, q);
		if (aggfn_get(agg->fn)->by_id)
			merge_ids(into, from, agg->field, &t->acc[q], &f->acc[q]);
		else
			aggfn_get(agg->fn)->merge(&t->acc[q], &f->acc[q]);
	}
}

void engine_merge(engine *into, const engine *from)
{
	for (size_t j = 0; j < from->t.cap; j++)
		if (from->t.slots[j])
			merge_group(into, from, from->t.slots[j]);
}

/* ---- records ------------------------------------------------------------- */

/* The breakdown of g as a JSON object, from its key. */
static char *make_json(const engine *e, const group *g)
{
	const byset *b = &e->sets[g->set];
	size_t need = 3;
	char *out, *o;

	for (size_t i = 0; i < b->n; i++)
		if (g->mask & (1u << i)) {
			uint32_t id = g->key[3 + i];
			need += 6 * (id ? strlen(e->dict[b->cols[i]].text[id]) : 4) + 6 * strlen(b->names[i]) + 8;
		}
	o = out = xmalloc(need);
	*o++ = '{';
	for (size_t i = 0, k = 0; i < b->n; i++) {
		uint32_t id = g->key[3 + i];
		if (!(g->mask & (1u << i)))
			continue;
		if (k++) {
			*o++ = ',';
			*o++ = ' ';
		}
		text_json_quote(&o, b->names[i]);
		*o++ = ':';
		*o++ = ' ';
		if (!id) {
			memcpy(o, "null", 4);
			o += 4;
		} else {
			text_json_quote(&o, e->dict[b->cols[i]].text[id]);
		}
	}
	*o++ = '}';
	*o = '\0';
	return out;
}

/* A record before its value: indicator i of group g (its k-th in the set). */
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

static double agg_value(const cfg_agg *a, aggfn_acc *v, int *ok)
{
	double r = 0;
	*ok = aggfn_get(a->fn)->value(v, a->p, &r);
	return r;
}

/* The value of record o into r: 1, or 0 when it has none. */
static int rec_value(const engine *e, const outrec *o, engine_rec *r)
{
	const cfg_indicator *ind = e->inds[o->i];
	const aggfn *fn = aggfn_get(ind->num.fn);
	const size_t *src = e->sets[o->g->set].src;
	aggfn_acc *na = &o->g->acc[src[2 * o->k]], *da = &o->g->acc[src[2 * o->k + 1]];
	int ok, ok2;

	*r = (engine_rec){ o->i, o->g->period, o->g->json, 0, 0, 0, 0 };
	r->num = agg_value(&ind->num, na, &ok);
	if (!ok)
		return 0;
	if (ind->is_ratio) {
		r->den = agg_value(&ind->den, da, &ok2);
		if (!ok2 || r->den == 0)
			return 0;
		r->value = r->num / r->den * ind->scale;
		r->has_nd = 1;
	} else if (fn->parts) {
		r->value = r->num;
		fn->parts(na, &r->num, &r->den);
		r->has_nd = 1;
	} else {
		r->value = r->num;
	}
	return 1;
}

size_t engine_records(engine *e, engine_rec **out)
{
	size_t ng, n = 0, total = 0, k = 0;
	group **gs;
	outrec *all;

	if (!e->rolled)
		rollup(e);
	e->rolled = 1;
	gs = all_groups(e, &ng);
	for (size_t j = 0; j < ng; j++)
		total += e->sets[gs[j]->set].ninds;
	all = xcalloc(total ? total : 1, sizeof *all);
	for (size_t j = 0; j < ng; j++) {
		group *g = gs[j];
		if (!g->json)
			g->json = make_json(e, g);
		for (size_t q = 0; q < e->sets[g->set].ninds; q++)
			all[n++] = (outrec){ g, e->sets[g->set].inds[q], q };
	}
	free(gs);
	qsort(all, n, sizeof *all, cmp_out);
	*out = xcalloc(n ? n : 1, sizeof **out);
	for (size_t r = 0; r < n; r++)
		k += rec_value(e, &all[r], &(*out)[k]);
	free(all);
	return k;
}

/* ---- setup --------------------------------------------------------------- */

/* Group the indicators by breakdown set (same fields, same period type). */
static void make_sets(engine *e)
{
	size_t k = e->ninds;

	e->sets = xcalloc(k ? k : 1, sizeof *e->sets);
	for (size_t i = 0; i < k; i++) {
		const cfg_indicator *ind = e->inds[i];
		size_t si;
		for (si = 0; si < e->nsets; si++)
			if (e->sets[si].n == ind->nby && e->sets[si].ptype == ind->period &&
			    (ind->nby == 0 || memcmp(e->sets[si].cols, ind->by, ind->nby * sizeof *ind->by) == 0))
				break;
		if (si == e->nsets) {
			e->sets[si] = (byset){ ind->by, ind->by_names, ind->nby, ind->period, xcalloc(k, sizeof(size_t)), 0, NULL, 0, 0, NULL };
			e->nsets++;
		}
		e->sets[si].inds[e->sets[si].ninds++] = i;
	}
}

/* The distinct filters (by text) and each indicator's index into them. */
static void make_filters(engine *e)
{
	size_t k = e->ninds;

	e->filt = xcalloc(2 * k + 1, sizeof *e->filt);
	e->fpass = xcalloc(2 * k + 1, 1);
	e->nfi = xcalloc(k + 1, sizeof *e->nfi);
	e->dfi = xcalloc(k + 1, sizeof *e->dfi);
	for (size_t i = 0; i < k; i++) {
		const cfg_agg *parts[2] = { &e->inds[i]->num, e->inds[i]->is_ratio ? &e->inds[i]->den : NULL };
		size_t *slot[2] = { &e->nfi[i], &e->dfi[i] };
		for (int q = 0; q < 2; q++) {
			size_t f;
			*slot[q] = SIZE_MAX;
			if (!parts[q] || !parts[q]->where)
				continue;
			for (f = 0; f < e->nfilt; f++)
				if (strcmp(e->filt[f]->where_text, parts[q]->where_text) == 0)
					break;
			if (f == e->nfilt)
				e->filt[e->nfilt++] = parts[q];
			*slot[q] = f;
		}
	}
}

/* expr_intern's callback: the id of a filter's text constant in the
 * dictionary of the column it is compared with (which then gets ids). */
static unsigned intern_constant(void *ctx, int col, const char *text)
{
	engine *e = ctx;

	e->needid[col] = 1;
	return cdict_id(&e->dict[col], &e->a, text, strlen(text));
}

/* Which columns get dictionary ids: breakdowns, the fields of by_id
 * functions (count_distinct) and text columns filters compare. */
static void make_ids(engine *e)
{
	size_t ncols = e->s->ncols;

	e->dict = xcalloc(ncols, sizeof *e->dict);
	e->needid = xcalloc(ncols, 1);
	e->rid = xcalloc(ncols, sizeof *e->rid);
	e->idcols = xcalloc(ncols + 1, sizeof *e->idcols);
	for (size_t i = 0; i < e->ninds; i++) {
		const cfg_indicator *ind = e->inds[i];
		for (size_t b = 0; b < ind->nby; b++)
			e->needid[ind->by[b]] = 1;
		if (aggfn_get(ind->num.fn)->by_id)
			e->needid[ind->num.field] = 1;
		if (ind->is_ratio && aggfn_get(ind->den.fn)->by_id)
			e->needid[ind->den.field] = 1;
	}
	/* text filters compare dictionary ids (intern_constant gives them) */
	for (size_t f = 0; f < e->nfilt; f++)
		expr_intern(e->filt[f]->where, intern_constant, e);
	for (size_t c = 0; c < ncols; c++)
		if (e->needid[c])
			e->idcols[e->nidcols++] = (int)c;
	{
		const expr **where = xcalloc(e->nfilt + 1, sizeof *where);
		for (size_t f = 0; f < e->nfilt; f++)
			where[f] = e->filt[f]->where;
		e->fs = filters_new(where, e->nfilt, e->needid, ncols);
		free(where);
	}
}

/* Set b's accumulator operations of one kind (counts or not): per
 * indicator its numerator, and its denominator when it is a ratio, with
 * the index of its filter. */
static void add_set_ops(engine *e, byset *b, int counts)
{
	for (size_t k = 0; k < b->ninds; k++) {
		size_t i = b->inds[k];
		for (int q = 0; q < (e->inds[i]->is_ratio ? 2 : 1); q++) {
			const cfg_agg *agg = q ? &e->inds[i]->den : &e->inds[i]->num;
			size_t f = q ? e->dfi[i] : e->nfi[i];
			accop *o;
			size_t j;
			if ((agg->fn == AGGFN_COUNT) != counts)
				continue;
			f = f == SIZE_MAX ? e->nfilt : f;
			/* the same count as an earlier one: read from that one */
			for (j = 0; counts && j < b->nops && (b->ops[j].f != f || b->ops[j].field != agg->field); j++)
				;
			if (counts && j < b->nops) {
				b->src[2 * k + (size_t)q] = b->ops[j].q;
				continue;
			}
			o = &b->ops[b->nops++];
			o->fn = aggfn_get(agg->fn);
			o->f = f;
			o->field = agg->field;
			o->q = 2 * k + (size_t)q;
		}
	}
}

/* Each set's accumulator operations, the counts first. */
static void make_ops(engine *e)
{
	e->fpass[e->nfilt] = 1;
	for (size_t si = 0; si < e->nsets; si++) {
		byset *b = &e->sets[si];
		b->ops = xcalloc(2 * b->ninds + 1, sizeof *b->ops);
		b->src = xcalloc(2 * b->ninds + 1, sizeof *b->src);
		for (size_t q = 0; q < 2 * b->ninds; q++)
			b->src[q] = q;
		add_set_ops(e, b, 1);
		b->ncount = b->nops;
		add_set_ops(e, b, 0);
	}
}

engine *engine_new(const cfg *c, const cfg_source *s, char *err, size_t errlen)
{
	engine *e = xcalloc(1, sizeof *e);

	e->s = s;
	e->inds = xcalloc(c->nindicators ? c->nindicators : 1, sizeof *e->inds);
	for (size_t i = 0; i < c->nindicators; i++)
		if (c->indicators[i].source == s)
			e->inds[e->ninds++] = &c->indicators[i];
	for (size_t i = 0; i < e->ninds; i++)
		if (e->inds[i]->nby > MAX_BY) {
			err_set(err, errlen, "indicator %s: more than %d breakdown fields", e->inds[i]->code, MAX_BY);
			engine_free(e);
			return NULL;
		}
	e->date_col = s->period_date >= 0 ? s->fields[s->period_date].col : -1;
	make_sets(e);
	make_filters(e);
	make_ids(e);
	make_ops(e);
	e->gcache = xcalloc((e->nsets + 1) * GCACHE, sizeof *e->gcache);
	return e;
}

const cfg_indicator *const *engine_indicators(const engine *e, size_t *n)
{
	*n = e->ninds;
	return e->inds;
}

size_t engine_nsets(const engine *e)
{
	return e->nsets;
}

size_t engine_ngroups(const engine *e)
{
	return e->t.n;
}

static void group_free(const engine *e, group *g)
{
	size_t na = 2 * e->sets[g->set].ninds;

	for (size_t k = 0; k < na; k++)
		aggfn_acc_free(&g->acc[k]);
	free(g->key);
	free(g->json);
	free(g->acc);
	free(g);
}

void engine_free(engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->t.cap; i++)
		if (e->t.slots[i])
			group_free(e, e->t.slots[i]);
	free(e->t.slots);
	for (size_t i = 0; i < e->nsets; i++) {
		free(e->sets[i].inds);
		free(e->sets[i].ops);
		free(e->sets[i].src);
	}
	free(e->sets);
	free(e->inds);
	for (size_t c = 0; e->dict && c < e->s->ncols; c++)
		cdict_free(&e->dict[c]);
	free(e->dict);
	free(e->needid);
	free(e->rid);
	free(e->idcols);
	free(e->gcache);
	free(e->filt);
	free(e->fpass);
	filters_free(e->fs);
	free(e->nfi);
	free(e->dfi);
	cdict_free(&e->pdict);
	arena_free(&e->a);
	free(e);
}
