// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec peer: the remote devices an adapter's identity talks to, each bound
 * to its public key, with an optional pre-shared key and a policy.
 */

#define _DEFAULT_SOURCE

#include "cli.h"
#include "config.h"
#include "encoding.h"
#include "genl.h"
#include "kconf.h"
#include "listing.h"
#include "state.h"
#include "subcommands.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEER_USAGE \
	"Usage: rfsec peer add|set ADAPTER PEER_ADDR [public-key BASE64]\n" \
	"                          [psk FILE|none] [policy require|allow-plaintext]\n" \
	"                          [cipher chacha20-poly1305|aes-256-gcm]\n" \
	"       rfsec peer del ADAPTER PEER_ADDR\n" \
	"       rfsec peer list [-j|--json] [-p|--pretty] [ADAPTER]\n"

static int peer_usage_error(void)
{
	fprintf(stderr, PEER_USAGE "Try 'rfsec peer --help'.\n");
	return RFSEC_EXIT_USAGE;
}

static int peer_help(void)
{
	printf(PEER_USAGE "\n"
	       "The peers of an adapter's identity: remote devices, each bound to its\n"
	       "X25519 public key.\n\n"
	       "  add   adds a new peer with what is given (the rest takes its default);\n"
	       "        fails if the peer exists\n"
	       "  set   changes only what is given of an existing peer and keeps the\n"
	       "        rest, its pre-shared key included; adds the peer if it is new\n"
	       "    public-key BASE64  the peer's public key ('rfsec pubkey' prints it);\n"
	       "                       required unless the policy is allow-plaintext\n"
	       "    psk FILE           a pre-shared key in base64 ('-': standard input;\n"
	       "                       'rfsec genkey' makes one); 'psk none' removes it;\n"
	       "                       default none\n"
	       "    policy require     every connection must be encrypted (default)\n"
	       "    policy allow-plaintext  plaintext RFCOMM with this peer is allowed\n"
	       "    cipher NAME        the AEAD this side proposes when it connects to\n"
	       "                       the peer: chacha20-poly1305 (the kernel's\n"
	       "                       default) or aes-256-gcm\n"
	       "  del   removes the peer and wipes its keys\n"
	       "  list  one line per peer of every adapter, or of ADAPTER: adapter,\n"
	       "        peer, public key, pre-shared key (yes/no), policy, open\n"
	       "        connections, completed handshakes and, if the kernel reports\n"
	       "        it, the cipher; with -j one JSON object (docs/JSON.md), -p\n"
	       "        indents it\n\n"
	       "The kernel never gives a pre-shared key back: 'set' keeps a peer's key\n"
	       "by taking it from the state directory, and refuses, saying so, if it is\n"
	       "not stored there (give it again with 'psk FILE', or 'psk none').\n"
	       "add and set read the peer, then write it: not atomic against another\n"
	       "administrator changing the same peer at the same moment.\n\n"
	       "ADAPTER is hciN (a controller present now) or its Bluetooth address;\n"
	       "PEER_ADDR a Bluetooth address XX:XX:XX:XX:XX:XX. The adapter must have\n"
	       "an identity ('rfsec identity set'). Every subcommand needs CAP_NET_ADMIN.\n"
	       "If the adapter's identity is stored in the state directory (see\n"
	       "'rfsec save --help'), add, set and del also update its peers file there,\n"
	       "pre-shared key included, so that 'rfsec restore' brings the peer back.\n\n"
	       "Exit status: 0, 1 if the command failed, 2 for a wrong command line.\n");
	return RFSEC_EXIT_OK;
}

/* Stores what was set in the state directory, if the adapter has a folder. */
static int peer_store(const uint8_t adapter[RFSEC_ADDR_LEN],
		      const struct state_peer *sp)
{
	if (!state_store_peer(adapter, sp))
		return RFSEC_EXIT_OK;
	fprintf(stderr,
		"rfsec: the peer is set in the kernel but not stored: 'rfsec restore' will not bring it back\n");
	return RFSEC_EXIT_FAILURE;
}

/* What the command line gives; @psk_path NULL if no psk, "none" to drop. */
struct peer_args {
	uint8_t adapter[RFSEC_ADDR_LEN];
	struct state_peer sp;	/* has_* say what was given */
	const char *psk_path;
	bool psk_given;		/* psk FILE or psk none */
};

static int peer_parse(int argc, char *argv[], struct peer_args *a)
{
	int i, v, ret;

	if (argc < 3 || argc % 2 == 0)
		return peer_usage_error();
	ret = config_parse_adapter(argv[1], a->adapter);
	if (ret)
		return ret;
	ret = config_parse_addr("peer", argv[2], a->sp.addr);
	if (ret)
		return ret;
	for (i = 3; i < argc; i += 2) {
		if (!strcmp(argv[i], "public-key") && !a->sp.has_public_key) {
			ret = config_parse_key("public key", argv[i + 1],
					       a->sp.public_key);
			a->sp.has_public_key = true;
		} else if (!strcmp(argv[i], "policy") && !a->sp.has_policy) {
			v = kconf_policy_parse(argv[i + 1]);
			if (v < 0) {
				fprintf(stderr,
					"rfsec: unknown policy '%s' (require or allow-plaintext)\n",
					argv[i + 1]);
				ret = RFSEC_EXIT_USAGE;
			}
			a->sp.policy = (uint32_t)v;
			a->sp.has_policy = true;
		} else if (!strcmp(argv[i], "cipher") && !a->sp.has_cipher) {
			v = kconf_cipher_parse(argv[i + 1]);
			if (v < 0) {
				fprintf(stderr,
					"rfsec: unknown cipher '%s' (chacha20-poly1305 or aes-256-gcm)\n",
					argv[i + 1]);
				ret = RFSEC_EXIT_USAGE;
			}
			a->sp.cipher = (uint32_t)v;
			a->sp.has_cipher = true;
		} else if (!strcmp(argv[i], "psk") && !a->psk_given) {
			/* Read last, once the command line is known good. */
			a->psk_path = argv[i + 1];
			a->psk_given = true;
		} else {
			fprintf(stderr, "rfsec: unexpected '%s'\n", argv[i]);
			ret = peer_usage_error();
		}
		if (ret)
			return ret;
	}
	return RFSEC_EXIT_OK;
}

/* The rules the kernel applies too, checked first for a clear message. */
static int peer_check(const struct state_peer *sp)
{
	if (!sp->has_public_key && sp->policy != RFSEC_POLICY_ALLOW_PLAINTEXT) {
		fprintf(stderr,
			"rfsec: a peer needs a public key unless its policy is allow-plaintext\n");
		return RFSEC_EXIT_USAGE;
	}
	if (sp->has_psk && !sp->has_public_key) {
		fprintf(stderr, "rfsec: a pre-shared key needs a public key\n");
		return RFSEC_EXIT_USAGE;
	}
	return RFSEC_EXIT_OK;
}

/* The peer as the kernel has it now; 1 found, 0 not, -1 after printing. */
static int peer_current(struct rfsec_genl *genl, const struct peer_args *a,
			struct kconf_peer *cur)
{
	struct kconf_peer *peers = NULL;
	size_t n = 0, i;
	int found = 0;

	if (kconf_dump_peers(genl, a->adapter, &peers, &n))
		return -1;
	for (i = 0; i < n && !found; i++) {
		if (!memcmp(peers[i].addr, a->sp.addr, RFSEC_ADDR_LEN)) {
			*cur = peers[i];
			found = 1;
		}
	}
	free(peers);
	return found;
}

/*
 * 'peer set' of an existing peer: what was not given is taken from @cur,
 * and a pre-shared key the kernel holds from the state directory.
 */
static int peer_merge(const struct peer_args *a, const struct kconf_peer *cur,
		      struct state_peer *sp)
{
	char addr[CONFIG_ADDR_STRLEN];
	struct state_peer stored;
	int r;

	if (!sp->has_public_key && cur->has_public_key) {
		sp->has_public_key = true;
		memcpy(sp->public_key, cur->public_key, RFSEC_KEY_LEN);
	}
	if (!sp->has_policy) {
		sp->has_policy = true;
		sp->policy = cur->policy;
	}
	if (!sp->has_cipher && cur->has_cipher && kconf_cipher_name(cur->cipher)) {
		sp->has_cipher = true;
		sp->cipher = cur->cipher;
	}
	if (a->psk_given || !cur->has_psk)
		return RFSEC_EXIT_OK;
	r = state_find_peer(a->adapter, a->sp.addr, &stored);
	if (r > 0 && stored.has_psk && stored.has_public_key &&
	    cur->has_public_key &&
	    !memcmp(stored.public_key, cur->public_key, RFSEC_KEY_LEN)) {
		sp->has_psk = true;
		memcpy(sp->psk, stored.psk, RFSEC_KEY_LEN);
	}
	explicit_bzero(&stored, sizeof(stored));
	if (r < 0)
		return RFSEC_EXIT_FAILURE;
	if (sp->has_psk)
		return RFSEC_EXIT_OK;
	config_addr_str(addr, a->sp.addr);
	fprintf(stderr,
		"rfsec: the peer %s has a pre-shared key that the kernel does not give back and the state directory does not hold; give it again (psk FILE) or remove it (psk none)\n",
		addr);
	return RFSEC_EXIT_FAILURE;
}

static int peer_send(struct rfsec_genl *genl, const uint8_t *adapter,
		     const struct state_peer *sp)
{
	struct nlmsghdr *req;
	int ret;

	req = rfsec_genl_request(genl, RFSEC_CMD_SET_PEER, 0);
	mnl_attr_put(req, RFSEC_A_ADAPTER, RFSEC_ADDR_LEN, adapter);
	mnl_attr_put(req, RFSEC_A_PEER_ADDR, RFSEC_ADDR_LEN, sp->addr);
	if (sp->has_public_key)
		mnl_attr_put(req, RFSEC_A_PEER_PUBLIC_KEY, RFSEC_KEY_LEN,
			     sp->public_key);
	if (sp->has_psk)
		mnl_attr_put(req, RFSEC_A_PEER_PSK, RFSEC_KEY_LEN, sp->psk);
	if (sp->has_policy)
		mnl_attr_put_u32(req, RFSEC_A_PEER_POLICY, sp->policy);
	/* Only when given: modules before the handshake do not know it. */
	if (sp->has_cipher)
		mnl_attr_put_u32(req, RFSEC_A_PEER_CIPHER, sp->cipher);
	ret = rfsec_genl_call(genl, req, NULL, NULL) ? RFSEC_EXIT_FAILURE :
						       RFSEC_EXIT_OK;
	explicit_bzero(req, req->nlmsg_len);
	return ret;
}

static int peer_change(int argc, char *argv[], bool add)
{
	struct peer_args a = { .sp.policy = RFSEC_POLICY_REQUIRE };
	struct state_peer *sp = &a.sp;
	char addr[CONFIG_ADDR_STRLEN];
	struct rfsec_genl *genl = NULL;
	struct kconf_peer cur;
	int found, ret;

	ret = peer_parse(argc, argv, &a);
	if (ret)
		return ret;
	if (a.psk_path && !strcmp(a.psk_path, "none"))
		a.psk_path = NULL;
	else if (a.psk_path)
		sp->has_psk = true;
	/* A new peer is what the line says: check it before anything. */
	ret = add ? peer_check(sp) : RFSEC_EXIT_OK;
	if (ret)
		return ret;
	genl = rfsec_genl_open();
	if (!genl)
		return RFSEC_EXIT_FAILURE;
	ret = RFSEC_EXIT_FAILURE;
	found = peer_current(genl, &a, &cur);
	if (found < 0)
		goto out;
	config_addr_str(addr, sp->addr);
	if (found && add) {
		fprintf(stderr,
			"rfsec: the peer %s exists (change it with 'rfsec peer set')\n",
			addr);
		goto out;
	}
	if (found && peer_merge(&a, &cur, sp) != RFSEC_EXIT_OK)
		goto out;
	ret = peer_check(sp);
	if (ret)
		goto out;
	if (sp->has_psk && a.psk_path) {
		ret = config_read_key("pre-shared key", a.psk_path, sp->psk);
		if (ret)
			goto out;
	}
	ret = peer_send(genl, a.adapter, sp);
	if (!ret) {
		/* The file says it all, as the kernel will after a restore. */
		sp->has_policy = true;
		ret = peer_store(a.adapter, sp);
	}
out:
	rfsec_genl_close(genl);
	explicit_bzero(&a, sizeof(a));
	explicit_bzero(&cur, sizeof(cur));
	return ret;
}
static int peer_del(int argc, char *argv[])
{
	uint8_t adapter[RFSEC_ADDR_LEN], addr[RFSEC_ADDR_LEN];
	struct rfsec_genl *genl;
	struct nlmsghdr *req;
	int ret;

	if (argc != 3)
		return peer_usage_error();
	ret = config_parse_adapter(argv[1], adapter);
	if (ret)
		return ret;
	ret = config_parse_addr("peer", argv[2], addr);
	if (ret)
		return ret;
	genl = rfsec_genl_open();
	if (!genl)
		return RFSEC_EXIT_FAILURE;
	req = rfsec_genl_request(genl, RFSEC_CMD_DEL_PEER, 0);
	mnl_attr_put(req, RFSEC_A_ADAPTER, sizeof(adapter), adapter);
	mnl_attr_put(req, RFSEC_A_PEER_ADDR, sizeof(addr), addr);
	ret = rfsec_genl_call(genl, req, NULL, NULL) ? RFSEC_EXIT_FAILURE :
						       RFSEC_EXIT_OK;
	rfsec_genl_close(genl);
	if (!ret && state_forget_peer(adapter, addr)) {
		fprintf(stderr,
			"rfsec: the peer is removed from the kernel but still stored: 'rfsec restore' would bring it back\n");
		ret = RFSEC_EXIT_FAILURE;
	}
	return ret;
}

static void peer_print(const struct kconf_peer *p)
{
	char b64[RFSEC_KEY_BASE64_LEN + 1] = "(none)";
	char adapter[CONFIG_ADDR_STRLEN], addr[CONFIG_ADDR_STRLEN];
	const char *policy = kconf_policy_name(p->policy);
	const char *cipher;

	if (p->has_public_key)
		key_to_base64(b64, p->public_key);
	config_addr_str(adapter, p->adapter);
	config_addr_str(addr, p->addr);
	printf("%s %s public-key %s psk %s policy %s connections %" PRIu32
	       " handshakes %" PRIu64,
	       adapter, addr, b64, p->has_psk ? "yes" : "no",
	       policy ? policy : "unknown", p->connections, p->handshakes);
	if (p->has_cipher) {
		cipher = kconf_cipher_name(p->cipher);
		if (cipher)
			printf(" cipher %s", cipher);
		else
			printf(" cipher %" PRIu32, p->cipher);
	}
	putchar('\n');
}

static int peer_list(int argc, char *argv[], const struct cli *c)
{
	uint8_t adapter[RFSEC_ADDR_LEN];
	struct kconf_peer *peers = NULL;
	struct rfsec_genl *genl;
	size_t n = 0, i;
	struct json j;
	int ret;

	if (argc > 2)
		return peer_usage_error();
	if (argc == 2) {
		ret = config_parse_adapter(argv[1], adapter);
		if (ret)
			return ret;
	}
	genl = rfsec_genl_open();
	if (!genl)
		return RFSEC_EXIT_FAILURE;
	ret = kconf_dump_peers(genl, argc == 2 ? adapter : NULL, &peers, &n) ?
		RFSEC_EXIT_FAILURE : RFSEC_EXIT_OK;
	rfsec_genl_close(genl);
	if (!ret && c->json) {
		json_begin_document(&j, stdout, c->pretty);
		json_begin_array(&j, "peers");
		for (i = 0; i < n; i++)
			listing_json_peer(&j, &peers[i], true);
		json_end_array(&j);
		json_end_document(&j);
	}
	for (i = 0; !c->json && i < n; i++)
		peer_print(&peers[i]);
	free(peers);
	if (fflush(stdout) || ferror(stdout))
		ret = RFSEC_EXIT_FAILURE;
	return ret;
}

int peer_main(int argc, char *argv[])
{
	const char *sub;
	struct cli c;
	int n;

	if (cli_parse(argc, argv, true, &c))
		return peer_usage_error();
	if (c.help)
		return peer_help();
	n = cli_nargs(argc, &c);
	if (n < 1)
		return peer_usage_error();
	argv += c.first;
	sub = argv[0];
	if (!strcmp(sub, "list"))
		return peer_list(n, argv, &c);
	if (c.json) {
		fprintf(stderr, "rfsec peer: -j is for 'peer list'\n");
		return RFSEC_EXIT_USAGE;
	}
	if (!strcmp(sub, "add") || !strcmp(sub, "set"))
		return peer_change(n, argv, !strcmp(sub, "add"));
	if (!strcmp(sub, "del"))
		return peer_del(n, argv);
	return peer_usage_error();
}
