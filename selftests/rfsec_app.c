// SPDX-License-Identifier: GPL-2.0
/*
 * rfsec_app: the application side of the protocol tests, on a kernel rfsec
 * socket (BTPROTO_RFSEC), so that a shell test can check exactly what an
 * application sees: the data it received and the errno it ended with.
 *
 *   rfsec_app connect -i ADAPTER -a REMOTE -c CHANNEL [-t MS] [ACTION...]
 *   rfsec_app listen -i ADAPTER -c CHANNEL [-n COUNT] [-t MS] [ACTION...]
 *   rfsec_app stats ADAPTER_ADDR PEER_ADDR
 *
 * connect and listen print the lines of proto_util.h; listen waits up to
 * -t ms (default 15000) for each of COUNT connections and prints
 * "accept none" when none comes. stats prints the peer's counters from
 * RFSEC_CMD_GET_PEER: "handshakes N", "unclean-ends N" (streams that
 * ended without a close record) and "failures R=N ..." with R the names
 * of enum rfsec_hs_failure.
 */
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "proto_util.h"
#include "rfsec.h"

static int timeout_ms = 15000;

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static void run(int fd, int n, char *acts[])
{
	struct pu_buf got = { 0 }, sent = { 0 };
	uint8_t buf[4096];
	struct pu_action a;
	int i, err = 0;
	bool eof = false;

	for (i = 0; i < n && !err && !eof; i++) {
		pu_parse_action(acts[i], &a);
		switch (a.act) {
		case PU_SEND:
		case PU_SENDN: {
			const uint8_t *d = (const uint8_t *)a.str;
			uint8_t *b = NULL;
			size_t off = 0;

			if (a.act == PU_SENDN) {
				b = malloc(a.n + 1);
				pu_pattern(b, a.n, 0);
				pu_append(&sent, b, a.n);
				d = b;
			}
			while (off < a.n) {
				ssize_t w = write(fd, d + off, a.n - off > 1000 ?
						  1000 : a.n - off);

				if (w < 0) {
					err = errno;
					break;
				}
				off += w;
			}
			free(b);
			break;
		}
		case PU_READ:
		case PU_READALL:
			while (a.act == PU_READALL || got.len < a.n) {
				ssize_t r = read(fd, buf, sizeof(buf));

				if (r < 0) {
					err = errno;
					break;
				}
				if (r == 0) {
					eof = true;
					break;
				}
				pu_append(&got, buf, r);
			}
			break;
		case PU_SLEEP:
			usleep(a.n * 1000);
			break;
		default:
			fprintf(stderr, "rfsec_app: action '%s' is refpeer's\n",
				acts[i]);
			exit(2);
		}
	}
	if (sent.len)
		pu_print_data("sent", &sent);
	pu_print_data("recv", &got);
	if (err) {
		printf("end %s\n", pu_errname(err));
	} else if (eof) {
		printf("end eof\n");
	} else {
		/* let queued data leave before the close */
		usleep(200 * 1000);
		printf("end ok\n");
	}
	fflush(stdout);
	free(got.p);
	free(sent.p);
}

/* GET_PEER over generic netlink. */

struct stats {
	uint64_t handshakes;
	uint64_t unclean_ends;
	uint64_t fail[RFSEC_HS_FAIL_MAX + 1];
	int family;
	bool found;
};

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats *st = data;
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
			st->family = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int peer_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats *st = data;
	struct nlattr *attr, *s, *f;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != RFSEC_A_PEER_STATS)
			continue;
		st->found = true;
		mnl_attr_for_each_nested(s, attr) {
			int t = mnl_attr_get_type(s);

			if (t == RFSEC_A_STATS_HANDSHAKES)
				st->handshakes = mnl_attr_get_u64(s);
			if (t == RFSEC_A_STATS_UNCLEAN_ENDS)
				st->unclean_ends = mnl_attr_get_u64(s);
			if (t != RFSEC_A_STATS_HANDSHAKE_FAILURES)
				continue;
			mnl_attr_for_each_nested(f, s) {
				int r = mnl_attr_get_type(f);

				if (r > 0 && r <= RFSEC_HS_FAIL_MAX &&
				    mnl_attr_get_payload_len(f) == 8)
					st->fail[r] = mnl_attr_get_u64(f);
			}
		}
	}
	return MNL_CB_OK;
}

static int genl_call(struct mnl_socket *nl, struct nlmsghdr *nlh,
		     mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int seq = time(NULL), port = mnl_socket_get_portid(nl);
	int ret;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			return -errno;
		ret = mnl_cb_run(buf, ret, seq, port, cb, data);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

static struct nlmsghdr *genl_msg(char *buf, int family, int cmd, int version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static const char *const fail_names[] = {
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

static int stats(const char *adapter, const char *peer)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct stats st = { 0 };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	bdaddr_t ad, pa;
	int r;

	if (str2ba(adapter, &ad) || str2ba(peer, &pa))
		return 2;
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return 1;
	nlh = genl_msg(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, RFSEC_GENL_NAME);
	if (genl_call(nl, nlh, family_cb, &st) || !st.family) {
		printf("stats no-family\n");
		return 1;
	}
	nlh = genl_msg(buf, st.family, RFSEC_CMD_GET_PEER, RFSEC_GENL_VERSION);
	mnl_attr_put(nlh, RFSEC_A_ADAPTER, RFSEC_ADDR_LEN, ad.b);
	mnl_attr_put(nlh, RFSEC_A_PEER_ADDR, RFSEC_ADDR_LEN, pa.b);
	r = genl_call(nl, nlh, peer_cb, &st);
	mnl_socket_close(nl);
	if (r || !st.found) {
		printf("stats %s\n", r ? pu_errname(-r) : "none");
		return 1;
	}
	printf("handshakes %llu\nunclean-ends %llu\nfailures",
	       (unsigned long long)st.handshakes,
	       (unsigned long long)st.unclean_ends);
	for (r = 1; r <= RFSEC_HS_FAIL_MAX; r++)
		printf(" %s=%llu", fail_names[r] ?: "?",
		       (unsigned long long)st.fail[r]);
	printf("\n");
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: rfsec_app connect -i ADAPTER -a REMOTE -c CHANNEL [-t MS] [ACTION...]\n"
		"       rfsec_app listen -i ADAPTER -c CHANNEL [-n COUNT] [-t MS] [ACTION...]\n"
		"       rfsec_app stats ADAPTER_ADDR PEER_ADDR\n");
	exit(2);
}

int main(int argc, char *argv[])
{
	const char *adapter = NULL, *remote = NULL;
	int count = 1, chan = 0, opt, fd, i;
	bdaddr_t local, peer;
	struct sockaddr_rc a;
	struct pu_action act;
	long long deadline = 0;
	bool conn;

	if (argc == 4 && !strcmp(argv[1], "stats"))
		return stats(argv[2], argv[3]);
	if (argc < 2)
		usage();
	conn = !strcmp(argv[1], "connect");
	if (!conn && strcmp(argv[1], "listen"))
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "+i:a:c:n:t:")) != -1) {
		switch (opt) {
		case 'i':
			adapter = optarg;
			break;
		case 'a':
			remote = optarg;
			break;
		case 'c':
			chan = atoi(optarg);
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 't':
			timeout_ms = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (!adapter || !pu_adapter(adapter, &local) || chan < 1 || chan > 30 ||
	    (conn && (!remote || str2ba(remote, &peer))))
		usage();
	for (i = optind; i < argc; i++)
		if (pu_parse_action(argv[i], &act))
			usage();

	if (conn) {
		fd = socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFSEC);
		a = util_rc(&local, 0);
		if (fd < 0 || bind(fd, (void *)&a, sizeof(a))) {
			printf("connect %s\n", pu_errname(errno));
			return 1;
		}
		pu_set_timeout(fd, timeout_ms);
		a = util_rc(&peer, chan);
		if (connect(fd, (void *)&a, sizeof(a))) {
			printf("connect %s\n", pu_errname(errno));
			return 0;
		}
		printf("connect ok\n");
		fflush(stdout);
		run(fd, argc - optind, argv + optind);
		close(fd);
		return 0;
	}

	fd = socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFSEC);
	a = util_rc(&local, chan);
	if (fd < 0 || bind(fd, (void *)&a, sizeof(a)) || listen(fd, 16)) {
		printf("listen %s\n", pu_errname(errno));
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (i = 0; i < count; i++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		socklen_t alen = sizeof(a);
		int c, left;

		if (!deadline)
			deadline = now_ms() + timeout_ms;
		left = deadline - now_ms();
		if (left <= 0 || poll(&pfd, 1, left) != 1) {
			printf("accept none\n");
			break;
		}
		c = accept4(fd, (void *)&a, &alen, SOCK_NONBLOCK);
		if (c < 0) {
			/* a connection that failed before accept() took it */
			printf("accept %s\n", pu_errname(errno));
			fflush(stdout);
			i--;
			continue;
		}
		/* back to blocking, bounded by the timeouts */
		{
			int fl = fcntl(c, F_GETFL);

			fcntl(c, F_SETFL, fl & ~O_NONBLOCK);
		}
		pu_set_timeout(c, timeout_ms);
		deadline = 0;
		printf("accept ok\n");
		fflush(stdout);
		run(c, argc - optind, argv + optind);
		close(c);
	}
	close(fd);
	return 0;
}
