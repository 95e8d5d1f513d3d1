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

#include <linux/bits.h>
#include <linux/types.h>

#define RFSEC_PROTO_VERSION	2
#define RFSEC_HDR_LEN		4

/* Message types (the first header byte). */
enum {
	RFSEC_MSG_INITIATION = 1,
	RFSEC_MSG_RESPONSE = 2,
	RFSEC_MSG_RECORD = 3,
	RFSEC_MSG_REFUSAL = 4,
};

/* The handshake payloads: receive limit; and the responder's channel. */
#define RFSEC_INIT_PAYLOAD_LEN	2
#define RFSEC_RESP_PAYLOAD_LEN	3

/* Body lengths. */
#define RFSEC_INITIATION_LEN	(2 + RFSEC_KEY_LEN + RFSEC_KEY_LEN + \
				 RFSEC_TAG_LEN + RFSEC_INIT_PAYLOAD_LEN + \
				 RFSEC_TAG_LEN)
#define RFSEC_RESPONSE_LEN	(RFSEC_KEY_LEN + RFSEC_RESP_PAYLOAD_LEN + \
				 RFSEC_TAG_LEN)
#define RFSEC_REFUSAL_LEN	2

/* Codes in a refusal (its first body byte). */
enum {
	RFSEC_REFUSE_REFUSED = 1,	/* opaque: any reason before proof */
	RFSEC_REFUSE_CIPHER = 2,	/* the proposed cipher is not accepted */
};

/* The ciphers this side accepts, as a refusal's second byte says them. */
#define RFSEC_CIPHERS_ACCEPTED	(BIT(RFSEC_CIPHER_CHACHA20_POLY1305 - 1) | \
				 BIT(RFSEC_CIPHER_AES_256_GCM - 1))

/*
 * The receive limit: the longest whole record (header included) a side
 * can take, announced in the handshake; the other side never sends more.
 */
#define RFSEC_RX_LIMIT_MIN	64
#define RFSEC_RX_LIMIT_MAX	(RFSEC_HDR_LEN + 4096)

/* "rfsec", the version and the cipher id. */
#define RFSEC_PROLOGUE_LEN	7

/* What the two handshake payloads carry. */
struct rfsec_hs_params {
	u16 rx_limit;		/* the sender's receive limit */
	u8 channel;		/* response only: the responder's channel */
};

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
 * Start a handshake of @cipher with @keys (the local identity, the peer's
 * key and psk). For the responder, @keys->remote_public is what the
 * initiator must prove; rs is what it did prove.
 */
struct rfsec_hs *rfsec_hs_new(u8 cipher, bool initiator,
			      const struct rfsec_peer_keys *keys);
void rfsec_hs_free(struct rfsec_hs *hs);

/* Build the initiation into hs->msg (header included). */
int rfsec_hs_create_initiation(struct rfsec_hs *hs,
			       const struct rfsec_hs_params *params);
/*
 * Read an initiation body (RFSEC_INITIATION_LEN bytes) whose cipher id
 * the caller has checked. Fills hs->rs with the static key the initiator
 * proved and @params with its payload. -EBADMSG: it does not decrypt or
 * its payload is out of range; -EINVAL: low-order key.
 */
int rfsec_hs_consume_initiation(struct rfsec_hs *hs, const u8 *body,
				struct rfsec_hs_params *params);
/* Build the response into hs->msg (header included). */
int rfsec_hs_create_response(struct rfsec_hs *hs,
			     const struct rfsec_hs_params *params);
/*
 * Read a response body into @params. -EBADMSG: the responder is not who
 * we think (it does not decrypt); -EPROTO: it decrypts, but its payload is
 * out of range; -EINVAL: low-order key.
 */
int rfsec_hs_consume_response(struct rfsec_hs *hs, const u8 *body,
			      struct rfsec_hs_params *params);
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
