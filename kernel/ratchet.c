// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ratchet: fresh Diffie-Hellman keys on a live connection.
 *
 *	P (proposer)			Q
 *	ratchet(E_p)		->		rk, k1, k2 = HKDF(rk, DH(e_q, E_p))
 *				<-	ratchet-ack(E_q), then Q sends with its new key
 *	rk, k1, k2 = HKDF(rk, DH(e_p, E_q)); P receives with its new key
 *	ratchet-switch		->	then P sends with its new key, and Q
 *					receives with its new key
 *
 * k1 carries initiator to responder, k2 the other way, as after Split().
 * Each side changes a direction's key right after the last record of the
 * old key, so the stream never waits for the exchange.
 */

#include "ratchet.h"
#include "record.h"

#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

unsigned int rfsec_ratchet_after_seconds = 120;
module_param_named(ratchet_after_seconds, rfsec_ratchet_after_seconds, uint,
		   0644);
MODULE_PARM_DESC(ratchet_after_seconds,
		 "the initiator exchanges fresh Diffie-Hellman keys this often on a connection; 0: never (default 120)");

unsigned long long rfsec_ratchet_after_bytes = 1ULL << 30;
module_param_named(ratchet_after_bytes, rfsec_ratchet_after_bytes, ullong,
		   0644);
MODULE_PARM_DESC(ratchet_after_bytes,
		 "the initiator exchanges fresh Diffie-Hellman keys after this many application bytes either way (default 1 GiB)");

struct rfsec_ratchet *rfsec_ratchet_new(u8 cipher, bool initiator,
					const u8 root[RFSEC_KEY_LEN])
{
	struct rfsec_ratchet *r;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return NULL;
	spin_lock_init(&r->lock);
	r->cipher = cipher;
	r->initiator = initiator;
	memcpy(r->root, root, RFSEC_KEY_LEN);
	r->done = jiffies;
	atomic64_set(&r->bytes, 0);
	return r;
}

void rfsec_ratchet_free(struct rfsec_ratchet *r)
{
	kfree_sensitive(r);
}

/* A fresh key pair through a transform of its own (one per ratchet). */
static int rfsec_ratchet_keypair(u8 cipher, u8 priv[RFSEC_KEY_LEN],
				 u8 pub[RFSEC_KEY_LEN])
{
	struct rfsec_noise *noise = rfsec_noise_new(cipher);
	int ret;

	if (IS_ERR(noise))
		return PTR_ERR(noise);
	ret = rfsec_noise_keypair(noise, priv, pub);
	rfsec_noise_free(noise);
	return ret;
}

/* rk, k1, k2 = HKDF(rk, DH(@priv, @pub)); receive path only (@root). */
static int rfsec_ratchet_derive(struct rfsec_ratchet *r, const u8 *priv,
				const u8 *pub, u8 k1[RFSEC_KEY_LEN],
				u8 k2[RFSEC_KEY_LEN])
{
	struct rfsec_noise *noise = rfsec_noise_new(r->cipher);
	int ret;

	if (IS_ERR(noise))
		return PTR_ERR(noise);
	ret = rfsec_noise_ratchet(noise, r->root, priv, pub, k1, k2);
	rfsec_noise_free(noise);
	return ret;
}

/* A proposal arrived: answer it (Q). */
static int rfsec_ratchet_on_proposal(struct rfsec_ratchet *r, const u8 *pub)
{
	u8 priv[RFSEC_KEY_LEN], mine[RFSEC_KEY_LEN];
	u8 k1[RFSEC_KEY_LEN], k2[RFSEC_KEY_LEN];
	int ret;

	spin_lock(&r->lock);
	/* Both proposed at once: the initiator's proposal stands. */
	if (r->proposing && r->initiator) {
		spin_unlock(&r->lock);
		return 0;
	}
	if (r->send_ack || r->await_switch || r->send_switch) {
		spin_unlock(&r->lock);
		return -EBADMSG;
	}
	r->proposing = false;
	r->have_candidate = false;
	memzero_explicit(r->e_priv, RFSEC_KEY_LEN);
	spin_unlock(&r->lock);

	ret = rfsec_ratchet_keypair(r->cipher, priv, mine) ?:
	      rfsec_ratchet_derive(r, priv, pub, k1, k2);
	memzero_explicit(priv, sizeof(priv));
	if (ret) {
		memzero_explicit(k1, sizeof(k1));
		memzero_explicit(k2, sizeof(k2));
		return ret == -EINVAL ? -EBADMSG : ret;
	}
	spin_lock(&r->lock);
	memcpy(r->e_pub, mine, RFSEC_KEY_LEN);
	memcpy(r->next_tx, r->initiator ? k1 : k2, RFSEC_KEY_LEN);
	memcpy(r->next_rx, r->initiator ? k2 : k1, RFSEC_KEY_LEN);
	r->send_ack = true;
	r->await_switch = true;
	spin_unlock(&r->lock);
	memzero_explicit(k1, sizeof(k1));
	memzero_explicit(k2, sizeof(k2));
	return 0;
}

/* The answer to our proposal (P): receive with the new key at once. */
static int rfsec_ratchet_on_ack(struct rfsec_ratchet *r,
				struct rfsec_records *rec, const u8 *pub)
{
	u8 priv[RFSEC_KEY_LEN], k1[RFSEC_KEY_LEN], k2[RFSEC_KEY_LEN];
	int ret;

	spin_lock(&r->lock);
	if (!r->proposing || r->send_switch) {
		spin_unlock(&r->lock);
		return -EBADMSG;
	}
	memcpy(priv, r->e_priv, RFSEC_KEY_LEN);
	spin_unlock(&r->lock);

	ret = rfsec_ratchet_derive(r, priv, pub, k1, k2);
	memzero_explicit(priv, sizeof(priv));
	if (!ret)
		ret = rfsec_record_set_key(rec, false, r->initiator ? k2 : k1);
	if (!ret) {
		spin_lock(&r->lock);
		memzero_explicit(r->e_priv, RFSEC_KEY_LEN);
		memcpy(r->next_tx, r->initiator ? k1 : k2, RFSEC_KEY_LEN);
		r->send_switch = true;
		spin_unlock(&r->lock);
	}
	memzero_explicit(k1, sizeof(k1));
	memzero_explicit(k2, sizeof(k2));
	return ret == -EINVAL ? -EBADMSG : ret;
}

/* The proposer's switch (Q): its records now use the new key. */
static int rfsec_ratchet_on_switch(struct rfsec_ratchet *r,
				   struct rfsec_records *rec)
{
	u8 key[RFSEC_KEY_LEN];
	int ret;

	spin_lock(&r->lock);
	/* Our answer must have gone first: the switch answers it. */
	if (!r->await_switch || r->send_ack) {
		spin_unlock(&r->lock);
		return -EBADMSG;
	}
	memcpy(key, r->next_rx, RFSEC_KEY_LEN);
	memzero_explicit(r->next_rx, RFSEC_KEY_LEN);
	r->await_switch = false;
	r->done = jiffies;
	atomic64_set(&r->bytes, 0);
	spin_unlock(&r->lock);
	ret = rfsec_record_set_key(rec, false, key);
	memzero_explicit(key, sizeof(key));
	return ret;
}

int rfsec_ratchet_receive(struct rfsec_ratchet *r, struct rfsec_records *rec,
			  u8 inner, const u8 *data, unsigned int len)
{
	switch (inner) {
	case RFSEC_INNER_RATCHET:
		return len == RFSEC_KEY_LEN ?
		       rfsec_ratchet_on_proposal(r, data) : -EBADMSG;
	case RFSEC_INNER_RATCHET_ACK:
		return len == RFSEC_KEY_LEN ?
		       rfsec_ratchet_on_ack(r, rec, data) : -EBADMSG;
	case RFSEC_INNER_RATCHET_SWITCH:
		return len ? -EBADMSG : rfsec_ratchet_on_switch(r, rec);
	default:
		return -EBADMSG;
	}
}

/* Under @lock. The initiator proposes; the responder only for one that
 * does not (after twice the time), so that a link never keeps its keys.
 */
static bool __rfsec_ratchet_due(struct rfsec_ratchet *r)
{
	unsigned long secs = READ_ONCE(rfsec_ratchet_after_seconds);

	if (!secs || r->proposing || r->send_ack || r->await_switch ||
	    r->send_switch)
		return false;
	if (!r->initiator)
		return time_after_eq(jiffies, r->done + 2 * secs * HZ);
	return time_after_eq(jiffies, r->done + secs * HZ) ||
	       atomic64_read(&r->bytes) >=
	       (s64)READ_ONCE(rfsec_ratchet_after_bytes);
}

bool rfsec_ratchet_due(struct rfsec_ratchet *r)
{
	bool due;

	spin_lock(&r->lock);
	due = __rfsec_ratchet_due(r);
	spin_unlock(&r->lock);
	return due;
}

unsigned long rfsec_ratchet_period(void)
{
	return max(1U, READ_ONCE(rfsec_ratchet_after_seconds) / 4);
}

/* Under @lock: what is due now; -EAGAIN when a proposal needs a key. */
static int __rfsec_ratchet_next(struct rfsec_ratchet *r, u8 *data,
				unsigned int *len)
{
	*len = 0;
	if (r->send_ack) {
		memcpy(data, r->e_pub, RFSEC_KEY_LEN);
		*len = RFSEC_KEY_LEN;
		return RFSEC_INNER_RATCHET_ACK;
	}
	if (r->send_switch)
		return RFSEC_INNER_RATCHET_SWITCH;
	if (!__rfsec_ratchet_due(r))
		return 0;
	if (!r->have_candidate)
		return -EAGAIN;
	memcpy(data, r->e_pub, RFSEC_KEY_LEN);
	*len = RFSEC_KEY_LEN;
	return RFSEC_INNER_RATCHET;
}

int rfsec_ratchet_next(struct rfsec_ratchet *r, u8 *data, unsigned int *len)
{
	u8 priv[RFSEC_KEY_LEN], pub[RFSEC_KEY_LEN];
	int ret;

	spin_lock(&r->lock);
	ret = __rfsec_ratchet_next(r, data, len);
	spin_unlock(&r->lock);
	if (ret != -EAGAIN)
		return ret;

	/* The key pair is made outside the lock; then decide again. */
	ret = rfsec_ratchet_keypair(r->cipher, priv, pub);
	if (ret) {
		memzero_explicit(priv, sizeof(priv));
		return ret;
	}
	spin_lock(&r->lock);
	if (!r->have_candidate && !r->send_ack) {
		memcpy(r->e_priv, priv, RFSEC_KEY_LEN);
		memcpy(r->e_pub, pub, RFSEC_KEY_LEN);
		r->have_candidate = true;
	}
	ret = __rfsec_ratchet_next(r, data, len);
	spin_unlock(&r->lock);
	memzero_explicit(priv, sizeof(priv));
	/* Still no candidate: someone else's exchange began meanwhile. */
	return ret == -EAGAIN ? 0 : ret;
}

int rfsec_ratchet_sent(struct rfsec_ratchet *r, struct rfsec_records *rec,
		       u8 inner)
{
	u8 key[RFSEC_KEY_LEN];
	int ret;

	spin_lock(&r->lock);
	switch (inner) {
	case RFSEC_INNER_RATCHET:
		r->proposing = true;
		r->have_candidate = false;
		spin_unlock(&r->lock);
		return 0;
	case RFSEC_INNER_RATCHET_ACK:
		r->send_ack = false;
		break;
	case RFSEC_INNER_RATCHET_SWITCH:
		r->send_switch = false;
		r->proposing = false;
		r->done = jiffies;
		atomic64_set(&r->bytes, 0);
		break;
	default:
		spin_unlock(&r->lock);
		return -EINVAL;
	}
	memcpy(key, r->next_tx, RFSEC_KEY_LEN);
	memzero_explicit(r->next_tx, RFSEC_KEY_LEN);
	spin_unlock(&r->lock);
	ret = rfsec_record_set_key(rec, true, key);
	memzero_explicit(key, sizeof(key));
	return ret;
}
