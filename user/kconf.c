// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading identities and peers from the kernel module, for list, show,
 * save, scan and monitor.
 */

#include "kconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

/* How often a dump interrupted by concurrent changes is started again. */
#define KCONF_DUMP_TRIES 5

static const char *const kconf_policy_names[] = {
	[RFSEC_POLICY_REQUIRE] = "require",
	[RFSEC_POLICY_ALLOW_PLAINTEXT] = "allow-plaintext",
};

static const char *const kconf_cipher_names[] = {
	[RFSEC_CIPHER_CHACHA20_POLY1305] = "chacha20-poly1305",
	[RFSEC_CIPHER_AES_256_GCM] = "aes-256-gcm",
};

static const char *const kconf_failure_names[] = {
	[RFSEC_HS_FAIL_NO_KEY] = "no-key",
	[RFSEC_HS_FAIL_WRONG_KEY] = "wrong-key",
	[RFSEC_HS_FAIL_MALFORMED] = "malformed",
	[RFSEC_HS_FAIL_REPLAY] = "replay",
	[RFSEC_HS_FAIL_TIMEOUT] = "timeout",
	[RFSEC_HS_FAIL_REFUSED] = "refused",
	[RFSEC_HS_FAIL_CLOSED] = "closed",
	[RFSEC_HS_FAIL_CIPHER] = "cipher",
	[RFSEC_HS_FAIL_VERSION] = "version",
};

static const char *const kconf_change_names[] = {
	[RFSEC_CHANGE_ADDED] = "added",
	[RFSEC_CHANGE_UPDATED] = "updated",
	[RFSEC_CHANGE_REMOVED] = "removed",
};

#define KCONF_NAME(table, v) \
	((v) < sizeof(table) / sizeof(table[0]) ? table[v] : NULL)

const char *kconf_policy_name(uint32_t policy)
{
	return KCONF_NAME(kconf_policy_names, policy);
}

const char *kconf_cipher_name(uint32_t cipher)
{
	return KCONF_NAME(kconf_cipher_names, cipher);
}

const char *kconf_failure_name(uint32_t reason)
{
	return KCONF_NAME(kconf_failure_names, reason);
}

const char *kconf_change_name(uint32_t change)
{
	return KCONF_NAME(kconf_change_names, change);
}

static int kconf_lookup(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return (int)i;
	return -1;
}

int kconf_policy_parse(const char *name)
{
	return kconf_lookup(kconf_policy_names,
			    sizeof(kconf_policy_names) / sizeof(char *), name);
}

int kconf_cipher_parse(const char *name)
{
	return kconf_lookup(kconf_cipher_names,
			    sizeof(kconf_cipher_names) / sizeof(char *), name);
}

/* Copies a fixed-length binary attribute; -1 for the wrong length. */
static int kconf_get_bin(const struct nlattr *attr, void *dst, size_t len)
{
	if (mnl_attr_get_payload_len(attr) != len) {
		errno = EBADMSG;
		return -1;
	}
	memcpy(dst, mnl_attr_get_payload(attr), len);
	return 0;
}

static int kconf_get_u64(const struct nlattr *attr, uint64_t *v)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return -1;
	*v = mnl_attr_get_u64(attr);
	return 0;
}

static int kconf_failures_cb(const struct nlattr *attr, void *data)
{
	struct kconf_peer *p = data;
	uint16_t type = mnl_attr_get_type(attr);
	uint64_t v;

	if (type == 0)
		return MNL_CB_OK;	/* padding */
	if (kconf_get_u64(attr, &v) < 0)
		return MNL_CB_ERROR;
	if (type < KCONF_MAX_REASONS)
		p->failures[type] = v;
	return MNL_CB_OK;
}

static int kconf_stats_cb(const struct nlattr *attr, void *data)
{
	struct kconf_peer *p = data;
	uint64_t *dst = NULL;

	switch (mnl_attr_get_type(attr)) {
	case RFSEC_A_STATS_HANDSHAKES:
		dst = &p->handshakes;
		break;
	case RFSEC_A_STATS_HANDSHAKE_FAILURES:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		return mnl_attr_parse_nested(attr, kconf_failures_cb, p);
	case RFSEC_A_STATS_TX_BYTES:
		dst = &p->tx_bytes;
		break;
	case RFSEC_A_STATS_RX_BYTES:
		dst = &p->rx_bytes;
		break;
	case RFSEC_A_STATS_TX_RECORDS:
		dst = &p->tx_records;
		break;
	case RFSEC_A_STATS_RX_RECORDS:
		dst = &p->rx_records;
		break;
	case RFSEC_A_STATS_REKEYS:
		dst = &p->rekeys;
		break;
	case RFSEC_A_STATS_LAST_HANDSHAKE:
		dst = &p->last_handshake_ns;
		break;
	case RFSEC_A_STATS_UNCLEAN_ENDS:
		dst = &p->unclean_ends;
		break;
	case RFSEC_A_STATS_CONNECTIONS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		p->connections = mnl_attr_get_u32(attr);
		return MNL_CB_OK;
	default:
		return MNL_CB_OK;	/* padding, or from a newer module */
	}
	return kconf_get_u64(attr, dst) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

struct kconf_peer_parse {
	struct kconf_peer *p;
	bool adapter, addr, has_psk, policy;
};

static int kconf_peer_cb(const struct nlattr *attr, void *data)
{
	struct kconf_peer_parse *pp = data;
	struct kconf_peer *p = pp->p;
	int ret = 0;

	switch (mnl_attr_get_type(attr)) {
	case RFSEC_A_ADAPTER:
		ret = kconf_get_bin(attr, p->adapter, RFSEC_ADDR_LEN);
		pp->adapter = true;
		break;
	case RFSEC_A_PEER_ADDR:
		ret = kconf_get_bin(attr, p->addr, RFSEC_ADDR_LEN);
		pp->addr = true;
		break;
	case RFSEC_A_PEER_PUBLIC_KEY:
		ret = kconf_get_bin(attr, p->public_key, RFSEC_KEY_LEN);
		p->has_public_key = true;
		break;
	case RFSEC_A_PEER_HAS_PSK:
		ret = mnl_attr_validate(attr, MNL_TYPE_U8);
		if (!ret)
			p->has_psk = mnl_attr_get_u8(attr) != 0;
		pp->has_psk = true;
		break;
	case RFSEC_A_PEER_POLICY:
		ret = mnl_attr_validate(attr, MNL_TYPE_U32);
		if (!ret)
			p->policy = mnl_attr_get_u32(attr);
		pp->policy = true;
		break;
	case RFSEC_A_PEER_CIPHER:
		ret = mnl_attr_validate(attr, MNL_TYPE_U32);
		if (!ret)
			p->cipher = mnl_attr_get_u32(attr);
		p->has_cipher = true;
		break;
	case RFSEC_A_PEER_STATS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		p->has_stats = true;
		return mnl_attr_parse_nested(attr, kconf_stats_cb, p);
	}
	return ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int kconf_parse_peer(const struct nlmsghdr *nlh, struct kconf_peer *p)
{
	struct kconf_peer_parse pp = { .p = p };

	memset(p, 0, sizeof(*p));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), kconf_peer_cb,
			   &pp) < 0) {
		if (!errno)
			errno = EBADMSG;
		return -1;
	}
	if (!pp.adapter || !pp.addr || !pp.has_psk || !pp.policy) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

struct kconf_identity_parse {
	struct kconf_identity *id;
	bool adapter, key;
};

static int kconf_identity_cb(const struct nlattr *attr, void *data)
{
	struct kconf_identity_parse *ip = data;
	int ret = 0;

	switch (mnl_attr_get_type(attr)) {
	case RFSEC_A_ADAPTER:
		ret = kconf_get_bin(attr, ip->id->adapter, RFSEC_ADDR_LEN);
		ip->adapter = true;
		break;
	case RFSEC_A_PUBLIC_KEY:
		ret = kconf_get_bin(attr, ip->id->public_key, RFSEC_KEY_LEN);
		ip->key = true;
		break;
	}
	return ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int kconf_parse_identity(const struct nlmsghdr *nlh,
			 struct kconf_identity *id)
{
	struct kconf_identity_parse ip = { .id = id };

	memset(id, 0, sizeof(*id));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), kconf_identity_cb,
			   &ip) < 0) {
		if (!errno)
			errno = EBADMSG;
		return -1;
	}
	if (!ip.adapter || !ip.key) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/* A growing array that a dump fills. */
struct kconf_dump {
	void *items;
	size_t n, cap, size;
	bool intr;
	int (*parse)(const struct nlmsghdr *nlh, void *item);
};

static int kconf_parse_peer_item(const struct nlmsghdr *nlh, void *item)
{
	return kconf_parse_peer(nlh, item);
}

static int kconf_parse_identity_item(const struct nlmsghdr *nlh, void *item)
{
	return kconf_parse_identity(nlh, item);
}

static int kconf_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kconf_dump *d = data;
	void *grown;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		grown = realloc(d->items, d->cap * d->size);
		if (!grown)
			return MNL_CB_ERROR;
		d->items = grown;
	}
	if (d->parse(nlh, (char *)d->items + d->n * d->size) < 0)
		return MNL_CB_ERROR;
	d->n++;
	return MNL_CB_OK;
}

static int kconf_dump(struct rfsec_genl *genl, uint8_t cmd,
		      const uint8_t *adapter, struct kconf_dump *d)
{
	struct nlmsghdr *req;
	int tries;

	for (tries = 0; tries < KCONF_DUMP_TRIES; tries++) {
		d->n = 0;
		d->intr = false;
		req = rfsec_genl_request(genl, cmd, NLM_F_DUMP);
		if (adapter)
			mnl_attr_put(req, RFSEC_A_ADAPTER, RFSEC_ADDR_LEN,
				     adapter);
		if (rfsec_genl_call(genl, req, kconf_dump_cb, d)) {
			free(d->items);
			d->items = NULL;
			return -1;
		}
		if (!d->intr)
			return 0;
	}
	fprintf(stderr,
		"rfsec: the configuration kept changing while it was read; try again\n");
	free(d->items);
	d->items = NULL;
	return -1;
}

int kconf_dump_identities(struct rfsec_genl *genl, const uint8_t *adapter,
			  struct kconf_identity **ids, size_t *n)
{
	struct kconf_dump d = {
		.size = sizeof(**ids), .parse = kconf_parse_identity_item,
	};

	if (kconf_dump(genl, RFSEC_CMD_GET_IDENTITY, adapter, &d))
		return -1;
	*ids = d.items;
	*n = d.n;
	return 0;
}

int kconf_dump_peers(struct rfsec_genl *genl, const uint8_t *adapter,
		     struct kconf_peer **peers, size_t *n)
{
	struct kconf_dump d = {
		.size = sizeof(**peers), .parse = kconf_parse_peer_item,
	};

	if (kconf_dump(genl, RFSEC_CMD_GET_PEER, adapter, &d))
		return -1;
	*peers = d.items;
	*n = d.n;
	return 0;
}
