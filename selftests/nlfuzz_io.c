// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink fuzzer's side of the wire: every request goes out followed by
 * a fence (a message without NLM_F_REQUEST, which the kernel only
 * acknowledges), so that everything the kernel says about the request,
 * whatever it is, arrives before the fence's ACK and nothing is mistaken
 * for the next request's. Events arrive on the same socket (sequence 0)
 * and are compared, in order, with the ones the oracle expects. Every
 * datagram read is searched for the secrets before it is parsed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "nlfuzz_io.h"

/* More than any datagram the kernel builds (it caps dump parts at 32 KiB). */
#define FZ_RECV_SIZE	32768
#define WINDOW		8
#define SECRET_SLOTS	(1 << 16)

static uint64_t secret_set[SECRET_SLOTS];

static uint64_t window_at(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

static unsigned int slot_of(uint64_t w)
{
	return (w * 0x9e3779b97f4a7c15ULL) >> 48;
}

static bool secret_window(uint64_t w)
{
	for (unsigned int s = slot_of(w); secret_set[s];
	     s = (s + 1) % SECRET_SLOTS)
		if (secret_set[s] == w)
			return true;
	return false;
}

void secrets_add(const uint8_t key[RFSEC_KEY_LEN])
{
	for (int i = 0; i + WINDOW <= RFSEC_KEY_LEN; i++) {
		uint64_t w = window_at(key + i);
		unsigned int s = slot_of(w);

		if (!w || secret_window(w))
			continue;
		while (secret_set[s])
			s = (s + 1) % SECRET_SLOTS;
		secret_set[s] = w;
	}
}

static bool holds_secret(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + WINDOW <= len; i++)
		if (secret_window(window_at(p + i)))
			return true;
	return false;
}

void secrets_scrub_request(uint8_t *buf, size_t len, uint64_t (*rnd)(void))
{
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;

	while (off + NLA_HDRLEN <= len) {
		struct nlattr nla;

		memcpy(&nla, buf + off, sizeof(nla));
		if (nla.nla_len < NLA_HDRLEN || off + nla.nla_len > len)
			break;
		if ((nla.nla_type & NLA_TYPE_MASK) != RFSEC_A_PRIVATE_KEY &&
		    (nla.nla_type & NLA_TYPE_MASK) != RFSEC_A_PEER_PSK &&
		    holds_secret(buf + off + NLA_HDRLEN, nla.nla_len - NLA_HDRLEN))
			for (size_t i = NLA_HDRLEN; i < nla.nla_len; i++)
				buf[off + i] = rnd();
		off += NLA_ALIGN(nla.nla_len);
	}
}

/* Reads one datagram, searched for secrets; its length, or -1. */
static ssize_t io_recv(struct fz_io *io, uint8_t *buf, size_t size)
{
	struct iovec iov = { buf, size };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	n = recvmsg(mnl_socket_get_fd(io->sock), &msg, 0);
	if (n < 0) {
		printf("# reading from the kernel: %s\n", strerror(errno));
		return -1;
	}
	if (msg.msg_flags & MSG_TRUNC) {
		printf("# a datagram of the kernel was longer than %zu bytes\n",
		       size);
		return -1;
	}
	io->bytes += n;
	if (holds_secret(buf, n)) {
		printf("# LEAK: a datagram from the kernel holds 8 bytes of a private or pre-shared key\n");
		io->leaks = true;
	}
	return n;
}

static int family_cb(const struct nlattr *attr, void *data)
{
	struct fz_io *io = data;
	const struct nlattr *grp, *a;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
		io->family = mnl_attr_get_u16(attr);
	if (mnl_attr_get_type(attr) != CTRL_ATTR_MCAST_GROUPS)
		return MNL_CB_OK;
	mnl_attr_for_each_nested(grp, attr) {
		uint32_t id = 0;
		bool events = false;

		mnl_attr_for_each_nested(a, grp) {
			if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID)
				id = mnl_attr_get_u32(a);
			if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME)
				events = !strcmp(mnl_attr_get_str(a),
						 RFSEC_GENL_MCGRP_EVENTS);
		}
		if (events)
			io->events_group = id;
	}
	return MNL_CB_OK;
}

static int family_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, GENL_HDRLEN, family_cb, data);
}

bool io_open(struct fz_io *io)
{
	struct timeval tv = { .tv_sec = 20 };
	/*
	 * The kernel sizes a dump's parts after the largest read a socket has
	 * made: this one stays small, so that the dumper's come in many.
	 */
	uint8_t buf[4096];
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int one = 1, fd;
	ssize_t n;

	memset(io, 0, sizeof(*io));
	io->seq = 1;
	io->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!io->sock || mnl_socket_bind(io->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		return false;
	fd = mnl_socket_get_fd(io->sock);
	/* Errors never echo the request: every byte read is the kernel's. */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return false;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = io->seq++;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, RFSEC_GENL_NAME);
	if (mnl_socket_sendto(io->sock, nlh, nlh->nlmsg_len) < 0)
		return false;
	n = mnl_socket_recvfrom(io->sock, buf, sizeof(buf));
	if (n <= 0 || mnl_cb_run(buf, n, nlh->nlmsg_seq, 0, family_msg_cb,
				 io) < 0 || !io->family) {
		printf("# the rfsec generic netlink family does not resolve\n");
		return false;
	}
	return true;
}

int io_join_events(struct fz_io *io)
{
	int group = io->events_group;

	if (setsockopt(mnl_socket_get_fd(io->sock), SOL_NETLINK,
		       NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)))
		return -errno;
	return 0;
}

uint32_t io_next_seq(struct fz_io *io)
{
	/* Never 0: events carry sequence 0. */
	if (++io->seq == 0)
		io->seq = 1;
	return io->seq;
}

int fz_model_peers(const struct fz_model *m)
{
	int n = 0;

	for (int i = 0; i < m->n; i++)
		n += m->ids[i].n_peers;
	return n;
}

/* What one message of the kernel (reply, dump part or event) holds. */
struct fz_entry {
	uint8_t cmd;
	uint32_t seen;		/* bit per attribute type */
	bool bad, stats_zero;
	fz_addr adapter, peer;
	uint8_t pub[RFSEC_KEY_LEN], peer_pub[RFSEC_KEY_LEN];
	uint8_t has_psk;
	uint32_t policy, cipher, change, proto;
};

#define BIT(t)	(1u << (t))

static bool stats_zero(const struct nlattr *nest)
{
	const struct nlattr *a, *f;

	mnl_attr_for_each_nested(a, nest) {
		int t = mnl_attr_get_type(a);

		if (t == RFSEC_A_STATS_PAD) {
			if (mnl_attr_get_payload_len(a))
				return false;
		} else if (t == RFSEC_A_STATS_HANDSHAKE_FAILURES) {
			mnl_attr_for_each_nested(f, a)
				if (mnl_attr_get_type(f) &&
				    (mnl_attr_get_payload_len(f) != 8 ||
				     mnl_attr_get_u64(f)))
					return false;
		} else if (t == RFSEC_A_STATS_CONNECTIONS) {
			if (mnl_attr_get_payload_len(a) != 4 ||
			    mnl_attr_get_u32(a))
				return false;
		} else if (t > RFSEC_A_STATS_MAX ||
			   mnl_attr_get_payload_len(a) != 8 ||
			   mnl_attr_get_u64(a)) {
			return false;
		}
	}
	return true;
}

static void parse_entry(const struct nlmsghdr *nlh, struct fz_entry *e)
{
	static const int lens[RFSEC_A_MAX + 1] = {
		[RFSEC_A_PROTO] = 4, [RFSEC_A_SOCKETS] = 4,
		[RFSEC_A_ADAPTER] = RFSEC_ADDR_LEN,
		[RFSEC_A_PUBLIC_KEY] = RFSEC_KEY_LEN,
		[RFSEC_A_PEER_ADDR] = RFSEC_ADDR_LEN,
		[RFSEC_A_PEER_PUBLIC_KEY] = RFSEC_KEY_LEN,
		[RFSEC_A_PEER_HAS_PSK] = 1, [RFSEC_A_PEER_POLICY] = 4,
		[RFSEC_A_CHANGE] = 4, [RFSEC_A_HS_FAILURE] = 4,
		[RFSEC_A_PEER_CIPHER] = 4,
	};
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	memset(e, 0, sizeof(*e));
	e->cmd = g->cmd;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		int t = mnl_attr_get_type(a);
		const void *p = mnl_attr_get_payload(a);

		/* Write-only attributes never come back, in any form. */
		if (t == 0 || t > RFSEC_A_MAX || t == RFSEC_A_PRIVATE_KEY ||
		    t == RFSEC_A_PEER_PSK || (e->seen & BIT(t)) ||
		    (lens[t] && mnl_attr_get_payload_len(a) != lens[t])) {
			e->bad = true;
			continue;
		}
		e->seen |= BIT(t);
		switch (t) {
		case RFSEC_A_ADAPTER:
			memcpy(&e->adapter, p, RFSEC_ADDR_LEN);
			break;
		case RFSEC_A_PEER_ADDR:
			memcpy(&e->peer, p, RFSEC_ADDR_LEN);
			break;
		case RFSEC_A_PUBLIC_KEY:
			memcpy(e->pub, p, RFSEC_KEY_LEN);
			break;
		case RFSEC_A_PEER_PUBLIC_KEY:
			memcpy(e->peer_pub, p, RFSEC_KEY_LEN);
			break;
		case RFSEC_A_PEER_HAS_PSK:
			e->has_psk = *(const uint8_t *)p;
			break;
		case RFSEC_A_PEER_POLICY:
			memcpy(&e->policy, p, 4);
			break;
		case RFSEC_A_PEER_CIPHER:
			memcpy(&e->cipher, p, 4);
			break;
		case RFSEC_A_CHANGE:
			memcpy(&e->change, p, 4);
			break;
		case RFSEC_A_PROTO:
			memcpy(&e->proto, p, 4);
			break;
		case RFSEC_A_PEER_STATS:
			e->stats_zero = stats_zero(a);
			break;
		}
	}
}

static bool identity_matches(const struct fz_entry *e,
			     const struct fz_identity *id, uint32_t extra)
{
	return !e->bad &&
	       e->seen == (BIT(RFSEC_A_ADAPTER) | BIT(RFSEC_A_PUBLIC_KEY) | extra) &&
	       !memcmp(&e->adapter, &id->adapter, sizeof(e->adapter)) &&
	       !memcmp(e->pub, id->pub, RFSEC_KEY_LEN);
}

/* A reply or dump part: with statistics, all zero (the fuzzer connects nothing). */
static bool peer_matches(const struct fz_entry *e,
			 const struct fz_identity *id, const struct fz_peer *p)
{
	uint32_t want = BIT(RFSEC_A_ADAPTER) | BIT(RFSEC_A_PEER_ADDR) |
		BIT(RFSEC_A_PEER_HAS_PSK) | BIT(RFSEC_A_PEER_POLICY) |
		BIT(RFSEC_A_PEER_CIPHER) | BIT(RFSEC_A_PEER_STATS);

	if (p->has_pub)
		want |= BIT(RFSEC_A_PEER_PUBLIC_KEY);
	return !e->bad && e->seen == want && e->stats_zero &&
	       !memcmp(&e->adapter, &id->adapter, sizeof(e->adapter)) &&
	       !memcmp(&e->peer, &p->addr, sizeof(e->peer)) &&
	       (!p->has_pub || !memcmp(e->peer_pub, p->pub, RFSEC_KEY_LEN)) &&
	       e->has_psk == p->has_psk && e->policy == p->policy &&
	       e->cipher == p->cipher;
}

static bool event_matches(const struct fz_entry *e, const struct fz_event *x)
{
	if (e->bad || e->cmd != x->cmd || e->change != x->change ||
	    memcmp(&e->adapter, &x->adapter, sizeof(e->adapter)) ||
	    (e->seen & BIT(RFSEC_A_PEER_STATS)))
		return false;
	if (x->cmd == RFSEC_CMD_IDENTITY_CHANGED)
		return !memcmp(e->pub, x->pub, RFSEC_KEY_LEN);
	return !memcmp(&e->peer, &x->peer, sizeof(e->peer));
}

/* A dump's messages against the model, in the kernel's list order. */
static bool dump_matches(const struct fz_entry *es, int n, uint8_t cmd,
			 const struct fz_model *m, int only)
{
	int k = 0;

	for (int i = 0; i < m->n; i++) {
		const struct fz_identity *id = &m->ids[i];

		if (only >= 0 && i != only)
			continue;
		if (cmd == RFSEC_CMD_GET_IDENTITY) {
			if (k >= n || es[k].cmd != cmd ||
			    !identity_matches(&es[k], id, 0))
				return false;
			k++;
			continue;
		}
		for (int j = 0; j < id->n_peers; j++, k++)
			if (k >= n || es[k].cmd != cmd ||
			    !peer_matches(&es[k], id, &id->peers[j]))
				return false;
	}
	return k == n;
}

/* Everything the kernel said about one request. */
struct fz_answer {
	int n_errors, error;	/* NLMSG_ERROR: count, last errno (0: ACK) */
	bool done, ack_after_done, intr;
	int done_err;
	int n_events;
	bool events_ok;
	int n_entries;
	/* Last: a new answer clears only what comes before. */
	struct fz_entry entries[FZ_MAX_IDENTITIES * FZ_MAX_PEERS + 4];
};

/* The exchanges' answer, and the interrupted dump's, read across them. */
static struct fz_answer answer, dumped;

static void hexdump(const char *what, const uint8_t *buf, size_t len)
{
	printf("# %s (%zu bytes):", what, len);
	for (size_t i = 0; i < len; i++)
		printf("%s%02x", i % 32 ? "" : "\n#   ", buf[i]);
	putchar('\n');
}

/* One datagram's messages into @answer; false on a message out of place. */
static bool take(struct fz_io *io, struct fz_answer *ans, const uint8_t *buf,
		 size_t n, uint32_t seq, uint32_t fence,
		 const struct fz_outcome *out, bool *fenced)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int len = n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		int err = 0;

		if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
				return false;
			memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		}
		if (fence && nlh->nlmsg_seq == fence) {
			if (nlh->nlmsg_type != NLMSG_ERROR || err)
				return false;
			*fenced = true;
		} else if (nlh->nlmsg_seq == 0 && nlh->nlmsg_pid == 0 &&
			   nlh->nlmsg_type == io->family) {
			struct fz_entry e;

			parse_entry(nlh, &e);
			io->events++;
			if (!out || ans->n_events >= out->n_events ||
			    !event_matches(&e, &out->events[ans->n_events]))
				ans->events_ok = false;
			ans->n_events++;
		} else if (nlh->nlmsg_seq != seq) {
			return false;
		} else if (nlh->nlmsg_type == NLMSG_ERROR) {
			if (ans->done && !err)
				ans->ack_after_done = true;
			else
				ans->n_errors++;
			ans->error = -err;
		} else if (nlh->nlmsg_type == NLMSG_DONE) {
			ans->done = true;
			ans->done_err = -err;
			ans->intr |= nlh->nlmsg_flags & NLM_F_DUMP_INTR;
		} else if (nlh->nlmsg_type == io->family &&
			   ans->n_entries < (int)(sizeof(ans->entries) /
						    sizeof(ans->entries[0]))) {
			parse_entry(nlh, &ans->entries[ans->n_entries++]);
			ans->intr |= nlh->nlmsg_flags & NLM_F_DUMP_INTR;
		} else {
			return false;
		}
	}
	return true;
}

static bool reply_matches(const struct fz_model *m,
			  const struct fz_outcome *out, uint8_t cmd)
{
	const struct fz_entry *e = &answer.entries[0];

	if (out->reply_info)
		return answer.n_entries == 1 && !e->bad &&
		       e->cmd == RFSEC_CMD_GET_INFO &&
		       e->proto == BTPROTO_RFSEC &&
		       (e->seen & BIT(RFSEC_A_VERSION));
	if (out->reply_peer >= 0)
		return answer.n_entries == 1 && e->cmd == cmd &&
		       peer_matches(e, &m->ids[out->reply_identity],
				    &m->ids[out->reply_identity].peers[out->reply_peer]);
	if (out->reply_identity >= 0)
		return answer.n_entries == 1 && e->cmd == cmd &&
		       identity_matches(e, &m->ids[out->reply_identity], 0);
	return answer.n_entries == 0;
}

/* The answer against the outcome; a reason, or NULL when it matches. */
static const char *judge(const struct fz_model *m,
			 const struct fz_outcome *out, uint8_t cmd, bool ack)
{
	if (!answer.events_ok || answer.n_events != out->n_events)
		return "events differ from the model's";
	if (out->silent)
		return answer.n_errors || answer.done || answer.n_entries ?
			"an answer to a request the kernel should drop or answer silently" :
			NULL;
	if (out->err && !out->err_in_done)
		return answer.n_errors == 1 && answer.error == out->err &&
		       !answer.done && !answer.n_entries ? NULL :
			"not the refusal predicted";
	if (!out->dump) {
		if (answer.done || answer.n_errors != (ack ? 1 : 0) ||
		    answer.error)
			return "not the acknowledgement predicted";
		return reply_matches(m, out, cmd) ? NULL :
			"the reply differs from the model";
	}
	if (answer.n_errors || !answer.done || answer.done_err != out->err)
		return "the dump did not end as predicted";
	if (out->err)
		return answer.n_entries ? "a refused dump sent messages" : NULL;
	if (answer.intr)
		return "a dump nothing changed under was marked NLM_F_DUMP_INTR";
	return dump_matches(answer.entries, answer.n_entries, cmd, m,
			    out->dump_identity) ? NULL :
		"the dump differs from the model";
}

bool io_exchange(struct fz_io *io, const uint8_t *buf, size_t len,
		 const struct fz_model *m, const struct fz_outcome *out)
{
	static uint8_t rbuf[FZ_RECV_SIZE];
	const struct nlmsghdr *req = (const struct nlmsghdr *)buf;
	const struct genlmsghdr *g = (const void *)(buf + NLMSG_HDRLEN);
	struct nlmsghdr fence = { .nlmsg_len = NLMSG_HDRLEN,
				  .nlmsg_type = io->family,
				  .nlmsg_flags = NLM_F_ACK };
	const char *why;
	bool fenced = false;

	fence.nlmsg_seq = io_next_seq(io);
	memset(&answer, 0, offsetof(struct fz_answer, entries));
	answer.events_ok = true;
	if (mnl_socket_sendto(io->sock, buf, len) < 0 ||
	    mnl_socket_sendto(io->sock, &fence, fence.nlmsg_len) < 0) {
		printf("# sending: %s\n", strerror(errno));
		return false;
	}
	/*
	 * A dump's later parts are built as they are read, so its end comes
	 * after the fence's ACK.
	 */
	while (!fenced || (out->dump && !answer.done && !answer.n_errors)) {
		ssize_t n = io_recv(io, rbuf, sizeof(rbuf));

		if (n < 0 || !take(io, &answer, rbuf, n, req->nlmsg_seq,
				   fence.nlmsg_seq, out, &fenced)) {
			why = "an answer out of place, or none in 20 s";
			goto mismatch;
		}
	}
	why = judge(m, out, g->cmd, req->nlmsg_flags & NLM_F_ACK);
	if (!why)
		return true;
mismatch:
	printf("# MISMATCH: %s\n", why);
	printf("# predicted: %s errno %d%s, %d events; got: %d errors (last %d), done %d (errno %d), %d messages, %d events\n",
	       out->silent ? "silence" : out->dump ? "dump" : "answer",
	       out->err, out->err_in_done ? " in NLMSG_DONE" : "",
	       out->n_events, answer.n_errors, answer.error, answer.done,
	       answer.done_err, answer.n_entries, answer.n_events);
	hexdump("request", buf, len);
	return false;
}

bool io_dump_start(struct fz_io *io, uint8_t cmd)
{
	uint8_t buf[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = io->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = io->dump_seq = io_next_seq(io);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = RFSEC_GENL_VERSION;
	memset(&dumped, 0, offsetof(struct fz_answer, entries));
	return mnl_socket_sendto(io->sock, nlh, nlh->nlmsg_len) >= 0;
}

bool io_dump_parts(struct fz_io *io, int parts, bool *done, bool *intr)
{
	/* Small reads make the kernel cut the dump into small parts. */
	static uint8_t rbuf[4096];
	bool unused;

	dumped.intr = false;
	while (parts-- != 0 && !dumped.done) {
		ssize_t n = io_recv(io, rbuf, sizeof(rbuf));

		/* Its messages are parsed (and checked for secrets) and dropped. */
		dumped.n_entries = 0;
		if (n < 0 || !take(io, &dumped, rbuf, n, io->dump_seq, 0, NULL,
				   &unused) ||
		    dumped.n_errors || dumped.done_err) {
			printf("# MISMATCH: a dump of every peer failed\n");
			return false;
		}
	}
	if (done)
		*done = dumped.done;
	if (intr)
		*intr = dumped.intr;
	return true;
}

/* A request the fuzzer builds itself, predicted and checked like any other. */
static bool plain_request(struct fz_io *io, struct fz_model *m, uint8_t cmd,
			  uint16_t flags, const fz_addr *adapter)
{
	uint8_t buf[128];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fz_outcome out;
	struct genlmsghdr *g;

	nlh->nlmsg_type = io->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = io_next_seq(io);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = RFSEC_GENL_VERSION;
	if (adapter)
		mnl_attr_put(nlh, RFSEC_A_ADAPTER, RFSEC_ADDR_LEN, adapter);
	fz_predict(m, buf, nlh->nlmsg_len, true, true, &out);
	return io_exchange(io, buf, nlh->nlmsg_len, m, &out);
}

bool io_dump_equals(struct fz_io *io, struct fz_model *m)
{
	return plain_request(io, m, RFSEC_CMD_GET_IDENTITY, NLM_F_DUMP, NULL) &&
	       plain_request(io, m, RFSEC_CMD_GET_PEER, NLM_F_DUMP, NULL);
}

bool io_clear(struct fz_io *io, struct fz_model *m)
{
	while (m->n) {
		fz_addr a = m->ids[0].adapter;

		if (!plain_request(io, m, RFSEC_CMD_DEL_IDENTITY, 0, &a))
			return false;
	}
	return true;
}

bool io_no_events(struct fz_io *io)
{
	static uint8_t rbuf[FZ_RECV_SIZE];
	ssize_t n;

	n = recv(mnl_socket_get_fd(io->sock), rbuf, sizeof(rbuf), MSG_DONTWAIT);
	if (n > 0) {
		io->bytes += n;
		io->leaks |= holds_secret(rbuf, n);
		printf("# MISMATCH: %zd bytes arrived while nothing should have changed\n",
		       n);
		return false;
	}
	return errno == EAGAIN || errno == EWOULDBLOCK;
}
