// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec pair: two adapters learn each other's identity public key over a
 * plain RFCOMM connection, confirmed by their users comparing a six-digit
 * code, and each installs the other as a peer. The protocol is
 * docs/PAIRING.md; this file is its reference implementation.
 */

#define _GNU_SOURCE

#include "config.h"
#include "encoding.h"
#include "genl.h"
#include "kconf.h"
#include "pair.h"
#include "state.h"
#include "subcommands.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>
#include <bluetooth/rfcomm.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define PAIR_DEFAULT_TIMEOUT 30		/* seconds, initiator */
#define PAIR_DEFAULT_ACCEPT_TIMEOUT 60	/* seconds, responder */
#define PAIR_MAX_TIMEOUT 86400
/* How long the sender of the last message waits for the other to close. */
#define PAIR_LINGER_MS 3000
#define PAIR_NONCE_LEN 32
#define PAIR_HASH_LEN 32

/* The labels of docs/PAIRING.md, section 4: ASCII, no terminating NUL. */
static const char pair_label_commit[] = "rfsec-pair-v1-commit";
static const char pair_label_transcript[] = "rfsec-pair-v1-transcript";
static const char pair_label_code[] = "rfsec-pair-v1-code";
static const char pair_label_confirm[] = "rfsec-pair-v1-confirm";

#define PAIR_USAGE \
	"Usage: rfsec pair ADDR [-i ADAPTER] [--channel N] [--link] [--yes]\n" \
	"                  [--timeout S]\n" \
	"       rfsec pair --accept [-i ADAPTER] [--channel N] [--yes]\n" \
	"                  [--timeout S]\n"

struct pair {
	/* The command line. */
	bool accept, yes, link;
	int channel;
	int timeout;			/* seconds */
	const char *adapter_arg;	/* -i, or NULL */

	/* This side: its adapter and identity. */
	char name[16];			/* "hciN", or "" when unknown */
	uint8_t local[RFSEC_ADDR_LEN], remote[RFSEC_ADDR_LEN];
	char local_str[CONFIG_ADDR_STRLEN], remote_str[CONFIG_ADDR_STRLEN];
	struct rfsec_genl *genl;
	uint8_t pub[RFSEC_KEY_LEN];
	uint8_t priv[RFSEC_KEY_LEN];	/* only for a new identity */
	bool new_identity;

	/* The exchange (i: initiator, r: responder). */
	int sock;
	uint8_t pub_i[RFSEC_KEY_LEN], pub_r[RFSEC_KEY_LEN];
	uint8_t nonce_i[PAIR_NONCE_LEN], nonce_r[PAIR_NONCE_LEN];
	uint8_t commit[PAIR_HASH_LEN];
	uint8_t transcript[PAIR_HASH_LEN], confirm[PAIR_HASH_LEN];
	unsigned int code;
	bool peer_confirmed;		/* the responder has the confirm */

	/* What to send the other side when this side gives up (0: nothing). */
	int reason;

	/* Bytes received and not yet taken as a message. */
	uint8_t in[PAIR_HDR_LEN + PAIR_MAX_BODY];
	size_t in_len;
};

static const char *pair_adapter_desc(const struct pair *p)
{
	static char desc[40];

	if (p->name[0])
		snprintf(desc, sizeof(desc), "%s (%s)", p->name, p->local_str);
	else
		snprintf(desc, sizeof(desc), "%s", p->local_str);
	return desc;
}

static long long pair_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int pair_remaining_ms(long long deadline)
{
	long long left = deadline - pair_now_ms();

	return left < 0 ? 0 : (int)left;
}

static int pair_usage_error(void)
{
	fprintf(stderr, PAIR_USAGE "Try 'rfsec pair --help'.\n");
	return RFSEC_EXIT_USAGE;
}

static int pair_help(void)
{
	printf(PAIR_USAGE "\n"
	       "Pairs two adapters: each learns the other's rfsec identity public key,\n"
	       "both users compare a six-digit code, and on a yes from both sides each\n"
	       "installs the other as a peer (policy require). One side waits with\n"
	       "--accept, the other connects to its address ADDR. The exchange runs over\n"
	       "plain RFCOMM and is checked by the code alone (docs/PAIRING.md): answer\n"
	       "y only if both devices show the same code.\n\n"
	       "  -i ADAPTER     the local adapter, hciN or its address (default: the\n"
	       "                 first one up; with --accept: whichever is connected to)\n"
	       "  --channel N    the RFCOMM channel, 1 to 30 (default %d)\n"
	       "  --link         ask BlueZ for link-level pairing and encryption first\n"
	       "                 (initiator only); rfsec's security never depends on it\n"
	       "  --yes          do not ask: confirm whatever code is shown (scripts,\n"
	       "                 tests; it gives up the protection against a relay)\n"
	       "  --timeout S    how long to wait for the other side, or for the user,\n"
	       "                 at each step (default %d s, with --accept %d s)\n\n"
	       "An adapter without an identity gets a new key pair, set only if the\n"
	       "pairing succeeds. A refusal, a mismatch, a timeout or a lost connection\n"
	       "installs nothing on either side. Needs CAP_NET_ADMIN.\n\n"
	       "Exit status: 0 paired, 1 not paired, 2 for a wrong command line.\n",
	       PAIR_DEFAULT_CHANNEL, PAIR_DEFAULT_TIMEOUT,
	       PAIR_DEFAULT_ACCEPT_TIMEOUT);
	return RFSEC_EXIT_OK;
}

static int pair_parse_int(const char *what, const char *str, int min, int max,
			  int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(str, &end, 10);
	if (errno || end == str || *end || v < min || v > max) {
		fprintf(stderr, "rfsec pair: bad %s '%s' (%d to %d)\n", what,
			str, min, max);
		return RFSEC_EXIT_USAGE;
	}
	*out = (int)v;
	return RFSEC_EXIT_OK;
}

/* Adapters */

/* The controller with address @addr, present or down; -1 if none. */
static int pair_dev_by_addr(const uint8_t addr[RFSEC_ADDR_LEN])
{
	struct hci_dev_info di;
	int id;

	for (id = 0; id < HCI_MAX_DEV; id++) {
		if (hci_devinfo(id, &di) == 0 &&
		    !memcmp(di.bdaddr.b, addr, RFSEC_ADDR_LEN))
			return id;
	}
	return -1;
}

/*
 * Finds the adapter @p->adapter_arg names and checks it is up. hci_devid()
 * will not do: it only finds adapters that are up, and cannot tell "down"
 * from "absent".
 */
static int pair_resolve_adapter(struct pair *p)
{
	const char *arg = p->adapter_arg;
	struct hci_dev_info di;
	const char *s;
	int id, ret;

	if (!strncmp(arg, "hci", 3)) {
		for (s = arg + 3; isdigit((unsigned char)*s); s++)
			;
		if (s == arg + 3 || *s || s - arg > 8) {
			fprintf(stderr,
				"rfsec pair: malformed adapter '%s' (expected hciN or XX:XX:XX:XX:XX:XX)\n",
				arg);
			return RFSEC_EXIT_USAGE;
		}
		id = atoi(arg + 3);
		if (hci_devinfo(id, &di) < 0) {
			if (errno == EAFNOSUPPORT)
				fprintf(stderr,
					"rfsec pair: Bluetooth is not available (try: modprobe bluetooth)\n");
			else
				fprintf(stderr,
					"rfsec pair: no Bluetooth adapter %s (see rfsec adapters)\n",
					arg);
			return RFSEC_EXIT_FAILURE;
		}
	} else {
		ret = config_parse_addr("adapter", arg, p->local);
		if (ret)
			return ret;
		id = pair_dev_by_addr(p->local);
		if (id < 0 || hci_devinfo(id, &di) < 0) {
			fprintf(stderr,
				"rfsec pair: no Bluetooth adapter has the address %s (see rfsec adapters)\n",
				arg);
			return RFSEC_EXIT_FAILURE;
		}
	}
	snprintf(p->name, sizeof(p->name), "%s", di.name);
	memcpy(p->local, di.bdaddr.b, RFSEC_ADDR_LEN);
	config_addr_str(p->local_str, p->local);
	if (!hci_test_bit(HCI_UP, &di.flags)) {
		fprintf(stderr,
			"rfsec pair: adapter %s is down (try: %s)\n",
			pair_adapter_desc(p), config_power_on_hint(p->name));
		return RFSEC_EXIT_FAILURE;
	}
	return RFSEC_EXIT_OK;
}

/* The first adapter that is up and is not @p->remote itself. */
static int pair_default_adapter(struct pair *p)
{
	static char name[16];
	bdaddr_t dst;
	int id;

	memcpy(dst.b, p->remote, RFSEC_ADDR_LEN);
	id = hci_get_route(&dst);
	if (id < 0) {
		fprintf(stderr,
			"rfsec pair: no Bluetooth adapter is up (see rfsec adapters)\n");
		return RFSEC_EXIT_FAILURE;
	}
	snprintf(name, sizeof(name), "hci%d", id);
	p->adapter_arg = name;
	return pair_resolve_adapter(p);
}

/* Names the adapter a connection came in on (responder without -i). */
static void pair_name_local(struct pair *p)
{
	struct hci_dev_info di;
	int id = pair_dev_by_addr(p->local);

	config_addr_str(p->local_str, p->local);
	if (id >= 0 && hci_devinfo(id, &di) == 0)
		snprintf(p->name, sizeof(p->name), "%s", di.name);
}

/* Privileges: say so before anything goes on the air. */
static bool pair_has_net_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return true;	/* let the kernel decide */
	return data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &
	       CAP_TO_MASK(CAP_NET_ADMIN);
}

/* Identities and peers, over generic netlink */

/* What pair_lookup() found: an identity or a peer, and its public key. */
struct pair_find {
	bool found;
	bool has_key;
	uint8_t key[RFSEC_KEY_LEN];
};

/*
 * Looks up the identity of the adapter (@peer NULL) or one of its peers.
 * A dump of every identity, filtered here, because a request for a missing
 * one is an error the netlink helpers would print.
 */
static int pair_lookup(struct pair *p, const uint8_t *peer,
		       struct pair_find *f)
{
	struct kconf_identity *ids = NULL;
	struct kconf_peer *peers = NULL;
	size_t n = 0, i;

	memset(f, 0, sizeof(*f));
	if (!peer) {
		if (kconf_dump_identities(p->genl, NULL, &ids, &n))
			return -1;
		for (i = 0; i < n && !f->found; i++) {
			if (memcmp(ids[i].adapter, p->local, RFSEC_ADDR_LEN))
				continue;
			f->found = f->has_key = true;
			memcpy(f->key, ids[i].public_key, RFSEC_KEY_LEN);
		}
		free(ids);
		return 0;
	}
	/* Only asked once the identity exists. */
	if (kconf_dump_peers(p->genl, p->local, &peers, &n))
		return -1;
	for (i = 0; i < n && !f->found; i++) {
		if (memcmp(peers[i].addr, peer, RFSEC_ADDR_LEN))
			continue;
		f->found = true;
		f->has_key = peers[i].has_public_key;
		memcpy(f->key, peers[i].public_key, RFSEC_KEY_LEN);
	}
	free(peers);
	return 0;
}

/* An X25519 key pair for an adapter that has no identity yet. */
static int pair_make_identity(struct pair *p)
{
	size_t len = sizeof(p->pub);
	EVP_PKEY *pkey;

	if (RAND_bytes(p->priv, sizeof(p->priv)) != 1) {
		fprintf(stderr, "rfsec pair: no random bytes (OpenSSL)\n");
		return -1;
	}
	/* RFC 7748, section 5, as rfsec genkey does. */
	p->priv[0] &= 248;
	p->priv[31] &= 127;
	p->priv[31] |= 64;
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, p->priv,
					    sizeof(p->priv));
	if (!pkey || EVP_PKEY_get_raw_public_key(pkey, p->pub, &len) != 1 ||
	    len != sizeof(p->pub)) {
		fprintf(stderr,
			"rfsec pair: cannot derive a public key (OpenSSL)\n");
		EVP_PKEY_free(pkey);
		return -1;
	}
	EVP_PKEY_free(pkey);
	p->new_identity = true;
	return 0;
}

/* This side's identity: the adapter's own, or a new one. */
static int pair_identity(struct pair *p)
{
	char b64[RFSEC_KEY_BASE64_LEN + 1];
	struct pair_find f;

	if (pair_lookup(p, NULL, &f))
		return -1;
	if (f.found && f.has_key) {
		memcpy(p->pub, f.key, RFSEC_KEY_LEN);
		key_to_base64(b64, p->pub);
		printf("%s has the identity with public key %s\n",
		       pair_adapter_desc(p), b64);
		return 0;
	}
	if (pair_make_identity(p))
		return -1;
	key_to_base64(b64, p->pub);
	printf("%s has no identity: made a new key pair with public key %s\n"
	       "(it is set only if the pairing succeeds)\n",
	       pair_adapter_desc(p), b64);
	return 0;
}

static int pair_set_identity(struct pair *p)
{
	struct nlmsghdr *req;
	int ret;

	req = rfsec_genl_request(p->genl, RFSEC_CMD_SET_IDENTITY, 0);
	mnl_attr_put(req, RFSEC_A_ADAPTER, RFSEC_ADDR_LEN, p->local);
	mnl_attr_put(req, RFSEC_A_PRIVATE_KEY, sizeof(p->priv), p->priv);
	ret = rfsec_genl_call(p->genl, req, NULL, NULL);
	explicit_bzero(req, req->nlmsg_len);
	return ret;
}

static void pair_del_identity(struct pair *p)
{
	struct nlmsghdr *req;

	req = rfsec_genl_request(p->genl, RFSEC_CMD_DEL_IDENTITY, 0);
	mnl_attr_put(req, RFSEC_A_ADAPTER, RFSEC_ADDR_LEN, p->local);
	rfsec_genl_call(p->genl, req, NULL, NULL);
}

/* Into the saved state too, when the adapter has a state folder. */
static void pair_store_peer(struct pair *p, const uint8_t *peer_pub)
{
	struct state_peer sp = {
		.has_public_key = true,
		.has_policy = true,
		.policy = RFSEC_POLICY_REQUIRE,
	};

	memcpy(sp.addr, p->remote, RFSEC_ADDR_LEN);
	memcpy(sp.public_key, peer_pub, RFSEC_KEY_LEN);
	if (state_store_peer(p->local, &sp))
		fprintf(stderr,
			"rfsec pair: the peer is not saved ('rfsec save' retries)\n");
}

/*
 * Installs the other side as a peer, and this side's new identity first if
 * it has one. Returns 0, or -1 with nothing installed.
 */
static int pair_install(struct pair *p)
{
	const uint8_t *peer_pub = p->accept ? p->pub_i : p->pub_r;
	char b64[RFSEC_KEY_BASE64_LEN + 1];
	struct nlmsghdr *req;
	struct pair_find f;
	const char *verb = "added";

	if (p->new_identity) {
		if (pair_lookup(p, NULL, &f))
			return -1;
		if (f.found) {
			fprintf(stderr,
				"rfsec pair: %s was given an identity while pairing; pair again\n",
				pair_adapter_desc(p));
			return -1;
		}
		if (pair_set_identity(p))
			return -1;
		key_to_base64(b64, p->pub);
		printf("set the identity of %s: public key %s\n",
		       pair_adapter_desc(p), b64);
		/* The kernel never gives the key back: keep it now or never. */
		if (state_store_identity(p->local, p->priv))
			fprintf(stderr,
				"rfsec pair: the new identity is not saved; it is lost at reboot\n");
	} else {
		if (pair_lookup(p, p->remote, &f))
			return -1;
		if (f.found)
			verb = f.has_key && !CRYPTO_memcmp(f.key, peer_pub,
							   RFSEC_KEY_LEN) ?
				"replaced (same key)" : "replaced";
	}

	req = rfsec_genl_request(p->genl, RFSEC_CMD_SET_PEER, 0);
	mnl_attr_put(req, RFSEC_A_ADAPTER, RFSEC_ADDR_LEN, p->local);
	mnl_attr_put(req, RFSEC_A_PEER_ADDR, RFSEC_ADDR_LEN, p->remote);
	mnl_attr_put(req, RFSEC_A_PEER_PUBLIC_KEY, RFSEC_KEY_LEN, peer_pub);
	mnl_attr_put_u32(req, RFSEC_A_PEER_POLICY, RFSEC_POLICY_REQUIRE);
	if (rfsec_genl_call(p->genl, req, NULL, NULL)) {
		if (p->new_identity) {
			pair_del_identity(p);
			printf("removed the identity of %s again\n",
			       pair_adapter_desc(p));
		}
		return -1;
	}
	key_to_base64(b64, peer_pub);
	printf("%s peer %s on %s: public key %s, policy require\n", verb,
	       p->remote_str, pair_adapter_desc(p), b64);
	pair_store_peer(p, peer_pub);
	return 0;
}

/* Hashes (docs/PAIRING.md, section 4) */

struct pair_chunk {
	const void *data;
	size_t len;
};

static int pair_sha256(uint8_t out[PAIR_HASH_LEN], const char *label,
		       const struct pair_chunk *chunks, size_t n)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	int ok;
	size_t i;

	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, label, strlen(label)) == 1;
	for (i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, chunks[i].data, chunks[i].len) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, out, &len) == 1 &&
	     len == PAIR_HASH_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		fprintf(stderr, "rfsec pair: SHA-256 failed (OpenSSL)\n");
	return ok ? 0 : -1;
}

static const uint8_t *pair_addr_i(const struct pair *p)
{
	return p->accept ? p->remote : p->local;
}

static const uint8_t *pair_addr_r(const struct pair *p)
{
	return p->accept ? p->local : p->remote;
}

/* C = SHA-256("rfsec-pair-v1-commit" || A_i || A_r || PK_i || N_i) */
static int pair_commitment(const struct pair *p, uint8_t out[PAIR_HASH_LEN])
{
	const struct pair_chunk c[] = {
		{ pair_addr_i(p), RFSEC_ADDR_LEN },
		{ pair_addr_r(p), RFSEC_ADDR_LEN },
		{ p->pub_i, RFSEC_KEY_LEN },
		{ p->nonce_i, PAIR_NONCE_LEN },
	};

	return pair_sha256(out, pair_label_commit, c, 4);
}

/* The transcript hash T, the code from it and the confirmation value. */
static int pair_derive(struct pair *p)
{
	const struct pair_chunk t[] = {
		{ pair_addr_i(p), RFSEC_ADDR_LEN },
		{ pair_addr_r(p), RFSEC_ADDR_LEN },
		{ p->pub_i, RFSEC_KEY_LEN },
		{ p->pub_r, RFSEC_KEY_LEN },
		{ p->nonce_i, PAIR_NONCE_LEN },
		{ p->nonce_r, PAIR_NONCE_LEN },
	};
	const struct pair_chunk h = { p->transcript, PAIR_HASH_LEN };
	uint8_t code[PAIR_HASH_LEN];

	if (pair_sha256(p->transcript, pair_label_transcript, t, 6) ||
	    pair_sha256(code, pair_label_code, &h, 1) ||
	    pair_sha256(p->confirm, pair_label_confirm, &h, 1))
		return -1;
	p->code = (((uint32_t)code[0] << 24) | ((uint32_t)code[1] << 16) |
		   ((uint32_t)code[2] << 8) | code[3]) % 1000000;
	return 0;
}

/* Messages (docs/PAIRING.md, section 3) */

static int pair_body_len(int type)
{
	switch (type) {
	case PAIR_MSG_COMMIT:
	case PAIR_MSG_CONFIRM:
		return PAIR_HASH_LEN;
	case PAIR_MSG_KEY:
	case PAIR_MSG_REVEAL:
		return RFSEC_KEY_LEN + PAIR_NONCE_LEN;
	case PAIR_MSG_ABORT:
		return 1;
	case PAIR_MSG_DONE:
		return 0;
	}
	return -1;
}

static int pair_send(struct pair *p, int type, const void *body, size_t len)
{
	uint8_t msg[PAIR_HDR_LEN + PAIR_MAX_BODY];
	size_t off = 0, total = PAIR_HDR_LEN + len;
	struct pollfd pfd = { p->sock, POLLOUT, 0 };
	long long deadline = pair_now_ms() + p->timeout * 1000LL;
	ssize_t n;

	msg[0] = type;
	msg[1] = PAIR_VERSION;
	msg[2] = len >> 8;
	msg[3] = len & 0xff;
	if (len)
		memcpy(msg + PAIR_HDR_LEN, body, len);
	while (off < total) {
		n = send(p->sock, msg + off, total - off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			off += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			fprintf(stderr,
				"rfsec pair: connection to %s lost: %s\n",
				p->remote_str, strerror(errno));
			p->reason = 0;
			return -1;
		}
		if (poll(&pfd, 1, pair_remaining_ms(deadline)) == 0) {
			fprintf(stderr,
				"rfsec pair: cannot send to %s within %d s\n",
				p->remote_str, p->timeout);
			p->reason = 0;
			return -1;
		}
	}
	return 0;
}

static void pair_send_abort(struct pair *p, int reason)
{
	uint8_t r = reason;

	pair_send(p, PAIR_MSG_ABORT, &r, 1);
}

/*
 * Takes one whole message out of the input buffer. Returns its type, 0 if
 * it is not all there yet, -1 for a malformed one (said why).
 */
static int pair_take(struct pair *p, uint8_t *body, size_t *len)
{
	int type, want;
	size_t blen;

	if (p->in_len < PAIR_HDR_LEN)
		return 0;
	type = p->in[0];
	blen = ((size_t)p->in[2] << 8) | p->in[3];
	if (p->in[1] != PAIR_VERSION) {
		fprintf(stderr,
			"rfsec pair: %s speaks pairing protocol version %u; this tool speaks version %d\n",
			p->remote_str, p->in[1], PAIR_VERSION);
		p->reason = PAIR_ABORT_PROTOCOL;
		return -1;
	}
	want = pair_body_len(type);
	if (want < 0 || blen != (size_t)want) {
		fprintf(stderr,
			"rfsec pair: malformed message from %s (type %d, length %zu)\n",
			p->remote_str, type, blen);
		p->reason = PAIR_ABORT_PROTOCOL;
		return -1;
	}
	if (p->in_len < PAIR_HDR_LEN + blen)
		return 0;
	memcpy(body, p->in + PAIR_HDR_LEN, blen);
	*len = blen;
	p->in_len -= PAIR_HDR_LEN + blen;
	memmove(p->in, p->in + PAIR_HDR_LEN + blen, p->in_len);
	return type;
}

/* One read from the connection. Returns -1 after saying why it ended. */
static int pair_read_some(struct pair *p)
{
	ssize_t n;

	do {
		n = recv(p->sock, p->in + p->in_len, sizeof(p->in) - p->in_len,
			 MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n > 0) {
		p->in_len += n;
		return 0;
	}
	if (n < 0 && errno == EAGAIN)
		return 0;
	p->reason = 0;	/* nobody to tell */
	if (n == 0)
		fprintf(stderr,
			"rfsec pair: %s closed the connection\n",
			p->remote_str);
	else
		fprintf(stderr, "rfsec pair: connection to %s lost: %s\n",
			p->remote_str, strerror(errno));
	return -1;
}

/*
 * The next message, waiting at most the timeout. Returns its type, or -1
 * after saying why there is none (@what: what this side waits for).
 */
static int pair_recv(struct pair *p, uint8_t *body, size_t *len,
		     const char *what)
{
	long long deadline = pair_now_ms() + p->timeout * 1000LL;
	struct pollfd pfd = { p->sock, POLLIN, 0 };
	int type, n;

	for (;;) {
		type = pair_take(p, body, len);
		if (type)
			return type;
		n = poll(&pfd, 1, pair_remaining_ms(deadline));
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			fprintf(stderr,
				"rfsec pair: timed out: no %s from %s within %d s\n",
				what, p->remote_str, p->timeout);
			p->reason = PAIR_ABORT_TIMEOUT;
			return -1;
		}
		if (pair_read_some(p))
			return -1;
	}
}

static void pair_report_abort(struct pair *p, const uint8_t *body)
{
	static const char *const why[] = {
		[PAIR_ABORT_REFUSED] = "refused the pairing (its user said no)",
		[PAIR_ABORT_TIMEOUT] = "gave up waiting (timeout)",
		[PAIR_ABORT_PROTOCOL] = "reports a protocol error",
		[PAIR_ABORT_COMMITMENT] =
			"reports that our key and nonce do not match our commitment: the messages were changed on the way",
		[PAIR_ABORT_LOCAL] = "failed (see its messages)",
		[PAIR_ABORT_TRANSCRIPT] =
			"reports that the two sides saw different messages",
		[PAIR_ABORT_BAD_KEY] = "cannot accept our public key",
	};

	p->reason = 0;
	if (body[0] < sizeof(why) / sizeof(why[0]) && why[body[0]])
		fprintf(stderr, "rfsec pair: %s %s\n", p->remote_str,
			why[body[0]]);
	else
		fprintf(stderr, "rfsec pair: %s aborted the pairing (reason %u)\n",
			p->remote_str, body[0]);
}

/* Receives a message of type @want; an abort or anything else fails. */
static int pair_expect(struct pair *p, int want, uint8_t *body,
		       const char *what)
{
	size_t len;
	int type = pair_recv(p, body, &len, what);

	if (type < 0)
		return -1;
	if (type == PAIR_MSG_ABORT) {
		pair_report_abort(p, body);
		return -1;
	}
	if (type != want) {
		fprintf(stderr,
			"rfsec pair: unexpected message (type %d) from %s, waiting for the %s\n",
			type, p->remote_str, what);
		p->reason = PAIR_ABORT_PROTOCOL;
		return -1;
	}
	return 0;
}

/*
 * The sender of the last message closes last: RFCOMM may drop what is
 * still queued when a socket closes, so wait (a little) for the other side
 * to read it and close first.
 */
static void pair_linger(struct pair *p)
{
	long long deadline = pair_now_ms() + PAIR_LINGER_MS;
	struct pollfd pfd = { p->sock, POLLIN, 0 };
	uint8_t junk[64];

	ssize_t n;

	while (poll(&pfd, 1, pair_remaining_ms(deadline)) > 0) {
		n = recv(p->sock, junk, sizeof(junk), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
	}
}

/* A key the other side sends must be usable as its peer key. */
static int pair_check_key(struct pair *p, const uint8_t *key)
{
	static const uint8_t zero[RFSEC_KEY_LEN];

	if (!CRYPTO_memcmp(key, zero, RFSEC_KEY_LEN)) {
		fprintf(stderr, "rfsec pair: %s sent an all-zero public key\n",
			p->remote_str);
		p->reason = PAIR_ABORT_BAD_KEY;
		return -1;
	}
	if (!CRYPTO_memcmp(key, p->pub, RFSEC_KEY_LEN)) {
		fprintf(stderr,
			"rfsec pair: %s sent this adapter's own public key back\n",
			p->remote_str);
		p->reason = PAIR_ABORT_BAD_KEY;
		return -1;
	}
	return 0;
}

static void pair_show_code(struct pair *p)
{
	char b64[RFSEC_KEY_BASE64_LEN + 1];

	key_to_base64(b64, p->accept ? p->pub_i : p->pub_r);
	printf("%s sent public key %s\n", p->remote_str, b64);
	printf("Pairing code: %03u %03u\n", p->code / 1000, p->code % 1000);
	fflush(stdout);
}

/* While the user decides, the other side may speak. */
static int pair_handle_while_asking(struct pair *p)
{
	uint8_t body[PAIR_MAX_BODY];
	size_t len;
	int type;

	if (pair_read_some(p))
		return -1;
	while ((type = pair_take(p, body, &len)) != 0) {
		if (type < 0)
			return -1;
		if (type == PAIR_MSG_ABORT) {
			pair_report_abort(p, body);
			return -1;
		}
		if (type != PAIR_MSG_CONFIRM || !p->accept ||
		    p->peer_confirmed) {
			fprintf(stderr,
				"rfsec pair: unexpected message (type %d) from %s\n",
				type, p->remote_str);
			p->reason = PAIR_ABORT_PROTOCOL;
			return -1;
		}
		if (CRYPTO_memcmp(body, p->confirm, PAIR_HASH_LEN)) {
			fprintf(stderr,
				"rfsec pair: the confirmation from %s does not match: the two sides saw different messages\n",
				p->remote_str);
			p->reason = PAIR_ABORT_TRANSCRIPT;
			return -1;
		}
		p->peer_confirmed = true;
	}
	return 0;
}

static bool pair_is_yes(const char *line)
{
	char word[8];
	size_t n = 0;

	while (isspace((unsigned char)*line))
		line++;
	while (*line && !isspace((unsigned char)*line) && n < sizeof(word) - 1)
		word[n++] = tolower((unsigned char)*line++);
	word[n] = '\0';
	while (isspace((unsigned char)*line))
		line++;
	return !*line && (!strcmp(word, "y") || !strcmp(word, "yes"));
}

/*
 * Asks the user to compare the codes. Returns 1 for yes, 0 for no, -1 if
 * the pairing ended meanwhile (said why).
 */
static int pair_ask(struct pair *p)
{
	long long deadline = pair_now_ms() + p->timeout * 1000LL;
	struct pollfd pfd[2] = {
		{ STDIN_FILENO, POLLIN, 0 },
		{ p->sock, POLLIN, 0 },
	};
	char line[64], *end;
	size_t len = 0;
	bool eof = false;
	ssize_t n;

	if (p->yes) {
		printf("Confirmed without asking (--yes)\n");
		return 1;
	}
	printf("Does %s show the same code? [y/N] ", p->remote_str);
	fflush(stdout);
	while (!eof && !memchr(line, '\n', len)) {
		n = poll(pfd, 2, pair_remaining_ms(deadline));
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			printf("\n");
			fprintf(stderr,
				"rfsec pair: timed out: no answer within %d s\n",
				p->timeout);
			p->reason = PAIR_ABORT_TIMEOUT;
			return -1;
		}
		if (pfd[1].revents) {
			if (pair_handle_while_asking(p)) {
				printf("\n");
				return -1;
			}
		}
		if (!pfd[0].revents)
			continue;
		n = read(STDIN_FILENO, line + len, sizeof(line) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			eof = true;
		else
			len += n;
		if (len == sizeof(line) - 1)
			break;
	}
	line[len] = '\0';
	end = strchr(line, '\n');
	if (end)
		*end = '\0';
	if (!isatty(STDIN_FILENO))
		printf("%s\n", line);	/* the answer, for logs */
	return pair_is_yes(line) ? 1 : 0;
}

/* The two roles (docs/PAIRING.md, section 5) */

static int pair_run_initiator(struct pair *p)
{
	uint8_t body[PAIR_MAX_BODY];
	int ok;

	if (RAND_bytes(p->nonce_i, sizeof(p->nonce_i)) != 1) {
		fprintf(stderr, "rfsec pair: no random bytes (OpenSSL)\n");
		return -1;
	}
	memcpy(p->pub_i, p->pub, RFSEC_KEY_LEN);
	if (pair_commitment(p, p->commit) ||
	    pair_send(p, PAIR_MSG_COMMIT, p->commit, PAIR_HASH_LEN))
		return -1;
	if (pair_expect(p, PAIR_MSG_KEY, body, "public key"))
		return -1;
	memcpy(p->pub_r, body, RFSEC_KEY_LEN);
	memcpy(p->nonce_r, body + RFSEC_KEY_LEN, PAIR_NONCE_LEN);
	if (pair_check_key(p, p->pub_r))
		return -1;
	memcpy(body, p->pub_i, RFSEC_KEY_LEN);
	memcpy(body + RFSEC_KEY_LEN, p->nonce_i, PAIR_NONCE_LEN);
	if (pair_send(p, PAIR_MSG_REVEAL, body, RFSEC_KEY_LEN + PAIR_NONCE_LEN))
		return -1;
	if (pair_derive(p))
		return -1;
	pair_show_code(p);

	ok = pair_ask(p);
	if (ok < 0)
		return -1;
	if (!ok) {
		fprintf(stderr, "rfsec pair: refused here\n");
		p->reason = PAIR_ABORT_REFUSED;
		return -1;
	}
	if (pair_send(p, PAIR_MSG_CONFIRM, p->confirm, PAIR_HASH_LEN))
		return -1;
	printf("Waiting for %s to confirm\n", p->remote_str);
	fflush(stdout);
	if (pair_expect(p, PAIR_MSG_CONFIRM, body, "confirmation"))
		return -1;
	if (CRYPTO_memcmp(body, p->confirm, PAIR_HASH_LEN)) {
		fprintf(stderr,
			"rfsec pair: the confirmation from %s does not match: the two sides saw different messages\n",
			p->remote_str);
		p->reason = PAIR_ABORT_TRANSCRIPT;
		return -1;
	}
	if (pair_install(p)) {
		p->reason = PAIR_ABORT_LOCAL;
		return -1;
	}
	if (pair_send(p, PAIR_MSG_DONE, NULL, 0)) {
		fprintf(stderr,
			"rfsec pair: %s may not have installed this side\n",
			p->remote_str);
		return 0;	/* installed here all the same */
	}
	pair_linger(p);
	return 0;
}

static int pair_run_responder(struct pair *p)
{
	uint8_t body[PAIR_MAX_BODY], check[PAIR_HASH_LEN];
	int ok;

	if (pair_expect(p, PAIR_MSG_COMMIT, p->commit, "commitment"))
		return -1;
	if (RAND_bytes(p->nonce_r, sizeof(p->nonce_r)) != 1) {
		fprintf(stderr, "rfsec pair: no random bytes (OpenSSL)\n");
		p->reason = PAIR_ABORT_LOCAL;
		return -1;
	}
	memcpy(p->pub_r, p->pub, RFSEC_KEY_LEN);
	memcpy(body, p->pub_r, RFSEC_KEY_LEN);
	memcpy(body + RFSEC_KEY_LEN, p->nonce_r, PAIR_NONCE_LEN);
	if (pair_send(p, PAIR_MSG_KEY, body, RFSEC_KEY_LEN + PAIR_NONCE_LEN))
		return -1;
	if (pair_expect(p, PAIR_MSG_REVEAL, body, "public key"))
		return -1;
	memcpy(p->pub_i, body, RFSEC_KEY_LEN);
	memcpy(p->nonce_i, body + RFSEC_KEY_LEN, PAIR_NONCE_LEN);
	if (pair_commitment(p, check)) {
		p->reason = PAIR_ABORT_LOCAL;
		return -1;
	}
	if (CRYPTO_memcmp(check, p->commit, PAIR_HASH_LEN)) {
		fprintf(stderr,
			"rfsec pair: the key and nonce %s revealed do not match its commitment: the messages were changed on the way\n",
			p->remote_str);
		p->reason = PAIR_ABORT_COMMITMENT;
		return -1;
	}
	if (pair_check_key(p, p->pub_i))
		return -1;
	if (pair_derive(p)) {
		p->reason = PAIR_ABORT_LOCAL;
		return -1;
	}
	pair_show_code(p);

	ok = pair_ask(p);
	if (ok < 0)
		return -1;
	if (!ok) {
		fprintf(stderr, "rfsec pair: refused here\n");
		p->reason = PAIR_ABORT_REFUSED;
		return -1;
	}
	if (!p->peer_confirmed) {
		printf("Waiting for %s to confirm\n", p->remote_str);
		fflush(stdout);
		if (pair_expect(p, PAIR_MSG_CONFIRM, body, "confirmation"))
			return -1;
		if (CRYPTO_memcmp(body, p->confirm, PAIR_HASH_LEN)) {
			fprintf(stderr,
				"rfsec pair: the confirmation from %s does not match: the two sides saw different messages\n",
				p->remote_str);
			p->reason = PAIR_ABORT_TRANSCRIPT;
			return -1;
		}
	}
	if (pair_send(p, PAIR_MSG_CONFIRM, p->confirm, PAIR_HASH_LEN))
		return -1;
	if (pair_expect(p, PAIR_MSG_DONE, body, "final message"))
		return -1;
	return pair_install(p);
}

/* Connections */

static int pair_socket(struct pair *p, const uint8_t *addr, int channel)
{
	struct sockaddr_rc sa = { .rc_family = AF_BLUETOOTH };

	p->sock = socket(AF_BLUETOOTH, SOCK_STREAM | SOCK_CLOEXEC,
			 BTPROTO_RFCOMM);
	if (p->sock < 0) {
		fprintf(stderr, "rfsec pair: cannot make an RFCOMM socket: %s%s\n",
			strerror(errno),
			errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT ?
			" (is the rfcomm module loaded?)" : "");
		return -1;
	}
	memcpy(sa.rc_bdaddr.b, addr, RFSEC_ADDR_LEN);
	sa.rc_channel = channel;
	if (bind(p->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EADDRINUSE)
			fprintf(stderr,
				"rfsec pair: RFCOMM channel %d on %s is in use (another pairing listener?)\n",
				channel, pair_adapter_desc(p));
		else
			fprintf(stderr,
				"rfsec pair: cannot bind to %s: %s\n",
				pair_adapter_desc(p), strerror(errno));
		return -1;
	}
	return 0;
}

static void pair_connect_error(struct pair *p, int err)
{
	if (err == ECONNREFUSED || err == EHOSTDOWN)
		fprintf(stderr,
			"rfsec pair: no rfsec pairing listener on %s channel %d (%s)\n",
			p->remote_str, p->channel, strerror(err));
	else if (err == ETIMEDOUT)
		fprintf(stderr,
			"rfsec pair: timed out: no answer from %s within %d s\n",
			p->remote_str, p->timeout);
	else
		fprintf(stderr,
			"rfsec pair: cannot connect to %s channel %d: %s\n",
			p->remote_str, p->channel, strerror(err));
	if (p->link)
		fprintf(stderr,
			"rfsec pair: --link asked for BlueZ link-level pairing first; rfsec pairing does not need it (try without --link)\n");
}

static int pair_connect(struct pair *p)
{
	struct sockaddr_rc sa = { .rc_family = AF_BLUETOOTH };
	struct bt_security sec = { .level = BT_SECURITY_MEDIUM };
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int err = 0, n;

	if (pair_socket(p, p->local, 0))
		return -1;
	if (p->link && setsockopt(p->sock, SOL_BLUETOOTH, BT_SECURITY, &sec,
				  sizeof(sec)) < 0) {
		fprintf(stderr,
			"rfsec pair: --link: cannot ask for link-level security: %s\n",
			strerror(errno));
		return -1;
	}
	memcpy(sa.rc_bdaddr.b, p->remote, RFSEC_ADDR_LEN);
	sa.rc_channel = p->channel;
	fcntl(p->sock, F_SETFL, O_NONBLOCK);
	if (connect(p->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EINPROGRESS && errno != EAGAIN) {
			pair_connect_error(p, errno);
			return -1;
		}
		pfd.fd = p->sock;
		pfd.events = POLLOUT;
		do {
			n = poll(&pfd, 1, p->timeout * 1000);
		} while (n < 0 && errno == EINTR);
		if (n == 0)
			err = ETIMEDOUT;
		else if (getsockopt(p->sock, SOL_SOCKET, SO_ERROR, &err,
				    &len) < 0)
			err = errno;
		if (err) {
			pair_connect_error(p, err);
			return -1;
		}
	}
	if (p->link) {
		len = sizeof(sec);
		if (getsockopt(p->sock, SOL_BLUETOOTH, BT_SECURITY, &sec,
			       &len) == 0)
			printf("link-level security (--link): level %u (1 low, 2 medium, 3 high)\n",
			       sec.level);
	}
	printf("Connected to %s\n", p->remote_str);
	fflush(stdout);
	return 0;
}

static int pair_listen(struct pair *p)
{
	struct sockaddr_rc sa;
	socklen_t len = sizeof(sa);
	struct pollfd pfd;
	int lsock, n;

	if (pair_socket(p, p->local, p->channel))
		return -1;
	lsock = p->sock;
	p->sock = -1;
	if (listen(lsock, 1) < 0) {
		fprintf(stderr, "rfsec pair: cannot listen: %s\n",
			strerror(errno));
		close(lsock);
		return -1;
	}
	printf("Waiting up to %d s for a pairing request on %s channel %d\n",
	       p->timeout, p->adapter_arg ? pair_adapter_desc(p) :
	       "every adapter", p->channel);
	fflush(stdout);
	pfd.fd = lsock;
	pfd.events = POLLIN;
	do {
		n = poll(&pfd, 1, p->timeout * 1000);
	} while (n < 0 && errno == EINTR);
	if (n == 0) {
		fprintf(stderr,
			"rfsec pair: timed out: no pairing request within %d s\n",
			p->timeout);
		close(lsock);
		return -1;
	}
	p->sock = accept4(lsock, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
	if (p->sock < 0) {
		fprintf(stderr, "rfsec pair: accept: %s\n", strerror(errno));
		close(lsock);
		return -1;
	}
	close(lsock);
	memcpy(p->remote, sa.rc_bdaddr.b, RFSEC_ADDR_LEN);
	config_addr_str(p->remote_str, p->remote);
	len = sizeof(sa);
	if (getsockname(p->sock, (struct sockaddr *)&sa, &len) == 0 &&
	    !p->adapter_arg) {
		memcpy(p->local, sa.rc_bdaddr.b, RFSEC_ADDR_LEN);
		pair_name_local(p);
	}
	printf("Pairing request from %s on %s\n", p->remote_str,
	       pair_adapter_desc(p));
	fflush(stdout);
	return 0;
}

/* The command */

static int pair_parse(struct pair *p, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "accept", no_argument, NULL, 'a' },
		{ "channel", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "link", no_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	bool has_timeout = false;
	int c, ret;

	p->channel = PAIR_DEFAULT_CHANNEL;
	optind = 0;	/* GNU: start over */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+i:h", longopts, NULL)) != -1 ||
	       optind < argc) {
		if (c == -1) {	/* an operand: the peer's address */
			if (p->remote_str[0]) {
				fprintf(stderr,
					"rfsec pair: unexpected '%s'\n",
					argv[optind]);
				return pair_usage_error();
			}
			ret = config_parse_addr("peer", argv[optind],
						p->remote);
			if (ret)
				return ret;
			config_addr_str(p->remote_str, p->remote);
			optind++;
			continue;
		}
		switch (c) {
		case 'a':
			p->accept = true;
			break;
		case 'c':
			ret = pair_parse_int("channel", optarg, 1, 30,
					     &p->channel);
			if (ret)
				return ret;
			break;
		case 'h':
			pair_help();
			return -1;
		case 'i':
			p->adapter_arg = optarg;
			break;
		case 'l':
			p->link = true;
			break;
		case 't':
			ret = pair_parse_int("timeout", optarg, 1,
					     PAIR_MAX_TIMEOUT, &p->timeout);
			if (ret)
				return ret;
			has_timeout = true;
			break;
		case 'y':
			p->yes = true;
			break;
		default:
			fprintf(stderr,
				"rfsec pair: unknown option or missing value: '%s'\n",
				argv[optind - 1]);
			return pair_usage_error();
		}
	}
	if (p->accept && p->remote_str[0]) {
		fprintf(stderr,
			"rfsec pair: --accept takes no address: the initiator connects to this side\n");
		return pair_usage_error();
	}
	if (!p->accept && !p->remote_str[0]) {
		fprintf(stderr,
			"rfsec pair: give the address of the side running 'rfsec pair --accept'\n");
		return pair_usage_error();
	}
	if (p->accept && p->link) {
		fprintf(stderr,
			"rfsec pair: --link is for the initiator (the side that connects)\n");
		return pair_usage_error();
	}
	if (!has_timeout)
		p->timeout = p->accept ? PAIR_DEFAULT_ACCEPT_TIMEOUT :
					 PAIR_DEFAULT_TIMEOUT;
	return RFSEC_EXIT_OK;
}

/* Adapter, privileges, module and identity: all before the air. */
static int pair_prepare(struct pair *p)
{
	int ret;

	if (p->adapter_arg) {
		ret = pair_resolve_adapter(p);
	} else if (!p->accept) {
		ret = pair_default_adapter(p);
	} else {
		/* Any adapter: the one connected to is known on accept. */
		strcpy(p->local_str, "every adapter");
		ret = RFSEC_EXIT_OK;
	}
	if (ret)
		return ret;
	if (!p->accept && !memcmp(p->local, p->remote, RFSEC_ADDR_LEN)) {
		fprintf(stderr, "rfsec pair: %s cannot pair with itself\n",
			pair_adapter_desc(p));
		return RFSEC_EXIT_USAGE;
	}
	p->genl = rfsec_genl_open();
	if (!p->genl)
		return RFSEC_EXIT_FAILURE;
	if (!pair_has_net_admin()) {
		fprintf(stderr,
			"rfsec: permission denied (need CAP_NET_ADMIN; try sudo)\n");
		return RFSEC_EXIT_FAILURE;
	}
	if (p->adapter_arg || !p->accept) {
		if (pair_identity(p))
			return RFSEC_EXIT_FAILURE;
	}
	return RFSEC_EXIT_OK;
}

int pair_main(int argc, char *argv[])
{
	struct pair p = { .sock = -1 };
	int ret;

	/* A new identity's private key lives here: no core dump, no ptrace. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	ret = pair_parse(&p, argc, argv);
	if (ret)
		return ret < 0 ? RFSEC_EXIT_OK : ret;
	ret = pair_prepare(&p);
	if (ret)
		goto out;

	ret = RFSEC_EXIT_FAILURE;
	if (p.accept) {
		if (pair_listen(&p))
			goto out;
		if (!p.adapter_arg && pair_identity(&p))
			goto out;
		if (pair_run_responder(&p))
			goto fail;
	} else {
		printf("Pairing %s with %s on RFCOMM channel %d\n",
		       pair_adapter_desc(&p), p.remote_str, p.channel);
		fflush(stdout);
		if (pair_connect(&p))
			goto out;
		if (pair_run_initiator(&p))
			goto fail;
	}
	printf("Paired %s with %s\n", pair_adapter_desc(&p), p.remote_str);
	ret = RFSEC_EXIT_OK;
	goto out;

fail:
	if (p.reason) {
		pair_send_abort(&p, p.reason);
		pair_linger(&p);
	}
	fprintf(stderr, "rfsec pair: not paired; nothing installed on %s\n",
		pair_adapter_desc(&p));
out:
	if (p.sock >= 0)
		close(p.sock);
	rfsec_genl_close(p.genl);
	explicit_bzero(p.priv, sizeof(p.priv));
	fflush(stdout);
	return ret;
}
