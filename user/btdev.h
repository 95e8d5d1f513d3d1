/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The local Bluetooth controllers present now, for show and scan: their
 * hciN names, addresses and whether they are up.
 */

#ifndef RFSEC_USER_BTDEV_H
#define RFSEC_USER_BTDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "rfsec.h"

#define BTDEV_MAX 16

struct btdev {
	int id;
	char name[16];
	uint8_t addr[RFSEC_ADDR_LEN];	/* bdaddr_t order */
	bool up;
};

/*
 * Fills @devs with up to BTDEV_MAX controllers. Returns how many, or -1
 * with errno set (EAFNOSUPPORT: the kernel has no Bluetooth).
 */
int btdev_list(struct btdev devs[BTDEV_MAX]);

/* The controller with @addr among @devs, or NULL. */
const struct btdev *btdev_find(const struct btdev *devs, int n,
			       const uint8_t addr[RFSEC_ADDR_LEN]);

#endif /* RFSEC_USER_BTDEV_H */
