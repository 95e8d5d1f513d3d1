// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec identity: the X25519 identity of a local adapter. The private key
 * goes into the kernel and never comes back; show prints the public key
 * the kernel derived.
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#define IDENTITY_USAGE \
	"Usage: rfsec identity set ADAPTER PRIVATE_KEY_FILE\n" \
	"       rfsec identity del ADAPTER\n" \
	"       rfsec identity show [-j|--json] [-p|--pretty] [ADAPTER]\n"

static int identity_usage_error(void)
{
	fprintf(stderr, IDENTITY_USAGE "Try 'rfsec identity --help'.\n");
	return RFSEC_EXIT_USAGE;
}

static int identity_help(void)
{
	printf(IDENTITY_USAGE "\n"
	       "Each local adapter may hold one identity, an X25519 key pair.\n\n"
	       "  set   gives ADAPTER the private key in PRIVATE_KEY_FILE (base64, as\n"
	       "        'rfsec genkey' writes it; '-' reads standard input)\n"
	       "  del   removes ADAPTER's identity and all its peers\n"
	       "  show  prints the address and base64 public key of each identity,\n"
	       "        or of ADAPTER's only, one per line; with -j one JSON object\n"
	       "        (docs/JSON.md), -p indents it\n\n"
	       "ADAPTER is hciN (a controller present now) or its Bluetooth address\n"
	       "XX:XX:XX:XX:XX:XX. Every subcommand needs CAP_NET_ADMIN.\n\n"
	       "The kernel never gives a private key back, so set also stores it in\n"
	       "the state directory ($RFSEC_STATE_DIR, else /var/lib/rfsec; mode 0600)\n"
	       "for 'rfsec restore', and del removes the adapter's stored identity and\n"
	       "peers. RFSEC_STATE_DIR set to the empty string stores nothing.\n\n"
	       "Exit status: 0, 1 if the command failed, 2 for a wrong command line.\n");
	return RFSEC_EXIT_OK;
}

/* Sends a request that answers with nothing but its ACK. */
static int identity_change(struct nlmsghdr *req, struct rfsec_genl *genl)
{
	return rfsec_genl_call(genl, req, NULL, NULL) ? RFSEC_EXIT_FAILURE :
							RFSEC_EXIT_OK;
}

static int identity_set(const char *adapter, const char *path)
{
	uint8_t addr[RFSEC_ADDR_LEN], key[RFSEC_KEY_LEN];
	struct rfsec_genl *genl;
	struct nlmsghdr *req;
	int ret;

	ret = config_parse_adapter(adapter, addr);
	if (ret)
		return ret;
	ret = config_read_key("private key", path, key);
	if (ret)
		return ret;
	genl = rfsec_genl_open();
	if (!genl) {
		explicit_bzero(key, sizeof(key));
		return RFSEC_EXIT_FAILURE;
	}
	req = rfsec_genl_request(genl, RFSEC_CMD_SET_IDENTITY, 0);
	mnl_attr_put(req, RFSEC_A_ADAPTER, sizeof(addr), addr);
	mnl_attr_put(req, RFSEC_A_PRIVATE_KEY, sizeof(key), key);
	ret = identity_change(req, genl);
	/* The request buffer held the key too. */
	explicit_bzero(req, req->nlmsg_len);
	rfsec_genl_close(genl);
	/* The kernel never gives the key back: keep it for 'rfsec restore'. */
	if (!ret && state_store_identity(addr, key)) {
		fprintf(stderr,
			"rfsec: the identity is set in the kernel but not stored: 'rfsec restore' will not bring it back\n");
		ret = RFSEC_EXIT_FAILURE;
	}
	explicit_bzero(key, sizeof(key));
	return ret;
}

static int identity_del(const char *adapter)
{
	uint8_t addr[RFSEC_ADDR_LEN];
	struct rfsec_genl *genl;
	struct nlmsghdr *req;
	int ret;

	ret = config_parse_adapter(adapter, addr);
	if (ret)
		return ret;
	genl = rfsec_genl_open();
	if (!genl)
		return RFSEC_EXIT_FAILURE;
	req = rfsec_genl_request(genl, RFSEC_CMD_DEL_IDENTITY, 0);
	mnl_attr_put(req, RFSEC_A_ADAPTER, sizeof(addr), addr);
	ret = identity_change(req, genl);
	rfsec_genl_close(genl);
	if (!ret && state_forget_identity(addr)) {
		fprintf(stderr,
			"rfsec: the identity is removed from the kernel but still stored: 'rfsec restore' would bring it back\n");
		ret = RFSEC_EXIT_FAILURE;
	}
	return ret;
}

static int identity_show(const char *adapter, const struct cli *c)
{
	char addr_str[CONFIG_ADDR_STRLEN], b64[RFSEC_KEY_BASE64_LEN + 1];
	uint8_t addr[RFSEC_ADDR_LEN];
	struct kconf_identity *ids = NULL;
	struct btdev devs[BTDEV_MAX];
	struct rfsec_genl *genl;
	size_t n = 0, i;
	struct json j;
	int ret;

	if (adapter) {
		ret = config_parse_adapter(adapter, addr);
		if (ret)
			return ret;
	}
	genl = rfsec_genl_open();
	if (!genl)
		return RFSEC_EXIT_FAILURE;
	ret = kconf_dump_identities(genl, adapter ? addr : NULL, &ids, &n) ?
		RFSEC_EXIT_FAILURE : RFSEC_EXIT_OK;
	rfsec_genl_close(genl);
	if (ret)
		return ret;
	if (c->json) {
		int n_devs = listing_devices(devs);

		json_begin_document(&j, stdout, c->pretty);
		json_begin_array(&j, "identities");
		for (i = 0; i < n; i++) {
			json_begin_object(&j, NULL);
			listing_json_identity(&j, &ids[i], devs, n_devs);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_end_document(&j);
	}
	for (i = 0; !c->json && i < n; i++) {
		config_addr_str(addr_str, ids[i].adapter);
		key_to_base64(b64, ids[i].public_key);
		printf("%s %s\n", addr_str, b64);
	}
	free(ids);
	if (fflush(stdout) || ferror(stdout))
		ret = RFSEC_EXIT_FAILURE;
	return ret;
}

int identity_main(int argc, char *argv[])
{
	const char *sub;
	struct cli c;
	int n;

	if (cli_parse(argc, argv, true, &c))
		return identity_usage_error();
	if (c.help)
		return identity_help();
	n = cli_nargs(argc, &c);
	if (n < 1)
		return identity_usage_error();
	sub = argv[c.first];
	argv += c.first;
	if (!strcmp(sub, "show") && n <= 2)
		return identity_show(n == 2 ? argv[1] : NULL, &c);
	if (c.json) {
		fprintf(stderr, "rfsec identity: -j is for 'identity show'\n");
		return RFSEC_EXIT_USAGE;
	}
	if (!strcmp(sub, "set") && n == 3)
		return identity_set(argv[1], argv[2]);
	if (!strcmp(sub, "del") && n == 2)
		return identity_del(argv[1]);
	return identity_usage_error();
}
