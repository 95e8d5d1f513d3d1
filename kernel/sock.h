/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rfsec socket family: what applications hold.
 */

#ifndef RFSEC_SOCK_H
#define RFSEC_SOCK_H

#include <linux/container_of.h>
#include <linux/net.h>
#include <linux/workqueue.h>
#include <net/bluetooth/bluetooth.h>

/*
 * An rfsec socket. bt_sock must come first: the Bluetooth core helpers
 * (bt_sock_alloc(), bt_sock_poll(), the accept queue) treat every socket of
 * the family as a struct bt_sock.
 */
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

#endif /* RFSEC_SOCK_H */
