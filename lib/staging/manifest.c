/*
 * manifest.c - read and write staging manifests with libyaml; see
 * manifest.h.  The file is a flat mapping of scalars and lists of
 * scalars (periods, column coverage, skipped indicators); unknown keys are ignored when reading, so newer stages can
 * add keys without breaking older readers.
 */
#include "lib/staging/manifest.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "lib/util/err.h"
#include "lib/util/mem.h"

enum kind { STR, NUM, STATUS };

struct key {
	const char *name;
	enum kind kind;
	size_t off;
};

#define S(f) { #f, STR, offsetof(manifest, f) }
#define N(f) { #f, NUM, offsetof(manifest, f) }
#define ST(f) { #f, STATUS, offsetof(manifest, f) }
static const struct key keys[] = {
	ST(status), S(reason), S(school), S(source), S(file), S(file_name), S(sheet), S(sha256), N(size),
	S(encoding), S(delimiter), N(header_line), N(rows_read), N(rows_loaded),
	N(rows_staged), N(rows_rejected), N(rows_skipped), N(extract_ms), N(transform_ms), N(indicators),
};
#undef S
#undef N
#undef ST
#define NKEYS (sizeof keys / sizeof keys[0])

/* The lists beside periods, written only when not empty. */
#define L(f) { #f, offsetof(manifest, f) }
static const struct lkey {
	const char *name;
	size_t off;
} lkeys[] = {
	L(unmapped), L(unmapped_hint), L(missing), L(skipped), L(skipped_field), L(skipped_why), L(sheets), L(unmatched_sheets),
};
#undef L
#define NLKEYS (sizeof lkeys / sizeof lkeys[0])

static manifest_list *list_at(const manifest *m, size_t i)
{
	return (manifest_list *)((char *)m + lkeys[i].off);
}

void manifest_list_clear(manifest_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void manifest_list_add(manifest_list *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
}


/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if none. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Emit s as a scalar.  Bytes that are not UTF-8 (a reason may quote cells
 * of a file in another encoding) become U+FFFD: libyaml's emitter does not
 * return on invalid UTF-8. */
static int emit_scalar(yaml_emitter_t *e, const char *s)
{
	yaml_event_t ev;
	size_t n = strlen(s), o = 0;
	char *clean = xmalloc(3 * n + 1);
	int ok;

	for (size_t i = 0; i < n;) {
		size_t k = utf8_len((const unsigned char *)s + i, n - i);
		if (k) {
			memcpy(clean + o, s + i, k);
			o += k;
			i += k;
		} else {
			memcpy(clean + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	clean[o] = '\0';
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)clean, (int)o, 1, 1, YAML_ANY_SCALAR_STYLE);
	ok = yaml_emitter_emit(e, &ev);
	free(clean);
	return ok;
}

static int emit_list(yaml_emitter_t *e, const char *name, char *const *v, size_t n)
{
	yaml_event_t ev;
	int ok = emit_scalar(e, name);
	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_FLOW_SEQUENCE_STYLE);
	ok = ok && yaml_emitter_emit(e, &ev);
	for (size_t i = 0; ok && i < n; i++)
		ok = emit_scalar(e, v[i]);
	yaml_sequence_end_event_initialize(&ev);
	return ok && yaml_emitter_emit(e, &ev);
}

static int write_handler(void *data, unsigned char *buf, size_t size)
{
	return fwrite(buf, 1, size, data) == size;
}

int manifest_write(const char *path, const manifest *m, char *err, size_t errlen)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f;
	int ok = 1;

	f = fopen(tmp, "w");
	if (!f) {
		err_set(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	yaml_emitter_initialize(&e);
	yaml_emitter_set_output(&e, write_handler, f);
	yaml_emitter_set_unicode(&e, 1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ok &= yaml_emitter_emit(&e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	ok &= yaml_emitter_emit(&e, &ev);
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	ok &= yaml_emitter_emit(&e, &ev);
	for (size_t i = 0; ok && i < NKEYS; i++) {
		const char *base = (const char *)m;
		if (keys[i].kind == STR) {
			const char *v = *(char *const *)(base + keys[i].off);
			if (!v)
				continue;
			ok &= emit_scalar(&e, keys[i].name) && emit_scalar(&e, v);
		} else if (keys[i].kind == STATUS) {
			manifest_status st = *(const manifest_status *)(base + keys[i].off);
			if (st != MANIFEST_NONE)
				ok &= emit_scalar(&e, keys[i].name) && emit_scalar(&e, manifest_status_name(st));
		} else {
			char num[32];
			snprintf(num, sizeof num, "%lld", *(const long long *)(base + keys[i].off));
			ok &= emit_scalar(&e, keys[i].name) && emit_scalar(&e, num);
		}
	}
	ok = ok && emit_list(&e, "periods", m->periods, m->nperiods);
	for (size_t i = 0; ok && i < NLKEYS; i++) {
		const manifest_list *l = list_at(m, i);
		if (l->n)
			ok = emit_list(&e, lkeys[i].name, l->v, l->n);
	}
	yaml_mapping_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_document_end_event_initialize(&ev, 1);
	ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_stream_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&e, &ev);
	ok = ok && yaml_emitter_flush(&e);
	yaml_emitter_delete(&e);
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0)
		ok = 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) < 0) {
		err_set(err, errlen, "%s: cannot write: %s", tmp, errno ? strerror(errno) : "YAML emitter error");
		unlink(tmp);
		ok = 0;
	}
	free(tmp);
	return ok ? 0 : -1;
}

/* Parse the YAML file path into doc.  0, or -1 with err set. */
static int load_doc(const char *path, yaml_document_t *doc, char *err, size_t errlen)
{
	yaml_parser_t p;
	FILE *f = fopen(path, "rb");
	int ok;

	if (!f)
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	if (!(ok = yaml_parser_load(&p, doc)))
		err_set(err, errlen, "%s:%zu:%zu: %s", path, p.problem_mark.line + 1, p.problem_mark.column + 1,
			p.problem ? p.problem : "YAML error");
	yaml_parser_delete(&p);
	fclose(f);
	return ok ? 0 : -1;
}

/* The scalars of sequence v, each added to l (or to the periods of m when
 * l is NULL). */
static void read_list(yaml_document_t *doc, yaml_node_t *v, manifest *m, manifest_list *l)
{
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *pn = yaml_document_get_node(doc, *it);
		const char *sv = (const char *)pn->data.scalar.value;
		if (pn->type != YAML_SCALAR_NODE)
			continue;
		if (l)
			manifest_list_add(l, sv);
		else
			manifest_add_period(m, sv);
	}
}

/* Set key k of m from scalar node v.  0, or -1 with err set (path names
 * the file). */
static int read_scalar(const char *path, const struct key *k, yaml_node_t *v, manifest *m, char *err,
		       size_t errlen)
{
	const char *sv = (const char *)v->data.scalar.value;
	char *base = (char *)m, *end;

	if (k->kind == STR) {
		char **dst = (char **)(base + k->off);
		free(*dst);
		*dst = xstrdup(sv);
	} else if (k->kind == STATUS) {
		manifest_status st = MANIFEST_NONE;
		for (int i = MANIFEST_OK; i <= MANIFEST_FAILED; i++)
			if (strcmp(sv, manifest_status_name((manifest_status)i)) == 0)
				st = (manifest_status)i;
		if (st == MANIFEST_NONE)
			return err_set(err, errlen, "%s:%zu:%zu: status must be ok, rejected or failed, not \"%s\"", path,
				       v->start_mark.line + 1, v->start_mark.column + 1, sv);
		*(manifest_status *)(base + k->off) = st;
	} else {
		errno = 0;
		*(long long *)(base + k->off) = strtoll(sv, &end, 10);
		if (errno || *end)
			return err_set(err, errlen, "%s:%zu:%zu: %s must be a whole number", path, v->start_mark.line + 1,
				       v->start_mark.column + 1, k->name);
	}
	return 0;
}

/* Read the value v of key name into m (unknown keys are ignored).  0, or
 * -1 with err set. */
static int read_pair(const char *path, yaml_document_t *doc, const char *name, yaml_node_t *v, manifest *m,
		     char *err, size_t errlen)
{
	if (v->type == YAML_SEQUENCE_NODE) {
		if (strcmp(name, "periods") == 0)
			read_list(doc, v, m, NULL);
		for (size_t i = 0; i < NLKEYS; i++)
			if (strcmp(name, lkeys[i].name) == 0)
				read_list(doc, v, m, list_at(m, i));
		return 0;
	}
	if (v->type != YAML_SCALAR_NODE)
		return 0;
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0 && read_scalar(path, &keys[i], v, m, err, errlen) < 0)
			return -1;
	return 0;
}

int manifest_read(const char *path, manifest *m, char *err, size_t errlen)
{
	yaml_document_t doc;
	yaml_node_t *root;
	int rc = 0;

	if (load_doc(path, &doc, err, errlen) < 0)
		return -1;
	root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		yaml_document_delete(&doc);
		return err_set(err, errlen, "%s:1:1: a manifest must be a mapping", path);
	}
	m->transform_ms = m->indicators = m->rows_staged = -1;
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; rc == 0 && pr < root->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
		if (k->type == YAML_SCALAR_NODE)
			rc = read_pair(path, &doc, (const char *)k->data.scalar.value,
				       yaml_document_get_node(&doc, pr->value), m, err, errlen);
	}
	yaml_document_delete(&doc);
	return rc;
}

const char *manifest_status_name(manifest_status st)
{
	static const char *const names[] = { "", "ok", "rejected", "failed" };

	return (unsigned)st < sizeof names / sizeof names[0] ? names[st] : "";
}

void manifest_clear(manifest *m)
{
	char *base = (char *)m;
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].kind == STR)
			free(*(char **)(base + keys[i].off));
	for (size_t i = 0; i < m->nperiods; i++)
		free(m->periods[i]);
	free(m->periods);
	for (size_t i = 0; i < NLKEYS; i++)
		manifest_list_clear(list_at(m, i));
	memset(m, 0, sizeof *m);
}

int manifest_add_period(manifest *m, const char *period)
{
	for (size_t i = 0; i < m->nperiods; i++)
		if (strcmp(m->periods[i], period) == 0)
			return 0;
	m->periods = xreallocarray(m->periods, m->nperiods + 1, sizeof *m->periods);
	m->periods[m->nperiods++] = xstrdup(period);
	return 0;
}
