/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rfsec pair: the constants of the pairing protocol (docs/PAIRING.md),
 * shared by the tool and anything else that speaks it.
 */

#ifndef RFSEC_USER_PAIR_H
#define RFSEC_USER_PAIR_H

/* RFCOMM server channel a pairing listener uses unless told otherwise. */
#define PAIR_DEFAULT_CHANNEL 27
#define PAIR_VERSION 1

/* Message header: type (1), version (1), body length (2, big-endian). */
#define PAIR_HDR_LEN 4
#define PAIR_MAX_BODY 64

enum pair_msg {
	PAIR_MSG_COMMIT = 1,	/* initiator: commitment (32) */
	PAIR_MSG_KEY = 2,	/* responder: public key (32), nonce (32) */
	PAIR_MSG_REVEAL = 3,	/* initiator: public key (32), nonce (32) */
	PAIR_MSG_CONFIRM = 4,	/* both: confirmation value (32) */
	PAIR_MSG_ABORT = 5,	/* both: reason (1) */
	PAIR_MSG_DONE = 6,	/* initiator: empty, it has installed */
};

enum pair_abort {
	PAIR_ABORT_REFUSED = 1,		/* the user said no */
	PAIR_ABORT_TIMEOUT = 2,		/* waited too long */
	PAIR_ABORT_PROTOCOL = 3,	/* malformed or unexpected message */
	PAIR_ABORT_COMMITMENT = 4,	/* the reveal does not match */
	PAIR_ABORT_LOCAL = 5,		/* a local failure (netlink, ...) */
	PAIR_ABORT_TRANSCRIPT = 6,	/* confirmation values differ */
	PAIR_ABORT_BAD_KEY = 7,		/* a key this side cannot accept */
};

#endif /* RFSEC_USER_PAIR_H */
