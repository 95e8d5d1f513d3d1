// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec monitor: prints the module's events as they come, one line each
 * with a timestamp, as text or JSON (one object per line). It follows the
 * module through unloading and loading, and stops cleanly on SIGINT or
 * SIGTERM.
 */

#define _GNU_SOURCE

#include "cli.h"
#include "config.h"
#include "encoding.h"
#include "genl.h"
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

#define MONITOR_USAGE "Usage: rfsec monitor [-j|--json] [-p|--pretty]\n"
#define MONITOR_BUF_SIZE 32768

/*
 * The socket only ever receives: lookups go through rfsec_genl_family()
 * on a socket of their own, so no event is consumed while one runs.
 */
struct monitor {
	struct mnl_socket *nl;
	uint16_t family_id;	/* 0 while the module is not loaded */
	uint32_t events_grp;
	uint32_t ctrl_grp;	/* nlctrl's "notify": families come and go */
	bool json, pretty;
	char buf[MONITOR_BUF_SIZE];
};

static int monitor_help(FILE *out, int ret)
{
	fprintf(out, MONITOR_USAGE "\n"
		"Prints each event of the rfsec module as it happens, one line each,\n"
		"starting with the local time (ISO 8601, milliseconds): identities and\n"
		"peers added, updated or removed, handshakes done (with the cipher) and\n"
		"failed (with the reason), events lost, and the module being unloaded\n"
		"or loaded. Each line is flushed, so the output can be piped. Stops on\n"
		"SIGINT (Ctrl-C) or SIGTERM. If the module is not loaded yet, monitor\n"
		"says so and waits for it. No event carries a secret, but the events\n"
		"name trusted devices: CAP_NET_ADMIN is needed.\n\n"
		"  -j, --json    one JSON object per line (docs/JSON.md, rfsec(8))\n"
		"  -p, --pretty  the same objects, indented (no longer one per line)\n\n"
		"Exit status: 0 when stopped by a signal, 1 if the command failed, 2 for\n"
		"a wrong command line.\n");
	return ret;
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

/* Starts an event's line: the time, and in JSON the "event" member. */
static void monitor_begin(struct monitor *m, struct json *j,
			  const char *event)
{
	char now[40];

	monitor_time(now);
	if (m->json) {
		json_begin_document(j, stdout, m->pretty);
		json_string(j, "time", now);
		json_string(j, "event", event);
	} else {
		printf("%s %s", now, event);
	}
}

static void monitor_end(struct monitor *m, struct json *j)
{
	if (m->json) {
		json_end_document(j);
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
	char addr[CONFIG_ADDR_STRLEN], buf[24];
	struct json j;

	if (kconf_parse_identity(nlh, &id))
		return;
	config_addr_str(addr, id.adapter);
	monitor_begin(m, &j, "identity");
	monitor_str(m, &j, "change", NULL, monitor_change(change, buf));
	monitor_str(m, &j, "adapter", NULL, addr);
	monitor_key(m, &j, "public_key", true, id.public_key);
	monitor_end(m, &j);
}

static void monitor_peer(struct monitor *m, const struct nlmsghdr *nlh,
			 uint32_t change)
{
	char adapter[CONFIG_ADDR_STRLEN], addr[CONFIG_ADDR_STRLEN], buf[24];
	const char *name;
	struct kconf_peer p;
	struct json j;

	if (kconf_parse_peer(nlh, &p))
		return;
	config_addr_str(adapter, p.adapter);
	config_addr_str(addr, p.addr);
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
	char adapter[CONFIG_ADDR_STRLEN], addr[CONFIG_ADDR_STRLEN], other[24];
	const char *name;
	struct json j;

	if (!h->has_adapter || !h->has_addr)
		return;
	config_addr_str(adapter, h->adapter);
	config_addr_str(addr, h->addr);
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

/* The rfsec family appeared: subscribe to its events. */
static void monitor_attach(struct monitor *m, const struct rfsec_genl_family *f)
{
	m->family_id = f->id;
	m->events_grp = f->grp_id;
	if (monitor_join(m, m->events_grp) == 0)
		monitor_simple(m, "module-loaded");
}

/* nlctrl: the rfsec family registered or unregistered. */
static void monitor_ctrl(struct monitor *m, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genlh = mnl_nlmsg_get_payload(nlh);
	struct rfsec_genl_family f;

	if (genlh->cmd != CTRL_CMD_NEWFAMILY &&
	    genlh->cmd != CTRL_CMD_DELFAMILY)
		return;
	rfsec_genl_parse_family(nlh, RFSEC_GENL_MCGRP_EVENTS, &f);
	if (strcmp(f.name, RFSEC_GENL_NAME))
		return;
	if (genlh->cmd == CTRL_CMD_DELFAMILY) {
		m->family_id = 0;
		monitor_simple(m, "module-unloaded");
		return;
	}
	/* The new family's groups may be announced separately. */
	if (!f.grp_id && rfsec_genl_family(RFSEC_GENL_NAME,
					   RFSEC_GENL_MCGRP_EVENTS, &f))
		return;
	monitor_attach(m, &f);
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

static int monitor_join_error(void)
{
	if (errno == EPERM || errno == EACCES)
		fprintf(stderr,
			"rfsec: permission denied: the events name trusted devices, so only CAP_NET_ADMIN may watch them (try sudo)\n");
	else
		fprintf(stderr, "rfsec: cannot subscribe to the events: %s\n",
			strerror(errno));
	return -1;
}

/*
 * nlctrl's notifications first, then the rfsec family: a module loaded in
 * between is seen either way. Without the module, monitor waits for it.
 */
static int monitor_open(struct monitor *m)
{
	struct rfsec_genl_family f;
	int err;

	m->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!m->nl || mnl_socket_bind(m->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "rfsec: cannot open a netlink socket: %s\n",
			strerror(errno));
		return -1;
	}
	err = rfsec_genl_family("nlctrl", "notify", &f);
	if (err) {
		fprintf(stderr, "rfsec: cannot find nlctrl's notifications: %s\n",
			strerror(err));
		return -1;
	}
	m->ctrl_grp = f.grp_id;
	if (monitor_join(m, m->ctrl_grp))
		return monitor_join_error();
	err = rfsec_genl_family(RFSEC_GENL_NAME, RFSEC_GENL_MCGRP_EVENTS, &f);
	if (err == ENOENT) {
		fprintf(stderr,
			"rfsec monitor: the rfsec module is not loaded; waiting for it\n");
		return 0;
	}
	if (err) {
		fprintf(stderr, "rfsec: cannot find the rfsec events: %s\n",
			strerror(err));
		return -1;
	}
	m->family_id = f.id;
	m->events_grp = f.grp_id;
	if (monitor_join(m, m->events_grp))
		return monitor_join_error();
	return 0;
}

int monitor_main(int argc, char *argv[])
{
	struct monitor *m;
	struct pollfd pfd[2];
	sigset_t mask;
	struct cli c;
	int sfd = -1, ret = RFSEC_EXIT_FAILURE;

	m = calloc(1, sizeof(*m));
	if (!m) {
		fprintf(stderr, "rfsec: %s\n", strerror(errno));
		return RFSEC_EXIT_FAILURE;
	}
	if (cli_parse(argc, argv, true, &c) || cli_nargs(argc, &c)) {
		free(m);
		return monitor_help(stderr, RFSEC_EXIT_USAGE);
	}
	if (c.help) {
		free(m);
		return monitor_help(stdout, RFSEC_EXIT_OK);
	}
	m->json = c.json;
	m->pretty = c.pretty;

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
