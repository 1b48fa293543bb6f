/*
 * filters.c - the engine's filters per row, with the results of the
 * filters that read few values kept by those values (see filters.h).
 *
 * Each column a kept filter reads adds one word to the key: its
 * dictionary id (text), 0/1/2 for NULL/false/true (bool), or whether it
 * is NULL (read by IS [NOT] NULL only).  The cache has SLOTS entries,
 * each the key it holds (word 0 is 1 when the entry is used) and the
 * flags of every filter for it (only the kept filters' are read: the
 * whole entry is copied at once); a new key takes the entry of its slot.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util/mem.h"
#include "stages/transform/filters.h"

#define SLOTS 1024              /* entries of the cache (a power of two) */
#define TRIAL 4096              /* rows after which a cache that misses more often than it hits is given up */

enum { K_NONE, K_NULL, K_BOOL, K_ID };  /* how a column enters the key (a higher one includes the lower) */

struct filters {
	const expr **where;     /* the filters (n) */
	size_t n;
	size_t *kept;           /* the filters kept by their values (nkept), indexes into where */
	size_t nkept;
	size_t *live;           /* the filters evaluated on every row (nlive) */
	size_t nlive;
	int *kcol;              /* the key's columns (nk) */
	unsigned char *kkind;   /* how each enters the key (K_*) */
	size_t nk;
	uint32_t *keys;         /* SLOTS x (nk + 1) words: used flag, then the key */
	unsigned char *flags;   /* SLOTS x n: every filter's flag for that key (the kept ones' hold) */
	uint32_t *kbuf;         /* the key of the row (nk + 1 words) */
	size_t tries, misses;   /* rows looked up in the cache, and not found, until TRIAL */
};

/* What classify learns of one filter's fields. */
typedef struct fclass {
	const unsigned char *hasid; /* filters_new's */
	size_t ncols;
	unsigned char *kind;    /* per column: how the filter reads it (K_*) */
	int ok;                 /* every field read can be keyed */
} fclass;

/* expr_fields' callback: how one field read enters the key. */
static void classify(void *ctx, int index, expr_type type, int null_only)
{
	fclass *c = ctx;
	unsigned char k;

	if (index < 0 || (size_t)index >= c->ncols) {
		c->ok = 0;
		return;
	}
	if (null_only)
		k = K_NULL;
	else if (type == EXPR_BOOL)
		k = K_BOOL;
	else if (type == EXPR_TEXT && c->hasid[index])
		k = K_ID;
	else
		k = K_NONE;
	if (k == K_NONE)
		c->ok = 0;
	else if (k > c->kind[index])
		c->kind[index] = k;
}

/* Sort the filters into kept and live, and the key's columns out of the
 * kept ones' reads. */
static void plan(filters *fs, const unsigned char *hasid, size_t ncols)
{
	unsigned char *all = xcalloc(ncols + 1, 1), *one = xcalloc(ncols + 1, 1);

	for (size_t i = 0; i < fs->n; i++) {
		fclass c = { hasid, ncols, one, 1 };
		memset(one, 0, ncols);
		expr_fields(fs->where[i], classify, &c);
		if (!c.ok) {
			fs->live[fs->nlive++] = i;
			continue;
		}
		fs->kept[fs->nkept++] = i;
		for (size_t col = 0; col < ncols; col++)
			if (one[col] > all[col])
				all[col] = one[col];
	}
	for (size_t col = 0; col < ncols; col++)
		if (all[col] != K_NONE) {
			fs->kcol[fs->nk] = (int)col;
			fs->kkind[fs->nk++] = all[col];
		}
	free(all);
	free(one);
}

filters *filters_new(const expr *const *where, size_t n, const unsigned char *hasid, size_t ncols)
{
	filters *fs = xcalloc(1, sizeof *fs);

	fs->n = n;
	fs->where = xcalloc(n + 1, sizeof *fs->where);
	memcpy(fs->where, where, n * sizeof *where);
	fs->kept = xcalloc(n + 1, sizeof *fs->kept);
	fs->live = xcalloc(n + 1, sizeof *fs->live);
	fs->kcol = xcalloc(ncols + 1, sizeof *fs->kcol);
	fs->kkind = xcalloc(ncols + 1, 1);
	plan(fs, hasid, ncols);
	if (fs->nkept) {
		fs->keys = xcalloc(SLOTS * (fs->nk + 1), sizeof *fs->keys);
		fs->flags = xcalloc(SLOTS * n, 1);
		fs->kbuf = xcalloc(fs->nk + 1, sizeof *fs->kbuf);
	}
	return fs;
}

/* The row's key into fs->kbuf and its slot; SLOTS when the row has a text
 * value without an id (it is then evaluated). */
static size_t row_key(filters *fs, const expr_value *row)
{
	uint32_t *k = fs->kbuf;
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	k[0] = 1;
	for (size_t j = 0; j < fs->nk; j++) {
		const expr_value *v = &row[fs->kcol[j]];
		uint32_t w;
		switch (fs->kkind[j]) {
		case K_NULL: w = !v->isnull; break;
		case K_BOOL: w = v->isnull ? 0 : v->num != 0 ? 2 : 1; break;
		default:
			if (!v->isnull && !v->id)
				return SLOTS;
			w = v->isnull ? 0 : v->id;
		}
		k[1 + j] = w;
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
	}
	return (size_t)((h ^ (h >> 32)) * 0xc4ceb9fe1a85ec53ULL >> 54) & (SLOTS - 1);
}

/* Give the cache up: the kept filters are evaluated on every row from
 * now on (their values take too many combinations for it, as a filter
 * on a column of thousands of distinct texts would). */
static void give_up(filters *fs)
{
	memcpy(fs->live + fs->nlive, fs->kept, fs->nkept * sizeof *fs->kept);
	fs->nlive += fs->nkept;
	fs->nkept = 0;
}

/* The kept filters' flags into pass: from the cache when the row's key
 * is there (the whole entry is copied; the live filters' places are
 * written after), else evaluated and kept. */
static void kept_eval(filters *fs, const expr_value *row, unsigned char *pass)
{
	size_t slot, j, words = fs->nk + 1;
	uint32_t *sk;
	unsigned char *sf;

	if (fs->tries < TRIAL && ++fs->tries == TRIAL && fs->misses * 2 > TRIAL) {
		give_up(fs);
		return;
	}
	if ((slot = row_key(fs, row)) < SLOTS) {
		sk = &fs->keys[slot * words];
		sf = &fs->flags[slot * fs->n];
		for (j = 0; j < words && sk[j] == fs->kbuf[j]; j++)
			;
		if (j == words) {
			memcpy(pass, sf, fs->n);
			return;
		}
	}
	fs->misses++;
	for (size_t i = 0; i < fs->nkept; i++)
		pass[fs->kept[i]] = expr_eval(fs->where[fs->kept[i]], row) == EXPR_TRUE;
	if (slot < SLOTS) {
		memcpy(sf, pass, fs->n);
		memcpy(sk, fs->kbuf, words * sizeof *sk);
	}
}

void filters_eval(filters *fs, const expr_value *row, unsigned char *pass)
{
	if (fs->nkept)
		kept_eval(fs, row, pass);
	/* after kept_eval: give_up may have made its filters live */
	for (size_t i = 0; i < fs->nlive; i++)
		pass[fs->live[i]] = expr_eval(fs->where[fs->live[i]], row) == EXPR_TRUE;
}

size_t filters_nkept(const filters *fs)
{
	return fs->nkept;
}

void filters_free(filters *fs)
{
	if (!fs)
		return;
	FREE_ALL(fs->where, fs->kept, fs->live, fs->kcol, fs->kkind, fs->keys, fs->flags, fs->kbuf, fs);
}
