/*
 * recq.c - read records ahead in a thread; see recq.h.
 *
 * A ring of RECQ_BATCHES batches.  The producer fills the batch at its
 * position with copies of the reader's records (field bytes, each with a
 * NUL, in one buffer; offsets and lengths in arrays; per record its
 * line, offsets and first field), marks it full and goes on with the
 * next one once the consumer has given that back.  The consumer reads a
 * full batch record by record and gives it back when it moves on.  One
 * mutex and one condition variable guard the `full` flags; everything
 * else of a batch belongs to whichever side holds it.
 */
#include "lib/readers/recq.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util/mem.h"

typedef struct rmeta {
	size_t nfields;         /* fields of the record */
	size_t first;           /* index of its first field in foff/flen */
	long line;              /* csvin_record.line */
	long long offset;       /* csvin_record.offset */
	long long raw_offset;   /* csvin_record.raw_offset */
} rmeta;

typedef struct batch {
	char *data;             /* field bytes, each field NUL-terminated */
	size_t used, cap;       /* bytes used, allocated */
	size_t *foff, *flen;    /* per field: offset in data, length */
	size_t nf, capf;        /* fields used, allocated */
	rmeta *recs;            /* the records */
	size_t nrec, caprec;    /* records used, allocated */
	int end;                /* the reader ended after these records */
	int rc;                 /* with this (0 or -1) */
	int full;               /* handed to the consumer (guarded by mu) */
} batch;

struct recq {
	recq_next_fn next;      /* the reader's next */
	recq_error_fn error;    /* its error message */
	void *reader;           /* the reader */
	pthread_t th;           /* the producer */
	pthread_mutex_t mu;     /* guards the batches' full flags */
	pthread_cond_t cv;      /* signals a change of a full flag or of quit */
	atomic_int quit;        /* recq_stop asked the producer to stop */
	batch b[RECQ_BATCHES];  /* the ring */
	size_t cur;             /* consumer: batch it reads */
	int have;               /* consumer: it holds b[cur] */
	size_t pos;             /* consumer: next record of b[cur] */
	int done;               /* consumer: the end was reached */
	int rc;                 /* consumer: with this */
	char **fields;          /* consumer: the current record's field pointers */
	size_t capfields;       /* allocated */
	csvin_record rec;       /* consumer: the current record */
	char err[1024];         /* the reader's message (written by the producer before it marks the end) */
};

/* Does each field of rec follow the one before, after its NUL (as the
 * CSV reader's arena holds them)? */
static int contiguous(const csvin_record *rec)
{
	for (size_t i = 1; i < rec->nfields; i++)
		if (rec->fields[i] != rec->fields[i - 1] + rec->lens[i - 1] + 1)
			return 0;
	return rec->nfields > 0;
}

/* Copy rec into b; -1 when out of memory. */
static int add(batch *b, const csvin_record *rec)
{
	size_t need = rec->nfields;

	for (size_t i = 0; i < rec->nfields; i++)
		need += rec->lens[i];
	if (b->used + need > b->cap) {
		size_t nc = b->cap ? b->cap : RECQ_BATCH_BYTES + 4096;
		while (nc < b->used + need)
			nc *= 2;
		char *nd = realloc(b->data, nc);
		if (!nd)
			return -1;
		b->data = nd;
		b->cap = nc;
	}
	if (b->nf + rec->nfields > b->capf) {
		size_t nc = b->capf ? b->capf : 1024;
		while (nc < b->nf + rec->nfields)
			nc *= 2;
		size_t *no = realloc(b->foff, nc * sizeof *no);
		if (!no)
			return -1;
		b->foff = no;
		size_t *nl = realloc(b->flen, nc * sizeof *nl);
		if (!nl)
			return -1;
		b->flen = nl;
		b->capf = nc;
	}
	if (b->nrec == b->caprec) {
		size_t nc = b->caprec ? 2 * b->caprec : 128;
		rmeta *nr = realloc(b->recs, nc * sizeof *nr);
		if (!nr)
			return -1;
		b->recs = nr;
		b->caprec = nc;
	}
	b->recs[b->nrec++] = (rmeta){ rec->nfields, b->nf, rec->line, rec->offset, rec->raw_offset };
	if (contiguous(rec)) {
		/* the fields follow each other, each with its NUL: one copy */
		const char *f0 = rec->fields[0];

		memcpy(b->data + b->used, f0, need);
		for (size_t i = 0; i < rec->nfields; i++) {
			b->foff[b->nf] = b->used + (size_t)(rec->fields[i] - f0);
			b->flen[b->nf++] = rec->lens[i];
		}
		b->used += need;
		return 0;
	}
	for (size_t i = 0; i < rec->nfields; i++) {
		size_t len = rec->lens[i];
		memcpy(b->data + b->used, rec->fields[i], len);
		b->data[b->used + len] = '\0';
		b->foff[b->nf] = b->used;
		b->flen[b->nf++] = len;
		b->used += len + 1;
	}
	return 0;
}

static void *producer(void *arg)
{
	recq *q = arg;
	size_t w = 0;

	for (;;) {
		batch *b = &q->b[w];
		int stop;

		pthread_mutex_lock(&q->mu);
		while (b->full && !atomic_load(&q->quit))
			pthread_cond_wait(&q->cv, &q->mu);
		stop = atomic_load(&q->quit);
		pthread_mutex_unlock(&q->mu);
		if (stop)
			return NULL;
		b->used = b->nf = b->nrec = 0;
		b->end = 0;
		while (b->used < RECQ_BATCH_BYTES && !atomic_load_explicit(&q->quit, memory_order_relaxed)) {
			const csvin_record *rec;
			int r = q->next(q->reader, &rec);
			if (r <= 0) {
				b->end = 1;
				b->rc = r < 0 ? -1 : 0;
				if (r < 0)
					snprintf(q->err, sizeof q->err, "%s", q->error(q->reader));
				break;
			}
			if (add(b, rec) < 0) {
				b->end = 1;
				b->rc = -1;
				snprintf(q->err, sizeof q->err, "out of memory reading ahead (line %ld)", rec->line);
				break;
			}
			if (rec->nfields == 0)
				break;  /* a marker: the consumer may be waiting for it */
		}
		pthread_mutex_lock(&q->mu);
		b->full = 1;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		if (b->end)
			return NULL;
		w = (w + 1) % RECQ_BATCHES;
	}
}

recq *recq_start(recq_next_fn next, recq_error_fn error, void *reader, char *err, size_t errlen)
{
	recq *q = xcalloc(1, sizeof *q);

	q->next = next;
	q->error = error;
	q->reader = reader;
	atomic_init(&q->quit, 0);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (pthread_create(&q->th, NULL, producer, q) != 0) {
		snprintf(err, errlen, "cannot start a reader thread");
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->cv);
		free(q);
		return NULL;
	}
	return q;
}

int recq_next(recq *q, const csvin_record **rec)
{
	if (q->done)
		return q->rc;
	for (;;) {
		batch *b = &q->b[q->cur];
		if (!q->have) {
			pthread_mutex_lock(&q->mu);
			while (!b->full)
				pthread_cond_wait(&q->cv, &q->mu);
			pthread_mutex_unlock(&q->mu);
			q->have = 1;
			q->pos = 0;
		}
		if (q->pos < b->nrec) {
			const rmeta *m = &b->recs[q->pos++];
			if (m->nfields > q->capfields) {
				size_t nc = q->capfields ? 2 * q->capfields : 64;
				while (nc < m->nfields)
					nc *= 2;
				char **nf = realloc(q->fields, nc * sizeof *nf);
				if (!nf) {
					snprintf(q->err, sizeof q->err, "out of memory reading ahead (line %ld)", m->line);
					q->done = 1;
					return q->rc = -1;
				}
				q->fields = nf;
				q->capfields = nc;
			}
			for (size_t i = 0; i < m->nfields; i++)
				q->fields[i] = b->data + b->foff[m->first + i];
			q->rec.nfields = m->nfields;
			q->rec.fields = q->fields;
			q->rec.lens = b->flen ? b->flen + m->first : NULL; /* NULL: no field yet */
			q->rec.line = m->line;
			q->rec.offset = m->offset;
			q->rec.raw_offset = m->raw_offset;
			*rec = &q->rec;
			return 1;
		}
		if (b->end) {
			q->done = 1;
			return q->rc = b->rc;
		}
		/* give b back, go on with the next */
		pthread_mutex_lock(&q->mu);
		b->full = 0;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		q->have = 0;
		q->cur = (q->cur + 1) % RECQ_BATCHES;
	}
}

const char *recq_error(const recq *q)
{
	return q->rc < 0 ? q->err : "";
}

void recq_stop(recq *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	atomic_store(&q->quit, 1);
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->th, NULL);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	for (size_t i = 0; i < RECQ_BATCHES; i++) {
		free(q->b[i].data);
		free(q->b[i].foff);
		free(q->b[i].flen);
		free(q->b[i].recs);
	}
	free(q->fields);
	free(q);
}
