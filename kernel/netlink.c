// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rfsec control plane: generic netlink family RFSEC_GENL_NAME. The
 * commands and who may send them are documented in uapi/rfsec.h.
 */

#include "netlink.h"
#include "sock.h"
#include "compat.h"
#include "version.h"
#include "uapi/rfsec.h"

#include <linux/cache.h>
#include <linux/kernel.h>
#include <net/genetlink.h>

static const struct nla_policy rfsec_genl_policy[RFSEC_A_MAX + 1] = {
	[RFSEC_A_VERSION]	= { .type = NLA_NUL_STRING },
	[RFSEC_A_PROTO]		= { .type = NLA_U32 },
	[RFSEC_A_SOCKETS]	= { .type = NLA_U32 },
};

static struct genl_family rfsec_genl_family;

static size_t rfsec_genl_info_size(void)
{
	return nla_total_size(sizeof(RFSEC_VERSION)) +	/* RFSEC_A_VERSION */
	       nla_total_size(sizeof(u32)) +		/* RFSEC_A_PROTO */
	       nla_total_size(sizeof(u32));		/* RFSEC_A_SOCKETS */
}

static int rfsec_genl_fill_info(struct sk_buff *msg)
{
	if (nla_put_string(msg, RFSEC_A_VERSION, RFSEC_VERSION) ||
	    nla_put_u32(msg, RFSEC_A_PROTO, BTPROTO_RFSEC) ||
	    nla_put_u32(msg, RFSEC_A_SOCKETS, rfsec_sock_count()))
		return -EMSGSIZE;
	return 0;
}

static int rfsec_genl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(rfsec_genl_info_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &rfsec_genl_family, 0,
				RFSEC_CMD_GET_INFO);
	if (!hdr || rfsec_genl_fill_info(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * Commands that only read harmless state carry no flag. Every command that
 * changes configuration (keys, peers, policy) must carry GENL_ADMIN_PERM, so
 * that the core refuses it without CAP_NET_ADMIN before it reaches us.
 */
static const struct genl_small_ops rfsec_genl_ops[] = {
	{
		.cmd	= RFSEC_CMD_GET_INFO,
		.doit	= rfsec_genl_get_info,
	},
};

/*
 * .resv_start_op stays 0, as for any new family: every command then gets
 * strict attribute validation and reserved header fields and flags checked.
 * .netnsok is false because Bluetooth sockets exist only in init_net.
 */
static struct genl_family rfsec_genl_family __ro_after_init = {
	.name		= RFSEC_GENL_NAME,
	.version	= RFSEC_GENL_VERSION,
	.maxattr	= RFSEC_A_MAX,
	.policy		= rfsec_genl_policy,
	.netnsok	= false,
	.module		= THIS_MODULE,
	.small_ops	= rfsec_genl_ops,
	.n_small_ops	= ARRAY_SIZE(rfsec_genl_ops),
};

int __init rfsec_genl_init(void)
{
	return genl_register_family(&rfsec_genl_family);
}

void rfsec_genl_uninit(void)
{
	genl_unregister_family(&rfsec_genl_family);
}
