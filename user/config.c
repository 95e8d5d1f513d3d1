// SPDX-License-Identifier: GPL-2.0-only
/*
 * Adapters, addresses and keys for the identity and peer commands.
 */

#define _DEFAULT_SOURCE

#include "config.h"
#include "encoding.h"
#include "subcommands.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>

bool config_addr_from_str(const char *str, uint8_t addr[RFSEC_ADDR_LEN])
{
	bdaddr_t ba;

	/* str2ba() takes sloppy input; bachk() insists on the exact form. */
	if (!str || bachk(str) < 0 || str2ba(str, &ba) < 0)
		return false;
	memcpy(addr, ba.b, RFSEC_ADDR_LEN);	/* str2ba gives bdaddr_t order */
	return true;
}

void config_addr_str(char out[CONFIG_ADDR_STRLEN],
		     const uint8_t addr[RFSEC_ADDR_LEN])
{
	bdaddr_t ba;

	memcpy(ba.b, addr, RFSEC_ADDR_LEN);
	ba2str(&ba, out);
}

int config_parse_addr(const char *what, const char *str,
		      uint8_t addr[RFSEC_ADDR_LEN])
{
	if (!config_addr_from_str(str, addr)) {
		fprintf(stderr,
			"rfsec: malformed %s address '%s' (expected XX:XX:XX:XX:XX:XX)\n",
			what, str);
		return RFSEC_EXIT_USAGE;
	}
	return RFSEC_EXIT_OK;
}

int config_parse_adapter(const char *str, uint8_t addr[RFSEC_ADDR_LEN])
{
	struct hci_dev_info di;
	const char *p;
	int id;

	if (strncmp(str, "hci", 3))
		return config_parse_addr("adapter", str, addr);

	for (p = str + 3; isdigit((unsigned char)*p); p++)
		;
	if (p == str + 3 || *p || p - str > 8) {
		fprintf(stderr,
			"rfsec: malformed adapter '%s' (expected hciN or XX:XX:XX:XX:XX:XX)\n",
			str);
		return RFSEC_EXIT_USAGE;
	}
	/*
	 * Not hci_devid() or hci_devba(): they fail for an adapter that is
	 * down, whose address the kernel knows all the same.
	 */
	id = atoi(str + 3);
	if (hci_devinfo(id, &di) < 0) {
		if (errno == EAFNOSUPPORT)
			fprintf(stderr,
				"rfsec: Bluetooth is not available: the kernel has no Bluetooth support loaded (try: modprobe bluetooth)\n");
		else
			fprintf(stderr,
				"rfsec: unknown adapter '%s' (no such Bluetooth controller; give its address to configure an absent one)\n",
				str);
		return RFSEC_EXIT_FAILURE;
	}
	if (!bacmp(&di.bdaddr, BDADDR_ANY)) {
		fprintf(stderr,
			"rfsec: adapter '%s' has no address yet (power it on once: %s)\n",
			str, config_power_on_hint(str));
		return RFSEC_EXIT_FAILURE;
	}
	memcpy(addr, di.bdaddr.b, RFSEC_ADDR_LEN);
	return RFSEC_EXIT_OK;
}

int config_parse_key(const char *what, const char *str,
		     uint8_t key[RFSEC_KEY_LEN])
{
	if (!key_from_base64(key, str)) {
		fprintf(stderr,
			"rfsec: bad %s: expected 32 bytes in base64 (44 characters ending in '=')\n",
			what);
		return RFSEC_EXIT_USAGE;
	}
	return RFSEC_EXIT_OK;
}

int config_read_key(const char *what, const char *path,
		    uint8_t key[RFSEC_KEY_LEN])
{
	char buf[128];
	size_t len = 0, start = 0;
	ssize_t n;
	int fd, ret = RFSEC_EXIT_FAILURE;
	bool from_stdin = !strcmp(path, "-");

	fd = from_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "rfsec: %s: %s\n", path, strerror(errno));
		return RFSEC_EXIT_FAILURE;
	}
	for (;;) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "rfsec: %s: %s\n",
				from_stdin ? "standard input" : path,
				strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;	/* too long to be a key: refused below */
	}
	buf[len] = '\0';
	while (len && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
	while (isspace((unsigned char)buf[start]))
		start++;
	if (key_from_base64(key, buf + start))
		ret = RFSEC_EXIT_OK;
	else
		fprintf(stderr,
			"rfsec: bad %s in %s: expected 32 bytes in base64 (44 characters ending in '=')\n",
			what, from_stdin ? "standard input" : path);
out:
	explicit_bzero(buf, sizeof(buf));
	if (!from_stdin)
		close(fd);
	return ret;
}

const char *config_power_on_hint(const char *name)
{
	static char hint[64];

	if (name && !strncmp(name, "hci", 3) && name[3])
		snprintf(hint, sizeof(hint), "btmgmt --index %s power on",
			 name + 3);
	else
		snprintf(hint, sizeof(hint), "bluetoothctl power on");
	return hint;
}

bool config_is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}
