/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The record layer: AEAD records with a key and a counter per direction,
 * and in-band rekeying (docs/PROTOCOL.md sections 3.1 and 4).
 */

#ifndef RFSEC_RECORD_H
#define RFSEC_RECORD_H

#include "handshake.h"

#include <linux/types.h>

/* Largest record body (ciphertext and tag), and what it can carry. */
#define RFSEC_RECORD_MAX	4096
#define RFSEC_RECORD_MIN	(1 + RFSEC_TAG_LEN)
#define RFSEC_RECORD_DATA_MAX	(RFSEC_RECORD_MAX - RFSEC_RECORD_MIN)
/* What a record adds to its data on the wire. */
#define RFSEC_RECORD_OVERHEAD	(RFSEC_HDR_LEN + RFSEC_RECORD_MIN)
/* A whole message on the wire, header included. */
#define RFSEC_WIRE_MAX		(RFSEC_HDR_LEN + RFSEC_RECORD_MAX)

/* Inner types, the first plaintext byte of a record. */
enum {
	RFSEC_INNER_DATA = 0,
	RFSEC_INNER_REKEY = 1,
	RFSEC_INNER_CONFIRM = 2,
	RFSEC_INNER_CLOSE = 3,
};

/* A sender rekeys before its counter gets here (2^60). */
#define RFSEC_COUNTER_LIMIT	(1ULL << 60)

/* One direction's key (inside the transform), counter and usage. */
struct rfsec_record_dir {
	struct rfsec_aead aead;
	u64 counter;
	u64 bytes;		/* application bytes under this key */
	u64 records;		/* records under this key */
	unsigned long born;	/* jiffies when the key was made */
	/* For Rekey(); scatterlist-addressable, so allocated with us. */
	u8 scratch[RFSEC_KEY_LEN + RFSEC_TAG_LEN];
};

struct rfsec_records {
	u8 cipher;
	/*
	 * A key change or a seal failed: a transform may hold half a key and
	 * a counter may be spent, so nothing is sealed or opened again and
	 * the connection must end.
	 */
	bool dead;
	struct rfsec_record_dir tx;
	struct rfsec_record_dir rx;
};

/*
 * Set up both directions from the handshake's keys; the caller wipes
 * @tx_key and @rx_key.
 */
struct rfsec_records *rfsec_records_new(u8 cipher, const u8 *tx_key,
					const u8 *rx_key);
void rfsec_records_free(struct rfsec_records *rec);

/*
 * Seal a record in @buf (RFSEC_WIRE_MAX bytes, allocated): the caller
 * put @len bytes of data at buf + RFSEC_HDR_LEN + 1; this writes the
 * header and inner type, encrypts under the next send counter and
 * returns the record's length on the wire, or -errno. Any failure leaves
 * the records dead.
 */
int rfsec_record_seal(struct rfsec_records *rec, u8 *buf, u8 inner,
		      unsigned int len);
/* Undo the last seal, whose record never left: its counter is unused. */
void rfsec_record_unseal(struct rfsec_records *rec, unsigned int len);

/*
 * Open the record in @buf (header and @body_len body bytes) under the
 * next receive counter. Returns the inner type, with the data at
 * buf + RFSEC_HDR_LEN + 1 and its length in @len; -EBADMSG when it does
 * not authenticate (the body is wiped), another -errno when the crypto
 * failed. Any failure leaves the records dead.
 */
int rfsec_record_open(struct rfsec_records *rec, u8 *buf,
		      unsigned int body_len, unsigned int *len);

/* Whether the send direction must rekey before its next record. */
bool rfsec_record_tx_needs_rekey(const struct rfsec_records *rec);
/*
 * Replace a direction's key with Rekey(k) and restart its counter; the
 * counter moves only once the new key is in. On failure the records are
 * dead.
 */
int rfsec_record_rekey(struct rfsec_records *rec, bool tx);

/* Module parameters: the rekey limits and the handshake timeout. */
extern unsigned long long rfsec_rekey_after_bytes;
extern unsigned long long rfsec_rekey_after_records;
extern unsigned int rfsec_rekey_after_seconds;

#endif /* RFSEC_RECORD_H */
