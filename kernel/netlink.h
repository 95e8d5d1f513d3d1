/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rfsec control plane: generic netlink family RFSEC_GENL_NAME.
 */

#ifndef RFSEC_NETLINK_H
#define RFSEC_NETLINK_H

int rfsec_genl_init(void);
void rfsec_genl_uninit(void);

#endif /* RFSEC_NETLINK_H */
