/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The state directory that 'rfsec save' writes and 'rfsec restore' loads:
 * one folder per local adapter, named by its address as BlueZ names those
 * under /var/lib/bluetooth, holding
 *
 *   identity  the adapter's X25519 private key in base64 (mode 0600)
 *   peers     one peer per line: ADDR [public-key B64] [psk B64]
 *             [policy NAME] [cipher NAME]; '#' starts a comment (0600)
 *
 * Private and pre-shared keys cannot be read back from the kernel, so they
 * are written when they are set: 'rfsec identity set' stores the identity
 * (creating the folders), 'rfsec peer add|set|del' keep the peers file of
 * an adapter whose folder exists up to date, and 'rfsec save' rewrites the
 * peers files from the kernel, taking pre-shared keys from the old files.
 * Files are replaced atomically (NAME.tmp, fsync, rename); a NAME.tmp that
 * a crash left is removed. Files and folders that another user could have
 * written (not owned by root or the caller, or group- or world-writable)
 * are refused, as sshd's StrictModes refuses them.
 */

#ifndef RFSEC_USER_STATE_H
#define RFSEC_USER_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "rfsec.h"

#define STATE_DEFAULT_DIR "/var/lib/rfsec"

/* What the peers file says about one peer. */
struct state_peer {
	uint8_t addr[RFSEC_ADDR_LEN];
	bool has_public_key, has_psk, has_policy, has_cipher;
	uint8_t public_key[RFSEC_KEY_LEN];
	uint8_t psk[RFSEC_KEY_LEN];
	uint32_t policy, cipher;
	unsigned int line;	/* where it was read, 0 if not from a file */
};

/*
 * The state directory: $RFSEC_STATE_DIR if set (and the tool does not run
 * set-user-ID: secure_getenv), else STATE_DEFAULT_DIR.
 * NULL when RFSEC_STATE_DIR is set to the empty string: nothing is stored.
 */
const char *state_dir(void);

/*
 * Stores @private_key as @adapter's identity, creating the state directory
 * and the adapter's folder (mode 0700) as needed. Returns 0 (also when
 * storing is turned off), or -1 after printing why.
 */
int state_store_identity(const uint8_t adapter[RFSEC_ADDR_LEN],
			 const uint8_t private_key[RFSEC_KEY_LEN]);

/* Removes @adapter's folder and its files. 0, or -1 after printing why. */
int state_forget_identity(const uint8_t adapter[RFSEC_ADDR_LEN]);

/*
 * Adds or replaces @p in @adapter's peers file, if the adapter has a
 * folder; otherwise does nothing. A peers file that does not parse is left
 * as it is. 0, or -1 after printing why.
 */
int state_store_peer(const uint8_t adapter[RFSEC_ADDR_LEN],
		     const struct state_peer *p);

/* Removes the peer @addr from @adapter's peers file, if there. */
int state_forget_peer(const uint8_t adapter[RFSEC_ADDR_LEN],
		      const uint8_t addr[RFSEC_ADDR_LEN]);

/*
 * What @adapter's peers file says about the peer @addr: 1 and *@p filled
 * (wipe it), 0 if no file or no such peer, -1 after printing why the file
 * is refused.
 */
int state_find_peer(const uint8_t adapter[RFSEC_ADDR_LEN],
		    const uint8_t addr[RFSEC_ADDR_LEN], struct state_peer *p);

#endif /* RFSEC_USER_STATE_H */
