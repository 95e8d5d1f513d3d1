// SPDX-License-Identifier: GPL-2.0
/*
 * Socket-call torture: several threads make random calls on a shared set
 * of rfsec sockets at once (socket, bind, listen, connect blocking and not,
 * accept, send, recv, poll, shutdown each way, close, setsockopt and
 * getsockopt of every option rfsec passes down to RFCOMM, and of
 * SOL_SOCKET), signals interrupt blocking calls, and the controllers go
 * down and up at random moments. Every blocking call is bounded (socket
 * timeouts of at most 3 s, poll of at most 1 s); a watchdog fails the test
 * and names the call, with its thread's kernel stack, if one runs past
 * HANG_SECONDS. At the end every socket is closed, the module's socket
 * count must fall back to 0, and a fresh encrypted connection must still
 * carry data. Runs with hci0 and hci1 holding identities and each other as
 * peers (tests.list "keys"); the guest then unloads the module and checks
 * the kernel log.
 *
 *   torture [-s SEED] [-t SECONDS] [-n CALLS] [-j THREADS]
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "util.h"
#include "fuzz_util.h"

#define SLOTS		24
#define MAX_THREADS	16
#define HANG_SECONDS	30
#define TIMEOUT_MS_MAX	3000

enum op {
	OP_SOCKET, OP_BIND, OP_LISTEN, OP_CONNECT, OP_CONNECT_NB, OP_ACCEPT,
	OP_ACCEPT_NB, OP_SEND, OP_RECV, OP_POLL, OP_SHUTDOWN, OP_CLOSE,
	OP_SETSOCKOPT, OP_GETSOCKOPT, OP_SIGNAL, OP_MAX
};

static const char *const op_names[OP_MAX] = {
	"socket", "bind", "listen", "connect", "connect(O_NONBLOCK)",
	"accept", "accept(O_NONBLOCK)", "send", "recv", "poll", "shutdown",
	"close", "setsockopt", "getsockopt", "signal",
};

/* The sockets every thread may use; a call works on a dup() of one. */
static struct {
	pthread_mutex_t lock;
	int fd[SLOTS];
} slots = { .lock = PTHREAD_MUTEX_INITIALIZER };

struct worker {
	pthread_t thread;
	pid_t tid;
	uint64_t rng;
	/* What it is doing now, for the watchdog. */
	volatile int op;
	volatile long started_ms;	/* 0 when between calls */
	volatile bool finished;
	unsigned long calls[OP_MAX];
	unsigned long ok, failed;
};

static struct worker workers[MAX_THREADS];
static int n_workers = 6;
static volatile bool started, stopping;
static struct timespec t_start;
static bdaddr_t addr0, addr1;
static unsigned long updowns;

static uint64_t next(uint64_t *s)
{
	return splitmix64(s);
}

static unsigned int below(struct worker *w, unsigned int n)
{
	return next(&w->rng) % n;
}

static void on_signal(int sig)
{
}

static int rfsec_socket(bool nonblock)
{
	int fd = socket(AF_BLUETOOTH, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0),
			BTPROTO_RFSEC);

	if (fd >= 0) {
		util_set_timeout_ms(fd, SO_SNDTIMEO, TIMEOUT_MS_MAX);
		util_set_timeout_ms(fd, SO_RCVTIMEO, TIMEOUT_MS_MAX);
	}
	return fd;
}

/* A new reference to slot @i's socket, or -1 if it has none. */
static int slot_get(int i)
{
	int fd;

	pthread_mutex_lock(&slots.lock);
	fd = slots.fd[i] >= 0 ? dup(slots.fd[i]) : -1;
	pthread_mutex_unlock(&slots.lock);
	return fd;
}

/* Puts @fd in a free slot (or closes it if there is none). */
static void slot_put(int fd)
{
	pthread_mutex_lock(&slots.lock);
	for (int i = 0; i < SLOTS; i++)
		if (slots.fd[i] < 0) {
			slots.fd[i] = fd;
			fd = -1;
			break;
		}
	pthread_mutex_unlock(&slots.lock);
	if (fd >= 0)
		close(fd);
}

static void slot_close(int i)
{
	int fd;

	pthread_mutex_lock(&slots.lock);
	fd = slots.fd[i];
	slots.fd[i] = -1;
	pthread_mutex_unlock(&slots.lock);
	if (fd >= 0)
		close(fd);
}

static struct sockaddr_rc pick_addr(struct worker *w)
{
	/* Mostly the two controllers' own channels 1..8, so that connects meet listeners. */
	return util_rc_addr(below(w, 2) ? &addr1 : &addr0,
			    below(w, 10) ? 1 + below(w, 8) : below(w, 31));
}

static int do_setsockopt(struct worker *w, int fd, bool get)
{
	struct timeval tv = { .tv_usec = 100000 + below(w, 2900) * 1000 };
	struct linger lg = { .l_onoff = below(w, 2), .l_linger = below(w, 3) };
	struct bt_security sec = { .level = below(w, 5) };
	int v = below(w, 2), lm = below(w, 64);
	char buf[64];
	socklen_t len = sizeof(buf);

	if (tv.tv_usec >= 1000000) {
		tv.tv_sec = tv.tv_usec / 1000000;
		tv.tv_usec %= 1000000;
	}
	switch (below(w, 10)) {
	case 0:
		return get ? getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, buf, &len) :
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	case 1:
		return get ? getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, buf, &len) :
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	case 2:
		return get ? getsockopt(fd, SOL_SOCKET, SO_LINGER, buf, &len) :
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	case 3:
		v = 1024 << below(w, 8);
		return get ? getsockopt(fd, SOL_SOCKET, SO_SNDBUF, buf, &len) :
			setsockopt(fd, SOL_SOCKET, below(w, 2) ? SO_SNDBUF :
				   SO_RCVBUF, &v, sizeof(v));
	case 4:
		return get ? getsockopt(fd, SOL_SOCKET, SO_ERROR, buf, &len) :
			setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v));
	case 5:
		return get ? getsockopt(fd, SOL_RFCOMM, RFCOMM_LM, buf, &len) :
			setsockopt(fd, SOL_RFCOMM, RFCOMM_LM, &lm, sizeof(lm));
	case 6:
		return get ? getsockopt(fd, SOL_BLUETOOTH, BT_SECURITY, buf, &len) :
			setsockopt(fd, SOL_BLUETOOTH, BT_SECURITY, &sec,
				   sizeof(sec));
	case 7:		/* refused on rfsec sockets (EOPNOTSUPP) */
		return get ? getsockopt(fd, SOL_BLUETOOTH, BT_DEFER_SETUP, buf,
					&len) :
			setsockopt(fd, SOL_BLUETOOTH, BT_DEFER_SETUP, &v,
				   sizeof(v));
	case 8:		/* options RFCOMM does not know, and short buffers */
		len = below(w, 4);
		return get ? getsockopt(fd, SOL_RFCOMM, below(w, 8), buf, &len) :
			setsockopt(fd, SOL_BLUETOOTH, below(w, 20), buf, len);
	default:
		return get ? getsockopt(fd, SOL_RFCOMM, RFCOMM_CONNINFO, buf,
					&len) :
			setsockopt(fd, SOL_BLUETOOTH, BT_SECURITY, &sec, 1);
	}
}

/* One random call; its result is not judged, only that it returns. */
static int one_call(struct worker *w, enum op op)
{
	struct sockaddr_rc a = pick_addr(w);
	socklen_t alen = sizeof(a);
	char buf[4096];
	int slot = below(w, SLOTS), fd, ret = -1, flags;
	struct pollfd p;

	if (op == OP_SOCKET) {
		fd = rfsec_socket(below(w, 4) == 0);
		if (fd >= 0)
			slot_put(fd);
		return fd;
	}
	if (op == OP_SIGNAL)
		return pthread_kill(workers[below(w, n_workers)].thread, SIGUSR1);
	if (op == OP_CLOSE) {
		slot_close(slot);
		return 0;
	}
	fd = slot_get(slot);
	if (fd < 0)
		return -1;
	switch (op) {
	case OP_BIND:
		ret = bind(fd, (struct sockaddr *)&a, sizeof(a));
		break;
	case OP_LISTEN:
		ret = listen(fd, below(w, 6));
		break;
	case OP_CONNECT:
		ret = connect(fd, (struct sockaddr *)&a, sizeof(a));
		break;
	case OP_CONNECT_NB:
		flags = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
		ret = connect(fd, (struct sockaddr *)&a, sizeof(a));
		break;
	case OP_ACCEPT:
	case OP_ACCEPT_NB:
		ret = accept4(fd, (struct sockaddr *)&a, &alen,
			      op == OP_ACCEPT_NB ? SOCK_NONBLOCK : 0);
		if (ret >= 0) {
			util_set_timeout_ms(ret, SO_SNDTIMEO, TIMEOUT_MS_MAX);
			util_set_timeout_ms(ret, SO_RCVTIMEO, TIMEOUT_MS_MAX);
			slot_put(ret);
		}
		break;
	case OP_SEND:
		memset(buf, below(w, 256), sizeof(buf));
		ret = send(fd, buf, 1 + below(w, sizeof(buf)),
			   MSG_NOSIGNAL | (below(w, 2) ? MSG_DONTWAIT : 0));
		break;
	case OP_RECV:
		ret = recv(fd, buf, 1 + below(w, sizeof(buf)),
			   below(w, 2) ? MSG_DONTWAIT : 0);
		break;
	case OP_POLL:
		p = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
		ret = poll(&p, 1, below(w, 1000));
		break;
	case OP_SHUTDOWN:
		ret = shutdown(fd, below(w, 3));	/* SHUT_RD, _WR, _RDWR */
		break;
	case OP_SETSOCKOPT:
	case OP_GETSOCKOPT:
		ret = do_setsockopt(w, fd, op == OP_GETSOCKOPT);
		break;
	default:
		break;
	}
	close(fd);
	return ret;
}

static long now_ms(void)
{
	return util_ms_since(&t_start) + 1;
}

static void *work(void *arg)
{
	/* Weights: connections and data more often than the rest. */
	static const enum op deck[] = {
		OP_SOCKET, OP_SOCKET, OP_SOCKET, OP_BIND, OP_BIND, OP_LISTEN,
		OP_LISTEN, OP_CONNECT, OP_CONNECT, OP_CONNECT_NB, OP_ACCEPT,
		OP_ACCEPT, OP_ACCEPT_NB, OP_SEND, OP_SEND, OP_SEND, OP_RECV,
		OP_RECV, OP_RECV, OP_POLL, OP_SHUTDOWN, OP_CLOSE, OP_CLOSE,
		OP_SETSOCKOPT, OP_SETSOCKOPT, OP_GETSOCKOPT, OP_SIGNAL,
	};
	struct worker *w = arg;

	w->tid = syscall(SYS_gettid);
	/* Every thread exists before any may signal another. */
	while (!started)
		usleep(1000);
	while (!stopping) {
		enum op op = deck[below(w, sizeof(deck) / sizeof(deck[0]))];

		w->op = op;
		w->started_ms = now_ms();
		if (one_call(w, op) >= 0)
			w->ok++;
		else
			w->failed++;
		w->started_ms = 0;
		w->calls[op]++;
	}
	w->finished = true;
	return NULL;
}

static int hci_ctl(int dev, unsigned long req, unsigned long arg)
{
	int fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_HCI);
	int ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, req, arg) ? -errno : 0;
	close(fd);
	return ret;
}

/* hciconfig hciN up and piscan: the state the test bed gives them. */
static void controller_up(int dev)
{
	struct hci_dev_req dr = { .dev_id = dev, .dev_opt = SCAN_PAGE | SCAN_INQUIRY };
	int ret;

	/* It may still be going down: try for up to 10 s. */
	for (int i = 0; i < 100; i++) {
		ret = hci_ctl(dev, HCIDEVUP, dev);
		if (!ret || ret == -EALREADY)
			break;
		usleep(100000);
	}
	if (ret && ret != -EALREADY)
		printf("# hci%d does not come up again: %s\n", dev, strerror(-ret));
	hci_ctl(dev, HCISETSCAN, (unsigned long)&dr);
}

static void dump_stack_of(const struct worker *w)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", w->tid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("#   %s", line);
	fclose(f);
}

/*
 * The controllers go down and up at random moments until the deadline;
 * the watchdog looks on until every thread has finished its last call.
 */
static bool supervise(uint64_t *rng, long deadline_ms, unsigned long max_calls)
{
	long next_flip = now_ms() + 1000 + next(rng) % 4000;
	int down = -1;

	for (;;) {
		unsigned long total = 0;
		int running = 0;

		usleep(100000);
		for (int i = 0; i < n_workers; i++) {
			long started = workers[i].started_ms;

			total += workers[i].ok + workers[i].failed;
			running += !workers[i].finished;
			if (started && now_ms() - started > HANG_SECONDS * 1000) {
				printf("# HANG: thread %d has been in %s for more than %d s; its kernel stack:\n",
				       i, op_names[workers[i].op], HANG_SECONDS);
				dump_stack_of(&workers[i]);
				return false;
			}
		}
		if (now_ms() >= deadline_ms || (max_calls && total >= max_calls))
			stopping = true;
		if (stopping) {
			if (down >= 0)
				controller_up(down);
			down = -1;
			if (!running)
				return true;
			continue;
		}
		if (now_ms() < next_flip)
			continue;
		if (down < 0) {
			down = next(rng) % 2;
			hci_ctl(down, HCIDEVDOWN, down);
			updowns++;
			next_flip = now_ms() + 200 + next(rng) % 2000;
		} else {
			controller_up(down);
			down = -1;
			next_flip = now_ms() + 1000 + next(rng) % 6000;
		}
	}
}

/* RFSEC_A_SOCKETS of GET_INFO: the module's count of live rfsec sockets. */
static int module_sockets(void)
{
	struct { int family, sockets; } r = { 0, -1 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	const struct nlattr *a;
	int i;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	for (i = 0; i < 2; i++) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = i ? r.family : GENL_ID_CTRL;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = i ? RFSEC_CMD_GET_INFO : CTRL_CMD_GETFAMILY;
		g->version = 1;
		if (!i)
			mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME,
					  RFSEC_GENL_NAME);
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ||
		    mnl_socket_recvfrom(nl, buf, sizeof(buf)) <= 0 ||
		    nlh->nlmsg_type == NLMSG_ERROR)
			goto out;
		mnl_attr_for_each(a, nlh, sizeof(*g)) {
			if (!i && mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
				r.family = mnl_attr_get_u16(a);
			if (i && mnl_attr_get_type(a) == RFSEC_A_SOCKETS)
				r.sockets = mnl_attr_get_u32(a);
		}
	}
out:
	if (nl)
		mnl_socket_close(nl);
	return r.sockets;
}

/* References to the module (/sys/module/rfsec/refcnt), or -1. */
static int module_refs(void)
{
	FILE *f = fopen("/sys/module/rfsec/refcnt", "r");
	int n = -1;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/*
 * After the storm: a new connection hci0 -> hci1 over @proto (RFCOMM, the
 * oracle for the stack underneath, or rfsec, encrypted) carries 64 KiB.
 */
static bool still_works(int proto, int chan)
{
	struct sockaddr_rc a = util_rc_addr(&addr1, chan);
	struct sockaddr_rc from = util_rc_addr(&addr0, 0);
	static char out[65536], in[65536];
	int l = socket(AF_BLUETOOTH, SOCK_STREAM, proto), c = -1, s = -1;
	bool ok = false;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = i * 7 + 3;
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1))
		goto out;
	util_set_timeout_ms(l, SO_RCVTIMEO, 20000);
	/* A link the storm left may still be closing: a few tries. */
	for (int tries = 0; tries < 3 && !ok; tries++) {
		close(c);
		c = socket(AF_BLUETOOTH, SOCK_STREAM, proto);
		util_set_timeout_ms(c, SO_SNDTIMEO, 20000);
		ok = !bind(c, (struct sockaddr *)&from, sizeof(from)) &&
		     !connect(c, (struct sockaddr *)&a, sizeof(a));
		if (!ok) {
			printf("# %s connect after the torture: %s\n",
			       proto == BTPROTO_RFSEC ? "rfsec" : "RFCOMM",
			       strerror(errno));
			sleep(2);
		}
	}
	s = ok ? accept(l, NULL, NULL) : -1;
	if (s >= 0)
		util_set_timeout_ms(s, SO_RCVTIMEO, 20000);
	ok = s >= 0 && !util_write_all(c, out, sizeof(out), 1000) &&
	     !util_read_all(s, in, sizeof(in)) && !memcmp(in, out, sizeof(in));
out:
	close(s);
	close(c);
	close(l);
	return ok;
}

int main(int argc, char **argv)
{
	bool full = getenv("RFSEC_FUZZ");
	unsigned long seconds = full ? 300 : 45, max_calls = 0, total = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t seed = 0, rng;
	int opt, sockets = -1, refs_before, refs = -1;
	bool calm, plain;

	while ((opt = getopt(argc, argv, "s:t:n:j:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			max_calls = strtoul(optarg, NULL, 0);
			break;
		case 'j':
			n_workers = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: torture [-s SEED] [-t S] [-n CALLS] [-j THREADS]\n");
			return 2;
		}
	}
	if (n_workers < 2 || n_workers > MAX_THREADS)
		n_workers = 6;
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	if (!seed)
		seed = time(NULL) ^ ((uint64_t)getpid() << 32);
	/* Threads interleave as the scheduler likes: the seed fixes only each one's choices. */
	printf("# torture -s %#llx -t %lu -j %d\n", (unsigned long long)seed,
	       seconds, n_workers);
	fflush(stdout);
	rng = seed;
	if (!util_hci_addr(0, &addr0) || !util_hci_addr(1, &addr1)) {
		tap(false, "hci0 and hci1 exist");
		goto out;
	}
	/* No SA_RESTART: a signal ends a blocking call with EINTR. */
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < SLOTS; i++)
		slots.fd[i] = -1;
	refs_before = module_refs();
	for (int i = 0; i < n_workers; i++) {
		workers[i].rng = next(&rng);
		pthread_create(&workers[i].thread, NULL, work, &workers[i]);
	}
	started = true;
	calm = supervise(&rng, (long)seconds * 1000, max_calls);
	tap(calm, "no call ran past %d s while %d threads made calls and the controllers went down and up %lu times",
	    HANG_SECONDS, n_workers, updowns);
	if (!calm) {
		/* A thread stuck in the kernel cannot be joined; say so and stop. */
		fflush(stdout);
		printf("1..%d\n", tap_n);
		_exit(1);
	}
	for (int i = 0; i < n_workers; i++) {
		pthread_join(workers[i].thread, NULL);
		total += workers[i].ok + workers[i].failed;
	}
	for (int i = 0; i < SLOTS; i++)
		slot_close(i);
	/* Closing ends connections in the background: give it 30 s. */
	for (int i = 0; i < 300 && ((sockets = module_sockets()) != 0 ||
				    (refs = module_refs()) != refs_before); i++)
		usleep(100000);
	tap(sockets == 0, "every rfsec socket is gone once closed (the module counts %d)",
	    sockets);
	/* A socket freed late, or never, still holds the module. */
	tap(refs == refs_before, "the module's reference count is back to %d (it is %d)",
	    refs_before, refs);
	util_wait_links_down();
	plain = still_works(BTPROTO_RFCOMM, 29);
	if (!plain) {
		/*
		 * The emulated controllers can be left confused by the storm
		 * (btvirt's duplicate connection events): when plain RFCOMM
		 * cannot connect either, both controllers are reset first.
		 */
		printf("# plain RFCOMM does not connect after the torture: hci0 and hci1 reset\n");
		for (int dev = 0; dev < 2; dev++) {
			hci_ctl(dev, HCIDEVDOWN, dev);
			controller_up(dev);
		}
		util_wait_links_down();
		plain = still_works(BTPROTO_RFCOMM, 28);
	}
	tap(still_works(BTPROTO_RFSEC, 27),
	    "a new encrypted connection carries 64 KiB afterwards (plain RFCOMM %s)",
	    plain ? "connects too" : "does not connect either");
	for (int op = 0; op < OP_MAX; op++) {
		unsigned long n = 0;

		for (int i = 0; i < n_workers; i++)
			n += workers[i].calls[op];
		printf("# %s: %lu\n", op_names[op], n);
	}
	printf("# figures: seed %#llx, %lu calls by %d threads in %ld s, %lu controller down/up cycles\n",
	       (unsigned long long)seed, total, n_workers,
	       util_ms_since(&t_start) / 1000, updowns);
out:
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
