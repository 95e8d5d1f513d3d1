// SPDX-License-Identifier: GPL-2.0-only
/*
 * The transport: the kernel RFCOMM socket under every rfsec socket.
 *
 * RFCOMM calls the transport's callbacks from its own thread, under its own
 * locks, so they only queue rx_work. The work runs in process context and
 * moves what RFCOMM received onto the rfsec socket's receive queue (one skb
 * per RFCOMM skb, so reads see the same boundaries), turns new connections
 * on a listening transport into rfsec children, and mirrors the transport's
 * state and errors. Reading through RFCOMM's own recvmsg keeps its credit
 * flow control working: when the rfsec socket is full the work stops
 * reading, RFCOMM's buffer fills and RFCOMM throttles the peer.
 *
 * Lock order, outermost first (lockdep checks it on the debug kernels):
 *   1. an rfsec sock the application created (a listener in its work, in
 *      accept() and in close());
 *   2. a listener's child, which has a lock class of its own
 *      (rfsec_sock_alloc_child()): a listener locks its children, never
 *      the other way, so the Bluetooth core's accept queue helpers may
 *      lock them at either subclass under it. Its works (rx, tx, timeout)
 *      have lockdep classes of their own too, since a listener cancels
 *      them under its lock and they take only the child's locks;
 *   3. the session's tx_lock (sendmsg, the tx work, drain; never taken
 *      under 1 or 2);
 *   4. the transport's (RFCOMM) sock, and RFCOMM's own locks under it.
 * The transport callbacks run under RFCOMM's locks and take none of ours.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "transport.h"
#include "session.h"
#include "sock.h"

#include <linux/skbuff.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <net/bluetooth/bluetooth.h>
#include <net/sock.h>

static struct workqueue_struct *rfsec_wq;

/*
 * Queue the work; the queued work holds a reference on the sock, taken
 * before queueing since the work may run and drop it at once.
 */
bool rfsec_queue_work(struct work_struct *work)
{
	return queue_work(rfsec_wq, work);
}

bool rfsec_queue_delayed_work(struct delayed_work *work, unsigned long delay)
{
	return queue_delayed_work(rfsec_wq, work, delay);
}

void rfsec_transport_kick_after(struct sock *sk, unsigned long delay)
{
	sock_hold(sk);
	if (!queue_delayed_work(rfsec_wq, &rfsec_sk(sk)->rx_work, delay))
		sock_put(sk);
}

void rfsec_transport_kick(struct sock *sk)
{
	rfsec_transport_kick_after(sk, 0);
}

/*
 * The rfsec sock a transport belongs to, with the transport's callback lock
 * read-held: detach clears it under the write lock, so a non-NULL result is
 * alive until the lock is dropped.
 */
static struct sock *rfsec_owner(struct sock *tsk)
{
	return tsk->sk_user_data;
}

static void rfsec_transport_data_ready(struct sock *tsk)
{
	struct sock *sk;

	read_lock_bh(&tsk->sk_callback_lock);
	sk = rfsec_owner(tsk);
	if (sk) {
		rfsec_sk(sk)->saved_data_ready(tsk);
		rfsec_transport_kick(sk);
	} else {
		tsk->sk_data_ready(tsk);
	}
	read_unlock_bh(&tsk->sk_callback_lock);
}

static void rfsec_transport_state_change(struct sock *tsk)
{
	struct sock *sk;

	read_lock_bh(&tsk->sk_callback_lock);
	sk = rfsec_owner(tsk);
	if (sk) {
		/* Wakes our own waits on the transport (connect, linger). */
		rfsec_sk(sk)->saved_state_change(tsk);
		rfsec_session_wake_drain(sk);
		rfsec_transport_kick(sk);
	} else {
		tsk->sk_state_change(tsk);
	}
	read_unlock_bh(&tsk->sk_callback_lock);
}

static void rfsec_transport_write_space(struct sock *tsk)
{
	struct sock *sk;

	read_lock_bh(&tsk->sk_callback_lock);
	sk = rfsec_owner(tsk);
	if (sk) {
		rfsec_sk(sk)->saved_write_space(tsk);
		/* Room in the transport is room for the application. */
		rfsec_session_write_space(sk);
		sk->sk_write_space(sk);
	} else {
		tsk->sk_write_space(tsk);
	}
	read_unlock_bh(&tsk->sk_callback_lock);
}

static void rfsec_rx_work(struct work_struct *work);

void rfsec_transport_attach(struct sock *sk, struct socket *transport)
{
	struct rfsec_sock *rs = rfsec_sk(sk);
	struct sock *tsk = transport->sk;

	/*
	 * A listener's child (no struct socket yet) gets a work of its own
	 * lockdep class: its work takes only its own lock, and a listener
	 * cancels its children's works under the listener's lock.
	 */
	if (sk->sk_socket)
		INIT_DELAYED_WORK(&rs->rx_work, rfsec_rx_work);
	else
		INIT_DELAYED_WORK(&rs->rx_work, rfsec_rx_work);
	write_lock_bh(&tsk->sk_callback_lock);
	rs->saved_data_ready = tsk->sk_data_ready;
	rs->saved_state_change = tsk->sk_state_change;
	rs->saved_write_space = tsk->sk_write_space;
	tsk->sk_data_ready = rfsec_transport_data_ready;
	tsk->sk_state_change = rfsec_transport_state_change;
	tsk->sk_write_space = rfsec_transport_write_space;
	tsk->sk_user_data = sk;
	write_unlock_bh(&tsk->sk_callback_lock);
	WRITE_ONCE(rs->transport, transport);
}

/* Drop what the application will never read. */
void rfsec_transport_purge_rx(struct sock *sk)
{
	skb_queue_purge(&sk->sk_receive_queue);
	atomic_set(&sk->sk_rmem_alloc, 0);
}

/*
 * Give the transport back its callbacks and wait out our work; the caller
 * then owns the returned transport and releases it. Not under lock_sock(sk):
 * the work takes it.
 */
struct socket *rfsec_transport_detach(struct sock *sk)
{
	struct rfsec_sock *rs = rfsec_sk(sk);
	struct socket *transport = rs->transport;
	struct sock *tsk;

	if (!transport)
		return NULL;
	tsk = transport->sk;
	write_lock_bh(&tsk->sk_callback_lock);
	tsk->sk_data_ready = rs->saved_data_ready;
	tsk->sk_state_change = rs->saved_state_change;
	tsk->sk_write_space = rs->saved_write_space;
	tsk->sk_user_data = NULL;
	write_unlock_bh(&tsk->sk_callback_lock);

	if (cancel_delayed_work_sync(&rs->rx_work))
		sock_put(sk);
	WRITE_ONCE(rs->transport, NULL);
	return transport;
}

/*
 * Create the RFCOMM transport unless the socket has one. This sleeps and may
 * load rfcomm.ko, so it runs from the socket calls, never from create().
 */
int rfsec_transport_create(struct sock *sk)
{
	struct socket *transport;
	int err = 0;

	lock_sock(sk);
	if (!rfsec_sk(sk)->transport) {
		err = sock_create_kern(sock_net(sk), PF_BLUETOOTH, sk->sk_type,
				       BTPROTO_RFCOMM, &transport);
		if (!err)
			rfsec_transport_attach(sk, transport);
	}
	release_sock(sk);
	return err;
}

/*
 * The application sets SOL_SOCKET options on the rfsec socket; those that
 * govern sending must act on the transport, which does it. Plain fields the
 * transport reads locklessly, so no lock on the send path.
 */
static void rfsec_transport_sync_send_opts(struct sock *sk, struct sock *tsk)
{
	WRITE_ONCE(tsk->sk_sndtimeo, READ_ONCE(sk->sk_sndtimeo));
	WRITE_ONCE(tsk->sk_sndbuf, READ_ONCE(sk->sk_sndbuf));
	WRITE_ONCE(tsk->sk_priority, READ_ONCE(sk->sk_priority));
}

/* Sending options plus SO_LINGER, for connect, shutdown and close. */
void rfsec_transport_sync_opts(struct sock *sk)
{
	struct socket *transport = READ_ONCE(rfsec_sk(sk)->transport);
	struct sock *tsk;

	if (!transport)
		return;
	tsk = transport->sk;
	rfsec_transport_sync_send_opts(sk, tsk);
	/* Socket flags are set non-atomically: under the transport's lock. */
	lock_sock(tsk);
	tsk->sk_lingertime = READ_ONCE(sk->sk_lingertime);
	if (sock_flag(sk, SOCK_LINGER))
		sock_set_flag(tsk, SOCK_LINGER);
	else
		sock_reset_flag(tsk, SOCK_LINGER);
	release_sock(tsk);
}

/*
 * End a failed connection's link from the work, under lock_sock(): without
 * the application's SO_LINGER, which would make the work sleep holding the
 * lock until RFCOMM's disconnect completed or timed out. A failed session
 * has nothing left that lingering could deliver.
 */
void rfsec_transport_abort(struct socket *transport)
{
	struct sock *tsk = transport->sk;

	lock_sock(tsk);
	sock_reset_flag(tsk, SOCK_LINGER);
	release_sock(tsk);
	kernel_sock_shutdown(transport, SHUT_RDWR);
}

/*
 * Mirror the transport's state; called under lock_sock(sk). A child still
 * waiting in its parent's accept queue keeps BT_CONNECTED: the Bluetooth
 * core drops closed children from that queue without freeing them, and a
 * child whose peer already left is handed out and then reads the error,
 * as it would a moment later.
 */
void rfsec_transport_sync_state(struct sock *sk)
{
	struct socket *transport = rfsec_sk(sk)->transport;
	int state;

	if (!transport || bt_sk(sk)->parent)
		return;
	state = rfsec_session_sk_state(sk, READ_ONCE(transport->sk->sk_state));
	if (sk->sk_state != state) {
		sk->sk_state = state;
		sk->sk_state_change(sk);
	}
}

bool rfsec_transport_writeable(struct sock *sk)
{
	struct socket *transport = READ_ONCE(rfsec_sk(sk)->transport);
	struct sock *tsk;

	if (!transport)
		return true;
	tsk = transport->sk;
	return rfsec_session_writeable(sk) &&
	       !test_bit(BT_SK_SUSPEND, &bt_sk(tsk)->flags) &&
	       sock_writeable(tsk);
}

/*
 * Hand the application's bytes to RFCOMM in pieces of RFSEC_TX_CHUNK. The
 * transport carries the application's timeout and non-blocking flag, so it
 * blocks, times out and is interrupted exactly as an RFCOMM socket would.
 */
int rfsec_transport_sendmsg(struct sock *sk, struct msghdr *msg, size_t len)
{
	struct socket *transport = READ_ONCE(rfsec_sk(sk)->transport);
	size_t sent = 0, chunk, left;
	int ret;

	if (!transport)
		return -ENOTCONN;
	rfsec_transport_sync_send_opts(sk, transport->sk);
	do {
		chunk = min_t(size_t, len - sent, RFSEC_TX_CHUNK);
		left = msg_data_left(msg);
		iov_iter_truncate(&msg->msg_iter, chunk);
		ret = sock_sendmsg(transport, msg);
		iov_iter_reexpand(&msg->msg_iter, left - (ret > 0 ? ret : 0));
		if (ret <= 0)
			break;
		sent += ret;
	} while (sent < len && (size_t)ret == chunk);

	return sent ? sent : ret;
}

/*
 * Send one message (at most RFSEC_WIRE_MAX bytes, far below the size at
 * which RFCOMM's large-write stall begins) in one write, so that RFCOMM
 * cuts it into as few frames as it can. Returns the bytes RFCOMM took.
 */
int rfsec_transport_send_on(struct socket *transport, const void *buf,
			    size_t len, int flags)
{
	struct msghdr msg = { .msg_flags = flags };
	struct kvec vec = { .iov_base = (void *)buf, .iov_len = len };

	return kernel_sendmsg(transport, &msg, &vec, 1, len);
}

/* The same on this socket's transport, with the application's options. */
int rfsec_transport_send(struct sock *sk, const void *buf, size_t len,
			 int flags)
{
	struct socket *transport = READ_ONCE(rfsec_sk(sk)->transport);

	if (!transport)
		return -ENOTCONN;
	rfsec_transport_sync_send_opts(sk, transport->sk);
	return rfsec_transport_send_on(transport, buf, len, flags);
}

/* Up to @len bytes RFCOMM has received, without waiting. */
int rfsec_transport_recv(struct sock *sk, void *buf, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec vec = { .iov_base = buf, .iov_len = len };

	return kernel_recvmsg(rfsec_sk(sk)->transport, &msg, &vec, 1, len,
			      MSG_DONTWAIT);
}

/* Bytes in the transport's first queued skb; 1 just to collect an error. */
static unsigned int rfsec_transport_next_len(struct sock *tsk)
{
	struct sk_buff_head *q = &tsk->sk_receive_queue;
	unsigned int len = 1;
	struct sk_buff *skb;

	spin_lock_bh(&q->lock);
	skb = skb_peek(q);
	if (skb && skb->len)
		len = skb->len;
	spin_unlock_bh(&q->lock);
	return len;
}

/*
 * The transport's stream ended between messages, with RFCOMM's error or
 * (@err 0) at its end of stream: RFCOMM hands out an error once, so a read
 * that returned data may already have consumed it, and the next one then
 * returns 0. Either way this socket's readers must see the end.
 */
void rfsec_transport_ended(struct sock *sk, int err)
{
	if (err) {
		WRITE_ONCE(sk->sk_err, -err);
		sk_error_report(sk);
		return;
	}
	if (!(sk->sk_shutdown & RCV_SHUTDOWN)) {
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
		sk->sk_state_change(sk);
	}
}

/* A connect that failed: its error is this socket's. */
void rfsec_transport_take_error(struct sock *sk)
{
	int err = sock_error(rfsec_sk(sk)->transport->sk);

	if (err) {
		WRITE_ONCE(sk->sk_err, -err);
		sk_error_report(sk);
	}
}

/* Plaintext: called under lock_sock(sk). */
void rfsec_transport_pull(struct sock *sk)
{
	struct socket *transport = rfsec_sk(sk)->transport;
	bool queued = false;

	while (atomic_read(&sk->sk_rmem_alloc) < READ_ONCE(sk->sk_rcvbuf)) {
		unsigned int len = rfsec_transport_next_len(transport->sk);
		struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
		struct sk_buff *skb;
		struct kvec vec;
		int n;

		skb = alloc_skb(len, GFP_KERNEL);
		if (!skb) {
			/*
			 * Nothing is lost: it stays queued in RFCOMM. Come back
			 * for it, or a reader waiting for it would wait on.
			 */
			net_warn_ratelimited("no memory for %u received bytes; retrying\n",
					     len);
			rfsec_transport_kick_after(sk, HZ / 10);
			break;
		}
		vec.iov_base = skb->data;
		vec.iov_len = len;
		n = kernel_recvmsg(transport, &msg, &vec, 1, len, MSG_DONTWAIT);
		if (n <= 0) {
			kfree_skb(skb);
			/* -EAGAIN: drained; else the stream's end. */
			if (n != -EAGAIN)
				rfsec_transport_ended(sk, n);
			break;
		}
		skb_put(skb, n);
		/*
		 * Charged by payload, as RFCOMM charges its own queue, not by
		 * truesize: many small frames must not fill the buffer early.
		 * rfsec_transport_consumed() uncharges what the reader took.
		 */
		atomic_add(n, &sk->sk_rmem_alloc);
		skb_queue_tail(&sk->sk_receive_queue, skb);
		queued = true;
	}
	if (queued)
		sk->sk_data_ready(sk);
}

/* Called under lock_sock(parent). */
static void rfsec_transport_accept(struct sock *parent)
{
	struct rfsec_sock *rs = rfsec_sk(parent);
	struct socket *transport = rs->transport;
	struct socket *child_transport;
	struct sock *child;

	/*
	 * When our queue is full, RFCOMM's own backlog refuses the rest;
	 * handshakes in progress count against the backlog too.
	 */
	while (!sk_acceptq_is_full(parent) &&
	       rs->hs_count < READ_ONCE(parent->sk_max_ack_backlog)) {
		if (kernel_accept(transport, &child_transport, O_NONBLOCK))
			break;
		child = rfsec_sock_alloc_child(parent, child_transport);
		if (!child) {
			net_warn_ratelimited("no memory for a new connection; refused\n");
			sock_release(child_transport);
			break;
		}
		switch (rfsec_session_state(child)) {
		case RFSEC_SESSION_PLAINTEXT:
			bt_accept_enqueue(parent, child, false);
			parent->sk_data_ready(parent);
			break;
		case RFSEC_SESSION_FAILED:
			/* Refused by policy; the peer has been told. */
			rfsec_sock_kill(child);
			continue;
		default:
			/* accept() gets it once its handshake is done. */
			list_add_tail(&rfsec_sk(child)->hs_node, &rs->hs_children);
			rs->hs_count++;
			break;
		}
		/* Data may have arrived before we hooked the transport. */
		rfsec_transport_kick(child);
	}
}

/*
 * Children whose handshake ended: to the accept queue, or gone. Called
 * under lock_sock(parent); the children only kick us, so their state is
 * read without their lock.
 */
static void rfsec_transport_adopt(struct sock *parent)
{
	struct rfsec_sock *rs = rfsec_sk(parent), *crs, *tmp;
	struct sock *child;

	list_for_each_entry_safe(crs, tmp, &rs->hs_children, hs_node) {
		child = &crs->bt.sk;
		switch (rfsec_session_state(child)) {
		case RFSEC_SESSION_ESTABLISHED:
			list_del_init(&crs->hs_node);
			rs->hs_count--;
			bt_accept_enqueue(parent, child, false);
			parent->sk_data_ready(parent);
			break;
		case RFSEC_SESSION_FAILED:
			list_del_init(&crs->hs_node);
			rs->hs_count--;
			rfsec_sock_kill(child);
			break;
		default:
			break;
		}
	}
}

/* Under lock_sock(parent): its children that never got to accept(). */
void rfsec_transport_kill_handshaking(struct sock *parent)
{
	struct rfsec_sock *rs = rfsec_sk(parent), *crs, *tmp;

	list_for_each_entry_safe(crs, tmp, &rs->hs_children, hs_node) {
		list_del_init(&crs->hs_node);
		rs->hs_count--;
		rfsec_sock_kill(&crs->bt.sk);
	}
}

static void rfsec_rx_work(struct work_struct *work)
{
	struct rfsec_sock *rs = container_of(to_delayed_work(work),
					     struct rfsec_sock, rx_work);
	struct sock *sk = &rs->bt.sk;

	lock_sock(sk);
	if (rs->transport) {
		if (sk->sk_state == BT_LISTEN) {
			rfsec_transport_adopt(sk);
			rfsec_transport_accept(sk);
		} else if (!rs->connect_waiting) {
			rfsec_session_receive(sk);
		}
		rfsec_transport_sync_state(sk);
	}
	release_sock(sk);
	sock_put(sk);
}

/*
 * After the application read @len bytes: uncharge them and, if the
 * transport still holds data or an error that did not fit before, go and
 * fetch it.
 */
void rfsec_transport_consumed(struct sock *sk, int len)
{
	struct socket *transport = READ_ONCE(rfsec_sk(sk)->transport);
	struct sock *tsk;

	if (len > 0)
		atomic_sub(len, &sk->sk_rmem_alloc);
	if (!transport)
		return;
	tsk = transport->sk;
	if (!skb_queue_empty_lockless(&tsk->sk_receive_queue) ||
	    READ_ONCE(tsk->sk_err) || rfsec_session_rx_pending(sk))
		rfsec_transport_kick(sk);
}

int __init rfsec_transport_init(void)
{
	rfsec_wq = alloc_workqueue("rfsec", 0, 0);
	return rfsec_wq ? 0 : -ENOMEM;
}

void rfsec_transport_uninit(void)
{
	destroy_workqueue(rfsec_wq);
}
