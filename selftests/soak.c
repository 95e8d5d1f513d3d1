// SPDX-License-Identifier: GPL-2.0
/*
 * Soak: J connections at once from hci0 to hci1 (one per RFCOMM channel),
 * each running C cycles of connect, transfer, close.
 * Each transfer is a length and that many seeded bytes; the receiver sends
 * back their SHA-256 and the sender compares it with its own. A transfer
 * that fails with an error is counted (the emulated link drops frames under
 * load, which rfsec must report, never hide); a transfer whose hash differs
 * is data lost or altered without a word, and fails the soak.
 *
 *   soak [-s SEED] [-c CYCLES] [-j CONNECTIONS] [-t SECONDS] [-m MAX_BYTES]
 *
 * soak.sh around it sets the ciphers and the rekey limit and records the
 * kernel's memory and rfsec's counters before and after.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <openssl/sha.h>

#include "util.h"
#include "fuzz_util.h"

#define MAX_CONNS	UTIL_RFCOMM_MAX_CHANNEL
#define IO_TIMEOUT_MS	30000

struct conn {
	int index;
	pthread_t client, server;
	uint64_t rng;
	int listener;
	bdaddr_t from, to;
	/* Results. */
	unsigned long cycles, errors, mismatches, connect_failures;
	unsigned long long bytes, lost;
	int last_errno;
};

static struct conn conns[MAX_CONNS];
static int n_conns = 30, n_cycles = 20, max_bytes = 16384;
static time_t deadline;

static uint64_t next(uint64_t *s)
{
	return splitmix64(s);
}

static int rfsec_socket(void)
{
	int fd = socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFSEC);

	if (fd >= 0) {
		util_set_timeout_ms(fd, SO_SNDTIMEO, IO_TIMEOUT_MS);
		util_set_timeout_ms(fd, SO_RCVTIMEO, IO_TIMEOUT_MS);
	}
	return fd;
}

/* Receives transfers one connection at a time and answers their hashes. */
static void *serve(void *arg)
{
	struct conn *c = arg;
	uint8_t *buf = malloc(max_bytes);

	while (buf) {
		uint8_t digest[SHA256_DIGEST_LENGTH];
		uint32_t len;
		int s = accept(c->listener, NULL, NULL);

		if (s < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			break;	/* the listener was shut down: the end */
		}
		util_set_timeout_ms(s, SO_SNDTIMEO, IO_TIMEOUT_MS);
		util_set_timeout_ms(s, SO_RCVTIMEO, IO_TIMEOUT_MS);
		if (!util_read_all(s, &len, sizeof(len)) &&
		    len <= (uint32_t)max_bytes && !util_read_all(s, buf, len)) {
			SHA256(buf, len, digest);
			util_write_all(s, digest, sizeof(digest), sizeof(digest));
			/* Wait for the sender to close: its read is the ACK. */
			read(s, buf, 1);
		}
		close(s);
	}
	free(buf);
	return NULL;
}

/* One cycle; 0, or the errno that ended it. */
static int cycle(struct conn *c, uint8_t *buf)
{
	struct sockaddr_rc from = util_rc_addr(&c->from, 0);
	struct sockaddr_rc to = util_rc_addr(&c->to, c->index + 1);
	uint8_t mine[SHA256_DIGEST_LENGTH], theirs[SHA256_DIGEST_LENGTH];
	uint32_t len = 1 + next(&c->rng) % max_bytes;
	int fd, ret, tries = 0;

	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t r = next(&c->rng);

		memcpy(buf + i, &r, len - i < 8 ? len - i : 8);
	}
	SHA256(buf, len, mine);
	/* A connect refused while the other side still closes the last one is retried. */
	for (;;) {
		fd = rfsec_socket();
		if (fd < 0)
			return errno;
		if (!bind(fd, (struct sockaddr *)&from, sizeof(from)) &&
		    !connect(fd, (struct sockaddr *)&to, sizeof(to)))
			break;
		ret = errno;
		close(fd);
		c->connect_failures++;
		if (++tries == 10 || time(NULL) >= deadline)
			return ret;
		usleep(200000 * tries);
	}
	ret = util_write_all(fd, &len, sizeof(len), sizeof(len));
	if (!ret)
		ret = util_write_all(fd, buf, len, 1000);
	if (!ret)
		ret = util_read_all(fd, theirs, sizeof(theirs));
	close(fd);
	if (ret)
		return -ret;
	c->bytes += len;
	if (memcmp(mine, theirs, sizeof(mine))) {
		c->mismatches++;
		c->lost += len;
	}
	return 0;
}

static void *run(void *arg)
{
	struct conn *c = arg;
	uint8_t *buf = malloc(max_bytes + 8);

	for (int i = 0; buf && i < n_cycles && time(NULL) < deadline; i++) {
		int err = cycle(c, buf);

		if (err) {
			c->errors++;
			c->last_errno = err;
		} else {
			c->cycles++;
		}
	}
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long cycles = 0, errors = 0, mismatches = 0, refused = 0;
	unsigned long long bytes = 0, lost = 0;
	unsigned long seconds = 3000;
	bdaddr_t a0, a1;
	struct timespec t0;
	uint64_t seed = 0;
	int opt;

	while ((opt = getopt(argc, argv, "s:c:j:t:m:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			n_cycles = atoi(optarg);
			break;
		case 'j':
			n_conns = atoi(optarg);
			break;
		case 't':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			max_bytes = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: soak [-s SEED] [-c CYCLES] [-j CONNS] [-t S] [-m BYTES]\n");
			return 2;
		}
	}
	if (n_conns < 1 || n_conns > MAX_CONNS || max_bytes < 1 ||
	    max_bytes > (1 << 20)) {
		fprintf(stderr, "soak: 1..%d connections, 1..1 MiB per transfer\n",
			MAX_CONNS);
		return 2;
	}
	if (!seed)
		seed = time(NULL);
	printf("# soak -s %#llx -c %d -j %d -t %lu -m %d\n",
	       (unsigned long long)seed, n_cycles, n_conns, seconds, max_bytes);
	fflush(stdout);
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	deadline = time(NULL) + seconds;
	if (!util_hci_addr(0, &a0) || !util_hci_addr(1, &a1)) {
		tap(false, "hci0 and hci1 exist");
		goto out;
	}
	for (int i = 0; i < n_conns; i++) {
		struct conn *c = &conns[i];
		struct sockaddr_rc at;

		c->index = i;
		c->rng = seed + i;
		/*
		 * One direction: connects crossing each other between two
		 * controllers make two ACL links that the emulated stack
		 * refuses every RFCOMM connect over (seen on 6.12).
		 */
		c->from = a0;
		c->to = a1;
		at = util_rc_addr(&c->to, i + 1);
		c->listener = rfsec_socket();
		util_set_timeout_ms(c->listener, SO_RCVTIMEO, 2000);
		if (c->listener < 0 ||
		    bind(c->listener, (struct sockaddr *)&at, sizeof(at)) ||
		    listen(c->listener, 2)) {
			tap(false, "listener %d: %s", i, strerror(errno));
			goto out;
		}
		pthread_create(&c->server, NULL, serve, c);
	}
	for (int i = 0; i < n_conns; i++)
		pthread_create(&conns[i].client, NULL, run, &conns[i]);
	for (int i = 0; i < n_conns; i++) {
		struct conn *c = &conns[i];

		pthread_join(c->client, NULL);
		shutdown(c->listener, SHUT_RDWR);
		pthread_join(c->server, NULL);
		close(c->listener);
		cycles += c->cycles;
		errors += c->errors;
		mismatches += c->mismatches;
		refused += c->connect_failures;
		bytes += c->bytes;
		lost += c->lost;
		if (c->errors)
			printf("# connection %d: %lu cycles failed, the last with %s\n",
			       i, c->errors, strerror(c->last_errno < 0 ?
						      -c->last_errno :
						      c->last_errno));
	}
	tap(!mismatches, "%lu transfers (%llu bytes) hash-checked: %lu differed (%llu bytes lost)",
	    cycles, bytes, mismatches, lost);
	/* Errors are the emulated link's to make and rfsec's to report; a few are expected. */
	tap(cycles + errors == (unsigned long)n_cycles * n_conns &&
	    errors * 100 <= cycles,
	    "%lu of %d cycles ran within %lu s; %lu ended with an error (at most 1%% may)",
	    cycles + errors, n_cycles * n_conns, seconds, errors);
	printf("# figures: seed %#llx, %d connections x %d cycles, %lu completed, %lu failed, %lu connects retried, %llu bytes, %llu lost, %ld s\n",
	       (unsigned long long)seed, n_conns, n_cycles, cycles, errors,
	       refused, bytes, lost, util_ms_since(&t0) / 1000);
out:
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
