/*
 * replay.c - run a fuzz target's LLVMFuzzerTestOneInput on files, without
 * libFuzzer: the regression inputs under tests/data/fuzz/<name>/ in the
 * normal test run (built with the suite's compiler and sanitizers).
 *
 *     build/tests/replay_csvin FILE...     # TAP, one line a file
 *
 * A crash or sanitizer report ends the run (prove counts it as a failure).
 */
#include "tests/fuzz/fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	int bad = 0;

	printf("1..%d\n", argc - 1);
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *buf = NULL;
		size_t len = 0, cap = 0, n;

		if (!f) {
			printf("not ok %d - %s: cannot open\n", i, argv[i]);
			bad = 1;
			continue;
		}
		do {
			if (len == cap) {
				uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 65536);

				if (!nb)
					abort();
				buf = nb;
			}
			n = fread(buf + len, 1, cap - len, f);
			len += n;
		} while (n > 0);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
		printf("ok %d - %s\n", i, argv[i]);
		fflush(stdout);
	}
	return bad;
}
