/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What refpeer.c (the peer: handshakes, records, actions) and
 * refpeer_faults.c (what it sends wrong on purpose) share.
 */
#ifndef RFSEC_SELFTEST_REFPEER_H
#define RFSEC_SELFTEST_REFPEER_H

#include "noise.h"
#include "proto_util.h"

#define MARKER "BAD!MARKER"

struct peer {
	bool initiator;
	int cipher;
	uint8_t s_priv[32], rs[32], psk[32];
	bdaddr_t local, remote;
	uint8_t chan;
	const char *fault;
	int timeout_ms;
	int conn;			/* connection number, from 0 */
	int fd;
	struct noise_session s;
	struct pu_buf got;
	uint8_t last[NOISE_RECORD_MAX_LEN];	/* last record sent */
	int last_len;
	uint8_t saved[NOISE_INITIATION_LEN + 16];	/* handshake message */
	size_t saved_len;
	uint16_t rx_limit;		/* what we announce (-L) */
	uint16_t peer_limit;		/* what the other side announced */
	bool unknown_chan;		/* -U */
	uint8_t accept_mask;		/* -A */
	int version;			/* -V */
	bool sent_close;		/* our close record went out */
	bool got_close;			/* the other side's arrived */
	bool failed;			/* "end" already printed */
};

static inline bool fault_is(const struct peer *p, const char *f)
{
	return p->fault && !strcmp(p->fault, f);
}

int write_all(int fd, const void *buf, size_t len);
/* Seals one record with the next tx counter and writes it. */
int send_record(struct peer *p, uint8_t inner, const uint8_t *d, size_t len);

/* Sends the record fault p->fault ('inject'). */
int inject(struct peer *p);
/* A version-1 initiation into out: its length, or -EIO. */
int write_v1_initiation(struct peer *p, uint8_t *out);

#endif /* RFSEC_SELFTEST_REFPEER_H */
