/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The RFCOMM socket each rfsec socket rides on: creating and attaching it,
 * its callbacks, and moving bytes between it and the rfsec socket.
 */

#ifndef RFSEC_TRANSPORT_H
#define RFSEC_TRANSPORT_H

#include <linux/net.h>
#include <linux/socket.h>
#include <linux/workqueue.h>
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
void rfsec_transport_kick_after(struct sock *sk, unsigned long delay);
bool rfsec_queue_work(struct work_struct *work);
bool rfsec_queue_delayed_work(struct delayed_work *work, unsigned long delay);
void rfsec_transport_pull(struct sock *sk);
void rfsec_transport_take_error(struct sock *sk);
void rfsec_transport_ended(struct sock *sk, int err);
int rfsec_transport_recv(struct sock *sk, void *buf, size_t len);
int rfsec_transport_send(struct sock *sk, const void *buf, size_t len,
			 int flags);
int rfsec_transport_send_on(struct socket *transport, const void *buf,
			    size_t len, int flags);
void rfsec_transport_consumed(struct sock *sk, int len);
void rfsec_transport_purge_rx(struct sock *sk);
void rfsec_transport_sync_opts(struct sock *sk);
void rfsec_transport_sync_state(struct sock *sk);
void rfsec_transport_abort(struct socket *transport);
int rfsec_transport_sendmsg(struct sock *sk, struct msghdr *msg, size_t len);
bool rfsec_transport_writeable(struct sock *sk);
void rfsec_transport_kill_handshaking(struct sock *parent);

#endif /* RFSEC_TRANSPORT_H */
