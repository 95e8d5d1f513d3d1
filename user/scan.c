// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec scan: a Bluetooth inquiry through libbluetooth, with the remote
 * names, marking the devices that are rfsec peers of the scanning adapter.
 */

#define _GNU_SOURCE

#include "btdev.h"
#include "config.h"
#include "genl.h"
#include "json.h"
#include "kconf.h"
#include "subcommands.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>

#define SCAN_USAGE "Usage: rfsec scan [-i|--adapter ADAPTER] [-t|--timeout SECONDS] [-j|--json] [-p|--pretty]\n"
#define SCAN_DEFAULT_SECONDS 5
#define SCAN_MAX_SECONDS 61	/* inquiry length 0x30 units of 1.28 s */
#define SCAN_MAX_DEVICES 255
#define SCAN_NAME_TIMEOUT_MS 5000

static int scan_help(FILE *out, int ret)
{
	fprintf(out, SCAN_USAGE "\n"
		"Looks for discoverable Bluetooth devices (an inquiry) and asks each for\n"
		"its name. Prints one line per device: its address, 'peer' if it is an\n"
		"rfsec peer of the scanning adapter ('-' if not), and its name.\n\n"
		"  -i, --adapter A     the adapter to scan with: hciN or its address\n"
		"                      (default: the first one that is up)\n"
		"  -t, --timeout S     how long the inquiry lasts, 1 to %d seconds\n"
		"                      (default %d; rounded up to units of 1.28 s)\n"
		"  -j, --json          one JSON object on one line when the scan ends\n"
		"                      (docs/JSON.md); -p, --pretty indents it\n\n"
		"Exit status: 0, 1 if the command failed, 2 for a wrong command line.\n",
		SCAN_MAX_SECONDS, SCAN_DEFAULT_SECONDS);
	return ret;
}

/* The adapter to scan with, which must be present and up. */
static const struct btdev *scan_pick(const char *which, struct btdev *devs,
				     int *n)
{
	uint8_t addr[RFSEC_ADDR_LEN];
	const struct btdev *dev = NULL;
	char str[CONFIG_ADDR_STRLEN];
	int i;

	if (which && config_parse_adapter(which, addr))
		return NULL;
	*n = btdev_list(devs);
	if (*n < 0) {
		if (errno == EAFNOSUPPORT)
			fprintf(stderr,
				"rfsec: Bluetooth is not available: the kernel has no Bluetooth support loaded (try: modprobe bluetooth)\n");
		else
			fprintf(stderr,
				"rfsec: cannot list the Bluetooth adapters: %s\n",
				strerror(errno));
		return NULL;
	}
	if (which) {
		dev = btdev_find(devs, *n, addr);
		if (!dev) {
			config_addr_str(str, addr);
			fprintf(stderr,
				"rfsec: no Bluetooth adapter with the address %s is present\n",
				str);
			return NULL;
		}
	} else {
		for (i = 0; i < *n && !dev; i++)
			if (devs[i].up)
				dev = &devs[i];
		if (!*n) {
			fprintf(stderr, "rfsec: no Bluetooth adapter is present\n");
			return NULL;
		}
		if (!dev)
			dev = &devs[0];	/* reported as down below */
	}
	if (!dev->up) {
		config_addr_str(str, dev->addr);
		fprintf(stderr,
			"rfsec: adapter %s (%s) is down (try: %s)\n",
			dev->name, str, config_power_on_hint(dev->name));
		return NULL;
	}
	return dev;
}

/* The scanning adapter's members of the JSON object. */
static void scan_addr_json(struct json *j, const struct btdev *dev)
{
	char addr[CONFIG_ADDR_STRLEN];

	config_addr_str(addr, dev->addr);
	json_string(j, "adapter", addr);
	json_string(j, "name", dev->name);
}

/* Names come from the air: nothing that could drive a terminal. */
static void scan_clean_name(char *name)
{
	unsigned char *p;

	for (p = (unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
}

int scan_main(int argc, char *argv[])
{
	struct btdev devs[BTDEV_MAX];
	const struct btdev *dev;
	struct kconf_peer *peers = NULL;
	struct rfsec_genl *genl;
	inquiry_info *ii = NULL;
	const char *which = NULL;
	char addr[CONFIG_ADDR_STRLEN], name[249];
	size_t n_peers = 0, k;
	long seconds = SCAN_DEFAULT_SECONDS;
	static const struct option longopts[] = {
		{ "adapter", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	bool peer, json = false, pretty = false;
	int i, n_devs, found, dd, len, opt;
	struct json j;
	char *end;

	optind = 0;	/* GNU: start over */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "hi:t:jp", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			return scan_help(stdout, RFSEC_EXIT_OK);
		case 'i':
			which = optarg;
			break;
		case 't':
			errno = 0;
			seconds = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || seconds < 1 ||
			    seconds > SCAN_MAX_SECONDS) {
				fprintf(stderr,
					"rfsec: bad timeout '%s' (1 to %d seconds)\n",
					optarg, SCAN_MAX_SECONDS);
				return RFSEC_EXIT_USAGE;
			}
			break;
		case 'p':
			pretty = true;
			/* fall through */
		case 'j':
			json = true;
			break;
		default:
			fprintf(stderr,
				"rfsec scan: unknown option or missing value: '%s'\n",
				argv[optind - 1]);
			return scan_help(stderr, RFSEC_EXIT_USAGE);
		}
	}
	if (optind < argc)
		return scan_help(stderr, RFSEC_EXIT_USAGE);
	dev = scan_pick(which, devs, &n_devs);
	if (!dev)
		return RFSEC_EXIT_FAILURE;

	/* Marking peers is a bonus: scanning works without the module. */
	genl = rfsec_genl_open();
	if (genl) {
		if (kconf_dump_peers(genl, NULL, &peers, &n_peers))
			n_peers = 0;
		rfsec_genl_close(genl);
	}
	if (!genl)
		fprintf(stderr, "rfsec: scanning without marking rfsec peers\n");

	config_addr_str(addr, dev->addr);
	fprintf(stderr, "Scanning with %s (%s) for %ld seconds...\n",
		dev->name, addr, seconds);
	len = (int)((seconds * 100 + 127) / 128);	/* units of 1.28 s */
	found = hci_inquiry(dev->id, len, SCAN_MAX_DEVICES, NULL, &ii,
			    IREQ_CACHE_FLUSH);
	if (found < 0) {
		if (errno == ENETDOWN)
			fprintf(stderr,
				"rfsec: adapter %s is down (try: %s)\n",
				dev->name, config_power_on_hint(dev->name));
		else
			fprintf(stderr, "rfsec: inquiry on %s failed: %s\n",
				dev->name, strerror(errno));
		free(peers);
		return RFSEC_EXIT_FAILURE;
	}
	if (json) {
		json_begin_document(&j, stdout, pretty);
		scan_addr_json(&j, dev);
		json_begin_array(&j, "devices");
	}
	dd = found ? hci_open_dev(dev->id) : -1;
	for (i = 0; i < found; i++) {
		config_addr_str(addr, ii[i].bdaddr.b);
		if (dd < 0 || hci_read_remote_name(dd, &ii[i].bdaddr,
						   sizeof(name), name,
						   SCAN_NAME_TIMEOUT_MS) < 0)
			name[0] = '\0';
		name[sizeof(name) - 1] = '\0';
		if (!name[0])
			snprintf(name, sizeof(name), "(no name)");
		scan_clean_name(name);
		peer = false;
		for (k = 0; k < n_peers && !peer; k++)
			peer = !memcmp(peers[k].adapter, dev->addr,
				       RFSEC_ADDR_LEN) &&
			       !memcmp(peers[k].addr, ii[i].bdaddr.b,
				       RFSEC_ADDR_LEN);
		if (json) {
			json_begin_object(&j, NULL);
			json_string(&j, "address", addr);
			json_bool(&j, "peer", peer);
			json_string(&j, "name", name);
			json_end_object(&j);
			continue;
		}
		printf("%s  %-4s  %s\n", addr, peer ? "peer" : "-", name);
		fflush(stdout);
	}
	if (json) {
		json_end_array(&j);
		json_end_document(&j);
		fflush(stdout);
	}
	if (dd >= 0)
		hci_close_dev(dd);
	fprintf(stderr, "%d device%s found\n", found, found == 1 ? "" : "s");
	bt_free(ii);
	free(peers);
	return RFSEC_EXIT_OK;
}
