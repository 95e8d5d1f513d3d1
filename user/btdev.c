// SPDX-License-Identifier: GPL-2.0-only
/*
 * Local controllers through the HCI socket's device list.
 */

#include "btdev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>

int btdev_list(struct btdev devs[BTDEV_MAX])
{
	struct hci_dev_list_req *list;
	struct hci_dev_info di;
	int sk, i, n = 0, err;

	list = calloc(1, sizeof(*list) + BTDEV_MAX * sizeof(list->dev_req[0]));
	if (!list)
		return -1;
	sk = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_HCI);
	if (sk < 0) {
		free(list);
		return -1;
	}
	list->dev_num = BTDEV_MAX;
	if (ioctl(sk, HCIGETDEVLIST, list) < 0) {
		err = errno;
		close(sk);
		free(list);
		errno = err;
		return -1;
	}
	for (i = 0; i < list->dev_num && i < BTDEV_MAX; i++) {
		memset(&di, 0, sizeof(di));
		di.dev_id = list->dev_req[i].dev_id;
		if (ioctl(sk, HCIGETDEVINFO, &di) < 0)
			continue;	/* gone meanwhile */
		devs[n].id = di.dev_id;
		snprintf(devs[n].name, sizeof(devs[n].name), "hci%u",
			 (unsigned int)di.dev_id);
		memcpy(devs[n].addr, di.bdaddr.b, RFSEC_ADDR_LEN);
		devs[n].up = hci_test_bit(HCI_UP, &di.flags);
		n++;
	}
	close(sk);
	free(list);
	return n;
}

const struct btdev *btdev_find(const struct btdev *devs, int n,
			       const uint8_t addr[RFSEC_ADDR_LEN])
{
	int i;

	for (i = 0; i < n; i++)
		if (!memcmp(devs[i].addr, addr, RFSEC_ADDR_LEN))
			return &devs[i];
	return NULL;
}
