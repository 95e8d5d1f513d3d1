// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec: end-to-end encrypted Bluetooth RFCOMM sockets.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "version.h"
#include "netlink.h"
#include "noise.h"
#include "peer.h"
#include "selftest.h"
#include "sock.h"
#include "transport.h"
#include "uapi/rfsec.h"

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/stringify.h>
#include <net/genetlink.h>

static bool selftest;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest,
		 "check the Noise core against cacophony's vectors before loading (default 0)");

static int __init rfsec_mod_init(void)
{
	int ret;

	/* Before anything is registered: a failure leaves nothing behind. */
	if (selftest) {
		ret = rfsec_selftest();
		if (ret)
			return ret;
	}

	ret = rfsec_genl_init();
	if (ret < 0)
		goto err_genl;

	ret = rfsec_transport_init();
	if (ret < 0)
		goto err_transport;

	ret = rfsec_sock_init();
	if (ret < 0)
		goto err_sock;

	rfsec_noise_preload();

	pr_info("rfsec " RFSEC_VERSION " loaded, BTPROTO_RFSEC %d\n",
		BTPROTO_RFSEC);
	return 0;

err_sock:
	rfsec_transport_uninit();
err_transport:
	rfsec_genl_uninit();
	/* Userspace may have configured keys while we were coming up. */
	rfsec_peers_uninit();
err_genl:
	return ret;
}

static void __exit rfsec_mod_exit(void)
{
	rfsec_sock_uninit();
	rfsec_transport_uninit();
	rfsec_genl_uninit();
	/* No netlink request and no socket is left to use a key. */
	rfsec_peers_uninit();
}

module_init(rfsec_mod_init);
module_exit(rfsec_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("End-to-end encrypted Bluetooth RFCOMM sockets");
MODULE_AUTHOR("rfsec developers");
MODULE_VERSION(RFSEC_VERSION);
/* socket(AF_BLUETOOTH, *, BTPROTO_RFSEC) loads us through bt_sock_create(). */
MODULE_ALIAS("bt-proto-" __stringify(BTPROTO_RFSEC));
/* So does resolving the generic netlink family by name. */
MODULE_ALIAS_GENL_FAMILY(RFSEC_GENL_NAME);
/*
 * rfcomm.ko exports nothing, so only a soft dependency can load it first.
 * The crypto API would load curve25519 when the first identity is set; the
 * soft dependency also gets it into initramfs images and loaded before a
 * system turns module loading off.
 */
MODULE_SOFTDEP("pre: rfcomm crypto-curve25519");
