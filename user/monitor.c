// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec monitor: prints the module's events as they come, one line each
 * with a timestamp, as text or JSON (one object per line). It follows the
 * module through unloading and loading, and stops cleanly on SIGINT or
 * SIGTERM.
 */

#define _GNU_SOURCE

#include "config.h"
#include "encoding.h"
#include "json.h"
#include "kconf.h"
#include "subcommands.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#define MONITOR_USAGE "Usage: rfsec monitor [-j|--json]\n"
#define MONITOR_BUF_SIZE 32768

struct monitor {
	struct mnl_socket *nl;
	unsigned int seq;
	uint16_t family_id;	/* 0 while the module is not loaded */
	uint32_t events_grp;
	uint32_t ctrl_grp;	/* nlctrl's "notify": families come and go */
	bool json;
	/* While parsing a CTRL_CMD_GETFAMILY reply or notification. */
	const char *want_grp;
	uint16_t got_id;
	uint32_t got_grp;
	char got_name[GENL_NAMSIZ];
	char buf[MONITOR_BUF_SIZE];	/* events */
	char rbuf[MONITOR_BUF_SIZE];	/* lookups, even during an event */
};

static int monitor_help(FILE *out, int ret)
{
	fprintf(out, MONITOR_USAGE "\n"
		"Prints each event of the rfsec module as it happens, one line each,\n"
		"starting with the local time (ISO 8601, milliseconds): identities and\n"
		"peers added, updated or removed, handshakes done (with the cipher) and\n"
		"failed (with the reason), events lost, and the module being unloaded\n"
		"or loaded. Each line is flushed, so the output can be piped. Stops on\n"
		"SIGINT (Ctrl-C) or SIGTERM. Anyone may monitor; no event carries a\n"
		"secret.\n\n"
		"  -j, --json  one JSON object per line; the fields are listed in rfsec(8)\n\n"
		"Exit status: 0 when stopped by a signal, 1 if the command failed, 2 for\n"
		"a wrong command line.\n");
	return ret;
}

/* Group and family attributes of nlctrl's replies and notifications. */
static int monitor_grp_cb(const struct nlattr *attr, void *data)
{
	struct monitor *m = data;
	const struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			id = mnl_attr_get_u32(a);
	}
	if (name && !strcmp(name, m->want_grp))
		m->got_grp = id;
	return MNL_CB_OK;
}

static int monitor_family_attr_cb(const struct nlattr *attr, void *data)
{
	struct monitor *m = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			m->got_id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_FAMILY_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(m->got_name, sizeof(m->got_name), "%s",
				 mnl_attr_get_str(attr));
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, monitor_grp_cb, m);
		break;
	}
	return MNL_CB_OK;
}

static void monitor_parse_family(struct monitor *m,
				 const struct nlmsghdr *nlh,
				 const char *want_grp)
{
	m->want_grp = want_grp;
	m->got_id = 0;
	m->got_grp = 0;
	m->got_name[0] = '\0';
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), monitor_family_attr_cb,
		       m);
}

static int monitor_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;

	/* Events may come in between: only our reply counts. */
	if (nlh->nlmsg_type == GENL_ID_CTRL && nlh->nlmsg_seq == m->seq)
		monitor_parse_family(m, nlh, m->want_grp);
	return MNL_CB_OK;
}

/*
 * Looks up @family and its group @grp. Returns 0 with m->got_id and
 * m->got_grp set, or a positive errno (ENOENT: no such family).
 */
static int monitor_resolve(struct monitor *m, const char *family,
			   const char *grp)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m->rbuf);
	struct genlmsghdr *genlh;
	unsigned int portid = mnl_socket_get_portid(m->nl);
	ssize_t len;
	int ret;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++m->seq;
	genlh = mnl_nlmsg_put_extra_header(nlh, sizeof(*genlh));
	genlh->cmd = CTRL_CMD_GETFAMILY;
	genlh->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	m->want_grp = grp;
	m->got_id = 0;
	m->got_grp = 0;
	if (mnl_socket_sendto(m->nl, nlh, nlh->nlmsg_len) < 0)
		return errno;
	do {
		len = mnl_socket_recvfrom(m->nl, m->rbuf, sizeof(m->rbuf));
		if (len < 0)
			return errno;
		errno = 0;
		ret = mnl_cb_run(m->rbuf, len, m->seq, portid,
				 monitor_family_cb, m);
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		return errno ? errno : EPROTO;
	if (!m->got_id || !m->got_grp)
		return EPROTO;
	return 0;
}

static int monitor_join(struct monitor *m, uint32_t grp)
{
	return mnl_socket_setsockopt(m->nl, NETLINK_ADD_MEMBERSHIP, &grp,
				     sizeof(grp));
}

/* The local time, e.g. 2026-11-25T17:30:01.123+01:00. */
static void monitor_time(char out[40])
{
	struct timespec ts;
	struct tm tm;
	char zone[8];
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);	/* +0100 */
	snprintf(out + n, 40 - n, ".%03ld%.3s:%.2s", ts.tv_nsec / 1000000,
		 zone, zone + 3);
}

static void monitor_addr_str(char out[18], const uint8_t addr[RFSEC_ADDR_LEN])
{
	snprintf(out, 18, "%02X:%02X:%02X:%02X:%02X:%02X", addr[5], addr[4],
		 addr[3], addr[2], addr[1], addr[0]);
}

/* Starts an event's line: the time, and in JSON the "event" member. */
static void monitor_begin(struct monitor *m, struct json *j,
			  const char *event)
{
	char now[40];

	monitor_time(now);
	if (m->json) {
		json_init(j, stdout, false);
		json_begin_object(j, NULL);
		json_string(j, "time", now);
		json_string(j, "event", event);
	} else {
		printf("%s %s", now, event);
	}
}

static void monitor_end(struct monitor *m, struct json *j)
{
	if (m->json) {
		json_end_object(j);
		json_finish(j);
	} else {
		putchar('\n');
	}
}

static void monitor_str(struct monitor *m, struct json *j, const char *key,
			const char *text_key, const char *value)
{
	if (m->json)
		json_string(j, key, value);
	else if (text_key)
		printf(" %s %s", text_key, value);
	else
		printf(" %s", value);
}

static void monitor_key(struct monitor *m, struct json *j, const char *key,
			bool has, const uint8_t k[RFSEC_KEY_LEN])
{
	char b64[RFSEC_KEY_BASE64_LEN + 1] = "(none)";

	if (has)
		key_to_base64(b64, k);
	if (m->json && !has)
		json_null(j, key);
	else
		monitor_str(m, j, key, "public-key", b64);
}

static const char *monitor_change(uint32_t change, char buf[24])
{
	const char *name = kconf_change_name(change);

	if (name)
		return name;
	snprintf(buf, 24, "change-%" PRIu32, change);
	return buf;
}

static void monitor_identity(struct monitor *m, const struct nlmsghdr *nlh,
			     uint32_t change)
{
	struct kconf_identity id;
	char addr[18], buf[24];
	struct json j;

	if (kconf_parse_identity(nlh, &id))
		return;
	monitor_addr_str(addr, id.adapter);
	monitor_begin(m, &j, "identity");
	monitor_str(m, &j, "change", NULL, monitor_change(change, buf));
	monitor_str(m, &j, "adapter", NULL, addr);
	monitor_key(m, &j, "public_key", true, id.public_key);
	monitor_end(m, &j);
}

static void monitor_peer(struct monitor *m, const struct nlmsghdr *nlh,
			 uint32_t change)
{
	char adapter[18], addr[18], buf[24];
	const char *name;
	struct kconf_peer p;
	struct json j;

	if (kconf_parse_peer(nlh, &p))
		return;
	monitor_addr_str(adapter, p.adapter);
	monitor_addr_str(addr, p.addr);
	monitor_begin(m, &j, "peer");
	monitor_str(m, &j, "change", NULL, monitor_change(change, buf));
	monitor_str(m, &j, "adapter", NULL, adapter);
	monitor_str(m, &j, "peer", NULL, addr);
	monitor_key(m, &j, "public_key", p.has_public_key, p.public_key);
	if (m->json)
		json_bool(&j, "preshared_key", p.has_psk);
	else
		printf(" psk %s", p.has_psk ? "yes" : "no");
	name = kconf_policy_name(p.policy);
	monitor_str(m, &j, "policy", "policy", name ? name : "unknown");
	if (p.has_cipher) {
		name = kconf_cipher_name(p.cipher);
		monitor_str(m, &j, "cipher", "cipher", name ? name : "unknown");
	} else if (m->json) {
		json_null(&j, "cipher");
	}
	monitor_end(m, &j);
}

struct monitor_hs {
	uint8_t adapter[RFSEC_ADDR_LEN], addr[RFSEC_ADDR_LEN];
	bool has_adapter, has_addr, has_cipher, has_reason;
	uint32_t cipher, reason, change;
	bool has_change;
};

static int monitor_hs_cb(const struct nlattr *attr, void *data)
{
	struct monitor_hs *h = data;
	uint16_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case RFSEC_A_ADAPTER:
		if (len == RFSEC_ADDR_LEN) {
			memcpy(h->adapter, mnl_attr_get_payload(attr), len);
			h->has_adapter = true;
		}
		break;
	case RFSEC_A_PEER_ADDR:
		if (len == RFSEC_ADDR_LEN) {
			memcpy(h->addr, mnl_attr_get_payload(attr), len);
			h->has_addr = true;
		}
		break;
	case RFSEC_A_PEER_CIPHER:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			h->cipher = mnl_attr_get_u32(attr);
			h->has_cipher = true;
		}
		break;
	case RFSEC_A_HS_FAILURE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			h->reason = mnl_attr_get_u32(attr);
			h->has_reason = true;
		}
		break;
	case RFSEC_A_CHANGE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			h->change = mnl_attr_get_u32(attr);
			h->has_change = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static void monitor_handshake(struct monitor *m, const struct monitor_hs *h,
			      bool done)
{
	char adapter[18], addr[18], other[24];
	const char *name;
	struct json j;

	if (!h->has_adapter || !h->has_addr)
		return;
	monitor_addr_str(adapter, h->adapter);
	monitor_addr_str(addr, h->addr);
	monitor_begin(m, &j, done ? "handshake-done" : "handshake-failed");
	monitor_str(m, &j, "adapter", NULL, adapter);
	monitor_str(m, &j, "peer", NULL, addr);
	if (done && h->has_cipher) {
		name = kconf_cipher_name(h->cipher);
		if (!name) {
			snprintf(other, sizeof(other), "cipher-%" PRIu32,
				 h->cipher);
			name = other;
		}
		monitor_str(m, &j, "cipher", "cipher", name);
	}
	if (!done && h->has_reason) {
		name = kconf_failure_name(h->reason);
		if (!name) {
			snprintf(other, sizeof(other), "reason-%" PRIu32,
				 h->reason);
			name = other;
		}
		monitor_str(m, &j, "reason", "reason", name);
	}
	monitor_end(m, &j);
}

static void monitor_simple(struct monitor *m, const char *event)
{
	struct json j;

	monitor_begin(m, &j, event);
	monitor_end(m, &j);
}

/* nlctrl: the rfsec family registered or unregistered. */
static void monitor_ctrl(struct monitor *m, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genlh = mnl_nlmsg_get_payload(nlh);

	if (genlh->cmd != CTRL_CMD_NEWFAMILY &&
	    genlh->cmd != CTRL_CMD_DELFAMILY)
		return;
	monitor_parse_family(m, nlh, RFSEC_GENL_MCGRP_EVENTS);
	if (strcmp(m->got_name, RFSEC_GENL_NAME))
		return;
	if (genlh->cmd == CTRL_CMD_DELFAMILY) {
		m->family_id = 0;
		monitor_simple(m, "module-unloaded");
		return;
	}
	/* The new family's groups may be announced separately. */
	if (!m->got_grp &&
	    monitor_resolve(m, RFSEC_GENL_NAME, RFSEC_GENL_MCGRP_EVENTS))
		return;
	m->family_id = m->got_id;
	m->events_grp = m->got_grp;
	if (monitor_join(m, m->events_grp) == 0)
		monitor_simple(m, "module-loaded");
}

static int monitor_event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;
	const struct genlmsghdr *genlh;
	struct monitor_hs h = { 0 };
	struct json j;
	char other[24];

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*genlh)))
		return MNL_CB_OK;
	genlh = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		monitor_ctrl(m, nlh);
		return MNL_CB_OK;
	}
	if (!m->family_id || nlh->nlmsg_type != m->family_id)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*genlh), monitor_hs_cb, &h);
	switch (genlh->cmd) {
	case RFSEC_CMD_IDENTITY_CHANGED:
		monitor_identity(m, nlh, h.change);
		break;
	case RFSEC_CMD_PEER_CHANGED:
		monitor_peer(m, nlh, h.change);
		break;
	case RFSEC_CMD_HANDSHAKE_DONE:
		monitor_handshake(m, &h, true);
		break;
	case RFSEC_CMD_HANDSHAKE_FAILED:
		monitor_handshake(m, &h, false);
		break;
	default:
		/* From a newer module: say it happened. */
		snprintf(other, sizeof(other), "event-%u", genlh->cmd);
		monitor_begin(m, &j, other);
		monitor_end(m, &j);
	}
	return MNL_CB_OK;
}

/* Receives what is waiting. 0, or -1 after printing why it must stop. */
static int monitor_receive(struct monitor *m)
{
	ssize_t len = mnl_socket_recvfrom(m->nl, m->buf, sizeof(m->buf));

	if (len < 0 && errno == ENOBUFS) {
		monitor_simple(m, "events-lost");
		return 0;
	}
	if (len < 0 && errno == EINTR)
		return 0;
	if (len < 0) {
		fprintf(stderr, "rfsec monitor: receiving events: %s\n",
			strerror(errno));
		return -1;
	}
	mnl_cb_run(m->buf, len, 0, 0, monitor_event_cb, m);
	return 0;
}

static int monitor_open(struct monitor *m)
{
	int err;

	m->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!m->nl || mnl_socket_bind(m->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "rfsec: cannot open a netlink socket: %s\n",
			strerror(errno));
		return -1;
	}
	m->seq = (unsigned int)time(NULL);
	err = monitor_resolve(m, "nlctrl", "notify");
	if (!err) {
		m->ctrl_grp = m->got_grp;
		err = monitor_resolve(m, RFSEC_GENL_NAME,
				      RFSEC_GENL_MCGRP_EVENTS);
	}
	if (err == ENOENT) {
		fprintf(stderr,
			"rfsec: the rfsec kernel module is not loaded (try: modprobe rfsec)\n");
		return -1;
	}
	if (err) {
		fprintf(stderr, "rfsec: cannot find the rfsec events: %s\n",
			strerror(err));
		return -1;
	}
	m->family_id = m->got_id;
	m->events_grp = m->got_grp;
	if (monitor_join(m, m->ctrl_grp) || monitor_join(m, m->events_grp)) {
		if (errno == EPERM || errno == EACCES)
			fprintf(stderr,
				"rfsec: permission denied: the events name trusted devices, so only CAP_NET_ADMIN may watch them (try sudo)\n");
		else
			fprintf(stderr,
				"rfsec: cannot subscribe to the events: %s\n",
				strerror(errno));
		return -1;
	}
	return 0;
}

int monitor_main(int argc, char *argv[])
{
	struct monitor *m;
	struct pollfd pfd[2];
	sigset_t mask;
	int i, sfd = -1, ret = RFSEC_EXIT_FAILURE;

	m = calloc(1, sizeof(*m));
	if (!m) {
		fprintf(stderr, "rfsec: %s\n", strerror(errno));
		return RFSEC_EXIT_FAILURE;
	}
	for (i = 1; i < argc; i++) {
		if (config_is_help(argv[i])) {
			free(m);
			return monitor_help(stdout, RFSEC_EXIT_OK);
		}
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			m->json = true;
			continue;
		}
		free(m);
		return monitor_help(stderr, RFSEC_EXIT_USAGE);
	}

	/* The signals are read from a descriptor, never lost between calls. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "rfsec: signalfd: %s\n", strerror(errno));
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (monitor_open(m))
		goto out;

	pfd[0].fd = mnl_socket_get_fd(m->nl);
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "rfsec: poll: %s\n", strerror(errno));
			break;
		}
		if (pfd[1].revents) {
			ret = RFSEC_EXIT_OK;	/* SIGINT or SIGTERM */
			break;
		}
		if (pfd[0].revents && monitor_receive(m))
			break;
		if (fflush(stdout) || ferror(stdout)) {
			/* The reader went away (EPIPE): nothing left to do. */
			ret = errno == EPIPE ? RFSEC_EXIT_OK :
					       RFSEC_EXIT_FAILURE;
			break;
		}
	}
out:
	if (sfd >= 0)
		close(sfd);
	if (m->nl)
		mnl_socket_close(m->nl);
	free(m);
	return ret;
}
