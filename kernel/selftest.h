/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A self-test of the module's Noise core against an independent
 * implementation's vectors, run at load time when asked for.
 */

#ifndef RFSEC_SELFTEST_H
#define RFSEC_SELFTEST_H

/*
 * Run cacophony's two Noise_IKpsk2_25519_*_SHA256 vectors through
 * kernel/noise.c: 0 when every byte matches, else -EINVAL (or the crypto
 * API's error) after logging the vector and the step that differed.
 */
int rfsec_selftest(void);

#endif /* RFSEC_SELFTEST_H */
