/*
 * test_sha256.c - unit tests of lib/util/sha256.c: the FIPS 180-4 example
 * vectors, incremental updates split at every point, and sha256_file
 * against the sha256sum program on files around the padding and 64 KiB
 * buffer boundaries.
 */
#include "lib/util/sha256.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *hex_of(const void *data, size_t len)
{
	static char hex[SHA256_HEX_LEN + 1];
	unsigned char d[SHA256_DIGEST_LEN];

	sha256_buf(data, len, d);
	sha256_hex(d, hex);
	return hex;
}

static void test_vectors(void)
{
	static const char m448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char m896[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
				   "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	char *million = malloc(1000000);
	unsigned char d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN + 1];
	sha256_ctx c;
	int i;

	is_str(hex_of("", 0),
	       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty message");
	is_str(hex_of("abc", 3),
	       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "\"abc\"");
	is_int((long long)strlen(m448) * 8, 448, "448-bit message length");
	is_str(hex_of(m448, strlen(m448)),
	       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "448-bit message");
	is_int((long long)strlen(m896) * 8, 896, "896-bit message length");
	is_str(hex_of(m896, strlen(m896)),
	       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1", "896-bit message");

	if (!million) {
		ok(0, "malloc");
		return;
	}
	memset(million, 'a', 1000000);
	is_str(hex_of(million, 1000000),
	       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	       "one million 'a' in one update");
	sha256_init(&c);
	for (i = 0; i < 1000000; i += 1000)
		sha256_update(&c, million + i, 1000);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	       "one million 'a' in 1000-byte updates");
	free(million);

	/* the context is reusable after sha256_init */
	sha256_init(&c);
	sha256_update(&c, "abc", 3);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "context reused after init");
	sha256_init(&c);
	sha256_update(&c, NULL, 0);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "NULL data with length 0");
}

/* The 896-bit message split in two at every position, and byte by byte. */
static void test_splits(void)
{
	static const char m[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
				"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	static const char want[] = "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
	size_t len = strlen(m), i, j, bad = 0;
	unsigned char d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN + 1];
	sha256_ctx c;

	for (i = 0; i <= len; i++) {
		for (j = i; j <= len; j++) {
			sha256_init(&c);
			sha256_update(&c, m, i);
			sha256_update(&c, m + i, j - i);
			sha256_update(&c, m + j, len - j);
			sha256_final(&c, d);
			sha256_hex(d, hex);
			if (strcmp(hex, want) != 0)
				bad++;
		}
	}
	ok(bad == 0, "896-bit message in three updates split at every pair of points (%zu bad)", bad);
	sha256_init(&c);
	for (i = 0; i < len; i++)
		sha256_update(&c, m + i, 1);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	is_str(hex, want, "896-bit message byte by byte");
}

/* Run sha256sum on path; 0 and the hex digest in out, or -1. */
static int sha256sum(const char *path, char out[SHA256_HEX_LEN + 1])
{
	char cmd[600];
	FILE *p;
	int n;

	snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fscanf(p, "%64s", out);
	return pclose(p) == 0 && n == 1 ? 0 : -1;
}

static void test_files(void)
{
	static const size_t sizes[] = { 0, 1, 55, 56, 63, 64, 65, 65535, 65536, 65537, 200003 };
	char dir[256], path[512], err[600];
	const char *t = getenv("TMPDIR");
	unsigned char *data, d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN + 1], want[SHA256_HEX_LEN + 1];
	size_t i, k;
	unsigned x = 12345;

	snprintf(dir, sizeof dir, "%s/test_sha256.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		exit(1);
	}
	snprintf(path, sizeof path, "%s/data.bin", dir);
	data = malloc(200003);
	if (!data)
		exit(1);
	for (k = 0; k < 200003; k++) {
		x = x * 1103515245u + 12345u;
		data[k] = (unsigned char)(x >> 16);
	}
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		FILE *f = fopen(path, "wb");

		if (!f || fwrite(data, 1, sizes[i], f) != sizes[i] || fclose(f) != 0) {
			printf("Bail out! cannot write %s\n", path);
			exit(1);
		}
		if (sha256sum(path, want) < 0) {
			ok(0, "sha256sum ran on a %zu-byte file", sizes[i]);
			continue;
		}
		hex[0] = '\0';
		if (sha256_file(path, d, err, sizeof err) == 0)
			sha256_hex(d, hex);
		else
			printf("#   %s\n", err);
		is_str(hex, want, "sha256_file = sha256sum, %zu-byte file", sizes[i]);
		is_str(hex_of(data, sizes[i]), want, "sha256_buf = sha256sum, %zu bytes", sizes[i]);
	}
	unlink(path);

	snprintf(path, sizeof path, "%s/missing", dir);
	err[0] = '\0';
	ok(sha256_file(path, d, err, sizeof err) == -1 && strncmp(err, path, strlen(path)) == 0 &&
	   strstr(err, strerror(ENOENT)), "missing file: -1 and \"%s\"", err);
	ok(sha256_file(dir, d, err, sizeof err) == -1 && strstr(err, "not a regular file (a directory)"),
	   "directory: -1 and \"%s\"", err);
	ok(sha256_file(path, d, NULL, 0) == -1, "missing file without an error buffer");
	rmdir(dir);
	free(data);
}

int main(void)
{
	test_vectors();
	test_splits();
	test_files();
	return tap_done();
}
