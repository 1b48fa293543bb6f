/*
 * rows.c - COPY text files between stages; see rows.h.
 *
 * Output is assembled in a 256 KiB buffer and handed to zlib (gzwrite,
 * or transparent "T" mode for plain text) in large pieces; input is read
 * with gzread in 256 KiB pieces and split into lines in place, so neither
 * direction allocates per row.
 *
 * Compressed output is deflated by a second thread, so that compression
 * (about a quarter of an extract's time) overlaps the producer's work: the
 * writer has two buffers; a full one is handed to the compressor thread
 * while the caller fills the other.  Write errors of the thread come back
 * at the next hand-off or at rows_commit.  If the thread cannot be
 * started, the caller compresses itself.
 */
#include "lib/staging/rows.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/thread.h"

#define RBUF (256 * 1024)
#define RSLACK 16               /* bytes allocated past a reader's buffer: split_plain loads 16 at a time */

struct rows_writer {
	char *path;             /* final name */
	char *tmp;              /* name while writing */
	int fd;                 /* kept open for fsync */
	gzFile gz;              /* writer (transparent for level 0) */
	char *buf;              /* pending output */
	size_t len, cap;        /* bytes pending, buffer size */
	int nfield;             /* fields on the current line so far */
	int failed;             /* a write failed */
	int nosync;             /* rows_nosync: no fsync at commit */
	char why[256];          /* why it failed */

	int threaded;           /* a compressor thread runs (th, mu, cv valid) */
	pthread_t th;           /* the compressor thread */
	pthread_mutex_t mu;     /* guards the fields below */
	pthread_cond_t cv;      /* signals changes of busy and quit */
	char *spare;            /* the other buffer, filled by the caller next */
	size_t spare_cap;       /* its size */
	char *job;              /* buffer being compressed (busy) */
	size_t job_len;         /* its bytes */
	int busy;               /* job is handed to the thread, not written yet */
	int quit;               /* the thread is to end */
	int th_failed;          /* a gzwrite of the thread failed */
	char th_why[256];       /* why */
};

struct rows_reader {
	char *path;             /* for messages */
	gzFile gz;              /* input, when it is gzip (else NULL) */
	int plain;              /* not gzip: read(2) from fd straight into buf */
	char *buf;              /* read buffer */
	size_t start, end, cap; /* unread bytes are buf[start..end) */
	int eof;                /* gzread returned 0 */
	long lineno;            /* lines read */
	char **fields;          /* field pointers into buf */
	size_t *flen;           /* their lengths in bytes (0 for NULL) */
	int nfields, fcap;
	char err[512];          /* last error */
	/* rows_follow: the file may still be growing. */
	int follow;             /* 1 while the writer has not renamed it into place */
	int fd;                 /* the file (owned by gz when gz is set) */
	char *final;            /* the name it gets when complete */
};

/* Write a buffer through zlib; 0, or -1 with why. */
static int write_out(gzFile gz, const char *buf, size_t len, char *why, size_t whylen)
{
	if (len && gzwrite(gz, buf, (unsigned)len) != (int)len) {
		int zerr;
		const char *m = gzerror(gz, &zerr);
		snprintf(why, whylen, "%s", zerr == Z_ERRNO ? strerror(errno) : m);
		return -1;
	}
	return 0;
}

/* The compressor thread: write each handed-over buffer, until quit. */
static void *compressor(void *arg)
{
	rows_writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->busy && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->busy)
			break;
		pthread_mutex_unlock(&w->mu);
		{
			char why[256];
			int rc = w->th_failed ? 0 : write_out(w->gz, w->job, w->job_len, why, sizeof why);
			pthread_mutex_lock(&w->mu);
			if (rc < 0) {
				w->th_failed = 1;
				memcpy(w->th_why, why, sizeof why);
			}
		}
		w->busy = 0;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Wait until the thread has written what it was given; take over its
 * error.  Called by the producer only. */
static void wait_idle(rows_writer *w)
{
	pthread_mutex_lock(&w->mu);
	while (w->busy)
		pthread_cond_wait(&w->cv, &w->mu);
	if (w->th_failed && !w->failed) {
		w->failed = 1;
		memcpy(w->why, w->th_why, sizeof w->why);
	}
	pthread_mutex_unlock(&w->mu);
}

/* Stop the compressor thread (after it has written everything). */
static void stop_thread(rows_writer *w)
{
	if (!w->threaded)
		return;
	wait_idle(w);
	pthread_mutex_lock(&w->mu);
	w->quit = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	w->threaded = 0;
}

/* Start the compressor thread; on any failure the caller compresses. */
static void start_thread(rows_writer *w)
{
	w->spare = xmalloc(RBUF);
	w->spare_cap = RBUF;
	if (thread_start(&w->th, &w->mu, &w->cv, compressor, w) == 0)
		w->threaded = 1;
}

rows_writer *rows_create(const char *path, int level, char *err, size_t errlen)
{
	rows_writer *w = xcalloc(1, sizeof *w);
	char mode[8];

	w->path = xstrdup(path);
	w->tmp = xasprintf("%s.tmp", path);
	w->buf = xmalloc(RBUF);
	w->cap = RBUF;
	w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		err_set(err, errlen, "%s: %s", w->tmp, strerror(errno));
		goto fail;
	}
	if (level <= 0)
		snprintf(mode, sizeof mode, "wT");
	else
		snprintf(mode, sizeof mode, "wb%d", level > 9 ? 9 : level);
	w->gz = gzdopen(dup(w->fd), mode);
	if (!w->gz) {
		err_set(err, errlen, "%s: cannot start compression", w->tmp);
		close(w->fd);
		unlink(w->tmp);
		goto fail;
	}
	gzbuffer(w->gz, RBUF);
	if (level > 0)
		start_thread(w);
	return w;
fail:
	if (w)
		FREE_ALL(w->path, w->tmp, w->buf, w);
	return NULL;
}

static void flush_buf(rows_writer *w)
{
	if (w->threaded) {
		char *b;
		size_t c;

		wait_idle(w);
		if (w->len && !w->failed) {
			/* hand buf over, go on filling the spare */
			pthread_mutex_lock(&w->mu);
			w->job = w->buf;
			w->job_len = w->len;
			w->busy = 1;
			pthread_cond_broadcast(&w->cv);
			pthread_mutex_unlock(&w->mu);
			b = w->buf;
			c = w->cap;
			w->buf = w->spare;
			w->cap = w->spare_cap;
			w->spare = b;
			w->spare_cap = c;
		}
		w->len = 0;
		return;
	}
	if (w->len && !w->failed && write_out(w->gz, w->buf, w->len, w->why, sizeof w->why) < 0)
		w->failed = 1;
	w->len = 0;
}

/* need's slow path: flush, and grow for a piece larger than the buffer. */
static void __attribute__((noinline)) need_slow(rows_writer *w, size_t n)
{
	flush_buf(w);
	if (n > w->cap) {
		w->buf = xreallocarray(w->buf, n, 1);
		w->cap = n;
	}
}

/* Room for n more bytes in w->buf (unless w->failed). */
static inline void need(rows_writer *w, size_t n)
{
	if (w->len + n > w->cap)
		need_slow(w, n);
}

static inline void sep(rows_writer *w)
{
	if (w->nfield++) {
		need(w, 1);
		if (w->len < w->cap)
			w->buf[w->len++] = '\t';
	}
}

/* Does the 8-byte word hold a byte below 0x20 or a backslash? (COPY text
 * escapes only those; bytes >= 0x80 never match.) */
static int word_special(uint64_t v)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), high = UINT64_C(0x8080808080808080);
	uint64_t bs = v ^ (ones * '\\');

	return (((v - ones * 0x20) & ~v) | ((bs - ones) & ~bs)) & high ? 1 : 0;
}

/* Does s[0..len) hold a byte that word_special finds?  Whole words, the
 * last one overlapping the one before, so no byte outside s is read. */
static int has_special(const char *s, size_t len)
{
	uint64_t v = UINT64_C(0x4141414141414141);  /* "AAAAAAAA": nothing special */
	uint32_t a, b;

	if (len >= 8) {
		for (size_t i = 0; i + 8 < len; i += 8) {
			memcpy(&v, s + i, 8);
			if (word_special(v))
				return 1;
		}
		memcpy(&v, s + len - 8, 8);
		return word_special(v);
	}
	if (len >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + len - 4, 4);
		return word_special((uint64_t)a << 32 | b);
	}
	for (size_t i = 0; i < len; i++)
		v = v << 8 | (unsigned char)s[i];
	return word_special(v);
}

void rows_put(rows_writer *w, const char *s, size_t len)
{
	need(w, 2 * len + 1);
	if (w->failed)
		return;
	if (w->nfield++)
		w->buf[w->len++] = '\t';
	if (!has_special(s, len)) {
		/* the usual field: nothing to escape */
		memcpy(w->buf + w->len, s, len);
		w->len += len;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i], e = 0;
		switch (c) {
		case '\\': e = '\\'; break;
		case '\t': e = 't'; break;
		case '\n': e = 'n'; break;
		case '\r': e = 'r'; break;
		case '\b': e = 'b'; break;
		case '\f': e = 'f'; break;
		case '\v': e = 'v'; break;
		}
		if (e) {
			w->buf[w->len++] = '\\';
			w->buf[w->len++] = e;
		} else {
			w->buf[w->len++] = c;
		}
	}
}

void rows_put_null(rows_writer *w)
{
	need(w, 3);
	if (w->failed)
		return;
	if (w->nfield++)
		w->buf[w->len++] = '\t';
	w->buf[w->len++] = '\\';
	w->buf[w->len++] = 'N';
}

void rows_putf(rows_writer *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	sep(w);
	need(w, 128);
	if (w->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->cap - w->len) {
		w->failed = 1;
		err_set(w->why, sizeof w->why, "formatted field too long");
		return;
	}
	w->len += (size_t)n;
}

void rows_put_int(rows_writer *w, long long v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	char tmp[24];
	int n = (int)sizeof tmp;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	/* two digits a step, from the end (a line number per row) */
	while (u >= 100) {
		unsigned d = (unsigned)(u % 100) * 2;
		u /= 100;
		tmp[--n] = pairs[d + 1];
		tmp[--n] = pairs[d];
	}
	if (u >= 10) {
		tmp[--n] = pairs[u * 2 + 1];
		tmp[--n] = pairs[u * 2];
	} else {
		tmp[--n] = (char)('0' + u);
	}
	if (v < 0)
		tmp[--n] = '-';
	sep(w);
	need(w, sizeof tmp - (size_t)n);
	if (w->failed)
		return;
	memcpy(w->buf + w->len, tmp + n, sizeof tmp - (size_t)n);
	w->len += sizeof tmp - (size_t)n;
}

void rows_end(rows_writer *w)
{
	need(w, 1);
	if (!w->failed)
		w->buf[w->len++] = '\n';
	w->nfield = 0;
}

void rows_put_line(rows_writer *w, const char *line, size_t len)
{
	need(w, len + 1);
	if (w->failed)
		return;
	memcpy(w->buf + w->len, line, len);
	w->len += len;
	w->buf[w->len++] = '\n';
	w->nfield = 0;
}

void rows_nosync(rows_writer *w)
{
	w->nosync = 1;
}

static void writer_free(rows_writer *w)
{
	FREE_ALL(w->path, w->tmp, w->buf, w->spare, w);
}

int rows_commit(rows_writer *w, char *err, size_t errlen)
{
	int rc;

	flush_buf(w);
	stop_thread(w);
	rc = gzclose(w->gz);
	if (!w->failed && rc != Z_OK) {
		w->failed = 1;
		err_set(w->why, sizeof w->why, "%s",
			 rc == Z_ERRNO ? strerror(errno) : "compression failed");
	}
	if (!w->failed && !w->nosync && fsync(w->fd) < 0) {
		w->failed = 1;
		err_set(w->why, sizeof w->why, "fsync: %s", strerror(errno));
	}
	if (close(w->fd) < 0 && !w->failed) {
		w->failed = 1;
		err_set(w->why, sizeof w->why, "close: %s", strerror(errno));
	}
	if (!w->failed && rename(w->tmp, w->path) < 0) {
		w->failed = 1;
		err_set(w->why, sizeof w->why, "rename: %s", strerror(errno));
	}
	if (w->failed) {
		err_set(err, errlen, "%s: cannot write: %s", w->tmp, w->why);
		unlink(w->tmp);
		writer_free(w);
		return -1;
	}
	writer_free(w);
	return 0;
}

void rows_abort(rows_writer *w)
{
	if (!w)
		return;
	stop_thread(w);
	gzclose(w->gz);
	close(w->fd);
	unlink(w->tmp);
	writer_free(w);
}

/* Read r->fd as gzip (its first two bytes are gzip's magic) or as plain
 * text with read(2), which saves zlib's copy through its own buffer.  0,
 * or -1 with the reason in r->err. */
static int open_input(rows_reader *r)
{
	unsigned char magic[2];
	ssize_t n = pread(r->fd, magic, 2, 0);

	if (n < 0) {
		err_set(r->err, sizeof r->err, "%s", strerror(errno));
		return -1;
	}
	if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		if (!(r->gz = gzdopen(r->fd, "rb"))) {
			err_set(r->err, sizeof r->err, "cannot read");
			return -1;
		}
		gzbuffer(r->gz, RBUF);
	} else {
		r->plain = 1;
	}
	return 0;
}

/* Undo a reader that failed to open (r may be NULL). */
static void reader_drop(rows_reader *r)
{
	if (!r)
		return;
	if (r->fd > 0 && !r->gz)
		close(r->fd);
	FREE_ALL(r->path, r->final, r->buf, r);
}

rows_reader *rows_open(const char *path, char *err, size_t errlen)
{
	rows_reader *r = xcalloc(1, sizeof *r);

	r->path = xstrdup(path);
	r->buf = xmalloc(RBUF + RSLACK);
	r->cap = RBUF;
	if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (open_input(r) < 0) {
		err_set(err, errlen, "%s: %s", path, r->err);
		goto fail;
	}
	return r;
fail:
	reader_drop(r);
	return NULL;
}

/* The state of the file a follower reads: 0 when the writer has renamed
 * it into place (all of it is there), 1 when more may come (after a short
 * sleep), -1 with r->err when the writer gave up (removed it). */
static int follow_wait(rows_reader *r)
{
	struct stat a, b;
	struct timespec ts = { 0, 1000000 };

	if (fstat(r->fd, &a) < 0) {
		err_set(r->err, sizeof r->err, "%s: %s", r->path, strerror(errno));
		return -1;
	}
	if (stat(r->final, &b) == 0 && b.st_ino == a.st_ino && b.st_dev == a.st_dev)
		return 0;
	if (a.st_nlink == 0) {
		err_set(r->err, sizeof r->err, "%s:%ld: the writer gave up (the file was removed before it was complete)",
			 r->path, r->lineno + 1);
		return -1;
	}
	nanosleep(&ts, NULL);
	return 1;
}

rows_reader *rows_follow(const char *path, const char *stop, char *err, size_t errlen)
{
	rows_reader *r = xcalloc(1, sizeof *r);
	struct timespec ts = { 0, 2000000 };
	struct stat st;

	r->path = xasprintf("%s.tmp", path); /* holds path too, later */
	r->final = xstrdup(path);
	r->buf = xmalloc(RBUF + RSLACK);
	r->cap = RBUF;
	for (;;) {
		if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			strcpy(r->path, path);
			break;
		}
		if ((r->fd = open(r->path, O_RDONLY | O_CLOEXEC)) >= 0) {
			r->follow = 1;
			break;
		}
		if (stop && access(stop, F_OK) == 0 && access(path, F_OK) != 0) {
			err_set(err, errlen, "%s: not written (%s is there, the writer has stopped)", path, stop);
			goto fail;
		}
		nanosleep(&ts, NULL);
	}
	/* gzip's magic must be there before zlib looks for it. */
	while (r->follow && fstat(r->fd, &st) == 0 && st.st_size < 2) {
		int w = follow_wait(r);
		if (w < 0) {
			err_set(err, errlen, "%s", r->err);
			goto fail;
		}
		r->follow = w;
	}
	if (open_input(r) < 0) {
		err_set(err, errlen, "%s: %s", r->path, r->err);
		goto fail;
	}
	return r;
fail:
	reader_drop(r);
	return NULL;
}

/* Find the next line; NUL-terminate it.  NULL at EOF or on error. */
static char *next_line(rows_reader *r, size_t *len)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl) {
			char *line = r->buf + r->start;
			*len = (size_t)(nl - line);
			*nl = '\0';
			r->start = (size_t)(nl - r->buf) + 1;
			r->lineno++;
			return line;
		}
		if (r->eof) {
			if (r->start < r->end) {
				err_set(r->err, sizeof r->err, "%s:%ld: last line has no newline (file truncated?)",
					 r->path, r->lineno + 1);
			}
			return NULL;
		}
		/* Move the partial line to the front, grow if it fills the buffer. */
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		if (r->end == r->cap) {
			r->buf = xreallocarray(r->buf, r->cap * 2 + RSLACK, 1);
			r->cap *= 2;
		}
		ssize_t n;
		if (r->plain) {
			while ((n = read(r->fd, r->buf + r->end, r->cap - r->end)) < 0 && errno == EINTR)
				;
			if (n < 0) {
				err_set(r->err, sizeof r->err, "%s:%ld: %s", r->path, r->lineno + 1, strerror(errno));
				return NULL;
			}
		} else if ((n = gzread(r->gz, r->buf + r->end, (unsigned)(r->cap - r->end))) < 0) {
			int zerr;
			const char *m = gzerror(r->gz, &zerr);
			err_set(r->err, sizeof r->err, "%s:%ld: %s", r->path, r->lineno + 1,
				 zerr == Z_ERRNO ? strerror(errno) : m);
			return NULL;
		}
		if (n == 0 && r->follow) {
			int zerr = Z_OK, w;
			if (!r->plain)
				gzerror(r->gz, &zerr);
			if ((zerr == Z_OK || zerr == Z_BUF_ERROR) && (w = follow_wait(r)) >= 0) {
				/* More may come, or the writer just finished:
				 * read on (once more at least). */
				if (!r->plain)
					gzclearerr(r->gz);
				r->follow = w;
				continue;
			}
			if (r->err[0])
				return NULL;
		}
		if (n == 0) {
			int zerr = Z_OK;
			const char *m = r->plain ? "" : gzerror(r->gz, &zerr);
			if (zerr != Z_OK && zerr != Z_STREAM_END) {
				err_set(r->err, sizeof r->err, "%s:%ld: %s", r->path, r->lineno + 1,
					 zerr == Z_BUF_ERROR ? "unexpected end of compressed data" : m);
				return NULL;
			}
			r->eof = 1;
		}
		r->end += (size_t)n;
	}
}

const char *rows_next_raw(rows_reader *r, size_t *len)
{
	return next_line(r, len);
}

static char unescape_char(char c)
{
	switch (c) {
	case 't': return '\t';
	case 'n': return '\n';
	case 'r': return '\r';
	case 'b': return '\b';
	case 'f': return '\f';
	case 'v': return '\v';
	}
	return c;
}

static int grow_fields(rows_reader *r)
{
	int nc = r->fcap ? r->fcap * 2 : 64;

	r->fields = xreallocarray(r->fields, (size_t)nc, sizeof *r->fields);
	r->flen = xreallocarray(r->flen, (size_t)nc, sizeof *r->flen);
	r->fcap = nc;
	return 0;
}

/* One field of split_plain ends at p (a tab or the line's end): record
 * it, starting at *f, NULL when it is \N; -1 when out of memory. */
static inline int end_field(rows_reader *r, char **f, char *p, int *null)
{
	if (r->nfields == r->fcap && grow_fields(r) < 0)
		return -1;
	r->fields[r->nfields] = *null ? NULL : *f;
	r->flen[r->nfields++] = *null ? 0 : (size_t)(p - *f);
	*null = 0;
	*p = '\0';
	*f = p + 1;
	return 0;
}

/* A backslash at p: 1 when it starts a whole-field \N (field start f),
 * else 0 (another escape: the slow path unescapes the line). */
static inline int is_null_mark(const char *f, const char *p, const char *end)
{
	return p == f && p + 1 < end && p[1] == 'N' && (p + 2 == end || p[2] == '\t');
}

/* Put the tabs split_plain replaced before p back (the line as it was). */
static int unsplit(char *line, char *p)
{
	for (char *q = line; q < p; q++)
		if (*q == '\0')
			*q = '\t';
	return 0;
}

#if defined(__SSE2__)
/* Record field n of split_plain, from f to q (a tab or the line's end):
 * NULL when it is exactly \N (every backslash of a line split there is
 * one), chosen without a branch. */
static inline void put_field(rows_reader *r, int n, char *f, char *q)
{
	int null = (q - f == 2) & (f[0] == '\\');

	r->fields[n] = null ? NULL : f;
	r->flen[n] = null ? 0 : (size_t)(q - f);
}
#endif

/* Fast path of rows_next: split line in place at its tabs, as long as the
 * only backslashes are whole-field \N (NULL).  With SSE2 (every x86-64)
 * 16 bytes are classified a step and the tabs taken from the bit mask;
 * elsewhere a byte loop.  Returns 1 when done (r->fields and r->flen
 * set), 0 when the line has other escapes (the line is put back as it
 * was), -1 when out of memory (r->err). */
static int split_plain(rows_reader *r, char *line, size_t len)
{
	char *p = line, *end = line + len, *f = line;
#if defined(__SSE2__)
	const __m128i tab = _mm_set1_epi8('\t'), bsl = _mm_set1_epi8('\\');
	int n = 0;

	/* The last step reads up to 15 bytes past the line, inside the buffer
	 * (RSLACK), and ignores them.  A step first checks that each of its
	 * backslashes starts a whole-field \N (at the start f of the field
	 * being read, or just after a tab of this step): every backslash of
	 * the line is then one, so a field is NULL when it is exactly \N, and
	 * the tabs are taken without looking at what lies between them. */
	for (; p < end; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned mt = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, tab));
		unsigned mb = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, bsl));
		if (end - p < 16) {
			mt &= (1u << (end - p)) - 1;
			mb &= (1u << (end - p)) - 1;
		}
		for (; mb; mb &= mb - 1) {
			char *q = p + __builtin_ctz(mb);
			if (!(q == f || (q > p && q[-1] == '\t')) || !is_null_mark(q, q, end))
				return unsplit(line, q);
		}
		if (r->fcap - n < 17 && grow_fields(r) < 0)
			return -1;
		for (; mt; mt &= mt - 1) {
			char *q = p + __builtin_ctz(mt);
			put_field(r, n++, f, q);
			*q = '\0';
			f = q + 1;
		}
	}
	if (n == r->fcap && grow_fields(r) < 0)
		return -1;
	put_field(r, n++, f, end);
	r->nfields = n;
	return 1;
#else
	int null = 0;

	for (; p < end; p++) {
		if (*p == '\t') {
			if (end_field(r, &f, p, &null) < 0)
				return -1;
		} else if (*p == '\\') {
			if (!is_null_mark(f, p, end))
				return unsplit(line, p);
			null = 1;
		}
	}
	return end_field(r, &f, end, &null) < 0 ? -1 : 1;
#endif
}

int rows_next(rows_reader *r)
{
	size_t len;
	char *line = next_line(r, &len), *p, *out;

	if (!line)
		return r->err[0] ? -1 : 0;
	r->nfields = 0;
	if (split_plain(r, line, len) > 0)
		return r->nfields;
	if (r->err[0])
		return -1;
	r->nfields = 0;
	p = out = line;
	for (;;) {
		char *fstart = out;
		int isnull = 0;
		if (r->nfields == r->fcap && grow_fields(r) < 0)
			return -1;
		if (p[0] == '\\' && p[1] == 'N' && (p[2] == '\t' || p[2] == '\0')) {
			isnull = 1;
			p += 2;
		}
		while (*p && *p != '\t') {
			if (*p == '\\' && p[1]) {
				*out++ = unescape_char(p[1]);
				p += 2;
			} else {
				*out++ = *p++;
			}
		}
		r->fields[r->nfields] = isnull ? NULL : fstart;
		r->flen[r->nfields++] = isnull ? 0 : (size_t)(out - fstart);
		if (*p == '\0') {
			*out = '\0';
			break;
		}
		p++;
		*out++ = '\0';
	}
	return r->nfields;
}

const char *rows_field(const rows_reader *r, int i)
{
	return i < r->nfields ? r->fields[i] : NULL;
}

size_t rows_field_len(const rows_reader *r, int i)
{
	return i < r->nfields ? r->flen[i] : 0;
}

char *const *rows_fields(const rows_reader *r, const size_t **lens)
{
	*lens = r->flen;
	return r->fields;
}

long rows_lineno(const rows_reader *r) { return r->lineno; }
const char *rows_error(const rows_reader *r) { return r->err; }

void rows_close(rows_reader *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	else
		close(r->fd);
	FREE_ALL(r->final, r->fields, r->flen, r->buf, r->path, r);
}
