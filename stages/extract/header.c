/*
 * header.c - vqr-extract's search for a file's header row (header.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/catalog/val.h"
#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"
#include "stages/extract/header.h"

#define KEYLEN ROWCHECK_KEYLEN

void hfind_init(hfind *h, const cfg_source *s)
{
	memset(h, 0, sizeof *h);
	h->s = s;
	h->found_score = -1;
	h->keys = xcalloc(s->nfields ? s->nfields : 1, sizeof *h->keys);
	for (size_t i = 0; i < s->nfields; i++) {
		const cfg_field *f = &s->fields[i];
		size_t n = 1;
		char *k;
		while (f->synonyms[n - 1])
			n++;
		k = h->keys[i] = xcalloc(n + 1, KEYLEN);
		val_norm_key(f->header, strlen(f->header), k, KEYLEN);
		for (size_t j = 0; f->synonyms[j]; j++)
			val_norm_key(f->synonyms[j], strlen(f->synonyms[j]), k + (j + 1) * KEYLEN, KEYLEN);
	}
	hpath_init(&h->hp, s->header_rows);
}

void hfind_free(hfind *h)
{
	if (h->keys)
		for (size_t i = 0; i < h->s->nfields; i++)
			free(h->keys[i]);
	free(h->keys);
	h->keys = NULL;
	hpath_free(&h->hp);
}

int hfind_match(const hfind *h, const char *cell, size_t len)
{
	char key[KEYLEN];
	val_norm_key(cell, len, key, sizeof key);
	if (!key[0])
		return -1;
	for (size_t i = 0; i < h->s->nfields; i++) {
		const cfg_field *f = &h->s->fields[i];
		for (size_t j = 0; j == 0 || f->synonyms[j - 1]; j++)
			if (strcmp(h->keys[i] + j * KEYLEN, key) == 0)
				return (int)i;
	}
	return -1;
}

const csvin_record *hfind_candidate(hfind *h, const csvin_record *rec)
{
	return h->hp.nrows > 1 ? hpath_push(&h->hp, rec) : rec;
}

int hfind_match_col(const hfind *h, const csvin_record *rec, size_t c, int *by_last)
{
	int fi = hfind_match(h, rec->fields[c], rec->lens[c]);
	size_t last = rec == &h->hp.rec ? hpath_last(&h->hp, c) : 0;

	if (by_last)
		*by_last = 0;
	if (fi >= 0 || last == 0)
		return fi;
	fi = hfind_match(h, rec->fields[c] + last, rec->lens[c] - last);
	if (fi >= 0 && by_last)
		*by_last = 1;
	return fi;
}

int hfind_is_header(const hfind *h, const csvin_record *rec)
{
	size_t found = 0;
	for (size_t i = 0; i < h->s->nfields; i++) {
		if (!h->s->fields[i].required)
			continue;
		int hit = 0;
		for (size_t c = 0; c < rec->nfields && !hit; c++)
			hit = hfind_match_col(h, rec, c, NULL) == (int)i;
		if (!hit)
			return 0;
	}
	for (size_t c = 0; c < rec->nfields; c++)
		found += hfind_match_col(h, rec, c, NULL) >= 0;
	return found >= 2 || (found >= 1 && h->s->nfields == 1);
}

/* The missing field closest to header key `key` (by val_similarity over
 * its header, synonyms and name), as "name (header)" into hint, or "". */
static void closest_field(const hfind *h, const char *key, const unsigned char *present, char *hint,
			  size_t len)
{
	double best = 0.3;      /* less alike than this is no suggestion */
	const cfg_field *bf = NULL;

	hint[0] = '\0';
	for (size_t i = 0; i < h->s->nfields; i++) {
		const cfg_field *f = &h->s->fields[i];
		char nk[KEYLEN];
		double sc;
		if (present[i])
			continue;
		val_norm_key(f->name, strlen(f->name), nk, sizeof nk);
		sc = val_similarity(key, nk);
		for (size_t j = 0; j == 0 || f->synonyms[j - 1]; j++) {
			double s2 = val_similarity(key, h->keys[i] + j * KEYLEN);
			if (s2 > sc)
				sc = s2;
		}
		if (sc > best) {
			best = sc;
			bf = f;
		}
	}
	if (bf)
		snprintf(hint, len, "%s (%s)", bf->name, bf->header);
}

/* Column coverage into the manifest: the header cells that map to no
 * field (with the closest missing field), and the fields without a
 * column. */
static void note_coverage(const hfind *h, const rowcheck *rc, manifest *m)
{
	const cfg_source *s = h->s;
	unsigned char *present = xcalloc(s->nfields ? s->nfields : 1, 1);

	for (size_t c = 0; c < rc->ncols; c++)
		if (rc->map[c].field)
			present[rc->map[c].field - s->fields] = 1;
	for (size_t c = 0; c < rc->ncols; c++) {
		char key[KEYLEN], hint[300];
		if (rc->map[c].field || !rc->header[c][0])
			continue;
		val_norm_key(rc->header[c], strlen(rc->header[c]), key, sizeof key);
		closest_field(h, key, present, hint, sizeof hint);
		manifest_list_add(&m->unmapped, rc->header[c]);
		manifest_list_add(&m->unmapped_hint, hint);
	}
	for (size_t i = 0; i < s->nfields; i++)
		if (!present[i])
			manifest_list_add(&m->missing, s->fields[i].name);
	free(present);
}

/* The field of each column of header rec into fi[] (-1: none): by its
 * whole path, else by its last part unless another column has the field's
 * whole path.  0, or 1 with why when two columns share the last part that
 * names a field. */
static int column_fields(const hfind *h, const csvin_record *rec, const char *path, int *fi, char *why,
			 size_t whylen)
{
	const cfg_source *s = h->s;
	unsigned char *whole = xcalloc(s->nfields ? s->nfields : 1, 1);
	unsigned char *last = xcalloc(rec->nfields ? rec->nfields : 1, 1);
	int r = 0;

	for (size_t c = 0; c < rec->nfields; c++) {
		int bl;
		fi[c] = hfind_match_col(h, rec, c, &bl);
		last[c] = (unsigned char)bl;
		if (fi[c] >= 0 && !bl)
			whole[fi[c]] = 1;
	}
	for (size_t c = 0; c < rec->nfields; c++)
		if (fi[c] >= 0 && last[c] && whole[fi[c]])
			fi[c] = -1;     /* a column has the field's whole path */
	for (size_t c = 0; c < rec->nfields && !r; c++)
		for (size_t p = 0; p < c && !r && fi[c] >= 0 && last[c]; p++)
			if (fi[p] == fi[c] && last[p]) {
				const cfg_field *f = &s->fields[fi[c]];
				r = 1;
				err_set(why, whylen,
					"%s:%ld:%zu: columns %zu \"%s\" and %zu \"%s\" both end in the name of field %s (%s)\n"
					"detail: the header spans %d rows; a column is named by its path through them\n"
					"hint: name the column by its whole path (\"%s\") in the header or synonyms of %s",
					path, rec->line, c + 1, p + 1, rec->fields[p], c + 1, rec->fields[c], f->name,
					f->header, s->header_rows, rec->fields[p], f->name);
			}
	free(whole);
	free(last);
	return r;
}

int hfind_take(const hfind *h, const csvin_record *rec, const char *path, rowcheck *rc, manifest *m,
	       char *why, size_t whylen)
{
	const cfg_source *s = h->s;
	size_t ncols = rec->nfields;
	colmap *map = xcalloc(ncols ? ncols : 1, sizeof *map);
	char **header = xcalloc(ncols ? ncols : 1, sizeof *header);
	int *fields = xcalloc(ncols ? ncols : 1, sizeof *fields);

	if (column_fields(h, rec, path, fields, why, whylen)) {
		free(map);
		free(header);
		free(fields);
		return 1;
	}
	for (size_t c = 0; c < ncols; c++) {
		size_t len = rec->lens[c];
		const char *t = val_trim(rec->fields[c], &len);
		int fi = fields[c];
		header[c] = xstrndup(t, len);
		if (fi < 0)
			continue;
		for (size_t p = 0; p < c; p++)
			if (map[p].field == &s->fields[fi]) {
				log_warning("%s:%ld:%zu: column \"%s\" is a second %s column; the one in column %zu is used",
					    path, rec->line, c + 1, header[c], s->fields[fi].name, p + 1);
				fi = -1;
				break;
			}
		if (fi >= 0)
			map[c].field = &s->fields[fi];
	}
	free(fields);
	rowcheck_set_columns(rc, ncols, map, header);
	note_coverage(h, rc, m);
	rowcheck_write_header(rc);
	return 0;
}

void hfind_note(hfind *h, const csvin_record *rec)
{
	int score = 0;
	size_t n = strlen(h->widths), k;

	if (n + 16 < sizeof h->widths) {
		snprintf(h->widths + n, sizeof h->widths - n, "%s%zu", n ? ", " : "", rec->nfields);
		h->nwidths++;
	}
	for (size_t c = 0; c < rec->nfields; c++)
		score += hfind_match_col(h, rec, c, NULL) >= 0;
	score = score * 1000 + (int)(rec->nfields > 999 ? 999 : rec->nfields);
	if (score <= h->found_score)
		return;
	h->found_score = score;
	/* Cells are data (a first row of student numbers and names): said by
	 * their configured column names only. */
	n = (size_t)snprintf(h->found, sizeof h->found, "line %ld (%zu columns) has", rec->line, rec->nfields);
	k = 0;
	for (size_t c = 0; c < rec->nfields && n < sizeof h->found; c++) {
		int fi = hfind_match_col(h, rec, c, NULL);
		if (fi >= 0)
			n += (size_t)snprintf(h->found + n, sizeof h->found - n, "%s %s", k++ ? "," : " the known columns:",
					      h->s->fields[fi].header);
	}
	if (!k && n < sizeof h->found)
		snprintf(h->found + n, sizeof h->found - n, " none of the known columns");
}

void hfind_explain(const hfind *h, const char *path, char *err, size_t errlen)
{
	const cfg_source *s = h->s;
	str b = STR_INIT;

	str_addf(&b, "%s: no header row with the required columns in the first %d rows", path, s->header_scan);
	str_add(&b, "\ndetail: expected columns:");
	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].required)
			str_addf(&b, " %s", s->fields[i].header);
	if (h->nwidths)
		str_addf(&b, "\ndetail: the first %d row%s ha%s %s column%s", h->nwidths, h->nwidths == 1 ? "" : "s",
			 h->nwidths == 1 ? "s" : "ve", h->widths,
			 h->nwidths == 1 && strcmp(h->widths, "1") == 0 ? "" : "s");
	if (h->found[0])
		str_addf(&b, "\ndetail: %s", h->found);
	str_addf(&b, "\nhint: add the export's column titles as synonyms of its fields in an overlay of source "
		 "\"%s\" (overlay: sources: %s: fields: ...; see vqr-catalog(5))", s->name, s->name);
	err_set(err, errlen, "%s", str_cstr(&b));
	str_free(&b);
}
