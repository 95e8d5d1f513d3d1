/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fresh Diffie-Hellman keys in band (docs/PROTOCOL.md section 4.2): every
 * ratchet_after_seconds the connection's initiator proposes a fresh X25519
 * key in a record, the other side answers with one, and both directions
 * move to keys derived from the new shared secret and the root key, so a
 * key stolen from memory stops decrypting at the next ratchet.
 *
 * The receive path (under lock_sock()) reads the three ratchet records and
 * does the Diffie-Hellman; the send path (under the session's tx_lock)
 * sends them and installs the sending keys. @lock joins the two.
 */

#ifndef RFSEC_RATCHET_H
#define RFSEC_RATCHET_H

#include "noise.h"

#include <linux/spinlock.h>
#include <linux/types.h>

struct rfsec_records;

struct rfsec_ratchet {
	spinlock_t lock;
	u8 cipher;
	bool initiator;			/* of the connection */
	/* Receive path only: the root key. */
	u8 root[RFSEC_KEY_LEN];
	/* Under @lock: */
	unsigned long done;		/* jiffies of the last completed ratchet */
	bool proposing;			/* our proposal went, its answer not yet */
	bool have_candidate;		/* e_priv/e_pub made, not yet sent */
	u8 e_priv[RFSEC_KEY_LEN];
	u8 e_pub[RFSEC_KEY_LEN];
	bool send_ack;			/* answer with e_pub, then next_tx */
	bool send_switch;		/* switch, then next_tx */
	bool await_switch;		/* next_rx from the peer's switch on */
	u8 next_tx[RFSEC_KEY_LEN];
	u8 next_rx[RFSEC_KEY_LEN];
	atomic64_t bytes;		/* both ways since the last ratchet */
};

/* Module parameters (0 disables proposing). */
extern unsigned int rfsec_ratchet_after_seconds;
extern unsigned long long rfsec_ratchet_after_bytes;

struct rfsec_ratchet *rfsec_ratchet_new(u8 cipher, bool initiator,
					const u8 root[RFSEC_KEY_LEN]);
void rfsec_ratchet_free(struct rfsec_ratchet *r);

/*
 * Receive path: a ratchet record of @inner (RFSEC_INNER_RATCHET..._SWITCH)
 * with @len data bytes. 0 when handled; -EBADMSG for a record that has no
 * place here; another -errno when this side's crypto failed (the records
 * may then be dead).
 */
int rfsec_ratchet_receive(struct rfsec_ratchet *r, struct rfsec_records *rec,
			  u8 inner, const u8 *data, unsigned int len);

/*
 * Send path: the ratchet record due now, if any: its inner type, with its
 * data (RFSEC_KEY_LEN bytes at most) written to @data and its length in
 * @len; 0 when none is due; -errno when making a key failed.
 */
int rfsec_ratchet_next(struct rfsec_ratchet *r, u8 *data, unsigned int *len);
/* That record was sealed: commit it (and install a sending key). */
int rfsec_ratchet_sent(struct rfsec_ratchet *r, struct rfsec_records *rec,
		       u8 inner);

/* Whether a proposal is due; for the timer and the byte count. */
bool rfsec_ratchet_due(struct rfsec_ratchet *r);
/* Seconds between looks at the clock (at least 1). */
unsigned long rfsec_ratchet_period(void);

#endif /* RFSEC_RATCHET_H */
