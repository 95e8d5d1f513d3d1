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
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

/*
 * RFCOMM channels handed out in turn across the whole run (the counter
 * lives in memory shared with every forked test), so that a test never
 * reuses a channel whose DLC the test before it may still be closing:
 * RFCOMM refuses to open a DLC that still exists with EBUSY.
 */
#define UTIL_RFCOMM_MAX_CHANNEL	30

static unsigned int *util_channel_counter;

static void __attribute__((constructor)) util_channel_counter_init(void)
{
	util_channel_counter = mmap(NULL, sizeof(*util_channel_counter),
				    PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (util_channel_counter == MAP_FAILED)
		abort();
	*util_channel_counter = 0;
}

static inline int util_next_channel(void)
{
	return 1 + __atomic_fetch_add(util_channel_counter, 1,
				      __ATOMIC_RELAXED) %
		UTIL_RFCOMM_MAX_CHANNEL;
}

static inline long util_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
		(t.tv_nsec - t0->tv_nsec) / 1000000;
}

static inline int util_set_timeout_ms(int fd, int optname, long ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = ms % 1000 * 1000 };

	return setsockopt(fd, SOL_SOCKET, optname, &tv, sizeof(tv));
}

/* ACL links controller hci@dev_id has now, or -errno. */
static inline int util_acl_links(int dev_id)
{
	struct {
		struct hci_conn_list_req req;
		struct hci_conn_info info[8];
	} cl = { .req = { .dev_id = dev_id, .conn_num = 8 } };
	int fd, ret;

	fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_HCI);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, HCIGETCONNLIST, &cl) ? -errno : cl.req.conn_num;
	close(fd);
	return ret;
}

/*
 * Wait (up to 10 s) until hci0 has no link left from an earlier test: a
 * connect while RFCOMM still tears that session down fails with ECONNRESET
 * (plain RFCOMM as much as rfsec), which would read as the new test's
 * failure. The condition itself, not a fixed sleep.
 */
static inline void util_wait_links_down(void)
{
	for (int i = 0; i < 100 && util_acl_links(0) > 0; i++)
		usleep(100000);
}

#endif /* RFSEC_SELFTEST_UTIL_H */
