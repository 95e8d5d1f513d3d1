// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec peer: the remote devices an adapter's identity talks to, each bound
 * to its public key, with an optional pre-shared key and a policy.
 */

#define _DEFAULT_SOURCE

#include "config.h"
#include "encoding.h"
#include "genl.h"
#include "subcommands.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>

#define PEER_USAGE \
	"Usage: rfsec peer add|set ADAPTER PEER_ADDR [public-key BASE64] [psk FILE]\n" \
	"                          [policy require|allow-plaintext]\n" \
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
	       "  del       removes the peer and wipes its keys\n"
	       "  list      one line per peer of every adapter, or of ADAPTER: adapter,\n"
	       "            peer, public key, pre-shared key (yes/no), policy, open\n"
	       "            connections and completed handshakes\n\n"
	       "ADAPTER is hciN (a controller present now) or its Bluetooth address;\n"
	       "PEER_ADDR a Bluetooth address XX:XX:XX:XX:XX:XX. The adapter must have\n"
	       "an identity ('rfsec identity set'). add, set and del need CAP_NET_ADMIN.\n\n"
	       "Exit status: 0, 1 if the command failed, 2 for a wrong command line.\n");
	return RFSEC_EXIT_OK;
}

static const char *const peer_policy_names[] = {
	[RFSEC_POLICY_REQUIRE] = "require",
	[RFSEC_POLICY_ALLOW_PLAINTEXT] = "allow-plaintext",
};

static int peer_set(int argc, char *argv[])
{
	uint8_t adapter[RFSEC_ADDR_LEN], addr[RFSEC_ADDR_LEN];
	uint8_t pub[RFSEC_KEY_LEN], psk[RFSEC_KEY_LEN];
	bool has_pub = false, has_psk = false, has_policy = false;
	uint32_t policy = RFSEC_POLICY_REQUIRE;
	struct rfsec_genl *genl;
	struct nlmsghdr *req;
	int i, ret;

	if (argc < 4 || argc % 2)
		return peer_usage_error();
	ret = config_parse_adapter(argv[2], adapter);
	if (ret)
		return ret;
	ret = config_parse_addr("peer", argv[3], addr);
	if (ret)
		return ret;

	for (i = 4; i < argc; i += 2) {
		if (!strcmp(argv[i], "public-key") && !has_pub) {
			ret = config_parse_key("public key", argv[i + 1], pub);
			has_pub = true;
		} else if (!strcmp(argv[i], "policy") && !has_policy) {
			if (!strcmp(argv[i + 1], "require"))
				policy = RFSEC_POLICY_REQUIRE;
			else if (!strcmp(argv[i + 1], "allow-plaintext"))
				policy = RFSEC_POLICY_ALLOW_PLAINTEXT;
			else {
				fprintf(stderr,
					"rfsec: unknown policy '%s' (require or allow-plaintext)\n",
					argv[i + 1]);
				ret = RFSEC_EXIT_USAGE;
			}
			has_policy = true;
		} else if (!strcmp(argv[i], "psk") && !has_psk) {
			/* Read last, once the command line is known good. */
			has_psk = true;
			continue;
		} else {
			fprintf(stderr, "rfsec: unexpected '%s'\n", argv[i]);
			ret = peer_usage_error();
		}
		if (ret)
			return ret;
	}
	if (!has_pub && policy != RFSEC_POLICY_ALLOW_PLAINTEXT) {
		fprintf(stderr,
			"rfsec: a peer needs a public key unless its policy is allow-plaintext\n");
		return RFSEC_EXIT_USAGE;
	}
	if (has_psk && !has_pub) {
		fprintf(stderr, "rfsec: a pre-shared key needs a public key\n");
		return RFSEC_EXIT_USAGE;
	}
	for (i = 4; has_psk && i < argc; i += 2) {
		if (!strcmp(argv[i], "psk")) {
			ret = config_read_key("pre-shared key", argv[i + 1],
					      psk);
			if (ret)
				return ret;
		}
	}

	genl = rfsec_genl_open();
	if (!genl) {
		explicit_bzero(psk, sizeof(psk));
		return RFSEC_EXIT_FAILURE;
	}
	req = rfsec_genl_request(genl, RFSEC_CMD_SET_PEER, 0);
	mnl_attr_put(req, RFSEC_A_ADAPTER, sizeof(adapter), adapter);
	mnl_attr_put(req, RFSEC_A_PEER_ADDR, sizeof(addr), addr);
	if (has_pub)
		mnl_attr_put(req, RFSEC_A_PEER_PUBLIC_KEY, sizeof(pub), pub);
	if (has_psk)
		mnl_attr_put(req, RFSEC_A_PEER_PSK, sizeof(psk), psk);
	explicit_bzero(psk, sizeof(psk));
	if (has_policy)
		mnl_attr_put_u32(req, RFSEC_A_PEER_POLICY, policy);
	ret = rfsec_genl_call(genl, req, NULL, NULL) ? RFSEC_EXIT_FAILURE :
						       RFSEC_EXIT_OK;
	explicit_bzero(req, req->nlmsg_len);
	rfsec_genl_close(genl);
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
	return ret;
}

struct peer_reply {
	const uint8_t *adapter, *addr, *public_key;
	int has_psk;		/* -1: not sent */
	int64_t policy;		/* -1: not sent */
	uint64_t handshakes;
	uint32_t connections;
};

static int peer_stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct peer_reply *r = data;

	switch (mnl_attr_get_type(attr)) {
	case RFSEC_A_STATS_HANDSHAKES:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		r->handshakes = mnl_attr_get_u64(attr);
		break;
	case RFSEC_A_STATS_CONNECTIONS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		r->connections = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int peer_attr_cb(const struct nlattr *attr, void *data)
{
	struct peer_reply *r = data;
	uint16_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case RFSEC_A_ADAPTER:
		if (len != RFSEC_ADDR_LEN)
			goto bad;
		r->adapter = mnl_attr_get_payload(attr);
		break;
	case RFSEC_A_PEER_ADDR:
		if (len != RFSEC_ADDR_LEN)
			goto bad;
		r->addr = mnl_attr_get_payload(attr);
		break;
	case RFSEC_A_PEER_PUBLIC_KEY:
		if (len != RFSEC_KEY_LEN)
			goto bad;
		r->public_key = mnl_attr_get_payload(attr);
		break;
	case RFSEC_A_PEER_HAS_PSK:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		r->has_psk = mnl_attr_get_u8(attr) ? 1 : 0;
		break;
	case RFSEC_A_PEER_POLICY:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		r->policy = mnl_attr_get_u32(attr);
		break;
	case RFSEC_A_PEER_STATS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		return mnl_attr_parse_nested(attr, peer_stats_attr_cb, r);
	}
	return MNL_CB_OK;
bad:
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

static int peer_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct peer_reply r = { .has_psk = -1, .policy = -1 };
	char b64[RFSEC_KEY_BASE64_LEN + 1] = "(none)";
	const char *policy = "unknown";

	(void)data;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), peer_attr_cb,
			   &r) < 0)
		return MNL_CB_ERROR;
	if (!r.adapter || !r.addr || r.has_psk < 0 || r.policy < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (r.public_key)
		key_to_base64(b64, r.public_key);
	if (r.policy <= RFSEC_POLICY_MAX)
		policy = peer_policy_names[r.policy];

	config_print_addr(stdout, r.adapter);
	putchar(' ');
	config_print_addr(stdout, r.addr);
	printf(" public-key %s psk %s policy %s connections %" PRIu32
	       " handshakes %" PRIu64 "\n",
	       b64, r.has_psk ? "yes" : "no", policy, r.connections,
	       r.handshakes);
	return MNL_CB_OK;
}

static int peer_list(int argc, char *argv[])
{
	uint8_t adapter[RFSEC_ADDR_LEN];
	struct rfsec_genl *genl;
	struct nlmsghdr *req;
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
	req = rfsec_genl_request(genl, RFSEC_CMD_GET_PEER, NLM_F_DUMP);
	if (argc == 3)
		mnl_attr_put(req, RFSEC_A_ADAPTER, sizeof(adapter), adapter);
	ret = rfsec_genl_call(genl, req, peer_list_cb, NULL) ?
		RFSEC_EXIT_FAILURE : RFSEC_EXIT_OK;
	rfsec_genl_close(genl);
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
