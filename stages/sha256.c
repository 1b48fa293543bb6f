/*
 * sha256.c - SHA-256 as specified in FIPS 180-4; see sha256.h.
 *
 * A plain, portable implementation (big-endian loads and stores done byte
 * by byte, no alignment assumptions); fast enough for hashing input files
 * once per run.
 */
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHA256_FILE_BUF 65536   /* read size of sha256_file */

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

/* Process one 64-byte block (FIPS 180-4, 6.2.2). */
static void block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = SSIG1(w[i - 2]) + w[i - 7] + SSIG0(w[i - 15]) + w[i - 16];

	a = h[0];
	b = h[1];
	c = h[2];
	d = h[3];
	e = h[4];
	f = h[5];
	g = h[6];
	hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + BSIG1(e) + CH(e, f, g) + K[i] + w[i];
		t2 = BSIG0(a) + MAJ(a, b, c);
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

void sha256_init(sha256_ctx *c)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(c->h, h0, sizeof h0);
	c->nbytes = 0;
	c->buflen = 0;
}

void sha256_update(sha256_ctx *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (len == 0)
		return;
	c->nbytes += len;
	if (c->buflen > 0) {
		size_t n = 64 - c->buflen;

		if (n > len)
			n = len;
		memcpy(c->buf + c->buflen, p, n);
		c->buflen += n;
		p += n;
		len -= n;
		if (c->buflen < 64)
			return;
		block(c->h, c->buf);
		c->buflen = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		block(c->h, p);
	if (len > 0) {
		memcpy(c->buf, p, len);
		c->buflen = len;
	}
}

void sha256_final(sha256_ctx *c, unsigned char out[SHA256_DIGEST_LEN])
{
	uint64_t bits = c->nbytes * 8;
	int i;

	/* padding (5.1.1): 0x80, zeros, then the length in bits, big-endian */
	c->buf[c->buflen++] = 0x80;
	if (c->buflen > 56) {
		memset(c->buf + c->buflen, 0, 64 - c->buflen);
		block(c->h, c->buf);
		c->buflen = 0;
	}
	memset(c->buf + c->buflen, 0, 56 - c->buflen);
	for (i = 0; i < 8; i++)
		c->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	block(c->h, c->buf);

	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
	c->buflen = 0;
}

void sha256_buf(const void *data, size_t len, unsigned char out[SHA256_DIGEST_LEN])
{
	sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, out);
}

void sha256_hex(const unsigned char digest[SHA256_DIGEST_LEN], char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SHA256_DIGEST_LEN; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
}

int sha256_file(const char *path, unsigned char out[SHA256_DIGEST_LEN], char *errbuf, size_t errlen)
{
	sha256_ctx c;
	unsigned char *buf;
	struct stat st;
	ssize_t n;
	int fd, e = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0)
		e = errno;
	else if (S_ISDIR(st.st_mode))
		e = EISDIR;
	buf = e ? NULL : malloc(SHA256_FILE_BUF);
	if (!e && !buf)
		e = ENOMEM;

	sha256_init(&c);
	while (!e) {
		n = read(fd, buf, SHA256_FILE_BUF);
		if (n < 0) {
			if (errno != EINTR)
				e = errno;
			continue;
		}
		if (n == 0)
			break;
		sha256_update(&c, buf, (size_t)n);
	}
	free(buf);
	close(fd);
	if (e) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	sha256_final(&c, out);
	return 0;
}
