/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The security of one connection: the policy decision, the handshake that
 * runs before any application byte moves, and the records after it. It
 * sits between the rfsec socket (sock.c) and its RFCOMM transport
 * (transport.c): the transport work hands it what RFCOMM received, and
 * sendmsg() hands it what the application writes.
 */

#ifndef RFSEC_SESSION_H
#define RFSEC_SESSION_H

#include "peer.h"

#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <net/bluetooth/bluetooth.h>
#include <net/sock.h>

struct rfsec_hs;
struct rfsec_records;

enum rfsec_session_state {
	RFSEC_SESSION_IDLE,		/* initiator, link not up yet */
	RFSEC_SESSION_INIT_SENT,	/* initiator, awaiting the response */
	RFSEC_SESSION_RESP_WAIT,	/* responder, awaiting the initiation */
	RFSEC_SESSION_RESP_CONFIRM,	/* responder, awaiting the confirm */
	RFSEC_SESSION_ESTABLISHED,	/* records both ways */
	RFSEC_SESSION_PLAINTEXT,	/* the peer's policy allows no rfsec */
	RFSEC_SESSION_FAILED,		/* nothing more moves */
};

struct rfsec_session {
	/*
	 * Written under lock_sock() by the transport work; read without it
	 * (sendmsg, poll, the listener) with smp_load_acquire(), so that
	 * what a state promises (@rec for ESTABLISHED) is visible with it.
	 */
	enum rfsec_session_state state;
	struct sock *owner;
	bool initiator;
	bool counted;			/* in the peer's open connections */
	bool refuse_no_key;		/* responder without a key for the peer */
	bool was_established;		/* the handshake completed, under lock_sock() */
	bool peer_closed;		/* its close record came, under lock_sock() */
	bool close_sent;		/* ours went (or is pending), under tx_lock */
	u8 cipher;
	u8 channel;
	bdaddr_t local;
	bdaddr_t remote;
	struct rfsec_peer *peer;	/* reference; NULL when none */
	/* Responder, until the initiation: what its handshake will need. */
	struct rfsec_peer_keys resp_keys;
	struct rfsec_hs *hs;		/* during the handshake only */
	struct rfsec_records *rec;	/* once established */
	/* Receive side, under lock_sock(): the message being assembled. */
	u8 *rx_buf;
	unsigned int rx_have;
	/*
	 * Send side, under tx_lock: a sealed record not yet wholly taken by
	 * RFCOMM (tx_off of tx_len bytes are). The transport work never
	 * takes tx_lock once the application can send: a sender blocked in
	 * RFCOMM holds it, and the work must go on reading meanwhile.
	 */
	struct mutex tx_lock;
	/* Sealing or a key change failed on the send path: the work ends it. */
	int tx_err;
	u8 *tx_buf;
	unsigned int tx_data_max;	/* data per record: whole RFCOMM frames */
	u16 peer_rx_limit;		/* the longest record the peer takes */
	unsigned int tx_off;
	unsigned int tx_len;
	struct work_struct tx_work;	/* flushes tx_buf when RFCOMM has room */
	/* Shutdown and close wait here for room, or for the link to go. */
	wait_queue_head_t drain_wait;
	struct delayed_work timeout;	/* ends a handshake that takes too long */
};

/* Before connect(): the socket becomes an initiator. Under lock_sock(). */
int rfsec_session_connect(struct sock *sk);
/*
 * A new child of a listener, before its transport is attached: decide by
 * policy, and refuse at once when there is no key. The child's session is
 * then RESP_WAIT, PLAINTEXT or FAILED.
 */
int rfsec_session_accept(struct sock *sk, struct socket *transport);
/*
 * After a blocking connect() of the transport succeeded: wait up to @timeo
 * for the handshake; -EINPROGRESS when the time ran out (it goes on).
 */
int rfsec_session_connected(struct sock *sk, long timeo);
/* The transport work's turn: receive, under lock_sock(). */
void rfsec_session_receive(struct sock *sk);
int rfsec_session_sendmsg(struct sock *sk, struct msghdr *msg, size_t len);
bool rfsec_session_writeable(struct sock *sk);
/* A received message waits, whole or in part, for room to go on. */
bool rfsec_session_rx_pending(struct sock *sk);
/* RFCOMM has room again (atomic context). */
void rfsec_session_write_space(struct sock *sk);
/* The rfsec socket state to show for a transport in @state. */
int rfsec_session_sk_state(struct sock *sk, int state);
enum rfsec_session_state rfsec_session_state(struct sock *sk);
/* Whether its handshake is still to come or running. */
bool rfsec_session_handshaking(struct sock *sk);
/*
 * Shutdown and close: hand RFCOMM the rest of the record write() accepted
 * and then the close record, waiting up to @timeo (jiffies) for room.
 */
void rfsec_session_drain(struct sock *sk, long timeo);
/* The transport's state changed (atomic context): a drain looks again. */
void rfsec_session_wake_drain(struct sock *sk);
/* After the transport is detached: stop the session's works. */
void rfsec_session_stop(struct sock *sk);
/* The last reference went: free everything, wiping keys. */
void rfsec_session_free(struct sock *sk);

#endif /* RFSEC_SESSION_H */
