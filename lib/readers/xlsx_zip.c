/*
 * xlsx_zip.c - the .xlsx reader's zip side (xlsx_int.h): zip entries read
 * raw and inflated here (counted, CRC-checked, bounded), the inflater
 * thread of the sheet, whole small parts parsed with expat, and the
 * package relationships.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/readers/xlsx_int.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/thread.h"


/* "path: message" into x->err (err_set's convention); -1. */
int xl_fail(xlsx *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(x->err, sizeof x->err, fmt, ap);
	va_end(ap);
	return err_prefix(x->err, sizeof x->err, "%s", x->path);
}

/* An error inside an expat handler: keep the first, stop the parser. */
void xl_herr(xlsx *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->herr_set) {
		va_start(ap, fmt);
		vsnprintf(x->herr, sizeof x->herr, fmt, ap);
		va_end(ap);
		x->herr_set = 1;
	}
	if (x->p)
		XML_StopParser(x->p, XML_FALSE);
}

/* The local part of an element or attribute name. */
const char *xl_local(const XML_Char *n)
{
	const char *p = strrchr(n, ':');

	return p ? p + 1 : n;
}

/* The value of the attribute with local name `name`, or NULL. */
const char *xl_attr(const XML_Char **a, const char *name)
{
	for (; a[0]; a += 2)
		if (strcmp(xl_local(a[0]), name) == 0)
			return a[1];
	return NULL;
}

int xl_ascii_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
		char cb = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;

		if (ca != cb)
			return 0;
	}
	return *a == *b;
}

/* Does s end with suffix? */
int xl_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* "1", "true" (xsd:boolean). */
int xl_xml_true(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

/* ---- zip entries ------------------------------------------------------ */

void xl_zent_close(xlsx *x)
{
	if (x->z.zinit)
		inflateEnd(&x->z.zs);
	if (x->z.open)
		unzCloseCurrentFile(x->uf);
	x->z.zinit = x->z.open = 0;
}

/* Refuse an entry of `size` bytes from `comp` compressed ones when it
 * breaks a limit.  0 or -1 (x->err). */
static int check_bomb(xlsx *x, const char *name, unsigned long long size,
		      unsigned long long comp)
{
	double ratio = (double)size / (double)(comp ? comp : 1);
	unsigned long long limit = 0;

	if (size > x->max_uncomp)
		limit = x->max_uncomp;
	else if (size > (unsigned long long)XLSX_RATIO_FLOOR && ratio > x->max_ratio)
		limit = (unsigned long long)(x->max_ratio * (double)(comp ? comp : 1));
	if (!limit)
		return 0;
	return xl_fail(x, "%s expands to more than %llu bytes (ratio %.0f): refusing a possible "
		    "decompression bomb (limits: %llu bytes, ratio %.0f)", name, limit, ratio,
		    x->max_uncomp, x->max_ratio);
}

/* Is the entry name e the part name `name`, but for ASCII case and '\\'
 * written for '/' (as some Windows tools write them)? */
static int same_part(const char *e, const char *name)
{
	for (; *e && *name; e++, name++) {
		int a = *e == '\\' ? '/' : (unsigned char)*e, b = (unsigned char)*name;

		if (a != b && !(a < 128 && b < 128 && (a | 0x20) == (b | 0x20) &&
				(a | 0x20) >= 'a' && (a | 0x20) <= 'z'))
			return 0;
	}
	return *e == *name;
}

/* Make the entry named `name` with backslashes the current one: 0, or -1
 * when there is none. */
static int locate_backslashed(xlsx *x, const char *name)
{
	char e[XLSX_PATH];
	int rc;

	for (rc = unzGoToFirstFile(x->uf); rc == UNZ_OK; rc = unzGoToNextFile(x->uf)) {
		if (unzGetCurrentFileInfo64(x->uf, NULL, e, sizeof e, NULL, 0, NULL, 0) != UNZ_OK)
			return -1;
		if (strchr(e, '\\') && same_part(e, name))
			return 0;
	}
	return -1;
}

/*
 * Open entry `name` (case-insensitive; '\\' in an entry's name reads as
 * '/').  Returns 1 when open, 0 when the archive has no such entry, -1 on
 * error (x->err).
 */
int xl_zent_open(xlsx *x, const char *name)
{
	unz_file_info64 fi;
	int method = 0, level = 0, rc;
	zent *z = &x->z;

	xl_zent_close(x);
	memset(z, 0, sizeof *z);
	snprintf(z->name, sizeof z->name, "%s", name);
	if (unzLocateFile(x->uf, name, 2) != UNZ_OK && locate_backslashed(x, name) < 0)
		return 0;
	if (unzGetCurrentFileInfo64(x->uf, &fi, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
		return xl_fail(x, "%s: corrupt zip directory entry", name);
	if (fi.flag & 1)
		return xl_fail(x, "%s is encrypted: password-protected workbooks are not supported", name);
	if (fi.compression_method != 0 && fi.compression_method != Z_DEFLATED)
		return xl_fail(x, "%s uses zip compression method %lu: only stored and deflated "
			    "entries are supported", name, fi.compression_method);
	if (fi.compression_method == 0 && fi.compressed_size != fi.uncompressed_size)
		return xl_fail(x, "%s: corrupt zip directory entry (stored entry with two sizes)", name);
	if (check_bomb(x, name, fi.uncompressed_size, fi.compressed_size) < 0)
		return -1;
	z->method = (int)fi.compression_method;
	z->want_crc = fi.crc;
	z->want_size = fi.uncompressed_size;
	z->comp_size = fi.compressed_size;
	z->crc = crc32(0L, Z_NULL, 0);
	rc = unzOpenCurrentFile2(x->uf, &method, &level, 1);
	if (rc != UNZ_OK)
		return xl_fail(x, "%s: corrupt zip entry (bad local header)", name);
	z->open = 1;
	if (z->method == Z_DEFLATED) {
		if (inflateInit2(&z->zs, -MAX_WBITS) != Z_OK)
			return xl_fail(x, "%s: out of memory", name);
		z->zinit = 1;
	}
	return 1;
}

/* The entry's end: size and CRC must be the declared ones. */
static int zent_finish(xlsx *x)
{
	zent *z = &x->z;

	if (z->out != z->want_size)
		return xl_fail(x, "%s is corrupt or truncated: it inflates to %llu bytes, the archive "
			    "says %llu", z->name, z->out, z->want_size);
	if (z->crc != z->want_crc)
		return xl_fail(x, "%s is corrupt: CRC error (CRC-32 %08lx, the archive says %08lx)",
			    z->name, z->crc, z->want_crc);
	z->done = 1;
	return 0;
}

/* Count n more inflated bytes (at buf). */
static int zent_count(xlsx *x, const unsigned char *buf, size_t n)
{
	zent *z = &x->z;

	z->out += n;
	z->crc = crc32(z->crc, buf, (uInt)n);
	if (z->out > z->want_size)
		return xl_fail(x, "%s expands to more than its declared %llu bytes: refusing a "
			    "possible decompression bomb", z->name, z->want_size);
	/* implied by the declared size passing check_bomb; kept in case a
	 * declared size is ever not checked first */
	if (z->out > x->max_uncomp ||
	    (z->out > (unsigned long long)XLSX_RATIO_FLOOR &&
	     (double)z->out / (double)(z->comp_size ? z->comp_size : 1) > x->max_ratio))
		return check_bomb(x, z->name, z->out, z->comp_size);
	return 0;
}

/*
 * Read up to len (<= INT_MAX) inflated bytes of the open entry into buf.
 * Returns the count, 0 at the end (size and CRC checked), -1 on error.
 */
long xl_zent_read(xlsx *x, unsigned char *buf, size_t len)
{
	zent *z = &x->z;
	int n, rc = Z_OK;
	size_t got;

	if (z->done)
		return 0;
	if (z->method == 0) {
		n = unzReadCurrentFile(x->uf, buf, (unsigned)len);
		if (n < 0)
			return xl_fail(x, "%s: read error (truncated or corrupt zip file)", z->name);
		if (n == 0)
			return zent_finish(x);
		if (zent_count(x, buf, (size_t)n) < 0)
			return -1;
		return n;
	}
	z->zs.next_out = buf;
	z->zs.avail_out = (uInt)len;
	while (z->zs.avail_out == len) {
		if (z->zs.avail_in == 0 && !z->in_eof) {
			n = unzReadCurrentFile(x->uf, x->zin, XLSX_ZIN);
			if (n < 0)
				return xl_fail(x, "%s: read error (truncated or corrupt zip file)", z->name);
			if (n == 0)
				z->in_eof = 1;
			z->zs.next_in = x->zin;
			z->zs.avail_in = (uInt)n;
		}
		rc = inflate(&z->zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc == Z_BUF_ERROR && z->in_eof && z->zs.avail_in == 0)
			return xl_fail(x, "%s is truncated: the compressed data ends early", z->name);
		if (rc == Z_MEM_ERROR)
			return xl_fail(x, "%s: out of memory", z->name);
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return xl_fail(x, "%s is corrupt: %s", z->name,
				    z->zs.msg ? z->zs.msg : "bad compressed data");
	}
	got = len - z->zs.avail_out;
	if (got > 0 && zent_count(x, buf, got) < 0)
		return -1;
	if (rc == Z_STREAM_END) {
		if (zent_finish(x) < 0)
			return -1;
	}
	return (long)got;
}

/* ---- the inflater thread ---------------------------------------------- */

/* Inflate the sheet's entry into the ring until its end, an error or a
 * stop request. */
static void *inflater(void *arg)
{
	xlsx *x = arg;

	for (;;) {
		size_t slot;
		long n;

		pthread_mutex_lock(&x->mu);
		if (x->rcount == XLSX_RING) {
			/* full: sleep until half of it is parsed (one wake-up
			 * per XLSX_RING / 2 buffers, not one per buffer) */
			while (x->rcount > XLSX_RING / 2 && !x->rstop) {
				x->pwait = 1;
				pthread_cond_wait(&x->cv, &x->mu);
			}
			x->pwait = 0;
		}
		if (x->rstop) {
			pthread_mutex_unlock(&x->mu);
			break;
		}
		slot = x->rhead % XLSX_RING;
		pthread_mutex_unlock(&x->mu);
		n = xl_zent_read(x, x->ring[slot], XLSX_CHUNK);
		pthread_mutex_lock(&x->mu);
		x->ring_len[slot] = n;
		x->rhead++;
		x->rcount++;
		if (x->cwait)
			pthread_cond_broadcast(&x->cv);
		pthread_mutex_unlock(&x->mu);
		if (n <= 0)
			break;
	}
	pthread_mutex_lock(&x->mu);
	x->ended = 1;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	return NULL;
}

/* Start the inflater on the open sheet entry; on any failure xlsx_next
 * inflates itself. */
void xl_start_inflater(xlsx *x)
{
	for (int i = 0; i < XLSX_RING; i++)
		x->ring[i] = xmalloc(XLSX_CHUNK);
	if (thread_start(&x->th, &x->mu, &x->cv, inflater, x) == 0)
		x->inflating = 1;
}

/* End the inflater (if it runs) and wait for it; afterwards the zip state
 * is the caller's.  Buffers not parsed are dropped; an error among them
 * sets zfailed. */
void xl_stop_inflater(xlsx *x)
{
	if (!x->inflating)
		return;
	pthread_mutex_lock(&x->mu);
	x->rstop = 1;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	pthread_join(x->th, NULL);
	if (!x->shared) {
		pthread_cond_destroy(&x->cv);
		pthread_mutex_destroy(&x->mu);
	}
	x->inflating = 0;
	for (size_t k = x->rtail; k < x->rhead; k++)
		if (x->ring_len[k % XLSX_RING] < 0)
			x->zfailed = 1;
}

/* The next inflated buffer, in order (waits for it): its length (0 at
 * the end, -1 on an error in x->err); *buf until release_chunk. */
long xl_take_chunk(xlsx *x, unsigned char **buf)
{
	xlsx *r = x->src ? x->src : x;         /* whose ring */
	size_t *tail = x->src ? &r->rtail2 : &r->rtail;
	long n;

	pthread_mutex_lock(&r->mu);
	while (r->rhead == *tail && !r->ended) {
		r->cwait++;
		pthread_cond_wait(&r->cv, &r->mu);
		r->cwait--;
	}
	if (r->rhead == *tail) {
		/* stopped before the end (only when the ring is shared) */
		pthread_mutex_unlock(&r->mu);
		return -2;
	}
	*buf = r->ring[*tail % XLSX_RING];
	n = r->ring_len[*tail % XLSX_RING];
	pthread_mutex_unlock(&r->mu);
	return n;
}

/* Give the buffer of take_chunk back to the inflater (which refills it
 * once every reader of the ring has given it back). */
void xl_release_chunk(xlsx *x)
{
	xlsx *r = x->src ? x->src : x;
	size_t lo;

	pthread_mutex_lock(&r->mu);
	if (x->src)
		r->rtail2++;
	else
		r->rtail++;
	lo = r->shared && r->rtail2 < r->rtail ? r->rtail2 : r->rtail;
	r->rcount = r->rhead - lo;
	if (r->pwait && r->rcount <= XLSX_RING / 2)
		pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/*
 * After an XML error: inflate the rest of the entry (within the limits) to
 * tell a damaged entry from bad XML.  Returns -1 with the entry's error in
 * x->err when it is damaged, else 0.
 */
int xl_zent_drain(xlsx *x)
{
	unsigned char *scratch;
	long n;

	if (x->src)
		return 0;       /* part 2 reads another reader's inflater */
	xl_stop_inflater(x);
	if (x->zfailed)
		return -1;
	if (!x->z.open || x->z.done || !(scratch = malloc(XLSX_CHUNK)))
		return 0;
	while ((n = xl_zent_read(x, scratch, XLSX_CHUNK)) > 0)
		;
	free(scratch);
	return n < 0 ? -1 : 0;
}

/* ---- whole parts ------------------------------------------------------ */

static void XMLCALL no_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	xl_herr(ud, "a DOCTYPE is not allowed in a workbook part");
}

/* Make a parser calling back with x; NULL when out of memory. */
XML_Parser xl_new_parser(xlsx *x, XML_StartElementHandler s, XML_EndElementHandler e,
			 XML_CharacterDataHandler c)
{
	XML_Parser p = XML_ParserCreate(NULL);

	if (!p)
		return NULL;
	XML_SetUserData(p, x);
	XML_SetElementHandler(p, s, e);
	XML_SetCharacterDataHandler(p, c);
	XML_SetStartDoctypeDeclHandler(p, no_doctype);
	return p;
}

/* An XML error of parser p in the open entry, as text in buf. */
void xl_xml_msg(xlsx *x, XML_Parser p, char *buf, size_t len)
{
	if (x->herr_set)
		err_set(buf, len, "%s: %s", x->z.name, x->herr);
	else
		err_set(buf, len, "%s: bad XML at line %lu, column %lu: %s", x->z.name,
			(unsigned long)XML_GetCurrentLineNumber(p),
			(unsigned long)XML_GetCurrentColumnNumber(p),
			XML_ErrorString(XML_GetErrorCode(p)));
}

/*
 * Parse the whole entry `name` with these handlers.  Returns 1 when
 * parsed, 0 when the archive has no such entry, -1 on error (x->err).
 */
int xl_parse_part(xlsx *x, const char *name, XML_StartElementHandler s,
		  XML_EndElementHandler e, XML_CharacterDataHandler c)
{
	XML_Parser p;
	int rc, fin = 0;
	long n;
	char msg[768];

	rc = xl_zent_open(x, name);
	if (rc <= 0)
		return rc;
	if (!(p = xl_new_parser(x, s, e, c)))
		return xl_fail(x, "out of memory");
	x->p = p;
	x->herr_set = 0;
	rc = 1;
	while (!fin) {
		void *buf = XML_GetBuffer(p, XLSX_CHUNK);

		if (!buf) {
			rc = xl_fail(x, "out of memory");
			break;
		}
		n = xl_zent_read(x, buf, XLSX_CHUNK);
		if (n < 0) {
			rc = -1;
			break;
		}
		fin = n == 0;
		if (XML_ParseBuffer(p, (int)n, fin) != XML_STATUS_OK) {
			xl_xml_msg(x, p, msg, sizeof msg);
			if (xl_zent_drain(x) == 0)
				xl_fail(x, "%s", msg);
			rc = -1;
			break;
		}
	}
	x->p = NULL;
	XML_ParserFree(p);
	xl_zent_close(x);
	return rc;
}

/* ---- relationships ---------------------------------------------------- */

void xl_free_rels(xlsx *x)
{
	for (size_t i = 0; i < x->nrels; i++) {
		free(x->rels[i].id);
		free(x->rels[i].type);
		free(x->rels[i].target);
	}
	x->nrels = 0;
}

void XMLCALL xl_rels_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	xlsx *x = ud;
	const char *id, *type, *target, *mode;
	rel *r;

	if (strcmp(xl_local(name), "Relationship") != 0)
		return;
	id = xl_attr(a, "Id");
	type = xl_attr(a, "Type");
	target = xl_attr(a, "Target");
	mode = xl_attr(a, "TargetMode");
	if (!id || !type || !target)
		return;
	xgrow((void **)&x->rels, &x->crels, x->nrels + 1, sizeof *x->rels);
	r = &x->rels[x->nrels];
	r->id = xstrdup(id);
	r->type = xstrdup(type);
	r->target = xstrdup(target);
	r->external = mode && strcmp(mode, "External") == 0;
	x->nrels++;
}

void XMLCALL xl_end_nothing(void *ud, const XML_Char *name)
{
	(void)ud;
	(void)name;
}

void XMLCALL xl_text_nothing(void *ud, const XML_Char *s, int len)
{
	(void)ud;
	(void)s;
	(void)len;
}

int xl_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The part name that `target` of the .rels of part `source` points to:
 * relative to source's folder, or from the root when it starts with '/';
 * "." and ".." resolved, %XX decoded.  0, or -1 when it does not fit or
 * climbs above the root.
 */
int xl_resolve(const char *source, const char *target, char *out, size_t outlen)
{
	char tmp[XLSX_PATH * 2];
	size_t n = 0, o = 0, seg;
	const char *slash, *p;

	if (target[0] != '/' && (slash = strrchr(source, '/'))) {
		n = (size_t)(slash - source) + 1;
		if (n >= sizeof tmp)
			return -1;
		memcpy(tmp, source, n);
	}
	for (p = target; *p; p++) {
		int c = (unsigned char)*p;

		if (c == '%' && xl_hexval(p[1]) >= 0 && xl_hexval(p[2]) >= 0) {
			c = xl_hexval(p[1]) * 16 + xl_hexval(p[2]);
			p += 2;
		}
		if (n + 1 >= sizeof tmp)
			return -1;
		tmp[n++] = (char)c;
	}
	tmp[n] = '\0';
	/* normalise the segments into out */
	for (p = tmp; *p; p += seg + (p[seg] == '/')) {
		seg = strcspn(p, "/");
		if (seg == 0 || (seg == 1 && p[0] == '.'))
			continue;
		if (seg == 2 && p[0] == '.' && p[1] == '.') {
			if (o == 0)
				return -1;
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;        /* the slash before the dropped segment */
			continue;
		}
		if (o + (o > 0) + seg + 1 > outlen)
			return -1;
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, p, seg);
		o += seg;
	}
	if (o == 0 || o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

/* The .rels part of part `source`: "xl/_rels/workbook.xml.rels". */
int xl_rels_name(const char *source, char *out, size_t outlen)
{
	const char *slash = strrchr(source, '/');
	int n;

	if (slash)
		n = snprintf(out, outlen, "%.*s/_rels/%s.rels", (int)(slash - source), source, slash + 1);
	else
		n = snprintf(out, outlen, "_rels/%s.rels", source);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* The first internal relationship whose Type ends with suffix, or NULL. */
const rel *xl_rel_by_type(const xlsx *x, const char *suffix)
{
	for (size_t i = 0; i < x->nrels; i++)
		if (!x->rels[i].external && xl_ends_with(x->rels[i].type, suffix))
			return &x->rels[i];
	return NULL;
}

const rel *xl_rel_by_id(const xlsx *x, const char *id)
{
	for (size_t i = 0; i < x->nrels; i++)
		if (strcmp(x->rels[i].id, id) == 0)
			return &x->rels[i];
	return NULL;
}
