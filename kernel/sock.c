// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rfsec socket family: socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFSEC).
 *
 * Every call behaves as it does on a BTPROTO_RFCOMM socket, because nearly
 * every call is answered by the RFCOMM socket underneath (transport.c):
 * addresses, options, connecting, listening and RFCOMM's own errors come
 * from there. What the application reads is on this socket's own receive
 * queue, so the Bluetooth core's stream receive and poll helpers give the
 * usual blocking, timeout, peek and signal behaviour.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "sock.h"
#include "compat.h"
#include "fault.h"
#include "session.h"
#include "transport.h"
#include "uapi/rfsec.h"

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/sched/signal.h>
#include <linux/termios.h>
#include <net/bluetooth/rfcomm.h>
#include <net/sock.h>

/* bt_sock_register() refuses numbers above BTPROTO_LAST. */
static_assert(BTPROTO_RFSEC <= BTPROTO_LAST);

/* Counts struct socks, not files: an orphan on its way out still counts. */
static atomic_t rfsec_sock_live = ATOMIC_INIT(0);

/* .owner pins the module for as long as any rfsec struct sock exists. */
static struct proto rfsec_proto = {
	.name		= "RFSEC",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct rfsec_sock),
};

static const struct proto_ops rfsec_sock_ops;

/* A listener's children: a lock class of their own (transport.c). */
static struct lock_class_key rfsec_child_lock_key;
static struct lock_class_key rfsec_child_slock_key;

unsigned int rfsec_sock_count(void)
{
	return atomic_read(&rfsec_sock_live);
}

static struct socket *rfsec_transport(struct socket *sock)
{
	return READ_ONCE(rfsec_sk(sock->sk)->transport);
}

/* The transport, created on first use; NULL with *err set on failure. */
static struct socket *rfsec_get_transport(struct socket *sock, int *err)
{
	*err = rfsec_transport_create(sock->sk);
	return *err ? NULL : rfsec_transport(sock);
}

static void rfsec_sock_sync_state(struct sock *sk)
{
	lock_sock(sk);
	rfsec_transport_sync_state(sk);
	release_sock(sk);
}

static int rfsec_sock_bind(struct socket *sock, struct sockaddr *addr,
			   int addr_len)
{
	struct socket *transport;
	int err;

	transport = rfsec_get_transport(sock, &err);
	if (!transport)
		return err;
	err = kernel_bind(transport, addr, addr_len);
	rfsec_sock_sync_state(sock->sk);
	return err;
}

/*
 * RFCOMM waits for the connection with the application's send timeout, or
 * not at all for a non-blocking socket (EINPROGRESS): the transport does the
 * same. Then the handshake runs (session.c): a blocking connect() returns
 * its outcome; for a non-blocking one, the outcome reaches this socket's
 * state and SO_ERROR through the transport work, and poll() reports the
 * socket writable only once the handshake succeeded.
 */
static int rfsec_sock_connect(struct socket *sock, struct sockaddr *addr,
			      int addr_len, int flags)
{
	long timeo = sock_sndtimeo(sock->sk, flags & O_NONBLOCK);
	unsigned long start = jiffies;
	struct sock *sk = sock->sk;
	struct socket *transport;
	int err;

	transport = rfsec_get_transport(sock, &err);
	if (!transport)
		return err;
	rfsec_transport_sync_opts(sk);
	lock_sock(sk);
	err = rfsec_session_connect(sk);
	rfsec_sk(sk)->connect_waiting = !(flags & O_NONBLOCK);
	release_sock(sk);
	if (err)
		return err;
	err = kernel_connect(transport, addr, addr_len, flags);
	lock_sock(sk);
	rfsec_sk(sk)->connect_waiting = false;
	rfsec_transport_sync_state(sk);
	release_sock(sk);
	/* The work skipped what came while connect waited: catch up. */
	rfsec_transport_kick(sk);
	if (err)
		return err;
	/* The link is up; the connection is not until the handshake is. */
	if (flags & O_NONBLOCK)
		return -EINPROGRESS;
	/* SO_SNDTIMEO bounds the whole connect, link and handshake. */
	if (timeo != MAX_SCHEDULE_TIMEOUT)
		timeo = max_t(long, timeo - (long)(jiffies - start), 0);
	err = rfsec_session_connected(sk, timeo);
	rfsec_sock_sync_state(sk);
	if (!err)
		sock->state = SS_CONNECTED;
	return err;
}

static int rfsec_sock_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct socket *transport;
	int err;

	transport = rfsec_get_transport(sock, &err);
	if (!transport)
		return err;
	err = kernel_listen(transport, backlog);
	lock_sock(sk);
	if (!err) {
		sk->sk_max_ack_backlog = backlog;
		sk->sk_ack_backlog = 0;
	}
	rfsec_transport_sync_state(sk);
	release_sock(sk);
	return err;
}

/* Wait for a child the transport work has queued, as RFCOMM waits. */
static int rfsec_sock_do_accept(struct socket *sock, struct socket *newsock,
				int flags)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = sock->sk, *nsk = NULL;
	long timeo;
	int err = 0;

	lock_sock_nested(sk, SINGLE_DEPTH_NESTING);
	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	add_wait_queue_exclusive(sk_sleep(sk), &wait);
	for (;;) {
		if (sk->sk_state != BT_LISTEN) {
			err = -EBADFD;
			break;
		}
		nsk = bt_accept_dequeue(sk, newsock);
		if (nsk) {
			/* The grafted socket keeps nsk alive from here. */
			sock_put(nsk);
			break;
		}
		if (!timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(timeo);
			break;
		}
		release_sock(sk);
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
		lock_sock_nested(sk, SINGLE_DEPTH_NESTING);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	if (!err) {
		newsock->state = SS_CONNECTED;
		/* Let the child catch up with its transport; refill ours. */
		rfsec_transport_kick(nsk);
		rfsec_transport_kick(sk);
	}
	release_sock(sk);
	return err;
}

static int rfsec_sock_accept(struct socket *sock, struct socket *newsock,
			     RFSEC_ACCEPT_PARAMS(arg))
{
	return rfsec_sock_do_accept(sock, newsock, rfsec_accept_flags(arg));
}

static int rfsec_sock_getname(struct socket *sock, struct sockaddr *addr,
			      int peer)
{
	struct socket *transport;
	int err;

	transport = rfsec_get_transport(sock, &err);
	if (!transport)
		return err;
	return transport->ops->getname(transport, addr, peer);
}

static __poll_t rfsec_sock_poll(struct file *file, struct socket *sock,
				poll_table *wait)
{
	__poll_t mask = bt_sock_poll(file, sock, wait);

	/* Writing means writing into the transport. */
	if ((mask & EPOLLOUT) && !rfsec_transport_writeable(sock->sk))
		mask &= ~(EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
	return mask;
}

/*
 * TIOCINQ reads our receive queue, TIOCOUTQ the transport's send buffer.
 * RFCOMM's TTY ioctls (RFCOMMCREATEDEV and the rest) would bind a TTY to
 * the plain RFCOMM link, so they are refused with EOPNOTSUPP.
 */
static int rfsec_sock_ioctl(struct socket *sock, unsigned int cmd,
			    unsigned long arg)
{
	struct socket *transport = rfsec_transport(sock);
	struct sock *sk = sock->sk;
	long amount;
	int err;

	if (cmd == TIOCOUTQ && transport) {
		if (sk->sk_state == BT_LISTEN)
			return -EINVAL;
		amount = READ_ONCE(transport->sk->sk_sndbuf) -
			 sk_wmem_alloc_get(transport->sk);
		return put_user(max(amount, 0L), (int __user *)arg);
	}
	err = bt_sock_ioctl(sock, cmd, arg);
	return err == -ENOIOCTLCMD ? -EOPNOTSUPP : err;
}

/*
 * The application must never see RFCOMM hand it an unaccepted connection:
 * with BT_DEFER_SETUP, RFCOMM accepts on the first read, which here is the
 * transport work's, not the application's. Refused until it is designed.
 */
static bool rfsec_sockopt_refused(int level, int optname)
{
	return level == SOL_BLUETOOTH && optname == BT_DEFER_SETUP;
}

/* SOL_SOCKET never gets here; every other level is RFCOMM's. */
static int rfsec_sock_setsockopt(struct socket *sock, int level, int optname,
				 sockptr_t optval, unsigned int optlen)
{
	struct socket *transport;
	int err;

	if (rfsec_sockopt_refused(level, optname))
		return -EOPNOTSUPP;
	transport = rfsec_get_transport(sock, &err);
	if (!transport)
		return err;
	return transport->ops->setsockopt(transport, level, optname, optval,
					  optlen);
}

static int rfsec_sock_getsockopt(struct socket *sock, int level, int optname,
				 char __user *optval, int __user *optlen)
{
	struct socket *transport;
	int err;

	transport = rfsec_get_transport(sock, &err);
	if (!transport)
		return err;
	return transport->ops->getsockopt(transport, level, optname, optval,
					  optlen);
}

/*
 * An error the transport work collected (the peer left, the link failed)
 * is this socket's pending error: the next send reports it, as the next
 * send on an RFCOMM socket would, after RFCOMM's own earlier checks.
 */
static int rfsec_sock_sendmsg(struct socket *sock, struct msghdr *msg,
			      size_t len)
{
	struct sock *sk = sock->sk;
	struct socket *transport;
	int err;

	transport = rfsec_get_transport(sock, &err);
	if (!transport)
		return err;
	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN)
		return -EPIPE;
	err = sock_error(sk);
	if (err)
		return err;
	if (rfsec_sk(sk)->session)
		return rfsec_session_sendmsg(sk, msg, len);
	/* Never connected: RFCOMM gives its own error. */
	return rfsec_transport_sendmsg(sk, msg, len);
}

static int rfsec_sock_recvmsg(struct socket *sock, struct msghdr *msg,
			      size_t len, int flags)
{
	int ret = bt_sock_stream_recvmsg(sock, msg, len, flags);

	if (!(flags & MSG_PEEK))
		rfsec_transport_consumed(sock->sk, ret);
	return ret;
}

static void rfsec_sock_close(struct sock *sk);

/* A child that was never accepted: close it and drop our reference. */
void rfsec_sock_kill(struct sock *sk)
{
	rfsec_sock_close(sk);
	sock_orphan(sk);
	sock_put(sk);
}

/*
 * Called under lock_sock(parent); the socket no longer listens (its state
 * is not BT_LISTEN), so its work accepts no more children.
 */
static void rfsec_sock_cleanup_listen(struct sock *parent)
{
	struct sock *sk;

	while ((sk = bt_accept_dequeue(parent, NULL))) {
		rfsec_sock_kill(sk);
		/* The reference bt_accept_dequeue() handed back. */
		sock_put(sk);
	}
	rfsec_transport_kill_handshaking(parent);
}

/*
 * How long shutdown and close wait to hand RFCOMM the rest of a record
 * that write() accepted: the linger time with SO_LINGER, else the send
 * timeout, the bounds RFCOMM's own sending has.
 */
static long rfsec_sock_drain_time(struct sock *sk)
{
	if (sock_flag(sk, SOCK_LINGER))
		return READ_ONCE(sk->sk_lingertime);
	return sock_sndtimeo(sk, false);
}

/*
 * RFCOMM ignores @how: any shutdown closes the link, both ways, and waits
 * for it to close when SO_LINGER is set. The transport does exactly that,
 * once the last record has gone to RFCOMM.
 */
static int rfsec_sock_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	struct socket *transport;
	bool listening;
	int err;

	if (!sk)
		return 0;
	transport = rfsec_get_transport(sock, &err);
	if (!transport)
		return err;
	rfsec_transport_sync_opts(sk);
	rfsec_session_drain(sk, rfsec_sock_drain_time(sk));
	lock_sock(sk);
	if (!sk->sk_shutdown)
		sk->sk_shutdown = SHUTDOWN_MASK;
	/* Closing first: the work must accept no child from here on. */
	listening = sk->sk_state == BT_LISTEN;
	if (listening)
		sk->sk_state = BT_CLOSED;
	rfsec_sock_cleanup_listen(sk);
	release_sock(sk);

	if (listening && rfsec_fault(RFSEC_FAULT_SLOW_SHUTDOWN))
		msleep(1000);
	err = kernel_sock_shutdown(transport, how);
	lock_sock(sk);
	rfsec_transport_sync_state(sk);
	release_sock(sk);
	/* Wake readers and accepters blocked on this socket. */
	sk->sk_state_change(sk);
	return err;
}

/*
 * Take the transport away from the work, drop what the application will
 * never read, and close RFCOMM, which sends what it still holds and waits
 * for SO_LINGER as it would for an RFCOMM socket.
 */
static void rfsec_sock_close(struct sock *sk)
{
	struct socket *transport;

	/*
	 * RFCOMM makes even a never-connected socket with SO_LINGER wait out
	 * its linger time on close; only a transport can do that alike.
	 */
	if (sock_flag(sk, SOCK_LINGER) && READ_ONCE(sk->sk_lingertime))
		rfsec_transport_create(sk);
	rfsec_transport_sync_opts(sk);
	transport = rfsec_transport_detach(sk);
	rfsec_session_stop(sk);
	lock_sock(sk);
	/* Whatever the state: a shut-down listener may still hold children. */
	rfsec_sock_cleanup_listen(sk);
	sk->sk_state = BT_CLOSED;
	sk->sk_shutdown = SHUTDOWN_MASK;
	release_sock(sk);
	rfsec_transport_purge_rx(sk);
	if (transport)
		sock_release(transport);
}

static int rfsec_sock_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;
	rfsec_transport_sync_opts(sk);
	rfsec_session_drain(sk, rfsec_sock_drain_time(sk));
	rfsec_sock_close(sk);
	lock_sock(sk);
	sock_orphan(sk);
	release_sock(sk);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

/* Runs when the last reference to the struct sock goes. */
static void rfsec_sock_destruct(struct sock *sk)
{
	struct sock *listener = rfsec_sk(sk)->listener;

	rfsec_transport_purge_rx(sk);
	rfsec_session_free(sk);
	if (listener)
		sock_put(listener);
	atomic_dec(&rfsec_sock_live);
}

static struct sock *rfsec_sk_alloc(struct net *net, struct socket *sock,
				   gfp_t prio, int kern)
{
	struct sock *sk;

	sk = bt_sock_alloc(net, sock, &rfsec_proto, BTPROTO_RFSEC, prio, kern);
	if (!sk)
		return NULL;
	sk->sk_destruct = rfsec_sock_destruct;
	INIT_LIST_HEAD(&rfsec_sk(sk)->hs_children);
	INIT_LIST_HEAD(&rfsec_sk(sk)->hs_node);
	/* RFCOMM's defaults, so SO_SNDBUF, SO_RCVBUF, SO_SNDTIMEO read alike. */
	sk->sk_sndbuf = RFCOMM_MAX_CREDITS * RFCOMM_DEFAULT_MTU * 10;
	sk->sk_rcvbuf = RFCOMM_MAX_CREDITS * RFCOMM_DEFAULT_MTU * 10;
	sk->sk_sndtimeo = RFCOMM_CONN_TIMEOUT;
	atomic_inc(&rfsec_sock_live);
	return sk;
}

/* A connection the listening transport accepted, as an rfsec socket. */
struct sock *rfsec_sock_alloc_child(struct sock *parent,
				    struct socket *transport)
{
	struct sock *sk;

	sk = rfsec_sk_alloc(sock_net(parent), NULL, GFP_KERNEL, 0);
	if (!sk)
		return NULL;
	/* See the lock order in transport.c. */
	sock_lock_init_class_and_name(sk, "slock-AF_BLUETOOTH-RFSEC-CHILD",
				      &rfsec_child_slock_key,
				      "sk_lock-AF_BLUETOOTH-RFSEC-CHILD",
				      &rfsec_child_lock_key);
	sk->sk_type = parent->sk_type;
	sk->sk_sndbuf = READ_ONCE(parent->sk_sndbuf);
	sk->sk_rcvbuf = READ_ONCE(parent->sk_rcvbuf);
	sk->sk_state = BT_CONNECTED;
	/* Policy first: no byte may be read before the session decides. */
	if (rfsec_session_accept(sk, transport)) {
		sock_put(sk);
		return NULL;
	}
	/*
	 * A child whose handshake runs kicks its listener when it ends; set
	 * before the callbacks can run its work.
	 */
	if (rfsec_session_handshaking(sk)) {
		sock_hold(parent);
		rfsec_sk(sk)->listener = parent;
	}
	rfsec_transport_attach(sk, transport);
	return sk;
}

/*
 * bt_sock_create() calls this under read_lock(&bt_proto_lock), so nothing
 * here may sleep: the sock is allocated with GFP_ATOMIC (as RFCOMM does), and
 * the RFCOMM transport, which sock_create_kern() would allocate sleeping and
 * under that same lock, is created later by rfsec_transport_create().
 */
static int rfsec_sock_create(struct net *net, struct socket *sock,
			     int protocol, int kern)
{
	struct sock *sk;

	/* RFCOMM also makes SOCK_RAW sockets that can do nothing; so do we. */
	if (sock->type != SOCK_STREAM && sock->type != SOCK_RAW)
		return -ESOCKTNOSUPPORT;

	sk = rfsec_sk_alloc(net, sock, GFP_ATOMIC, kern);
	if (!sk)
		return -ENOMEM;

	sock->state = SS_UNCONNECTED;
	sock->ops = &rfsec_sock_ops;
	return 0;
}

/*
 * .owner makes every open rfsec socket hold a reference on this module
 * (__sock_create() takes it, sock_release() drops it), so the module cannot
 * be unloaded while one is open.
 */
static const struct proto_ops rfsec_sock_ops = {
	.family		= PF_BLUETOOTH,
	.owner		= THIS_MODULE,
	.release	= rfsec_sock_release,
	.bind		= rfsec_sock_bind,
	.connect	= rfsec_sock_connect,
	.listen		= rfsec_sock_listen,
	.accept		= rfsec_sock_accept,
	.getname	= rfsec_sock_getname,
	.poll		= rfsec_sock_poll,
	.ioctl		= rfsec_sock_ioctl,
	.shutdown	= rfsec_sock_shutdown,
	.setsockopt	= rfsec_sock_setsockopt,
	.getsockopt	= rfsec_sock_getsockopt,
	.sendmsg	= rfsec_sock_sendmsg,
	.recvmsg	= rfsec_sock_recvmsg,
	.socketpair	= sock_no_socketpair,
	.mmap		= sock_no_mmap,
};

/* .owner keeps the module alive while bt_sock_create() is in create(). */
static const struct net_proto_family rfsec_family_ops = {
	.family	= PF_BLUETOOTH,
	.owner	= THIS_MODULE,
	.create	= rfsec_sock_create,
};

int __init rfsec_sock_init(void)
{
	int ret;

	ret = proto_register(&rfsec_proto, 0);
	if (ret)
		return ret;

	ret = bt_sock_register(BTPROTO_RFSEC, &rfsec_family_ops);
	if (ret) {
		pr_err("cannot register Bluetooth protocol %d: %d\n",
		       BTPROTO_RFSEC, ret);
		proto_unregister(&rfsec_proto);
		return ret;
	}
	return 0;
}

void rfsec_sock_uninit(void)
{
	bt_sock_unregister(BTPROTO_RFSEC);
	proto_unregister(&rfsec_proto);
}
