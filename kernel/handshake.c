// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IKpsk2 messages, token by token as docs/PROTOCOL.md section 2.4
 * lists them:
 *
 *	<- s
 *	...
 *	-> e, es, s, ss		(initiation; payload: receive limit)
 *	<- e, ee, se, psk	(response; payload: receive limit, channel)
 *
 * Every e token also mixes the ephemeral key into the chaining key, as
 * Noise asks of patterns with a psk modifier.
 */

#include "handshake.h"

#include "compat.h"

#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>

/* Offsets in an initiation body. */
#define RFSEC_INIT_CIPHER	0
#define RFSEC_INIT_RESERVED	1
#define RFSEC_INIT_E		2
#define RFSEC_INIT_S		(RFSEC_INIT_E + RFSEC_KEY_LEN)
#define RFSEC_INIT_P		(RFSEC_INIT_S + RFSEC_KEY_LEN + RFSEC_TAG_LEN)
/* And in a response body. */
#define RFSEC_RESP_E		0
#define RFSEC_RESP_P		RFSEC_KEY_LEN

struct rfsec_hs *rfsec_hs_new(u8 cipher, bool initiator,
			      const struct rfsec_peer_keys *keys)
{
	u8 prologue[RFSEC_PROLOGUE_LEN];
	struct rfsec_hs *hs;
	int ret;

	hs = kzalloc(sizeof(*hs), GFP_KERNEL);
	if (!hs)
		return ERR_PTR(-ENOMEM);
	hs->noise = rfsec_noise_new(cipher);
	if (IS_ERR(hs->noise)) {
		ret = PTR_ERR(hs->noise);
		hs->noise = NULL;
		goto err;
	}
	hs->initiator = initiator;
	memcpy(hs->s_priv, keys->local_private, RFSEC_KEY_LEN);
	memcpy(hs->s_pub, keys->local_public, RFSEC_KEY_LEN);
	memcpy(hs->psk, keys->psk, RFSEC_KEY_LEN);
	if (initiator)
		memcpy(hs->rs, keys->remote_public, RFSEC_KEY_LEN);

	/* Binds the version and the cipher (docs/PROTOCOL.md 2.3). */
	memcpy(prologue, "rfsec", 5);
	prologue[5] = RFSEC_PROTO_VERSION;
	prologue[6] = cipher;
	/* The pre-message: the responder's static key. */
	ret = rfsec_noise_init(hs->noise) ?:
	      rfsec_noise_mix_hash(hs->noise, prologue, RFSEC_PROLOGUE_LEN) ?:
	      rfsec_noise_mix_hash(hs->noise,
				   initiator ? hs->rs : hs->s_pub,
				   RFSEC_KEY_LEN);
	if (ret)
		goto err;
	return hs;
err:
	rfsec_hs_free(hs);
	return ERR_PTR(ret);
}

void rfsec_hs_free(struct rfsec_hs *hs)
{
	if (IS_ERR_OR_NULL(hs))
		return;
	rfsec_noise_free(hs->noise);
	kfree_sensitive(hs);
}

/* The e token: a fresh key pair, hashed and (psk pattern) mixed in. */
static int rfsec_hs_write_e(struct rfsec_hs *hs, u8 *out)
{
	int ret;

	ret = rfsec_noise_keypair(hs->noise, hs->e_priv, hs->e_pub);
	if (ret)
		return ret;
	memcpy(out, hs->e_pub, RFSEC_KEY_LEN);
	return rfsec_noise_mix_hash(hs->noise, hs->e_pub, RFSEC_KEY_LEN) ?:
	       rfsec_noise_mix_key(hs->noise, hs->e_pub, RFSEC_KEY_LEN);
}

static int rfsec_hs_read_e(struct rfsec_hs *hs, const u8 *in)
{
	memcpy(hs->re, in, RFSEC_KEY_LEN);
	return rfsec_noise_mix_hash(hs->noise, hs->re, RFSEC_KEY_LEN) ?:
	       rfsec_noise_mix_key(hs->noise, hs->re, RFSEC_KEY_LEN);
}

/* es, ss, ee, se: MixKey(DH(priv, pub)). */
static int rfsec_hs_mix_dh(struct rfsec_hs *hs, const u8 *priv,
			   const u8 *pub)
{
	struct rfsec_noise *noise = hs->noise;
	int ret;

	ret = rfsec_noise_dh(noise, priv, pub);
	if (!ret)
		ret = rfsec_noise_mix_key(noise, noise->dh_out, RFSEC_KEY_LEN);
	memzero_explicit(noise->dh_out, RFSEC_KEY_LEN);
	return ret;
}

static bool rfsec_hs_rx_limit_ok(u16 limit)
{
	return limit >= RFSEC_RX_LIMIT_MIN && limit <= RFSEC_RX_LIMIT_MAX;
}

int rfsec_hs_create_initiation(struct rfsec_hs *hs,
			       const struct rfsec_hs_params *params)
{
	u8 *body = hs->msg + RFSEC_HDR_LEN;

	rfsec_put_header(hs->msg, RFSEC_MSG_INITIATION, RFSEC_INITIATION_LEN);
	body[RFSEC_INIT_CIPHER] = hs->noise->cipher;
	body[RFSEC_INIT_RESERVED] = 0;
	memcpy(body + RFSEC_INIT_S, hs->s_pub, RFSEC_KEY_LEN);
	put_unaligned_be16(params->rx_limit, body + RFSEC_INIT_P);
	return rfsec_hs_write_e(hs, body + RFSEC_INIT_E) ?:
	       rfsec_hs_mix_dh(hs, hs->e_priv, hs->rs) ?:
	       rfsec_noise_encrypt_and_hash(hs->noise, body + RFSEC_INIT_S,
					    RFSEC_KEY_LEN) ?:
	       rfsec_hs_mix_dh(hs, hs->s_priv, hs->rs) ?:
	       rfsec_noise_encrypt_and_hash(hs->noise, body + RFSEC_INIT_P,
					    RFSEC_INIT_PAYLOAD_LEN);
}

int rfsec_hs_consume_initiation(struct rfsec_hs *hs, const u8 *body,
				struct rfsec_hs_params *params)
{
	u8 *copy = hs->msg + RFSEC_HDR_LEN;
	int ret;

	memcpy(copy, body, RFSEC_INITIATION_LEN);
	ret = rfsec_hs_read_e(hs, copy + RFSEC_INIT_E) ?:
	      rfsec_hs_mix_dh(hs, hs->s_priv, hs->re) ?:
	      rfsec_noise_decrypt_and_hash(hs->noise, copy + RFSEC_INIT_S,
					   RFSEC_KEY_LEN);
	if (ret)
		return ret;
	memcpy(hs->rs, copy + RFSEC_INIT_S, RFSEC_KEY_LEN);
	ret = rfsec_hs_mix_dh(hs, hs->s_priv, hs->rs) ?:
	      rfsec_noise_decrypt_and_hash(hs->noise, copy + RFSEC_INIT_P,
					   RFSEC_INIT_PAYLOAD_LEN);
	if (ret)
		return ret;
	params->rx_limit = get_unaligned_be16(copy + RFSEC_INIT_P);
	params->channel = 0;
	return rfsec_hs_rx_limit_ok(params->rx_limit) ? 0 : -EBADMSG;
}

int rfsec_hs_create_response(struct rfsec_hs *hs,
			     const struct rfsec_hs_params *params)
{
	u8 *body = hs->msg + RFSEC_HDR_LEN;

	rfsec_put_header(hs->msg, RFSEC_MSG_RESPONSE, RFSEC_RESPONSE_LEN);
	put_unaligned_be16(params->rx_limit, body + RFSEC_RESP_P);
	body[RFSEC_RESP_P + 2] = params->channel;
	return rfsec_hs_write_e(hs, body + RFSEC_RESP_E) ?:
	       rfsec_hs_mix_dh(hs, hs->e_priv, hs->re) ?:
	       rfsec_hs_mix_dh(hs, hs->e_priv, hs->rs) ?:
	       rfsec_noise_mix_key_and_hash(hs->noise, hs->psk,
					    RFSEC_KEY_LEN) ?:
	       rfsec_noise_encrypt_and_hash(hs->noise, body + RFSEC_RESP_P,
					    RFSEC_RESP_PAYLOAD_LEN);
}

int rfsec_hs_consume_response(struct rfsec_hs *hs, const u8 *body,
			      struct rfsec_hs_params *params)
{
	u8 *copy = hs->msg + RFSEC_HDR_LEN;
	int ret;

	memcpy(copy, body, RFSEC_RESPONSE_LEN);
	ret = rfsec_hs_read_e(hs, copy + RFSEC_RESP_E) ?:
	      rfsec_hs_mix_dh(hs, hs->e_priv, hs->re) ?:
	      rfsec_hs_mix_dh(hs, hs->s_priv, hs->re) ?:
	      rfsec_noise_mix_key_and_hash(hs->noise, hs->psk,
					   RFSEC_KEY_LEN) ?:
	      rfsec_noise_decrypt_and_hash(hs->noise, copy + RFSEC_RESP_P,
					   RFSEC_RESP_PAYLOAD_LEN);
	if (ret)
		return ret;
	params->rx_limit = get_unaligned_be16(copy + RFSEC_RESP_P);
	params->channel = copy[RFSEC_RESP_P + 2];
	return rfsec_hs_rx_limit_ok(params->rx_limit) ? 0 : -EPROTO;
}

int rfsec_hs_split(struct rfsec_hs *hs, u8 tx[RFSEC_KEY_LEN],
		   u8 rx[RFSEC_KEY_LEN])
{
	/* k1 carries initiator to responder, k2 the other way. */
	return hs->initiator ? rfsec_noise_split(hs->noise, tx, rx) :
			       rfsec_noise_split(hs->noise, rx, tx);
}
