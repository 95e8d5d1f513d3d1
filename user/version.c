// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec version: the tool's version and, from the kernel module, its
 * version, protocol number and socket count.
 */

#include "cli.h"
#include "genl.h"
#include "json.h"
#include "subcommands.h"
#include "rfsec.h"
#include "version.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>

struct rfsec_module_info {
	char version[64];
	uint32_t proto;
	uint32_t sockets;
	bool has_version, has_proto, has_sockets;
};

static void version_usage(FILE *out)
{
	fprintf(out,
		"Usage: rfsec version [-j|--json] [-p|--pretty] [dump]\n\n"
		"Shows the versions of this tool and of the rfsec kernel module, the\n"
		"Bluetooth protocol number of rfsec sockets and how many exist.\n\n"
		"  dump          one line for scripts, fields separated by tabs:\n"
		"                tool version, module version, protocol, sockets\n"
		"  -j, --json    one JSON object on one line (docs/JSON.md)\n"
		"  -p, --pretty  the same JSON, indented\n");
}

static int version_attr_cb(const struct nlattr *attr, void *data)
{
	struct rfsec_module_info *info = data;

	switch (mnl_attr_get_type(attr)) {
	case RFSEC_A_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		snprintf(info->version, sizeof(info->version), "%s",
			 mnl_attr_get_str(attr));
		info->has_version = true;
		break;
	case RFSEC_A_PROTO:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		info->proto = mnl_attr_get_u32(attr);
		info->has_proto = true;
		break;
	case RFSEC_A_SOCKETS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		info->sockets = mnl_attr_get_u32(attr);
		info->has_sockets = true;
		break;
	}
	return MNL_CB_OK;	/* attributes from a newer module are skipped */
}

static int version_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), version_attr_cb,
			      data);
}

static int version_get_module_info(struct rfsec_module_info *info)
{
	struct rfsec_genl *genl = rfsec_genl_open();
	struct nlmsghdr *req;
	int ret;

	if (!genl)
		return -1;
	req = rfsec_genl_request(genl, RFSEC_CMD_GET_INFO, 0);
	ret = rfsec_genl_call(genl, req, version_reply_cb, info);
	rfsec_genl_close(genl);
	if (ret)
		return -1;

	if (!info->has_version || !info->has_proto || !info->has_sockets) {
		fprintf(stderr,
			"rfsec: the kernel module's reply lacks information\n");
		return -1;
	}
	return 0;
}

static int version_show(bool dump, const struct cli *c)
{
	struct rfsec_module_info info = { 0 };
	struct json j;

	if (!dump && !c->json)
		printf("rfsec tool %s\n", RFSEC_VERSION);
	fflush(stdout);		/* keep the order if stderr follows */

	if (version_get_module_info(&info))
		return RFSEC_EXIT_FAILURE;

	if (c->json) {
		json_begin_document(&j, stdout, c->pretty);
		json_string(&j, "tool_version", RFSEC_VERSION);
		json_string(&j, "module_version", info.version);
		json_u64(&j, "protocol", info.proto);
		json_u64(&j, "sockets", info.sockets);
		json_end_document(&j);
	} else if (dump) {
		printf("%s\t%s\t%u\t%u\n", RFSEC_VERSION, info.version,
		       info.proto, info.sockets);
	} else {
		printf("rfsec module %s (BTPROTO_RFSEC %u, %u socket%s)\n",
		       info.version, info.proto, info.sockets,
		       info.sockets == 1 ? "" : "s");
	}
	return fflush(stdout) || ferror(stdout) ? RFSEC_EXIT_FAILURE :
						  RFSEC_EXIT_OK;
}

int version_main(int argc, char *argv[])
{
	struct cli c;
	int n;

	if (cli_parse(argc, argv, true, &c)) {
		version_usage(stderr);
		return RFSEC_EXIT_USAGE;
	}
	if (c.help) {
		version_usage(stdout);
		return RFSEC_EXIT_OK;
	}
	n = cli_nargs(argc, &c);
	if (n == 0)
		return version_show(false, &c);
	if (n == 1 && !strcmp(argv[c.first], "dump") && !c.json)
		return version_show(true, &c);
	version_usage(stderr);
	return RFSEC_EXIT_USAGE;
}
