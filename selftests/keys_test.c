// SPDX-License-Identifier: GPL-2.0
/*
 * Keys and policy over the rfsec generic netlink family: identities per
 * local adapter, peers per identity, what the replies and events reveal
 * (never a private or pre-shared key), who may change what, the limits, the
 * refusals and their extended ACK messages, and module unload.
 *
 * Every test starts and ends with no identity configured. Requests go out on
 * a socket with NETLINK_CAP_ACK, so that an error never echoes the request
 * back: every byte the test receives was written by the kernel, and a test
 * can search all of them for a secret.
 */
#include <grp.h>
#include <time.h>
#include <sys/wait.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "util.h"
#include "kselftest_harness.h"

/* The limits uapi/rfsec.h documents. */
#define MAX_IDENTITIES		16
#define MAX_PEERS		64

#define NOBODY_UID		65534

/* RFC 7748, section 6.1: Alice's and Bob's key pairs. */
static const uint8_t alice_private[RFSEC_KEY_LEN] = {
	0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d,
	0x3c, 0x16, 0xc1, 0x72, 0x51, 0xb2, 0x66, 0x45,
	0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0, 0x99, 0x2a,
	0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a,
};

static const uint8_t alice_public[RFSEC_KEY_LEN] = {
	0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54,
	0x74, 0x8b, 0x7d, 0xdc, 0xb4, 0x3e, 0xf7, 0x5a,
	0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4,
	0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a,
};

static const uint8_t bob_private[RFSEC_KEY_LEN] = {
	0x5d, 0xab, 0x08, 0x7e, 0x62, 0x4a, 0x8a, 0x4b,
	0x79, 0xe1, 0x7f, 0x8b, 0x83, 0x80, 0x0e, 0xe6,
	0x6f, 0x3b, 0xb1, 0x29, 0x26, 0x18, 0xb6, 0xfd,
	0x1c, 0x2f, 0x8b, 0x27, 0xff, 0x88, 0xe0, 0xeb,
};

static const uint8_t bob_public[RFSEC_KEY_LEN] = {
	0xde, 0x9e, 0xdb, 0x7d, 0x7b, 0x7d, 0xc1, 0xb4,
	0xd3, 0x5b, 0x61, 0xc2, 0xec, 0xe4, 0x35, 0x37,
	0x3f, 0x83, 0x43, 0xc8, 0x5b, 0x78, 0x67, 0x4d,
	0xad, 0xfc, 0x7e, 0x14, 0x6f, 0x88, 0x2b, 0x4f,
};

/* Addresses no controller has; bdaddr_t order, least significant first. */
static const bdaddr_t remote1 = {{ 0x01, 0x00, 0x5e, 0xc0, 0xfe, 0x02 }};
static const bdaddr_t remote2 = {{ 0x02, 0x00, 0x5e, 0xc0, 0xfe, 0x02 }};

static bdaddr_t fake_addr(unsigned int i)
{
	bdaddr_t a = {{ i & 0xff, i >> 8, 0x77, 0xc0, 0xfe, 0x02 }};

	return a;
}

static void fill_key(uint8_t key[RFSEC_KEY_LEN], uint8_t seed)
{
	for (int i = 0; i < RFSEC_KEY_LEN; i++)
		key[i] = seed + 7 * i;
}

/*
 * Everything the kernel sent this test (replies, ACKs, events), to search
 * for secrets. Each test runs in its own process, so each has its own.
 */
static uint8_t received[4 << 20];
static size_t received_len;
static bool received_overflow;

static void record_received(const void *buf, size_t len)
{
	if (received_len + len > sizeof(received)) {
		received_overflow = true;
		return;
	}
	memcpy(received + received_len, buf, len);
	received_len += len;
}

static bool received_contains(const uint8_t *secret, size_t len)
{
	return memmem(received, received_len, secret, len) != NULL;
}

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	uint32_t events_group;
	/* The extended ACK of the last error. */
	char extack[256];
	int miss_type;
	bool has_offs;
	size_t recv_size;	/* bounds the kernel's dump parts */
	unsigned int recvs;	/* reads the last call took */
	char req[4096];
	char buf[32768];	/* more than any message the kernel sends */
};

struct call_ctx {
	struct nl *nl;
	mnl_cb_t cb;
	void *data;
};

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl *nl = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(nl->extack, sizeof(nl->extack), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		nl->miss_type = mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_OFFS:
		nl->has_offs = true;
		break;
	}
	return MNL_CB_OK;
}

/* The TLVs of an error or of a dump's NLMSG_DONE start at @offset. */
static void parse_extack(struct nl *nl, const struct nlmsghdr *nlh,
			 unsigned int offset)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    mnl_nlmsg_size(offset) > nlh->nlmsg_len)
		return;
	mnl_attr_parse(nlh, offset, extack_attr_cb, nl);
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct call_ctx *ctx = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int offset = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += err->msg.nlmsg_len - sizeof(err->msg);
	parse_extack(ctx->nl, nlh, offset);
	errno = -err->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct call_ctx *ctx = data;
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (!err)
		return MNL_CB_STOP;
	parse_extack(ctx->nl, nlh, sizeof(err));
	errno = -err;
	return MNL_CB_ERROR;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct call_ctx *ctx = data;

	return ctx->cb ? ctx->cb(nlh, ctx->data) : MNL_CB_OK;
}

/* Sends @nlh and runs @cb on each reply; 0 or -errno. */
static int nl_call(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct call_ctx ctx = { nl, cb, data };
	ssize_t n;
	int ret;

	nl->extack[0] = '\0';
	nl->miss_type = -1;
	nl->has_offs = false;
	nl->recvs = 0;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, nl->recv_size);
		if (n < 0)
			return -errno;
		nl->recvs++;
		record_received(nl->buf, n);
		ret = mnl_cb_run2(nl->buf, n, nlh->nlmsg_seq, nl->portid,
				  data_cb, &ctx, ctl, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static struct nlmsghdr *nl_req_type(struct nl *nl, uint16_t type, int cmd,
				    uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->req);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = RFSEC_GENL_VERSION;
	return nlh;
}

static struct nlmsghdr *nl_req(struct nl *nl, int cmd, uint16_t flags)
{
	return nl_req_type(nl, nl->family, cmd, flags);
}

static int mcast_group_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr *a;
	uint32_t *group = data;
	uint32_t id = 0;
	bool events = false;

	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID)
			id = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME)
			events = !strcmp(mnl_attr_get_str(a),
					 RFSEC_GENL_MCGRP_EVENTS);
	}
	if (events)
		*group = id;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl *nl = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
		nl->family = mnl_attr_get_u16(attr);
	else if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GROUPS)
		mnl_attr_parse_nested(attr, mcast_group_cb,
				      &nl->events_group);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			      data);
}

/* Finds the family and its "events" group (loading the module if need be). */
static int nl_resolve(struct nl *nl)
{
	struct nlmsghdr *nlh;

	nl->family = 0;
	nl->events_group = 0;
	nlh = nl_req_type(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, RFSEC_GENL_NAME);
	return nl_call(nl, nlh, family_cb, nl);
}

/*
 * The kernel sizes each part of a dump after the largest read the socket
 * has seen, so @recv_size small makes dumps come in several parts.
 */
static int nl_open_size(struct nl *nl, size_t recv_size)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->recv_size = recv_size;
	nl->seq = time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one,
				  sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one,
				  sizeof(one)) < 0)
		return -errno;
	nl->portid = mnl_socket_get_portid(nl->sock);
	return nl_resolve(nl);
}

static int nl_open(struct nl *nl)
{
	return nl_open_size(nl, sizeof(nl->buf));
}

static void put_addr(struct nlmsghdr *nlh, int type, const bdaddr_t *addr)
{
	mnl_attr_put(nlh, type, sizeof(*addr), addr);
}

static void put_key(struct nlmsghdr *nlh, int type, const uint8_t *key)
{
	mnl_attr_put(nlh, type, RFSEC_KEY_LEN, key);
}

/* What one GET_IDENTITY reply or IDENTITY_CHANGED event holds. */
struct identity {
	bdaddr_t adapter;
	uint8_t public_key[RFSEC_KEY_LEN];
	bool has_adapter;
	bool has_public_key;
	int change;
	int unexpected;		/* attributes of any other type */
};

struct identities {
	int n;
	struct identity e[MAX_IDENTITIES + 4];
};

static int identity_attr_cb(const struct nlattr *attr, void *data)
{
	struct identity *id = data;

	switch (mnl_attr_get_type(attr)) {
	case RFSEC_A_ADAPTER:
		if (mnl_attr_get_payload_len(attr) == sizeof(id->adapter)) {
			memcpy(&id->adapter, mnl_attr_get_payload(attr),
			       sizeof(id->adapter));
			id->has_adapter = true;
		}
		break;
	case RFSEC_A_PUBLIC_KEY:
		if (mnl_attr_get_payload_len(attr) == RFSEC_KEY_LEN) {
			memcpy(id->public_key, mnl_attr_get_payload(attr),
			       RFSEC_KEY_LEN);
			id->has_public_key = true;
		}
		break;
	case RFSEC_A_CHANGE:
		id->change = mnl_attr_get_u32(attr);
		break;
	default:
		id->unexpected++;
	}
	return MNL_CB_OK;
}

static int identity_cb(const struct nlmsghdr *nlh, void *data)
{
	struct identities *ids = data;
	struct identity *id;

	if (ids->n == (int)ARRAY_SIZE(ids->e))
		return MNL_CB_ERROR;
	id = &ids->e[ids->n++];
	memset(id, 0, sizeof(*id));
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr),
			      identity_attr_cb, id);
}

/* What one GET_PEER reply or PEER_CHANGED event holds. */
struct peer {
	bdaddr_t adapter;
	bdaddr_t addr;
	uint8_t public_key[RFSEC_KEY_LEN];
	bool has_adapter;
	bool has_addr;
	bool has_public_key;
	int has_psk;		/* -1: absent */
	int policy;		/* -1: absent */
	int change;
	bool has_stats;
	int stats_seen;		/* counters present in RFSEC_A_PEER_STATS */
	int failures_seen;	/* reasons present in HANDSHAKE_FAILURES */
	uint64_t stats_sum;	/* of every counter */
	uint32_t cipher;	/* RFSEC_A_PEER_CIPHER, 0 if absent */
	int unexpected;
};

struct peers {
	int n;
	struct peer e[MAX_PEERS + 8];
};

static int failures_attr_cb(const struct nlattr *attr, void *data)
{
	struct peer *p = data;
	int type = mnl_attr_get_type(attr);

	if (type == RFSEC_HS_FAIL_UNSPEC)	/* padding */
		return MNL_CB_OK;
	if (type > RFSEC_HS_FAIL_MAX ||
	    mnl_attr_validate(attr, MNL_TYPE_U64) < 0) {
		p->unexpected++;
		return MNL_CB_OK;
	}
	p->failures_seen++;
	p->stats_sum += mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct peer *p = data;

	switch (mnl_attr_get_type(attr)) {
	case RFSEC_A_STATS_PAD:
		break;
	case RFSEC_A_STATS_HANDSHAKE_FAILURES:
		p->stats_seen++;
		mnl_attr_parse_nested(attr, failures_attr_cb, p);
		break;
	case RFSEC_A_STATS_CONNECTIONS:
		p->stats_seen++;
		p->stats_sum += mnl_attr_get_u32(attr);
		break;
	case RFSEC_A_STATS_HANDSHAKES:
	case RFSEC_A_STATS_TX_BYTES:
	case RFSEC_A_STATS_RX_BYTES:
	case RFSEC_A_STATS_TX_RECORDS:
	case RFSEC_A_STATS_RX_RECORDS:
	case RFSEC_A_STATS_REKEYS:
	case RFSEC_A_STATS_LAST_HANDSHAKE:
	case RFSEC_A_STATS_UNCLEAN_ENDS:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0) {
			p->unexpected++;
			break;
		}
		p->stats_seen++;
		p->stats_sum += mnl_attr_get_u64(attr);
		break;
	default:
		p->unexpected++;
	}
	return MNL_CB_OK;
}

/* RFSEC_A_STATS_HANDSHAKES to RFSEC_A_STATS_UNCLEAN_ENDS. */
#define STATS_COUNT (RFSEC_A_STATS_MAX - RFSEC_A_STATS_PAD)

static int peer_attr_cb(const struct nlattr *attr, void *data)
{
	struct peer *p = data;

	switch (mnl_attr_get_type(attr)) {
	case RFSEC_A_ADAPTER:
		memcpy(&p->adapter, mnl_attr_get_payload(attr),
		       sizeof(p->adapter));
		p->has_adapter = true;
		break;
	case RFSEC_A_PEER_ADDR:
		memcpy(&p->addr, mnl_attr_get_payload(attr), sizeof(p->addr));
		p->has_addr = true;
		break;
	case RFSEC_A_PEER_PUBLIC_KEY:
		memcpy(p->public_key, mnl_attr_get_payload(attr),
		       RFSEC_KEY_LEN);
		p->has_public_key = true;
		break;
	case RFSEC_A_PEER_HAS_PSK:
		p->has_psk = mnl_attr_get_u8(attr);
		break;
	case RFSEC_A_PEER_POLICY:
		p->policy = mnl_attr_get_u32(attr);
		break;
	case RFSEC_A_PEER_CIPHER:
		p->cipher = mnl_attr_get_u32(attr);
		break;
	case RFSEC_A_PEER_STATS:
		p->has_stats = true;
		mnl_attr_parse_nested(attr, stats_attr_cb, p);
		break;
	case RFSEC_A_CHANGE:
		p->change = mnl_attr_get_u32(attr);
		break;
	default:
		p->unexpected++;
	}
	return MNL_CB_OK;
}

static void peer_init(struct peer *p)
{
	memset(p, 0, sizeof(*p));
	p->has_psk = -1;
	p->policy = -1;
}

static int peer_cb(const struct nlmsghdr *nlh, void *data)
{
	struct peers *peers = data;
	struct peer *p;

	if (peers->n == (int)ARRAY_SIZE(peers->e))
		return MNL_CB_ERROR;
	p = &peers->e[peers->n++];
	peer_init(p);
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), peer_attr_cb,
			      p);
}

static int set_identity(struct nl *nl, const bdaddr_t *adapter,
			const uint8_t *private_key)
{
	struct nlmsghdr *nlh = nl_req(nl, RFSEC_CMD_SET_IDENTITY, 0);

	put_addr(nlh, RFSEC_A_ADAPTER, adapter);
	put_key(nlh, RFSEC_A_PRIVATE_KEY, private_key);
	return nl_call(nl, nlh, NULL, NULL);
}

static int del_identity(struct nl *nl, const bdaddr_t *adapter)
{
	struct nlmsghdr *nlh = nl_req(nl, RFSEC_CMD_DEL_IDENTITY, 0);

	put_addr(nlh, RFSEC_A_ADAPTER, adapter);
	return nl_call(nl, nlh, NULL, NULL);
}

static int get_identity(struct nl *nl, const bdaddr_t *adapter,
			struct identities *ids)
{
	struct nlmsghdr *nlh = nl_req(nl, RFSEC_CMD_GET_IDENTITY, 0);

	ids->n = 0;
	put_addr(nlh, RFSEC_A_ADAPTER, adapter);
	return nl_call(nl, nlh, identity_cb, ids);
}

/* Every identity, or @adapter's only when it is not NULL. */
static int dump_identities(struct nl *nl, const bdaddr_t *adapter,
			   struct identities *ids)
{
	struct nlmsghdr *nlh = nl_req(nl, RFSEC_CMD_GET_IDENTITY, NLM_F_DUMP);

	ids->n = 0;
	if (adapter)
		put_addr(nlh, RFSEC_A_ADAPTER, adapter);
	return nl_call(nl, nlh, identity_cb, ids);
}

/* @psk may be NULL; @policy < 0 leaves the attribute out. */
static int set_peer(struct nl *nl, const bdaddr_t *adapter,
		    const bdaddr_t *addr, const uint8_t *public_key,
		    const uint8_t *psk, int policy)
{
	struct nlmsghdr *nlh = nl_req(nl, RFSEC_CMD_SET_PEER, 0);

	put_addr(nlh, RFSEC_A_ADAPTER, adapter);
	put_addr(nlh, RFSEC_A_PEER_ADDR, addr);
	if (public_key)
		put_key(nlh, RFSEC_A_PEER_PUBLIC_KEY, public_key);
	if (psk)
		put_key(nlh, RFSEC_A_PEER_PSK, psk);
	if (policy >= 0)
		mnl_attr_put_u32(nlh, RFSEC_A_PEER_POLICY, policy);
	return nl_call(nl, nlh, NULL, NULL);
}

static int del_peer(struct nl *nl, const bdaddr_t *adapter,
		    const bdaddr_t *addr)
{
	struct nlmsghdr *nlh = nl_req(nl, RFSEC_CMD_DEL_PEER, 0);

	put_addr(nlh, RFSEC_A_ADAPTER, adapter);
	put_addr(nlh, RFSEC_A_PEER_ADDR, addr);
	return nl_call(nl, nlh, NULL, NULL);
}

static int get_peer(struct nl *nl, const bdaddr_t *adapter,
		    const bdaddr_t *addr, struct peers *peers)
{
	struct nlmsghdr *nlh = nl_req(nl, RFSEC_CMD_GET_PEER, 0);

	peers->n = 0;
	put_addr(nlh, RFSEC_A_ADAPTER, adapter);
	put_addr(nlh, RFSEC_A_PEER_ADDR, addr);
	return nl_call(nl, nlh, peer_cb, peers);
}

static int dump_peers(struct nl *nl, const bdaddr_t *adapter,
		      struct peers *peers)
{
	struct nlmsghdr *nlh = nl_req(nl, RFSEC_CMD_GET_PEER, NLM_F_DUMP);

	peers->n = 0;
	if (adapter)
		put_addr(nlh, RFSEC_A_ADAPTER, adapter);
	return nl_call(nl, nlh, peer_cb, peers);
}

/* Removes every identity (and so every peer); 0 or -errno. */
static int flush(struct nl *nl)
{
	struct identities ids;
	int ret;

	ret = dump_identities(nl, NULL, &ids);
	for (int i = 0; !ret && i < ids.n; i++)
		ret = del_identity(nl, &ids.e[i].adapter);
	return ret;
}

/* A socket subscribed to the "events" group of @nl's family. */
static int events_open(struct nl *ev, const struct nl *nl)
{
	struct timeval tv = { .tv_sec = 2 };
	uint32_t group = nl->events_group;
	int ret;

	ret = nl_open(ev);
	if (ret)
		return ret;
	if (!group)
		return -ENOENT;
	if (mnl_socket_setsockopt(ev->sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0 ||
	    setsockopt(mnl_socket_get_fd(ev->sock), SOL_SOCKET, SO_RCVTIMEO,
		       &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

/* One event: the identity or the peer it is about, by its command. */
struct event {
	struct identity id;
	struct peer peer;
};

/*
 * The next event of the family; its command, or -errno (-EAGAIN when none
 * came in time). @timeout_ms 0 keeps the socket's 2 s.
 */
static int next_event(struct nl *ev, struct event *e, int timeout_ms)
{
	const struct genlmsghdr *g;
	const struct nlmsghdr *nlh;
	ssize_t n;

	if (timeout_ms) {
		struct timeval tv = {
			.tv_sec = timeout_ms / 1000,
			.tv_usec = (timeout_ms % 1000) * 1000,
		};

		setsockopt(mnl_socket_get_fd(ev->sock), SOL_SOCKET,
			   SO_RCVTIMEO, &tv, sizeof(tv));
	}
	for (;;) {
		n = mnl_socket_recvfrom(ev->sock, ev->buf, sizeof(ev->buf));
		if (n < 0)
			return -errno;
		record_received(ev->buf, n);
		nlh = (const struct nlmsghdr *)ev->buf;
		if (!mnl_nlmsg_ok(nlh, n) || nlh->nlmsg_type != ev->family)
			continue;
		g = mnl_nlmsg_get_payload(nlh);
		memset(&e->id, 0, sizeof(e->id));
		peer_init(&e->peer);
		if (g->cmd == RFSEC_CMD_PEER_CHANGED)
			mnl_attr_parse(nlh, sizeof(*g), peer_attr_cb, &e->peer);
		else
			mnl_attr_parse(nlh, sizeof(*g), identity_attr_cb,
				       &e->id);
		return g->cmd;
	}
}

FIXTURE(keys) {
	struct nl nl;
	bdaddr_t hci0;
	bdaddr_t hci1;
	bool have_hci1;
};

FIXTURE_SETUP(keys)
{
	ASSERT_EQ(0, nl_open(&self->nl));
	ASSERT_NE(0, self->nl.family);
	if (!util_hci_addr(0, &self->hci0))
		SKIP(return, "no hci0");
	self->have_hci1 = util_hci_addr(1, &self->hci1);
	ASSERT_EQ(0, flush(&self->nl));
}

FIXTURE_TEARDOWN(keys)
{
	EXPECT_EQ(0, flush(&self->nl));
	EXPECT_FALSE(received_overflow);
	mnl_socket_close(self->nl.sock);
}

/* The call failed with @err and the extended ACK said why. */
#define EXPECT_REFUSED(err, call) do {					\
	EXPECT_EQ(-(err), (call));					\
	EXPECT_NE('\0', self->nl.extack[0]);				\
	TH_LOG("extack: \"%s\"", self->nl.extack);			\
} while (0)

TEST_F(keys, identity_rfc7748_vector)
{
	struct identities ids;

	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));

	ASSERT_EQ(0, get_identity(&self->nl, &self->hci0, &ids));
	ASSERT_EQ(1, ids.n);
	EXPECT_TRUE(ids.e[0].has_adapter);
	EXPECT_EQ(0, bacmp(&self->hci0, &ids.e[0].adapter));
	ASSERT_TRUE(ids.e[0].has_public_key);
	EXPECT_EQ(0, memcmp(alice_public, ids.e[0].public_key,
			    RFSEC_KEY_LEN));
	EXPECT_EQ(0, ids.e[0].unexpected);

	ASSERT_EQ(0, dump_identities(&self->nl, NULL, &ids));
	ASSERT_EQ(1, ids.n);
	EXPECT_EQ(0, memcmp(alice_public, ids.e[0].public_key,
			    RFSEC_KEY_LEN));
	EXPECT_FALSE(received_contains(alice_private, RFSEC_KEY_LEN));
}

TEST_F(keys, identities_are_per_adapter)
{
	struct identities ids;
	int seen = 0;

	if (!self->have_hci1)
		SKIP(return, "no hci1");
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci1, bob_private));

	ASSERT_EQ(0, get_identity(&self->nl, &self->hci0, &ids));
	ASSERT_EQ(1, ids.n);
	EXPECT_EQ(0, memcmp(alice_public, ids.e[0].public_key,
			    RFSEC_KEY_LEN));
	ASSERT_EQ(0, get_identity(&self->nl, &self->hci1, &ids));
	ASSERT_EQ(1, ids.n);
	EXPECT_EQ(0, memcmp(bob_public, ids.e[0].public_key, RFSEC_KEY_LEN));

	ASSERT_EQ(0, dump_identities(&self->nl, NULL, &ids));
	ASSERT_EQ(2, ids.n);
	for (int i = 0; i < ids.n; i++) {
		if (!bacmp(&ids.e[i].adapter, &self->hci0)) {
			EXPECT_EQ(0, memcmp(alice_public, ids.e[i].public_key,
					    RFSEC_KEY_LEN));
			seen |= 1;
		} else if (!bacmp(&ids.e[i].adapter, &self->hci1)) {
			EXPECT_EQ(0, memcmp(bob_public, ids.e[i].public_key,
					    RFSEC_KEY_LEN));
			seen |= 2;
		}
	}
	EXPECT_EQ(3, seen);

	/* A dump limited to one adapter, and deleting one leaves the other. */
	ASSERT_EQ(0, dump_identities(&self->nl, &self->hci1, &ids));
	ASSERT_EQ(1, ids.n);
	EXPECT_EQ(0, bacmp(&self->hci1, &ids.e[0].adapter));
	ASSERT_EQ(0, del_identity(&self->nl, &self->hci0));
	ASSERT_EQ(0, get_identity(&self->nl, &self->hci1, &ids));
	EXPECT_EQ(0, memcmp(bob_public, ids.e[0].public_key, RFSEC_KEY_LEN));
	EXPECT_FALSE(received_contains(alice_private, RFSEC_KEY_LEN));
	EXPECT_FALSE(received_contains(bob_private, RFSEC_KEY_LEN));
}

TEST_F(keys, identity_delete_clears_it_and_its_peers)
{
	struct identities ids;
	struct peers peers;

	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, bob_public,
			      NULL, -1));
	ASSERT_EQ(0, del_identity(&self->nl, &self->hci0));

	EXPECT_REFUSED(ENOENT, get_identity(&self->nl, &self->hci0, &ids));
	ASSERT_EQ(0, dump_identities(&self->nl, NULL, &ids));
	EXPECT_EQ(0, ids.n);
	EXPECT_REFUSED(ENOENT, del_identity(&self->nl, &self->hci0));

	/* A new identity on the same adapter starts without peers. */
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	ASSERT_EQ(0, dump_peers(&self->nl, NULL, &peers));
	EXPECT_EQ(0, peers.n);
}

TEST_F(keys, identity_new_key_keeps_peers)
{
	uint8_t key[RFSEC_KEY_LEN];
	struct identities ids;
	struct peers peers;

	fill_key(key, 0x42);
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, key, NULL,
			      -1));
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, bob_private));
	ASSERT_EQ(0, get_identity(&self->nl, &self->hci0, &ids));
	EXPECT_EQ(0, memcmp(bob_public, ids.e[0].public_key, RFSEC_KEY_LEN));
	ASSERT_EQ(0, dump_peers(&self->nl, &self->hci0, &peers));
	EXPECT_EQ(1, peers.n);
}

TEST_F(keys, identity_key_of_own_peer_refused)
{
	struct identities ids;

	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, bob_public,
			      NULL, -1));
	EXPECT_REFUSED(EINVAL, set_identity(&self->nl, &self->hci0,
					    bob_private));
	ASSERT_EQ(0, get_identity(&self->nl, &self->hci0, &ids));
	EXPECT_EQ(0, memcmp(alice_public, ids.e[0].public_key,
			    RFSEC_KEY_LEN));
	/* And the other way round: a peer holding the adapter's own key. */
	EXPECT_REFUSED(EINVAL, set_peer(&self->nl, &self->hci0, &remote2,
					alice_public, NULL, -1));
}

TEST_F(keys, zero_private_key_refused)
{
	static const uint8_t zero[RFSEC_KEY_LEN];
	struct identities ids;

	EXPECT_REFUSED(EINVAL, set_identity(&self->nl, &self->hci0, zero));
	EXPECT_TRUE(self->nl.has_offs);
	ASSERT_EQ(0, dump_identities(&self->nl, NULL, &ids));
	EXPECT_EQ(0, ids.n);
}

TEST_F(keys, peer_add_update_remove)
{
	uint8_t psk[RFSEC_KEY_LEN], key2[RFSEC_KEY_LEN];
	struct peers peers;
	struct peer *p = &peers.e[0];

	fill_key(psk, 0xa0);
	fill_key(key2, 0x31);
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));

	/* Added with a key and a PSK, policy left to its default. */
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, bob_public,
			      psk, -1));
	ASSERT_EQ(0, get_peer(&self->nl, &self->hci0, &remote1, &peers));
	ASSERT_EQ(1, peers.n);
	EXPECT_EQ(0, bacmp(&self->hci0, &p->adapter));
	EXPECT_EQ(0, bacmp(&remote1, &p->addr));
	ASSERT_TRUE(p->has_public_key);
	EXPECT_EQ(0, memcmp(bob_public, p->public_key, RFSEC_KEY_LEN));
	EXPECT_EQ(1, p->has_psk);
	EXPECT_EQ(RFSEC_POLICY_REQUIRE, p->policy);
	/* Left out, the cipher is the default one. */
	EXPECT_EQ((uint32_t)RFSEC_CIPHER_CHACHA20_POLY1305, p->cipher);
	EXPECT_TRUE(p->has_stats);
	EXPECT_EQ(STATS_COUNT, p->stats_seen);
	EXPECT_EQ(RFSEC_HS_FAIL_MAX, p->failures_seen);
	EXPECT_EQ(0ULL, (unsigned long long)p->stats_sum);
	EXPECT_EQ(0, p->unexpected);

	/* Replaced: what is left out takes its default, not the old value. */
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, key2, NULL,
			      RFSEC_POLICY_ALLOW_PLAINTEXT));
	ASSERT_EQ(0, get_peer(&self->nl, &self->hci0, &remote1, &peers));
	ASSERT_EQ(1, peers.n);
	EXPECT_EQ(0, memcmp(key2, p->public_key, RFSEC_KEY_LEN));
	EXPECT_EQ(0, p->has_psk);
	EXPECT_EQ(RFSEC_POLICY_ALLOW_PLAINTEXT, p->policy);
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, key2, NULL,
			      -1));
	ASSERT_EQ(0, get_peer(&self->nl, &self->hci0, &remote1, &peers));
	EXPECT_EQ(RFSEC_POLICY_REQUIRE, p->policy);

	/* An all-zero PSK is Noise's "none". */
	memset(psk, 0, sizeof(psk));
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, key2, psk,
			      -1));
	ASSERT_EQ(0, get_peer(&self->nl, &self->hci0, &remote1, &peers));
	EXPECT_EQ(0, p->has_psk);

	ASSERT_EQ(0, del_peer(&self->nl, &self->hci0, &remote1));
	EXPECT_REFUSED(ENOENT, get_peer(&self->nl, &self->hci0, &remote1,
					&peers));
	ASSERT_EQ(0, dump_peers(&self->nl, NULL, &peers));
	EXPECT_EQ(0, peers.n);
	EXPECT_REFUSED(ENOENT, del_peer(&self->nl, &self->hci0, &remote1));
}

TEST_F(keys, peer_plaintext_without_key)
{
	struct peers peers;

	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, NULL, NULL,
			      RFSEC_POLICY_ALLOW_PLAINTEXT));
	ASSERT_EQ(0, get_peer(&self->nl, &self->hci0, &remote1, &peers));
	ASSERT_EQ(1, peers.n);
	EXPECT_FALSE(peers.e[0].has_public_key);
	EXPECT_EQ(0, peers.e[0].has_psk);
	EXPECT_EQ(RFSEC_POLICY_ALLOW_PLAINTEXT, peers.e[0].policy);
}

TEST_F(keys, peer_dump_all_and_by_adapter)
{
	uint8_t key[RFSEC_KEY_LEN];
	struct peers peers;
	int on_hci0 = 0;

	if (!self->have_hci1)
		SKIP(return, "no hci1");
	fill_key(key, 0x11);
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci1, bob_private));
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, key, NULL,
			      -1));
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote2, key, NULL,
			      -1));
	/* The same remote device is a separate peer of each adapter. */
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci1, &remote1, alice_public,
			      NULL, -1));

	ASSERT_EQ(0, dump_peers(&self->nl, NULL, &peers));
	ASSERT_EQ(3, peers.n);
	for (int i = 0; i < peers.n; i++) {
		EXPECT_TRUE(peers.e[i].has_stats);
		EXPECT_EQ(STATS_COUNT, peers.e[i].stats_seen);
		EXPECT_EQ(0ULL, (unsigned long long)peers.e[i].stats_sum);
		on_hci0 += !bacmp(&peers.e[i].adapter, &self->hci0);
	}
	EXPECT_EQ(2, on_hci0);

	ASSERT_EQ(0, dump_peers(&self->nl, &self->hci0, &peers));
	ASSERT_EQ(2, peers.n);
	EXPECT_EQ(0, bacmp(&self->hci0, &peers.e[0].adapter));
	EXPECT_EQ(0, bacmp(&self->hci0, &peers.e[1].adapter));
	ASSERT_EQ(0, dump_peers(&self->nl, &self->hci1, &peers));
	ASSERT_EQ(1, peers.n);
	EXPECT_EQ(0, memcmp(alice_public, peers.e[0].public_key,
			    RFSEC_KEY_LEN));
}

TEST_F(keys, no_secret_in_any_reply)
{
	uint8_t psk[RFSEC_KEY_LEN];
	struct identities ids;
	struct peers peers;
	struct event event;
	struct nl ev;

	fill_key(psk, 0xc5);
	ASSERT_EQ(0, events_open(&ev, &self->nl));
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, bob_public,
			      psk, -1));
	ASSERT_EQ(0, get_identity(&self->nl, &self->hci0, &ids));
	ASSERT_EQ(0, dump_identities(&self->nl, NULL, &ids));
	ASSERT_EQ(0, get_peer(&self->nl, &self->hci0, &remote1, &peers));
	ASSERT_EQ(0, dump_peers(&self->nl, NULL, &peers));
	ASSERT_EQ(0, del_peer(&self->nl, &self->hci0, &remote1));
	/* Refusals carry no secret either. */
	EXPECT_REFUSED(EINVAL, set_peer(&self->nl, &self->hci0, &remote1,
					NULL, psk,
					RFSEC_POLICY_ALLOW_PLAINTEXT));
	while (next_event(&ev, &event, 200) > 0)
		;

	ASSERT_LT(0U, received_len);
	EXPECT_FALSE(received_contains(alice_private, RFSEC_KEY_LEN));
	EXPECT_FALSE(received_contains(psk, RFSEC_KEY_LEN));
	/* The search itself works: the public keys are there. */
	EXPECT_TRUE(received_contains(alice_public, RFSEC_KEY_LEN));
	EXPECT_TRUE(received_contains(bob_public, RFSEC_KEY_LEN));
	mnl_socket_close(ev.sock);
}

/*
 * A key or address of the wrong length, and a number out of range, fail the
 * policy's exact length or maximum; the netlink core's errno for both is
 * ERANGE, and its extended ACK points at the attribute.
 */
TEST_F(keys, short_key_refused)
{
	struct nlmsghdr *nlh = nl_req(&self->nl, RFSEC_CMD_SET_IDENTITY, 0);

	put_addr(nlh, RFSEC_A_ADAPTER, &self->hci0);
	mnl_attr_put(nlh, RFSEC_A_PRIVATE_KEY, RFSEC_KEY_LEN - 1,
		     alice_private);
	EXPECT_REFUSED(ERANGE, nl_call(&self->nl, nlh, NULL, NULL));
	EXPECT_TRUE(self->nl.has_offs);
}

TEST_F(keys, long_key_refused)
{
	uint8_t key[RFSEC_KEY_LEN + 1] = { 1 };
	struct nlmsghdr *nlh;

	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	nlh = nl_req(&self->nl, RFSEC_CMD_SET_PEER, 0);
	put_addr(nlh, RFSEC_A_ADAPTER, &self->hci0);
	put_addr(nlh, RFSEC_A_PEER_ADDR, &remote1);
	mnl_attr_put(nlh, RFSEC_A_PEER_PUBLIC_KEY, sizeof(key), key);
	EXPECT_REFUSED(ERANGE, nl_call(&self->nl, nlh, NULL, NULL));
	EXPECT_TRUE(self->nl.has_offs);
}

TEST_F(keys, long_address_refused)
{
	uint8_t addr[RFSEC_ADDR_LEN + 1] = { 1, 2, 3, 4, 5, 6, 7 };
	struct nlmsghdr *nlh = nl_req(&self->nl, RFSEC_CMD_SET_IDENTITY, 0);

	mnl_attr_put(nlh, RFSEC_A_ADAPTER, sizeof(addr), addr);
	put_key(nlh, RFSEC_A_PRIVATE_KEY, alice_private);
	EXPECT_REFUSED(ERANGE, nl_call(&self->nl, nlh, NULL, NULL));
	EXPECT_TRUE(self->nl.has_offs);
}

TEST_F(keys, non_device_address_refused)
{
	static const bdaddr_t any = {{ 0 }};
	static const bdaddr_t all = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};

	EXPECT_REFUSED(EINVAL, set_identity(&self->nl, &any, alice_private));
	EXPECT_REFUSED(EINVAL, set_identity(&self->nl, &all, alice_private));
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	EXPECT_REFUSED(EINVAL, set_peer(&self->nl, &self->hci0, &any,
					bob_public, NULL, -1));
}

TEST_F(keys, bad_policy_refused)
{
	struct peers peers;

	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	EXPECT_REFUSED(ERANGE, set_peer(&self->nl, &self->hci0, &remote1,
					bob_public, NULL,
					RFSEC_POLICY_MAX + 1));
	EXPECT_TRUE(self->nl.has_offs);
	ASSERT_EQ(0, dump_peers(&self->nl, NULL, &peers));
	EXPECT_EQ(0, peers.n);
}

TEST_F(keys, missing_attributes_refused)
{
	uint8_t psk[RFSEC_KEY_LEN];
	struct nlmsghdr *nlh;

	fill_key(psk, 0x5a);
	nlh = nl_req(&self->nl, RFSEC_CMD_SET_IDENTITY, 0);
	put_key(nlh, RFSEC_A_PRIVATE_KEY, alice_private);
	EXPECT_REFUSED(EINVAL, nl_call(&self->nl, nlh, NULL, NULL));
	EXPECT_EQ(RFSEC_A_ADAPTER, self->nl.miss_type);

	nlh = nl_req(&self->nl, RFSEC_CMD_SET_IDENTITY, 0);
	put_addr(nlh, RFSEC_A_ADAPTER, &self->hci0);
	EXPECT_REFUSED(EINVAL, nl_call(&self->nl, nlh, NULL, NULL));
	EXPECT_EQ(RFSEC_A_PRIVATE_KEY, self->nl.miss_type);

	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	nlh = nl_req(&self->nl, RFSEC_CMD_SET_PEER, 0);
	put_addr(nlh, RFSEC_A_ADAPTER, &self->hci0);
	put_key(nlh, RFSEC_A_PEER_PUBLIC_KEY, bob_public);
	EXPECT_REFUSED(EINVAL, nl_call(&self->nl, nlh, NULL, NULL));
	EXPECT_EQ(RFSEC_A_PEER_ADDR, self->nl.miss_type);

	/* The policy that needs a key is the default one. */
	EXPECT_REFUSED(EINVAL, set_peer(&self->nl, &self->hci0, &remote1,
					NULL, NULL, -1));
	EXPECT_EQ(RFSEC_A_PEER_PUBLIC_KEY, self->nl.miss_type);
	EXPECT_REFUSED(EINVAL, set_peer(&self->nl, &self->hci0, &remote1,
					NULL, NULL, RFSEC_POLICY_REQUIRE));
	/* A PSK means nothing without the peer's key. */
	EXPECT_REFUSED(EINVAL, set_peer(&self->nl, &self->hci0, &remote1,
					NULL, psk,
					RFSEC_POLICY_ALLOW_PLAINTEXT));

	nlh = nl_req(&self->nl, RFSEC_CMD_DEL_PEER, 0);
	put_addr(nlh, RFSEC_A_ADAPTER, &self->hci0);
	EXPECT_REFUSED(EINVAL, nl_call(&self->nl, nlh, NULL, NULL));
	nlh = nl_req(&self->nl, RFSEC_CMD_GET_IDENTITY, 0);
	EXPECT_REFUSED(EINVAL, nl_call(&self->nl, nlh, NULL, NULL));
	EXPECT_EQ(RFSEC_A_ADAPTER, self->nl.miss_type);
}

TEST_F(keys, attribute_of_another_command_refused)
{
	struct nlmsghdr *nlh = nl_req(&self->nl, RFSEC_CMD_SET_IDENTITY, 0);

	/* The public key is derived, never accepted. */
	put_addr(nlh, RFSEC_A_ADAPTER, &self->hci0);
	put_key(nlh, RFSEC_A_PRIVATE_KEY, alice_private);
	put_key(nlh, RFSEC_A_PUBLIC_KEY, alice_public);
	EXPECT_REFUSED(EINVAL, nl_call(&self->nl, nlh, NULL, NULL));

	/* A dump selects by adapter, not by peer. */
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	nlh = nl_req(&self->nl, RFSEC_CMD_GET_PEER, NLM_F_DUMP);
	put_addr(nlh, RFSEC_A_PEER_ADDR, &remote1);
	EXPECT_REFUSED(EINVAL, nl_call(&self->nl, nlh, NULL, NULL));
}

TEST_F(keys, unknown_adapter_enoent)
{
	uint8_t key[RFSEC_KEY_LEN];
	struct identities ids;
	struct peers peers;

	fill_key(key, 0x99);
	EXPECT_REFUSED(ENOENT, set_peer(&self->nl, &self->hci0, &remote1,
					key, NULL, -1));
	EXPECT_REFUSED(ENOENT, del_peer(&self->nl, &self->hci0, &remote1));
	EXPECT_REFUSED(ENOENT, get_peer(&self->nl, &self->hci0, &remote1,
					&peers));
	EXPECT_REFUSED(ENOENT, get_identity(&self->nl, &self->hci0, &ids));
	EXPECT_REFUSED(ENOENT, del_identity(&self->nl, &self->hci0));
	EXPECT_REFUSED(ENOENT, dump_peers(&self->nl, &self->hci0, &peers));
	EXPECT_REFUSED(ENOENT, dump_identities(&self->nl, &self->hci0, &ids));

	/* Known adapter, unknown peer. */
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	EXPECT_REFUSED(ENOENT, get_peer(&self->nl, &self->hci0, &remote1,
					&peers));
	EXPECT_REFUSED(ENOENT, del_peer(&self->nl, &self->hci0, &remote1));
}

TEST_F(keys, event_commands_not_requests)
{
	struct nlmsghdr *nlh = nl_req(&self->nl, RFSEC_CMD_PEER_CHANGED, 0);

	EXPECT_EQ(-EOPNOTSUPP, nl_call(&self->nl, nlh, NULL, NULL));
	nlh = nl_req(&self->nl, RFSEC_CMD_HANDSHAKE_FAILED, 0);
	EXPECT_EQ(-EOPNOTSUPP, nl_call(&self->nl, nlh, NULL, NULL));
}

/*
 * In a child that has given up root (and so CAP_NET_ADMIN): every change is
 * refused with EPERM, and so is every read of who is trusted (identities,
 * peers, the events group), since addresses, keys and handshake times are
 * enough to track people. Returns a bit per failed check.
 */
static int unprivileged_child(const bdaddr_t *hci0)
{
	struct identities ids;
	struct peers peers;
	struct nl nl, ev;
	int bad = 0;

	if (setgroups(0, NULL) || setgid(NOBODY_UID) || setuid(NOBODY_UID))
		return 0xff;
	if (nl_open(&nl))
		return 0xfe;
	if (set_identity(&nl, hci0, bob_private) != -EPERM)
		bad |= 0x01;
	if (del_identity(&nl, hci0) != -EPERM)
		bad |= 0x02;
	if (set_peer(&nl, hci0, &remote2, bob_public, NULL, -1) != -EPERM)
		bad |= 0x04;
	if (del_peer(&nl, hci0, &remote1) != -EPERM)
		bad |= 0x08;
	if (get_identity(&nl, hci0, &ids) != -EPERM)
		bad |= 0x10;
	if (dump_peers(&nl, NULL, &peers) != -EPERM ||
	    dump_identities(&nl, NULL, &ids) != -EPERM)
		bad |= 0x20;
	if (events_open(&ev, &nl) != -EPERM)
		bad |= 0x40;
	mnl_socket_close(nl.sock);
	return bad;
}

TEST_F(keys, unprivileged_get_and_set_refused)
{
	struct identities ids;
	struct peers peers;
	int status;
	pid_t pid;

	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, bob_public,
			      NULL, -1));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(unprivileged_child(&self->hci0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("failed checks: 0x%x", WEXITSTATUS(status));
	}

	/* Nothing changed. */
	ASSERT_EQ(0, get_identity(&self->nl, &self->hci0, &ids));
	EXPECT_EQ(0, memcmp(alice_public, ids.e[0].public_key,
			    RFSEC_KEY_LEN));
	ASSERT_EQ(0, dump_peers(&self->nl, NULL, &peers));
	EXPECT_EQ(1, peers.n);
}

TEST_F(keys, identity_limit_enospc)
{
	struct identities ids;
	bdaddr_t a;

	for (unsigned int i = 0; i < MAX_IDENTITIES; i++) {
		a = fake_addr(i);
		ASSERT_EQ(0, set_identity(&self->nl, &a, alice_private));
	}
	a = fake_addr(MAX_IDENTITIES);
	EXPECT_REFUSED(ENOSPC, set_identity(&self->nl, &a, alice_private));
	/* A new key for an existing identity is no new identity. */
	a = fake_addr(0);
	EXPECT_EQ(0, set_identity(&self->nl, &a, bob_private));
	ASSERT_EQ(0, dump_identities(&self->nl, NULL, &ids));
	EXPECT_EQ(MAX_IDENTITIES, ids.n);
	/* Room again after a removal. */
	ASSERT_EQ(0, del_identity(&self->nl, &a));
	a = fake_addr(MAX_IDENTITIES);
	EXPECT_EQ(0, set_identity(&self->nl, &a, alice_private));
}

TEST_F(keys, peer_limit_enospc)
{
	uint8_t key[RFSEC_KEY_LEN];
	struct peers peers;
	bdaddr_t a;

	fill_key(key, 0x21);
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	for (unsigned int i = 0; i < MAX_PEERS; i++) {
		a = fake_addr(i);
		ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &a, key, NULL,
				      -1));
	}
	a = fake_addr(MAX_PEERS);
	EXPECT_REFUSED(ENOSPC, set_peer(&self->nl, &self->hci0, &a, key,
					NULL, -1));
	/* Replacing a peer still works when the list is full. */
	a = fake_addr(3);
	EXPECT_EQ(0, set_peer(&self->nl, &self->hci0, &a, key, NULL,
			      RFSEC_POLICY_ALLOW_PLAINTEXT));
	/* The limit is per adapter. */
	if (self->have_hci1) {
		ASSERT_EQ(0, set_identity(&self->nl, &self->hci1,
					  bob_private));
		EXPECT_EQ(0, set_peer(&self->nl, &self->hci1, &a, key, NULL,
				      -1));
	}
	ASSERT_EQ(0, dump_peers(&self->nl, &self->hci0, &peers));
	EXPECT_EQ(MAX_PEERS, peers.n);
}

/* A dump too big for one part resumes where it stopped: each peer once. */
TEST_F(keys, peer_dump_in_parts)
{
	uint8_t key[RFSEC_KEY_LEN];
	struct peers peers;
	struct nl small;
	bdaddr_t a;

	fill_key(key, 0x77);
	ASSERT_EQ(0, nl_open_size(&small, 4096));
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	for (unsigned int i = 0; i < MAX_PEERS; i++) {
		a = fake_addr(i);
		ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &a, key, NULL,
				      -1));
	}
	ASSERT_EQ(0, dump_peers(&small, NULL, &peers));
	/* libmnl fails a dump with EINTR on NLM_F_DUMP_INTR: none here. */
	EXPECT_LT(2U, small.recvs);
	ASSERT_EQ(MAX_PEERS, peers.n);
	for (int i = 0; i < peers.n; i++) {
		a = fake_addr(i);
		EXPECT_EQ(0, bacmp(&a, &peers.e[i].addr));
	}
	mnl_socket_close(small.sock);
}

/*
 * A change between two parts of a dump is flagged NLM_F_DUMP_INTR (which
 * libmnl turns into EINTR). The kernel makes the next part when the one
 * before is read, so reading one part, changing something, then reading on
 * gets a part made after the change.
 */
TEST_F(keys, dump_interrupted_by_change_is_flagged)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct peers peers = { 0 };
	uint8_t key[RFSEC_KEY_LEN];
	struct call_ctx ctx;
	struct nlmsghdr *nlh;
	struct nl small;
	int ret = MNL_CB_OK;
	int err = 0;
	bdaddr_t a;
	ssize_t n;

	fill_key(key, 0x66);
	ASSERT_EQ(0, nl_open_size(&small, 4096));
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	for (unsigned int i = 0; i < MAX_PEERS; i++) {
		a = fake_addr(i);
		ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &a, key, NULL,
				      -1));
	}

	ctx = (struct call_ctx){ &small, peer_cb, &peers };
	nlh = nl_req(&small, RFSEC_CMD_GET_PEER, NLM_F_DUMP);
	ASSERT_LE(0, mnl_socket_sendto(small.sock, nlh, nlh->nlmsg_len));
	for (int part = 0; ret > MNL_CB_STOP; part++) {
		n = mnl_socket_recvfrom(small.sock, small.buf, small.recv_size);
		ASSERT_LT(0, n);
		ret = mnl_cb_run2(small.buf, n, nlh->nlmsg_seq, small.portid,
				  data_cb, &ctx, ctl, NLMSG_MIN_TYPE);
		err = errno;
		if (part == 0) {
			ASSERT_EQ(MNL_CB_OK, ret);
			a = fake_addr(MAX_PEERS - 1);
			ASSERT_EQ(0, del_peer(&self->nl, &self->hci0, &a));
		}
	}
	EXPECT_EQ(MNL_CB_ERROR, ret);
	EXPECT_EQ(EINTR, err);
	mnl_socket_close(small.sock);
}

TEST_F(keys, events_for_identity_and_peer_changes)
{
	uint8_t psk[RFSEC_KEY_LEN];
	struct identity *id;
	struct event e;
	struct peer *p;
	struct nl ev;

	fill_key(psk, 0x3c);
	id = &e.id;
	p = &e.peer;
	ASSERT_NE(0U, self->nl.events_group);
	ASSERT_EQ(0, events_open(&ev, &self->nl));

	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	ASSERT_EQ(RFSEC_CMD_IDENTITY_CHANGED, next_event(&ev, &e, 0));
	EXPECT_EQ(RFSEC_CHANGE_ADDED, id->change);
	EXPECT_EQ(0, bacmp(&self->hci0, &id->adapter));
	EXPECT_EQ(0, memcmp(alice_public, id->public_key, RFSEC_KEY_LEN));

	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, bob_public,
			      psk, -1));
	ASSERT_EQ(RFSEC_CMD_PEER_CHANGED, next_event(&ev, &e, 0));
	EXPECT_EQ(RFSEC_CHANGE_ADDED, p->change);
	EXPECT_EQ(0, bacmp(&self->hci0, &p->adapter));
	EXPECT_EQ(0, bacmp(&remote1, &p->addr));
	EXPECT_EQ(0, memcmp(bob_public, p->public_key, RFSEC_KEY_LEN));
	EXPECT_EQ(1, p->has_psk);
	EXPECT_EQ(RFSEC_POLICY_REQUIRE, p->policy);

	/* The same configuration again is no change, and announces none. */
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, bob_public,
			      psk, -1));
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	EXPECT_EQ(-EAGAIN, next_event(&ev, &e, 300));

	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, bob_public,
			      NULL, RFSEC_POLICY_ALLOW_PLAINTEXT));
	ASSERT_EQ(RFSEC_CMD_PEER_CHANGED, next_event(&ev, &e, 2000));
	EXPECT_EQ(RFSEC_CHANGE_UPDATED, p->change);
	EXPECT_EQ(RFSEC_POLICY_ALLOW_PLAINTEXT, p->policy);
	EXPECT_EQ(0, p->has_psk);

	ASSERT_EQ(0, del_peer(&self->nl, &self->hci0, &remote1));
	ASSERT_EQ(RFSEC_CMD_PEER_CHANGED, next_event(&ev, &e, 0));
	EXPECT_EQ(RFSEC_CHANGE_REMOVED, p->change);
	EXPECT_EQ(0, bacmp(&remote1, &p->addr));

	/* Removing an identity announces its peers' removal first. */
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote2, bob_public,
			      NULL, -1));
	ASSERT_EQ(RFSEC_CMD_PEER_CHANGED, next_event(&ev, &e, 0));
	ASSERT_EQ(0, del_identity(&self->nl, &self->hci0));
	ASSERT_EQ(RFSEC_CMD_PEER_CHANGED, next_event(&ev, &e, 0));
	EXPECT_EQ(RFSEC_CHANGE_REMOVED, p->change);
	EXPECT_EQ(0, bacmp(&remote2, &p->addr));
	ASSERT_EQ(RFSEC_CMD_IDENTITY_CHANGED, next_event(&ev, &e, 0));
	EXPECT_EQ(RFSEC_CHANGE_REMOVED, id->change);
	EXPECT_EQ(0, bacmp(&self->hci0, &id->adapter));

	EXPECT_FALSE(received_contains(alice_private, RFSEC_KEY_LEN));
	EXPECT_FALSE(received_contains(psk, RFSEC_KEY_LEN));
	mnl_socket_close(ev.sock);
}

TEST_F(keys, module_unload_forgets_everything)
{
	struct identities ids;
	struct peers peers;

	if (!util_module_loaded("rfsec"))
		SKIP(return, "rfsec is not a loaded module");
	ASSERT_EQ(0, set_identity(&self->nl, &self->hci0, alice_private));
	ASSERT_EQ(0, set_peer(&self->nl, &self->hci0, &remote1, bob_public,
			      NULL, -1));

	ASSERT_EQ(0, util_run("rmmod rfsec"));
	EXPECT_FALSE(util_module_loaded("rfsec"));
	ASSERT_EQ(0, util_run("modprobe rfsec"));

	/* The family comes back, perhaps under another id, empty. */
	ASSERT_EQ(0, nl_resolve(&self->nl));
	ASSERT_EQ(0, dump_identities(&self->nl, NULL, &ids));
	EXPECT_EQ(0, ids.n);
	ASSERT_EQ(0, dump_peers(&self->nl, NULL, &peers));
	EXPECT_EQ(0, peers.n);
}

TEST_HARNESS_MAIN
