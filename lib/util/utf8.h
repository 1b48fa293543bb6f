/*
 * utf8.h - UTF-8 validation of a stream's bytes, 16 bytes a step where
 * the CPU can (SSSE3), byte by byte elsewhere.
 *
 * Usage:
 *     int bad;
 *     size_t ok = utf8_valid(buf, n, &bad);
 *     if (bad)
 *         ... buf[ok] starts an invalid sequence ...
 *     else if (ok < n)
 *         ... buf[ok..n) is a sequence cut by the end: read more ...
 *
 * Valid means Unicode's table 3-7: no overlong forms, no surrogates,
 * nothing above U+10FFFF.  The vector path (Keiser and Lemire's lookup
 * method, "Validating UTF-8 in less than one instruction per byte", 2021)
 * only ever says "these blocks are valid"; where it finds a fault, the
 * byte-by-byte path reads from the last character start before it, so
 * both give the same answer (tests/unit/test_utf8.c compares them on every
 * sequence of up to three bytes at every offset of a block).
 */
#ifndef VQR_UTF8_H
#define VQR_UTF8_H

#include <stddef.h>

/* The length of the longest prefix of s[0..n) that is complete, valid
 * UTF-8.  *bad is set to 1 when the sequence at that length is invalid, 0
 * when the prefix is all of s or stops at a sequence that the end of s
 * cuts off (and that more bytes could complete).  Reads s only. */
size_t utf8_valid(const unsigned char *s, size_t n, int *bad);

/* utf8_valid without the vector path (the reference the tests compare
 * the vector path against). */
size_t utf8_valid_bytes(const unsigned char *s, size_t n, int *bad);

#endif
