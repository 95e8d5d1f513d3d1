// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec peer: the remote devices an adapter's identity talks to, each bound
 * to its public key, with an optional pre-shared key and a policy.
 */

#define _DEFAULT_SOURCE

#include "config.h"
#include "encoding.h"
#include "genl.h"
#include "kconf.h"
#include "state.h"
#include "subcommands.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEER_USAGE \
	"Usage: rfsec peer add|set ADAPTER PEER_ADDR [public-key BASE64] [psk FILE]\n" \
	"                          [policy require|allow-plaintext]\n" \
	"                          [cipher chacha20-poly1305|aes-256-gcm]\n" \
	"       rfsec peer del ADAPTER PEER_ADDR\n" \
	"       rfsec peer list [ADAPTER]\n"

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
	       "  add, set  adds the peer or replaces it with exactly what is given;\n"
	       "            anything left out takes its default, never the old value\n"
	       "    public-key BASE64  the peer's public key ('rfsec pubkey' prints it);\n"
	       "                       required unless the policy is allow-plaintext\n"
	       "    psk FILE           a pre-shared key in base64 ('-': standard input;\n"
	       "                       'rfsec genkey' makes one); default none\n"
	       "    policy require     every connection must be encrypted (default)\n"
	       "    policy allow-plaintext  plaintext RFCOMM with this peer is allowed\n"
	       "    cipher NAME        the AEAD this side proposes when it connects to\n"
	       "                       the peer: chacha20-poly1305 (the kernel's\n"
	       "                       default) or aes-256-gcm\n"
	       "  del       removes the peer and wipes its keys\n"
	       "  list      one line per peer of every adapter, or of ADAPTER: adapter,\n"
	       "            peer, public key, pre-shared key (yes/no), policy, open\n"
	       "            connections, completed handshakes and, if the kernel\n"
	       "            reports it, the cipher\n\n"
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

static int peer_set(int argc, char *argv[])
{
	uint8_t adapter[RFSEC_ADDR_LEN];
	struct state_peer sp = { .policy = RFSEC_POLICY_REQUIRE };
	struct rfsec_genl *genl;
	struct nlmsghdr *req;
	int i, v, ret;

	if (argc < 4 || argc % 2)
		return peer_usage_error();
	ret = config_parse_adapter(argv[2], adapter);
	if (ret)
		return ret;
	ret = config_parse_addr("peer", argv[3], sp.addr);
	if (ret)
		return ret;

	for (i = 4; i < argc; i += 2) {
		if (!strcmp(argv[i], "public-key") && !sp.has_public_key) {
			ret = config_parse_key("public key", argv[i + 1],
					       sp.public_key);
			sp.has_public_key = true;
		} else if (!strcmp(argv[i], "policy") && !sp.has_policy) {
			v = kconf_policy_parse(argv[i + 1]);
			if (v < 0) {
				fprintf(stderr,
					"rfsec: unknown policy '%s' (require or allow-plaintext)\n",
					argv[i + 1]);
				ret = RFSEC_EXIT_USAGE;
			}
			sp.policy = (uint32_t)v;
			sp.has_policy = true;
		} else if (!strcmp(argv[i], "cipher") && !sp.has_cipher) {
			v = kconf_cipher_parse(argv[i + 1]);
			if (v < 0) {
				fprintf(stderr,
					"rfsec: unknown cipher '%s' (chacha20-poly1305 or aes-256-gcm)\n",
					argv[i + 1]);
				ret = RFSEC_EXIT_USAGE;
			}
			sp.cipher = (uint32_t)v;
			sp.has_cipher = true;
		} else if (!strcmp(argv[i], "psk") && !sp.has_psk) {
			/* Read last, once the command line is known good. */
			sp.has_psk = true;
			continue;
		} else {
			fprintf(stderr, "rfsec: unexpected '%s'\n", argv[i]);
			ret = peer_usage_error();
		}
		if (ret)
			return ret;
	}
	if (!sp.has_public_key && sp.policy != RFSEC_POLICY_ALLOW_PLAINTEXT) {
		fprintf(stderr,
			"rfsec: a peer needs a public key unless its policy is allow-plaintext\n");
		return RFSEC_EXIT_USAGE;
	}
	if (sp.has_psk && !sp.has_public_key) {
		fprintf(stderr, "rfsec: a pre-shared key needs a public key\n");
		return RFSEC_EXIT_USAGE;
	}
	for (i = 4; sp.has_psk && i < argc; i += 2) {
		if (!strcmp(argv[i], "psk")) {
			ret = config_read_key("pre-shared key", argv[i + 1],
					      sp.psk);
			if (ret)
				return ret;
		}
	}

	genl = rfsec_genl_open();
	if (!genl) {
		explicit_bzero(&sp, sizeof(sp));
		return RFSEC_EXIT_FAILURE;
	}
	req = rfsec_genl_request(genl, RFSEC_CMD_SET_PEER, 0);
	mnl_attr_put(req, RFSEC_A_ADAPTER, sizeof(adapter), adapter);
	mnl_attr_put(req, RFSEC_A_PEER_ADDR, sizeof(sp.addr), sp.addr);
	if (sp.has_public_key)
		mnl_attr_put(req, RFSEC_A_PEER_PUBLIC_KEY,
			     sizeof(sp.public_key), sp.public_key);
	if (sp.has_psk)
		mnl_attr_put(req, RFSEC_A_PEER_PSK, sizeof(sp.psk), sp.psk);
	if (sp.has_policy)
		mnl_attr_put_u32(req, RFSEC_A_PEER_POLICY, sp.policy);
	/* Only when given: modules before the handshake do not know it. */
	if (sp.has_cipher)
		mnl_attr_put_u32(req, RFSEC_A_PEER_CIPHER, sp.cipher);
	ret = rfsec_genl_call(genl, req, NULL, NULL) ? RFSEC_EXIT_FAILURE :
						       RFSEC_EXIT_OK;
	explicit_bzero(req, req->nlmsg_len);
	rfsec_genl_close(genl);
	if (!ret) {
		/* The file says it all, as the kernel will after a restore. */
		sp.has_policy = true;
		ret = peer_store(adapter, &sp);
	}
	explicit_bzero(&sp, sizeof(sp));
	return ret;
}

static int peer_del(int argc, char *argv[])
{
	uint8_t adapter[RFSEC_ADDR_LEN], addr[RFSEC_ADDR_LEN];
	struct rfsec_genl *genl;
	struct nlmsghdr *req;
	int ret;

	if (argc != 4)
		return peer_usage_error();
	ret = config_parse_adapter(argv[2], adapter);
	if (ret)
		return ret;
	ret = config_parse_addr("peer", argv[3], addr);
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
	const char *policy = kconf_policy_name(p->policy);
	const char *cipher;

	if (p->has_public_key)
		key_to_base64(b64, p->public_key);
	config_print_addr(stdout, p->adapter);
	putchar(' ');
	config_print_addr(stdout, p->addr);
	printf(" public-key %s psk %s policy %s connections %" PRIu32
	       " handshakes %" PRIu64,
	       b64, p->has_psk ? "yes" : "no", policy ? policy : "unknown",
	       p->connections, p->handshakes);
	if (p->has_cipher) {
		cipher = kconf_cipher_name(p->cipher);
		if (cipher)
			printf(" cipher %s", cipher);
		else
			printf(" cipher %" PRIu32, p->cipher);
	}
	putchar('\n');
}

static int peer_list(int argc, char *argv[])
{
	uint8_t adapter[RFSEC_ADDR_LEN];
	struct kconf_peer *peers = NULL;
	struct rfsec_genl *genl;
	size_t n = 0, i;
	int ret;

	if (argc > 3)
		return peer_usage_error();
	if (argc == 3) {
		ret = config_parse_adapter(argv[2], adapter);
		if (ret)
			return ret;
	}
	genl = rfsec_genl_open();
	if (!genl)
		return RFSEC_EXIT_FAILURE;
	ret = kconf_dump_peers(genl, argc == 3 ? adapter : NULL, &peers, &n) ?
		RFSEC_EXIT_FAILURE : RFSEC_EXIT_OK;
	rfsec_genl_close(genl);
	for (i = 0; i < n; i++)
		peer_print(&peers[i]);
	free(peers);
	fflush(stdout);
	return ret;
}

int peer_main(int argc, char *argv[])
{
	if (argc == 2 && config_is_help(argv[1]))
		return peer_help();
	if (argc < 2)
		return peer_usage_error();
	if (argc > 2 && config_is_help(argv[2]))
		return peer_help();

	if (!strcmp(argv[1], "add") || !strcmp(argv[1], "set"))
		return peer_set(argc, argv);
	if (!strcmp(argv[1], "del"))
		return peer_del(argc, argv);
	if (!strcmp(argv[1], "list"))
		return peer_list(argc, argv);
	return peer_usage_error();
}
