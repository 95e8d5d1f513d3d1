/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Failures a test can force once, at points no input from a peer can reach
 * (a key change or a seal failing inside the crypto API, a cipher the
 * kernel lacks). Debian's kernels have no fault injection, so the
 * selftests use this to prove that such a failure ends the connection with
 * its own errno. The parameter is root-only and off.
 */

#ifndef RFSEC_FAULT_H
#define RFSEC_FAULT_H

#include <linux/types.h>

enum rfsec_fault_point {
	RFSEC_FAULT_REKEY,	/* a direction's key change fails */
	RFSEC_FAULT_SEAL,	/* sealing a data record fails */
	/*
	 * A listener's shutdown() pauses a second before it shuts its
	 * transport down: new connections arrive in that window, which a
	 * listener must no longer accept.
	 */
	RFSEC_FAULT_SLOW_SHUTDOWN,
	/* A handshake finds its cipher missing from the crypto API. */
	RFSEC_FAULT_NO_AEAD,
	/*
	 * While armed (it stays), new connections start both counters a
	 * few records below the counter limit, so that the rekey the limit
	 * forces happens within a test.
	 */
	RFSEC_FAULT_COUNTERS_HIGH,
};

/* Whether @point must fail now; each armed point fails once. */
bool rfsec_fault(enum rfsec_fault_point point);
/* Whether @point is armed; it stays armed. */
bool rfsec_fault_armed(enum rfsec_fault_point point);

#endif /* RFSEC_FAULT_H */
