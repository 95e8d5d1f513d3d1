/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Identities and peers: the static X25519 key pair of each local adapter and
 * the remote devices each adapter knows, with their keys, policy and
 * statistics.
 */

#ifndef RFSEC_PEER_H
#define RFSEC_PEER_H

#include "uapi/rfsec.h"

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <net/bluetooth/bluetooth.h>

/*
 * Bounds on what configuration may cost the kernel (uapi/rfsec.h documents
 * them): about 100 bytes per identity and 300 per peer.
 */
#define RFSEC_MAX_IDENTITIES		16
#define RFSEC_MAX_PEERS_PER_IDENTITY	64


/*
 * Counters the data path fills in. They are atomics so that connections
 * holding a peer reference can count without rfsec_config_lock.
 */
struct rfsec_peer_stats {
	atomic64_t handshakes;
	/* Indexed by enum rfsec_hs_failure; [RFSEC_HS_FAIL_UNSPEC] is unused. */
	atomic64_t handshake_failures[__RFSEC_HS_FAIL_MAX];
	atomic64_t tx_bytes;
	atomic64_t rx_bytes;
	atomic64_t tx_records;
	atomic64_t rx_records;
	atomic64_t rekeys;
	atomic_t connections;
	/* CLOCK_REALTIME of the last completed handshake in ns, 0 for never. */
	atomic64_t last_handshake_ns;
	/* Streams that ended without the peer's close record. */
	atomic64_t unclean_ends;
};

/*
 * A remote device one identity talks to. The list holds one reference and
 * connections may hold more (rfsec_peer_get()). Everything but @refcount and
 * @stats is written and read under rfsec_config_lock only.
 */
struct rfsec_peer {
	struct list_head node;		/* in rfsec_identity.peers */
	struct kref refcount;
	bdaddr_t adapter;		/* the identity it belongs to */
	bdaddr_t addr;
	bool removed;			/* off the list, keys wiped */
	bool has_public_key;
	bool has_psk;
	enum rfsec_policy policy;
	enum rfsec_cipher cipher;
	u8 public_key[RFSEC_KEY_LEN];
	u8 psk[RFSEC_KEY_LEN];
	struct rfsec_peer_stats stats;
};

/* One local adapter's static key pair and its peers. */
struct rfsec_identity {
	struct list_head node;		/* in the list of all identities */
	struct list_head peers;
	unsigned int n_peers;
	bdaddr_t adapter;
	u8 private_key[RFSEC_KEY_LEN];
	u8 public_key[RFSEC_KEY_LEN];
};

/* What SET_PEER asks a peer to become. */
struct rfsec_peer_config {
	bool has_public_key;
	bool has_psk;
	enum rfsec_policy policy;
	enum rfsec_cipher cipher;
	u8 public_key[RFSEC_KEY_LEN];
	u8 psk[RFSEC_KEY_LEN];
};

/*
 * Serialises every change of identities and peers and every walk over them.
 * A mutex is enough: the writers are netlink requests and the readers dumps
 * and the handshake, all in process context, and none of them is hot.
 */
extern struct mutex rfsec_config_lock;

/*
 * Advances on every change, never 0; a dump compares it between its parts
 * to flag NLM_F_DUMP_INTR.
 */
unsigned int rfsec_config_generation(void);

/* Derive the X25519 public key of @private_key; may sleep. 0 or -errno. */
int rfsec_x25519_public(u8 public_key[RFSEC_KEY_LEN],
			const u8 private_key[RFSEC_KEY_LEN]);

/* The following need rfsec_config_lock held. */
struct rfsec_identity *rfsec_identity_first(void);
struct rfsec_identity *rfsec_identity_next(struct rfsec_identity *identity);
struct rfsec_identity *rfsec_identity_find(const bdaddr_t *adapter);
struct rfsec_identity *rfsec_identity_create(const bdaddr_t *adapter,
					     const u8 *private_key,
					     const u8 *public_key);
void rfsec_identity_set_key(struct rfsec_identity *identity,
			    const u8 *private_key, const u8 *public_key);
bool rfsec_identity_key_equal(const struct rfsec_identity *identity,
			      const u8 *private_key);
void rfsec_identity_remove(struct rfsec_identity *identity);

struct rfsec_peer *rfsec_peer_find(const struct rfsec_identity *identity,
				   const bdaddr_t *addr);
struct rfsec_peer *rfsec_peer_find_by_key(const struct rfsec_identity *identity,
					  const u8 *public_key);
struct rfsec_peer *rfsec_peer_create(struct rfsec_identity *identity,
				     const bdaddr_t *addr);
bool rfsec_peer_config_equal(const struct rfsec_peer *peer,
			     const struct rfsec_peer_config *config);
void rfsec_peer_configure(struct rfsec_peer *peer,
			  const struct rfsec_peer_config *config);
void rfsec_peer_remove(struct rfsec_identity *identity,
		       struct rfsec_peer *peer);

/*
 * For the handshake: everything it needs to know about one local adapter and
 * one remote device, copied under the lock so that it is consistent, and
 * wiped by rfsec_peer_keys_wipe() once used.
 */
struct rfsec_peer_keys {
	u8 local_private[RFSEC_KEY_LEN];
	u8 local_public[RFSEC_KEY_LEN];
	u8 remote_public[RFSEC_KEY_LEN];
	u8 psk[RFSEC_KEY_LEN];		/* all zero when there is none */
	bool has_remote_public;
	enum rfsec_policy policy;
	enum rfsec_cipher cipher;
};

/*
 * Takes rfsec_config_lock itself. Returns the peer @remote of @adapter's
 * identity with a reference the caller drops with rfsec_peer_put(), and
 * fills @keys; or ERR_PTR(-ENOENT) when the adapter has no identity or the
 * identity no such peer (then @keys is zeroed).
 */
struct rfsec_peer *rfsec_peer_get(const bdaddr_t *adapter,
				  const bdaddr_t *remote,
				  struct rfsec_peer_keys *keys);
void rfsec_peer_put(struct rfsec_peer *peer);
void rfsec_peer_keys_wipe(struct rfsec_peer_keys *keys);

/*
 * Whether @peer was removed (or replaced) since a connection looked it up:
 * a responder then refuses, as it would a peer it never knew. Takes
 * rfsec_config_lock.
 */
bool rfsec_peer_removed(struct rfsec_peer *peer);

/* Removes every identity and peer, wiping their keys; module unload. */
void rfsec_peers_uninit(void);

#endif /* RFSEC_PEER_H */
