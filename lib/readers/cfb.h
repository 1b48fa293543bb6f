/*
 * cfb.h - one stream of an OLE2 compound file (CFB, the container of an
 * .xls workbook) read into memory, so that the workbook can be checked
 * before libfreexl loads it (xls.c).
 *
 * Usage:
 *     static const char *const names[] = { "Workbook", "Book", NULL };
 *     cfb_stream s;
 *     if (cfb_read(bytes, nbytes, names, &s) == 1) {
 *         use(s.data, s.len);
 *         cfb_stream_free(&s);
 *     }
 *
 * The stream is looked for as libfreexl 1.0.6 looks for it: among the
 * entries of the container's first directory sector, the first whose
 * name is one of names (compared as libfreexl compares them, up to the
 * first NUL); a stream no longer than the header's mini stream cutoff is
 * the first bytes of the mini stream, as libfreexl reads it.  The reading is lenient and
 * bounded: a sector chain that leaves the file, loops or ends early gives
 * the bytes read up to there (the caller's check then sees less, and
 * libfreexl judges the container itself), and no chain is followed for
 * more steps than the file has sectors.
 */
#ifndef VQR_CFB_H
#define VQR_CFB_H

#include <stddef.h>

typedef struct cfb_stream {
	unsigned char *data;    /* the stream's bytes (owned; NULL when empty) */
	size_t len;             /* how many were read (at most its declared size) */
	size_t size;            /* its size in the directory entry */
	unsigned beyond;        /* read through the FAT: the sectors (at most 2) its chain goes
				 * on for after those that hold its size */
	int mini;               /* read from the mini stream */
	size_t mini_size;       /* read from the mini stream: the size the root entry
				 * declares for the mini stream (libfreexl allocates it whole);
				 * else 0 */
} cfb_stream;

/*
 * Find the stream named one of names (ASCII, a NULL-terminated list) in
 * the compound file held in buf (n bytes, the whole file; not kept).
 * Returns 1 with *out filled (free it with cfb_stream_free), or 0 when
 * buf is no compound file with a sector size of 512 or 4096 bytes or has
 * no such stream in its first directory sector (*out then empty).
 */
int cfb_read(const unsigned char *buf, size_t n, const char *const *names, cfb_stream *out);

/* Free what s holds and empty it.  An empty s is fine. */
void cfb_stream_free(cfb_stream *s);

#endif
