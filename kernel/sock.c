// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rfsec socket family: socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFSEC).
 *
 * Only the life cycle exists so far: create, the transport underneath,
 * release. The other operations are filled in by the socket-layer work.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "sock.h"
#include "compat.h"
#include "uapi/rfsec.h"

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/module.h>
#include <linux/printk.h>
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

unsigned int rfsec_sock_count(void)
{
	return atomic_read(&rfsec_sock_live);
}

/*
 * Give the socket its RFCOMM transport unless it has one. This may sleep and
 * may load rfcomm.ko, so it runs from the socket calls, never from create().
 */
static int rfsec_sock_ensure_transport(struct sock *sk)
{
	struct rfsec_sock *rs = rfsec_sk(sk);
	struct socket *transport;
	int err = 0;

	lock_sock(sk);
	if (!rs->transport) {
		err = sock_create_kern(sock_net(sk), PF_BLUETOOTH, SOCK_STREAM,
				       BTPROTO_RFCOMM, &transport);
		if (!err)
			rs->transport = transport;
	}
	release_sock(sk);
	return err;
}

/*
 * bind, connect and listen already set up the transport, so that the seam
 * the socket layer builds on is exercised now; the calls themselves are
 * filled in by the socket-layer work.
 */
static int rfsec_sock_bind(struct socket *sock, struct sockaddr *addr,
			   int addr_len)
{
	int err = rfsec_sock_ensure_transport(sock->sk);

	return err ? err : -EOPNOTSUPP;
}

static int rfsec_sock_connect(struct socket *sock, struct sockaddr *addr,
			      int addr_len, int flags)
{
	int err = rfsec_sock_ensure_transport(sock->sk);

	return err ? err : -EOPNOTSUPP;
}

static int rfsec_sock_listen(struct socket *sock, int backlog)
{
	int err = rfsec_sock_ensure_transport(sock->sk);

	return err ? err : -EOPNOTSUPP;
}

/* Filled in by the socket-layer work, together with SOL_RFSEC. */
static int rfsec_sock_setsockopt(struct socket *sock, int level, int optname,
				 sockptr_t optval, unsigned int optlen)
{
	return -EOPNOTSUPP;
}

static int rfsec_sock_getsockopt(struct socket *sock, int level, int optname,
				 char __user *optval, int __user *optlen)
{
	return -EOPNOTSUPP;
}

static int rfsec_sock_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct socket *transport;

	if (!sk)
		return 0;

	lock_sock(sk);
	transport = rfsec_sk(sk)->transport;
	rfsec_sk(sk)->transport = NULL;
	sock_orphan(sk);
	release_sock(sk);

	/* Not under our lock: closing RFCOMM can sleep for SO_LINGER. */
	if (transport)
		sock_release(transport);

	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

/* Runs when the last reference to the struct sock goes. */
static void rfsec_sock_destruct(struct sock *sk)
{
	atomic_dec(&rfsec_sock_live);
}

/*
 * bt_sock_create() calls this under read_lock(&bt_proto_lock), so nothing
 * here may sleep: the sock is allocated with GFP_ATOMIC (as RFCOMM does), and
 * the RFCOMM transport, which sock_create_kern() would allocate sleeping and
 * under that same lock, is created later by rfsec_sock_ensure_transport().
 */
static int rfsec_sock_create(struct net *net, struct socket *sock,
			     int protocol, int kern)
{
	struct sock *sk;

	if (sock->type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;

	sk = bt_sock_alloc(net, sock, &rfsec_proto, protocol, GFP_ATOMIC,
			   kern);
	if (!sk)
		return -ENOMEM;

	sk->sk_destruct = rfsec_sock_destruct;
	atomic_inc(&rfsec_sock_live);

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
	.accept		= sock_no_accept,
	.getname	= sock_no_getname,
	.poll		= bt_sock_poll,
	.ioctl		= sock_no_ioctl,
	.shutdown	= sock_no_shutdown,
	.setsockopt	= rfsec_sock_setsockopt,
	.getsockopt	= rfsec_sock_getsockopt,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
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
