/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netlink fuzzer's model of the rfsec family (nlfuzz_model.c): what the
 * configuration holds after the requests the kernel should have accepted,
 * and what the kernel must answer to any request, however malformed.
 */
#ifndef RFSEC_NLFUZZ_H
#define RFSEC_NLFUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfsec.h"

/* The limits uapi/rfsec.h documents. */
#define FZ_MAX_IDENTITIES	16
#define FZ_MAX_PEERS		64

typedef struct { uint8_t b[RFSEC_ADDR_LEN]; } fz_addr;

struct fz_peer {
	fz_addr addr;
	bool has_pub, has_psk;
	uint8_t pub[RFSEC_KEY_LEN];
	uint8_t psk[RFSEC_KEY_LEN];	/* all zero when absent */
	uint32_t policy, cipher;
};

struct fz_identity {
	fz_addr adapter;
	uint8_t priv[RFSEC_KEY_LEN];
	uint8_t pub[RFSEC_KEY_LEN];
	int n_peers;
	struct fz_peer peers[FZ_MAX_PEERS];	/* in the kernel's list order */
};

struct fz_model {
	int n;
	struct fz_identity ids[FZ_MAX_IDENTITIES];	/* in list order */
};

/* An event the kernel must multicast, in order. */
struct fz_event {
	uint8_t cmd;
	uint32_t change;
	fz_addr adapter, peer;
	uint8_t pub[RFSEC_KEY_LEN];	/* IDENTITY_CHANGED only */
};

#define FZ_MAX_EVENTS	(FZ_MAX_PEERS + 2)

/* What a request must produce. */
struct fz_outcome {
	bool silent;		/* no answer at all (dropped, or no ACK asked) */
	bool dump;		/* answered by a dump (parts, then NLMSG_DONE) */
	int err;		/* 0 or the positive errno */
	bool err_in_done;	/* the dump's refusal comes in NLMSG_DONE */
	/* A doit GET's reply: which identity (and peer) it describes. */
	int reply_identity, reply_peer;	/* -1 when none */
	bool reply_info;	/* GET_INFO's reply */
	/* A dump's filter: -1 for every identity. */
	int dump_identity;
	bool changed;		/* the configuration changed */
	int n_events;
	struct fz_event events[FZ_MAX_EVENTS];
};

/*
 * Predicts what the kernel answers to the request in @buf (@len bytes as
 * sent, one netlink message of the rfsec family's type) from a sender with
 * or without CAP_NET_ADMIN, and applies its effect to @m. @split_ops: the
 * kernel's generic netlink looks commands up as dump or request (6.2 on).
 */
void fz_predict(struct fz_model *m, const uint8_t *buf, size_t len,
		bool admin, bool split_ops, struct fz_outcome *out);

/* X25519 public key of @priv (OpenSSL); false on failure. */
bool fz_x25519_public(uint8_t pub[RFSEC_KEY_LEN],
		      const uint8_t priv[RFSEC_KEY_LEN]);

int fz_find_identity(const struct fz_model *m, const fz_addr *a);
int fz_find_peer(const struct fz_identity *id, const fz_addr *a);

#endif /* RFSEC_NLFUZZ_H */
