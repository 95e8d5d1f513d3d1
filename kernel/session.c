// SPDX-License-Identifier: GPL-2.0-only
/*
 * One connection's security, from the policy decision to the last record
 * (docs/PROTOCOL.md). The handshake runs in the transport work, in process
 * context under lock_sock(): the initiator sends its initiation when the
 * link comes up, the responder answers it, and each side's state moves on
 * only when a whole message has arrived. The application sees nothing
 * until the handshake has succeeded: connect() waits for it (or a
 * non-blocking socket reports it through poll and SO_ERROR), and a
 * listener hands a child to accept() only after its confirm record.
 *
 * Everything that fails ends the connection: the socket gets the errno of
 * docs/PROTOCOL.md section 6, the transport is shut down, and nothing of
 * the failed message reaches the application.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "session.h"
#include "compat.h"
#include "handshake.h"
#include "netlink.h"
#include "peer.h"
#include "ratchet.h"
#include "record.h"
#include "sock.h"
#include "transport.h"

#include <crypto/algapi.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uio.h>
#include <net/bluetooth/hci_core.h>
#include <net/bluetooth/rfcomm.h>

static unsigned int rfsec_handshake_timeout_ms = 10000;
module_param_named(handshake_timeout_ms, rfsec_handshake_timeout_ms, uint,
		   0644);
MODULE_PARM_DESC(handshake_timeout_ms,
		 "how long a handshake may take before the connection fails with ETIMEDOUT (default 10000)");

static const char *const rfsec_hs_failure_names[] = {
	[RFSEC_HS_FAIL_UNSPEC]		= "failed",
	[RFSEC_HS_FAIL_NO_KEY]		= "no key for the peer",
	[RFSEC_HS_FAIL_WRONG_KEY]	= "the peer proved another key",
	[RFSEC_HS_FAIL_MALFORMED]	= "malformed handshake message",
	[RFSEC_HS_FAIL_REPLAY]		= "replayed initiation",
	[RFSEC_HS_FAIL_TIMEOUT]		= "timed out",
	[RFSEC_HS_FAIL_REFUSED]		= "refused by the peer",
	[RFSEC_HS_FAIL_CLOSED]		= "link closed",
	[RFSEC_HS_FAIL_CIPHER]		= "cipher not accepted",
	[RFSEC_HS_FAIL_VERSION]		= "another protocol version",
};

static struct rfsec_session *rfsec_session(struct sock *sk)
{
	return rfsec_sk(sk)->session;
}

enum rfsec_session_state rfsec_session_state(struct sock *sk)
{
	/* Pairs with rfsec_session_set_state(): see struct rfsec_session. */
	return smp_load_acquire(&rfsec_session(sk)->state);
}

static void rfsec_session_set_state(struct rfsec_session *s,
				    enum rfsec_session_state state)
{
	/* Publishes what the state promises (@rec) with the state. */
	smp_store_release(&s->state, state);
}

static bool rfsec_session_state_handshaking(const struct rfsec_session *s)
{
	return s->state == RFSEC_SESSION_IDLE ||
	       s->state == RFSEC_SESSION_INIT_SENT ||
	       s->state == RFSEC_SESSION_RESP_WAIT ||
	       s->state == RFSEC_SESSION_RESP_CONFIRM;
}

bool rfsec_session_handshaking(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);

	return s && rfsec_session_state_handshaking(s);
}

static void rfsec_tx_work(struct work_struct *work);
static void rfsec_timeout_work(struct work_struct *work);
static void rfsec_ratchet_work(struct work_struct *work);

static struct rfsec_session *rfsec_session_alloc(struct sock *sk,
						 bool initiator)
{
	struct rfsec_session *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->rx_buf = kmalloc(RFSEC_WIRE_MAX, GFP_KERNEL);
	s->tx_buf = kmalloc(RFSEC_WIRE_MAX, GFP_KERNEL);
	if (!s->rx_buf || !s->tx_buf) {
		kfree(s->rx_buf);
		kfree(s->tx_buf);
		kfree(s);
		return NULL;
	}
	s->owner = sk;
	s->initiator = initiator;
	mutex_init(&s->tx_lock);
	init_waitqueue_head(&s->drain_wait);
	/*
	 * A responder is a listener's child: its works are of their own
	 * lockdep classes, as its rx work is (rfsec_transport_attach()).
	 */
	if (initiator) {
		INIT_WORK(&s->tx_work, rfsec_tx_work);
		INIT_DELAYED_WORK(&s->timeout, rfsec_timeout_work);
		INIT_DELAYED_WORK(&s->ratchet_work, rfsec_ratchet_work);
	} else {
		INIT_WORK(&s->tx_work, rfsec_tx_work);
		INIT_DELAYED_WORK(&s->timeout, rfsec_timeout_work);
		INIT_DELAYED_WORK(&s->ratchet_work, rfsec_ratchet_work);
	}
	rfsec_sk(sk)->session = s;
	return s;
}

int rfsec_session_connect(struct sock *sk)
{
	if (rfsec_session(sk))
		return 0;
	return rfsec_session_alloc(sk, true) ? 0 : -ENOMEM;
}

/* The queued works hold a reference on the sock, as the rx work does. */
static void rfsec_session_arm_timeout(struct sock *sk,
				      struct rfsec_session *s)
{
	unsigned long delay;

	delay = msecs_to_jiffies(READ_ONCE(rfsec_handshake_timeout_ms));
	sock_hold(sk);
	if (!rfsec_queue_delayed_work(&s->timeout, delay))
		sock_put(sk);
}

/* The queued works hold a reference on the sock, as the timeout does. */
static void rfsec_session_kick_tx(struct sock *sk, struct rfsec_session *s)
{
	sock_hold(sk);
	if (!rfsec_queue_work(&s->tx_work))
		sock_put(sk);
}

static void rfsec_session_arm_ratchet(struct sock *sk,
				      struct rfsec_session *s)
{
	sock_hold(sk);
	if (!rfsec_queue_delayed_work(&s->ratchet_work,
				      rfsec_ratchet_period() * HZ))
		sock_put(sk);
}

/* Under lock_sock(); the work takes it, so it cannot wait for the work. */
static void rfsec_session_disarm_timeout(struct sock *sk,
					 struct rfsec_session *s)
{
	if (cancel_delayed_work(&s->timeout))
		sock_put(sk);
}

/*
 * The addresses and channel the prologue binds. An initiator that did not
 * bind has no source address on its socket: RFCOMM's link took the route
 * hci_get_route() gives, which is asked again here.
 */
static int rfsec_session_addresses(struct rfsec_session *s,
				   struct socket *transport)
{
	struct sockaddr_rc local = {}, remote = {};
	struct hci_dev *hdev;
	int ret;

	ret = kernel_getsockname(transport, (struct sockaddr *)&local);
	if (ret < 0)
		return ret;
	ret = kernel_getpeername(transport, (struct sockaddr *)&remote);
	if (ret < 0)
		return ret;
	bacpy(&s->remote, &remote.rc_bdaddr);
	bacpy(&s->local, &local.rc_bdaddr);
	s->channel = remote.rc_channel;
	if (!bacmp(&s->local, BDADDR_ANY)) {
		hdev = hci_get_route(&s->remote, BDADDR_ANY, BDADDR_BREDR);
		if (!hdev)
			return -EHOSTUNREACH;
		bacpy(&s->local, &hdev->bdaddr);
		hci_dev_put(hdev);
	}
	return 0;
}

/* Wholly or not at all; for handshake messages, which are small. */
static int rfsec_session_send_now(struct socket *transport, const u8 *buf,
				  unsigned int len)
{
	int ret = rfsec_transport_send_on(transport, buf, len,
					  MSG_DONTWAIT | MSG_NOSIGNAL);

	if (ret < 0)
		return ret;
	return ret == len ? 0 : -ENOBUFS;
}

/*
 * Best effort: a refusal only picks the initiator's errno. Before the
 * initiator has proven its key every reason is the same opaque code, so
 * that the answer tells a stranger nothing about what is configured; the
 * precise reason goes to this side's log, event and counters only.
 */
static void rfsec_session_refuse(struct socket *transport, u8 *buf, u8 code)
{
	rfsec_put_header(buf, RFSEC_MSG_REFUSAL, RFSEC_REFUSAL_LEN);
	buf[RFSEC_HDR_LEN] = code;
	buf[RFSEC_HDR_LEN + 1] = RFSEC_CIPHERS_ACCEPTED;
	rfsec_session_send_now(transport, buf,
			       RFSEC_HDR_LEN + RFSEC_REFUSAL_LEN);
}

/*
 * A version-1 initiation: answer in version 1's own format (type 4,
 * version 1, reason 3), which such a peer reports as a refusal instead of
 * waiting for its timeout.
 */
static void rfsec_session_refuse_v1(struct socket *transport, u8 *buf)
{
	static const u8 refusal_v1[] = { RFSEC_MSG_REFUSAL, 1, 0, 1, 3 };

	memcpy(buf, refusal_v1, sizeof(refusal_v1));
	rfsec_session_send_now(transport, buf, sizeof(refusal_v1));
}

static void rfsec_session_kick_listener(struct sock *sk)
{
	struct sock *listener = rfsec_sk(sk)->listener;

	if (listener)
		rfsec_transport_kick(listener);
}

/*
 * End the connection with @err. @reason is the handshake failure for the
 * statistics and the event, or RFSEC_HS_FAIL_UNSPEC after the handshake.
 */
static void rfsec_session_fail_why(struct sock *sk, int err, int reason,
				   const char *why)
{
	struct rfsec_session *s = rfsec_session(sk);
	struct socket *transport = rfsec_sk(sk)->transport;
	bool handshaking = rfsec_session_state_handshaking(s);

	if (s->state == RFSEC_SESSION_FAILED)
		return;
	rfsec_session_set_state(s, RFSEC_SESSION_FAILED);
	rfsec_hs_free(s->hs);
	s->hs = NULL;
	rfsec_peer_keys_wipe(&s->resp_keys);
	WRITE_ONCE(s->rx_have, 0);
	rfsec_session_disarm_timeout(sk, s);

	if (handshaking) {
		if (s->peer && reason > 0 && reason <= RFSEC_HS_FAIL_MAX)
			atomic64_inc(&s->peer->stats.handshake_failures[reason]);
		rfsec_nl_notify_handshake(RFSEC_CMD_HANDSHAKE_FAILED,
					  &s->local, &s->remote, reason);
		net_info_ratelimited("handshake %s %pMR on %pMR channel %u: %s (%d)\n",
				     s->initiator ? "to" : "from", &s->remote,
				     &s->local, s->channel,
				     rfsec_hs_failure_names[reason], -err);
	} else {
		net_warn_ratelimited("connection with %pMR on %pMR aborted: %s (%d)\n",
				     &s->remote, &s->local, why, -err);
	}

	WRITE_ONCE(sk->sk_err, -err);
	/*
	 * A child already in its listener's accept queue stays BT_CONNECTED
	 * (see rfsec_transport_sync_state()): the Bluetooth core would drop
	 * a closed one from the queue without freeing it. It is handed out
	 * and reads the error.
	 */
	if (!bt_sk(sk)->parent)
		sk->sk_state = BT_CLOSED;
	sk->sk_shutdown = SHUTDOWN_MASK;
	sk_error_report(sk);
	sk->sk_state_change(sk);
	if (transport)
		rfsec_transport_abort(transport);
	rfsec_session_kick_listener(sk);
}

/*
 * A failure found where the socket lock is not held (the send path): the
 * records are dead already, so nothing more is sealed; the work ends the
 * connection under the lock.
 */
static void rfsec_session_fail_later(struct sock *sk, int err)
{
	struct rfsec_session *s = rfsec_session(sk);

	cmpxchg(&s->tx_err, 0, err);
	rfsec_transport_kick(sk);
}

static void rfsec_session_count_open(struct rfsec_session *s)
{
	if (s->peer && !s->counted) {
		atomic_inc(&s->peer->stats.connections);
		s->counted = true;
	}
}

static void rfsec_session_fail(struct sock *sk, int err, int reason)
{
	rfsec_session_fail_why(sk, err, reason, "failed");
}

/* After the handshake, every failure is EBADMSG (docs/PROTOCOL.md). */
static void rfsec_session_abort(struct sock *sk, const char *why)
{
	rfsec_session_fail_why(sk, -EBADMSG, RFSEC_HS_FAIL_UNSPEC, why);
}

/*
 * Full records fill whole RFCOMM frames: RFCOMM cuts each write into
 * frames of its MTU and its credits count frames, so a record that spilled
 * a few bytes into one more frame would spend a whole credit on them.
 */
static unsigned int rfsec_session_data_max(struct socket *transport,
					   u16 peer_rx_limit)
{
	struct rfcomm_dlc *d = rfcomm_pi(transport->sk)->dlc;
	unsigned int mtu = d ? READ_ONCE(d->mtu) : 0;
	unsigned int wire = min_t(unsigned int, RFSEC_WIRE_MAX, peer_rx_limit);
	unsigned int frames = mtu ? wire / mtu : 0;

	/* The peer's limit is at least RFSEC_RX_LIMIT_MIN, above the overhead. */
	if (!frames || frames * mtu <= RFSEC_RECORD_OVERHEAD)
		return wire - RFSEC_RECORD_OVERHEAD;
	return frames * mtu - RFSEC_RECORD_OVERHEAD;
}

/* The handshake is over: records from now on. */
static void rfsec_session_established(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);
	struct rfsec_peer_stats *stats = &s->peer->stats;

	s->tx_data_max = rfsec_session_data_max(rfsec_sk(sk)->transport,
						s->peer_rx_limit);
	rfsec_hs_free(s->hs);
	s->hs = NULL;
	rfsec_session_disarm_timeout(sk, s);
	atomic64_inc(&stats->handshakes);
	atomic64_set(&stats->last_handshake_ns, ktime_get_real_ns());
	rfsec_session_count_open(s);
	rfsec_nl_notify_handshake(RFSEC_CMD_HANDSHAKE_DONE, &s->local,
				  &s->remote, s->cipher);
	s->was_established = true;
	rfsec_session_arm_ratchet(sk, s);
	rfsec_session_set_state(s, RFSEC_SESSION_ESTABLISHED);
	sk->sk_state = BT_CONNECTED;
	sk->sk_state_change(sk);
	rfsec_session_kick_listener(sk);
}

static void rfsec_session_plaintext(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);

	rfsec_session_count_open(s);
	rfsec_session_set_state(s, RFSEC_SESSION_PLAINTEXT);
}

/*
 * Make the records and the ratchet from the handshake's keys; the hs is
 * still there.
 */
static int rfsec_session_make_records(struct rfsec_session *s)
{
	u8 tx[RFSEC_KEY_LEN], rx[RFSEC_KEY_LEN], rk[RFSEC_KEY_LEN];
	int ret;

	ret = rfsec_hs_split(s->hs, tx, rx, rk);
	if (!ret) {
		s->rec = rfsec_records_new(s->cipher, tx, rx);
		if (IS_ERR(s->rec)) {
			ret = PTR_ERR(s->rec);
			s->rec = NULL;
		}
	}
	if (!ret) {
		s->ratchet = rfsec_ratchet_new(s->cipher, s->initiator, rk);
		if (!s->ratchet)
			ret = -ENOMEM;
	}
	memzero_explicit(tx, sizeof(tx));
	memzero_explicit(rx, sizeof(rx));
	memzero_explicit(rk, sizeof(rk));
	return ret;
}


/* Look up the peer; 0 with @keys filled, or a failure reason. */
static int rfsec_session_lookup(struct rfsec_session *s,
				struct rfsec_peer_keys *keys)
{
	struct rfsec_peer *peer;

	peer = rfsec_peer_get(&s->local, &s->remote, keys);
	if (IS_ERR(peer))
		return RFSEC_HS_FAIL_NO_KEY;
	s->peer = peer;
	return 0;
}

/* Initiator, link up: decide, then send the initiation. */
static void rfsec_session_start(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);
	struct socket *transport = rfsec_sk(sk)->transport;
	struct rfsec_hs_params params = { .rx_limit = RFSEC_RX_LIMIT_MAX };
	struct rfsec_peer_keys keys;
	int ret;

	if (rfsec_session_addresses(s, transport)) {
		rfsec_session_fail(sk, -ECONNRESET, RFSEC_HS_FAIL_CLOSED);
		return;
	}
	if (rfsec_session_lookup(s, &keys)) {
		rfsec_session_fail(sk, -ENOKEY, RFSEC_HS_FAIL_NO_KEY);
		return;
	}
	if (!keys.has_remote_public) {
		/* Only allow-plaintext peers lack a key (netlink.c). */
		rfsec_peer_keys_wipe(&keys);
		rfsec_session_plaintext(sk);
		return;
	}
	s->cipher = keys.cipher;
	s->hs = rfsec_hs_new(s->cipher, true, &keys);
	rfsec_peer_keys_wipe(&keys);
	if (IS_ERR(s->hs)) {
		ret = PTR_ERR(s->hs);
		s->hs = NULL;
		rfsec_session_fail(sk, ret, RFSEC_HS_FAIL_UNSPEC);
		return;
	}
	ret = rfsec_hs_create_initiation(s->hs, &params);
	if (ret) {
		/* Our own keys failed: the peer's public key is low-order. */
		rfsec_session_fail(sk, -EKEYREJECTED, RFSEC_HS_FAIL_WRONG_KEY);
		return;
	}
	rfsec_session_set_state(s, RFSEC_SESSION_INIT_SENT);
	rfsec_session_arm_timeout(sk, s);
	/*
	 * If the responder already refused and left, sending fails; what it
	 * sent is still to be read, and the receive path reports it.
	 */
	rfsec_session_send_now(transport, s->hs->msg,
			       RFSEC_HDR_LEN + RFSEC_INITIATION_LEN);
}

int rfsec_session_accept(struct sock *sk, struct socket *transport)
{
	struct rfsec_peer_keys keys;
	struct rfsec_session *s;

	s = rfsec_session_alloc(sk, false);
	if (!s)
		return -ENOMEM;
	s->state = RFSEC_SESSION_RESP_WAIT;
	if (rfsec_session_addresses(s, transport)) {
		rfsec_session_fail(sk, -ECONNRESET, RFSEC_HS_FAIL_CLOSED);
		return 0;
	}
	if (rfsec_session_lookup(s, &keys)) {
		/*
		 * Refused, but only once the initiation is in: by then the
		 * initiator waits for an answer and reads the refusal,
		 * rather than finding the link already closed.
		 */
		s->refuse_no_key = true;
		rfsec_session_arm_timeout(sk, s);
		return 0;
	}
	if (!keys.has_remote_public) {
		rfsec_peer_keys_wipe(&keys);
		rfsec_session_plaintext(sk);
		return 0;
	}
	/* The handshake state needs the initiator's cipher: made then. */
	s->resp_keys = keys;
	rfsec_peer_keys_wipe(&keys);
	rfsec_session_arm_timeout(sk, s);
	return 0;
}

/*
 * Responder: refuse the initiation (opaquely, docs/PROTOCOL.md 3.2) and
 * end the handshake with the precise @reason, which only this side sees.
 */
static void rfsec_session_refuse_fail(struct sock *sk, int reason)
{
	struct rfsec_session *s = rfsec_session(sk);

	rfsec_session_refuse(rfsec_sk(sk)->transport, s->tx_buf,
			     RFSEC_REFUSE_REFUSED);
	rfsec_session_fail(sk, reason == RFSEC_HS_FAIL_NO_KEY ? -ENOKEY :
			   reason == RFSEC_HS_FAIL_WRONG_KEY ? -EKEYREJECTED :
			   -ECONNABORTED, reason);
}

/* Responder: the initiation arrived. */
static void rfsec_session_on_initiation(struct sock *sk, const u8 *body)
{
	struct rfsec_session *s = rfsec_session(sk);
	struct socket *transport = rfsec_sk(sk)->transport;
	struct rfsec_hs_params params;
	struct rfsec_hs *hs;
	int ret;

	/*
	 * The cipher first, whatever is configured: its refusal says what
	 * this implementation supports, the same to everyone.
	 */
	if (body[0] != RFSEC_CIPHER_CHACHA20_POLY1305 &&
	    body[0] != RFSEC_CIPHER_AES_256_GCM) {
		rfsec_session_refuse(transport, s->tx_buf, RFSEC_REFUSE_CIPHER);
		rfsec_session_fail(sk, -ECONNABORTED, RFSEC_HS_FAIL_CIPHER);
		return;
	}
	if (s->refuse_no_key) {
		rfsec_session_refuse_fail(sk, RFSEC_HS_FAIL_NO_KEY);
		return;
	}
	if (body[1]) {
		rfsec_session_refuse_fail(sk, RFSEC_HS_FAIL_MALFORMED);
		return;
	}
	s->cipher = body[0];
	hs = rfsec_hs_new(s->cipher, false, &s->resp_keys);
	if (IS_ERR(hs)) {
		rfsec_session_fail(sk, PTR_ERR(hs), RFSEC_HS_FAIL_UNSPEC);
		return;
	}
	s->hs = hs;

	ret = rfsec_hs_consume_initiation(hs, body, &params);
	if (ret) {
		rfsec_session_refuse_fail(sk, RFSEC_HS_FAIL_MALFORMED);
		return;
	}
	ret = crypto_memneq(hs->rs, s->resp_keys.remote_public, RFSEC_KEY_LEN);
	rfsec_peer_keys_wipe(&s->resp_keys);
	if (ret) {
		rfsec_session_refuse_fail(sk, RFSEC_HS_FAIL_WRONG_KEY);
		return;
	}
	/* Removed or replaced while this connection waited: unknown now. */
	if (rfsec_peer_removed(s->peer)) {
		rfsec_session_refuse_fail(sk, RFSEC_HS_FAIL_NO_KEY);
		return;
	}
	s->peer_rx_limit = params.rx_limit;
	params.rx_limit = RFSEC_RX_LIMIT_MAX;
	params.channel = s->channel;
	ret = rfsec_hs_create_response(hs, &params) ?:
	      rfsec_session_make_records(s);
	if (ret) {
		rfsec_session_fail(sk, ret == -EINVAL ? -ECONNABORTED : ret,
				   RFSEC_HS_FAIL_MALFORMED);
		return;
	}
	if (rfsec_session_send_now(transport, hs->msg,
				   RFSEC_HDR_LEN + RFSEC_RESPONSE_LEN)) {
		rfsec_session_fail(sk, -ECONNRESET, RFSEC_HS_FAIL_CLOSED);
		return;
	}
	rfsec_hs_free(s->hs);
	s->hs = NULL;
	rfsec_session_set_state(s, RFSEC_SESSION_RESP_CONFIRM);
}

/* Initiator: the response arrived; confirm, and the connection is up. */
static void rfsec_session_on_response(struct sock *sk, const u8 *body)
{
	struct rfsec_session *s = rfsec_session(sk);
	struct socket *transport = rfsec_sk(sk)->transport;
	struct rfsec_hs_params params;
	int ret;

	ret = rfsec_hs_consume_response(s->hs, body, &params);
	if (ret == -EBADMSG) {
		rfsec_session_fail(sk, -EKEYREJECTED, RFSEC_HS_FAIL_WRONG_KEY);
		return;
	}
	if (ret == -EINVAL || ret == -EPROTO) {
		rfsec_session_fail(sk, -ECONNABORTED, RFSEC_HS_FAIL_MALFORMED);
		return;
	}
	if (ret) {
		rfsec_session_fail(sk, ret, RFSEC_HS_FAIL_UNSPEC);
		return;
	}
	/*
	 * The responder names the channel it accepted on (0: it cannot
	 * know); a relay to another service on the same device shows here.
	 */
	if (params.channel && params.channel != s->channel) {
		net_info_ratelimited("%pMR answered on channel %u, not %u\n",
				     &s->remote, params.channel, s->channel);
		rfsec_session_fail(sk, -ECONNABORTED, RFSEC_HS_FAIL_MALFORMED);
		return;
	}
	s->peer_rx_limit = params.rx_limit;
	ret = rfsec_session_make_records(s);
	if (ret) {
		rfsec_session_fail(sk, ret, RFSEC_HS_FAIL_UNSPEC);
		return;
	}
	/*
	 * The application cannot send before ESTABLISHED, so tx_buf is free
	 * without tx_lock here.
	 */
	ret = rfsec_record_seal(s->rec, s->tx_buf, RFSEC_INNER_CONFIRM, 0);
	if (ret < 0 || rfsec_session_send_now(transport, s->tx_buf, ret)) {
		rfsec_session_fail(sk, -ECONNRESET, RFSEC_HS_FAIL_CLOSED);
		return;
	}
	rfsec_session_established(sk);
}

static void rfsec_session_on_refusal(struct sock *sk, const u8 *body)
{
	struct rfsec_session *s = rfsec_session(sk);

	if (body[0] == RFSEC_REFUSE_CIPHER) {
		net_info_ratelimited("%pMR does not accept cipher %u (it accepts the set %#x)\n",
				     &s->remote, s->cipher, body[1]);
		rfsec_session_fail(sk, -EPROTONOSUPPORT, RFSEC_HS_FAIL_CIPHER);
		return;
	}
	/* Opaque by design: the other side's log says why. */
	rfsec_session_fail(sk, -EKEYREJECTED, RFSEC_HS_FAIL_REFUSED);
}

/*
 * Where a record's data will go: its own skb, allocated before the record
 * is opened so that a record, once opened, is never dropped for want of
 * memory. Each record keeps its own skb, so reads, MSG_PEEK and TIOCINQ
 * see the sender's write boundaries as on RFCOMM, until the queue holds
 * RFSEC_RX_SKBS_SEPARATE of them: past that, a record goes into the tail
 * skb's room. Charged by payload (as RFCOMM charges its queue), a stream
 * of one-byte records would otherwise pin an skb of hundreds of bytes per
 * byte charged. Called under lock_sock(), which readers hold too.
 */
#define RFSEC_RX_SKBS_SEPARATE	64
#define RFSEC_RX_SKB_MIN	SKB_WITH_OVERHEAD(2048)

static struct sk_buff *rfsec_session_rx_room(struct sock *sk,
					     unsigned int len, bool *fresh)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	struct sk_buff *skb = skb_peek_tail(q);
	unsigned int size = len;

	*fresh = skb_queue_len(q) < RFSEC_RX_SKBS_SEPARATE ||
		 skb_tailroom(skb) < len;
	if (!*fresh)
		return skb;
	/* Under pressure, leave room for the records behind this one. */
	if (skb_queue_len(q) >= RFSEC_RX_SKBS_SEPARATE - 1)
		size = max_t(unsigned int, len, RFSEC_RX_SKB_MIN);
	return alloc_skb(size, GFP_KERNEL);
}

/*
 * A whole record is in rx_buf. Data goes to the application only after
 * it authenticated (-EAGAIN: no memory for it yet, try later).
 */
static int rfsec_session_on_record(struct sock *sk, unsigned int body_len)
{
	struct rfsec_session *s = rfsec_session(sk);
	const char *why = "a record of an unknown inner type";
	struct sk_buff *skb = NULL;
	bool fresh = false;
	unsigned int len;
	int inner, ret;

	if (s->state == RFSEC_SESSION_ESTABLISHED &&
	    body_len > RFSEC_RECORD_MIN) {
		skb = rfsec_session_rx_room(sk, body_len - RFSEC_RECORD_MIN,
					    &fresh);
		if (!skb)
			return -EAGAIN;
	}
	inner = rfsec_record_open(s->rec, s->rx_buf, body_len, &len);
	if (inner == -EBADMSG) {
		why = "a record did not authenticate";
		goto bad;
	}
	if (inner < 0) {
		ret = inner;
		why = "decryption failed";
		goto failed;
	}

	if (s->state == RFSEC_SESSION_RESP_CONFIRM) {
		if (inner != RFSEC_INNER_CONFIRM || len)
			goto bad;
		rfsec_session_established(sk);
		return 0;
	}
	switch (inner) {
	case RFSEC_INNER_DATA:
		if (!len)
			break;
		why = "data under a key older than key_max_age_seconds";
		if (rfsec_record_rx_key_too_old(s->rec))
			goto bad;
		atomic64_add(len, &s->ratchet->bytes);
		if (s->initiator && rfsec_ratchet_due(s->ratchet))
			rfsec_session_kick_tx(sk, s);
		skb_put_data(skb, s->rx_buf + RFSEC_HDR_LEN + 1, len);
		memzero_explicit(s->rx_buf + RFSEC_HDR_LEN + 1, len);
		atomic_add(len, &sk->sk_rmem_alloc);
		if (fresh)
			skb_queue_tail(&sk->sk_receive_queue, skb);
		fresh = false;
		atomic64_add(len, &s->peer->stats.rx_bytes);
		sk->sk_data_ready(sk);
		break;
	case RFSEC_INNER_REKEY:
		why = "a malformed rekey record";
		if (len)
			goto bad;
		ret = rfsec_record_rekey(s->rec, false);
		if (ret) {
			why = "the key change failed";
			goto failed;
		}
		atomic64_inc(&s->peer->stats.rekeys);
		break;
	case RFSEC_INNER_RATCHET:
	case RFSEC_INNER_RATCHET_ACK:
	case RFSEC_INNER_RATCHET_SWITCH:
		ret = rfsec_ratchet_receive(s->ratchet, s->rec, inner,
					    s->rx_buf + RFSEC_HDR_LEN + 1, len);
		memzero_explicit(s->rx_buf + RFSEC_HDR_LEN + 1, len);
		why = "a ratchet record out of place";
		if (ret == -EBADMSG)
			goto bad;
		if (ret) {
			why = "the ratchet's key exchange failed";
			goto failed;
		}
		if (inner == RFSEC_INNER_RATCHET_SWITCH)
			atomic64_inc(&s->peer->stats.ratchets);
		else
			rfsec_session_kick_tx(sk, s);
		break;
	case RFSEC_INNER_CLOSE:
		why = "a malformed close record";
		if (len)
			goto bad;
		/*
		 * The authenticated end: what came before is all there is.
		 * The reader sees the end when RFCOMM's link goes, as RFCOMM
		 * reports it (a peer's close reads as ECONNRESET there).
		 */
		s->peer_closed = true;
		break;
	default:
		goto bad;
	}
	atomic64_inc(&s->peer->stats.rx_records);
	if (fresh)
		kfree_skb(skb);
	return 0;
bad:
	if (fresh)
		kfree_skb(skb);
	if (s->state == RFSEC_SESSION_RESP_CONFIRM)
		rfsec_session_fail(sk, -ECONNABORTED, RFSEC_HS_FAIL_MALFORMED);
	else
		rfsec_session_abort(sk, why);
	return -EBADMSG;
failed:
	/* Our own crypto failed, not the peer: its errno, not a forgery. */
	if (fresh)
		kfree_skb(skb);
	if (s->state == RFSEC_SESSION_RESP_CONFIRM)
		rfsec_session_fail(sk, ret, RFSEC_HS_FAIL_UNSPEC);
	else
		rfsec_session_fail_why(sk, ret, RFSEC_HS_FAIL_UNSPEC, why);
	return ret;
}

/*
 * Whether a header may start a message in the current state, and the
 * body length it announces is one that message may have.
 */
static bool rfsec_session_header_ok(const struct rfsec_session *s,
				    const u8 *hdr)
{
	unsigned int len = (hdr[2] << 8) | hdr[3];

	switch (s->state) {
	case RFSEC_SESSION_INIT_SENT:
		return (hdr[0] == RFSEC_MSG_RESPONSE &&
			len == RFSEC_RESPONSE_LEN) ||
		       (hdr[0] == RFSEC_MSG_REFUSAL &&
			len == RFSEC_REFUSAL_LEN);
	case RFSEC_SESSION_RESP_WAIT:
		return hdr[0] == RFSEC_MSG_INITIATION &&
		       len == RFSEC_INITIATION_LEN;
	case RFSEC_SESSION_RESP_CONFIRM:
	case RFSEC_SESSION_ESTABLISHED:
		/* Nothing follows a close record. */
		return hdr[0] == RFSEC_MSG_RECORD && len >= RFSEC_RECORD_MIN &&
		       len <= RFSEC_RECORD_MAX && !s->peer_closed;
	default:
		return false;
	}
}

/* Something that is not the next message arrived. */
static void rfsec_session_malformed(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);

	if (s->state == RFSEC_SESSION_ESTABLISHED) {
		rfsec_session_abort(sk, "a malformed record header");
		return;
	}
	if (s->state == RFSEC_SESSION_RESP_WAIT)
		rfsec_session_refuse(rfsec_sk(sk)->transport, s->tx_buf,
				     RFSEC_REFUSE_REFUSED);
	rfsec_session_fail(sk, -ECONNABORTED, RFSEC_HS_FAIL_MALFORMED);
}

/*
 * A header of another protocol version. An initiator learns that its peer
 * speaks another version; a responder answers a version-1 initiation in
 * version 1's format and anything else with its own refusal, so that
 * either kind of initiator reports a refusal rather than a timeout.
 */
static void rfsec_session_other_version(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);
	struct socket *transport = rfsec_sk(sk)->transport;
	u8 version = s->rx_buf[1];

	switch (s->state) {
	case RFSEC_SESSION_RESP_WAIT:
		if (version == 1)
			rfsec_session_refuse_v1(transport, s->tx_buf);
		else
			rfsec_session_refuse(transport, s->tx_buf,
					     RFSEC_REFUSE_REFUSED);
		fallthrough;
	case RFSEC_SESSION_INIT_SENT:
		net_info_ratelimited("%pMR speaks protocol version %u, this side %u\n",
				     &s->remote, version, RFSEC_PROTO_VERSION);
		rfsec_session_fail(sk, -EPROTONOSUPPORT, RFSEC_HS_FAIL_VERSION);
		return;
	default:
		rfsec_session_malformed(sk);
	}
}

/* A whole message is in rx_buf; 0, or -EAGAIN to come back later. */
static int rfsec_session_dispatch(struct sock *sk, unsigned int body_len)
{
	struct rfsec_session *s = rfsec_session(sk);
	const u8 *body = s->rx_buf + RFSEC_HDR_LEN;

	switch (s->rx_buf[0]) {
	case RFSEC_MSG_INITIATION:
		rfsec_session_on_initiation(sk, body);
		return 0;
	case RFSEC_MSG_RESPONSE:
		rfsec_session_on_response(sk, body);
		return 0;
	case RFSEC_MSG_REFUSAL:
		rfsec_session_on_refusal(sk, body);
		return 0;
	default:
		return rfsec_session_on_record(sk, body_len);
	}
}

/*
 * The link ended (@err from RFCOMM, or 0 once it has no more to say).
 * Inside a message or a handshake, that is a failure of its own.
 */
static void rfsec_session_link_down(struct sock *sk, int err)
{
	struct rfsec_session *s = rfsec_session(sk);

	if (rfsec_session_state_handshaking(s)) {
		rfsec_session_fail(sk, -ECONNRESET, RFSEC_HS_FAIL_CLOSED);
		return;
	}
	/* The peer ended cleanly, or this side did: as RFCOMM reports it. */
	if (s->peer_closed || READ_ONCE(s->close_sent)) {
		rfsec_transport_ended(sk, err);
		return;
	}
	if (s->state == RFSEC_SESSION_ESTABLISHED)
		atomic64_inc(&s->peer->stats.unclean_ends);
	if (s->rx_have) {
		/*
		 * Not a byte of the partial record is delivered either way;
		 * the errno says whether the peer cut the stream short or
		 * the link itself failed.
		 */
		if (err && err != -ECONNRESET)
			rfsec_session_fail_why(sk, err, RFSEC_HS_FAIL_UNSPEC,
					       "the link failed inside a record");
		else
			rfsec_session_abort(sk, "the stream ended inside a record");
		return;
	}
	/*
	 * Between records, but without the close record: someone between
	 * the devices can fake RFCOMM's orderly end (ECONNRESET, or 0), so
	 * it reads as the link failing (ECONNABORTED, as RFCOMM reports a
	 * controller that went away); the link's own errors pass as they are.
	 */
	if (s->state == RFSEC_SESSION_ESTABLISHED) {
		net_info_ratelimited("connection with %pMR on %pMR ended without a close record (%d)\n",
				     &s->remote, &s->local, err);
		rfsec_transport_ended(sk, !err || err == -ECONNRESET ?
					  -ECONNABORTED : err);
		return;
	}
	rfsec_transport_ended(sk, err);
}

static void rfsec_session_read(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);
	unsigned int need, body_len;
	int n;

	for (;;) {
		if (s->state != RFSEC_SESSION_INIT_SENT &&
		    s->state != RFSEC_SESSION_RESP_WAIT &&
		    s->state != RFSEC_SESSION_RESP_CONFIRM &&
		    s->state != RFSEC_SESSION_ESTABLISHED)
			return;
		/* Flow control: RFCOMM holds the rest and throttles the peer. */
		if (atomic_read(&sk->sk_rmem_alloc) >= READ_ONCE(sk->sk_rcvbuf))
			return;
		body_len = 0;
		need = RFSEC_HDR_LEN;
		if (s->rx_have >= RFSEC_HDR_LEN) {
			body_len = (s->rx_buf[2] << 8) | s->rx_buf[3];
			need += body_len;
		}
		if (s->rx_have < need) {
			n = rfsec_transport_recv(sk, s->rx_buf + s->rx_have,
						 need - s->rx_have);
			if (n == -EAGAIN)
				return;
			if (n <= 0) {
				rfsec_session_link_down(sk, n);
				return;
			}
			WRITE_ONCE(s->rx_have, s->rx_have + n);
			if (s->rx_have < RFSEC_HDR_LEN || need > RFSEC_HDR_LEN)
				continue;
			if (s->rx_buf[1] != RFSEC_PROTO_VERSION) {
				rfsec_session_other_version(sk);
				return;
			}
			if (!rfsec_session_header_ok(s, s->rx_buf)) {
				rfsec_session_malformed(sk);
				return;
			}
			continue;
		}
		if (rfsec_session_dispatch(sk, body_len) == -EAGAIN) {
			net_warn_ratelimited("no memory for a received record; retrying\n");
			rfsec_transport_kick_after(sk, HZ / 10);
			return;
		}
		WRITE_ONCE(s->rx_have, 0);
	}
}

/* Under lock_sock(): how far the link is, and the handshake's turn. */
void rfsec_session_receive(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);
	struct socket *transport = rfsec_sk(sk)->transport;

	if (!s)
		return;
	if (s->state == RFSEC_SESSION_PLAINTEXT) {
		rfsec_transport_pull(sk);
		return;
	}
	if (READ_ONCE(s->tx_err)) {
		rfsec_session_fail_why(sk, READ_ONCE(s->tx_err),
				       RFSEC_HS_FAIL_UNSPEC,
				       "sealing or a key change failed");
		return;
	}
	if (s->state == RFSEC_SESSION_IDLE) {
		if (READ_ONCE(transport->sk->sk_state) != BT_CONNECTED) {
			/*
			 * Still connecting, or it failed: take the error, and
			 * not a byte (it could only be a refusal, unread).
			 */
			rfsec_transport_take_error(sk);
			return;
		}
		rfsec_session_start(sk);
		if (s->state == RFSEC_SESSION_PLAINTEXT) {
			rfsec_transport_pull(sk);
			return;
		}
	}
	rfsec_session_read(sk);
}

int rfsec_session_connected(struct sock *sk, long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct rfsec_session *s;
	int err = 0;

	lock_sock(sk);
	s = rfsec_session(sk);
	rfsec_session_receive(sk);
	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		/*
		 * Established, even if a record right behind the response
		 * already failed: connect() succeeded, and read() returns
		 * the data that authenticated, then the error.
		 */
		if (s->state == RFSEC_SESSION_ESTABLISHED ||
		    s->state == RFSEC_SESSION_PLAINTEXT || s->was_established)
			break;
		if (s->state == RFSEC_SESSION_FAILED ||
		    (s->state == RFSEC_SESSION_IDLE &&
		     READ_ONCE(rfsec_sk(sk)->transport->sk->sk_state) !=
		     BT_CONNECTED)) {
			err = sock_error(sk) ?: -ECONNRESET;
			break;
		}
		/*
		 * As RFCOMM's connect: when the send timeout runs out the
		 * connection goes on (poll and SO_ERROR tell how it ends).
		 */
		if (!timeo) {
			err = -EINPROGRESS;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(timeo);
			break;
		}
		release_sock(sk);
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
		lock_sock(sk);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	release_sock(sk);
	return err;
}

int rfsec_session_sk_state(struct sock *sk, int state)
{
	struct rfsec_session *s = rfsec_session(sk);

	if (!s)
		return state;
	switch (s->state) {
	case RFSEC_SESSION_FAILED:
		return BT_CLOSED;
	case RFSEC_SESSION_IDLE:
	case RFSEC_SESSION_INIT_SENT:
		return state == BT_CONNECTED ? BT_CONNECT : state;
	case RFSEC_SESSION_RESP_WAIT:
	case RFSEC_SESSION_RESP_CONFIRM:
		return state == BT_CONNECTED ? BT_CONNECT2 : state;
	default:
		return state;
	}
}

/*
 * Hand the pending record to RFCOMM. 0 once it is all gone; -EAGAIN if
 * RFCOMM took part of it (out of room or time); else RFCOMM's error.
 */
static int rfsec_session_flush(struct sock *sk, struct rfsec_session *s,
			       int flags)
{
	unsigned int left;
	int ret;

	lockdep_assert_held(&s->tx_lock);
	while (s->tx_off < s->tx_len) {
		left = s->tx_len - s->tx_off;
		ret = rfsec_transport_send(sk, s->tx_buf + s->tx_off, left,
					   flags);
		if (ret <= 0)
			return ret ?: -EAGAIN;
		s->tx_off += ret;
		if (ret < left)
			return -EAGAIN;
	}
	s->tx_off = 0;
	WRITE_ONCE(s->tx_len, 0);
	/*
	 * A close waiting in rfsec_session_drain() waits for this: when the
	 * tx work sends the rest, no later write_space of RFCOMM's wakes it
	 * (those only wake it while a record is pending).
	 */
	wake_up_all(&s->drain_wait);
	return 0;
}

/*
 * Seal @len bytes already at tx_buf + 5 as a record of @inner and send
 * it. Returns 0 when the record is committed (sent, or partly sent and
 * pending); otherwise the record is undone (its counter unused, nothing
 * left the host) and the error returned.
 */
static int rfsec_session_send_record(struct sock *sk,
				     struct rfsec_session *s, u8 inner,
				     unsigned int len, int flags,
				     bool *pending)
{
	int ret;

	ret = rfsec_record_seal(s->rec, s->tx_buf, inner, len);
	if (ret < 0)
		return ret;
	s->tx_off = 0;
	WRITE_ONCE(s->tx_len, ret);
	ret = rfsec_session_flush(sk, s, flags);
	if (ret && !s->tx_off) {
		rfsec_record_unseal(s->rec, inner == RFSEC_INNER_DATA ? len : 0);
		WRITE_ONCE(s->tx_len, 0);
		memzero_explicit(s->tx_buf, RFSEC_WIRE_MAX);
		return ret;
	}
	*pending = ret;
	atomic64_inc(&s->peer->stats.tx_records);
	return 0;
}

/*
 * Under tx_lock, once nothing is pending: the ratchet's records that are
 * due (docs/PROTOCOL.md 4.2), each followed by the key change it
 * announces. 0 when none is left, -EAGAIN when one waits for room in
 * RFCOMM; any other error leaves the records dead.
 */
static int rfsec_session_send_ctl(struct sock *sk, struct rfsec_session *s,
				  int flags)
{
	bool pending = false;
	unsigned int len;
	int inner, ret;

	while (!s->tx_len && !s->close_sent) {
		inner = rfsec_ratchet_next(s->ratchet,
					   s->tx_buf + RFSEC_HDR_LEN + 1, &len);
		if (inner <= 0)
			return inner;
		ret = rfsec_session_send_record(sk, s, inner, len, flags,
						&pending);
		if (ret)
			return ret;
		ret = rfsec_ratchet_sent(s->ratchet, s->rec, inner);
		if (ret)
			return ret;
		if (inner == RFSEC_INNER_RATCHET_SWITCH)
			atomic64_inc(&s->peer->stats.ratchets);
		if (pending)
			return -EAGAIN;
	}
	return 0;
}

static int rfsec_session_send_records(struct sock *sk,
				      struct rfsec_session *s,
				      struct msghdr *msg, size_t len)
{
	int flags = (msg->msg_flags & MSG_DONTWAIT) | MSG_NOSIGNAL;
	bool pending = false;
	size_t sent = 0;
	unsigned int n;
	int ret;

	mutex_lock(&s->tx_lock);
	/* A writer racing close() must not follow the close record. */
	ret = READ_ONCE(s->close_sent) ? -EPIPE :
	      rfsec_session_flush(sk, s, flags);
	while (!ret && sent < len) {
		ret = rfsec_session_send_ctl(sk, s, flags);
		if (ret)
			break;
		if (rfsec_record_tx_needs_rekey(s->rec)) {
			ret = rfsec_session_send_record(sk, s,
							RFSEC_INNER_REKEY, 0,
							flags, &pending);
			if (ret)
				break;
			ret = rfsec_record_rekey(s->rec, true);
			if (ret)
				break;
			atomic64_inc(&s->peer->stats.rekeys);
			/* The data record needs tx_buf: the rekey goes first. */
			if (pending)
				ret = rfsec_session_flush(sk, s, flags);
			if (ret)
				break;
		}
		n = min_t(size_t, len - sent, s->tx_data_max);
		if (!copy_from_iter_full(s->tx_buf + RFSEC_HDR_LEN + 1, n,
					 &msg->msg_iter)) {
			ret = -EFAULT;
			break;
		}
		ret = rfsec_session_send_record(sk, s, RFSEC_INNER_DATA, n,
						flags, &pending);
		if (ret) {
			iov_iter_revert(&msg->msg_iter, n);
			break;
		}
		sent += n;
		atomic64_add(n, &s->peer->stats.tx_bytes);
		atomic64_add(n, &s->ratchet->bytes);
		if (pending)
			break;
	}
	/* A seal or key change failed: no record may follow; end it. */
	if (s->rec->dead) {
		rfsec_session_fail_later(sk, ret ?: -EPIPE);
		sent = 0;
	}
	mutex_unlock(&s->tx_lock);
	return sent ? sent : ret;
}

int rfsec_session_sendmsg(struct sock *sk, struct msghdr *msg, size_t len)
{
	struct rfsec_session *s = rfsec_session(sk);

	switch (rfsec_session_state(sk)) {
	case RFSEC_SESSION_PLAINTEXT:
		return rfsec_transport_sendmsg(sk, msg, len);
	case RFSEC_SESSION_ESTABLISHED:
		return rfsec_session_send_records(sk, s, msg, len);
	default:
		/* Nothing moves before the handshake or after a failure. */
		return -ENOTCONN;
	}
}

bool rfsec_session_rx_pending(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);

	return s && READ_ONCE(s->rx_have);
}

bool rfsec_session_writeable(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);

	return !s || !READ_ONCE(s->tx_len);
}

void rfsec_session_write_space(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);

	if (!s)
		return;
	if (READ_ONCE(s->tx_len)) {
		sock_hold(sk);
		if (!rfsec_queue_work(&s->tx_work))
			sock_put(sk);
	}
	/* A drain may wait for room for the close record, with none pending. */
	wake_up_all(&s->drain_wait);
}

static void rfsec_tx_work(struct work_struct *work)
{
	struct rfsec_session *s = container_of(work, struct rfsec_session,
					       tx_work);
	struct sock *sk = s->owner;
	bool flushed;
	int ret = 0;

	mutex_lock(&s->tx_lock);
	flushed = !rfsec_session_flush(sk, s, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (flushed && rfsec_session_state(sk) == RFSEC_SESSION_ESTABLISHED)
		ret = rfsec_session_send_ctl(sk, s,
					     MSG_DONTWAIT | MSG_NOSIGNAL);
	/* A ratchet record that cannot go yet goes when RFCOMM has room. */
	if (ret && s->rec->dead)
		rfsec_session_fail_later(sk, ret);
	mutex_unlock(&s->tx_lock);
	if (flushed)
		sk->sk_write_space(sk);
	sock_put(sk);
}

/* Every rfsec_ratchet_period(): a proposal due goes out through tx_work. */
static void rfsec_ratchet_work(struct work_struct *work)
{
	struct rfsec_session *s = container_of(to_delayed_work(work),
					       struct rfsec_session,
					       ratchet_work);
	struct sock *sk = s->owner;

	if (rfsec_session_state(sk) == RFSEC_SESSION_ESTABLISHED) {
		if (rfsec_ratchet_due(s->ratchet))
			rfsec_session_kick_tx(sk, s);
		rfsec_session_arm_ratchet(sk, s);
	}
	sock_put(sk);
}

static void rfsec_timeout_work(struct work_struct *work)
{
	struct rfsec_session *s = container_of(to_delayed_work(work),
					       struct rfsec_session, timeout);
	struct sock *sk = s->owner;

	lock_sock(sk);
	if (rfsec_session_state_handshaking(s) && s->state != RFSEC_SESSION_IDLE)
		rfsec_session_fail(sk, -ETIMEDOUT, RFSEC_HS_FAIL_TIMEOUT);
	release_sock(sk);
	sock_put(sk);
}

/*
 * Whether the drain should look again: all sent (the close record
 * included), room in RFCOMM, or no link.
 */
static bool rfsec_session_drain_ready(struct rfsec_session *s,
				      struct sock *tsk)
{
	return (!READ_ONCE(s->tx_len) && READ_ONCE(s->close_sent)) ||
	       sock_writeable(tsk) ||
	       READ_ONCE(tsk->sk_state) != BT_CONNECTED;
}

/*
 * After the last record write() accepted, the close record (once): the
 * peer then reads an end of stream, not a cut. 0 once it has all gone to
 * RFCOMM, -EAGAIN while part of it waits for room.
 */
static int rfsec_session_send_close(struct sock *sk, struct rfsec_session *s)
{
	bool pending = false;
	int ret;

	if (s->close_sent)
		return 0;
	if (s->rec->dead)
		return -EPIPE;
	ret = rfsec_session_send_record(sk, s, RFSEC_INNER_CLOSE, 0,
					MSG_DONTWAIT | MSG_NOSIGNAL, &pending);
	if (ret)
		return ret;
	WRITE_ONCE(s->close_sent, true);
	return pending ? -EAGAIN : 0;
}

void rfsec_session_drain(struct sock *sk, long timeo)
{
	struct rfsec_session *s = rfsec_session(sk);
	struct socket *transport = READ_ONCE(rfsec_sk(sk)->transport);
	unsigned int left;
	int ret;

	if (!s || !transport ||
	    rfsec_session_state(sk) != RFSEC_SESSION_ESTABLISHED)
		return;
	for (;;) {
		mutex_lock(&s->tx_lock);
		ret = rfsec_session_flush(sk, s, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (!ret)
			ret = rfsec_session_send_close(sk, s);
		left = s->tx_len - s->tx_off;
		mutex_unlock(&s->tx_lock);
		if (ret != -EAGAIN || timeo <= 0)
			break;
		/*
		 * Killable only: write() already reported these bytes sent,
		 * so an ordinary signal must not cut them off.
		 */
		timeo = wait_event_killable_timeout(s->drain_wait,
				rfsec_session_drain_ready(s, transport->sk),
				timeo);
	}
	/*
	 * A close record that found the link gone is no loss: the peer is
	 * gone too. Data left behind, or a link that stayed full, is.
	 */
	if (ret && (left || ret == -EAGAIN))
		net_warn_ratelimited("close of %pMR on %pMR: %u bytes of a record not sent (%d)\n",
				     &s->remote, &s->local, left, ret);
}

void rfsec_session_wake_drain(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);

	if (s)
		wake_up_all(&s->drain_wait);
}

void rfsec_session_stop(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);

	if (!s)
		return;
	if (cancel_delayed_work_sync(&s->timeout))
		sock_put(sk);
	/* The ratchet work re-arms itself: stop it before the tx work. */
	if (cancel_delayed_work_sync(&s->ratchet_work))
		sock_put(sk);
	if (cancel_work_sync(&s->tx_work))
		sock_put(sk);
}

void rfsec_session_free(struct sock *sk)
{
	struct rfsec_session *s = rfsec_session(sk);

	if (!s)
		return;
	/* The works held references; there are none left, so none is queued. */
	if (s->counted)
		atomic_dec(&s->peer->stats.connections);
	if (s->peer)
		rfsec_peer_put(s->peer);
	rfsec_hs_free(s->hs);
	rfsec_peer_keys_wipe(&s->resp_keys);
	rfsec_records_free(s->rec);
	rfsec_ratchet_free(s->ratchet);
	kfree_sensitive(s->rx_buf);
	kfree_sensitive(s->tx_buf);
	kfree(s);
	rfsec_sk(sk)->session = NULL;
}
