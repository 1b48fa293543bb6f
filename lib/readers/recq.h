/*
 * recq.h - read records ahead in a thread: a reader's records (csvin_next
 * or any function of that shape) are parsed by a producer thread into a
 * small ring of batches while the caller converts and writes the ones
 * before, so that parsing (decoding, UTF-8 validation, CSV splitting)
 * and the per-value work run on two cores.
 *
 * Usage:
 *     recq *q = recq_start(next_fn, error_fn, reader, err, sizeof err);
 *     while ((r = recq_next(q, &rec)) > 0)
 *         use rec (valid until the next recq_next or recq_stop);
 *     if (r < 0) report recq_error(q) (the reader's message);
 *     recq_stop(q);   before touching or closing the reader again
 *
 * The records come in the reader's order, with the same fields, lengths,
 * line numbers and offsets; the reader's own end (0) or error (-1, with
 * its message) comes after the records before it.  Memory is bounded:
 * RECQ_BATCHES batches of about RECQ_BATCH_BYTES each (a batch grows only
 * for a single record larger than that).  A record of no fields (a marker,
 * such as xlsxpar's end of a block) is handed over at once with the
 * records before it: a consumer that waits for it to switch readers would
 * otherwise wait for a batch that never fills.  256 KiB batches: at 64 KiB
 * the producer and the consumer woke each other four times as often
 * (1864 hand-offs for 1M rows), which cost 0.15 s of a 1.0 s run.
 */
#ifndef VQR_RECQ_H
#define VQR_RECQ_H

#include <stddef.h>

#include "lib/readers/csvin.h"

#define RECQ_BATCHES 4                  /* batches in the ring */
#define RECQ_BATCH_BYTES (256 * 1024)   /* field bytes a batch holds before it is handed over */

typedef struct recq recq;

/* The reader's next record: 1 with *rec, 0 at the end, -1 on error. */
typedef int (*recq_next_fn)(void *reader, const csvin_record **rec);
/* The reader's error message after -1. */
typedef const char *(*recq_error_fn)(void *reader);

/*
 * Start reading ahead from reader through next (called only from the
 * producer thread from now until recq_stop) and error.  Returns the
 * queue, owned by the caller (recq_stop), or NULL with the reason in err
 * (no thread).
 */
recq *recq_start(recq_next_fn next, recq_error_fn error, void *reader, char *err, size_t errlen);

/*
 * The next record: 1 and *rec (owned by q, valid until the next
 * recq_next or recq_stop), 0 at the reader's end, -1 at its error or when
 * q ran out of memory (recq_error says which).  After 0 or -1 every
 * further call returns the same.
 */
int recq_next(recq *q, const csvin_record **rec);

/* The message after -1 ("" before). Owned by q. */
const char *recq_error(const recq *q);

/* Stop the producer (it stops at its next record), wait for it and free q.
 * NULL is fine.  The reader is the caller's again afterwards. */
void recq_stop(recq *q);

#endif
