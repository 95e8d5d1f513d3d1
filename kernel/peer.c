// SPDX-License-Identifier: GPL-2.0-only
/*
 * Identities and peers. Each local adapter, known by its Bluetooth address,
 * may have one identity (a static X25519 key pair) and each identity a list
 * of peers. netlink.c is the only writer; the handshake will read through
 * rfsec_peer_get().
 *
 * The lists are short (uapi/rfsec.h bounds them) and change rarely, so plain
 * lists under one mutex are enough: a lookup walks at most 16 identities and
 * 64 peers.
 */

#include "peer.h"
#include "compat.h"

#include <crypto/algapi.h>
#include <crypto/kpp.h>
#include <linux/crypto.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

/* Documented in peer.h. */
DEFINE_MUTEX(rfsec_config_lock);

static LIST_HEAD(rfsec_identities);
static unsigned int rfsec_n_identities;
static unsigned int rfsec_config_gen = 1;

static void rfsec_config_changed(void)
{
	lockdep_assert_held(&rfsec_config_lock);
	if (++rfsec_config_gen == 0)
		rfsec_config_gen = 1;
}

unsigned int rfsec_config_generation(void)
{
	lockdep_assert_held(&rfsec_config_lock);
	return rfsec_config_gen;
}

/*
 * The crypto API loads an implementation of "curve25519" on first use
 * (curve25519-x86_64 or curve25519-generic on Debian's kernels); main.c
 * also names it as a soft dependency of the module.
 */
int rfsec_x25519_public(u8 public_key[RFSEC_KEY_LEN],
			const u8 private_key[RFSEC_KEY_LEN])
{
	DECLARE_CRYPTO_WAIT(wait);
	struct kpp_request *req = NULL;
	struct crypto_kpp *tfm;
	struct scatterlist dst;
	u8 *out;
	int ret;

	tfm = crypto_alloc_kpp("curve25519", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);

	/* A scatterlist cannot point into the (virtually mapped) stack. */
	out = kzalloc(RFSEC_KEY_LEN, GFP_KERNEL);
	if (!out) {
		ret = -ENOMEM;
		goto out;
	}
	req = kpp_request_alloc(tfm, GFP_KERNEL);
	if (!req) {
		ret = -ENOMEM;
		goto out;
	}

	/* Copies the scalar into the tfm's context, which is wiped below. */
	ret = crypto_kpp_set_secret(tfm, private_key, RFSEC_KEY_LEN);
	if (ret)
		goto out;

	sg_init_one(&dst, out, RFSEC_KEY_LEN);
	kpp_request_set_input(req, NULL, 0);
	kpp_request_set_output(req, &dst, RFSEC_KEY_LEN);
	kpp_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP,
				 crypto_req_done, &wait);
	ret = crypto_wait_req(crypto_kpp_generate_public_key(req), &wait);
	if (!ret)
		memcpy(public_key, out, RFSEC_KEY_LEN);
out:
	/* All three free with kfree_sensitive(); the tfm held the scalar. */
	kpp_request_free(req);
	kfree_sensitive(out);
	crypto_free_kpp(tfm);
	return ret;
}

struct rfsec_identity *rfsec_identity_first(void)
{
	lockdep_assert_held(&rfsec_config_lock);
	return list_first_entry_or_null(&rfsec_identities,
					struct rfsec_identity, node);
}

struct rfsec_identity *rfsec_identity_next(struct rfsec_identity *identity)
{
	lockdep_assert_held(&rfsec_config_lock);
	if (list_is_last(&identity->node, &rfsec_identities))
		return NULL;
	return list_next_entry(identity, node);
}

struct rfsec_identity *rfsec_identity_find(const bdaddr_t *adapter)
{
	struct rfsec_identity *identity;

	lockdep_assert_held(&rfsec_config_lock);
	list_for_each_entry(identity, &rfsec_identities, node)
		if (!bacmp(&identity->adapter, adapter))
			return identity;
	return NULL;
}

struct rfsec_identity *rfsec_identity_create(const bdaddr_t *adapter,
					     const u8 *private_key,
					     const u8 *public_key)
{
	struct rfsec_identity *identity;

	lockdep_assert_held(&rfsec_config_lock);
	if (rfsec_n_identities >= RFSEC_MAX_IDENTITIES)
		return ERR_PTR(-ENOSPC);

	identity = kzalloc(sizeof(*identity), GFP_KERNEL);
	if (!identity)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&identity->peers);
	bacpy(&identity->adapter, adapter);
	memcpy(identity->private_key, private_key, RFSEC_KEY_LEN);
	memcpy(identity->public_key, public_key, RFSEC_KEY_LEN);
	list_add_tail(&identity->node, &rfsec_identities);
	rfsec_n_identities++;
	rfsec_config_changed();
	return identity;
}

void rfsec_identity_set_key(struct rfsec_identity *identity,
			    const u8 *private_key, const u8 *public_key)
{
	lockdep_assert_held(&rfsec_config_lock);
	memcpy(identity->private_key, private_key, RFSEC_KEY_LEN);
	memcpy(identity->public_key, public_key, RFSEC_KEY_LEN);
	rfsec_config_changed();
}

bool rfsec_identity_key_equal(const struct rfsec_identity *identity,
			      const u8 *private_key)
{
	lockdep_assert_held(&rfsec_config_lock);
	return !crypto_memneq(identity->private_key, private_key,
			      RFSEC_KEY_LEN);
}

void rfsec_identity_remove(struct rfsec_identity *identity)
{
	struct rfsec_peer *peer, *tmp;

	lockdep_assert_held(&rfsec_config_lock);
	list_for_each_entry_safe(peer, tmp, &identity->peers, node)
		rfsec_peer_remove(identity, peer);
	list_del(&identity->node);
	rfsec_n_identities--;
	rfsec_config_changed();
	kfree_sensitive(identity);
}

struct rfsec_peer *rfsec_peer_find(const struct rfsec_identity *identity,
				   const bdaddr_t *addr)
{
	struct rfsec_peer *peer;

	lockdep_assert_held(&rfsec_config_lock);
	list_for_each_entry(peer, &identity->peers, node)
		if (!bacmp(&peer->addr, addr))
			return peer;
	return NULL;
}

/* Public keys are not secret, so memcmp() is fine here. */
struct rfsec_peer *rfsec_peer_find_by_key(const struct rfsec_identity *identity,
					  const u8 *public_key)
{
	struct rfsec_peer *peer;

	lockdep_assert_held(&rfsec_config_lock);
	list_for_each_entry(peer, &identity->peers, node)
		if (peer->has_public_key &&
		    !memcmp(peer->public_key, public_key, RFSEC_KEY_LEN))
			return peer;
	return NULL;
}

/* A new peer holds no key and the default policy until configured. */
struct rfsec_peer *rfsec_peer_create(struct rfsec_identity *identity,
				     const bdaddr_t *addr)
{
	struct rfsec_peer *peer;

	lockdep_assert_held(&rfsec_config_lock);
	if (identity->n_peers >= RFSEC_MAX_PEERS_PER_IDENTITY)
		return ERR_PTR(-ENOSPC);

	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return ERR_PTR(-ENOMEM);
	kref_init(&peer->refcount);
	bacpy(&peer->adapter, &identity->adapter);
	bacpy(&peer->addr, addr);
	peer->policy = RFSEC_POLICY_REQUIRE;
	peer->cipher = RFSEC_CIPHER_CHACHA20_POLY1305;
	list_add_tail(&peer->node, &identity->peers);
	identity->n_peers++;
	rfsec_config_changed();
	return peer;
}

/* The pre-shared key is compared in constant time; it is a secret. */
bool rfsec_peer_config_equal(const struct rfsec_peer *peer,
			     const struct rfsec_peer_config *config)
{
	lockdep_assert_held(&rfsec_config_lock);
	return peer->has_public_key == config->has_public_key &&
	       !memcmp(peer->public_key, config->public_key, RFSEC_KEY_LEN) &&
	       peer->has_psk == config->has_psk &&
	       !crypto_memneq(peer->psk, config->psk, RFSEC_KEY_LEN) &&
	       peer->policy == config->policy &&
	       peer->cipher == config->cipher;
}

void rfsec_peer_configure(struct rfsec_peer *peer,
			  const struct rfsec_peer_config *config)
{
	lockdep_assert_held(&rfsec_config_lock);
	peer->has_public_key = config->has_public_key;
	peer->has_psk = config->has_psk;
	peer->policy = config->policy;
	peer->cipher = config->cipher;
	memcpy(peer->public_key, config->public_key, RFSEC_KEY_LEN);
	memcpy(peer->psk, config->psk, RFSEC_KEY_LEN);
	rfsec_config_changed();
}

static void rfsec_peer_free(struct kref *kref)
{
	struct rfsec_peer *peer = container_of(kref, struct rfsec_peer,
					       refcount);

	kfree_sensitive(peer);
}

void rfsec_peer_put(struct rfsec_peer *peer)
{
	kref_put(&peer->refcount, rfsec_peer_free);
}

/*
 * The keys die with the configuration, even while a connection still holds
 * a reference for its statistics: such a connection has its session keys
 * already and must not start a new handshake with the old ones.
 */
void rfsec_peer_remove(struct rfsec_identity *identity,
		       struct rfsec_peer *peer)
{
	lockdep_assert_held(&rfsec_config_lock);
	list_del(&peer->node);
	identity->n_peers--;
	peer->removed = true;
	peer->has_public_key = false;
	peer->has_psk = false;
	memzero_explicit(peer->public_key, RFSEC_KEY_LEN);
	memzero_explicit(peer->psk, RFSEC_KEY_LEN);
	rfsec_config_changed();
	rfsec_peer_put(peer);
}

struct rfsec_peer *rfsec_peer_get(const bdaddr_t *adapter,
				  const bdaddr_t *remote,
				  struct rfsec_peer_keys *keys)
{
	struct rfsec_identity *identity;
	struct rfsec_peer *peer = NULL;

	memset(keys, 0, sizeof(*keys));
	mutex_lock(&rfsec_config_lock);
	identity = rfsec_identity_find(adapter);
	if (identity)
		peer = rfsec_peer_find(identity, remote);
	if (peer) {
		kref_get(&peer->refcount);
		memcpy(keys->local_private, identity->private_key,
		       RFSEC_KEY_LEN);
		memcpy(keys->local_public, identity->public_key,
		       RFSEC_KEY_LEN);
		memcpy(keys->remote_public, peer->public_key, RFSEC_KEY_LEN);
		memcpy(keys->psk, peer->psk, RFSEC_KEY_LEN);
		keys->has_remote_public = peer->has_public_key;
		keys->policy = peer->policy;
		keys->cipher = peer->cipher;
	}
	mutex_unlock(&rfsec_config_lock);
	return peer ?: ERR_PTR(-ENOENT);
}

void rfsec_peer_keys_wipe(struct rfsec_peer_keys *keys)
{
	memzero_explicit(keys, sizeof(*keys));
}

bool rfsec_peer_removed(struct rfsec_peer *peer)
{
	bool removed;

	mutex_lock(&rfsec_config_lock);
	removed = peer->removed;
	mutex_unlock(&rfsec_config_lock);
	return removed;
}

/*
 * Module unload: netlink is gone and no rfsec socket exists (each pins the
 * module), so the lists hold the last references.
 */
void rfsec_peers_uninit(void)
{
	struct rfsec_identity *identity, *tmp;

	mutex_lock(&rfsec_config_lock);
	list_for_each_entry_safe(identity, tmp, &rfsec_identities, node)
		rfsec_identity_remove(identity);
	mutex_unlock(&rfsec_config_lock);
}
