/*
 * test_utf8.c - unit tests of lib/util/utf8.c: hand-checked sequences,
 * then the vector path against the byte path (utf8_valid against
 * utf8_valid_bytes) on every pair of bytes and on sequences of three and
 * four bytes drawn from the bytes where UTF-8's rules change, each placed
 * at offsets around a 16-byte block's edges of an ASCII text, and on
 * random texts of valid characters with random faults.
 */
#include "lib/util/utf8.h"
#include "tests/unit/tap.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TEXT 80                 /* bytes of each text compared (the vector path needs 64) */

/* Bytes where the rules change: ASCII, continuation ranges' edges, leads. */
static const unsigned char edges[] = { 0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
				       0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0,
				       0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFF };

static const size_t offsets[] = { 0, 13, 14, 15, 16, 47, 62, 63, 77, 79 };

static long mismatches;

/* Compare both paths on s[0..n); note the first few that differ. */
static void same(const unsigned char *s, size_t n, const char *what)
{
	int b1, b2;
	size_t v1 = utf8_valid(s, n, &b1), v2 = utf8_valid_bytes(s, n, &b2);

	if (v1 == v2 && b1 == b2)
		return;
	if (mismatches++ < 5)
		printf("# %s: vector %zu/%d, bytes %zu/%d\n", what, v1, b1, v2, b2);
}

/* seq[0..k) at offset off of an ASCII text, both paths compared. */
static void place(const unsigned char *seq, size_t k, size_t off)
{
	unsigned char t[TEXT];

	memset(t, 'a', sizeof t);
	if (off + k > sizeof t)
		return;
	memcpy(t + off, seq, k);
	same(t, sizeof t, "placed");
	same(t, off + k, "placed, cut after");
}

static void test_known(void)
{
	static const struct { const char *s; size_t ok; int bad; const char *what; } v[] = {
		{ "abc", 3, 0, "ASCII" },
		{ "\xE5\xAD\xA6\xE5\x8F\xB7", 6, 0, "学号" },
		{ "a\xC2\xA9", 3, 0, "U+00A9" },
		{ "\xF0\x9F\x98\x80", 4, 0, "U+1F600" },
		{ "\xF4\x8F\xBF\xBF", 4, 0, "U+10FFFF" },
		{ "a\xC0\x80", 1, 1, "overlong 2" },
		{ "a\xE0\x80\x80", 1, 1, "overlong 3" },
		{ "\xF0\x80\x80\x80", 0, 1, "overlong 4" },
		{ "\xED\xA0\x80", 0, 1, "surrogate" },
		{ "\xF4\x90\x80\x80", 0, 1, "above U+10FFFF" },
		{ "ab\x80", 2, 1, "stray continuation" },
		{ "ab\xE5\xAD", 2, 0, "cut by the end" },
		{ "ab\xE5" "a", 2, 1, "lead without continuation" },
	};

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		int bad;
		size_t ok1 = utf8_valid((const unsigned char *)v[i].s, strlen(v[i].s), &bad);
		ok(ok1 == v[i].ok && bad == v[i].bad, "%s: %zu valid, bad %d", v[i].what, ok1, bad);
	}
}

static void test_pairs(void)
{
	unsigned char seq[2];

	mismatches = 0;
	for (unsigned a = 0; a < 256; a++)
		for (unsigned b = 0; b < 256; b++)
			for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++) {
				seq[0] = (unsigned char)a;
				seq[1] = (unsigned char)b;
				place(seq, 2, offsets[o]);
			}
	is_int(mismatches, 0, "every pair of bytes at every offset: both paths agree");
}

static void test_longer(void)
{
	const size_t ne = sizeof edges;
	unsigned char seq[4];

	mismatches = 0;
	for (unsigned a = 0x80; a < 256; a++)
		for (size_t i = 0; i < ne; i++)
			for (size_t j = 0; j < ne; j++)
				for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++) {
					seq[0] = (unsigned char)a;
					seq[1] = edges[i];
					seq[2] = edges[j];
					place(seq, 3, offsets[o]);
				}
	is_int(mismatches, 0, "three bytes (a lead, then edge bytes) at every offset: both paths agree");
	mismatches = 0;
	for (unsigned a = 0xE0; a < 256; a++)
		for (size_t i = 0; i < ne; i++)
			for (size_t j = 0; j < ne; j++)
				for (size_t k = 0; k < ne; k++)
					for (size_t o = 0; o < 4; o++) {
						seq[0] = (unsigned char)a;
						seq[1] = edges[i];
						seq[2] = edges[j];
						seq[3] = edges[k];
						place(seq, 4, offsets[o + 1]);
					}
	is_int(mismatches, 0, "four bytes from E0..FF and edge bytes across a block edge: both paths agree");
}

static uint64_t rnd_state = 20261207;
static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rnd_state >> 33) % n;
}

/* Random texts of valid characters of every length, some with a random
 * byte written over one place. */
static void test_random(void)
{
	static const char *const chars[] = { "a", ",", "\xC2\xA9", "\xE5\xAD\xA6", "\xE3\x80\x80", "\xEF\xBC\x8C",
					     "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF", "\xEE\x80\x80" };
	unsigned char t[600];

	mismatches = 0;
	for (int r = 0; r < 100000; r++) {
		size_t n = 0, want = 64 + rnd(500);
		while (n < want) {
			const char *c = chars[rnd(sizeof chars / sizeof chars[0])];
			size_t l = strlen(c);
			memcpy(t + n, c, l);
			n += l;
		}
		if (r % 2)
			t[rnd((unsigned)n)] = (unsigned char)rnd(256);
		same(t, n, "random");
		same(t, n - rnd(4), "random, cut");
	}
	is_int(mismatches, 0, "100,000 random texts, half with a fault: both paths agree");
}

int main(void)
{
	test_known();
	test_pairs();
	test_longer();
	test_random();
	return tap_done();
}
