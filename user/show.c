// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec show: every identity and its peers with their statistics, for
 * people (in the manner of 'wg show') or, with -j, as JSON for programs.
 * Nothing secret is shown: the kernel never gives a private or pre-shared
 * key back.
 */

#define _GNU_SOURCE

#include "btdev.h"
#include "cli.h"
#include "config.h"
#include "encoding.h"
#include "genl.h"
#include "json.h"
#include "kconf.h"
#include "listing.h"
#include "subcommands.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHOW_USAGE "Usage: rfsec show [-j|--json] [-p|--pretty] [ADAPTER]\n"

static int show_help(FILE *out, int ret)
{
	fprintf(out, SHOW_USAGE "\n"
		"Shows each identity (of every adapter, or of ADAPTER only) and its peers:\n"
		"the adapter's address and hciN name, its public key, and per peer its\n"
		"address, public key (base64, as 'rfsec pubkey' prints it), policy,\n"
		"cipher, whether it has a pre-shared key, the latest handshake, bytes\n"
		"and records received and sent, handshakes, rekeys, open connections\n"
		"and failed handshakes by reason. No secret is ever shown. Needs\n"
		"CAP_NET_ADMIN: who is trusted, and when they met, is not for every user.\n\n"
		"  -j, --json    one JSON object on one line (docs/JSON.md, rfsec(8))\n"
		"  -p, --pretty  the same JSON, indented\n\n"
		"Exit status: 0, 1 if the command failed, 2 for a wrong command line.\n");
	return ret;
}

/* "1 hour, 2 minutes, 3 seconds ago", as wg does it. */
static void show_ago(uint64_t then_ns)
{
	static const struct {
		uint64_t secs;
		const char *unit;
	} units[] = {
		{ 86400, "day" }, { 3600, "hour" }, { 60, "minute" },
		{ 1, "second" },
	};
	struct timespec now;
	uint64_t now_ns, left, v;
	bool first = true;
	size_t i;

	if (!then_ns) {
		printf("never");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	now_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	if (now_ns < then_ns + 1000000000ULL) {
		printf("now");
		return;
	}
	left = (now_ns - then_ns) / 1000000000ULL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		v = left / units[i].secs;
		left %= units[i].secs;
		if (!v)
			continue;
		printf("%s%" PRIu64 " %s%s", first ? "" : ", ", v,
		       units[i].unit, v == 1 ? "" : "s");
		first = false;
	}
	printf(" ago");
}

static void show_bytes(uint64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int i = -1;

	if (n < 1024) {
		printf("%" PRIu64 " B", n);
		return;
	}
	while (v >= 1024 && i < 3) {
		v /= 1024;
		i++;
	}
	printf("%.2f %s", v, units[i]);
}

static const char *show_name_or(const char *name, const char *fallback)
{
	return name ? name : fallback;
}

static void show_text_peer(const struct kconf_peer *p)
{
	char addr[CONFIG_ADDR_STRLEN], b64[RFSEC_KEY_BASE64_LEN + 1] = "(none)";
	const char *name;
	bool any = false;
	uint32_t r;

	config_addr_str(addr, p->addr);
	if (p->has_public_key)
		key_to_base64(b64, p->public_key);
	printf("\n  peer: %s\n", addr);
	printf("    public key: %s\n", b64);
	printf("    policy: %s\n",
	       show_name_or(kconf_policy_name(p->policy), "unknown"));
	if (p->has_cipher)
		printf("    cipher: %s\n",
		       show_name_or(kconf_cipher_name(p->cipher), "unknown"));
	printf("    preshared key: %s\n", p->has_psk ? "yes" : "no");
	printf("    latest handshake: ");
	show_ago(p->last_handshake_ns);
	printf("\n    transfer: ");
	show_bytes(p->rx_bytes);
	printf(" received, ");
	show_bytes(p->tx_bytes);
	printf(" sent\n");
	printf("    records: %" PRIu64 " received, %" PRIu64 " sent\n",
	       p->rx_records, p->tx_records);
	printf("    handshakes: %" PRIu64 ", ratchets: %" PRIu64
	       ", rekeys: %" PRIu64 ", connections: %" PRIu32
	       ", unclean ends: %" PRIu64 "\n", p->handshakes, p->ratchets,
	       p->rekeys, p->connections, p->unclean_ends);
	printf("    handshake failures:");
	for (r = 1; r < KCONF_MAX_REASONS; r++) {
		if (!p->failures[r])
			continue;
		name = kconf_failure_name(r);
		if (name)
			printf("%s %s %" PRIu64, any ? "," : "", name,
			       p->failures[r]);
		else
			printf("%s reason-%" PRIu32 " %" PRIu64, any ? "," : "",
			       r, p->failures[r]);
		any = true;
	}
	printf("%s\n", any ? "" : " none");
}

static void show_text(const struct kconf_identity *ids, size_t n_ids,
		      const struct kconf_peer *peers, size_t n_peers,
		      const struct btdev *devs, int n_devs)
{
	char addr[CONFIG_ADDR_STRLEN], b64[RFSEC_KEY_BASE64_LEN + 1];
	const struct btdev *dev;
	size_t i, j, count;

	for (i = 0; i < n_ids; i++) {
		config_addr_str(addr, ids[i].adapter);
		key_to_base64(b64, ids[i].public_key);
		dev = btdev_find(devs, n_devs, ids[i].adapter);
		for (count = 0, j = 0; j < n_peers; j++)
			count += !memcmp(peers[j].adapter, ids[i].adapter,
					 RFSEC_ADDR_LEN);
		if (i)
			putchar('\n');
		if (dev)
			printf("adapter: %s (%s, %s)\n", addr, dev->name,
			       dev->up ? "up" : "down");
		else
			printf("adapter: %s (not present)\n", addr);
		printf("  public key: %s\n", b64);
		printf("  peers: %zu\n", count);
		for (j = 0; j < n_peers; j++)
			if (!memcmp(peers[j].adapter, ids[i].adapter,
				    RFSEC_ADDR_LEN))
				show_text_peer(&peers[j]);
	}
}

static void show_json(const struct kconf_identity *ids, size_t n_ids,
		      const struct kconf_peer *peers, size_t n_peers,
		      const struct btdev *devs, int n_devs, bool pretty)
{
	struct json j;
	size_t i, k;

	json_begin_document(&j, stdout, pretty);
	json_begin_array(&j, "identities");
	for (i = 0; i < n_ids; i++) {
		json_begin_object(&j, NULL);
		listing_json_identity(&j, &ids[i], devs, n_devs);
		json_begin_array(&j, "peers");
		for (k = 0; k < n_peers; k++)
			if (!memcmp(peers[k].adapter, ids[i].adapter,
				    RFSEC_ADDR_LEN))
				listing_json_peer(&j, &peers[k], false);
		json_end_array(&j);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_document(&j);
}

int show_main(int argc, char *argv[])
{
	uint8_t adapter[RFSEC_ADDR_LEN];
	struct kconf_identity *ids = NULL;
	struct kconf_peer *peers = NULL;
	struct btdev devs[BTDEV_MAX];
	const char *which = NULL;
	size_t n_ids = 0, n_peers = 0;
	struct rfsec_genl *genl;
	struct cli c;
	int n_devs, ret;

	if (cli_parse(argc, argv, true, &c))
		return show_help(stderr, RFSEC_EXIT_USAGE);
	if (c.help)
		return show_help(stdout, RFSEC_EXIT_OK);
	if (cli_nargs(argc, &c) > 1)
		return show_help(stderr, RFSEC_EXIT_USAGE);
	if (cli_nargs(argc, &c) == 1)
		which = argv[c.first];
	if (which) {
		ret = config_parse_adapter(which, adapter);
		if (ret)
			return ret;
	}
	genl = rfsec_genl_open();
	if (!genl)
		return RFSEC_EXIT_FAILURE;
	ret = RFSEC_EXIT_FAILURE;
	if (kconf_dump_identities(genl, which ? adapter : NULL, &ids, &n_ids))
		goto out;
	/* An adapter without an identity has no peers to dump. */
	if (n_ids &&
	    kconf_dump_peers(genl, which ? adapter : NULL, &peers, &n_peers))
		goto out;
	n_devs = listing_devices(devs);	/* none: every adapter is absent */
	if (c.json)
		show_json(ids, n_ids, peers, n_peers, devs, n_devs, c.pretty);
	else
		show_text(ids, n_ids, peers, n_peers, devs, n_devs);
	ret = RFSEC_EXIT_OK;
out:
	free(ids);
	free(peers);
	rfsec_genl_close(genl);
	if (fflush(stdout) || ferror(stdout))
		ret = RFSEC_EXIT_FAILURE;
	return ret;
}
