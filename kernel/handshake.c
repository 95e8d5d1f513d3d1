// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IKpsk2 messages, token by token as docs/PROTOCOL.md section 2.4
 * lists them:
 *
 *	<- s
 *	...
 *	-> e, es, s, ss		(initiation; payload: TAI64N timestamp)
 *	<- e, ee, se, psk	(response; empty payload)
 *
 * Every e token also mixes the ephemeral key into the chaining key, as
 * Noise asks of patterns with a psk modifier.
 */

#include "handshake.h"

#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>

/* Offsets in an initiation body. */
#define RFSEC_INIT_CIPHER	0
#define RFSEC_INIT_RESERVED	1
#define RFSEC_INIT_E		2
#define RFSEC_INIT_S		(RFSEC_INIT_E + RFSEC_KEY_LEN)
#define RFSEC_INIT_TS		(RFSEC_INIT_S + RFSEC_KEY_LEN + RFSEC_TAG_LEN)

struct rfsec_hs *rfsec_hs_new(u8 cipher, bool initiator,
			      const struct rfsec_peer_keys *keys,
			      const u8 prologue[RFSEC_PROLOGUE_LEN])
{
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

int rfsec_hs_create_initiation(struct rfsec_hs *hs,
			       const u8 tai64n[RFSEC_TAI64N_LEN])
{
	u8 *body = hs->msg + RFSEC_HDR_LEN;
	int ret;

	rfsec_put_header(hs->msg, RFSEC_MSG_INITIATION, RFSEC_INITIATION_LEN);
	body[RFSEC_INIT_CIPHER] = hs->noise->cipher;
	body[RFSEC_INIT_RESERVED] = 0;
	memcpy(body + RFSEC_INIT_S, hs->s_pub, RFSEC_KEY_LEN);
	memcpy(body + RFSEC_INIT_TS, tai64n, RFSEC_TAI64N_LEN);
	ret = rfsec_hs_write_e(hs, body + RFSEC_INIT_E) ?:
	      rfsec_hs_mix_dh(hs, hs->e_priv, hs->rs) ?:
	      rfsec_noise_encrypt_and_hash(hs->noise, body + RFSEC_INIT_S,
					   RFSEC_KEY_LEN) ?:
	      rfsec_hs_mix_dh(hs, hs->s_priv, hs->rs) ?:
	      rfsec_noise_encrypt_and_hash(hs->noise, body + RFSEC_INIT_TS,
					   RFSEC_TAI64N_LEN);
	return ret;
}

int rfsec_hs_consume_initiation(struct rfsec_hs *hs, const u8 *body,
				u8 tai64n[RFSEC_TAI64N_LEN])
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
	      rfsec_noise_decrypt_and_hash(hs->noise, copy + RFSEC_INIT_TS,
					   RFSEC_TAI64N_LEN);
	if (!ret)
		memcpy(tai64n, copy + RFSEC_INIT_TS, RFSEC_TAI64N_LEN);
	return ret;
}

int rfsec_hs_create_response(struct rfsec_hs *hs)
{
	u8 *body = hs->msg + RFSEC_HDR_LEN;

	rfsec_put_header(hs->msg, RFSEC_MSG_RESPONSE, RFSEC_RESPONSE_LEN);
	return rfsec_hs_write_e(hs, body) ?:
	       rfsec_hs_mix_dh(hs, hs->e_priv, hs->re) ?:
	       rfsec_hs_mix_dh(hs, hs->e_priv, hs->rs) ?:
	       rfsec_noise_mix_key_and_hash(hs->noise, hs->psk,
					    RFSEC_KEY_LEN) ?:
	       rfsec_noise_encrypt_and_hash(hs->noise, body + RFSEC_KEY_LEN,
					    0);
}

int rfsec_hs_consume_response(struct rfsec_hs *hs, const u8 *body)
{
	u8 *copy = hs->msg + RFSEC_HDR_LEN;

	memcpy(copy, body, RFSEC_RESPONSE_LEN);
	return rfsec_hs_read_e(hs, copy) ?:
	       rfsec_hs_mix_dh(hs, hs->e_priv, hs->re) ?:
	       rfsec_hs_mix_dh(hs, hs->s_priv, hs->re) ?:
	       rfsec_noise_mix_key_and_hash(hs->noise, hs->psk,
					    RFSEC_KEY_LEN) ?:
	       rfsec_noise_decrypt_and_hash(hs->noise, copy + RFSEC_KEY_LEN,
					    0);
}

int rfsec_hs_split(struct rfsec_hs *hs, u8 tx[RFSEC_KEY_LEN],
		   u8 rx[RFSEC_KEY_LEN])
{
	/* k1 carries initiator to responder, k2 the other way. */
	return hs->initiator ? rfsec_noise_split(hs->noise, tx, rx) :
			       rfsec_noise_split(hs->noise, rx, tx);
}
