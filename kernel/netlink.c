// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rfsec control plane: generic netlink family RFSEC_GENL_NAME. The
 * commands, who may send them and the events are documented in
 * uapi/rfsec.h; the identities and peers they act on live in peer.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "netlink.h"
#include "peer.h"
#include "sock.h"
#include "compat.h"
#include "version.h"
#include "uapi/rfsec.h"

#include <crypto/algapi.h>
#include <linux/build_bug.h>
#include <linux/cache.h>
#include <linux/kernel.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

/*
 * Each command has its own policy, naming exactly the attributes it takes:
 * with strict validation anything else is refused before it reaches us. A
 * command without a policy (GET_INFO) takes no attribute at all.
 */
static const struct nla_policy rfsec_set_identity_policy[RFSEC_A_MAX + 1] = {
	[RFSEC_A_ADAPTER]	= NLA_POLICY_EXACT_LEN(RFSEC_ADDR_LEN),
	[RFSEC_A_PRIVATE_KEY]	= NLA_POLICY_EXACT_LEN(RFSEC_KEY_LEN),
};

/* DEL_IDENTITY, and GET_IDENTITY both as a request and as a dump. */
static const struct nla_policy rfsec_identity_policy[RFSEC_A_MAX + 1] = {
	[RFSEC_A_ADAPTER]	= NLA_POLICY_EXACT_LEN(RFSEC_ADDR_LEN),
};

static const struct nla_policy rfsec_set_peer_policy[RFSEC_A_MAX + 1] = {
	[RFSEC_A_ADAPTER]	= NLA_POLICY_EXACT_LEN(RFSEC_ADDR_LEN),
	[RFSEC_A_PEER_ADDR]	= NLA_POLICY_EXACT_LEN(RFSEC_ADDR_LEN),
	[RFSEC_A_PEER_PUBLIC_KEY] = NLA_POLICY_EXACT_LEN(RFSEC_KEY_LEN),
	[RFSEC_A_PEER_PSK]	= NLA_POLICY_EXACT_LEN(RFSEC_KEY_LEN),
	[RFSEC_A_PEER_POLICY]	= NLA_POLICY_MAX(NLA_U32, RFSEC_POLICY_MAX),
	[RFSEC_A_PEER_CIPHER]	= NLA_POLICY_RANGE(NLA_U32, 1, RFSEC_CIPHER_MAX),
};

/* DEL_PEER, and GET_PEER both as a request and as a dump. */
static const struct nla_policy rfsec_peer_policy[RFSEC_A_MAX + 1] = {
	[RFSEC_A_ADAPTER]	= NLA_POLICY_EXACT_LEN(RFSEC_ADDR_LEN),
	[RFSEC_A_PEER_ADDR]	= NLA_POLICY_EXACT_LEN(RFSEC_ADDR_LEN),
};

/* The index of the "events" group in rfsec_genl_mcgrps. */
enum rfsec_genl_mcgrp {
	RFSEC_GENL_MCGRP_EVENTS_ID,
};

/* Events name trusted devices and when they connect: admins only. */
static const struct genl_multicast_group rfsec_genl_mcgrps[] = {
	[RFSEC_GENL_MCGRP_EVENTS_ID] = {
		.name	= RFSEC_GENL_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

static const u8 rfsec_zero_key[RFSEC_KEY_LEN];

static struct genl_family rfsec_genl_family;

static const char *const rfsec_cmd_names[] = {
	[RFSEC_CMD_SET_IDENTITY]	= "SET_IDENTITY",
	[RFSEC_CMD_DEL_IDENTITY]	= "DEL_IDENTITY",
	[RFSEC_CMD_GET_IDENTITY]	= "GET_IDENTITY",
	[RFSEC_CMD_SET_PEER]		= "SET_PEER",
	[RFSEC_CMD_DEL_PEER]		= "DEL_PEER",
	[RFSEC_CMD_GET_PEER]		= "GET_PEER",
};

static const char *rfsec_cmd_name(u8 cmd)
{
	if (cmd < ARRAY_SIZE(rfsec_cmd_names) && rfsec_cmd_names[cmd])
		return rfsec_cmd_names[cmd];
	return "request";
}

/*
 * Every refusal tells the sender why in the extended ACK, pointing at the
 * attribute at fault when there is one, and leaves a rate-limited line in
 * the kernel log for the administrator. @msg must be a string literal.
 */
#define rfsec_nl_refuse(extack, cmd, attr, msg) do {			\
	NL_SET_ERR_MSG_ATTR(extack, attr, msg);				\
	net_info_ratelimited("%s from %s[%d] refused: " msg "\n",	\
			     rfsec_cmd_name(cmd), current->comm,	\
			     task_pid_nr(current));			\
} while (0)

/* The same, naming the address the refusal is about. */
#define rfsec_nl_refuse_addr(extack, cmd, attr, msg, addr) do {	\
	NL_SET_ERR_MSG_ATTR(extack, attr, msg);				\
	net_info_ratelimited("%s from %s[%d] refused: " msg " (%pMR)\n", \
			     rfsec_cmd_name(cmd), current->comm,	\
			     task_pid_nr(current), addr);		\
} while (0)

static size_t rfsec_genl_info_size(void)
{
	return nla_total_size(sizeof(RFSEC_VERSION)) +	/* RFSEC_A_VERSION */
	       nla_total_size(sizeof(u32)) +		/* RFSEC_A_PROTO */
	       nla_total_size(sizeof(u32));		/* RFSEC_A_SOCKETS */
}

static int rfsec_genl_fill_info(struct sk_buff *msg)
{
	if (nla_put_string(msg, RFSEC_A_VERSION, RFSEC_VERSION) ||
	    nla_put_u32(msg, RFSEC_A_PROTO, BTPROTO_RFSEC) ||
	    nla_put_u32(msg, RFSEC_A_SOCKETS, rfsec_sock_count()))
		return -EMSGSIZE;
	return 0;
}

static int rfsec_genl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(rfsec_genl_info_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &rfsec_genl_family, 0,
				RFSEC_CMD_GET_INFO);
	if (!hdr || rfsec_genl_fill_info(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Neither BDADDR_ANY nor the broadcast-like all-ones address is a device. */
static bool rfsec_nl_addr_valid(const bdaddr_t *addr)
{
	return bacmp(addr, BDADDR_ANY) && bacmp(addr, BDADDR_NONE);
}

/*
 * RFSEC_A_ADAPTER of @tb into @adapter. 0 when it is there and valid,
 * -ENODATA when it is absent and optional, else -EINVAL.
 */
static int rfsec_nl_get_adapter(struct netlink_ext_ack *extack, u8 cmd,
				struct nlattr **tb, bool required,
				bdaddr_t *adapter)
{
	const struct nlattr *attr = tb[RFSEC_A_ADAPTER];

	BUILD_BUG_ON(sizeof(*adapter) != RFSEC_ADDR_LEN);
	if (!attr && !required)
		return -ENODATA;
	if (NL_REQ_ATTR_CHECK(extack, NULL, tb, RFSEC_A_ADAPTER)) {
		rfsec_nl_refuse(extack, cmd, NULL, "adapter address missing");
		return -EINVAL;
	}
	memcpy(adapter, nla_data(attr), sizeof(*adapter));
	if (!rfsec_nl_addr_valid(adapter)) {
		rfsec_nl_refuse(extack, cmd, attr,
				"adapter address is not a device address");
		return -EINVAL;
	}
	return 0;
}

static int rfsec_nl_get_peer_addr(struct genl_info *info, bdaddr_t *addr)
{
	const struct nlattr *attr = info->attrs[RFSEC_A_PEER_ADDR];
	u8 cmd = info->genlhdr->cmd;

	if (GENL_REQ_ATTR_CHECK(info, RFSEC_A_PEER_ADDR)) {
		rfsec_nl_refuse(info->extack, cmd, NULL,
				"peer address missing");
		return -EINVAL;
	}
	memcpy(addr, nla_data(attr), sizeof(*addr));
	if (!rfsec_nl_addr_valid(addr)) {
		rfsec_nl_refuse(info->extack, cmd, attr,
				"peer address is not a device address");
		return -EINVAL;
	}
	return 0;
}

/* The adapter's identity, or NULL with the refusal reported. */
static struct rfsec_identity *
rfsec_nl_find_identity(struct netlink_ext_ack *extack, u8 cmd,
		       struct nlattr **tb, const bdaddr_t *adapter)
{
	struct rfsec_identity *identity = rfsec_identity_find(adapter);

	if (!identity)
		rfsec_nl_refuse_addr(extack, cmd, tb[RFSEC_A_ADAPTER],
				     "adapter has no identity", adapter);
	return identity;
}

static size_t rfsec_nl_identity_size(void)
{
	return nla_total_size(RFSEC_ADDR_LEN) +		/* RFSEC_A_ADAPTER */
	       nla_total_size(RFSEC_KEY_LEN) +		/* RFSEC_A_PUBLIC_KEY */
	       nla_total_size(sizeof(u32));		/* RFSEC_A_CHANGE */
}

/* Never the private key. */
static int rfsec_nl_put_identity(struct sk_buff *msg,
				 const struct rfsec_identity *identity)
{
	if (nla_put(msg, RFSEC_A_ADAPTER, RFSEC_ADDR_LEN, &identity->adapter) ||
	    nla_put(msg, RFSEC_A_PUBLIC_KEY, RFSEC_KEY_LEN,
		    identity->public_key))
		return -EMSGSIZE;
	return 0;
}

static size_t rfsec_nl_stats_size(void)
{
	const size_t u64_size = nla_total_size_64bit(sizeof(u64));

	return nla_total_size(0) +			/* RFSEC_A_PEER_STATS */
	       u64_size +				/* HANDSHAKES */
	       nla_total_size(0) +			/* HANDSHAKE_FAILURES */
	       RFSEC_HS_FAIL_MAX * u64_size +		/* one per reason */
	       5 * u64_size +				/* bytes, records, rekeys */
	       nla_total_size(sizeof(u32)) +		/* CONNECTIONS */
	       u64_size +				/* LAST_HANDSHAKE */
	       u64_size;				/* UNCLEAN_ENDS */
}

static size_t rfsec_nl_peer_size(bool with_stats)
{
	return nla_total_size(RFSEC_ADDR_LEN) +		/* RFSEC_A_ADAPTER */
	       nla_total_size(RFSEC_ADDR_LEN) +		/* RFSEC_A_PEER_ADDR */
	       nla_total_size(RFSEC_KEY_LEN) +		/* PEER_PUBLIC_KEY */
	       nla_total_size(sizeof(u8)) +		/* PEER_HAS_PSK */
	       nla_total_size(sizeof(u32)) +		/* PEER_POLICY */
	       nla_total_size(sizeof(u32)) +		/* PEER_CIPHER */
	       nla_total_size(sizeof(u32)) +		/* RFSEC_A_CHANGE */
	       (with_stats ? rfsec_nl_stats_size() : 0);
}

static int rfsec_nl_put_counter(struct sk_buff *msg, int type,
				const atomic64_t *counter, int padattr)
{
	return nla_put_u64_64bit(msg, type, atomic64_read(counter), padattr);
}

static int rfsec_nl_put_stats(struct sk_buff *msg,
			      const struct rfsec_peer_stats *stats)
{
	struct nlattr *nest, *failures;
	int reason;

	nest = nla_nest_start(msg, RFSEC_A_PEER_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (rfsec_nl_put_counter(msg, RFSEC_A_STATS_HANDSHAKES,
				 &stats->handshakes, RFSEC_A_STATS_PAD))
		goto cancel;

	/* Inside this nest the types are reasons, and 0 pads. */
	failures = nla_nest_start(msg, RFSEC_A_STATS_HANDSHAKE_FAILURES);
	if (!failures)
		goto cancel;
	for (reason = RFSEC_HS_FAIL_UNSPEC + 1; reason <= RFSEC_HS_FAIL_MAX;
	     reason++)
		if (rfsec_nl_put_counter(msg, reason,
					 &stats->handshake_failures[reason],
					 RFSEC_HS_FAIL_UNSPEC))
			goto cancel;
	nla_nest_end(msg, failures);

	if (rfsec_nl_put_counter(msg, RFSEC_A_STATS_TX_BYTES,
				 &stats->tx_bytes, RFSEC_A_STATS_PAD) ||
	    rfsec_nl_put_counter(msg, RFSEC_A_STATS_RX_BYTES,
				 &stats->rx_bytes, RFSEC_A_STATS_PAD) ||
	    rfsec_nl_put_counter(msg, RFSEC_A_STATS_TX_RECORDS,
				 &stats->tx_records, RFSEC_A_STATS_PAD) ||
	    rfsec_nl_put_counter(msg, RFSEC_A_STATS_RX_RECORDS,
				 &stats->rx_records, RFSEC_A_STATS_PAD) ||
	    rfsec_nl_put_counter(msg, RFSEC_A_STATS_REKEYS,
				 &stats->rekeys, RFSEC_A_STATS_PAD) ||
	    nla_put_u32(msg, RFSEC_A_STATS_CONNECTIONS,
			atomic_read(&stats->connections)) ||
	    rfsec_nl_put_counter(msg, RFSEC_A_STATS_LAST_HANDSHAKE,
				 &stats->last_handshake_ns, RFSEC_A_STATS_PAD) ||
	    rfsec_nl_put_counter(msg, RFSEC_A_STATS_UNCLEAN_ENDS,
				 &stats->unclean_ends, RFSEC_A_STATS_PAD))
		goto cancel;
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

/* Whether there is a pre-shared key, never the key. */
static int rfsec_nl_put_peer(struct sk_buff *msg,
			     const struct rfsec_peer *peer, bool with_stats)
{
	if (nla_put(msg, RFSEC_A_ADAPTER, RFSEC_ADDR_LEN, &peer->adapter) ||
	    nla_put(msg, RFSEC_A_PEER_ADDR, RFSEC_ADDR_LEN, &peer->addr) ||
	    (peer->has_public_key &&
	     nla_put(msg, RFSEC_A_PEER_PUBLIC_KEY, RFSEC_KEY_LEN,
		     peer->public_key)) ||
	    nla_put_u8(msg, RFSEC_A_PEER_HAS_PSK, peer->has_psk) ||
	    nla_put_u32(msg, RFSEC_A_PEER_POLICY, peer->policy) ||
	    nla_put_u32(msg, RFSEC_A_PEER_CIPHER, peer->cipher))
		return -EMSGSIZE;
	if (with_stats)
		return rfsec_nl_put_stats(msg, &peer->stats);
	return 0;
}

/*
 * Events go out while rfsec_config_lock is held, so that listeners see
 * changes in the order they were made. A listener that cannot keep up
 * loses events (ENOBUFS on its socket) and should dump again; the change
 * itself never fails for want of an event.
 */
static void rfsec_nl_notify(struct sk_buff *msg, void *hdr)
{
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&rfsec_genl_family, msg, 0,
			  RFSEC_GENL_MCGRP_EVENTS_ID, GFP_KERNEL);
}

static struct sk_buff *rfsec_nl_event_new(size_t size, u8 cmd,
					  enum rfsec_change change,
					  void **hdr)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&rfsec_genl_family, &init_net,
				RFSEC_GENL_MCGRP_EVENTS_ID))
		return NULL;
	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &rfsec_genl_family, 0, cmd);
	/* Handshake events describe no change: RFSEC_CHANGE_UNSPEC. */
	if (!*hdr || (change != RFSEC_CHANGE_UNSPEC &&
		      nla_put_u32(msg, RFSEC_A_CHANGE, change))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void rfsec_nl_notify_identity(const struct rfsec_identity *identity,
				     enum rfsec_change change)
{
	struct sk_buff *msg;
	void *hdr;

	lockdep_assert_held(&rfsec_config_lock);
	msg = rfsec_nl_event_new(rfsec_nl_identity_size(),
				 RFSEC_CMD_IDENTITY_CHANGED, change, &hdr);
	if (!msg)
		return;
	if (rfsec_nl_put_identity(msg, identity)) {
		nlmsg_free(msg);
		return;
	}
	rfsec_nl_notify(msg, hdr);
}

static void rfsec_nl_notify_peer(const struct rfsec_peer *peer,
				 enum rfsec_change change)
{
	struct sk_buff *msg;
	void *hdr;

	lockdep_assert_held(&rfsec_config_lock);
	msg = rfsec_nl_event_new(rfsec_nl_peer_size(false),
				 RFSEC_CMD_PEER_CHANGED, change, &hdr);
	if (!msg)
		return;
	if (rfsec_nl_put_peer(msg, peer, false)) {
		nlmsg_free(msg);
		return;
	}
	rfsec_nl_notify(msg, hdr);
}

static int rfsec_nl_set_identity(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *key_attr = info->attrs[RFSEC_A_PRIVATE_KEY];
	u8 cmd = info->genlhdr->cmd;
	struct rfsec_identity *identity;
	u8 public_key[RFSEC_KEY_LEN];
	enum rfsec_change change;
	const u8 *private_key;
	bdaddr_t adapter;
	int ret;

	ret = rfsec_nl_get_adapter(info->extack, cmd, info->attrs, true,
				   &adapter);
	if (ret)
		return ret;
	if (GENL_REQ_ATTR_CHECK(info, RFSEC_A_PRIVATE_KEY)) {
		rfsec_nl_refuse(info->extack, cmd, NULL, "private key missing");
		return -EINVAL;
	}
	/* Read in place: the key is never copied onto the stack. */
	private_key = nla_data(key_attr);
	if (!crypto_memneq(private_key, rfsec_zero_key, RFSEC_KEY_LEN)) {
		rfsec_nl_refuse(info->extack, cmd, key_attr,
				"private key is all zero");
		return -EINVAL;
	}

	/* Derived before taking the lock: it may load a crypto module. */
	ret = rfsec_x25519_public(public_key, private_key);
	if (ret) {
		rfsec_nl_refuse(info->extack, cmd, key_attr,
				"cannot derive the public key (is curve25519 available?)");
		return ret;
	}
	if (!memchr_inv(public_key, 0, RFSEC_KEY_LEN)) {
		rfsec_nl_refuse(info->extack, cmd, key_attr,
				"private key gives an all-zero public key");
		return -EINVAL;
	}

	mutex_lock(&rfsec_config_lock);
	identity = rfsec_identity_find(&adapter);
	if (identity) {
		if (rfsec_identity_key_equal(identity, private_key))
			goto out_unlock;
		if (rfsec_peer_find_by_key(identity, public_key)) {
			rfsec_nl_refuse_addr(info->extack, cmd, key_attr,
					     "public key is that of a peer of this adapter",
					     &adapter);
			ret = -EINVAL;
			goto out_unlock;
		}
		rfsec_identity_set_key(identity, private_key, public_key);
		change = RFSEC_CHANGE_UPDATED;
	} else {
		identity = rfsec_identity_create(&adapter, private_key,
						 public_key);
		if (IS_ERR(identity)) {
			ret = PTR_ERR(identity);
			if (ret == -ENOSPC)
				rfsec_nl_refuse_addr(info->extack, cmd, NULL,
						     "too many identities",
						     &adapter);
			goto out_unlock;
		}
		change = RFSEC_CHANGE_ADDED;
	}
	rfsec_nl_notify_identity(identity, change);
out_unlock:
	mutex_unlock(&rfsec_config_lock);
	return ret;
}

static int rfsec_nl_del_identity(struct sk_buff *skb, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd;
	struct rfsec_identity *identity;
	struct rfsec_peer *peer;
	bdaddr_t adapter;
	int ret;

	ret = rfsec_nl_get_adapter(info->extack, cmd, info->attrs, true,
				   &adapter);
	if (ret)
		return ret;

	mutex_lock(&rfsec_config_lock);
	identity = rfsec_nl_find_identity(info->extack, cmd, info->attrs,
					  &adapter);
	if (!identity) {
		ret = -ENOENT;
		goto out_unlock;
	}
	list_for_each_entry(peer, &identity->peers, node)
		rfsec_nl_notify_peer(peer, RFSEC_CHANGE_REMOVED);
	rfsec_nl_notify_identity(identity, RFSEC_CHANGE_REMOVED);
	rfsec_identity_remove(identity);
out_unlock:
	mutex_unlock(&rfsec_config_lock);
	return ret;
}

static int rfsec_nl_get_identity(struct sk_buff *skb, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd;
	struct rfsec_identity *identity;
	struct sk_buff *msg;
	bdaddr_t adapter;
	void *hdr;
	int ret;

	ret = rfsec_nl_get_adapter(info->extack, cmd, info->attrs, true,
				   &adapter);
	if (ret)
		return ret;

	msg = genlmsg_new(rfsec_nl_identity_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &rfsec_genl_family, 0, cmd);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}

	mutex_lock(&rfsec_config_lock);
	identity = rfsec_nl_find_identity(info->extack, cmd, info->attrs,
					  &adapter);
	if (!identity)
		ret = -ENOENT;
	else
		ret = rfsec_nl_put_identity(msg, identity);
	mutex_unlock(&rfsec_config_lock);
	if (ret)
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

static int rfsec_nl_set_peer(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct rfsec_peer_config config = {};
	u8 cmd = info->genlhdr->cmd;
	struct rfsec_identity *identity;
	enum rfsec_change change;
	struct rfsec_peer *peer;
	bdaddr_t adapter, addr;
	int ret;

	ret = rfsec_nl_get_adapter(info->extack, cmd, attrs, true, &adapter);
	if (ret)
		return ret;
	ret = rfsec_nl_get_peer_addr(info, &addr);
	if (ret)
		return ret;

	config.policy = RFSEC_POLICY_REQUIRE;
	if (attrs[RFSEC_A_PEER_POLICY])
		config.policy = nla_get_u32(attrs[RFSEC_A_PEER_POLICY]);
	config.cipher = RFSEC_CIPHER_CHACHA20_POLY1305;
	if (attrs[RFSEC_A_PEER_CIPHER])
		config.cipher = nla_get_u32(attrs[RFSEC_A_PEER_CIPHER]);

	/*
	 * Without a public key the peer can only be allowed plaintext: a
	 * peer that must be encrypted with no key to do it with would be the
	 * same as no peer at all.
	 */
	if (attrs[RFSEC_A_PEER_PUBLIC_KEY]) {
		config.has_public_key = true;
		nla_memcpy(config.public_key, attrs[RFSEC_A_PEER_PUBLIC_KEY],
			   RFSEC_KEY_LEN);
		if (!memchr_inv(config.public_key, 0, RFSEC_KEY_LEN)) {
			rfsec_nl_refuse(info->extack, cmd,
					attrs[RFSEC_A_PEER_PUBLIC_KEY],
					"peer public key is all zero");
			return -EINVAL;
		}
	} else if (config.policy == RFSEC_POLICY_REQUIRE) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL,
				     RFSEC_A_PEER_PUBLIC_KEY);
		rfsec_nl_refuse(info->extack, cmd, NULL,
				"peer public key missing (only a peer allowed plaintext may have none)");
		return -EINVAL;
	}

	if (attrs[RFSEC_A_PEER_PSK]) {
		if (!config.has_public_key) {
			rfsec_nl_refuse(info->extack, cmd,
					attrs[RFSEC_A_PEER_PSK],
					"a pre-shared key needs a peer public key");
			return -EINVAL;
		}
		nla_memcpy(config.psk, attrs[RFSEC_A_PEER_PSK], RFSEC_KEY_LEN);
		/* All zero is Noise's "no pre-shared key". */
		config.has_psk = crypto_memneq(config.psk, rfsec_zero_key,
					       RFSEC_KEY_LEN);
	}

	mutex_lock(&rfsec_config_lock);
	identity = rfsec_nl_find_identity(info->extack, cmd, attrs, &adapter);
	if (!identity) {
		ret = -ENOENT;
		goto out_unlock;
	}
	if (config.has_public_key &&
	    !memcmp(config.public_key, identity->public_key, RFSEC_KEY_LEN)) {
		rfsec_nl_refuse_addr(info->extack, cmd,
				     attrs[RFSEC_A_PEER_PUBLIC_KEY],
				     "peer public key is the adapter's own",
				     &adapter);
		ret = -EINVAL;
		goto out_unlock;
	}

	peer = rfsec_peer_find(identity, &addr);
	if (peer) {
		if (rfsec_peer_config_equal(peer, &config))
			goto out_unlock;
		change = RFSEC_CHANGE_UPDATED;
	} else {
		peer = rfsec_peer_create(identity, &addr);
		if (IS_ERR(peer)) {
			ret = PTR_ERR(peer);
			if (ret == -ENOSPC)
				rfsec_nl_refuse_addr(info->extack, cmd, NULL,
						     "too many peers on this adapter",
						     &adapter);
			goto out_unlock;
		}
		change = RFSEC_CHANGE_ADDED;
	}
	rfsec_peer_configure(peer, &config);
	rfsec_nl_notify_peer(peer, change);
out_unlock:
	mutex_unlock(&rfsec_config_lock);
	memzero_explicit(&config, sizeof(config));
	return ret;
}

static int rfsec_nl_del_peer(struct sk_buff *skb, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd;
	struct rfsec_identity *identity;
	struct rfsec_peer *peer;
	bdaddr_t adapter, addr;
	int ret;

	ret = rfsec_nl_get_adapter(info->extack, cmd, info->attrs, true,
				   &adapter);
	if (ret)
		return ret;
	ret = rfsec_nl_get_peer_addr(info, &addr);
	if (ret)
		return ret;

	mutex_lock(&rfsec_config_lock);
	identity = rfsec_nl_find_identity(info->extack, cmd, info->attrs,
					  &adapter);
	if (!identity) {
		ret = -ENOENT;
		goto out_unlock;
	}
	peer = rfsec_peer_find(identity, &addr);
	if (!peer) {
		rfsec_nl_refuse_addr(info->extack, cmd,
				     info->attrs[RFSEC_A_PEER_ADDR],
				     "no such peer", &addr);
		ret = -ENOENT;
		goto out_unlock;
	}
	rfsec_nl_notify_peer(peer, RFSEC_CHANGE_REMOVED);
	rfsec_peer_remove(identity, peer);
out_unlock:
	mutex_unlock(&rfsec_config_lock);
	return ret;
}

static int rfsec_nl_get_peer(struct sk_buff *skb, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd;
	struct rfsec_identity *identity;
	struct rfsec_peer *peer = NULL;
	bdaddr_t adapter, addr;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	ret = rfsec_nl_get_adapter(info->extack, cmd, info->attrs, true,
				   &adapter);
	if (ret)
		return ret;
	ret = rfsec_nl_get_peer_addr(info, &addr);
	if (ret)
		return ret;

	msg = genlmsg_new(rfsec_nl_peer_size(true), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &rfsec_genl_family, 0, cmd);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}

	mutex_lock(&rfsec_config_lock);
	identity = rfsec_nl_find_identity(info->extack, cmd, info->attrs,
					  &adapter);
	if (identity)
		peer = rfsec_peer_find(identity, &addr);
	if (!identity) {
		ret = -ENOENT;
	} else if (!peer) {
		rfsec_nl_refuse_addr(info->extack, cmd,
				     info->attrs[RFSEC_A_PEER_ADDR],
				     "no such peer", &addr);
		ret = -ENOENT;
	} else {
		ret = rfsec_nl_put_peer(msg, peer, true);
	}
	mutex_unlock(&rfsec_config_lock);
	if (ret)
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

/*
 * Where a dump resumes, in netlink_callback.ctx (zeroed when the dump
 * starts): the identity and peer to send next, by position, and the adapter
 * it is limited to. Positions can shift between two parts of a dump; the
 * configuration generation in cb->seq then marks the dump NLM_F_DUMP_INTR.
 */
struct rfsec_nl_dump {
	unsigned int identity_pos;
	unsigned int peer_pos;
	bool begun;
	bool one_adapter;
	bdaddr_t adapter;
};

static struct rfsec_nl_dump *rfsec_nl_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct rfsec_nl_dump) >
		     sizeof_field(struct netlink_callback, ctx));
	return (struct rfsec_nl_dump *)cb->ctx;
}

/*
 * Reads the request on the first part of a dump. Not in a .start callback:
 * there 6.1 offers no extended ACK (cb->extack is NULL), while an error from
 * the first part reaches the sender in NLMSG_DONE, with the message, on
 * both kernels. The core validated the request against @policy already, but
 * hands a dump its attributes in a place that differs between 6.1 and 6.12;
 * parsing them again from cb->nlh reads the same on both.
 */
static int rfsec_nl_dump_begin(struct netlink_callback *cb,
			       const struct nla_policy *policy)
{
	struct rfsec_nl_dump *dump = rfsec_nl_dump_ctx(cb);
	const struct genlmsghdr *genlhdr = nlmsg_data(cb->nlh);
	struct nlattr *tb[RFSEC_A_MAX + 1];
	u8 cmd = genlhdr->cmd;
	int ret;

	dump->begun = true;
	ret = nlmsg_parse(cb->nlh, GENL_HDRLEN, tb, RFSEC_A_MAX, policy,
			  cb->extack);
	if (ret)
		return ret;

	if (tb[RFSEC_A_PEER_ADDR]) {
		rfsec_nl_refuse(cb->extack, cmd, tb[RFSEC_A_PEER_ADDR],
				"a dump selects by adapter only");
		return -EINVAL;
	}
	ret = rfsec_nl_get_adapter(cb->extack, cmd, tb, false, &dump->adapter);
	if (ret == -ENODATA)
		return 0;
	if (ret)
		return ret;

	dump->one_adapter = true;
	mutex_lock(&rfsec_config_lock);
	if (!rfsec_nl_find_identity(cb->extack, cmd, tb, &dump->adapter))
		ret = -ENOENT;
	mutex_unlock(&rfsec_config_lock);
	return ret;
}

static void *rfsec_nl_dump_put(struct sk_buff *skb,
			       struct netlink_callback *cb, u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &rfsec_genl_family, NLM_F_MULTI, cmd);
	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

static bool rfsec_nl_dump_skip(const struct rfsec_nl_dump *dump,
			       const struct rfsec_identity *identity)
{
	return dump->one_adapter && bacmp(&identity->adapter, &dump->adapter);
}

static int rfsec_nl_dump_identity(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct rfsec_nl_dump *dump = rfsec_nl_dump_ctx(cb);
	struct rfsec_identity *identity;
	unsigned int pos = 0;
	void *hdr;
	int ret;

	if (!dump->begun) {
		ret = rfsec_nl_dump_begin(cb, rfsec_identity_policy);
		if (ret)
			return ret;
	}

	mutex_lock(&rfsec_config_lock);
	cb->seq = rfsec_config_generation();
	for (identity = rfsec_identity_first(); identity;
	     identity = rfsec_identity_next(identity), pos++) {
		if (pos < dump->identity_pos ||
		    rfsec_nl_dump_skip(dump, identity))
			continue;
		hdr = rfsec_nl_dump_put(skb, cb, RFSEC_CMD_GET_IDENTITY);
		if (!hdr)
			break;
		if (rfsec_nl_put_identity(skb, identity)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	dump->identity_pos = pos;
	mutex_unlock(&rfsec_config_lock);
	return skb->len;
}

/* Sends the peers of @identity from dump->peer_pos; false when full. */
static bool rfsec_nl_dump_peers_of(struct sk_buff *skb,
				   struct netlink_callback *cb,
				   const struct rfsec_identity *identity)
{
	struct rfsec_nl_dump *dump = rfsec_nl_dump_ctx(cb);
	const struct rfsec_peer *peer;
	unsigned int pos = 0;
	void *hdr;

	list_for_each_entry(peer, &identity->peers, node) {
		if (pos++ < dump->peer_pos)
			continue;
		hdr = rfsec_nl_dump_put(skb, cb, RFSEC_CMD_GET_PEER);
		if (!hdr)
			return false;
		if (rfsec_nl_put_peer(skb, peer, true)) {
			genlmsg_cancel(skb, hdr);
			return false;
		}
		genlmsg_end(skb, hdr);
		dump->peer_pos = pos;
	}
	dump->peer_pos = 0;
	return true;
}

static int rfsec_nl_dump_peer(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct rfsec_nl_dump *dump = rfsec_nl_dump_ctx(cb);
	struct rfsec_identity *identity;
	unsigned int pos = 0;
	int ret;

	if (!dump->begun) {
		ret = rfsec_nl_dump_begin(cb, rfsec_peer_policy);
		if (ret)
			return ret;
	}

	mutex_lock(&rfsec_config_lock);
	cb->seq = rfsec_config_generation();
	for (identity = rfsec_identity_first(); identity;
	     identity = rfsec_identity_next(identity), pos++) {
		if (pos < dump->identity_pos ||
		    rfsec_nl_dump_skip(dump, identity))
			continue;
		if (!rfsec_nl_dump_peers_of(skb, cb, identity))
			break;
	}
	dump->identity_pos = pos;
	mutex_unlock(&rfsec_config_lock);
	return skb->len;
}

/*
 * Every command but GET_INFO (the module's version and protocol number)
 * carries GENL_ADMIN_PERM, so that the core refuses it without
 * CAP_NET_ADMIN before it reaches us: changes to keys, peers and policy,
 * and also reads of identities and peers, whose addresses, public keys,
 * counters and handshake times tell who trusts whom and when they met (as
 * WireGuard restricts its GET). Full genl_ops rather than small ones, for
 * the per-command policies.
 */
static const struct genl_ops rfsec_genl_ops[] = {
	{
		.cmd	= RFSEC_CMD_GET_INFO,
		.doit	= rfsec_genl_get_info,
	},
	{
		.cmd	= RFSEC_CMD_SET_IDENTITY,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rfsec_nl_set_identity,
		.policy	= rfsec_set_identity_policy,
		.maxattr = RFSEC_A_MAX,
	},
	{
		.cmd	= RFSEC_CMD_DEL_IDENTITY,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rfsec_nl_del_identity,
		.policy	= rfsec_identity_policy,
		.maxattr = RFSEC_A_MAX,
	},
	{
		.cmd	= RFSEC_CMD_GET_IDENTITY,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rfsec_nl_get_identity,
		.dumpit	= rfsec_nl_dump_identity,
		.policy	= rfsec_identity_policy,
		.maxattr = RFSEC_A_MAX,
	},
	{
		.cmd	= RFSEC_CMD_SET_PEER,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rfsec_nl_set_peer,
		.policy	= rfsec_set_peer_policy,
		.maxattr = RFSEC_A_MAX,
	},
	{
		.cmd	= RFSEC_CMD_DEL_PEER,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rfsec_nl_del_peer,
		.policy	= rfsec_peer_policy,
		.maxattr = RFSEC_A_MAX,
	},
	{
		.cmd	= RFSEC_CMD_GET_PEER,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rfsec_nl_get_peer,
		.dumpit	= rfsec_nl_dump_peer,
		.policy	= rfsec_peer_policy,
		.maxattr = RFSEC_A_MAX,
	},
};

/*
 * .resv_start_op stays 0, as for any new family: every command then gets
 * strict attribute validation and reserved header fields and flags checked.
 * There is no family-wide policy, so a command takes only the attributes of
 * its own. .netnsok is false because Bluetooth sockets exist only in
 * init_net. Requests are serialised by the genetlink core (no
 * .parallel_ops); rfsec_config_lock is what protects the configuration,
 * against the handshake too.
 */
static struct genl_family rfsec_genl_family __ro_after_init = {
	.name		= RFSEC_GENL_NAME,
	.version	= RFSEC_GENL_VERSION,
	.netnsok	= false,
	.module		= THIS_MODULE,
	.ops		= rfsec_genl_ops,
	.n_ops		= ARRAY_SIZE(rfsec_genl_ops),
	.mcgrps		= rfsec_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(rfsec_genl_mcgrps),
};

/*
 * Handshake outcomes, sent from the connection's work without
 * rfsec_config_lock: they describe connections, not configuration.
 * @value is the cipher (DONE) or the reason (FAILED).
 */
void rfsec_nl_notify_handshake(u8 cmd, const bdaddr_t *adapter,
			       const bdaddr_t *peer, u32 value)
{
	struct sk_buff *msg;
	void *hdr;

	msg = rfsec_nl_event_new(2 * nla_total_size(RFSEC_ADDR_LEN) +
				 nla_total_size(sizeof(u32)), cmd,
				 RFSEC_CHANGE_UNSPEC, &hdr);
	if (!msg)
		return;
	if (nla_put(msg, RFSEC_A_ADAPTER, RFSEC_ADDR_LEN, adapter) ||
	    nla_put(msg, RFSEC_A_PEER_ADDR, RFSEC_ADDR_LEN, peer) ||
	    nla_put_u32(msg, cmd == RFSEC_CMD_HANDSHAKE_DONE ?
			RFSEC_A_PEER_CIPHER : RFSEC_A_HS_FAILURE, value)) {
		nlmsg_free(msg);
		return;
	}
	rfsec_nl_notify(msg, hdr);
}

int __init rfsec_genl_init(void)
{
	return genl_register_family(&rfsec_genl_family);
}

void rfsec_genl_uninit(void)
{
	genl_unregister_family(&rfsec_genl_family);
}
