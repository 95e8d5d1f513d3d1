// SPDX-License-Identifier: GPL-2.0
/*
 * Throughput benchmark, RFCOMM against rfsec, on the guest's two virtual
 * controllers: hci0 sends to hci1. Not a test: it fails on nothing but its
 * own misuse, and reports a protocol that cannot transfer as failed with the
 * errno, next to the other one.
 *
 * Each transfer connects (timing connect() and the first byte echoed back),
 * sends the bytes in fixed-size writes, and has the receiver answer with the
 * SHA-256 of what it got before anyone closes. Protocols alternate round by
 * round (ABBA order), since the emulated link's speed drifts by tens of
 * percent between runs; the summary gives medians with min and max.
 *
 *   bench [-s BYTES[K|M]] [-r ROUNDS] [-w WRITE[,WRITE...]]
 *
 * CPU is measured two ways over each transfer: the whole guest's busy time
 * from /proc/stat (the kernel's RFCOMM thread, softirqs and btvirt, which
 * emulates the air, included) and getrusage() of this process (both ends
 * run here as threads; it includes hashing the data on both sides).
 */
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <openssl/evp.h>

#include "util.h"

#define MAX_ROUNDS	15
#define MAX_WRITES	4
#define PATTERN_LEN	65536
#define MAX_WRITE	65536
#define IO_TIMEOUT_S	30	/* a stall longer than this fails the transfer */
#define PAUSE_S		3	/* lets the previous session and link go */

enum { P_RFCOMM, P_RFSEC, NPROTO };

static const struct {
	const char *name;
	int proto;
} protos[NPROTO] = {
	[P_RFCOMM] = { "rfcomm", BTPROTO_RFCOMM },
	[P_RFSEC] = { "rfsec", BTPROTO_RFSEC },
};

struct result {
	bool ok;
	const char *stage;	/* where it failed */
	int err;		/* errno there */
	int retries;		/* connects retried on a closing session */
	double connect_ms;	/* connect() call to its return */
	double echo_ms;		/* connect() call to the first byte echoed */
	double secs;		/* first write to the last byte received */
	double cpu_guest;	/* busy CPU seconds of the whole guest */
	double cpu_proc;	/* user + system CPU seconds of this process */
};

/* The stream sent: a random pattern repeated, readable as any window. */
static unsigned char pattern[PATTERN_LEN + MAX_WRITE];
static unsigned char expected_md[32];
static bdaddr_t addr0, addr1;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double proc_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Busy seconds of all CPUs so far: everything in /proc/stat but idle. */
static double guest_cpu_s(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n = 0;

	if (f) {
		n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7]);
		fclose(f);
	}
	if (n < 8)
		return 0;
	/* user nice system idle iowait irq softirq steal */
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
		sysconf(_SC_CLK_TCK);
}

static const char *errname(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "E?";
}

static void make_stream(size_t bytes)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int x = 12345;

	for (size_t i = 0; i < PATTERN_LEN; i++) {
		x = x * 1103515245 + 12345;
		pattern[i] = x >> 16;
	}
	memcpy(pattern + PATTERN_LEN, pattern, MAX_WRITE);

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (size_t off = 0; off < bytes; off += PATTERN_LEN)
		EVP_DigestUpdate(ctx, pattern, bytes - off < PATTERN_LEN ?
				 bytes - off : PATTERN_LEN);
	EVP_DigestFinal_ex(ctx, expected_md, NULL);
	EVP_MD_CTX_free(ctx);
}

static int set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

static bool fail(struct result *r, const char *stage, int err)
{
	r->ok = false;
	r->stage = stage;
	r->err = err;
	return false;
}

struct server {
	int listener;
	bool give_up;		/* set when the client could not connect */
	size_t bytes;
	double t_last;		/* when the last byte arrived */
	const char *stage;
	int err;
};

static int server_fail(struct server *s, const char *stage, int err)
{
	s->stage = stage;
	s->err = err;
	return -1;
}

/* Accepts, echoes one byte, receives the stream, answers its SHA-256. */
static int serve(struct server *s)
{
	static unsigned char buf[65536];
	unsigned char md[32];
	EVP_MD_CTX *ctx;
	size_t left = s->bytes;
	int fd, err = 0;

	/* Waits in poll(), so that a client that failed can call it off. */
	for (;;) {
		struct pollfd p = { .fd = s->listener, .events = POLLIN };

		if (__atomic_load_n(&s->give_up, __ATOMIC_ACQUIRE))
			return server_fail(s, "accept", ECANCELED);
		if (poll(&p, 1, 200) > 0)
			break;
	}
	fd = accept(s->listener, NULL, NULL);
	if (fd < 0)
		return server_fail(s, "accept", errno);
	if (set_timeouts(fd)) {
		err = errno;
		close(fd);
		return server_fail(s, "accept", err);
	}
	err = -util_read_all(fd, buf, 1);
	if (!err)
		err = -util_write_all(fd, buf, 1, 1);
	if (err) {
		close(fd);
		return server_fail(s, "echo", err);
	}

	ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while (left) {
		ssize_t n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : EPIPE;
			break;
		}
		EVP_DigestUpdate(ctx, buf, n);
		left -= n;
	}
	s->t_last = now_s();
	EVP_DigestFinal_ex(ctx, md, NULL);
	EVP_MD_CTX_free(ctx);
	if (err) {
		close(fd);
		return server_fail(s, "receive", err);
	}
	err = -util_write_all(fd, md, sizeof(md), sizeof(md));
	/*
	 * Wait for the sender's close, so that the answer is not cut off; how
	 * that read ends (reset, end of file, timeout) does not matter.
	 */
	if (!err) {
		ssize_t n = read(fd, buf, 1);

		(void)n;
	}
	close(fd);
	return err ? server_fail(s, "answer", err) : 0;
}

static void *server_thread(void *arg)
{
	serve(arg);
	return NULL;
}

static int open_listener(int proto, int chan, const char **stage)
{
	struct sockaddr_rc a = util_rc_addr(&addr1, chan);
	int fd, err = 0;

	*stage = "socket";
	fd = socket(AF_BLUETOOTH, SOCK_STREAM, proto);
	if (fd < 0)
		return -errno;
	*stage = "bind";
	if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		err = -errno;
	} else {
		*stage = "listen";
		if (listen(fd, 1))
			err = -errno;
	}
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/*
 * One connect attempt, timed. RFCOMM closes a session when its last DLC
 * goes, and a DLC opened on it meanwhile fails with ECONNRESET (EBUSY while
 * the old DLC on the channel lives): the caller retries those.
 */
static int timed_connect(int proto, int chan, struct result *r,
			 const char **stage)
{
	struct sockaddr_rc a = util_rc_addr(&addr0, 0);
	int fd = socket(AF_BLUETOOTH, SOCK_STREAM, proto), err = 0;
	double t0;
	char c;

	*stage = "socket";
	if (fd < 0)
		return -errno;
	*stage = "bind";
	if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		err = -errno;
		goto out;
	}
	*stage = "setsockopt";
	err = set_timeouts(fd);
	if (err)
		goto out;
	*stage = "connect";
	a = util_rc_addr(&addr1, chan);
	t0 = now_s();
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		err = -errno;
		goto out;
	}
	r->connect_ms = (now_s() - t0) * 1000;
	*stage = "echo";
	err = util_write_all(fd, "e", 1, 1);
	if (!err)
		err = util_read_all(fd, &c, 1);
	r->echo_ms = (now_s() - t0) * 1000;
out:
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static bool send_stream(int fd, size_t bytes, size_t wsize, struct result *r)
{
	size_t off = 0;

	while (off < bytes) {
		size_t n = bytes - off < wsize ? bytes - off : wsize;
		int err = util_write_all(fd, pattern + off % PATTERN_LEN, n, n);

		if (err)
			return fail(r, "send", -err);
		off += n;
	}
	return true;
}

static bool run_transfer(int proto, int chan, size_t bytes, size_t wsize,
			 struct result *r)
{
	struct server s = { .bytes = bytes, .stage = NULL };
	unsigned char md[32];
	double t0, cpu_g0, cpu_p0;
	const char *stage;
	pthread_t t;
	int fd, err;

	memset(r, 0, sizeof(*r));
	s.listener = open_listener(proto, chan, &stage);
	if (s.listener < 0)
		return fail(r, stage, -s.listener);
	if (pthread_create(&t, NULL, server_thread, &s)) {
		close(s.listener);
		return fail(r, "thread", EAGAIN);
	}

	for (;;) {
		fd = timed_connect(proto, chan, r, &stage);
		if ((fd != -ECONNRESET && fd != -EBUSY) || r->retries >= 20)
			break;
		r->retries++;
		usleep(200 * 1000);
	}
	if (fd < 0) {
		fail(r, stage, -fd);
		__atomic_store_n(&s.give_up, true, __ATOMIC_RELEASE);
		pthread_join(t, NULL);
		close(s.listener);
		return false;
	}

	cpu_g0 = guest_cpu_s();
	cpu_p0 = proc_cpu_s();
	t0 = now_s();
	r->ok = send_stream(fd, bytes, wsize, r);
	if (r->ok) {
		err = util_read_all(fd, md, sizeof(md));
		if (err)
			fail(r, "answer", -err);
		else if (memcmp(md, expected_md, sizeof(md)))
			fail(r, "verify", EBADMSG);
	}
	r->cpu_guest = guest_cpu_s() - cpu_g0;
	r->cpu_proc = proc_cpu_s() - cpu_p0;
	/* The answer is in: closing now ends the server's wait for it. */
	close(fd);
	pthread_join(t, NULL);
	r->secs = s.t_last - t0;
	close(s.listener);
	if (r->ok && s.stage)
		fail(r, s.stage, s.err);
	return r->ok;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 {
	double med, min, max;
};

static struct stat3 stats(const double *v, int n)
{
	double s[MAX_ROUNDS];
	struct stat3 st = { 0, 0, 0 };

	if (!n)
		return st;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	st.min = s[0];
	st.max = s[n - 1];
	st.med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return st;
}

static void print_cell(struct stat3 st, int ok, const char *fmt)
{
	char med[32], min[32], max[32], cell[100];

	if (!ok) {
		printf(" %-28s", "-");
		return;
	}
	snprintf(med, sizeof(med), fmt, st.med);
	snprintf(min, sizeof(min), fmt, st.min);
	snprintf(max, sizeof(max), fmt, st.max);
	snprintf(cell, sizeof(cell), "%s [%s..%s]", med, min, max);
	printf(" %-28s", cell);
}

static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (*end == 'K' || *end == 'k')
		v <<= 10;
	else if (*end == 'M' || *end == 'm')
		v <<= 20;
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench [-s BYTES[K|M]] [-r ROUNDS] [-w WRITE[,WRITE...]]\n"
		"  defaults: -s 64M -r 3 -w 1000\n");
	exit(2);
}

struct series {
	struct result res[MAX_ROUNDS];
	int nok;
	const struct result *last_fail;
};

static void run_rounds(size_t bytes, size_t wsize, int rounds,
		       struct series ser[NPROTO])
{
	static int chan;

	printf("%-5s %-6s %8s %8s %9s %9s %10s %9s  %s\n", "round",
	       "proto", "MB/s", "secs", "cpu_guest", "cpu_proc",
	       "connect_ms", "echo_ms", "result");
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < NPROTO; k++) {
			/* ABBA: each protocol goes first every other round. */
			int p = r % 2 ? NPROTO - 1 - k : k;
			struct result *x = &ser[p].res[r];

			sleep(PAUSE_S);
			chan = chan % 30 + 1;
			if (!run_transfer(protos[p].proto, chan, bytes, wsize, x)) {
				ser[p].last_fail = x;
				printf("%-5d %-6s %8s %8s %9s %9s %10s %9s  failed: %s: %s (%s)\n",
				       r + 1, protos[p].name, "-", "-", "-", "-",
				       "-", "-", x->stage, errname(x->err),
				       strerror(x->err));
				continue;
			}
			ser[p].nok++;
			printf("%-5d %-6s %8.3f %8.2f %9.2f %9.2f %10.1f %9.1f  ok%s\n",
			       r + 1, protos[p].name, bytes / x->secs / 1e6,
			       x->secs, x->cpu_guest, x->cpu_proc, x->connect_ms,
			       x->echo_ms, x->retries ? " (connect retried)" : "");
		}
	}
}

enum { F_MBPS, F_SECS, F_CPU_GUEST, F_CPU_PROC, F_CONNECT, F_ECHO, NFIELDS };

static const struct {
	const char *label;
	const char *fmt;
} fields[NFIELDS] = {
	[F_MBPS] = { "MB/s", "%.3f" },
	[F_SECS] = { "transfer s", "%.1f" },
	[F_CPU_GUEST] = { "CPU s, guest", "%.2f" },
	[F_CPU_PROC] = { "CPU s, process", "%.2f" },
	[F_CONNECT] = { "connect ms", "%.1f" },
	[F_ECHO] = { "first echo ms", "%.1f" },
};

static double field_of(const struct result *x, size_t bytes, int f)
{
	switch (f) {
	case F_MBPS: return bytes / x->secs / 1e6;
	case F_SECS: return x->secs;
	case F_CPU_GUEST: return x->cpu_guest;
	case F_CPU_PROC: return x->cpu_proc;
	case F_CONNECT: return x->connect_ms;
	default: return x->echo_ms;
	}
}

static void print_summary(size_t bytes, size_t wsize, int rounds,
			  const struct series ser[NPROTO])
{
	struct stat3 st[NPROTO][NFIELDS];

	for (int p = 0; p < NPROTO; p++) {
		for (int f = 0; f < NFIELDS; f++) {
			double v[MAX_ROUNDS];
			int n = 0;

			for (int r = 0; r < rounds; r++)
				if (ser[p].res[r].ok)
					v[n++] = field_of(&ser[p].res[r], bytes, f);
			st[p][f] = stats(v, n);
		}
	}

	printf("summary, %zu-byte writes: median [min..max] of the rounds that completed\n",
	       wsize);
	printf("%-16s", "");
	for (int p = 0; p < NPROTO; p++)
		printf(" %-28s", protos[p].name);
	printf("\n");
	for (int f = 0; f < NFIELDS; f++) {
		printf("%-16s", fields[f].label);
		for (int p = 0; p < NPROTO; p++)
			print_cell(st[p][f], ser[p].nok, fields[f].fmt);
		printf("\n");
	}

	/* One line per protocol for scripts. */
	for (int p = 0; p < NPROTO; p++) {
		printf("BENCH proto=%s write=%zu bytes=%zu rounds=%d ok=%d",
		       protos[p].name, wsize, bytes, rounds, ser[p].nok);
		if (ser[p].nok)
			printf(" MBps=%.3f MBps_min=%.3f MBps_max=%.3f cpu_guest_s=%.2f cpu_proc_s=%.2f connect_ms=%.1f echo_ms=%.1f",
			       st[p][F_MBPS].med, st[p][F_MBPS].min,
			       st[p][F_MBPS].max, st[p][F_CPU_GUEST].med,
			       st[p][F_CPU_PROC].med, st[p][F_CONNECT].med,
			       st[p][F_ECHO].med);
		if (ser[p].last_fail)
			printf(" status=%s stage=%s error=%s",
			       ser[p].nok ? "partial" : "failed",
			       ser[p].last_fail->stage,
			       errname(ser[p].last_fail->err));
		else
			printf(" status=ok");
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	size_t bytes = 64 << 20, writes[MAX_WRITES] = { 1000 };
	int rounds = 3, nwrites = 1, opt;
	struct utsname u;

	while ((opt = getopt(argc, argv, "s:r:w:h")) != -1) {
		switch (opt) {
		case 's':
			bytes = parse_size(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'w':
			nwrites = 0;
			for (char *w = strtok(optarg, ","); w && nwrites < MAX_WRITES;
			     w = strtok(NULL, ","))
				writes[nwrites++] = parse_size(w);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !bytes || rounds < 1 || rounds > MAX_ROUNDS ||
	    !nwrites)
		usage();
	for (int i = 0; i < nwrites; i++)
		if (!writes[i] || writes[i] > MAX_WRITE)
			usage();
	if (!util_hci_addr(0, &addr0) || !util_hci_addr(1, &addr1)) {
		fprintf(stderr, "bench: needs controllers hci0 and hci1\n");
		return 1;
	}
	uname(&u);
	make_stream(bytes);
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (int w = 0; w < nwrites; w++) {
		struct series ser[NPROTO];

		memset(ser, 0, sizeof(ser));
		printf("bench: %zu bytes hci0 -> hci1 in %zu-byte writes, %d rounds per protocol, Linux %s\n",
		       bytes, writes[w], rounds, u.release);
		run_rounds(bytes, writes[w], rounds, ser);
		print_summary(bytes, writes[w], rounds, ser);
		if (w + 1 < nwrites)
			printf("\n");
	}
	return 0;
}
