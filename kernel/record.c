// SPDX-License-Identifier: GPL-2.0-only
/*
 * AEAD records. The counter of each direction is the nonce and is never
 * sent: a receiver decrypts with the counter it expects, so a replayed,
 * reordered or dropped record cannot authenticate. The send direction is
 * used under the session's send lock, the receive direction under the
 * socket lock, so neither needs a lock of its own.
 */

#include "record.h"
#include "compat.h"
#include "fault.h"

#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

unsigned long long rfsec_rekey_after_bytes = 1ULL << 30;
module_param_named(rekey_after_bytes, rfsec_rekey_after_bytes, ullong, 0644);
MODULE_PARM_DESC(rekey_after_bytes,
		 "rekey a direction after this many application bytes (default 1 GiB)");

unsigned long long rfsec_rekey_after_records = 1ULL << 32;
module_param_named(rekey_after_records, rfsec_rekey_after_records, ullong,
		   0644);
MODULE_PARM_DESC(rekey_after_records,
		 "rekey a direction after this many records (default 2^32)");

unsigned int rfsec_rekey_after_seconds = 120;
module_param_named(rekey_after_seconds, rfsec_rekey_after_seconds, uint,
		   0644);
MODULE_PARM_DESC(rekey_after_seconds,
		 "rekey a direction this long after its key was made, at its next send; 0: never (default 120)");

unsigned int rfsec_key_max_age_seconds = 360;
module_param_named(key_max_age_seconds, rfsec_key_max_age_seconds, uint,
		   0644);
MODULE_PARM_DESC(key_max_age_seconds,
		 "end a connection whose peer sends data under a key this much older than its last Diffie-Hellman; 0: no limit (default 360)");

static int rfsec_record_dir_init(struct rfsec_record_dir *dir, u8 cipher,
				 const u8 *key)
{
	int ret;

	ret = rfsec_aead_init(&dir->aead, cipher);
	if (ret)
		return ret;
	dir->born = jiffies;
	dir->dh_born = dir->born;
	return rfsec_aead_setkey(&dir->aead, key);
}

struct rfsec_records *rfsec_records_new(u8 cipher, const u8 *tx_key,
					const u8 *rx_key)
{
	struct rfsec_records *rec;
	int ret;

	rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return ERR_PTR(-ENOMEM);
	rec->cipher = cipher;
	ret = rfsec_record_dir_init(&rec->tx, cipher, tx_key) ?:
	      rfsec_record_dir_init(&rec->rx, cipher, rx_key);
	if (ret) {
		rfsec_records_free(rec);
		return ERR_PTR(ret);
	}
	if (rfsec_fault_armed(RFSEC_FAULT_COUNTERS_HIGH)) {
		rec->tx.counter = RFSEC_COUNTER_LIMIT - 8;
		rec->rx.counter = RFSEC_COUNTER_LIMIT - 8;
	}
	return rec;
}

void rfsec_records_free(struct rfsec_records *rec)
{
	if (IS_ERR_OR_NULL(rec))
		return;
	/* Freeing a transform wipes the key schedule it holds. */
	rfsec_aead_destroy(&rec->tx.aead);
	rfsec_aead_destroy(&rec->rx.aead);
	kfree_sensitive(rec);
}

int rfsec_record_seal(struct rfsec_records *rec, u8 *buf, u8 inner,
		      unsigned int len)
{
	unsigned int body = 1 + len + RFSEC_TAG_LEN;
	struct rfsec_record_dir *tx = &rec->tx;
	int ret;

	if (rec->dead)
		return -EPIPE;
	if (WARN_ON_ONCE(len > RFSEC_RECORD_DATA_MAX) ||
	    tx->counter >= RFSEC_COUNTER_LIMIT)
		return -EOVERFLOW;
	rfsec_put_header(buf, RFSEC_MSG_RECORD, body);
	buf[RFSEC_HDR_LEN] = inner;
	if (inner == RFSEC_INNER_DATA && rfsec_fault(RFSEC_FAULT_SEAL))
		ret = -EIO;
	else
		ret = rfsec_aead_crypt(&tx->aead, tx->counter, buf,
				       RFSEC_HDR_LEN, buf + RFSEC_HDR_LEN,
				       1 + len, true);
	if (ret) {
		/* A driver may have written part of it under this counter. */
		rec->dead = true;
		memzero_explicit(buf, RFSEC_HDR_LEN + body);
		return ret;
	}
	tx->counter++;
	tx->records++;
	tx->bytes += len;
	return RFSEC_HDR_LEN + body;
}

void rfsec_record_unseal(struct rfsec_records *rec, unsigned int len)
{
	rec->tx.counter--;
	rec->tx.records--;
	rec->tx.bytes -= len;
}

int rfsec_record_open(struct rfsec_records *rec, u8 *buf,
		      unsigned int body_len, unsigned int *len)
{
	struct rfsec_record_dir *rx = &rec->rx;
	int ret;

	if (rec->dead)
		return -EPIPE;
	if (body_len < RFSEC_RECORD_MIN || body_len > RFSEC_RECORD_MAX ||
	    rx->counter >= RFSEC_COUNTER_LIMIT) {
		rec->dead = true;
		return -EBADMSG;
	}
	ret = rfsec_aead_crypt(&rx->aead, rx->counter, buf, RFSEC_HDR_LEN,
			       buf + RFSEC_HDR_LEN, body_len, false);
	if (ret) {
		rec->dead = true;
		return ret;
	}
	rx->counter++;
	rx->records++;
	*len = body_len - RFSEC_RECORD_MIN;
	rx->bytes += *len;
	return buf[RFSEC_HDR_LEN];
}

bool rfsec_record_tx_needs_rekey(const struct rfsec_records *rec)
{
	const struct rfsec_record_dir *tx = &rec->tx;
	unsigned int secs = READ_ONCE(rfsec_rekey_after_seconds);

	/* One record is left for the rekey record itself. */
	return tx->counter >= RFSEC_COUNTER_LIMIT - 1 ||
	       tx->records >= READ_ONCE(rfsec_rekey_after_records) ||
	       tx->bytes >= READ_ONCE(rfsec_rekey_after_bytes) ||
	       (secs && time_after_eq(jiffies, tx->born + secs * HZ));
}

/*
 * A direction's new key is in (@ret 0): its counter restarts, only now.
 * Else the records are dead: the transform may hold half a key.
 */
static int rfsec_record_key_changed(struct rfsec_records *rec,
				    struct rfsec_record_dir *dir, int ret)
{
	if (ret) {
		rec->dead = true;
		return ret;
	}
	dir->counter = 0;
	dir->bytes = 0;
	dir->records = 0;
	dir->born = jiffies;
	return 0;
}

int rfsec_record_set_key(struct rfsec_records *rec, bool tx, const u8 *key)
{
	struct rfsec_record_dir *dir = tx ? &rec->tx : &rec->rx;
	int ret;

	if (rec->dead)
		return -EPIPE;
	ret = rfsec_record_key_changed(rec, dir,
				       rfsec_aead_setkey(&dir->aead, key));
	if (!ret)
		dir->dh_born = dir->born;
	return ret;
}

bool rfsec_record_rx_key_too_old(const struct rfsec_records *rec)
{
	unsigned int secs = READ_ONCE(rfsec_key_max_age_seconds);

	return secs && time_after(jiffies, rec->rx.dh_born + secs * HZ);
}

int rfsec_record_rekey(struct rfsec_records *rec, bool tx)
{
	struct rfsec_record_dir *dir = tx ? &rec->tx : &rec->rx;
	int ret;

	if (rec->dead)
		return -EPIPE;
	if (rfsec_fault(RFSEC_FAULT_REKEY))
		ret = -ENOMEM;
	else
		ret = rfsec_aead_rekey(&dir->aead, dir->scratch);
	return rfsec_record_key_changed(rec, dir, ret);
}
