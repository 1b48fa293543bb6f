/*
 * cfb.c - one stream of an OLE2 compound file read into memory; see cfb.h.
 *
 * The layout (MS-CFB): a header sector (512 or 4096 bytes) holding the
 * first 109 sector numbers of the FAT and the start of the chain of
 * further ones (DIFAT); sector s at byte (s + 1) * sector size; the FAT
 * gives each sector's successor in its chain; the directory is 128-byte
 * entries (name in UTF-16LE, start sector, size); streams under the
 * mini stream cutoff live in 64-byte sectors of the root entry's stream,
 * chained by the mini FAT, which libfreexl 1.0.6 does not follow: it
 * parses the first bytes of the root entry's stream (entry_read).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/readers/cfb.h"
#include "lib/util/mem.h"

#define CFB_END 0xFFFFFFFEu             /* end of a chain */

/* The file and what its header says. */
typedef struct cfbf {
	const unsigned char *buf;       /* the file */
	size_t n;                       /* its size */
	size_t ssize;                   /* sector size */
	uint32_t nsect;                 /* sectors the file has (a bound on any chain) */
	uint32_t *fat;                  /* the FAT (owned) */
	uint32_t nfat;                  /* its entries */
} cfbf;

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Sector s of the file, or NULL when it is not in the file whole. */
static const unsigned char *sector(const cfbf *f, uint32_t s)
{
	size_t off = ((size_t)s + 1) * f->ssize;

	return s < f->nsect && off + f->ssize <= f->n ? f->buf + off : NULL;
}

/* Append FAT sector s's entries to the FAT. */
static void fat_add(cfbf *f, uint32_t s)
{
	const unsigned char *p = sector(f, s);
	size_t per = f->ssize / 4;

	if (!p || f->nfat / per >= f->nsect)
		return;
	f->fat = xreallocarray(f->fat, f->nfat + per, sizeof *f->fat);
	for (size_t i = 0; i < per; i++)
		f->fat[f->nfat++] = rd32(p + i * 4);
}

/* The FAT from the header's 109 sector numbers and the DIFAT chain. */
static void fat_build(cfbf *f)
{
	uint32_t d = rd32(f->buf + 0x44);

	for (int i = 0; i < 109; i++)
		if (rd32(f->buf + 0x4C + i * 4) < CFB_END)
			fat_add(f, rd32(f->buf + 0x4C + i * 4));
	for (uint32_t steps = 0; d < CFB_END && steps < f->nsect; steps++) {
		const unsigned char *p = sector(f, d);
		size_t per = f->ssize / 4 - 1;

		if (!p)
			break;
		for (size_t i = 0; i < per; i++)
			if (rd32(p + i * 4) < CFB_END)
				fat_add(f, rd32(p + i * 4));
		d = rd32(p + per * 4);
	}
}

/* Read up to size bytes of the sector chain from start into *s (at most
 * as many sectors as the file has), and count in s->beyond the sectors
 * the chain goes on for after them (at most 2). */
static void chain_read(const cfbf *f, uint32_t start, size_t size, cfb_stream *s)
{
	size_t cap = 0;
	uint32_t u = start, steps = 0;

	memset(s, 0, sizeof *s);
	s->size = size;
	/* grown as sectors are read: the size in the entry is not trusted */
	for (; s->len < size && u < f->nfat && steps < f->nsect; steps++) {
		const unsigned char *p = sector(f, u);
		size_t k = size - s->len < f->ssize ? size - s->len : f->ssize;

		if (!p)
			break;
		if (s->len + k > cap) {
			cap = cap ? cap * 2 : 4 * f->ssize;
			s->data = xreallocarray(s->data, cap, 1);
		}
		memcpy(s->data + s->len, p, k);
		s->len += k;
		u = f->fat[u];
	}
	while (s->len == size && s->beyond < 2 && u < f->nfat && sector(f, u)) {
		s->beyond++;
		u = f->fat[u];
	}
}

/* Whether the 128-byte directory entry e is named name (ASCII) as
 * libfreexl compares names: its declared bytes (at most 64: xls.c checks
 * that first) decoded from UTF-16LE, up to the first NUL, are name.  An
 * odd length or bad UTF-16 makes libfreexl fail the open, so they may
 * match here too. */
static int entry_is(const unsigned char *e, const char *name)
{
	size_t k = strlen(name), units = (size_t)(e[64] + (e[65] << 8)) / 2;

	if (units > 32)
		units = 32;
	for (size_t i = 0; i < units; i++) {
		unsigned u = e[2 * i] | e[2 * i + 1] << 8;

		if (u == 0 || i == k)
			return u == 0 && i == k;
		if (u != (unsigned char)name[i])
			return 0;
	}
	return units == k;
}

/*
 * The stream of entry e as libfreexl reads it: through the FAT from its
 * start sector when its size is over the mini stream cutoff (0 when the
 * file has no mini FAT); otherwise as the first bytes of the mini stream
 * (the root entry's stream, which libfreexl allocates whole at the size
 * the root entry declares), whatever the entry's start and the mini FAT
 * say.  Without a root entry the mini stream is empty.
 */
static void entry_read(cfbf *f, const unsigned char *root, const unsigned char *e, cfb_stream *out)
{
	uint32_t size = rd32(e + 0x78), cutoff = rd32(f->buf + 0x40) ? rd32(f->buf + 0x38) : 0;

	if (size > cutoff) {
		chain_read(f, rd32(e + 0x74), size, out);
		return;
	}
	if (root)
		chain_read(f, rd32(root + 0x74),
			   rd32(root + 0x78) < size ? rd32(root + 0x78) : size, out);
	out->size = size;
	out->beyond = 0;
	out->mini = 1;
	out->mini_size = root ? rd32(root + 0x78) : 0;
}

int cfb_read(const unsigned char *buf, size_t n, const char *const *names, cfb_stream *out)
{
	cfbf f = { .buf = buf, .n = n };
	const unsigned char *dir, *root = NULL;
	unsigned shift = n >= 512 ? (unsigned)(buf[0x1E] | buf[0x1F] << 8) : 0;
	int found = 0;

	memset(out, 0, sizeof *out);
	if (shift != 9 && shift != 12)
		return 0;
	f.ssize = (size_t)1 << shift;
	f.nsect = n > f.ssize ? (uint32_t)((n - f.ssize) / f.ssize) : 0;
	if (!(dir = sector(&f, rd32(buf + 0x30))))
		return 0;
	fat_build(&f);
	for (size_t i = 0; i < f.ssize / 128 && !found; i++) {
		const unsigned char *e = dir + i * 128;

		if (entry_is(e, "Root Entry"))
			root = e;
		for (size_t k = 0; names[k] && !found; k++)
			if (entry_is(e, names[k])) {
				entry_read(&f, root, e, out);
				found = 1;
			}
	}
	free(f.fat);
	return found;
}

void cfb_stream_free(cfb_stream *s)
{
	free(s->data);
	memset(s, 0, sizeof *s);
}
