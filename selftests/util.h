/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the rfsec selftests: local controller addresses,
 * module state, and whole-buffer I/O.
 */
#ifndef RFSEC_SELFTEST_UTIL_H
#define RFSEC_SELFTEST_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>
#include <bluetooth/rfcomm.h>

#include "rfsec.h"

/* Address of local controller hciN, or false if it does not exist. */
static inline bool util_hci_addr(int dev_id, bdaddr_t *ba)
{
	return hci_devba(dev_id, ba) == 0;
}

static inline struct sockaddr_rc util_rc_addr(const bdaddr_t *ba, int chan)
{
	struct sockaddr_rc a = { .rc_family = AF_BLUETOOTH };

	bacpy(&a.rc_bdaddr, ba);
	a.rc_channel = chan;
	return a;
}

static inline bool util_module_loaded(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return stat(path, &st) == 0;
}

static inline int util_run(const char *cmd)
{
	return system(cmd);
}

/* Write all of buf in chunks of at most chunk bytes; 0 or -errno. */
static inline int util_write_all(int fd, const void *buf, size_t len,
				 size_t chunk)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len < chunk ? len : chunk);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/* Read exactly len bytes; 0, -errno, or -EPIPE on early end of stream. */
static inline int util_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

#endif /* RFSEC_SELFTEST_UTIL_H */
