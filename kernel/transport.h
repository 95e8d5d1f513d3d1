/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The RFCOMM socket each rfsec socket rides on: creating and attaching it,
 * its callbacks, and moving bytes between it and the rfsec socket.
 */

#ifndef RFSEC_TRANSPORT_H
#define RFSEC_TRANSPORT_H

#include <linux/net.h>
#include <linux/socket.h>
#include <net/sock.h>

/*
 * Largest piece handed to RFCOMM's sendmsg at once. RFCOMM builds a whole
 * write as a chain of MTU-sized buffers charged to its send buffer before
 * sending any of them, so one large write can wait for room that only its
 * own sending would free; small pieces never do.
 */
#define RFSEC_TX_CHUNK	1024

int rfsec_transport_init(void);
void rfsec_transport_uninit(void);

int rfsec_transport_create(struct sock *sk);
void rfsec_transport_attach(struct sock *sk, struct socket *transport);
struct socket *rfsec_transport_detach(struct sock *sk);
void rfsec_transport_kick(struct sock *sk);
void rfsec_transport_consumed(struct sock *sk, int len);
void rfsec_transport_purge_rx(struct sock *sk);
void rfsec_transport_sync_opts(struct sock *sk);
void rfsec_transport_sync_state(struct sock *sk);
int rfsec_transport_sendmsg(struct sock *sk, struct msghdr *msg, size_t len);
bool rfsec_transport_writeable(struct sock *sk);

#endif /* RFSEC_TRANSPORT_H */
