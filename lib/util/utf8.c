/*
 * utf8.c - UTF-8 validation; see utf8.h.
 *
 * The vector path classifies each byte with the byte before it by three
 * 16-entry tables (pshufb lookups of the high nibble of the byte before,
 * its low nibble, and the high nibble of the byte itself); the bits they
 * share name a fault (a lead without its continuation, a continuation
 * without its lead, overlong forms, surrogates, code points above
 * U+10FFFF).  A third or fourth byte of a sequence is checked against the
 * lead two or three bytes before.  A 16-byte block with no fault is
 * valid, but for a sequence its end cuts, which the next block (or the
 * byte path, at the end) completes.
 */
#include "lib/util/utf8.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define UTF8_VECTOR 1
#include <tmmintrin.h>
#endif

size_t utf8_valid_bytes(const unsigned char *s, size_t n, int *bad)
{
	size_t i = 0;

	*bad = 0;
	while (i < n) {
		unsigned c = s[i], lo = 0x80, hi = 0xBF;
		size_t k, need;

		if (c < 0x80) {
			/* ASCII runs 8 bytes at a time */
			while (i + 8 <= n) {
				uint64_t w;

				memcpy(&w, s + i, 8);
				if (w & UINT64_C(0x8080808080808080))
					break;
				i += 8;
			}
			while (i < n && s[i] < 0x80)
				i++;
			continue;
		}
		/* runs of the 3-byte sequences without special cases (E1..EC,
		 * EE..EF and two continuation bytes): most of Chinese text */
		while (i + 3 <= n) {
			uint32_t w = (uint32_t)s[i] | (uint32_t)s[i + 1] << 8 |
				     (uint32_t)s[i + 2] << 16;

			if ((w & 0xC0C0F0) != 0x8080E0 || s[i] == 0xE0 || s[i] == 0xED)
				break;
			i += 3;
		}
		if (i >= n || s[i] < 0x80)
			continue;
		c = s[i];
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xF4) {
			/* 3 bytes from E0, 4 from F0; after E0/F0 (overlong) and
			 * ED/F4 (surrogates, above U+10FFFF) the next byte's range
			 * is narrower */
			need = c >= 0xF0 ? 3 : 2;
			lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : lo;
			hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : hi;
		} else {
			*bad = 1;
			return i;
		}
		for (k = 1; k <= need; k++) {
			if (i + k >= n)
				return i;               /* cut off: wait for more */
			if (s[i + k] < lo || s[i + k] > hi) {
				*bad = 1;
				return i;
			}
			lo = 0x80;
			hi = 0xBF;
		}
		i += need + 1;
	}
	return i;
}

#ifdef UTF8_VECTOR
/* Fault bits of the lookup method. */
#define TOO_SHORT 0x01          /* a lead, or ASCII, where a continuation must be */
#define TOO_LONG 0x02           /* a continuation after ASCII */
#define OVERLONG_3 0x04         /* E0 followed by 80..9F */
#define TOO_LARGE 0x08          /* F4 followed by 90..BF, or F5..FF */
#define SURROGATE 0x10          /* ED followed by A0..BF */
#define OVERLONG_2 0x20         /* C0 or C1 */
#define TOO_LARGE_1000 0x40     /* F5..FF followed by 80..8F */
#define OVERLONG_4 0x40         /* F0 followed by 80..8F */
#define TWO_CONTS 0x80          /* a continuation after a continuation (fine when a lead wants it) */
#define CARRY (TOO_SHORT | TOO_LONG | TWO_CONTS)
#define B(x) ((char)(x))

/* The length of the prefix of s[0..n), in whole 16-byte blocks, in which
 * no fault was found (a sequence its end cuts may remain). */
__attribute__((target("ssse3")))
static size_t valid_blocks(const unsigned char *s, size_t n)
{
	const __m128i hi1 = _mm_setr_epi8(
		TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
		B(TWO_CONTS), B(TWO_CONTS), B(TWO_CONTS), B(TWO_CONTS),
		TOO_SHORT | OVERLONG_2, TOO_SHORT, TOO_SHORT | OVERLONG_3 | SURROGATE,
		TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4);
	const __m128i lo1 = _mm_setr_epi8(
		B(CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4), B(CARRY | OVERLONG_2), B(CARRY), B(CARRY),
		B(CARRY | TOO_LARGE), B(CARRY | TOO_LARGE | TOO_LARGE_1000),
		B(CARRY | TOO_LARGE | TOO_LARGE_1000), B(CARRY | TOO_LARGE | TOO_LARGE_1000),
		B(CARRY | TOO_LARGE | TOO_LARGE_1000), B(CARRY | TOO_LARGE | TOO_LARGE_1000),
		B(CARRY | TOO_LARGE | TOO_LARGE_1000), B(CARRY | TOO_LARGE | TOO_LARGE_1000),
		B(CARRY | TOO_LARGE | TOO_LARGE_1000), B(CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE),
		B(CARRY | TOO_LARGE | TOO_LARGE_1000), B(CARRY | TOO_LARGE | TOO_LARGE_1000));
	const __m128i hi2 = _mm_setr_epi8(
		TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
		B(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4),
		B(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE),
		B(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE),
		B(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE),
		TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT);
	const __m128i nib = _mm_set1_epi8(0x0F), zero = _mm_setzero_si128();
	const __m128i third = _mm_set1_epi8(B(0xE0 - 0x80)), fourth = _mm_set1_epi8(B(0xF0 - 0x80));
	const __m128i high = _mm_set1_epi8(B(0x80));
	__m128i prev = zero;
	size_t i;

	for (i = 0; i + 16 <= n; i += 16) {
		__m128i in = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i p1 = _mm_alignr_epi8(in, prev, 15);
		__m128i sc = _mm_and_si128(
			_mm_and_si128(_mm_shuffle_epi8(hi1, _mm_and_si128(_mm_srli_epi16(p1, 4), nib)),
				      _mm_shuffle_epi8(lo1, _mm_and_si128(p1, nib))),
			_mm_shuffle_epi8(hi2, _mm_and_si128(_mm_srli_epi16(in, 4), nib)));
		__m128i must23 = _mm_or_si128(_mm_subs_epu8(_mm_alignr_epi8(in, prev, 14), third),
					      _mm_subs_epu8(_mm_alignr_epi8(in, prev, 13), fourth));
		__m128i err = _mm_xor_si128(_mm_and_si128(must23, high), sc);

		if (_mm_movemask_epi8(_mm_cmpeq_epi8(err, zero)) != 0xFFFF)
			break;
		prev = in;
	}
	return i;
}
#endif

size_t utf8_valid(const unsigned char *s, size_t n, int *bad)
{
	size_t p = 0;

#ifdef UTF8_VECTOR
	if (n >= 64 && __builtin_cpu_supports("ssse3")) {
		size_t i = valid_blocks(s, n);

		/* From the first character that starts in the last 3 bytes
		 * before i (a sequence i cuts, or one a fault at i involves),
		 * or from i when none does. */
		p = i >= 3 ? i - 3 : 0;
		while (p < i && (s[p] & 0xC0) == 0x80)
			p++;
	}
#endif
	return p + utf8_valid_bytes(s + p, n - p, bad);
}
