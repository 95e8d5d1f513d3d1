/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzzers, the torture and the soak share: a small seeded random
 * generator (splitmix64: everything follows from the seed printed first)
 * and TAP lines printed as checks finish (the plan comes last).
 */
#ifndef RFSEC_SELFTEST_FUZZ_UTIL_H
#define RFSEC_SELFTEST_FUZZ_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

static inline uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int tap_n, tap_failed;

static inline __attribute__((format(printf, 2, 3)))
void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	tap_failed += !ok;
	fflush(stdout);
}

#endif /* RFSEC_SELFTEST_FUZZ_UTIL_H */
