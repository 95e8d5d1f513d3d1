// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec adapters: the local Bluetooth controllers, by name and address.
 * Needs no privilege (it reads what the HCI device list gives anyone) and
 * does not need the module, which makes it what the bash completion asks.
 */

#include "btdev.h"
#include "cli.h"
#include "config.h"
#include "json.h"
#include "subcommands.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int adapters_help(FILE *out, int ret)
{
	fprintf(out,
		"Usage: rfsec adapters [-j|--json] [-p|--pretty]\n\n"
		"Lists the local Bluetooth controllers, one per line: hciN, address, and\n"
		"up or down. Needs no privilege and no rfsec module.\n\n"
		"  -j, --json    one JSON object on one line (docs/JSON.md)\n"
		"  -p, --pretty  the same JSON, indented\n\n"
		"Exit status: 0, 1 if the command failed, 2 for a wrong command line.\n");
	return ret;
}

int adapters_main(int argc, char *argv[])
{
	char addr[CONFIG_ADDR_STRLEN];
	struct btdev devs[BTDEV_MAX];
	struct json j;
	struct cli c;
	int n, i;

	if (cli_parse(argc, argv, true, &c) || cli_nargs(argc, &c))
		return adapters_help(stderr, RFSEC_EXIT_USAGE);
	if (c.help)
		return adapters_help(stdout, RFSEC_EXIT_OK);
	n = btdev_list(devs);
	if (n < 0 && errno != EAFNOSUPPORT) {
		fprintf(stderr, "rfsec: cannot list the Bluetooth adapters: %s\n",
			strerror(errno));
		return RFSEC_EXIT_FAILURE;
	}
	if (n < 0)
		n = 0;	/* no Bluetooth in the kernel: no adapters */
	if (c.json) {
		json_begin_document(&j, stdout, c.pretty);
		json_begin_array(&j, "adapters");
	}
	for (i = 0; i < n; i++) {
		config_addr_str(addr, devs[i].addr);
		if (!c.json) {
			printf("%s %s %s\n", devs[i].name, addr,
			       devs[i].up ? "up" : "down");
			continue;
		}
		json_begin_object(&j, NULL);
		json_string(&j, "name", devs[i].name);
		json_string(&j, "address", addr);
		json_bool(&j, "up", devs[i].up);
		json_end_object(&j);
	}
	if (c.json) {
		json_end_array(&j);
		json_end_document(&j);
	}
	return fflush(stdout) || ferror(stdout) ? RFSEC_EXIT_FAILURE :
						  RFSEC_EXIT_OK;
}
