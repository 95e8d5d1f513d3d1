/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rfsec socket family: what applications hold.
 */

#ifndef RFSEC_SOCK_H
#define RFSEC_SOCK_H

#include <linux/container_of.h>
#include <linux/list.h>
#include <linux/net.h>
#include <linux/workqueue.h>
#include <net/bluetooth/bluetooth.h>

/*
 * An rfsec socket. bt_sock must come first: the Bluetooth core helpers
 * (bt_sock_alloc(), bt_sock_poll(), the accept queue) treat every socket of
 * the family as a struct bt_sock.
 */
struct rfsec_session;

struct rfsec_sock {
	struct bt_sock bt;
	/*
	 * The in-kernel RFCOMM socket this one rides on. Created on first
	 * use, in process context, under lock_sock(); see rfsec_sock_create().
	 * Set once, cleared only by release, so the socket calls read it
	 * without the lock.
	 */
	struct socket *transport;
	/*
	 * A blocking connect() is waiting on the transport: the outcome,
	 * error included, is the connect call's to collect, not the work's.
	 * Under lock_sock().
	 */
	bool connect_waiting;
	/*
	 * The connection's security (session.c): set before the socket
	 * connects or, for a child, before its transport is attached, and
	 * freed with the sock.
	 */
	struct rfsec_session *session;
	/*
	 * A listener's children whose handshake is still running, each
	 * owned by this list until it moves to the accept queue or is
	 * killed; under lock_sock() of the listener.
	 */
	struct list_head hs_children;
	unsigned int hs_count;
	/* A child: its place in hs_children, and its listener (a reference). */
	struct list_head hs_node;
	struct sock *listener;
	/*
	 * Moves what the transport received, and its state, onto this sock.
	 * Delayed only to retry after a failed allocation.
	 */
	struct delayed_work rx_work;
	/* The transport's own callbacks, chained to and restored on detach. */
	void (*saved_data_ready)(struct sock *tsk);
	void (*saved_state_change)(struct sock *tsk);
	void (*saved_write_space)(struct sock *tsk);
};

static inline struct rfsec_sock *rfsec_sk(struct sock *sk)
{
	return container_of(sk, struct rfsec_sock, bt.sk);
}

int rfsec_sock_init(void);
void rfsec_sock_uninit(void);
unsigned int rfsec_sock_count(void);
struct sock *rfsec_sock_alloc_child(struct sock *parent,
				    struct socket *transport);
void rfsec_sock_kill(struct sock *sk);

#endif /* RFSEC_SOCK_H */
