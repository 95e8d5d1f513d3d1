/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rfsec handshake messages: Noise IKpsk2 as docs/PROTOCOL.md section 2
 * and 3 define them. This file knows the bytes; session.c decides when
 * to send and what a failure means.
 */

#ifndef RFSEC_HANDSHAKE_H
#define RFSEC_HANDSHAKE_H

#include "noise.h"
#include "peer.h"

#include <linux/types.h>

#define RFSEC_PROTO_VERSION	1
#define RFSEC_HDR_LEN		4

/* Message types (the first header byte). */
enum {
	RFSEC_MSG_INITIATION = 1,
	RFSEC_MSG_RESPONSE = 2,
	RFSEC_MSG_RECORD = 3,
	RFSEC_MSG_REFUSAL = 4,
};

/* Body lengths. */
#define RFSEC_INITIATION_LEN	(2 + RFSEC_KEY_LEN + RFSEC_KEY_LEN + \
				 RFSEC_TAG_LEN + RFSEC_TAI64N_LEN + \
				 RFSEC_TAG_LEN)
#define RFSEC_RESPONSE_LEN	(RFSEC_KEY_LEN + RFSEC_TAG_LEN)
#define RFSEC_REFUSAL_LEN	1

/* Reasons in a refusal. */
enum {
	RFSEC_REFUSE_NO_KEY = 1,
	RFSEC_REFUSE_WRONG_KEY = 2,
	RFSEC_REFUSE_MALFORMED = 3,
	RFSEC_REFUSE_REPLAY = 4,
};

#define RFSEC_PROLOGUE_LEN	20

/*
 * One handshake in progress; allocated, wiped when freed. @msg holds the
 * message being built or parsed (scatterlists point into it).
 */
struct rfsec_hs {
	struct rfsec_noise *noise;
	bool initiator;
	u8 s_priv[RFSEC_KEY_LEN];
	u8 s_pub[RFSEC_KEY_LEN];
	u8 rs[RFSEC_KEY_LEN];
	u8 psk[RFSEC_KEY_LEN];
	u8 e_priv[RFSEC_KEY_LEN];
	u8 e_pub[RFSEC_KEY_LEN];
	u8 re[RFSEC_KEY_LEN];
	u8 msg[RFSEC_HDR_LEN + RFSEC_INITIATION_LEN];
};

/*
 * Start a handshake with @keys (the local identity, the peer's key and
 * psk) under @prologue. For the responder, @keys->remote_public is what
 * the initiator must prove; rs is what it did prove.
 */
struct rfsec_hs *rfsec_hs_new(u8 cipher, bool initiator,
			      const struct rfsec_peer_keys *keys,
			      const u8 prologue[RFSEC_PROLOGUE_LEN]);
void rfsec_hs_free(struct rfsec_hs *hs);

/* Build the initiation into hs->msg (header included). */
int rfsec_hs_create_initiation(struct rfsec_hs *hs,
			       const u8 tai64n[RFSEC_TAI64N_LEN]);
/*
 * Read an initiation body (RFSEC_INITIATION_LEN bytes) whose cipher id
 * the caller has checked. Fills hs->rs with the static key the initiator
 * proved and @tai64n. -EBADMSG: it does not decrypt; -EINVAL: low-order
 * key.
 */
int rfsec_hs_consume_initiation(struct rfsec_hs *hs, const u8 *body,
				u8 tai64n[RFSEC_TAI64N_LEN]);
/* Build the response into hs->msg (header included). */
int rfsec_hs_create_response(struct rfsec_hs *hs);
/* Read a response body; -EBADMSG: the responder is not who we think. */
int rfsec_hs_consume_response(struct rfsec_hs *hs, const u8 *body);
/* The transport keys, each side's own sending key first. */
int rfsec_hs_split(struct rfsec_hs *hs, u8 tx[RFSEC_KEY_LEN],
		   u8 rx[RFSEC_KEY_LEN]);

static inline void rfsec_put_header(u8 *hdr, u8 type, u16 len)
{
	hdr[0] = type;
	hdr[1] = RFSEC_PROTO_VERSION;
	hdr[2] = len >> 8;
	hdr[3] = len & 0xff;
}

#endif /* RFSEC_HANDSHAKE_H */
