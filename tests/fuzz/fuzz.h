/*
 * fuzz.h - what the fuzz targets in tests/fuzz/fuzz_<name>.c share.
 *
 * Each target defines LLVMFuzzerTestOneInput(data, size), the entry point
 * of libFuzzer (make fuzz links it with -fsanitize=fuzzer) and of
 * replay.c (the normal test build feeds it the regression inputs under
 * tests/data/fuzz/<name>/).  A target must not leak, must accept any
 * bytes, and aborts (a crash for both drivers) when a reader breaks one
 * of its own promises.
 */
#ifndef VQR_FUZZ_H
#define VQR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Write data[0..size) to a scratch file of this process whose name ends in
 * suffix (".csv", ".xlsx", ".yaml"), replacing what the last call wrote,
 * and return its path (static, valid until the process exits; the file is
 * removed at exit).  Aborts when the file cannot be written.
 */
const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix);

/* A malloc'd NUL-terminated copy of data[0..size) (the caller frees);
 * aborts when out of memory. */
char *fuzz_str(const uint8_t *data, size_t size);

#endif
