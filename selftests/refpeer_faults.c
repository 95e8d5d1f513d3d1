// SPDX-License-Identifier: GPL-2.0
/*
 * refpeer's deliberate mistakes: the record faults of 'inject' and a
 * version-1 initiation (-V 1); see the head of refpeer.c for the list.
 */
#include <time.h>
#include <openssl/crypto.h>

#include "refpeer.h"

/* Sends the record fault; see the head of the file. */
int inject(struct peer *p)
{
	const uint8_t *m = (const uint8_t *)MARKER;
	size_t ml = strlen(MARKER);
	uint8_t rec[NOISE_RECORD_MAX_LEN + 128], rec2[NOISE_RECORD_MAX_LEN];
	int len, len2, body;

	if (!p->fault) {
		fprintf(stderr, "refpeer: inject without -f\n");
		return -EINVAL;
	}
	if (fault_is(p, "replay")) {
		if (!p->last_len)
			return -EINVAL;
		return write_all(p->fd, p->last, p->last_len);
	}
	if (fault_is(p, "short")) {
		noise_header(rec, NOISE_MSG_RECORD, 16);
		memcpy(rec + 4, MARKER "......", 16);
		return write_all(p->fd, rec, 20);
	}
	if (fault_is(p, "oversize")) {
		noise_header(rec, NOISE_MSG_RECORD, NOISE_RECORD_MAX_BODY + 1);
		memset(rec + 4, 'X', 64);
		memcpy(rec + 4, m, ml);
		return write_all(p->fd, rec, 4 + 64);
	}
	if (fault_is(p, "misplaced-confirm"))
		return send_record(p, NOISE_INNER_CONFIRM, NULL, 0);
	if (fault_is(p, "after-close")) {
		p->sent_close = true;
		return send_record(p, NOISE_INNER_CLOSE, NULL, 0) ?:
		       send_record(p, NOISE_INNER_DATA, m, ml);
	}
	if (fault_is(p, "bad-inner")) {
		len = noise_seal(p->cipher, &p->s.tx, 7, m, ml, rec);
		return len < 0 ? -EIO : write_all(p->fd, rec, len);
	}
	if (fault_is(p, "reorder")) {
		len = noise_seal(p->cipher, &p->s.tx, NOISE_INNER_DATA,
				 (const uint8_t *)MARKER "-1", ml + 2, rec);
		len2 = noise_seal(p->cipher, &p->s.tx, NOISE_INNER_DATA,
				  (const uint8_t *)MARKER "-2", ml + 2, rec2);
		if (len < 0 || len2 < 0)
			return -EIO;
		return write_all(p->fd, rec2, len2) ?:
		       write_all(p->fd, rec, len);
	}
	len = noise_seal(p->cipher, &p->s.tx, NOISE_INNER_DATA, m, ml, rec);
	if (len < 0)
		return -EIO;
	body = len - NOISE_HDR_LEN;
	if (fault_is(p, "flip-type")) {
		rec[0] ^= 0x04;
	} else if (fault_is(p, "flip-version")) {
		rec[1] ^= 0x02;
	} else if (fault_is(p, "flip-length")) {
		/* the lowest set bit: the record looks shorter by that much */
		body &= body - 1;
		rec[2] = body >> 8;
		rec[3] = body;
	} else if (fault_is(p, "flip-ct")) {
		rec[NOISE_HDR_LEN + 3] ^= 0x01;
	} else if (fault_is(p, "flip-tag")) {
		rec[len - 1] ^= 0x80;
	} else if (fault_is(p, "truncate")) {
		body -= 5;
		len -= 5;
		rec[2] = body >> 8;
		rec[3] = body;
	} else if (fault_is(p, "close-mid")) {
		int ret = write_all(p->fd, rec, len / 2);

		usleep(500 * 1000);
		close(p->fd);
		p->fd = -1;
		printf("end closed-by-us\n");
		p->failed = true;
		return ret;
	} else {
		fprintf(stderr, "refpeer: unknown fault '%s'\n", p->fault);
		return -EINVAL;
	}
	return write_all(p->fd, rec, len);
}

/*
 * A version-1 initiation as version 1's noise.c built it: the 20-byte
 * prologue with both addresses and the channel, a TAI64N timestamp as the
 * payload, headers of version 1. Only for seeing a version-2 responder's
 * refusal (-V 1): nothing after it is spoken.
 */
#define V1_INITIATION_BODY	110

int write_v1_initiation(struct peer *p, uint8_t *out)
{
	uint8_t prologue[20], ts[12], *b = out + NOISE_HDR_LEN;
	uint64_t t = (1ULL << 62) + (uint64_t)time(NULL);
	struct noise_hs hs;
	int i, ret;

	memcpy(prologue, "rfsec", 5);
	prologue[5] = 1;
	prologue[6] = p->cipher;
	memcpy(prologue + 7, p->local.b, 6);
	memcpy(prologue + 13, p->remote.b, 6);
	prologue[19] = p->chan;
	for (i = 0; i < 8; i++)
		ts[i] = t >> (56 - 8 * i);
	memset(ts + 8, 0, 4);
	out[0] = NOISE_MSG_INITIATION;
	out[1] = 1;
	out[2] = 0;
	out[3] = V1_INITIATION_BODY;
	b[0] = p->cipher;
	b[1] = 0;
	ret = noise_hs_init(&hs, true, p->cipher, p->s_priv, p->rs, p->psk) ?:
	      noise_ik_start(&hs, prologue, sizeof(prologue)) ?:
	      noise_ik_write_first(&hs, NULL, ts, sizeof(ts), b + 2);
	OPENSSL_cleanse(&hs, sizeof(hs));
	return ret ? -EIO : NOISE_HDR_LEN + V1_INITIATION_BODY;
}

