// SPDX-License-Identifier: GPL-2.0
/*
 * Differential socket suite: every test runs once over kernel RFCOMM
 * (BTPROTO_RFCOMM) and once over rfsec (BTPROTO_RFSEC) with the same
 * assertions. RFCOMM is the oracle: the expected values below are what
 * kernel RFCOMM does on Debian's 6.1 and 6.12 kernels, oddities included,
 * and rfsec passes only where it behaves exactly the same.
 *
 * The guest has two virtual controllers on one virtual air: listeners sit on
 * hci1, clients on hci0. Every blocking call is bounded (SO_RCVTIMEO,
 * SO_SNDTIMEO, poll timeouts) so that a broken protocol fails a test instead
 * of hanging the suite.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <netinet/in.h>
#include <openssl/evp.h>

#include "util.h"
#include "kselftest_harness.h"

#ifndef RFCOMM_LM_FIPS
#define RFCOMM_LM_FIPS		0x0040
#endif

/* What RFCOMM gives every socket: 40 credits of 127-byte frames, 10 times. */
#define RFCOMM_DEFAULT_BUF	(40 * 127 * 10)

/* A write size kernel RFCOMM handles without stalling on this bench. */
#define CHUNK			1000

/* Bound for calls that should return at once but might block if broken. */
#define SAFETY_MS		10000

#define OUT_MASK	(POLLOUT | POLLWRNORM | POLLWRBAND)
#define IN_MASK		(POLLIN | POLLRDNORM)
#define ALL_EVENTS	(POLLIN | POLLPRI | POLLOUT | POLLRDNORM | POLLRDBAND | \
			 POLLWRNORM | POLLWRBAND | POLLRDHUP)

/* An address no controller on the virtual air answers to. */
static const bdaddr_t nobody = {{ 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x00 }};


static void now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

static int set_int_opt(int fd, int level, int optname, int val)
{
	return setsockopt(fd, level, optname, &val, sizeof(val));
}

/* The option's value, or -errno - 1000 so a failure never looks valid. */
static int get_int_opt(int fd, int level, int optname)
{
	int val = 0;
	socklen_t len = sizeof(val);

	if (getsockopt(fd, level, optname, &val, &len))
		return -errno - 1000;
	return val;
}

static int set_nonblock(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* The poll mask right now, for every event a stream socket can report. */
static int poll_mask(int fd)
{
	struct pollfd p = { .fd = fd, .events = ALL_EVENTS };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

/* Waits up to ms for any of bits in the mask; returns the mask then. */
static int wait_mask(int fd, int bits, int ms)
{
	struct timespec t0;
	int m;

	now(&t0);
	for (;;) {
		m = poll_mask(fd);
		if (m < 0 || (m & bits) || util_ms_since(&t0) >= ms)
			return m;
		usleep(5000);
	}
}

/* The state machines settle in a few ms on this bench; give them more. */
static void settle(void)
{
	usleep(300 * 1000);
}

static void fill_pattern(unsigned char *buf, size_t len, unsigned int seed)
{
	unsigned int x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = x;
	}
}

static int do_bind(int fd, const bdaddr_t *ba, int chan)
{
	struct sockaddr_rc a = util_rc_addr(ba, chan);

	return bind(fd, (struct sockaddr *)&a, sizeof(a));
}

static int do_connect(int fd, const bdaddr_t *ba, int chan)
{
	struct sockaddr_rc a = util_rc_addr(ba, chan);

	return connect(fd, (struct sockaddr *)&a, sizeof(a));
}

/* A listening socket on (ba, chan) whose accept() is bounded; or -errno. */
static int open_listener(int proto, const bdaddr_t *ba, int chan, int backlog)
{
	int fd = socket(AF_BLUETOOTH, SOCK_STREAM, proto);
	int err;

	if (fd < 0)
		return -errno;
	if (do_bind(fd, ba, chan) || listen(fd, backlog) ||
	    util_set_timeout_ms(fd, SO_RCVTIMEO, SAFETY_MS)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int try_client(int proto, const bdaddr_t *src, const bdaddr_t *dst,
		      int chan)
{
	int fd = socket(AF_BLUETOOTH, SOCK_STREAM, proto);
	int err;

	if (fd < 0)
		return -errno;
	if ((src && do_bind(fd, src, 0)) ||
	    util_set_timeout_ms(fd, SO_SNDTIMEO, SAFETY_MS) ||
	    do_connect(fd, dst, chan)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/*
 * A client bound to src (if any), connected to (dst, chan) where a listener
 * was just opened; or -errno. For setting up, not for testing connect(): it
 * retries the failures that only mean an earlier test's connection is still
 * going away. When a session's last DLC closes, RFCOMM closes the session
 * too, and a DLC opened on it meanwhile fails with ECONNRESET; a DLC still
 * closing on the same channel makes a new one fail with EBUSY here, or with
 * ECONNREFUSED from the peer while its end of the old DLC is still closing.
 */
static int open_client(int proto, const bdaddr_t *src, const bdaddr_t *dst,
		       int chan)
{
	int fd = -ECONNRESET;

	for (int tries = 0; tries < 20; tries++) {
		fd = try_client(proto, src, dst, chan);
		if (fd != -ECONNRESET && fd != -EBUSY && fd != -ECONNREFUSED)
			break;
		usleep(100 * 1000);
	}
	return fd;
}

/*
 * A connection on its own channel that keeps the RFCOMM session between
 * hci0 and hci1 up, so that a connect() under test cannot run into the
 * session closing (see open_client()). Returns the client; the server end
 * and the listener go into keep[].
 */
static int keep_session(int proto, const bdaddr_t *a0, const bdaddr_t *a1,
			int keep[2])
{
	int chan = util_next_channel(), fd;

	keep[0] = open_listener(proto, a1, chan, 1);
	if (keep[0] < 0)
		return keep[0];
	fd = open_client(proto, a0, a1, chan);
	keep[1] = fd < 0 ? -1 : accept(keep[0], NULL, NULL);
	if (fd < 0 || keep[1] < 0) {
		close(keep[0]);
		if (fd >= 0)
			close(fd);
		return fd < 0 ? fd : -EIO;
	}
	return fd;
}

static void drop_session_keeper(int fd, int keep[2])
{
	close(fd);
	close(keep[1]);
	close(keep[0]);
}

/* Both timeouts bounded, so that no later call of a test can hang. */
static int bound_io(int fd)
{
	return util_set_timeout_ms(fd, SO_RCVTIMEO, SAFETY_MS) ||
		util_set_timeout_ms(fd, SO_SNDTIMEO, SAFETY_MS) ? -errno : 0;
}

static bool addr_is(const struct sockaddr_rc *a, const bdaddr_t *ba, int chan)
{
	return a->rc_family == AF_BLUETOOTH && !bacmp(&a->rc_bdaddr, ba) &&
		a->rc_channel == chan;
}

static const char *ba_str(const bdaddr_t *ba, char *buf)
{
	ba2str(ba, buf);
	return buf;
}

/* ---- A bare socket of the protocol under test ---- */

FIXTURE(sock)
{
	int fd;
	int chan;
	bdaddr_t a0;	/* hci0: clients */
	bdaddr_t a1;	/* hci1: listeners */
};

FIXTURE_VARIANT(sock)
{
	int proto;
};

FIXTURE_VARIANT_ADD(sock, rfcomm)
{
	.proto = BTPROTO_RFCOMM,
};

FIXTURE_VARIANT_ADD(sock, rfsec)
{
	.proto = BTPROTO_RFSEC,
};

FIXTURE_SETUP(sock)
{
	ASSERT_TRUE(util_hci_addr(0, &self->a0));
	ASSERT_TRUE(util_hci_addr(1, &self->a1));
	self->chan = util_next_channel();
	self->fd = socket(AF_BLUETOOTH, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, self->fd) TH_LOG("socket: %s", strerror(errno));
}

FIXTURE_TEARDOWN(sock)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* ---- A connected pair: client on hci0, server accepted on hci1 ---- */

FIXTURE(pair)
{
	int listener;
	int client;
	int server;
	int chan;
	bdaddr_t a0;
	bdaddr_t a1;
};

FIXTURE_VARIANT(pair)
{
	int proto;
};

FIXTURE_VARIANT_ADD(pair, rfcomm)
{
	.proto = BTPROTO_RFCOMM,
};

FIXTURE_VARIANT_ADD(pair, rfsec)
{
	.proto = BTPROTO_RFSEC,
};

FIXTURE_SETUP(pair)
{
	self->listener = self->client = self->server = -1;
	ASSERT_TRUE(util_hci_addr(0, &self->a0));
	ASSERT_TRUE(util_hci_addr(1, &self->a1));
	self->chan = util_next_channel();

	self->listener = open_listener(variant->proto, &self->a1, self->chan, 4);
	ASSERT_LE(0, self->listener) TH_LOG("listener on channel %d: %s",
					    self->chan, strerror(-self->listener));
	self->client = open_client(variant->proto, &self->a0, &self->a1,
				   self->chan);
	ASSERT_LE(0, self->client) TH_LOG("connect to channel %d: %s",
					  self->chan, strerror(-self->client));
	self->server = accept(self->listener, NULL, NULL);
	ASSERT_LE(0, self->server) TH_LOG("accept: %s", strerror(errno));
	ASSERT_EQ(0, bound_io(self->client));
	ASSERT_EQ(0, bound_io(self->server));
}

FIXTURE_TEARDOWN(pair)
{
	if (self->client >= 0)
		close(self->client);
	if (self->server >= 0)
		close(self->server);
	if (self->listener >= 0)
		close(self->listener);
}

static void close_client(FIXTURE_DATA(pair) *self)
{
	close(self->client);
	self->client = -1;
}

/* ---- Socket creation and identity ---- */

TEST_F(sock, create_non_stream_types_rejected)
{
	static const int types[] = { SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RDM };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		int fd = socket(AF_BLUETOOTH, types[i], variant->proto);

		EXPECT_EQ(-1, fd) close(fd);
		EXPECT_EQ(ESOCKTNOSUPPORT, errno) TH_LOG("type %d", types[i]);
	}
}

/*
 * RFCOMM accepts SOCK_RAW (for the legacy TTY ioctls, without any capability
 * check) but refuses to bind or connect such a socket with EINVAL. listen()
 * checks the state first, so an unbound raw socket gets EBADFD.
 */
TEST_F(sock, sock_raw_created_but_unusable)
{
	struct bt_security sec;
	socklen_t len = sizeof(sec);
	int fd = socket(AF_BLUETOOTH, SOCK_RAW, variant->proto);

	ASSERT_LE(0, fd) TH_LOG("socket(SOCK_RAW): %s", strerror(errno));
	EXPECT_EQ(SOCK_RAW, get_int_opt(fd, SOL_SOCKET, SO_TYPE));
	EXPECT_EQ(-1, do_bind(fd, &self->a1, self->chan));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, do_connect(fd, &self->a1, self->chan));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, listen(fd, 1));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(-1, getsockopt(fd, SOL_BLUETOOTH, BT_SECURITY, &sec, &len));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(sock, sockopt_type_protocol_domain)
{
	EXPECT_EQ(SOCK_STREAM, get_int_opt(self->fd, SOL_SOCKET, SO_TYPE));
	EXPECT_EQ(variant->proto, get_int_opt(self->fd, SOL_SOCKET, SO_PROTOCOL));
	EXPECT_EQ(AF_BLUETOOTH, get_int_opt(self->fd, SOL_SOCKET, SO_DOMAIN));
	EXPECT_EQ(0, get_int_opt(self->fd, SOL_SOCKET, SO_ERROR));
}

/*
 * SO_ACCEPTCONN compares sk_state with TCP_LISTEN (10), and RFCOMM's
 * BT_LISTEN is 4: even a listening socket reports 0 (an oddity).
 */
TEST_F(sock, sockopt_acceptconn_always_0)
{
	EXPECT_EQ(0, get_int_opt(self->fd, SOL_SOCKET, SO_ACCEPTCONN));
	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	ASSERT_EQ(0, listen(self->fd, 1));
	EXPECT_EQ(0, get_int_opt(self->fd, SOL_SOCKET, SO_ACCEPTCONN));
}

/* RFCOMM sizes both buffers itself, whatever net.core.*mem_default say. */
TEST_F(sock, default_buffer_sizes)
{
	EXPECT_EQ(RFCOMM_DEFAULT_BUF, get_int_opt(self->fd, SOL_SOCKET, SO_SNDBUF));
	EXPECT_EQ(RFCOMM_DEFAULT_BUF, get_int_opt(self->fd, SOL_SOCKET, SO_RCVBUF));
}

/* As for every socket, the kernel doubles what is asked for. */
TEST_F(sock, buffer_sizes_settable_doubled)
{
	ASSERT_EQ(0, set_int_opt(self->fd, SOL_SOCKET, SO_SNDBUF, 32768));
	EXPECT_EQ(65536, get_int_opt(self->fd, SOL_SOCKET, SO_SNDBUF));
	ASSERT_EQ(0, set_int_opt(self->fd, SOL_SOCKET, SO_RCVBUF, 16384));
	EXPECT_EQ(32768, get_int_opt(self->fd, SOL_SOCKET, SO_RCVBUF));
}

/* RFCOMM sets a 30 s send timeout (RFCOMM_CONN_TIMEOUT) on every socket. */
TEST_F(sock, default_timeouts)
{
	struct timeval tv;
	socklen_t len = sizeof(tv);

	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &len));
	EXPECT_EQ(30, tv.tv_sec);
	EXPECT_EQ(0, tv.tv_usec);
	len = sizeof(tv);
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
	EXPECT_EQ(0, tv.tv_sec);
	EXPECT_EQ(0, tv.tv_usec);
}

TEST_F(sock, sockopt_linger_roundtrip)
{
	struct linger l = { .l_onoff = 1, .l_linger = 7 };
	socklen_t len = sizeof(l);

	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_LINGER, &l, &len));
	EXPECT_EQ(0, l.l_onoff);
	EXPECT_EQ(0, l.l_linger);
	l.l_onoff = 1;
	l.l_linger = 7;
	ASSERT_EQ(0, setsockopt(self->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
	memset(&l, 0, sizeof(l));
	len = sizeof(l);
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_LINGER, &l, &len));
	EXPECT_EQ(1, l.l_onoff);
	EXPECT_EQ(7, l.l_linger);
	/* Off again, or the teardown's close() would wait 7 s (see below). */
	l.l_onoff = 0;
	ASSERT_EQ(0, setsockopt(self->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
}

/*
 * With SO_LINGER on, close() waits for the socket to reach BT_CLOSED, which
 * an unconnected RFCOMM socket never does: close() of a socket that never
 * connected blocks for the whole linger time (an oddity).
 */
TEST_F(sock, close_unconnected_with_linger_waits_linger_time)
{
	struct linger l = { .l_onoff = 1, .l_linger = 1 };
	struct timespec t0;
	long ms;

	ASSERT_EQ(0, setsockopt(self->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
	now(&t0);
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
	ms = util_ms_since(&t0);
	EXPECT_LE(900, ms);
	EXPECT_GE(3000, ms);
}

/* ---- SOL_BLUETOOTH and SOL_RFCOMM options ---- */

static int get_sec_level(int fd)
{
	struct bt_security sec = { .level = 0xff, .key_size = 0xff };
	socklen_t len = sizeof(sec);

	if (getsockopt(fd, SOL_BLUETOOTH, BT_SECURITY, &sec, &len))
		return -errno - 1000;
	if (sec.key_size != 0)
		return -2000 - sec.key_size;
	return sec.level;
}

static int set_sec_level(int fd, int level)
{
	struct bt_security sec = { .level = level };

	return setsockopt(fd, SOL_BLUETOOTH, BT_SECURITY, &sec, sizeof(sec));
}

TEST_F(sock, bt_security_default_low)
{
	EXPECT_EQ(BT_SECURITY_LOW, get_sec_level(self->fd));
}

/* Any level up to HIGH, SDP (0) included; FIPS is refused. */
TEST_F(sock, bt_security_set_get)
{
	static const int levels[] = { BT_SECURITY_MEDIUM, BT_SECURITY_HIGH,
				      BT_SECURITY_SDP, BT_SECURITY_LOW };
	uint8_t one = BT_SECURITY_HIGH;

	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		ASSERT_EQ(0, set_sec_level(self->fd, levels[i]));
		EXPECT_EQ(levels[i], get_sec_level(self->fd));
	}
	EXPECT_EQ(-1, set_sec_level(self->fd, BT_SECURITY_FIPS));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, setsockopt(self->fd, SOL_BLUETOOTH, BT_SECURITY, &one, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(BT_SECURITY_LOW, get_sec_level(self->fd));
}

static int get_lm(int fd)
{
	return get_int_opt(fd, SOL_RFCOMM, RFCOMM_LM);
}

/*
 * RFCOMM_LM is a view of the security level: AUTH for LOW, +ENCRYPT for
 * MEDIUM, +SECURE for HIGH, 0 for SDP; MASTER is kept on its own. Setting it
 * can only raise the level: LM 0 leaves the level alone (an oddity).
 */
TEST_F(sock, rfcomm_lm_tracks_security_level)
{
	EXPECT_EQ(RFCOMM_LM_AUTH, get_lm(self->fd));

	ASSERT_EQ(0, set_int_opt(self->fd, SOL_RFCOMM, RFCOMM_LM,
				 RFCOMM_LM_ENCRYPT));
	EXPECT_EQ(BT_SECURITY_MEDIUM, get_sec_level(self->fd));
	EXPECT_EQ(RFCOMM_LM_AUTH | RFCOMM_LM_ENCRYPT, get_lm(self->fd));

	ASSERT_EQ(0, set_int_opt(self->fd, SOL_RFCOMM, RFCOMM_LM,
				 RFCOMM_LM_SECURE | RFCOMM_LM_MASTER));
	EXPECT_EQ(BT_SECURITY_HIGH, get_sec_level(self->fd));
	EXPECT_EQ(RFCOMM_LM_AUTH | RFCOMM_LM_ENCRYPT | RFCOMM_LM_SECURE |
		  RFCOMM_LM_MASTER, get_lm(self->fd));

	ASSERT_EQ(0, set_int_opt(self->fd, SOL_RFCOMM, RFCOMM_LM, 0));
	EXPECT_EQ(BT_SECURITY_HIGH, get_sec_level(self->fd));
	EXPECT_EQ(RFCOMM_LM_AUTH | RFCOMM_LM_ENCRYPT | RFCOMM_LM_SECURE,
		  get_lm(self->fd));

	ASSERT_EQ(0, set_sec_level(self->fd, BT_SECURITY_SDP));
	EXPECT_EQ(0, get_lm(self->fd));

	EXPECT_EQ(-1, set_int_opt(self->fd, SOL_RFCOMM, RFCOMM_LM,
				  RFCOMM_LM_FIPS));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * RFCOMM's getsockopt at SOL_BLUETOOTH and SOL_RFCOMM never writes back
 * optlen (unlike SOL_SOCKET): a large buffer keeps its length.
 */
TEST_F(sock, bt_getsockopt_leaves_optlen)
{
	char buf[64];
	socklen_t len = sizeof(buf);

	ASSERT_EQ(0, getsockopt(self->fd, SOL_BLUETOOTH, BT_SECURITY, buf, &len));
	EXPECT_EQ(sizeof(buf), len);
	len = sizeof(buf);
	ASSERT_EQ(0, getsockopt(self->fd, SOL_RFCOMM, RFCOMM_LM, buf, &len));
	EXPECT_EQ(sizeof(buf), len);
}

TEST_F(sock, sockopt_unknown_enoprotoopt)
{
	int v = 0;
	socklen_t len = sizeof(v);

	EXPECT_EQ(-1, setsockopt(self->fd, SOL_RFCOMM, 99, &v, sizeof(v)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, getsockopt(self->fd, SOL_RFCOMM, 99, &v, &len));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, setsockopt(self->fd, SOL_BLUETOOTH, 99, &v, sizeof(v)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, getsockopt(self->fd, SOL_BLUETOOTH, 99, &v, &len));
	EXPECT_EQ(ENOPROTOOPT, errno);
	/* Options of other Bluetooth protocols are unknown here too. */
	EXPECT_EQ(-1, setsockopt(self->fd, SOL_L2CAP, 1, &v, sizeof(v)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, getsockopt(self->fd, SOL_IP, 1, &v, &len));
	EXPECT_EQ(ENOPROTOOPT, errno);
}

/*
 * BT_DEFER_SETUP exists only on bound and listening sockets. The one place
 * the variants differ on purpose: rfsec refuses to set it (EOPNOTSUPP, see
 * docs/SOCKETS.md), since RFCOMM accepts a deferred connection on the first
 * read, which on rfsec would be the transport work's, not the application's.
 */
TEST_F(sock, defer_setup_needs_bound_socket)
{
	bool refused = variant->proto == BTPROTO_RFSEC;

	EXPECT_EQ(-1, set_int_opt(self->fd, SOL_BLUETOOTH, BT_DEFER_SETUP, 1));
	EXPECT_EQ(refused ? EOPNOTSUPP : EINVAL, errno);
	EXPECT_EQ(-1000 - EINVAL,
		  get_int_opt(self->fd, SOL_BLUETOOTH, BT_DEFER_SETUP));
	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	EXPECT_EQ(0, get_int_opt(self->fd, SOL_BLUETOOTH, BT_DEFER_SETUP));
	if (refused) {
		EXPECT_EQ(-1, set_int_opt(self->fd, SOL_BLUETOOTH,
					  BT_DEFER_SETUP, 1));
		EXPECT_EQ(EOPNOTSUPP, errno);
		EXPECT_EQ(0, get_int_opt(self->fd, SOL_BLUETOOTH,
					 BT_DEFER_SETUP));
		return;
	}
	ASSERT_EQ(0, set_int_opt(self->fd, SOL_BLUETOOTH, BT_DEFER_SETUP, 1));
	EXPECT_EQ(1, get_int_opt(self->fd, SOL_BLUETOOTH, BT_DEFER_SETUP));
}

TEST_F(sock, conninfo_unconnected_enotconn)
{
	struct rfcomm_conninfo ci;
	socklen_t len = sizeof(ci);

	EXPECT_EQ(-1, getsockopt(self->fd, SOL_RFCOMM, RFCOMM_CONNINFO, &ci, &len));
	EXPECT_EQ(ENOTCONN, errno);
}

/* ---- Addresses: bind, getsockname, getpeername ---- */

TEST_F(sock, getsockname_unbound_is_any)
{
	struct sockaddr_rc a;
	socklen_t len = sizeof(a) + 8;

	memset(&a, 0x55, sizeof(a));
	ASSERT_EQ(0, getsockname(self->fd, (struct sockaddr *)&a, &len));
	EXPECT_EQ(sizeof(a), len);
	EXPECT_TRUE(addr_is(&a, BDADDR_ANY, 0));
}

TEST_F(sock, getpeername_unconnected_enotconn)
{
	struct sockaddr_rc a;
	socklen_t len = sizeof(a);

	EXPECT_EQ(-1, getpeername(self->fd, (struct sockaddr *)&a, &len));
	EXPECT_EQ(ENOTCONN, errno);
	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	EXPECT_EQ(-1, getpeername(self->fd, (struct sockaddr *)&a, &len));
	EXPECT_EQ(ENOTCONN, errno);
}

TEST_F(sock, bind_then_getsockname)
{
	struct sockaddr_rc a;
	socklen_t len = sizeof(a);
	char s[18];

	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	ASSERT_EQ(0, getsockname(self->fd, (struct sockaddr *)&a, &len));
	EXPECT_EQ(sizeof(a), len);
	EXPECT_TRUE(addr_is(&a, &self->a1, self->chan))
		TH_LOG("got %s channel %d", ba_str(&a.rc_bdaddr, s), a.rc_channel);
}

TEST_F(sock, bind_twice_ebadfd)
{
	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	EXPECT_EQ(-1, do_bind(self->fd, &self->a1, util_next_channel()));
	EXPECT_EQ(EBADFD, errno);
}

/* A channel is taken by a bound socket already, not only by a listener. */
TEST_F(sock, bind_busy_channel_eaddrinuse)
{
	int other = socket(AF_BLUETOOTH, SOCK_STREAM, variant->proto);

	ASSERT_LE(0, other);
	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	EXPECT_EQ(-1, do_bind(other, &self->a1, self->chan));
	EXPECT_EQ(EADDRINUSE, errno);
	close(other);

	ASSERT_EQ(0, listen(self->fd, 1));
	other = socket(AF_BLUETOOTH, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, other);
	EXPECT_EQ(-1, do_bind(other, &self->a1, self->chan));
	EXPECT_EQ(EADDRINUSE, errno);
	close(other);

	/* Closing the listener frees the channel at once. */
	close(self->fd);
	self->fd = socket(AF_BLUETOOTH, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
}

/* Busy means the same channel on the same address; BDADDR_ANY differs. */
TEST_F(sock, bind_same_channel_other_address)
{
	int other0 = socket(AF_BLUETOOTH, SOCK_STREAM, variant->proto);
	int other_any = socket(AF_BLUETOOTH, SOCK_STREAM, variant->proto);

	ASSERT_LE(0, other0);
	ASSERT_LE(0, other_any);
	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	EXPECT_EQ(0, do_bind(other0, &self->a0, self->chan));
	EXPECT_EQ(0, do_bind(other_any, BDADDR_ANY, self->chan));
	close(other0);
	close(other_any);
}

/*
 * Channel 0 means "pick one", but RFCOMM picks only in listen(): the lowest
 * channel that no socket has bound or is listening on for that address.
 */
TEST_F(sock, bind_channel_0_listen_picks_lowest_free)
{
	int holder = socket(AF_BLUETOOTH, SOCK_STREAM, variant->proto);
	struct sockaddr_rc a;
	socklen_t len = sizeof(a);

	ASSERT_LE(0, holder);
	ASSERT_EQ(0, do_bind(holder, &self->a1, 1));
	ASSERT_EQ(0, do_bind(self->fd, &self->a1, 0));
	ASSERT_EQ(0, getsockname(self->fd, (struct sockaddr *)&a, &len));
	EXPECT_TRUE(addr_is(&a, &self->a1, 0)) TH_LOG("channel %d", a.rc_channel);
	ASSERT_EQ(0, listen(self->fd, 1));
	len = sizeof(a);
	ASSERT_EQ(0, getsockname(self->fd, (struct sockaddr *)&a, &len));
	EXPECT_TRUE(addr_is(&a, &self->a1, 2)) TH_LOG("channel %d", a.rc_channel);
	close(holder);
}

TEST_F(sock, bind_addrlen_below_family_einval)
{
	struct sockaddr_rc a = util_rc_addr(&self->a1, self->chan);

	EXPECT_EQ(-1, bind(self->fd, (struct sockaddr *)&a, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, bind(self->fd, (struct sockaddr *)&a, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Refused before the state changes: a proper bind still works. */
	EXPECT_EQ(0, bind(self->fd, (struct sockaddr *)&a, sizeof(a)));
}

/*
 * RFCOMM copies what it is given over a zeroed address: a bind that carries
 * the family only binds BDADDR_ANY, channel 0 (an oddity).
 */
TEST_F(sock, bind_addrlen_family_only_binds_any)
{
	struct sockaddr_rc a = util_rc_addr(&self->a1, self->chan);
	socklen_t len = sizeof(a);

	ASSERT_EQ(0, bind(self->fd, (struct sockaddr *)&a, sizeof(sa_family_t)));
	ASSERT_EQ(0, getsockname(self->fd, (struct sockaddr *)&a, &len));
	EXPECT_TRUE(addr_is(&a, BDADDR_ANY, 0)) TH_LOG("channel %d", a.rc_channel);
}

TEST_F(sock, bind_addrlen_oversized_ok)
{
	struct {
		struct sockaddr_rc a;
		char pad[16];
	} big;
	struct sockaddr_rc a;
	socklen_t len = sizeof(a);

	memset(&big, 0, sizeof(big));
	big.a = util_rc_addr(&self->a1, self->chan);
	ASSERT_EQ(0, bind(self->fd, (struct sockaddr *)&big, sizeof(big)));
	ASSERT_EQ(0, getsockname(self->fd, (struct sockaddr *)&a, &len));
	EXPECT_TRUE(addr_is(&a, &self->a1, self->chan));
}

TEST_F(sock, bind_bad_family_einval)
{
	struct sockaddr_rc a = util_rc_addr(&self->a1, self->chan);

	a.rc_family = AF_INET;
	EXPECT_EQ(-1, bind(self->fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- listen and accept ---- */

TEST_F(sock, listen_unbound_ebadfd)
{
	EXPECT_EQ(-1, listen(self->fd, 1));
	EXPECT_EQ(EBADFD, errno);
}

/* Unlike TCP, a second listen() (to change the backlog) is refused. */
TEST_F(sock, listen_twice_ebadfd)
{
	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	ASSERT_EQ(0, listen(self->fd, 1));
	EXPECT_EQ(-1, listen(self->fd, 5));
	EXPECT_EQ(EBADFD, errno);
}

TEST_F(sock, accept_not_listening_ebadfd)
{
	EXPECT_EQ(-1, accept(self->fd, NULL, NULL));
	EXPECT_EQ(EBADFD, errno);
	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	EXPECT_EQ(-1, accept(self->fd, NULL, NULL));
	EXPECT_EQ(EBADFD, errno);
}

TEST_F(sock, accept_nonblock_eagain)
{
	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	ASSERT_EQ(0, listen(self->fd, 1));
	ASSERT_EQ(0, set_nonblock(self->fd));
	EXPECT_EQ(-1, accept(self->fd, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(sock, accept_rcvtimeo_eagain)
{
	struct timespec t0;
	long ms;

	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	ASSERT_EQ(0, listen(self->fd, 1));
	ASSERT_EQ(0, util_set_timeout_ms(self->fd, SO_RCVTIMEO, 300));
	now(&t0);
	EXPECT_EQ(-1, accept(self->fd, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
	ms = util_ms_since(&t0);
	EXPECT_LE(250, ms);
	EXPECT_GE(3000, ms);
}

struct late_connect {
	int proto;
	bdaddr_t src, dst;
	int chan;
	int delay_ms;
	int fd;		/* the connected client, or -errno */
};

static void *late_connect_thread(void *arg)
{
	struct late_connect *c = arg;

	usleep(c->delay_ms * 1000);
	c->fd = open_client(c->proto, &c->src, &c->dst, c->chan);
	return NULL;
}

TEST_F(sock, accept_blocks_until_connect)
{
	struct late_connect c = { .proto = variant->proto, .src = self->a0,
				  .dst = self->a1, .chan = self->chan,
				  .delay_ms = 300 };
	struct timespec t0;
	pthread_t t;
	int fd;

	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	ASSERT_EQ(0, listen(self->fd, 1));
	ASSERT_EQ(0, util_set_timeout_ms(self->fd, SO_RCVTIMEO, SAFETY_MS));
	ASSERT_EQ(0, pthread_create(&t, NULL, late_connect_thread, &c));
	now(&t0);
	fd = accept(self->fd, NULL, NULL);
	EXPECT_LE(0, fd) TH_LOG("accept: %s", strerror(errno));
	EXPECT_LE(250, util_ms_since(&t0));
	pthread_join(t, NULL);
	EXPECT_LE(0, c.fd) TH_LOG("connect: %s", strerror(-c.fd));
	if (fd >= 0)
		close(fd);
	if (c.fd >= 0)
		close(c.fd);
}

TEST_F(sock, accept4_sets_nonblock_cloexec)
{
	int cfd, fd;

	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	ASSERT_EQ(0, listen(self->fd, 1));
	ASSERT_EQ(0, util_set_timeout_ms(self->fd, SO_RCVTIMEO, SAFETY_MS));
	cfd = open_client(variant->proto, &self->a0, &self->a1, self->chan);
	ASSERT_LE(0, cfd) TH_LOG("connect: %s", strerror(-cfd));
	fd = accept4(self->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("accept4: %s", strerror(errno));
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* The accepted socket is a stream socket of the same protocol. */
	EXPECT_EQ(SOCK_STREAM, get_int_opt(fd, SOL_SOCKET, SO_TYPE));
	EXPECT_EQ(variant->proto, get_int_opt(fd, SOL_SOCKET, SO_PROTOCOL));
	EXPECT_EQ(RFCOMM_DEFAULT_BUF, get_int_opt(fd, SOL_SOCKET, SO_SNDBUF));
	EXPECT_EQ(RFCOMM_DEFAULT_BUF, get_int_opt(fd, SOL_SOCKET, SO_RCVBUF));
	close(fd);
	close(cfd);
}

TEST_F(sock, accept_returns_peer_address)
{
	struct sockaddr_rc a;
	socklen_t len = sizeof(a) + 4;
	int cfd, fd;
	char s[18];

	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	ASSERT_EQ(0, listen(self->fd, 1));
	ASSERT_EQ(0, util_set_timeout_ms(self->fd, SO_RCVTIMEO, SAFETY_MS));
	cfd = open_client(variant->proto, &self->a0, &self->a1, self->chan);
	ASSERT_LE(0, cfd) TH_LOG("connect: %s", strerror(-cfd));
	memset(&a, 0x55, sizeof(a));
	fd = accept(self->fd, (struct sockaddr *)&a, &len);
	ASSERT_LE(0, fd) TH_LOG("accept: %s", strerror(errno));
	EXPECT_EQ(sizeof(a), len);
	EXPECT_TRUE(addr_is(&a, &self->a0, self->chan))
		TH_LOG("got %s channel %d", ba_str(&a.rc_bdaddr, s), a.rc_channel);
	close(fd);
	close(cfd);
}

TEST_F(sock, listener_poll_pollin_when_pending)
{
	int cfd, fd;

	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	ASSERT_EQ(0, listen(self->fd, 1));
	EXPECT_EQ(0, poll_mask(self->fd));
	cfd = open_client(variant->proto, &self->a0, &self->a1, self->chan);
	ASSERT_LE(0, cfd) TH_LOG("connect: %s", strerror(-cfd));
	EXPECT_EQ(IN_MASK, wait_mask(self->fd, POLLIN, 2000));
	ASSERT_EQ(0, set_nonblock(self->fd));
	fd = accept(self->fd, NULL, NULL);
	ASSERT_LE(0, fd) TH_LOG("accept: %s", strerror(errno));
	EXPECT_EQ(0, poll_mask(self->fd));
	close(fd);
	close(cfd);
}

TEST_F(sock, ioctl_queues_on_listener_einval)
{
	int v;

	ASSERT_EQ(0, do_bind(self->fd, &self->a1, self->chan));
	ASSERT_EQ(0, listen(self->fd, 1));
	EXPECT_EQ(-1, ioctl(self->fd, TIOCINQ, &v));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, TIOCOUTQ, &v));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- Unconnected sockets ---- */

/* Unlike TCP, an unconnected RFCOMM socket polls writable, without HUP. */
TEST_F(sock, poll_unconnected_pollout)
{
	EXPECT_EQ(OUT_MASK, poll_mask(self->fd));
	ASSERT_EQ(0, do_bind(self->fd, &self->a0, 0));
	EXPECT_EQ(OUT_MASK, poll_mask(self->fd));
}

/* recv() on an unconnected socket waits for data instead of ENOTCONN. */
TEST_F(sock, recv_unconnected_dontwait_eagain)
{
	char c;

	EXPECT_EQ(-1, recv(self->fd, &c, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(sock, send_unconnected_enotconn)
{
	EXPECT_EQ(-1, send(self->fd, "x", 1, MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
}

/*
 * shutdown() of an unconnected socket succeeds (TCP says ENOTCONN) and
 * marks it shut down both ways: recv returns 0, send fails with EPIPE.
 */
TEST_F(sock, shutdown_unconnected_succeeds)
{
	char c;

	EXPECT_EQ(0, shutdown(self->fd, SHUT_RDWR));
	EXPECT_EQ(POLLRDHUP | IN_MASK | POLLHUP | OUT_MASK, poll_mask(self->fd));
	EXPECT_EQ(0, recv(self->fd, &c, 1, MSG_DONTWAIT));
	EXPECT_EQ(-1, send(self->fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
}

/* ---- connect ---- */

TEST_F(sock, connect_addrlen_short_einval)
{
	struct sockaddr_rc a = util_rc_addr(&self->a1, self->chan);

	EXPECT_EQ(-1, connect(self->fd, (struct sockaddr *)&a, sizeof(a) - 1));
	EXPECT_EQ(EINVAL, errno);
	/* Refused before the state changes: the socket can still bind. */
	EXPECT_EQ(0, do_bind(self->fd, &self->a0, 0));
}

TEST_F(sock, connect_bad_family_einval)
{
	struct sockaddr_rc a = util_rc_addr(&self->a1, self->chan);

	a.rc_family = AF_INET;
	EXPECT_EQ(-1, connect(self->fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * Channels are 1..30. A connect to channel 0 fails with EINVAL, but only
 * after the socket has entered the connecting state, where it stays: a
 * later connect or bind fails with EBADFD and poll reports nothing.
 */
TEST_F(sock, connect_channel_0_einval_then_ebadfd)
{
	EXPECT_EQ(-1, do_connect(self->fd, &self->a1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, poll_mask(self->fd));
	EXPECT_EQ(-1, do_connect(self->fd, &self->a1, self->chan));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(-1, do_bind(self->fd, &self->a0, 0));
	EXPECT_EQ(EBADFD, errno);
}

/* A blocking connect returns once the DLC is up: connected at once. */
TEST_F(sock, connect_blocking_connected_on_return)
{
	int keep[2], kfd = keep_session(variant->proto, &self->a0, &self->a1, keep);
	int lfd = open_listener(variant->proto, &self->a1, self->chan, 1);
	struct rfcomm_conninfo ci;
	socklen_t len = sizeof(ci);
	int fd;

	ASSERT_LE(0, kfd) TH_LOG("session keeper: %s", strerror(-kfd));
	ASSERT_LE(0, lfd) TH_LOG("listener: %s", strerror(-lfd));
	ASSERT_EQ(0, do_bind(self->fd, &self->a0, 0));
	ASSERT_EQ(0, util_set_timeout_ms(self->fd, SO_SNDTIMEO, SAFETY_MS));
	ASSERT_EQ(0, do_connect(self->fd, &self->a1, self->chan))
		TH_LOG("connect: %s", strerror(errno));
	EXPECT_EQ(OUT_MASK, poll_mask(self->fd));
	EXPECT_EQ(0, get_int_opt(self->fd, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(0, getsockopt(self->fd, SOL_RFCOMM, RFCOMM_CONNINFO, &ci, &len));
	fd = accept(lfd, NULL, NULL);
	EXPECT_LE(0, fd) TH_LOG("accept: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	close(lfd);
	drop_session_keeper(kfd, keep);
}

/* The peer answers DM for a channel nobody listens on. */
TEST_F(sock, connect_no_listener_econnrefused)
{
	int keep[2], kfd = keep_session(variant->proto, &self->a0, &self->a1, keep);

	ASSERT_LE(0, kfd) TH_LOG("session keeper: %s", strerror(-kfd));
	ASSERT_EQ(0, do_bind(self->fd, &self->a0, 0));
	ASSERT_EQ(0, util_set_timeout_ms(self->fd, SO_SNDTIMEO, SAFETY_MS));
	EXPECT_EQ(-1, do_connect(self->fd, &self->a1, self->chan));
	EXPECT_EQ(ECONNREFUSED, errno);
	/* The error was returned, so it is no longer pending. */
	EXPECT_EQ(0, get_int_opt(self->fd, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(POLLHUP | OUT_MASK, poll_mask(self->fd));
	/* A refused socket cannot try again. */
	EXPECT_EQ(-1, do_connect(self->fd, &self->a1, self->chan));
	EXPECT_EQ(EBADFD, errno);
	drop_session_keeper(kfd, keep);
}

TEST_F(sock, connect_nonblock_no_listener_so_error)
{
	int keep[2], kfd = keep_session(variant->proto, &self->a0, &self->a1, keep);
	int m;

	ASSERT_LE(0, kfd) TH_LOG("session keeper: %s", strerror(-kfd));
	ASSERT_EQ(0, do_bind(self->fd, &self->a0, 0));
	ASSERT_EQ(0, set_nonblock(self->fd));
	EXPECT_EQ(-1, do_connect(self->fd, &self->a1, self->chan));
	ASSERT_EQ(EINPROGRESS, errno);
	m = wait_mask(self->fd, POLLHUP | POLLERR, SAFETY_MS);
	EXPECT_EQ(POLLERR | POLLHUP | OUT_MASK, m);
	EXPECT_EQ(ECONNREFUSED, get_int_opt(self->fd, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(0, get_int_opt(self->fd, SOL_SOCKET, SO_ERROR));
	drop_session_keeper(kfd, keep);
}

/* True when the running kernel is version major.minor. */
static bool kernel_is(int major, int minor)
{
	struct utsname u;
	int ma, mi;

	return uname(&u) == 0 && sscanf(u.release, "%d.%d", &ma, &mi) == 2 &&
		ma == major && mi == minor;
}

/*
 * Paging an address nobody answers: btvirt reports the page timeout at
 * once (a real controller takes ~5 s), and the connect fails EHOSTDOWN.
 * On Debian's 6.1 kernel the failed session's teardown then hits a kernel
 * BUG (list_del corruption in hci_chan_del() from rfcomm_session_del() in
 * krfcommd), which kills RFCOMM for the rest of the run: skipped there.
 */
TEST_F_TIMEOUT(sock, connect_unknown_peer_ehostdown, 60)
{
	struct timespec t0;
	int m;

	if (kernel_is(6, 1))
		SKIP(return, "6.1's Bluetooth crashes (list_del corruption in hci_chan_del) after an RFCOMM connect to an absent peer");
	ASSERT_EQ(0, do_bind(self->fd, &self->a0, 0));
	ASSERT_EQ(0, set_nonblock(self->fd));
	now(&t0);
	EXPECT_EQ(-1, do_connect(self->fd, &nobody, self->chan));
	ASSERT_EQ(EINPROGRESS, errno);
	m = wait_mask(self->fd, POLLHUP | POLLERR, 30000);
	TH_LOG("connect to an absent peer failed after %ld ms", util_ms_since(&t0));
	EXPECT_EQ(POLLERR | POLLHUP | OUT_MASK, m);
	EXPECT_EQ(EHOSTDOWN, get_int_opt(self->fd, SOL_SOCKET, SO_ERROR));
}

/*
 * Over a session that is already up, RFCOMM may finish the DLC handshake
 * before a non-blocking connect() looks at the state again, and then
 * returns 0 instead of EINPROGRESS: both are RFCOMM's answers.
 */
static bool connect_started(int ret, int err)
{
	return ret == 0 || (ret == -1 && err == EINPROGRESS);
}

TEST_F(sock, connect_nonblock_inprogress_then_pollout)
{
	int keep[2], kfd = keep_session(variant->proto, &self->a0, &self->a1, keep);
	struct sockaddr_rc a;
	socklen_t len = sizeof(a);
	int lfd, fd, m, ret;

	ASSERT_LE(0, kfd) TH_LOG("session keeper: %s", strerror(-kfd));
	lfd = open_listener(variant->proto, &self->a1, self->chan, 1);
	ASSERT_LE(0, lfd) TH_LOG("listener: %s", strerror(-lfd));
	ASSERT_EQ(0, do_bind(self->fd, &self->a0, 0));
	ASSERT_EQ(0, set_nonblock(self->fd));
	ret = do_connect(self->fd, &self->a1, self->chan);
	ASSERT_TRUE(connect_started(ret, errno))
		TH_LOG("connect: %d %s", ret, strerror(errno));
	m = wait_mask(self->fd, POLLOUT | POLLERR | POLLHUP, SAFETY_MS);
	EXPECT_EQ(OUT_MASK, m);
	EXPECT_EQ(0, get_int_opt(self->fd, SOL_SOCKET, SO_ERROR));
	ASSERT_EQ(0, getpeername(self->fd, (struct sockaddr *)&a, &len));
	EXPECT_TRUE(addr_is(&a, &self->a1, self->chan));
	fd = accept(lfd, NULL, NULL);
	EXPECT_LE(0, fd) TH_LOG("accept: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	close(lfd);
	drop_session_keeper(kfd, keep);
}

/*
 * A second connect while the first is under way, or done: EBADFD, not
 * EALREADY or EISCONN.
 */
TEST_F(sock, connect_again_while_connecting_ebadfd)
{
	int lfd = open_listener(variant->proto, &self->a1, self->chan, 1);
	int ret;

	ASSERT_LE(0, lfd) TH_LOG("listener: %s", strerror(-lfd));
	ASSERT_EQ(0, do_bind(self->fd, &self->a0, 0));
	ASSERT_EQ(0, set_nonblock(self->fd));
	ret = do_connect(self->fd, &self->a1, self->chan);
	ASSERT_TRUE(connect_started(ret, errno))
		TH_LOG("connect: %d %s", ret, strerror(errno));
	EXPECT_EQ(-1, do_connect(self->fd, &self->a1, self->chan));
	EXPECT_EQ(EBADFD, errno);
	close(lfd);
}

/*
 * An unbound client takes the route's controller (hci0, the one that is
 * not the destination). Its getsockname() shows the remote channel: RFCOMM
 * keeps one channel per socket and connect() overwrites it (an oddity).
 */
TEST_F(sock, connect_unbound_takes_route_and_peer_channel)
{
	int keep[2], kfd = keep_session(variant->proto, &self->a0, &self->a1, keep);
	int lfd = open_listener(variant->proto, &self->a1, self->chan, 1);
	struct sockaddr_rc a;
	socklen_t len = sizeof(a);
	char s[18];

	ASSERT_LE(0, kfd) TH_LOG("session keeper: %s", strerror(-kfd));
	ASSERT_LE(0, lfd) TH_LOG("listener: %s", strerror(-lfd));
	ASSERT_EQ(0, util_set_timeout_ms(self->fd, SO_SNDTIMEO, SAFETY_MS));
	ASSERT_EQ(0, do_connect(self->fd, &self->a1, self->chan))
		TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ(0, getsockname(self->fd, (struct sockaddr *)&a, &len));
	EXPECT_TRUE(addr_is(&a, &self->a0, self->chan))
		TH_LOG("got %s channel %d", ba_str(&a.rc_bdaddr, s), a.rc_channel);
	close(lfd);
	drop_session_keeper(kfd, keep);
}

/* ---- Many connections at once ---- */

#define NCONN		UTIL_RFCOMM_MAX_CHANNEL
#define NCONN_BYTES	1000

/*
 * RFCOMM allows 30 DLCs per session in each direction: 30 listeners on
 * hci1, channels 1..30, each with a client from hci0, all carrying data
 * both ways at the same time.
 *
 * 1000 bytes each way per connection, not more: with 4000 (120 KB in
 * flight each way at once) the virtual controllers lose frames. Plain
 * RFCOMM then misses data (the read times out; 2 of 3 runs with three
 * controllers) and rfsec reports EBADMSG for the damaged records. BlueZ's
 * emulator drops packets when its socket buffer is full (fixed upstream
 * in 2026, after Debian 12's bluez 5.66); the loss is below both.
 */
TEST_F_TIMEOUT(sock, connections_30_concurrent, 120)
{
	int lfd[NCONN], cfd[NCONN], sfd[NCONN];
	unsigned char out[NCONN_BYTES], in[NCONN_BYTES];
	int i;

	for (i = 0; i < NCONN; i++)
		lfd[i] = cfd[i] = sfd[i] = -1;
	for (i = 0; i < NCONN; i++) {
		lfd[i] = open_listener(variant->proto, &self->a1, i + 1, 1);
		ASSERT_LE(0, lfd[i]) TH_LOG("listener %d: %s", i + 1,
					    strerror(-lfd[i]));
	}
	for (i = 0; i < NCONN; i++) {
		/* Retries while an earlier test's DLC here is still closing. */
		cfd[i] = open_client(variant->proto, &self->a0, &self->a1, i + 1);
		ASSERT_LE(0, cfd[i]) TH_LOG("connect %d: %s", i + 1,
					    strerror(-cfd[i]));
		sfd[i] = accept(lfd[i], NULL, NULL);
		ASSERT_LE(0, sfd[i]) TH_LOG("accept %d: %s", i + 1,
					    strerror(errno));
		ASSERT_EQ(0, bound_io(cfd[i]));
		ASSERT_EQ(0, bound_io(sfd[i]));
	}
	/* Everything written first (it fits in the buffers), then read. */
	for (i = 0; i < NCONN; i++) {
		fill_pattern(out, sizeof(out), i);
		ASSERT_EQ(0, util_write_all(cfd[i], out, sizeof(out), CHUNK));
		fill_pattern(out, sizeof(out), 100 + i);
		ASSERT_EQ(0, util_write_all(sfd[i], out, sizeof(out), CHUNK));
	}
	for (i = 0; i < NCONN; i++) {
		fill_pattern(out, sizeof(out), i);
		ASSERT_EQ(0, util_read_all(sfd[i], in, sizeof(in)))
			TH_LOG("server %d", i + 1);
		EXPECT_EQ(0, memcmp(in, out, sizeof(in))) TH_LOG("server %d", i + 1);
		fill_pattern(out, sizeof(out), 100 + i);
		ASSERT_EQ(0, util_read_all(cfd[i], in, sizeof(in)))
			TH_LOG("client %d", i + 1);
		EXPECT_EQ(0, memcmp(in, out, sizeof(in))) TH_LOG("client %d", i + 1);
	}
	/*
	 * Every server sees its client's close before this test ends, so the
	 * next test does not meet a DLC still closing on these channels.
	 */
	for (i = 0; i < NCONN; i++)
		close(cfd[i]);
	for (i = 0; i < NCONN; i++) {
		EXPECT_TRUE(wait_mask(sfd[i], POLLHUP, SAFETY_MS) & POLLHUP)
			TH_LOG("server %d saw no close", i + 1);
		close(sfd[i]);
		close(lfd[i]);
	}
}

/* ---- A connected pair: addresses and options ---- */

/*
 * Both ends name the listening channel: the server because the DLC is on it,
 * the client because connect() stored the remote channel as its own.
 */
TEST_F(pair, names_on_both_ends)
{
	struct { int fd; bool peer; const bdaddr_t *ba; const char *what; } c[] = {
		{ self->client, false, &self->a0, "client getsockname" },
		{ self->client, true, &self->a1, "client getpeername" },
		{ self->server, false, &self->a1, "server getsockname" },
		{ self->server, true, &self->a0, "server getpeername" },
	};
	struct sockaddr_rc a;
	socklen_t len;
	char s[18];

	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		len = sizeof(a) + 4;
		memset(&a, 0x55, sizeof(a));
		if (c[i].peer) {
			ASSERT_EQ(0, getpeername(c[i].fd, (struct sockaddr *)&a, &len));
		} else {
			ASSERT_EQ(0, getsockname(c[i].fd, (struct sockaddr *)&a, &len));
		}
		EXPECT_EQ(sizeof(a), len);
		EXPECT_TRUE(addr_is(&a, c[i].ba, self->chan))
			TH_LOG("%s: %s channel %d", c[i].what,
			       ba_str(&a.rc_bdaddr, s), a.rc_channel);
	}
}

TEST_F(pair, connect_when_connected_ebadfd)
{
	EXPECT_EQ(-1, do_connect(self->client, &self->a1, self->chan));
	EXPECT_EQ(EBADFD, errno);
}

TEST_F(pair, so_error_zero_and_acceptconn_clear)
{
	EXPECT_EQ(0, get_int_opt(self->client, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(0, get_int_opt(self->server, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(0, get_int_opt(self->server, SOL_SOCKET, SO_ACCEPTCONN));
}

/* The accepted socket inherits the listener's security level. */
TEST_F(pair, accepted_inherits_security_level)
{
	int lfd, cfd, fd, chan = util_next_channel();

	EXPECT_EQ(BT_SECURITY_LOW, get_sec_level(self->server));
	lfd = socket(AF_BLUETOOTH, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, do_bind(lfd, &self->a1, chan));
	ASSERT_EQ(0, set_sec_level(lfd, BT_SECURITY_SDP));
	ASSERT_EQ(0, listen(lfd, 1));
	ASSERT_EQ(0, util_set_timeout_ms(lfd, SO_RCVTIMEO, SAFETY_MS));
	cfd = open_client(variant->proto, &self->a0, &self->a1, chan);
	ASSERT_LE(0, cfd) TH_LOG("connect: %s", strerror(-cfd));
	fd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, fd) TH_LOG("accept: %s", strerror(errno));
	EXPECT_EQ(BT_SECURITY_SDP, get_sec_level(fd));
	EXPECT_EQ(BT_SECURITY_LOW, get_sec_level(cfd));
	close(fd);
	close(cfd);
	close(lfd);
}

/* The ACL handle of this link as the controller dev_id reports it. */
static int link_handle(int dev_id, const bdaddr_t *peer)
{
	struct hci_conn_info_req *req;
	int dd = hci_open_dev(dev_id), handle = -1;

	if (dd < 0)
		return -1;
	req = calloc(1, sizeof(*req) + sizeof(struct hci_conn_info));
	if (req) {
		bacpy(&req->bdaddr, peer);
		req->type = ACL_LINK;
		if (ioctl(dd, HCIGETCONNINFO, req) == 0)
			handle = req->conn_info->handle;
		free(req);
	}
	hci_close_dev(dd);
	return handle;
}

/* RFCOMM_CONNINFO names the ACL link under the DLC, on either end. */
TEST_F(pair, conninfo_names_acl_handle)
{
	struct rfcomm_conninfo ci;
	socklen_t len;
	int h0 = link_handle(0, &self->a1), h1 = link_handle(1, &self->a0);

	ASSERT_LE(0, h0);
	ASSERT_LE(0, h1);
	memset(&ci, 0x55, sizeof(ci));
	len = sizeof(ci);
	ASSERT_EQ(0, getsockopt(self->client, SOL_RFCOMM, RFCOMM_CONNINFO,
				&ci, &len));
	EXPECT_EQ(h0, ci.hci_handle);
	EXPECT_EQ(sizeof(ci), len);
	TH_LOG("client: handle %d class %02x%02x%02x", ci.hci_handle,
	       ci.dev_class[2], ci.dev_class[1], ci.dev_class[0]);
	memset(&ci, 0x55, sizeof(ci));
	len = sizeof(ci);
	ASSERT_EQ(0, getsockopt(self->server, SOL_RFCOMM, RFCOMM_CONNINFO,
				&ci, &len));
	EXPECT_EQ(h1, ci.hci_handle);
	TH_LOG("server: handle %d class %02x%02x%02x", ci.hci_handle,
	       ci.dev_class[2], ci.dev_class[1], ci.dev_class[0]);
}

/* TIOCOUTQ reports free space in the send buffer, not bytes queued. */
TEST_F(pair, ioctl_outq_reports_free_space)
{
	int v = -1;

	ASSERT_EQ(0, ioctl(self->client, TIOCOUTQ, &v));
	EXPECT_EQ(RFCOMM_DEFAULT_BUF, v);
	ASSERT_EQ(0, ioctl(self->server, TIOCOUTQ, &v));
	EXPECT_EQ(RFCOMM_DEFAULT_BUF, v);
	ASSERT_EQ(0, ioctl(self->server, TIOCINQ, &v));
	EXPECT_EQ(0, v);
}

/* ---- Data ---- */

static int wait_readable(int fd, int ms)
{
	return wait_mask(fd, POLLIN | POLLERR | POLLHUP, ms) & POLLIN;
}

/* Sizes kernel RFCOMM writes in one call on this bench, both ways. */
TEST_F(pair, send_sizes_intact)
{
	static const size_t sizes[] = { 1, 2, 100, 127, 1000, 1024, 4096, 8192 };
	unsigned char out[8192], in[8192];

	for (int dir = 0; dir < 2; dir++) {
		int tx = dir ? self->server : self->client;
		int rx = dir ? self->client : self->server;

		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
			fill_pattern(out, sizes[i], i + 10 * dir);
			ASSERT_EQ((ssize_t)sizes[i], write(tx, out, sizes[i]))
				TH_LOG("write(%zu): %s", sizes[i], strerror(errno));
			ASSERT_EQ(0, util_read_all(rx, in, sizes[i]))
				TH_LOG("read %zu", sizes[i]);
			EXPECT_EQ(0, memcmp(in, out, sizes[i]))
				TH_LOG("size %zu dir %d", sizes[i], dir);
		}
	}
}

struct drain {
	int fd;
	unsigned char *buf;
	size_t cap;
	size_t got;
	size_t want;	/* what the writer wrote, once done is set */
	bool done;
	int err;
};

/* Reads until the writer is done and want bytes arrived, or stalls. */
static void *drain_thread(void *arg)
{
	struct drain *d = arg;
	struct timespec progress;

	now(&progress);
	while (!__atomic_load_n(&d->done, __ATOMIC_ACQUIRE) || d->got < d->want) {
		ssize_t n;

		if (util_ms_since(&progress) > SAFETY_MS) {
			d->err = -ETIMEDOUT;
			break;
		}
		if (!wait_readable(d->fd, 100))
			continue;
		n = recv(d->fd, d->buf + d->got, d->cap - d->got, MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0) {
			d->err = n < 0 ? -errno : -EPIPE;
			break;
		}
		d->got += n;
		now(&progress);
	}
	return NULL;
}

/*
 * Single writes of 16 KiB and more. Kernel RFCOMM stalls on the larger
 * ones: bt_skb_sendmmsg() builds the whole write as MTU-sized skbs charged
 * to sk_sndbuf before queueing any, so a write whose skbs outweigh the send
 * buffer waits on itself until SO_SNDTIMEO (30 s by default) and returns
 * short. Here that is any write above 23 frames of 1016 bytes (23 skbs of
 * about 2.2 kB truesize fill the 50800-byte buffer): 16384 completes,
 * 32768 and 65536 return 23368. A differential assertion cannot pass for
 * RFCOMM; this test records what RFCOMM does (and SKIPs with it) and
 * requires rfsec to complete each write.
 */
#define LARGE_WRITE_TIMEO_MS	3000
TEST_F_TIMEOUT(pair, large_write_completes, 90)
{
	static const size_t sizes[] = { 16384, 32768, 65536 };
	size_t total = 16384 + 32768 + 65536, sent = 0;
	unsigned char *out = malloc(total);
	struct drain d = { .fd = self->server, .buf = malloc(total),
			   .cap = total };
	char report[512] = "";
	bool short_write = false;
	struct timespec t0;
	pthread_t t;

	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, d.buf);
	fill_pattern(out, total, 7);
	ASSERT_EQ(0, util_set_timeout_ms(self->client, SO_SNDTIMEO,
				    LARGE_WRITE_TIMEO_MS));
	ASSERT_EQ(0, pthread_create(&t, NULL, drain_thread, &d));
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		ssize_t n;
		long ms;

		now(&t0);
		n = write(self->client, out + sent, sizes[i]);
		ms = util_ms_since(&t0);
		snprintf(report + strlen(report), sizeof(report) - strlen(report),
			 "%swrite(%zu) = %zd%s%s in %ld ms", i ? "; " : "",
			 sizes[i], n, n < 0 ? " " : "",
			 n < 0 ? strerror(errno) : "", ms);
		if (n > 0)
			sent += n;
		if (n != (ssize_t)sizes[i])
			short_write = true;
	}
	d.want = sent;
	__atomic_store_n(&d.done, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	TH_LOG("%s", report);
	EXPECT_EQ(0, d.err);
	EXPECT_EQ(sent, d.got);
	EXPECT_EQ(0, memcmp(d.buf, out, d.got < sent ? d.got : sent));
	free(out);
	free(d.buf);
	if (short_write && variant->proto == BTPROTO_RFCOMM)
		SKIP(return, "kernel RFCOMM stalls on large writes: %s", report);
	EXPECT_FALSE(short_write) TH_LOG("%s", report);
}

struct bulk_sender {
	int fd;
	size_t len;
	size_t chunk;
	unsigned char md[EVP_MAX_MD_SIZE];
	int err;
};

/* Writes len bytes of a known pattern and hashes what it wrote. */
static void *bulk_send_thread(void *arg)
{
	struct bulk_sender *s = arg;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536];
	size_t left = s->len;
	unsigned int seed = 1;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while (left && !s->err) {
		size_t n = left < sizeof(buf) ? left : sizeof(buf);

		fill_pattern(buf, n, seed++);
		EVP_DigestUpdate(ctx, buf, n);
		s->err = util_write_all(s->fd, buf, n, s->chunk);
		left -= n;
	}
	EVP_DigestFinal_ex(ctx, s->md, NULL);
	EVP_MD_CTX_free(ctx);
	return NULL;
}

/* Reads len bytes and hashes them; 0 or -errno. */
static int bulk_receive(int fd, size_t len, unsigned char *md)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536];
	int err = 0;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while (len) {
		ssize_t n = read(fd, buf, len < sizeof(buf) ? len : sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EPIPE;
			break;
		}
		EVP_DigestUpdate(ctx, buf, n);
		len -= n;
	}
	EVP_DigestFinal_ex(ctx, md, NULL);
	EVP_MD_CTX_free(ctx);
	return err;
}

/*
 * A bulk transfer from hci0 to hci1 in 1000-byte writes, 1 MiB in make
 * check and 16 MiB in make soak (RFSEC_SOAK): the receiver answers with the
 * SHA-256 of what it got before anyone closes (closing right after the
 * last write can drop what RFCOMM still has queued).
 */
TEST_F_TIMEOUT(pair, bulk_transfer_intact, 150)
{
	struct bulk_sender s = { .fd = self->client,
				 .len = getenv("RFSEC_SOAK") ? 16 << 20 : 1 << 20,
				 .chunk = CHUNK };
	unsigned char got[EVP_MAX_MD_SIZE], ack[32];
	struct timespec t0;
	pthread_t t;
	int err;

	now(&t0);
	ASSERT_EQ(0, pthread_create(&t, NULL, bulk_send_thread, &s));
	err = bulk_receive(self->server, s.len, got);
	pthread_join(t, NULL);
	ASSERT_EQ(0, s.err) TH_LOG("send: %s", strerror(-s.err));
	ASSERT_EQ(0, err) TH_LOG("receive: %s", strerror(-err));
	TH_LOG("%zu KiB in %ld ms", (size_t)s.len >> 10, util_ms_since(&t0));
	ASSERT_EQ(0, util_write_all(self->server, got, 32, CHUNK));
	ASSERT_EQ(0, util_read_all(self->client, ack, 32));
	EXPECT_EQ(0, memcmp(ack, s.md, 32));
}

/* Reads r->len bytes into r->md's hash (chunk unused), as bulk_receive. */
static void *bulk_receive_thread(void *arg)
{
	struct bulk_sender *r = arg;

	r->err = bulk_receive(r->fd, r->len, r->md);
	return NULL;
}

/*
 * Full duplex: 256 KiB each way at the same time, each direction read by
 * its own thread. Read one after the other, the second sender stalls on
 * flow control for as long as the first direction takes, and on a slow
 * (debug) kernel that outlasts its SO_SNDTIMEO, on plain RFCOMM too.
 */
TEST_F_TIMEOUT(pair, both_directions_at_once, 60)
{
	struct bulk_sender up = { .fd = self->client, .len = 256 << 10,
				  .chunk = CHUNK };
	struct bulk_sender down = { .fd = self->server, .len = 256 << 10,
				    .chunk = CHUNK };
	struct bulk_sender rup = { .fd = self->server, .len = up.len };
	struct bulk_sender rdown = { .fd = self->client, .len = down.len };
	pthread_t t[4];

	ASSERT_EQ(0, pthread_create(&t[0], NULL, bulk_send_thread, &up));
	ASSERT_EQ(0, pthread_create(&t[1], NULL, bulk_send_thread, &down));
	ASSERT_EQ(0, pthread_create(&t[2], NULL, bulk_receive_thread, &rup));
	ASSERT_EQ(0, pthread_create(&t[3], NULL, bulk_receive_thread, &rdown));
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, rup.err) TH_LOG("receive up: %s", strerror(-rup.err));
	EXPECT_EQ(0, rdown.err) TH_LOG("receive down: %s", strerror(-rdown.err));
	ASSERT_EQ(0, up.err) TH_LOG("send up: %s", strerror(-up.err));
	ASSERT_EQ(0, down.err) TH_LOG("send down: %s", strerror(-down.err));
	EXPECT_EQ(0, memcmp(rup.md, up.md, 32));
	EXPECT_EQ(0, memcmp(rdown.md, down.md, 32));
}

TEST_F(pair, small_writes_one_waitall_read)
{
	unsigned char out[1000], in[1000];

	fill_pattern(out, sizeof(out), 3);
	for (int i = 0; i < 100; i++)
		ASSERT_EQ(10, write(self->client, out + 10 * i, 10));
	ASSERT_EQ(1000, recv(self->server, in, sizeof(in), MSG_WAITALL));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
}

TEST_F(pair, writev_readv_intact)
{
	char a[] = "abc", b[] = "defgh", c[] = "ij";
	struct iovec out[] = { { a, 3 }, { b, 5 }, { c, 2 } };
	char x[4], y[6];
	struct iovec in[] = { { x, 4 }, { y, 6 } };

	ASSERT_EQ(10, writev(self->client, out, 3));
	ASSERT_TRUE(wait_readable(self->server, SAFETY_MS));
	ASSERT_EQ(10, readv(self->server, in, 2));
	EXPECT_EQ(0, memcmp(x, "abcd", 4));
	EXPECT_EQ(0, memcmp(y, "efghij", 6));
}

/* Without MSG_WAITALL a read returns what is there. */
TEST_F(pair, recv_returns_what_is_there)
{
	char buf[1000] = "";

	ASSERT_EQ(100, write(self->client, buf, 100));
	ASSERT_TRUE(wait_readable(self->server, SAFETY_MS));
	EXPECT_EQ(100, recv(self->server, buf, sizeof(buf), 0));
}

TEST_F(pair, recv_short_reads_in_order)
{
	unsigned char out[100], in[10];

	fill_pattern(out, sizeof(out), 4);
	ASSERT_EQ(100, write(self->client, out, sizeof(out)));
	ASSERT_TRUE(wait_readable(self->server, SAFETY_MS));
	for (int i = 0; i < 10; i++) {
		ASSERT_EQ(10, recv(self->server, in, 10, 0));
		EXPECT_EQ(0, memcmp(in, out + 10 * i, 10)) TH_LOG("read %d", i);
	}
	EXPECT_EQ(-1, recv(self->server, in, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(pair, recv_peek_then_read)
{
	char buf[16];

	ASSERT_EQ(5, write(self->client, "hello", 5));
	ASSERT_TRUE(wait_readable(self->server, SAFETY_MS));
	ASSERT_EQ(5, recv(self->server, buf, sizeof(buf), MSG_PEEK));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	ASSERT_EQ(3, recv(self->server, buf, 3, MSG_PEEK));
	EXPECT_EQ(0, memcmp(buf, "hel", 3));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(5, recv(self->server, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(-1, recv(self->server, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
}

/*
 * Each of the peer's writes (up to the MTU) arrives as one frame, and
 * MSG_PEEK and TIOCINQ see one frame only, even with more queued and even
 * with MSG_WAITALL; a plain read takes all of them.
 */
TEST_F(pair, recv_peek_stops_at_write_boundary)
{
	char buf[256] = "";

	ASSERT_EQ(100, write(self->client, buf, 100));
	ASSERT_EQ(50, write(self->client, buf, 50));
	ASSERT_TRUE(wait_readable(self->server, SAFETY_MS));
	settle();
	EXPECT_EQ(100, recv(self->server, buf, sizeof(buf), MSG_PEEK));
	EXPECT_EQ(100, recv(self->server, buf, sizeof(buf),
			    MSG_PEEK | MSG_WAITALL));
	EXPECT_EQ(150, recv(self->server, buf, sizeof(buf), 0));
}

TEST_F(pair, ioctl_inq_counts_first_write_only)
{
	char buf[256] = "";
	int v = -1;

	ASSERT_EQ(100, write(self->client, buf, 100));
	ASSERT_EQ(50, write(self->client, buf, 50));
	ASSERT_TRUE(wait_readable(self->server, SAFETY_MS));
	settle();
	ASSERT_EQ(0, ioctl(self->server, TIOCINQ, &v));
	EXPECT_EQ(100, v);
	ASSERT_EQ(30, recv(self->server, buf, 30, 0));
	ASSERT_EQ(0, ioctl(self->server, TIOCINQ, &v));
	EXPECT_EQ(70, v);
	ASSERT_EQ(70, recv(self->server, buf, 70, 0));
	ASSERT_EQ(0, ioctl(self->server, TIOCINQ, &v));
	EXPECT_EQ(50, v);
}

TEST_F(pair, recv_dontwait_empty_eagain)
{
	char c;

	EXPECT_EQ(-1, recv(self->server, &c, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, recv(self->client, &c, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(pair, recv_rcvtimeo_eagain)
{
	struct timespec t0;
	char c;
	long ms;

	ASSERT_EQ(0, util_set_timeout_ms(self->server, SO_RCVTIMEO, 300));
	now(&t0);
	EXPECT_EQ(-1, recv(self->server, &c, 1, 0));
	EXPECT_EQ(EAGAIN, errno);
	ms = util_ms_since(&t0);
	EXPECT_LE(250, ms);
	EXPECT_GE(3000, ms);
}

/*
 * A zero-length read does not return 0 at once: it waits for data like a
 * one-byte read (EAGAIN when non-blocking), then returns 0 and leaves the
 * data queued.
 */
TEST_F(pair, recv_zero_length_waits_for_data)
{
	char buf[4];

	EXPECT_EQ(-1, recv(self->server, buf, 0, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(3, write(self->client, "abc", 3));
	ASSERT_TRUE(wait_readable(self->server, SAFETY_MS));
	EXPECT_EQ(0, recv(self->server, buf, 0, MSG_DONTWAIT));
	EXPECT_EQ(3, recv(self->server, buf, sizeof(buf), MSG_DONTWAIT));
}

/* A zero-length write succeeds and delivers nothing. */
TEST_F(pair, send_zero_length_delivers_nothing)
{
	char buf[4];

	EXPECT_EQ(0, write(self->client, buf, 0));
	ASSERT_EQ(1, write(self->client, "x", 1));
	ASSERT_TRUE(wait_readable(self->server, SAFETY_MS));
	settle();
	EXPECT_EQ(1, recv(self->server, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ('x', buf[0]);
	EXPECT_EQ(-1, recv(self->server, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(pair, msg_oob_eopnotsupp)
{
	char c;

	EXPECT_EQ(-1, send(self->client, "x", 1, MSG_OOB));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, recv(self->server, &c, 1, MSG_OOB));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

/* Fills the path while the peer does not read; returns bytes accepted. */
static size_t fill_until_blocked(int fd, int flags, int *last_errno)
{
	unsigned char buf[CHUNK];
	size_t total = 0;

	*last_errno = 0;
	for (int i = 0; i < 4096; i++) {
		ssize_t n;

		fill_pattern(buf, sizeof(buf), i);
		n = send(fd, buf, sizeof(buf), flags);
		if (n < 0) {
			*last_errno = errno;
			break;
		}
		total += n;
		if (n < (ssize_t)sizeof(buf))
			break;
	}
	return total;
}

/* Reads total bytes and checks them against what fill_until_blocked sent. */
static bool drain_and_check(int fd, size_t total)
{
	unsigned char *in = malloc(total), *out = malloc(total + CHUNK);
	bool ok = in && out && util_read_all(fd, in, total) == 0;

	for (size_t i = 0; ok && i * CHUNK < total; i++)
		fill_pattern(out + i * CHUNK, CHUNK, i);
	ok = ok && memcmp(in, out, total) == 0;
	free(in);
	free(out);
	return ok;
}

/* With the peer not reading, a send blocks until SO_SNDTIMEO: EAGAIN. */
TEST_F_TIMEOUT(pair, send_blocked_sndtimeo_eagain, 60)
{
	struct timespec t0;
	size_t total;
	int err;

	ASSERT_EQ(0, util_set_timeout_ms(self->client, SO_SNDTIMEO, 500));
	now(&t0);
	total = fill_until_blocked(self->client, 0, &err);
	TH_LOG("%zu bytes accepted before blocking, %ld ms", total,
	       util_ms_since(&t0));
	EXPECT_EQ(EAGAIN, err);
	EXPECT_LT(0u, total);
	EXPECT_TRUE(drain_and_check(self->server, total));
}

TEST_F_TIMEOUT(pair, send_dontwait_full_eagain, 60)
{
	size_t total;
	int err;

	total = fill_until_blocked(self->client, MSG_DONTWAIT, &err);
	TH_LOG("%zu bytes accepted before EAGAIN", total);
	EXPECT_EQ(EAGAIN, err);
	EXPECT_LT(0u, total);
	EXPECT_TRUE(drain_and_check(self->server, total));
}

/* ---- Poll ---- */

TEST_F(pair, poll_connected_idle_pollout)
{
	EXPECT_EQ(OUT_MASK, poll_mask(self->client));
	EXPECT_EQ(OUT_MASK, poll_mask(self->server));
}

TEST_F(pair, poll_data_pending_pollin)
{
	char buf[8];

	ASSERT_EQ(3, write(self->client, "abc", 3));
	EXPECT_EQ(IN_MASK | OUT_MASK, wait_mask(self->server, POLLIN, SAFETY_MS));
	EXPECT_EQ(OUT_MASK, poll_mask(self->client));
	ASSERT_EQ(3, read(self->server, buf, sizeof(buf)));
	EXPECT_EQ(OUT_MASK, poll_mask(self->server));
}

/*
 * The peer's close sets ECONNRESET as the socket error and closes the DLC:
 * POLLERR and POLLHUP, still POLLOUT, and no POLLIN or POLLRDHUP (the socket
 * is never marked shut down). Reading the error clears POLLERR.
 */
TEST_F(pair, poll_after_peer_close)
{
	char c;

	close_client(self);
	EXPECT_EQ(POLLERR | POLLHUP | OUT_MASK,
		  wait_mask(self->server, POLLHUP, SAFETY_MS));
	EXPECT_EQ(-1, read(self->server, &c, 1));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(POLLHUP | OUT_MASK, poll_mask(self->server));
}

/*
 * Any shutdown() closes the DLC: the caller at once polls shut down both
 * ways (POLLRDHUP, POLLIN, POLLHUP) and still writable; the peer sees the
 * same as for a close.
 */
TEST_F(pair, poll_after_shutdown_wr)
{
	ASSERT_EQ(0, shutdown(self->client, SHUT_WR));
	EXPECT_EQ(POLLRDHUP | IN_MASK | POLLHUP | OUT_MASK,
		  poll_mask(self->client));
	EXPECT_EQ(POLLERR | POLLHUP | OUT_MASK,
		  wait_mask(self->server, POLLHUP, SAFETY_MS));
	settle();
	EXPECT_EQ(POLLRDHUP | IN_MASK | POLLHUP | OUT_MASK,
		  poll_mask(self->client));
}

/* ---- Shutdown ---- */

/* The peer of a shutdown(SHUT_WR) reads ECONNRESET, not end of file. */
TEST_F(pair, shutdown_wr_peer_reads_econnreset)
{
	char c;

	ASSERT_EQ(0, shutdown(self->client, SHUT_WR));
	ASSERT_TRUE(wait_mask(self->server, POLLHUP, SAFETY_MS) & POLLHUP);
	EXPECT_EQ(-1, read(self->server, &c, 1));
	EXPECT_EQ(ECONNRESET, errno);
}

static volatile sig_atomic_t sigpipes;

static void count_sigpipe(int sig)
{
	sigpipes++;
}

/* A send after shutdown() fails with EPIPE and raises no SIGPIPE. */
TEST_F(pair, send_after_shutdown_epipe_no_sigpipe)
{
	struct sigaction sa = { .sa_handler = count_sigpipe };

	ASSERT_EQ(0, sigaction(SIGPIPE, &sa, NULL));
	sigpipes = 0;
	ASSERT_EQ(0, shutdown(self->client, SHUT_WR));
	EXPECT_EQ(-1, write(self->client, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(-1, send(self->client, "x", 1, 0));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, sigpipes);
}

/* SHUT_RD shuts down both ways as well: no more sending either. */
TEST_F(pair, shutdown_rd_also_stops_sending)
{
	char c;

	ASSERT_EQ(0, shutdown(self->server, SHUT_RD));
	EXPECT_EQ(-1, send(self->server, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, recv(self->server, &c, 1, 0));
	ASSERT_TRUE(wait_mask(self->client, POLLHUP, SAFETY_MS) & POLLHUP);
	EXPECT_EQ(-1, read(self->client, &c, 1));
	EXPECT_EQ(ECONNRESET, errno);
}

/* Data that arrived before our own shutdown can still be read, then 0. */
TEST_F(pair, recv_after_own_shutdown_drains_then_0)
{
	char buf[8];

	ASSERT_EQ(3, write(self->client, "abc", 3));
	ASSERT_TRUE(wait_readable(self->server, SAFETY_MS));
	ASSERT_EQ(0, shutdown(self->server, SHUT_RDWR));
	EXPECT_EQ(3, recv(self->server, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(0, recv(self->server, buf, sizeof(buf), 0));
}

TEST_F(pair, shutdown_twice_returns_0)
{
	EXPECT_EQ(0, shutdown(self->client, SHUT_RDWR));
	EXPECT_EQ(0, shutdown(self->client, SHUT_RDWR));
	EXPECT_EQ(0, shutdown(self->client, SHUT_RD));
}

/* ---- Blocked readers ---- */

struct blocked_read {
	int fd;
	ssize_t ret;
	int err;
	long ms;
	char buf[16];
};

static void *blocked_read_thread(void *arg)
{
	struct blocked_read *r = arg;
	struct timespec t0;

	now(&t0);
	r->ret = recv(r->fd, r->buf, sizeof(r->buf), 0);
	r->err = r->ret < 0 ? errno : 0;
	r->ms = util_ms_since(&t0);
	return NULL;
}

TEST_F(pair, recv_blocked_woken_by_peer_close)
{
	struct blocked_read r = { .fd = self->server };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, blocked_read_thread, &r));
	usleep(300 * 1000);
	close_client(self);
	pthread_join(t, NULL);
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(ECONNRESET, r.err);
	EXPECT_GT(SAFETY_MS - 1000, r.ms);
}

/* The reader wakes once the DLC is closed and sees end of file. */
TEST_F(pair, recv_blocked_woken_by_own_shutdown)
{
	struct blocked_read r = { .fd = self->server };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, blocked_read_thread, &r));
	usleep(300 * 1000);
	ASSERT_EQ(0, shutdown(self->server, SHUT_RDWR));
	pthread_join(t, NULL);
	EXPECT_EQ(0, r.ret) TH_LOG("recv: %s", strerror(r.err));
	EXPECT_GT(SAFETY_MS - 1000, r.ms);
}

static void ignore_signal(int sig)
{
}

struct poke {
	pthread_t target;
	int delay_ms;
	int fd;			/* written to after the signal, if >= 0 */
	int write_delay_ms;
};

static void *poke_thread(void *arg)
{
	struct poke *p = arg;

	usleep(p->delay_ms * 1000);
	pthread_kill(p->target, SIGUSR1);
	if (p->fd >= 0) {
		usleep(p->write_delay_ms * 1000);
		if (write(p->fd, "late", 4) != 4)
			perror("poke write");
	}
	return NULL;
}

/* A signal whose handler has no SA_RESTART interrupts recv: EINTR. */
TEST_F(pair, recv_interrupted_by_signal_eintr)
{
	struct sigaction sa = { .sa_handler = ignore_signal };
	struct poke p = { .target = pthread_self(), .delay_ms = 300, .fd = -1 };
	struct timespec t0;
	pthread_t t;
	char c;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, poke_thread, &p));
	now(&t0);
	EXPECT_EQ(-1, recv(self->server, &c, 1, 0));
	EXPECT_EQ(EINTR, errno);
	EXPECT_GT(SAFETY_MS - 1000, util_ms_since(&t0));
	pthread_join(t, NULL);
}

/*
 * With SA_RESTART and no receive timeout the read is restarted and gets the
 * data that comes later. (With SO_RCVTIMEO set, Linux sockets return EINTR
 * even with SA_RESTART, so this test clears it; the harness timeout bounds
 * the call.)
 */
TEST_F_TIMEOUT(pair, recv_signal_sa_restart_restarts, 20)
{
	struct sigaction sa = { .sa_handler = ignore_signal,
				.sa_flags = SA_RESTART };
	struct poke p = { .target = pthread_self(), .delay_ms = 300,
			  .fd = self->client, .write_delay_ms = 300 };
	char buf[8];
	pthread_t t;

	ASSERT_EQ(0, util_set_timeout_ms(self->server, SO_RCVTIMEO, 0));
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, poke_thread, &p));
	EXPECT_EQ(4, recv(self->server, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "late", 4));
	pthread_join(t, NULL);
}

/* ---- The peer goes away ---- */

/*
 * RFCOMM reports the peer's orderly close as a reset: the first read fails
 * with ECONNRESET. The socket is closed (POLLHUP) but never marked shut
 * down, so a later read waits for data that cannot come: here it ends only
 * by SO_RCVTIMEO (EAGAIN); without one it would block forever.
 */
TEST_F(pair, peer_close_econnreset_then_read_blocks)
{
	char c;

	close_client(self);
	ASSERT_TRUE(wait_mask(self->server, POLLHUP, SAFETY_MS) & POLLHUP);
	EXPECT_EQ(-1, read(self->server, &c, 1));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_TRUE(poll_mask(self->server) & POLLHUP);
	ASSERT_EQ(0, util_set_timeout_ms(self->server, SO_RCVTIMEO, 300));
	EXPECT_EQ(-1, read(self->server, &c, 1));
	EXPECT_EQ(EAGAIN, errno);
}

/* Data that arrived before the peer closed is read before the error. */
TEST_F(pair, peer_close_pending_data_read_first)
{
	char buf[16];

	ASSERT_EQ(5, write(self->client, "hello", 5));
	ASSERT_TRUE(wait_readable(self->server, SAFETY_MS));
	close_client(self);
	ASSERT_TRUE(wait_mask(self->server, POLLHUP, SAFETY_MS) & POLLHUP);
	EXPECT_EQ(5, read(self->server, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(-1, read(self->server, buf, sizeof(buf)));
	EXPECT_EQ(ECONNRESET, errno);
}

/*
 * After the peer closed, the first send reports the pending ECONNRESET and
 * the next ones ENOTCONN; none raises SIGPIPE.
 */
TEST_F(pair, send_after_peer_close)
{
	struct sigaction sa = { .sa_handler = count_sigpipe };

	ASSERT_EQ(0, sigaction(SIGPIPE, &sa, NULL));
	sigpipes = 0;
	close_client(self);
	ASSERT_TRUE(wait_mask(self->server, POLLHUP, SAFETY_MS) & POLLHUP);
	EXPECT_EQ(-1, send(self->server, "x", 1, 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(-1, send(self->server, "x", 1, 0));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(0, get_int_opt(self->server, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(0, sigpipes);
}

/*
 * Closing right after writing: what RFCOMM had not sent yet may be lost.
 * The peer must get an intact prefix and then ECONNRESET, never a hang.
 */
TEST_F_TIMEOUT(pair, close_with_data_in_flight, 60)
{
	size_t len = 32 * CHUNK, got = 0;
	unsigned char *out = malloc(len), *in = malloc(len + 1);
	ssize_t n;

	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	fill_pattern(out, len, 9);
	ASSERT_EQ(0, util_write_all(self->client, out, len, CHUNK));
	close_client(self);
	ASSERT_EQ(0, util_set_timeout_ms(self->server, SO_RCVTIMEO, 5000));
	while ((n = read(self->server, in + got, len + 1 - got)) > 0)
		got += n;
	TH_LOG("%zu of %zu bytes arrived; then %zd (%s)", got, len, n,
	       n < 0 ? strerror(errno) : "end of file");
	EXPECT_EQ(-1, n);
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(0, memcmp(in, out, got));
	free(out);
	free(in);
}

/*
 * With SO_LINGER, close() waits until the DLC is closed, and everything
 * written before arrives.
 */
TEST_F_TIMEOUT(pair, close_linger_delivers_all, 60)
{
	struct linger l = { .l_onoff = 1, .l_linger = 20 };
	size_t len = 32 * CHUNK;
	unsigned char *out = malloc(len), *in = malloc(len);
	struct timespec t0;
	char c;

	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	fill_pattern(out, len, 10);
	ASSERT_EQ(0, setsockopt(self->client, SOL_SOCKET, SO_LINGER, &l,
				sizeof(l)));
	ASSERT_EQ(0, util_write_all(self->client, out, len, CHUNK));
	now(&t0);
	EXPECT_EQ(0, close(self->client));
	self->client = -1;
	TH_LOG("close() with SO_LINGER took %ld ms", util_ms_since(&t0));
	EXPECT_EQ(0, util_read_all(self->server, in, len));
	EXPECT_EQ(0, memcmp(in, out, len));
	EXPECT_EQ(-1, read(self->server, &c, 1));
	EXPECT_EQ(ECONNRESET, errno);
	free(out);
	free(in);
}

TEST_HARNESS_MAIN
