// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink fuzzer for the rfsec family: generated and mutated requests of
 * every command (attributes of every type and length, flags, header fields,
 * nested garbage, bit flips, trailing bytes), first as root, then as the
 * unprivileged user nobody, and dumps interrupted by changes. An oracle
 * (nlfuzz_model.c) says what each request must be answered and keeps the
 * configuration the accepted ones made; every answer, every event and every
 * dump is compared with it, and at the end a full dump must equal it. No
 * byte the kernel sends may hold eight consecutive bytes of any private or
 * pre-shared key the fuzzer has ever sent (searched in every datagram).
 *
 *   nlfuzz [-s SEED] [-n ROOT_MESSAGES] [-u NOBODY_MESSAGES] [-t SECONDS]
 *
 * Everything follows from the seed, printed first: a failure reproduces
 * with the same seed and count. Prints TAP, then the figures.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "fuzz_util.h"
#include "nlfuzz.h"
#include "nlfuzz_io.h"

#define NOBODY_UID		65534
#define N_ADAPTERS		24	/* more than the 16 identities allowed */
#define N_PEERS			80	/* more than the 64 peers allowed */
#define N_KEYS			256

static uint64_t rng_state, seed;

static uint64_t rnd(void)
{
	return splitmix64(&rng_state);
}

static unsigned int below(unsigned int n)
{
	return rnd() % n;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = rnd();
}

/* The fuzzer's vocabulary; the private and pre-shared keys are the secrets. */
static struct {
	fz_addr adapters[N_ADAPTERS], peers[N_PEERS];
	uint8_t privs[N_KEYS][RFSEC_KEY_LEN];
	uint8_t psks[N_KEYS][RFSEC_KEY_LEN];
	uint8_t pubs[N_KEYS][RFSEC_KEY_LEN];
	uint8_t derived[N_KEYS][RFSEC_KEY_LEN];	/* of privs[] */
} pool;

static void pool_init(void)
{
	for (int i = 0; i < N_ADAPTERS; i++)
		pool.adapters[i] = (fz_addr){{ i, 0xad, 0x5e, 0xc0, 0xfe, 0x02 }};
	for (int i = 0; i < N_PEERS; i++)
		pool.peers[i] = (fz_addr){{ i, 0x9e, 0x5e, 0xc0, 0xfe, 0x02 }};
	for (int i = 0; i < N_KEYS; i++) {
		rnd_bytes(pool.privs[i], RFSEC_KEY_LEN);
		rnd_bytes(pool.psks[i], RFSEC_KEY_LEN);
		rnd_bytes(pool.pubs[i], RFSEC_KEY_LEN);
		if (!fz_x25519_public(pool.derived[i], pool.privs[i])) {
			fprintf(stderr, "nlfuzz: OpenSSL has no X25519\n");
			exit(1);
		}
		secrets_add(pool.privs[i]);
		secrets_add(pool.psks[i]);
	}
}

/* A request before it is laid out in bytes. */
struct fz_attr {
	uint16_t type;		/* with the NLA_F_* flags */
	uint16_t len;
	uint8_t data[200];
};

struct fz_req {
	uint16_t flags;
	uint8_t cmd, version;
	uint16_t reserved;
	int n;
	struct fz_attr a[12];
	int n_trail;
	uint8_t trail[8];
	int len_delta;		/* nlmsg_len beyond what is sent */
};

static void put(struct fz_req *r, uint16_t type, const void *data, int len)
{
	struct fz_attr *a;

	if (r->n == (int)(sizeof(r->a) / sizeof(r->a[0])))
		return;
	a = &r->a[r->n++];
	a->type = type;
	a->len = len;
	memcpy(a->data, data, len);
}

static void put_u32(struct fz_req *r, uint16_t type, uint32_t v)
{
	put(r, type, &v, sizeof(v));
}

static const fz_addr *pick_addr(const fz_addr *pool_of, int n)
{
	static fz_addr odd;

	if (!chance(3))
		return &pool_of[below(n)];
	switch (below(3)) {
	case 0:
		memset(&odd, 0, sizeof(odd));	/* BDADDR_ANY */
		break;
	case 1:
		memset(&odd, 0xff, sizeof(odd));	/* not a device */
		break;
	default:
		rnd_bytes(odd.b, sizeof(odd.b));
	}
	return &odd;
}

static void put_addr(struct fz_req *r, int type, const fz_addr *pool_of,
		     int n, int percent)
{
	if (chance(percent))
		put(r, type, pick_addr(pool_of, n), RFSEC_ADDR_LEN);
}

/* A peer public key: random, an identity's own, or zero. */
static void put_peer_key(struct fz_req *r, const struct fz_model *m)
{
	static const uint8_t zero[RFSEC_KEY_LEN];
	unsigned int k = below(100);

	if (k < 80)
		put(r, RFSEC_A_PEER_PUBLIC_KEY, pool.pubs[below(N_KEYS)],
		    RFSEC_KEY_LEN);
	else if (k < 88 && m->n)
		put(r, RFSEC_A_PEER_PUBLIC_KEY, m->ids[below(m->n)].pub,
		    RFSEC_KEY_LEN);
	else if (k < 96)	/* a later SET_IDENTITY may pick its private key */
		put(r, RFSEC_A_PEER_PUBLIC_KEY, pool.derived[below(N_KEYS)],
		    RFSEC_KEY_LEN);
	else if (k < 98)
		put(r, RFSEC_A_PEER_PUBLIC_KEY, zero, RFSEC_KEY_LEN);
}

/* A request as a well-meaning but careless administrator would send it. */
static void generate(struct fz_req *r, const struct fz_model *m)
{
	static const uint8_t zero[RFSEC_KEY_LEN];
	unsigned int k = below(100);

	memset(r, 0, sizeof(*r));
	r->flags = NLM_F_REQUEST | NLM_F_ACK;
	r->version = RFSEC_GENL_VERSION;
	if (k < 12) {
		r->cmd = RFSEC_CMD_SET_IDENTITY;
		put_addr(r, RFSEC_A_ADAPTER, pool.adapters, N_ADAPTERS, 97);
		if (chance(97))
			put(r, RFSEC_A_PRIVATE_KEY, chance(98) ?
			    pool.privs[below(N_KEYS)] : zero, RFSEC_KEY_LEN);
	} else if (k < 15) {
		r->cmd = RFSEC_CMD_DEL_IDENTITY;
		/*
		 * Half the time one that exists: an identity made on a random
		 * address would otherwise hold its slot for ever, and the
		 * limit would refuse every other.
		 */
		if (m->n && chance(50))
			put(r, RFSEC_A_ADAPTER, &m->ids[below(m->n)].adapter,
			    RFSEC_ADDR_LEN);
		else
			put_addr(r, RFSEC_A_ADAPTER, pool.adapters, N_ADAPTERS,
				 97);
	} else if (k < 55) {
		r->cmd = RFSEC_CMD_SET_PEER;
		put_addr(r, RFSEC_A_ADAPTER, pool.adapters, N_ADAPTERS, 98);
		put_addr(r, RFSEC_A_PEER_ADDR, pool.peers, N_PEERS, 98);
		put_peer_key(r, m);
		if (chance(40))
			put(r, RFSEC_A_PEER_PSK, chance(95) ?
			    pool.psks[below(N_KEYS)] : zero, RFSEC_KEY_LEN);
		if (chance(40))
			put_u32(r, RFSEC_A_PEER_POLICY, chance(95) ? below(2) :
				rnd());
		if (chance(40))
			put_u32(r, RFSEC_A_PEER_CIPHER, chance(95) ?
				1 + below(2) : below(4));
	} else if (k < 70) {
		const struct fz_identity *id = m->n ? &m->ids[below(m->n)] :
			NULL;

		r->cmd = RFSEC_CMD_DEL_PEER;
		if (id && id->n_peers && chance(50)) {
			put(r, RFSEC_A_ADAPTER, &id->adapter, RFSEC_ADDR_LEN);
			put(r, RFSEC_A_PEER_ADDR,
			    &id->peers[below(id->n_peers)].addr, RFSEC_ADDR_LEN);
			return;
		}
		put_addr(r, RFSEC_A_ADAPTER, pool.adapters, N_ADAPTERS, 98);
		put_addr(r, RFSEC_A_PEER_ADDR, pool.peers, N_PEERS, 98);
	} else if (k < 78) {
		r->cmd = RFSEC_CMD_GET_IDENTITY;
		put_addr(r, RFSEC_A_ADAPTER, pool.adapters, N_ADAPTERS, 97);
	} else if (k < 90) {
		r->cmd = RFSEC_CMD_GET_PEER;
		put_addr(r, RFSEC_A_ADAPTER, pool.adapters, N_ADAPTERS, 97);
		put_addr(r, RFSEC_A_PEER_ADDR, pool.peers, N_PEERS, 97);
	} else if (k < 94) {
		r->cmd = chance(50) ? RFSEC_CMD_GET_IDENTITY :
			RFSEC_CMD_GET_PEER;
		r->flags |= NLM_F_DUMP;
		put_addr(r, RFSEC_A_ADAPTER, pool.adapters, N_ADAPTERS, 30);
		put_addr(r, RFSEC_A_PEER_ADDR, pool.peers, N_PEERS, 3);
	} else if (k < 97) {
		r->cmd = RFSEC_CMD_GET_INFO;
	} else {
		/* The event commands, UNSPEC and beyond the last. */
		r->cmd = RFSEC_CMD_IDENTITY_CHANGED + below(8);
		if (chance(20))
			r->cmd = RFSEC_CMD_UNSPEC;
		put_addr(r, RFSEC_A_ADAPTER, pool.adapters, N_ADAPTERS, 50);
	}
}

/* Random inner attributes, or random bytes, under NLA_F_NESTED. */
static void nested_garbage(struct fz_attr *a)
{
	int len = 0;

	a->type = (below(RFSEC_A_MAX + 3)) | NLA_F_NESTED;
	if (chance(30)) {
		a->len = below(sizeof(a->data));
		rnd_bytes(a->data, a->len);
		return;
	}
	while (len + NLA_HDRLEN + 40 <= (int)sizeof(a->data) && chance(80)) {
		struct nlattr inner = { .nla_type = below(RFSEC_A_MAX + 3) };
		int plen = below(36);

		if (chance(20))
			inner.nla_type |= NLA_F_NESTED;
		inner.nla_len = NLA_HDRLEN + plen;
		memcpy(a->data + len, &inner, sizeof(inner));
		rnd_bytes(a->data + len + NLA_HDRLEN, plen);
		len += NLA_ALIGN(inner.nla_len);
	}
	a->len = len;
}

static const int boundary_lens[] = { 0, 1, 3, 4, 5, 6, 7, 8, 16, 31, 32, 33,
				     64, 199 };

/* One structural mutation of the request. */
static void mutate(struct fz_req *r)
{
	struct fz_attr *a = r->n ? &r->a[below(r->n)] : NULL;
	unsigned int k = below(13);
	int len;

	if (!a && k < 7)
		k = 7;
	switch (k) {
	case 0:		/* drop it */
		*a = r->a[--r->n];
		break;
	case 1:		/* say it twice; the second wins */
		if (r->n < 12)
			r->a[r->n++] = *a;
		break;
	case 2:		/* another type, its bytes as they are */
		a->type = (a->type & ~NLA_TYPE_MASK) | below(RFSEC_A_MAX + 4);
		break;
	case 3:		/* another length, at and around the boundaries */
		len = boundary_lens[below(sizeof(boundary_lens) /
					  sizeof(boundary_lens[0]))];
		if (len > a->len)
			rnd_bytes(a->data + a->len, len - a->len);
		a->len = len;
		break;
	case 4:		/* flags nobody asked for */
		a->type ^= chance(50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
		break;
	case 5:		/* a number out of range */
		if (a->len == 4)
			put_u32(r, a->type, rnd() >> below(32));
		break;
	case 6:		/* random payload */
		rnd_bytes(a->data, a->len);
		break;
	case 7:		/* nested garbage */
		if (r->n < 12)
			nested_garbage(&r->a[r->n++]);
		break;
	case 8:		/* a key where it does not belong */
		put(r, chance(50) ? RFSEC_A_PRIVATE_KEY : RFSEC_A_PEER_PSK,
		    chance(50) ? pool.privs[below(N_KEYS)] :
		    pool.psks[below(N_KEYS)], RFSEC_KEY_LEN);
		break;
	case 9:		/* bytes that do not frame an attribute */
		r->n_trail = 1 + below(sizeof(r->trail));
		rnd_bytes(r->trail, r->n_trail);
		break;
	case 10:	/* netlink flags */
		r->flags ^= 1 << below(chance(50) ? 4 : 16);
		break;
	case 11:	/* generic netlink header */
		if (chance(50))
			r->reserved = chance(50) ? 1u << below(16) : (uint16_t)rnd();
		else if (chance(50))
			r->version = rnd();
		else
			r->cmd = below(16);
		break;
	default:	/* a length the message does not have */
		r->len_delta = chance(50) ? 1 + (int)below(64) : -1 - (int)below(15);
		break;
	}
}

/* Lays @r out in @buf; returns the bytes to send. */
static size_t layout(const struct fz_req *r, uint8_t *buf, uint16_t family,
		     uint32_t seq)
{
	struct nlmsghdr nlh = { .nlmsg_type = family, .nlmsg_flags = r->flags,
				.nlmsg_seq = seq };
	struct genlmsghdr g = { .cmd = r->cmd, .version = r->version,
				.reserved = r->reserved };
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN;

	memcpy(buf + NLMSG_HDRLEN, &g, sizeof(g));
	for (int i = 0; i < r->n; i++) {
		struct nlattr nla = { .nla_len = NLA_HDRLEN + r->a[i].len,
				      .nla_type = r->a[i].type };

		memset(buf + len, 0, NLA_ALIGN(nla.nla_len));
		memcpy(buf + len, &nla, sizeof(nla));
		memcpy(buf + len + NLA_HDRLEN, r->a[i].data, r->a[i].len);
		/* The last attribute may end unpadded, as the core allows. */
		len += i == r->n - 1 && chance(20) ? nla.nla_len :
			NLA_ALIGN(nla.nla_len);
	}
	memcpy(buf + len, r->trail, r->n_trail);
	len += r->n_trail;
	nlh.nlmsg_len = len + r->len_delta;
	memcpy(buf, &nlh, sizeof(nlh));
	return len;
}

/* Bit flips anywhere after the netlink header. */
static void flip_bits(uint8_t *buf, size_t len)
{
	int n = 1 + below(4);

	if (len <= NLMSG_HDRLEN)
		return;
	while (n--)
		buf[NLMSG_HDRLEN + below(len - NLMSG_HDRLEN)] ^= 1 << below(8);
}

struct fz_counts {
	unsigned long sent, mutated, flipped, refused, changes, dumps;
	unsigned long intr_tried, intr_flagged, events;
};

static struct fz_counts counts;
static bool split_ops;

/* Builds, predicts, sends and checks one request; false on a mismatch. */
static bool one_request(struct fz_io *io, struct fz_model *m, bool admin,
			int mutations, struct fz_outcome *out)
{
	uint8_t buf[4096];
	struct fz_req r;
	size_t len;
	bool flipped = false;

	generate(&r, m);
	for (int i = 0; i < mutations; i++)
		mutate(&r);
	len = layout(&r, buf, io->family, io_next_seq(io));
	if (mutations && chance(25)) {
		flip_bits(buf, len);
		flipped = true;
	}
	secrets_scrub_request(buf, len, rnd);
	fz_predict(m, buf, len, admin, split_ops, out);
	counts.sent++;
	counts.mutated += mutations > 0;
	counts.flipped += flipped;
	counts.refused += out->err != 0;
	counts.changes += out->changed;
	counts.dumps += out->dump && !out->err;
	return io_exchange(io, buf, len, m, out);
}

/*
 * A dump of every peer that another socket changes the configuration under:
 * once the kernel has to build a part after the change, some part must
 * carry NLM_F_DUMP_INTR.
 */
static bool interrupted_dump(struct fz_io *io, struct fz_io *dumper,
			     struct fz_model *m)
{
	struct fz_outcome out;
	int parts_before = 1 + below(2);
	bool flagged, done_early, ok = true;

	if (!io_dump_start(dumper, RFSEC_CMD_GET_PEER))
		return false;
	if (!io_dump_parts(dumper, parts_before, NULL, NULL))
		return false;
	/* A change the model says succeeds. */
	for (int tries = 0; tries < 200; tries++) {
		if (!one_request(io, m, true, 0, &out))
			return false;
		if (out.changed)
			break;
	}
	if (!out.changed)
		return io_dump_parts(dumper, -1, NULL, NULL);
	if (!io_dump_parts(dumper, 1, &done_early, &flagged))
		return false;
	if (!done_early) {
		bool more_flagged;

		ok = io_dump_parts(dumper, -1, NULL, &more_flagged);
		flagged |= more_flagged;
		counts.intr_tried++;
		counts.intr_flagged += flagged;
		if (ok && !flagged) {
			printf("# a dump the configuration changed under was not marked NLM_F_DUMP_INTR\n");
			ok = false;
		}
	}
	return ok;
}

/* The fuzzing loop for one sender; false at the first mismatch. */
static bool fuzz(struct fz_io *io, struct fz_io *dumper, struct fz_model *m,
		 bool admin, unsigned long n, time_t deadline)
{
	struct fz_outcome out;

	for (unsigned long i = 0; i < n && time(NULL) < deadline; i++) {
		int mutations = chance(40) ? 1 + below(3) : 0;

		if (dumper && chance(1) && !interrupted_dump(io, dumper, m))
			goto fail;
		if (!one_request(io, m, admin, mutations, &out))
			goto fail;
	}
	return true;
fail:
	printf("# failed at request %lu of this sender; reproduce with nlfuzz -s %#llx and the same counts\n",
	       counts.sent, (unsigned long long)seed);
	return false;
}

/* The unprivileged half, in a child that has dropped every privilege. */
static int nobody_phase(struct fz_model *m, unsigned long n, time_t deadline)
{
	struct fz_io io;
	bool ok;

	if (setgroups(0, NULL) || setresgid(NOBODY_UID, NOBODY_UID, NOBODY_UID) ||
	    setresuid(NOBODY_UID, NOBODY_UID, NOBODY_UID)) {
		perror("nlfuzz: dropping privileges");
		return 2;
	}
	tap_failed = 0;	/* the parent's are the parent's to report */
	if (!io_open(&io))
		return 2;
	tap(io_join_events(&io) == -EPERM,
	    "nobody: joining the events group is refused with EPERM");
	memset(&counts, 0, sizeof(counts));
	ok = fuzz(&io, NULL, m, false, n, deadline);
	tap(ok, "nobody: %lu requests (%lu mutated, %lu with bit flips), every answer as the model predicts, %lu refused",
	    counts.sent, counts.mutated, counts.flipped, counts.refused);
	tap(!io.leaks, "nobody: no datagram (%lu bytes) held 8 bytes of a private or pre-shared key",
	    io.bytes);
	return tap_failed ? 1 : 0;
}

static bool kernel_splits_ops(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return true;
	return major > 6 || (major == 6 && minor >= 2);
}

int main(int argc, char **argv)
{
	/* make check runs a short fuzz; make fuzz (RFSEC_FUZZ=1) the long one. */
	bool full = getenv("RFSEC_FUZZ");
	unsigned long n_root = full ? 100000 : 4000;
	unsigned long n_nobody = full ? 20000 : 1000;
	unsigned long seconds = full ? 3000 : 240;
	struct fz_io io, dumper;
	struct fz_model model = { 0 };
	struct timespec t0, t1;
	unsigned long root_sent = 0;
	time_t deadline;
	int opt, status;
	bool ok;
	pid_t pid;

	while ((opt = getopt(argc, argv, "s:n:u:t:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			n_root = strtoul(optarg, NULL, 0);
			break;
		case 'u':
			n_nobody = strtoul(optarg, NULL, 0);
			break;
		case 't':
			seconds = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: nlfuzz [-s SEED] [-n N] [-u N] [-t S]\n");
			return 2;
		}
	}
	if (!seed) {
		clock_gettime(CLOCK_REALTIME, &t0);
		seed = (uint64_t)t0.tv_sec * 1000000007ULL ^ t0.tv_nsec;
	}
	printf("# nlfuzz -s %#llx -n %lu -u %lu -t %lu\n",
	       (unsigned long long)seed, n_root, n_nobody, seconds);
	fflush(stdout);
	rng_state = seed;
	split_ops = kernel_splits_ops();
	pool_init();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	deadline = time(NULL) + seconds;

	if (!io_open(&io) || !io_open(&dumper) ||
	    io_join_events(&io)) {
		tap(false, "the rfsec family resolves and its events can be joined");
		goto out;
	}
	tap(io_dump_equals(&io, &model), "the configuration is empty at the start");

	ok = fuzz(&io, &dumper, &model, true, n_root, deadline);
	root_sent = counts.sent;
	tap(ok, "root: %lu requests (%lu mutated, %lu with bit flips), every answer and event as the model predicts: %lu refused, %lu changes, %lu dumps",
	    counts.sent, counts.mutated, counts.flipped, counts.refused,
	    counts.changes, counts.dumps);
	tap(ok && counts.intr_tried > 0 && counts.intr_flagged == counts.intr_tried,
	    "root: %lu of %lu dumps the configuration changed under were marked NLM_F_DUMP_INTR",
	    counts.intr_flagged, counts.intr_tried);
	tap(io_dump_equals(&io, &model),
	    "root: a full dump equals the model (%d identities, %d peers)",
	    model.n, fz_model_peers(&model));

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(nobody_phase(&model, n_nobody, deadline));
	ok = pid > 0 && waitpid(pid, &status, 0) == pid &&
	     WIFEXITED(status) && WEXITSTATUS(status) == 0;
	/* The child's TAP lines count as ours. */
	tap_n += 3;
	tap(ok, "nobody: the unprivileged sender passed");
	tap(io_no_events(&io) && io_dump_equals(&io, &model),
	    "nobody changed nothing: no event, and a full dump still equals the model");

	tap(io_clear(&io, &model) && io_dump_equals(&io, &model),
	    "every identity the fuzzer made is removed again");
	tap(!io.leaks && !dumper.leaks,
	    "root: no datagram (%lu bytes, %lu events) held 8 bytes of any of the %d private and pre-shared keys",
	    io.bytes + dumper.bytes, io.events, 2 * N_KEYS);
out:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# figures: seed %#llx, requests as root %lu (of %lu asked), as nobody %lu asked, %ld s\n",
	       (unsigned long long)seed, root_sent, n_root, n_nobody,
	       (long)(t1.tv_sec - t0.tv_sec));
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
