/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's configuration as the tool reads it: identities and peers
 * from GET_* dumps and events, and the names of the uapi's enums.
 */

#ifndef RFSEC_USER_KCONF_H
#define RFSEC_USER_KCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#include "genl.h"
#include "rfsec.h"

/* Failure reasons kept per peer; a newer kernel's beyond this are dropped. */
#define KCONF_MAX_REASONS 16

struct kconf_identity {
	uint8_t adapter[RFSEC_ADDR_LEN];
	uint8_t public_key[RFSEC_KEY_LEN];
};

struct kconf_peer {
	uint8_t adapter[RFSEC_ADDR_LEN];
	uint8_t addr[RFSEC_ADDR_LEN];
	bool has_public_key;
	uint8_t public_key[RFSEC_KEY_LEN];
	bool has_psk;
	uint32_t policy;
	bool has_cipher;	/* older modules do not report it */
	uint32_t cipher;
	bool has_stats;
	uint64_t handshakes;
	uint64_t failures[KCONF_MAX_REASONS];	/* by enum rfsec_hs_failure */
	uint64_t tx_bytes, rx_bytes, tx_records, rx_records, rekeys;
	uint32_t connections;
	uint64_t last_handshake_ns;	/* since the epoch, 0: never */
	uint64_t unclean_ends;		/* streams cut without a close record */
};

/*
 * Parses a GET_PEER reply or a PEER_CHANGED event into @p. Returns 0, or
 * -1 with errno set (EBADMSG for a reply lacking what every one carries).
 */
int kconf_parse_peer(const struct nlmsghdr *nlh, struct kconf_peer *p);

/* The same for GET_IDENTITY replies and IDENTITY_CHANGED events. */
int kconf_parse_identity(const struct nlmsghdr *nlh,
			 struct kconf_identity *id);

/*
 * Dump the identities, or @adapter's only if it is not NULL, into a new
 * array *@ids of *@n entries (free() it). Returns 0, or -1 after printing
 * why. A dump the kernel reports as interrupted by a change is retried.
 */
int kconf_dump_identities(struct rfsec_genl *genl, const uint8_t *adapter,
			  struct kconf_identity **ids, size_t *n);

/* The same for peers, of every identity or of @adapter's. */
int kconf_dump_peers(struct rfsec_genl *genl, const uint8_t *adapter,
		     struct kconf_peer **peers, size_t *n);

/* Names of enum values; NULL for a value this tool does not know. */
const char *kconf_policy_name(uint32_t policy);
const char *kconf_cipher_name(uint32_t cipher);
const char *kconf_failure_name(uint32_t reason);
const char *kconf_change_name(uint32_t change);

/* Name to value; -1 if unknown. */
int kconf_policy_parse(const char *name);
int kconf_cipher_parse(const char *name);

#endif /* RFSEC_USER_KCONF_H */
