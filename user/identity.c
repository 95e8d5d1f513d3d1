// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec identity: the X25519 identity of a local adapter. The private key
 * goes into the kernel and never comes back; show prints the public key
 * the kernel derived.
 */

#define _DEFAULT_SOURCE

#include "config.h"
#include "encoding.h"
#include "genl.h"
#include "state.h"
#include "subcommands.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>

#define IDENTITY_USAGE \
	"Usage: rfsec identity set ADAPTER PRIVATE_KEY_FILE\n" \
	"       rfsec identity del ADAPTER\n" \
	"       rfsec identity show [ADAPTER]\n"

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
	       "        or of ADAPTER's only, one per line\n\n"
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

struct identity_reply {
	const uint8_t *adapter;
	const uint8_t *public_key;
};

static int identity_attr_cb(const struct nlattr *attr, void *data)
{
	struct identity_reply *r = data;

	switch (mnl_attr_get_type(attr)) {
	case RFSEC_A_ADAPTER:
		if (mnl_attr_get_payload_len(attr) != RFSEC_ADDR_LEN)
			goto bad;
		r->adapter = mnl_attr_get_payload(attr);
		break;
	case RFSEC_A_PUBLIC_KEY:
		if (mnl_attr_get_payload_len(attr) != RFSEC_KEY_LEN)
			goto bad;
		r->public_key = mnl_attr_get_payload(attr);
		break;
	}
	return MNL_CB_OK;
bad:
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

static int identity_show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct identity_reply r = { NULL, NULL };
	char b64[RFSEC_KEY_BASE64_LEN + 1];

	(void)data;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), identity_attr_cb,
			   &r) < 0)
		return MNL_CB_ERROR;
	if (!r.adapter || !r.public_key) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	key_to_base64(b64, r.public_key);
	config_print_addr(stdout, r.adapter);
	printf(" %s\n", b64);
	return MNL_CB_OK;
}

static int identity_show(const char *adapter)
{
	uint8_t addr[RFSEC_ADDR_LEN];
	struct rfsec_genl *genl;
	struct nlmsghdr *req;
	int ret;

	if (adapter) {
		ret = config_parse_adapter(adapter, addr);
		if (ret)
			return ret;
	}
	genl = rfsec_genl_open();
	if (!genl)
		return RFSEC_EXIT_FAILURE;
	req = rfsec_genl_request(genl, RFSEC_CMD_GET_IDENTITY, NLM_F_DUMP);
	if (adapter)
		mnl_attr_put(req, RFSEC_A_ADAPTER, sizeof(addr), addr);
	ret = rfsec_genl_call(genl, req, identity_show_cb, NULL) ?
		RFSEC_EXIT_FAILURE : RFSEC_EXIT_OK;
	rfsec_genl_close(genl);
	fflush(stdout);
	return ret;
}

int identity_main(int argc, char *argv[])
{
	if (argc == 2 && config_is_help(argv[1]))
		return identity_help();
	if (argc < 2)
		return identity_usage_error();
	if (argc > 2 && config_is_help(argv[2]))
		return identity_help();

	if (!strcmp(argv[1], "set") && argc == 4)
		return identity_set(argv[2], argv[3]);
	if (!strcmp(argv[1], "del") && argc == 3)
		return identity_del(argv[2]);
	if (!strcmp(argv[1], "show") && argc <= 3)
		return identity_show(argc == 3 ? argv[2] : NULL);
	return identity_usage_error();
}
