/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netlink fuzzer's side of the wire (nlfuzz_io.c): sockets, one request
 * and everything the kernel answers to it checked against the oracle's
 * outcome, dumps, events, and the search for secrets in every byte read.
 */
#ifndef RFSEC_NLFUZZ_IO_H
#define RFSEC_NLFUZZ_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nlfuzz.h"

struct mnl_socket;

struct fz_io {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t events_group;
	uint32_t seq;
	uint32_t dump_seq;
	unsigned long bytes;	/* read from the kernel, all searched */
	unsigned long events;
	bool leaks;		/* a datagram held 8 bytes of a secret */
};

/* The secrets: every window of 8 bytes of each key added is searched for. */
void secrets_add(const uint8_t key[RFSEC_KEY_LEN]);
/*
 * The fuzzer sends secrets only as secrets: a peer public key (which dumps
 * show) whose bytes hold a secret, as mutations can make, gets @rnd's bytes.
 */
void secrets_scrub_request(uint8_t *buf, size_t len, uint64_t (*rnd)(void));

bool io_open(struct fz_io *io);
/* 0, or -errno (EPERM for a sender without CAP_NET_ADMIN). */
int io_join_events(struct fz_io *io);
uint32_t io_next_seq(struct fz_io *io);

/*
 * Sends the request in @buf and a fence behind it, reads everything up to
 * the fence's ACK (and a dump to its end) and checks it against @out: the errno, the reply or the
 * dump (against @m, unless marked NLM_F_DUMP_INTR), the events in order.
 * Prints what differs and returns false.
 */
bool io_exchange(struct fz_io *io, const uint8_t *buf, size_t len,
		 const struct fz_model *m, const struct fz_outcome *out);

/* Starts a dump of every peer and reads it part by part (-1: to the end). */
bool io_dump_start(struct fz_io *io, uint8_t cmd);
bool io_dump_parts(struct fz_io *io, int parts, bool *done, bool *intr);

/* A full dump of identities and of peers equals @m. */
bool io_dump_equals(struct fz_io *io, struct fz_model *m);
/* Removes every identity of @m through the kernel, checking each answer. */
bool io_clear(struct fz_io *io, struct fz_model *m);
/* No event has arrived since the last exchange. */
bool io_no_events(struct fz_io *io);

int fz_model_peers(const struct fz_model *m);

#endif /* RFSEC_NLFUZZ_IO_H */
