/*
 * pii.c - keyed hashes of personal data with OpenSSL's EVP_MAC; see pii.h.
 * One MAC context is set up with the key once and re-initialised per value
 * (EVP_MAC_init with a NULL key keeps the key), so hashing a cell does
 * not allocate.
 */
#include "lib/util/pii.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "lib/util/mem.h"

struct pii {
	EVP_MAC *mac;           /* the HMAC implementation */
	EVP_MAC_CTX *ctx;       /* keyed context, re-initialised per value */
};

pii *pii_open(const char *keyfile, char *err, size_t errlen)
{
	unsigned char key[4096];
	size_t n;
	struct stat st;
	FILE *f;
	pii *p;
	OSSL_PARAM params[2];

	f = fopen(keyfile, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read the pseudonymisation key: %s", keyfile, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		fclose(f);
		snprintf(err, errlen, "%s: the pseudonymisation key is readable by others (mode %03o)\n"
			 "hint: chmod 600 %s", keyfile, (unsigned)(st.st_mode & 0777), keyfile);
		return NULL;
	}
	n = fread(key, 1, sizeof key, f);
	fclose(f);
	if (n < PII_MIN_KEY) {
		snprintf(err, errlen, "%s: the pseudonymisation key has %zu bytes, at least %d are needed\n"
			 "hint: head -c 32 /dev/urandom > %s", keyfile, n, PII_MIN_KEY, keyfile);
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	if (!(p->mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) || !(p->ctx = EVP_MAC_CTX_new(p->mac))) {
		snprintf(err, errlen, "%s: libcrypto has no HMAC", keyfile);
		pii_close(p);
		p = NULL;
		goto wipe;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(p->ctx, key, n, params)) {
		snprintf(err, errlen, "%s: cannot set up HMAC-SHA-256", keyfile);
		pii_close(p);
		p = NULL;
	}
wipe:
	OPENSSL_cleanse(key, sizeof key);
	return p;
}

int pii_hash(pii *p, const char *s, size_t len, char out[PII_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	size_t mdlen = 0;

	if (!EVP_MAC_init(p->ctx, NULL, 0, NULL) || !EVP_MAC_update(p->ctx, (const unsigned char *)s, len) ||
	    !EVP_MAC_final(p->ctx, md, &mdlen, sizeof md) || mdlen * 2 < PII_HEX_LEN)
		return -1;
	for (int i = 0; i < PII_HEX_LEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[PII_HEX_LEN] = '\0';
	return 0;
}

void pii_close(pii *p)
{
	if (!p)
		return;
	EVP_MAC_CTX_free(p->ctx);
	EVP_MAC_free(p->mac);
	free(p);
}
