// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink fuzzer's oracle: from the bytes of one request, what the
 * kernel must answer and what the configuration must become. It follows
 * the rules uapi/rfsec.h documents, in the order the kernel applies them:
 * the netlink core (a message it cannot frame is dropped; one without
 * NLM_F_REQUEST is only acknowledged), the generic netlink core (header,
 * flags, command, CAP_NET_ADMIN, then strict validation of the attributes
 * against the command's policy, attribute by attribute, then trailing
 * bytes), then rfsec's handlers.
 */
#include <errno.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <openssl/evp.h>

#include "nlfuzz.h"

bool fz_x25519_public(uint8_t pub[RFSEC_KEY_LEN],
		      const uint8_t priv[RFSEC_KEY_LEN])
{
	size_t len = RFSEC_KEY_LEN;
	EVP_PKEY *k;
	bool ok;

	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
					 RFSEC_KEY_LEN);
	if (!k)
		return false;
	ok = EVP_PKEY_get_raw_public_key(k, pub, &len) == 1 &&
	     len == RFSEC_KEY_LEN;
	EVP_PKEY_free(k);
	return ok;
}

int fz_find_identity(const struct fz_model *m, const fz_addr *a)
{
	for (int i = 0; i < m->n; i++)
		if (!memcmp(&m->ids[i].adapter, a, sizeof(*a)))
			return i;
	return -1;
}

int fz_find_peer(const struct fz_identity *id, const fz_addr *a)
{
	for (int i = 0; i < id->n_peers; i++)
		if (!memcmp(&id->peers[i].addr, a, sizeof(*a)))
			return i;
	return -1;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static bool addr_valid(const fz_addr *a)
{
	static const fz_addr none = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};

	return !all_zero(a->b, sizeof(a->b)) && memcmp(a, &none, sizeof(*a));
}

/* What the command's policy says of an attribute type. */
enum fz_pol { POL_NONE, POL_ADDR, POL_KEY, POL_POLICY, POL_CIPHER };

static enum fz_pol policy_of(uint8_t cmd, int type)
{
	switch (cmd) {
	case RFSEC_CMD_SET_IDENTITY:
		if (type == RFSEC_A_PRIVATE_KEY)
			return POL_KEY;
		/* fall through */
	case RFSEC_CMD_DEL_IDENTITY:
	case RFSEC_CMD_GET_IDENTITY:
		return type == RFSEC_A_ADAPTER ? POL_ADDR : POL_NONE;
	case RFSEC_CMD_SET_PEER:
		switch (type) {
		case RFSEC_A_PEER_PUBLIC_KEY:
		case RFSEC_A_PEER_PSK:
			return POL_KEY;
		case RFSEC_A_PEER_POLICY:
			return POL_POLICY;
		case RFSEC_A_PEER_CIPHER:
			return POL_CIPHER;
		}
		/* fall through */
	case RFSEC_CMD_DEL_PEER:
	case RFSEC_CMD_GET_PEER:
		return type == RFSEC_A_ADAPTER || type == RFSEC_A_PEER_ADDR ?
			POL_ADDR : POL_NONE;
	}
	return POL_NONE;
}

struct fz_attrs {
	const uint8_t *data[RFSEC_A_MAX + 1];
	uint16_t len[RFSEC_A_MAX + 1];
};

/*
 * Strict validation as the kernel does it: each attribute in order (type
 * 0 or beyond the maximum, or unlisted: EINVAL; a u32 of the wrong size:
 * EINVAL; NLA_F_NESTED on a listed attribute: EINVAL; a binary attribute
 * of the wrong size or a number out of range: ERANGE), then bytes left
 * over that do not frame an attribute (EINVAL). The last of duplicates
 * wins.
 */
static int validate(uint8_t cmd, const uint8_t *p, int rem, struct fz_attrs *tb)
{
	memset(tb, 0, sizeof(*tb));
	while (rem >= NLA_HDRLEN) {
		struct nlattr nla;
		int type, alen;
		uint32_t v;

		memcpy(&nla, p, sizeof(nla));
		if (nla.nla_len < NLA_HDRLEN || nla.nla_len > rem)
			break;
		type = nla.nla_type & NLA_TYPE_MASK;
		alen = nla.nla_len - NLA_HDRLEN;
		/* GET_INFO's reject-all policy has a maximum of 1. */
		if (type == 0 || type > (cmd == RFSEC_CMD_GET_INFO ? 1 :
					 RFSEC_A_MAX))
			return EINVAL;
		switch (policy_of(cmd, type)) {
		case POL_NONE:
			return EINVAL;
		case POL_POLICY:
		case POL_CIPHER:
			if (alen != 4 || (nla.nla_type & NLA_F_NESTED))
				return EINVAL;
			memcpy(&v, p + NLA_HDRLEN, 4);
			if (policy_of(cmd, type) == POL_POLICY ?
			    v > RFSEC_POLICY_MAX :
			    v < 1 || v > RFSEC_CIPHER_MAX)
				return ERANGE;
			break;
		case POL_ADDR:
		case POL_KEY:
			if (nla.nla_type & NLA_F_NESTED)
				return EINVAL;
			if (alen != (policy_of(cmd, type) == POL_ADDR ?
				     RFSEC_ADDR_LEN : RFSEC_KEY_LEN))
				return ERANGE;
			break;
		}
		tb->data[type] = p + NLA_HDRLEN;
		tb->len[type] = alen;
		p += NLA_ALIGN(nla.nla_len);
		rem -= NLA_ALIGN(nla.nla_len);
	}
	return rem > 0 ? EINVAL : 0;
}

static void add_event(struct fz_outcome *out, uint8_t cmd, uint32_t change,
		      const fz_addr *adapter, const fz_addr *peer,
		      const uint8_t *pub)
{
	struct fz_event *e = &out->events[out->n_events++];

	memset(e, 0, sizeof(*e));
	e->cmd = cmd;
	e->change = change;
	e->adapter = *adapter;
	if (peer)
		e->peer = *peer;
	if (pub)
		memcpy(e->pub, pub, RFSEC_KEY_LEN);
}

/* RFSEC_A_ADAPTER, required and a device address: 0 or EINVAL. */
static int get_addr(const struct fz_attrs *tb, int type, fz_addr *a)
{
	if (!tb->data[type])
		return EINVAL;
	memcpy(a, tb->data[type], sizeof(*a));
	return addr_valid(a) ? 0 : EINVAL;
}

static int set_identity(struct fz_model *m, const struct fz_attrs *tb,
			struct fz_outcome *out)
{
	const uint8_t *priv = tb->data[RFSEC_A_PRIVATE_KEY];
	uint8_t pub[RFSEC_KEY_LEN];
	struct fz_identity *id;
	fz_addr adapter;
	int i;

	if (get_addr(tb, RFSEC_A_ADAPTER, &adapter))
		return EINVAL;
	if (!priv || all_zero(priv, RFSEC_KEY_LEN))
		return EINVAL;
	if (!fz_x25519_public(pub, priv) || all_zero(pub, RFSEC_KEY_LEN))
		return EINVAL;
	i = fz_find_identity(m, &adapter);
	if (i >= 0) {
		id = &m->ids[i];
		if (!memcmp(id->priv, priv, RFSEC_KEY_LEN))
			return 0;
		for (int j = 0; j < id->n_peers; j++)
			if (id->peers[j].has_pub &&
			    !memcmp(id->peers[j].pub, pub, RFSEC_KEY_LEN))
				return EINVAL;
		memcpy(id->priv, priv, RFSEC_KEY_LEN);
		memcpy(id->pub, pub, RFSEC_KEY_LEN);
		add_event(out, RFSEC_CMD_IDENTITY_CHANGED, RFSEC_CHANGE_UPDATED,
			  &adapter, NULL, pub);
	} else {
		if (m->n == FZ_MAX_IDENTITIES)
			return ENOSPC;
		id = &m->ids[m->n++];
		memset(id, 0, sizeof(*id));
		id->adapter = adapter;
		memcpy(id->priv, priv, RFSEC_KEY_LEN);
		memcpy(id->pub, pub, RFSEC_KEY_LEN);
		add_event(out, RFSEC_CMD_IDENTITY_CHANGED, RFSEC_CHANGE_ADDED,
			  &adapter, NULL, pub);
	}
	out->changed = true;
	return 0;
}

static int del_identity(struct fz_model *m, const struct fz_attrs *tb,
			struct fz_outcome *out)
{
	struct fz_identity *id;
	fz_addr adapter;
	int i;

	if (get_addr(tb, RFSEC_A_ADAPTER, &adapter))
		return EINVAL;
	i = fz_find_identity(m, &adapter);
	if (i < 0)
		return ENOENT;
	id = &m->ids[i];
	for (int j = 0; j < id->n_peers; j++)
		add_event(out, RFSEC_CMD_PEER_CHANGED, RFSEC_CHANGE_REMOVED,
			  &adapter, &id->peers[j].addr, NULL);
	add_event(out, RFSEC_CMD_IDENTITY_CHANGED, RFSEC_CHANGE_REMOVED,
		  &adapter, NULL, id->pub);
	memmove(id, id + 1, (m->n - i - 1) * sizeof(*id));
	m->n--;
	out->changed = true;
	return 0;
}

static int set_peer(struct fz_model *m, const struct fz_attrs *tb,
		    struct fz_outcome *out)
{
	struct fz_peer cfg = { .policy = RFSEC_POLICY_REQUIRE,
			       .cipher = RFSEC_CIPHER_CHACHA20_POLY1305 };
	struct fz_identity *id;
	fz_addr adapter;
	int i, j;

	if (get_addr(tb, RFSEC_A_ADAPTER, &adapter) ||
	    get_addr(tb, RFSEC_A_PEER_ADDR, &cfg.addr))
		return EINVAL;
	if (tb->data[RFSEC_A_PEER_POLICY])
		memcpy(&cfg.policy, tb->data[RFSEC_A_PEER_POLICY], 4);
	if (tb->data[RFSEC_A_PEER_CIPHER])
		memcpy(&cfg.cipher, tb->data[RFSEC_A_PEER_CIPHER], 4);
	if (tb->data[RFSEC_A_PEER_PUBLIC_KEY]) {
		cfg.has_pub = true;
		memcpy(cfg.pub, tb->data[RFSEC_A_PEER_PUBLIC_KEY],
		       RFSEC_KEY_LEN);
		if (all_zero(cfg.pub, RFSEC_KEY_LEN))
			return EINVAL;
	} else if (cfg.policy == RFSEC_POLICY_REQUIRE) {
		return EINVAL;
	}
	if (tb->data[RFSEC_A_PEER_PSK]) {
		if (!cfg.has_pub)
			return EINVAL;
		memcpy(cfg.psk, tb->data[RFSEC_A_PEER_PSK], RFSEC_KEY_LEN);
		cfg.has_psk = !all_zero(cfg.psk, RFSEC_KEY_LEN);
	}
	i = fz_find_identity(m, &adapter);
	if (i < 0)
		return ENOENT;
	id = &m->ids[i];
	if (cfg.has_pub && !memcmp(cfg.pub, id->pub, RFSEC_KEY_LEN))
		return EINVAL;
	j = fz_find_peer(id, &cfg.addr);
	if (j >= 0) {
		if (!memcmp(&id->peers[j], &cfg, sizeof(cfg)))
			return 0;
		id->peers[j] = cfg;
		add_event(out, RFSEC_CMD_PEER_CHANGED, RFSEC_CHANGE_UPDATED,
			  &adapter, &cfg.addr, NULL);
	} else {
		if (id->n_peers == FZ_MAX_PEERS)
			return ENOSPC;
		id->peers[id->n_peers++] = cfg;
		add_event(out, RFSEC_CMD_PEER_CHANGED, RFSEC_CHANGE_ADDED,
			  &adapter, &cfg.addr, NULL);
	}
	out->changed = true;
	return 0;
}

/* DEL_PEER (@del) or GET_PEER's doit. */
static int find_or_del_peer(struct fz_model *m, const struct fz_attrs *tb,
			    bool del, struct fz_outcome *out)
{
	struct fz_identity *id;
	fz_addr adapter, addr;
	int i, j;

	if (get_addr(tb, RFSEC_A_ADAPTER, &adapter) ||
	    get_addr(tb, RFSEC_A_PEER_ADDR, &addr))
		return EINVAL;
	i = fz_find_identity(m, &adapter);
	if (i < 0)
		return ENOENT;
	id = &m->ids[i];
	j = fz_find_peer(id, &addr);
	if (j < 0)
		return ENOENT;
	if (!del) {
		out->reply_identity = i;
		out->reply_peer = j;
		return 0;
	}
	add_event(out, RFSEC_CMD_PEER_CHANGED, RFSEC_CHANGE_REMOVED, &adapter,
		  &addr, NULL);
	memmove(&id->peers[j], &id->peers[j + 1],
		(id->n_peers - j - 1) * sizeof(id->peers[0]));
	id->n_peers--;
	out->changed = true;
	return 0;
}

/* rfsec's own checks at the start of a dump; refusals end in NLMSG_DONE. */
static int dump_begin(const struct fz_model *m, const struct fz_attrs *tb,
		      struct fz_outcome *out)
{
	fz_addr adapter;

	out->dump_identity = -1;
	if (tb->data[RFSEC_A_PEER_ADDR])
		return EINVAL;
	if (!tb->data[RFSEC_A_ADAPTER])
		return 0;
	if (get_addr(tb, RFSEC_A_ADAPTER, &adapter))
		return EINVAL;
	out->dump_identity = fz_find_identity(m, &adapter);
	return out->dump_identity < 0 ? ENOENT : 0;
}

static int handle(struct fz_model *m, uint8_t cmd, bool dump,
		  const struct fz_attrs *tb, struct fz_outcome *out)
{
	fz_addr adapter;
	int i;

	if (dump) {
		out->err_in_done = true;
		return dump_begin(m, tb, out);
	}
	switch (cmd) {
	case RFSEC_CMD_GET_INFO:
		out->reply_info = true;
		return 0;
	case RFSEC_CMD_SET_IDENTITY:
		return set_identity(m, tb, out);
	case RFSEC_CMD_DEL_IDENTITY:
		return del_identity(m, tb, out);
	case RFSEC_CMD_GET_IDENTITY:
		if (get_addr(tb, RFSEC_A_ADAPTER, &adapter))
			return EINVAL;
		i = fz_find_identity(m, &adapter);
		if (i < 0)
			return ENOENT;
		out->reply_identity = i;
		return 0;
	case RFSEC_CMD_SET_PEER:
		return set_peer(m, tb, out);
	case RFSEC_CMD_DEL_PEER:
		return find_or_del_peer(m, tb, true, out);
	case RFSEC_CMD_GET_PEER:
		return find_or_del_peer(m, tb, false, out);
	}
	return EOPNOTSUPP;
}

void fz_predict(struct fz_model *m, const uint8_t *buf, size_t len,
		bool admin, bool split_ops, struct fz_outcome *out)
{
	const size_t hdrs = NLMSG_HDRLEN + GENL_HDRLEN;
	struct genlmsghdr g;
	struct nlmsghdr nlh;
	struct fz_attrs tb;
	uint16_t flags;
	bool ack;

	memset(out, 0, sizeof(*out));
	out->reply_identity = out->reply_peer = out->dump_identity = -1;
	memcpy(&nlh, buf, sizeof(nlh));
	ack = nlh.nlmsg_flags & NLM_F_ACK;
	/* The netlink core drops what it cannot frame, without a word. */
	if (nlh.nlmsg_len < NLMSG_HDRLEN || nlh.nlmsg_len > len) {
		out->silent = true;
		return;
	}
	/* Only requests are handled; control types are only acknowledged. */
	if (!(nlh.nlmsg_flags & NLM_F_REQUEST) ||
	    nlh.nlmsg_type < NLMSG_MIN_TYPE) {
		out->silent = !ack;
		return;
	}
	if (nlh.nlmsg_len < hdrs) {
		out->err = EINVAL;
		return;
	}
	memcpy(&g, buf + NLMSG_HDRLEN, sizeof(g));
	flags = nlh.nlmsg_flags;
	out->dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;
	if (out->dump)
		flags &= ~NLM_F_DUMP;
	if (g.reserved || (flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))) {
		out->err = EINVAL;
		return;
	}
	if (g.cmd < RFSEC_CMD_GET_INFO || g.cmd > RFSEC_CMD_GET_PEER) {
		out->err = EOPNOTSUPP;
		return;
	}
	/*
	 * Since 6.2 the core looks a command up as a dump or as a request
	 * (split ops), so a dump of a command that has none is refused
	 * before the capability check; 6.1 checks the capability first.
	 */
	if (split_ops && out->dump && g.cmd != RFSEC_CMD_GET_IDENTITY &&
	    g.cmd != RFSEC_CMD_GET_PEER) {
		out->err = EOPNOTSUPP;
		return;
	}
	if (g.cmd != RFSEC_CMD_GET_INFO && !admin) {
		out->err = EPERM;
		return;
	}
	if (out->dump && g.cmd != RFSEC_CMD_GET_IDENTITY &&
	    g.cmd != RFSEC_CMD_GET_PEER) {
		out->err = EOPNOTSUPP;
		return;
	}
	out->err = validate(g.cmd, buf + hdrs, nlh.nlmsg_len - hdrs, &tb);
	if (out->err)
		return;
	out->err = handle(m, g.cmd, out->dump, &tb, out);
	/* A successful doit answers only if asked to (or with its reply). */
	if (!out->err && !out->dump && !ack && !out->reply_info &&
	    out->reply_identity < 0)
		out->silent = true;
}
