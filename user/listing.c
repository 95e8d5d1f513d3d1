// SPDX-License-Identifier: GPL-2.0-only
/*
 * Identity and peer objects for the -j output of the listing commands.
 * Times are integers jq reads exactly: seconds since the epoch, and the
 * nanoseconds as a decimal string (a double holds only 53 bits).
 */

#include "listing.h"
#include "config.h"
#include "encoding.h"

#include <inttypes.h>
#include <stdio.h>

void listing_json_identity(struct json *j, const struct kconf_identity *id,
			   const struct btdev *devs, int n_devs)
{
	char addr[CONFIG_ADDR_STRLEN], b64[RFSEC_KEY_BASE64_LEN + 1];
	const struct btdev *dev = btdev_find(devs, n_devs, id->adapter);

	config_addr_str(addr, id->adapter);
	json_string(j, "adapter", addr);
	if (dev)
		json_string(j, "name", dev->name);
	else
		json_null(j, "name");
	json_bool(j, "present", dev != NULL);
	json_bool(j, "up", dev && dev->up);
	key_to_base64(b64, id->public_key);
	json_string(j, "public_key", b64);
}

static void listing_json_name(struct json *j, const char *key,
			      const char *name)
{
	json_string(j, key, name ? name : "unknown");
}

void listing_json_peer(struct json *j, const struct kconf_peer *p,
		       bool adapter)
{
	char addr[CONFIG_ADDR_STRLEN], b64[RFSEC_KEY_BASE64_LEN + 1];
	char other[24];
	const char *name;
	uint32_t r;

	json_begin_object(j, NULL);
	if (adapter) {
		config_addr_str(addr, p->adapter);
		json_string(j, "adapter", addr);
	}
	config_addr_str(addr, p->addr);
	json_string(j, "address", addr);
	if (p->has_public_key) {
		key_to_base64(b64, p->public_key);
		json_string(j, "public_key", b64);
	} else {
		json_null(j, "public_key");
	}
	listing_json_name(j, "policy", kconf_policy_name(p->policy));
	if (p->has_cipher)
		listing_json_name(j, "cipher", kconf_cipher_name(p->cipher));
	else
		json_null(j, "cipher");
	json_bool(j, "preshared_key", p->has_psk);
	json_u64(j, "last_handshake", p->last_handshake_ns / 1000000000ULL);
	json_u64_string(j, "last_handshake_ns", p->last_handshake_ns);
	json_u64(j, "handshakes", p->handshakes);
	json_u64(j, "rx_bytes", p->rx_bytes);
	json_u64(j, "tx_bytes", p->tx_bytes);
	json_u64(j, "rx_records", p->rx_records);
	json_u64(j, "tx_records", p->tx_records);
	json_u64(j, "rekeys", p->rekeys);
	json_u64(j, "connections", p->connections);
	json_u64(j, "unclean_ends", p->unclean_ends);
	json_u64(j, "ratchets", p->ratchets);
	json_begin_object(j, "handshake_failures");
	for (r = 1; r < KCONF_MAX_REASONS; r++) {
		name = kconf_failure_name(r);
		if (!name && !p->failures[r])
			continue;
		if (!name) {
			snprintf(other, sizeof(other), "reason-%" PRIu32, r);
			name = other;
		}
		json_u64(j, name, p->failures[r]);
	}
	json_end_object(j);
	json_end_object(j);
}

int listing_devices(struct btdev devs[BTDEV_MAX])
{
	int n = btdev_list(devs);

	return n < 0 ? 0 : n;
}
