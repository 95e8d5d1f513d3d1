/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What vectors_test.c and vectors_cacophony.c share: TAP output and hex.
 */
#ifndef RFSEC_SELFTEST_VECTORS_H
#define RFSEC_SELFTEST_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One TAP line; returns ok. */
bool check(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Hex to bytes: the byte count, or -1 (odd length, a bad digit, > max). */
int unhex(uint8_t *out, size_t max, const char *s, size_t len);

/*
 * Reproduces cacophony's Noise_IKpsk2_25519_*_SHA256 vectors in the JSON
 * file at path with noise.c's general IKpsk2 layer.
 */
void check_cacophony(const char *path);

#endif /* RFSEC_SELFTEST_VECTORS_H */
