/*
 * sha256.c - SHA-256 as specified in FIPS 180-4; see sha256.h.
 *
 * The hashing itself is libcrypto's EVP interface (already a dependency
 * for pseudonymisation), which runs at memory speed with SHA extensions.
 */
#include "lib/util/sha256.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#define SHA256_FILE_BUF 65536   /* read size of sha256_file */

void sha256_init(sha256_ctx *c)
{
	c->md = EVP_MD_CTX_new();
	c->failed = !c->md || !EVP_DigestInit_ex(c->md, EVP_sha256(), NULL);
}

void sha256_update(sha256_ctx *c, const void *data, size_t len)
{
	if (!c->failed && len && !EVP_DigestUpdate(c->md, data, len))
		c->failed = 1;
}

int sha256_final(sha256_ctx *c, unsigned char out[SHA256_DIGEST_LEN])
{
	unsigned int n = 0;
	if (!c->failed && (!EVP_DigestFinal_ex(c->md, out, &n) || n != SHA256_DIGEST_LEN))
		c->failed = 1;
	EVP_MD_CTX_free(c->md);
	c->md = NULL;
	if (c->failed)
		memset(out, 0, SHA256_DIGEST_LEN);
	return c->failed ? -1 : 0;
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
	ssize_t n;
	int fd, e = 0;

	fd = cli_open_input(path, errbuf, errlen);
	if (fd < 0)
		return -1;
	buf = xmalloc(SHA256_FILE_BUF);
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
		sha256_final(&c, out); /* frees the context */
		return err_set(errbuf, errlen, "%s: %s", path, strerror(e));
	}
	if (sha256_final(&c, out) < 0)
		return err_set(errbuf, errlen, "%s: cannot hash: libcrypto failed", path);
	return 0;
}
