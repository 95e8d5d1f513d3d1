/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the identity and peer commands share: adapters and addresses from
 * the command line, keys from files, and printing of addresses.
 */

#ifndef RFSEC_USER_CONFIG_H
#define RFSEC_USER_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rfsec.h"

/* "XX:XX:XX:XX:XX:XX" and its NUL, as ba2str() writes it. */
#define CONFIG_ADDR_STRLEN 18

/*
 * An address "XX:XX:XX:XX:XX:XX" (either case, nothing else) into bdaddr_t
 * byte order; false, printing nothing, for anything else.
 */
bool config_addr_from_str(const char *str, uint8_t addr[RFSEC_ADDR_LEN]);

/* An address in bdaddr_t byte order as "XX:XX:XX:XX:XX:XX". */
void config_addr_str(char out[CONFIG_ADDR_STRLEN],
		     const uint8_t addr[RFSEC_ADDR_LEN]);

/*
 * How to power on an adapter, for messages: "btmgmt --index N power on"
 * when @name is hciN, else bluetoothctl's way.
 */
const char *config_power_on_hint(const char *name);

/* Results of the parsers: an exit code, RFSEC_EXIT_OK on success. */

/* A device address "XX:XX:XX:XX:XX:XX" into bdaddr_t byte order. */
int config_parse_addr(const char *what, const char *str,
		      uint8_t addr[RFSEC_ADDR_LEN]);

/* An adapter: "hciN" (resolved to its address) or an address. */
int config_parse_adapter(const char *str, uint8_t addr[RFSEC_ADDR_LEN]);

/* A base64 key from the command line. */
int config_parse_key(const char *what, const char *str,
		     uint8_t key[RFSEC_KEY_LEN]);

/*
 * A base64 key from the file @path, or stdin for "-"; surrounding
 * whitespace is allowed. The key is wiped on failure.
 */
int config_read_key(const char *what, const char *path,
		    uint8_t key[RFSEC_KEY_LEN]);

bool config_is_help(const char *arg);

#endif /* RFSEC_USER_CONFIG_H */
