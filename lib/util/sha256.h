/*
 * sha256.h - SHA-256 (FIPS 180-4) through OpenSSL's libcrypto (which uses
 * the CPU's SHA extensions where there are some): incremental hashing, hex
 * output and the hash of a file's bytes as stored on disk.
 *
 * Usage:
 *     sha256_ctx c;
 *     unsigned char d[SHA256_DIGEST_LEN];
 *     char hex[SHA256_HEX_LEN + 1];
 *     sha256_init(&c);
 *     sha256_update(&c, "ab", 2);
 *     sha256_update(&c, "c", 1);
 *     sha256_final(&c, d);
 *     sha256_hex(d, hex);                  // "ba7816bf..."
 *
 *     char err[512];
 *     if (sha256_file("inbox/a.csv.gz", d, err, sizeof err) < 0)
 *         log_error("%s", err);
 *
 * sha256_file hashes the raw bytes (a .gz file is hashed compressed), so
 * the result equals `sha256sum FILE`; vqr uses it to recognise a file it
 * has loaded before.
 */
#ifndef VQR_SHA256_H
#define VQR_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32    /* bytes in a digest */
#define SHA256_HEX_LEN 64       /* characters in its hex form, without the NUL */

typedef struct sha256_ctx {
	void *md;               /* libcrypto's EVP_MD_CTX, freed by sha256_final */
	int failed;             /* libcrypto reported an error */
} sha256_ctx;

/* Start a new hash in c (caller-owned; sha256_final frees what it holds,
 * so every init must be followed by a final). */
void sha256_init(sha256_ctx *c);

/* Add len bytes of data to the hash (data may be NULL when len is 0). */
void sha256_update(sha256_ctx *c, const void *data, size_t len);

/* Finish the hash and write the 32-byte digest to out; 0, or -1 when
 * libcrypto failed (out of memory).  c must be re-initialised with
 * sha256_init before it is used again. */
int sha256_final(sha256_ctx *c, unsigned char out[SHA256_DIGEST_LEN]);

/* One-shot hash of len bytes of data. */
void sha256_buf(const void *data, size_t len, unsigned char out[SHA256_DIGEST_LEN]);

/* Write the digest as 64 lowercase hex digits plus a NUL into hex. */
void sha256_hex(const unsigned char digest[SHA256_DIGEST_LEN], char hex[SHA256_HEX_LEN + 1]);

/*
 * Hash the bytes of the file at path as they are on disk (no
 * decompression), reading 64 KiB at a time.  Returns 0 with the digest in
 * out, or -1 with "path: reason" in errbuf (errbuf may be NULL).
 */
int sha256_file(const char *path, unsigned char out[SHA256_DIGEST_LEN], char *errbuf, size_t errlen);

#endif
