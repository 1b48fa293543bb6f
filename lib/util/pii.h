/*
 * pii.h - pseudonymising personal data: a field marked `pii: pseudonymise`
 * is replaced at extract by a keyed hash (HMAC-SHA-256, from OpenSSL's
 * libcrypto), so the same student links across exports and years while no
 * name or ID number is ever staged or loaded.  The key lives in a file
 * outside the YAML (`pii_key_file`), readable by the loader only.
 *
 *     pii *p = pii_open("/etc/vqr/pii.key", err, sizeof err);
 *     char out[PII_HEX_LEN + 1];
 *     pii_hash(p, "202004030000", 12, out);    // 32 hex digits
 *     pii_close(p);
 */
#ifndef VQR_PII_H
#define VQR_PII_H

#include <stddef.h>

#define PII_HEX_LEN 32          /* hex digits kept of the HMAC (128 bits) */
#define PII_MIN_KEY 16          /* shortest key accepted, in bytes */

typedef struct pii pii;

/* Read the key file (at least PII_MIN_KEY bytes; a file readable by
 * others than its owner is refused) and prepare the HMAC.  NULL with
 * "path: reason" in err.  Free with pii_close. */
pii *pii_open(const char *keyfile, char *err, size_t errlen);

/* HMAC-SHA-256 of s (len bytes) under the key, as PII_HEX_LEN lowercase
 * hex digits and a NUL in out.  0, or -1 if libcrypto failed. */
int pii_hash(pii *p, const char *s, size_t len, char out[PII_HEX_LEN + 1]);

/* Free p and wipe the key (NULL is fine). */
void pii_close(pii *p);

#endif
