/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rfsec control plane: generic netlink family RFSEC_GENL_NAME.
 */

#ifndef RFSEC_NETLINK_H
#define RFSEC_NETLINK_H

#include <linux/types.h>
#include <net/bluetooth/bluetooth.h>

int rfsec_genl_init(void);
void rfsec_genl_uninit(void);

/* RFSEC_CMD_HANDSHAKE_DONE (@value: cipher) or _FAILED (@value: reason). */
void rfsec_nl_notify_handshake(u8 cmd, const bdaddr_t *adapter,
			       const bdaddr_t *peer, u32 value);

#endif /* RFSEC_NETLINK_H */
