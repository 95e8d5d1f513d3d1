/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * rfsec: end-to-end encrypted Bluetooth RFCOMM sockets.
 *
 * This header is the whole interface between the rfsec kernel module and
 * userspace. It needs nothing but the C compiler.
 *
 * Sockets
 * =======
 *
 * socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFSEC) creates an rfsec socket.
 * Programs should read the protocol number from RFSEC_A_PROTO at run time
 * (see RFSEC_CMD_GET_INFO) rather than trust the value compiled in here.
 *
 * Generic netlink
 * ===============
 *
 * The module is controlled over generic netlink, family RFSEC_GENL_NAME,
 * version RFSEC_GENL_VERSION. Resolve the family id with CTRL_CMD_GETFAMILY;
 * the lookup loads the module if it is installed and not yet loaded.
 *
 * The family exists only in the initial network namespace, because Bluetooth
 * sockets exist only there. Requests are validated strictly: each command
 * accepts only the attributes listed for it below. An unknown or unlisted
 * attribute, an attribute of the wrong type, a non-zero reserved header
 * field or an unknown netlink flag is refused with EINVAL; an address or key
 * of the wrong length, or a number out of range, with ERANGE (the netlink
 * core's errno for both).
 *
 * Every command but GET_INFO requires CAP_NET_ADMIN and fails with EPERM
 * without it: those that change configuration (SET_* and DEL_*), and also
 * those that read it (GET_IDENTITY, GET_PEER), since who is trusted, and
 * when they met, is not for every user. No reply and no event ever carries
 * a private or pre-shared key.
 *
 * Every refusal but EPERM (which the generic netlink core gives before rfsec
 * sees the request) carries a message in the extended ACK (NLMSGERR_ATTR_MSG,
 * with NETLINK_EXT_ACK set on the socket), and where one attribute is at
 * fault, its offset (NLMSGERR_ATTR_OFFS) or, when it is missing, its type
 * (NLMSGERR_ATTR_MISS_TYPE). Refusals by rfsec itself also leave a
 * rate-limited line in the kernel log. The errors are:
 *
 *    EINVAL: a malformed request, a missing attribute or a refused key
 *    ERANGE: an attribute of the wrong length or out of range
 *    ENOENT: the adapter has no identity, or the identity no such peer
 *    ENOSPC: the limit on identities or on peers per identity is reached
 *    EPERM: a command other than GET_INFO without CAP_NET_ADMIN
 *    ENOMEM: the kernel is out of memory
 *
 * Dumps end with NLMSG_DONE. If the configuration changes while a dump is in
 * progress, a message carries NLM_F_DUMP_INTR and the dump should be
 * started again. A dump the netlink core refuses (a malformed attribute) is
 * answered with NLMSG_ERROR; one rfsec refuses (an adapter without an
 * identity, or RFSEC_A_PEER_ADDR in a dump) ends at once with an NLMSG_DONE
 * that carries the negative errno and the extended ACK message.
 *
 * Addresses and keys
 * ------------------
 *
 * A Bluetooth address travels as RFSEC_ADDR_LEN bytes in the kernel's
 * bdaddr_t order, which is also the order of rc_bdaddr in struct sockaddr_rc
 * and of BlueZ's bdaddr_t: least significant byte first. The adapter
 * 00:11:22:33:44:55 is sent as the bytes 55 44 33 22 11 00.
 * 00:00:00:00:00:00 (BDADDR_ANY) and ff:ff:ff:ff:ff:ff are not device
 * addresses and are refused.
 *
 * Keys are RFSEC_KEY_LEN (32) bytes: X25519 private and public keys as in
 * RFC 7748, and pre-shared keys of 32 random bytes.
 *
 * Identities and peers
 * --------------------
 *
 * Each local adapter (Bluetooth controller), known by its address as BlueZ
 * keys its own storage, may hold one identity: a static X25519 key pair. The
 * private key is written in and can never be read back; the kernel derives
 * the public key. The adapter need not be present when its identity is set,
 * so configuration may be loaded before the controller appears.
 *
 * Each identity has its own peers: remote devices, each known by its address
 * and bound to its X25519 public key, with an optional pre-shared key (mixed
 * into the handshake; all zero means none, as in Noise) and a policy (enum
 * rfsec_policy). Two adapters of one machine hold independent identities
 * and independent peers.
 *
 * An identity holds at most 64 peers and the module at most 16 identities,
 * which bounds the kernel memory configuration may take; beyond that
 * SET_IDENTITY and SET_PEER fail with ENOSPC.
 *
 * Changes are serialised; each one is announced on the "events" multicast
 * group (see Events below).
 *
 * RFSEC_CMD_GET_INFO
 * ------------------
 *
 * Who may call it: anyone. It changes nothing and reveals nothing secret.
 *
 * Send it with NLM_F_REQUEST (NLM_F_ACK is welcome; NLM_F_DUMP is refused
 * with EOPNOTSUPP). The request takes no attributes. The kernel replies with
 * one message holding:
 *
 *    RFSEC_A_VERSION: NLA_NUL_STRING, the module version, e.g. "0.2.0"
 *    RFSEC_A_PROTO: NLA_U32, the protocol number to pass to socket(2)
 *    RFSEC_A_SOCKETS: NLA_U32, how many rfsec sockets exist right now
 *
 * RFSEC_CMD_SET_IDENTITY
 * ----------------------
 *
 * Who may call it: CAP_NET_ADMIN. Send it with NLM_F_REQUEST (and NLM_F_ACK
 * to learn the outcome) and:
 *
 *    RFSEC_A_ADAPTER: NLA_BINARY, len RFSEC_ADDR_LEN, required
 *    RFSEC_A_PRIVATE_KEY: NLA_BINARY, len RFSEC_KEY_LEN, required
 *
 * Gives the adapter an identity, or a new key for the identity it has. Any
 * 32 bytes are a private key (X25519 clamps them), except that the kernel
 * refuses, with EINVAL: an all-zero key; a key whose public key comes out all
 * zero; and a key whose public key is that of one of the adapter's peers.
 * The peers of an identity and their statistics survive a change of its key.
 * Setting the key the identity already has changes nothing and announces
 * nothing.
 *
 * RFSEC_CMD_DEL_IDENTITY
 * ----------------------
 *
 * Who may call it: CAP_NET_ADMIN. Attributes:
 *
 *    RFSEC_A_ADAPTER: NLA_BINARY, len RFSEC_ADDR_LEN, required
 *
 * Removes the adapter's identity and all its peers, wiping their keys.
 * ENOENT if the adapter has no identity.
 *
 * RFSEC_CMD_GET_IDENTITY
 * ----------------------
 *
 * Who may call it: CAP_NET_ADMIN.
 *
 * Without NLM_F_DUMP, RFSEC_A_ADAPTER is required and the kernel replies with
 * that adapter's identity, or fails with ENOENT. With NLM_F_DUMP it sends
 * one message per identity, or only the one of RFSEC_A_ADAPTER if that is
 * given (ENOENT if it has none). Each message holds:
 *
 *    RFSEC_A_ADAPTER: NLA_BINARY, len RFSEC_ADDR_LEN
 *    RFSEC_A_PUBLIC_KEY: NLA_BINARY, len RFSEC_KEY_LEN, the derived public key
 *
 * RFSEC_CMD_SET_PEER
 * ------------------
 *
 * Who may call it: CAP_NET_ADMIN. Attributes:
 *
 *    RFSEC_A_ADAPTER: NLA_BINARY, len RFSEC_ADDR_LEN, required; the adapter
 *        must have an identity (ENOENT otherwise)
 *    RFSEC_A_PEER_ADDR: NLA_BINARY, len RFSEC_ADDR_LEN, required
 *    RFSEC_A_PEER_PUBLIC_KEY: NLA_BINARY, len RFSEC_KEY_LEN, the peer's
 *        static public key; required unless the policy is
 *        RFSEC_POLICY_ALLOW_PLAINTEXT
 *    RFSEC_A_PEER_PSK: NLA_BINARY, len RFSEC_KEY_LEN, optional pre-shared
 *        key; needs RFSEC_A_PEER_PUBLIC_KEY
 *    RFSEC_A_PEER_POLICY: NLA_U32, enum rfsec_policy, optional; the default
 *        is RFSEC_POLICY_REQUIRE
 *    RFSEC_A_PEER_CIPHER: NLA_U32, enum rfsec_cipher, optional: the cipher
 *        this side proposes when it connects to the peer; the default is
 *        RFSEC_CIPHER_CHACHA20_POLY1305
 *
 * Adds the peer, or replaces it: the peer then holds exactly what the
 * message says, and an attribute left out takes its default (no public key,
 * no pre-shared key, RFSEC_POLICY_REQUIRE), never the old value, so a
 * forgotten attribute can only make the peer stricter. The peer's statistics
 * survive a replacement. NLM_F_CREATE, NLM_F_EXCL and NLM_F_REPLACE are not
 * interpreted: SET_PEER always adds or replaces. An all-zero public key and
 * the adapter's own public key are refused with EINVAL.
 *
 * RFSEC_CMD_DEL_PEER
 * ------------------
 *
 * Who may call it: CAP_NET_ADMIN. Attributes:
 *
 *    RFSEC_A_ADAPTER: NLA_BINARY, len RFSEC_ADDR_LEN, required
 *    RFSEC_A_PEER_ADDR: NLA_BINARY, len RFSEC_ADDR_LEN, required
 *
 * Removes the peer and wipes its keys. ENOENT if the adapter has no identity
 * or no such peer.
 *
 * RFSEC_CMD_GET_PEER
 * ------------------
 *
 * Who may call it: CAP_NET_ADMIN.
 *
 * Without NLM_F_DUMP, RFSEC_A_ADAPTER and RFSEC_A_PEER_ADDR are required and
 * the kernel replies with that peer, or fails with ENOENT. With NLM_F_DUMP
 * it sends one message per peer of every identity, or of the identity of
 * RFSEC_A_ADAPTER only if that is given (ENOENT if it has none). Each
 * message holds:
 *
 *    RFSEC_A_ADAPTER: NLA_BINARY, len RFSEC_ADDR_LEN
 *    RFSEC_A_PEER_ADDR: NLA_BINARY, len RFSEC_ADDR_LEN
 *    RFSEC_A_PEER_PUBLIC_KEY: NLA_BINARY, len RFSEC_KEY_LEN; absent when the
 *        peer has none
 *    RFSEC_A_PEER_HAS_PSK: NLA_U8, 1 if a pre-shared key is set, else 0 (the
 *        key itself is never sent)
 *    RFSEC_A_PEER_POLICY: NLA_U32, enum rfsec_policy
 *    RFSEC_A_PEER_CIPHER: NLA_U32, enum rfsec_cipher
 *    RFSEC_A_PEER_STATS: NLA_NESTED, counters since the peer was added:
 *        RFSEC_A_STATS_HANDSHAKES: NLA_U64, handshakes completed
 *        RFSEC_A_STATS_HANDSHAKE_FAILURES: NLA_NESTED, one NLA_U64 per
 *            reason, whose attribute type is the reason (enum
 *            rfsec_hs_failure)
 *        RFSEC_A_STATS_TX_BYTES: NLA_U64, application bytes sent
 *        RFSEC_A_STATS_RX_BYTES: NLA_U64, application bytes received
 *        RFSEC_A_STATS_TX_RECORDS: NLA_U64, records sent
 *        RFSEC_A_STATS_RX_RECORDS: NLA_U64, records received
 *        RFSEC_A_STATS_REKEYS: NLA_U64, in-band key rotations
 *        RFSEC_A_STATS_CONNECTIONS: NLA_U32, connections open now
 *        RFSEC_A_STATS_LAST_HANDSHAKE: NLA_U64, time of the last completed
 *            handshake in nanoseconds since the Unix epoch; 0 for never
 *        RFSEC_A_STATS_UNCLEAN_ENDS: NLA_U64, connections whose stream
 *            ended without the peer's authenticated close record (the
 *            link failed or was cut; docs/PROTOCOL.md section 3.3)
 *        RFSEC_A_STATS_RATCHETS: NLA_U64, fresh Diffie-Hellman key
 *            exchanges completed on established connections (section 4.2)
 *
 * A u64 may be preceded by an empty padding attribute (RFSEC_A_STATS_PAD;
 * type 0 inside RFSEC_A_STATS_HANDSHAKE_FAILURES), which readers skip.
 *
 * Events
 * ======
 *
 * The multicast group RFSEC_GENL_MCGRP_EVENTS ("events"; resolve its id in
 * CTRL_ATTR_MCAST_GROUPS of the CTRL_CMD_GETFAMILY reply) announces every
 * change. Joining it needs CAP_NET_ADMIN (EPERM otherwise); no event carries
 * a secret. A listener that falls behind loses events (its socket reports
 * ENOBUFS) and should dump again. The event commands are only ever sent by the kernel: sent to it,
 * they fail with EOPNOTSUPP.
 *
 * RFSEC_CMD_IDENTITY_CHANGED: an identity was added, given a new key or
 * removed:
 *
 *    RFSEC_A_CHANGE: NLA_U32, enum rfsec_change
 *    RFSEC_A_ADAPTER: NLA_BINARY, len RFSEC_ADDR_LEN
 *    RFSEC_A_PUBLIC_KEY: NLA_BINARY, len RFSEC_KEY_LEN, the key now (on
 *        removal, the key removed)
 *
 * RFSEC_CMD_PEER_CHANGED: a peer was added, replaced by a different one or
 * removed; RFSEC_A_CHANGE and the attributes of a GET_PEER reply but
 * RFSEC_A_PEER_STATS (on removal, as the peer was). Removing an identity
 * announces the removal of each of its peers, then of the identity.
 *
 * RFSEC_CMD_HANDSHAKE_DONE: a handshake with a peer completed:
 *
 *    RFSEC_A_ADAPTER, RFSEC_A_PEER_ADDR
 *    RFSEC_A_PEER_CIPHER: the cipher the connection uses
 *
 * RFSEC_CMD_HANDSHAKE_FAILED: a handshake failed:
 *
 *    RFSEC_A_ADAPTER, RFSEC_A_PEER_ADDR
 *    RFSEC_A_HS_FAILURE: NLA_U32, enum rfsec_hs_failure
 *
 * Both carry the local adapter's address even when the handshake failed
 * before the adapter's identity was found.
 *
 * Socket options
 * ==============
 *
 * Options of level SOL_RFSEC will be defined here together with the socket
 * layer. Until then setsockopt() and getsockopt() of any level other than
 * SOL_SOCKET fail with EOPNOTSUPP.
 */

#ifndef RFSEC_UAPI_RFSEC_H
#define RFSEC_UAPI_RFSEC_H

/*
 * The Bluetooth socket family has room for protocols 0 to 8 and every slot
 * but 7 is taken (L2CAP, HCI, SCO, RFCOMM, BNEP, CMTP, HIDP, ISO). Slot 7 is
 * reserved for AVDTP, which Linux never implemented in the kernel (BlueZ does
 * AVDTP in userspace over L2CAP), so it is free on every kernel we support.
 */
#define BTPROTO_RFSEC 7

#define RFSEC_GENL_NAME "rfsec"
#define RFSEC_GENL_VERSION 1
#define RFSEC_GENL_MCGRP_EVENTS "events"

/* A Bluetooth address (bdaddr_t order) and an X25519 or pre-shared key. */
#define RFSEC_ADDR_LEN 6
#define RFSEC_KEY_LEN 32

enum rfsec_cmd {
	RFSEC_CMD_UNSPEC,
	RFSEC_CMD_GET_INFO,
	RFSEC_CMD_SET_IDENTITY,
	RFSEC_CMD_DEL_IDENTITY,
	RFSEC_CMD_GET_IDENTITY,
	RFSEC_CMD_SET_PEER,
	RFSEC_CMD_DEL_PEER,
	RFSEC_CMD_GET_PEER,
	/* Events, sent by the kernel to RFSEC_GENL_MCGRP_EVENTS only. */
	RFSEC_CMD_IDENTITY_CHANGED,
	RFSEC_CMD_PEER_CHANGED,
	RFSEC_CMD_HANDSHAKE_DONE,
	RFSEC_CMD_HANDSHAKE_FAILED,
	__RFSEC_CMD_MAX
};

#define RFSEC_CMD_MAX (__RFSEC_CMD_MAX - 1)

enum rfsec_attr {
	RFSEC_A_UNSPEC,
	RFSEC_A_VERSION,	/* NUL-terminated string */
	RFSEC_A_PROTO,		/* u32, the BTPROTO number */
	RFSEC_A_SOCKETS,	/* u32, rfsec sockets that exist now */
	RFSEC_A_ADAPTER,	/* RFSEC_ADDR_LEN bytes, local adapter */
	RFSEC_A_PRIVATE_KEY,	/* RFSEC_KEY_LEN bytes, write only */
	RFSEC_A_PUBLIC_KEY,	/* RFSEC_KEY_LEN bytes, the adapter's */
	RFSEC_A_PEER_ADDR,	/* RFSEC_ADDR_LEN bytes, remote device */
	RFSEC_A_PEER_PUBLIC_KEY, /* RFSEC_KEY_LEN bytes */
	RFSEC_A_PEER_PSK,	/* RFSEC_KEY_LEN bytes, write only */
	RFSEC_A_PEER_HAS_PSK,	/* u8, 0 or 1 */
	RFSEC_A_PEER_POLICY,	/* u32, enum rfsec_policy */
	RFSEC_A_PEER_STATS,	/* nested, enum rfsec_stats_attr */
	RFSEC_A_CHANGE,		/* u32, enum rfsec_change */
	RFSEC_A_HS_FAILURE,	/* u32, enum rfsec_hs_failure */
	RFSEC_A_PEER_CIPHER,	/* u32, enum rfsec_cipher */
	__RFSEC_A_MAX
};

#define RFSEC_A_MAX (__RFSEC_A_MAX - 1)

/* Attributes inside RFSEC_A_PEER_STATS. */
enum rfsec_stats_attr {
	RFSEC_A_STATS_UNSPEC,
	RFSEC_A_STATS_PAD,		/* empty, alignment of a u64 */
	RFSEC_A_STATS_HANDSHAKES,	/* u64 */
	RFSEC_A_STATS_HANDSHAKE_FAILURES, /* nested, u64 by rfsec_hs_failure */
	RFSEC_A_STATS_TX_BYTES,		/* u64 */
	RFSEC_A_STATS_RX_BYTES,		/* u64 */
	RFSEC_A_STATS_TX_RECORDS,	/* u64 */
	RFSEC_A_STATS_RX_RECORDS,	/* u64 */
	RFSEC_A_STATS_REKEYS,		/* u64 */
	RFSEC_A_STATS_CONNECTIONS,	/* u32 */
	RFSEC_A_STATS_LAST_HANDSHAKE,	/* u64, ns since the epoch, 0 never */
	RFSEC_A_STATS_UNCLEAN_ENDS,	/* u64 */
	RFSEC_A_STATS_RATCHETS,		/* u64 */
	__RFSEC_A_STATS_MAX
};

#define RFSEC_A_STATS_MAX (__RFSEC_A_STATS_MAX - 1)

/*
 * What a peer's policy allows.
 *
 * RFSEC_POLICY_REQUIRE: every connection with the peer must be encrypted and
 * authenticated with the keys configured for it; anything else is refused.
 * RFSEC_POLICY_ALLOW_PLAINTEXT: the administrator explicitly allows talking
 * to this peer without rfsec's protection. It is the only policy under which
 * a peer may have no public key.
 */
enum rfsec_policy {
	RFSEC_POLICY_REQUIRE,
	RFSEC_POLICY_ALLOW_PLAINTEXT,
	__RFSEC_POLICY_MAX
};

#define RFSEC_POLICY_MAX (__RFSEC_POLICY_MAX - 1)

/* What happened, in RFSEC_CMD_IDENTITY_CHANGED and RFSEC_CMD_PEER_CHANGED. */
enum rfsec_change {
	RFSEC_CHANGE_UNSPEC,
	RFSEC_CHANGE_ADDED,
	RFSEC_CHANGE_UPDATED,
	RFSEC_CHANGE_REMOVED,
	__RFSEC_CHANGE_MAX
};

#define RFSEC_CHANGE_MAX (__RFSEC_CHANGE_MAX - 1)

/*
 * Why a handshake failed: RFSEC_A_HS_FAILURE of RFSEC_CMD_HANDSHAKE_FAILED,
 * and the attribute types inside RFSEC_A_STATS_HANDSHAKE_FAILURES.
 *
 * RFSEC_HS_FAIL_NO_KEY: no identity on the adapter or no key for the peer
 * RFSEC_HS_FAIL_WRONG_KEY: the peer proved a static key other than its own
 * RFSEC_HS_FAIL_MALFORMED: a handshake message did not parse or authenticate
 * RFSEC_HS_FAIL_REPLAY: no longer raised (protocol version 1's timestamp
 *	check; version 2 has none)
 * RFSEC_HS_FAIL_TIMEOUT: the handshake did not complete in time
 * RFSEC_HS_FAIL_REFUSED: the responder refused the handshake; it does not
 *	say why (its own log, events and counters do)
 * RFSEC_HS_FAIL_CLOSED: the link closed before the handshake completed
 * RFSEC_HS_FAIL_CIPHER: the proposed cipher is not one the responder
 *	accepts
 * RFSEC_HS_FAIL_VERSION: the other side speaks another protocol version
 */
enum rfsec_hs_failure {
	RFSEC_HS_FAIL_UNSPEC,
	RFSEC_HS_FAIL_NO_KEY,
	RFSEC_HS_FAIL_WRONG_KEY,
	RFSEC_HS_FAIL_MALFORMED,
	RFSEC_HS_FAIL_REPLAY,
	RFSEC_HS_FAIL_TIMEOUT,
	RFSEC_HS_FAIL_REFUSED,
	RFSEC_HS_FAIL_CLOSED,
	RFSEC_HS_FAIL_CIPHER,
	RFSEC_HS_FAIL_VERSION,
	__RFSEC_HS_FAIL_MAX
};

#define RFSEC_HS_FAIL_MAX (__RFSEC_HS_FAIL_MAX - 1)

/*
 * The AEAD a connection's records use; the initiator proposes the one
 * configured for the peer (RFSEC_A_PEER_CIPHER), the responder accepts
 * either (another implementation may accept only one, and refuses the
 * other: RFSEC_HS_FAIL_CIPHER). The values are the cipher ids of docs/PROTOCOL.md.
 */
enum rfsec_cipher {
	RFSEC_CIPHER_UNSPEC,
	RFSEC_CIPHER_CHACHA20_POLY1305,
	RFSEC_CIPHER_AES_256_GCM,
	__RFSEC_CIPHER_MAX
};

#define RFSEC_CIPHER_MAX (__RFSEC_CIPHER_MAX - 1)

#endif /* RFSEC_UAPI_RFSEC_H */
