/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * rfsec: end-to-end encrypted Bluetooth RFCOMM sockets.
 *
 * This header is the whole interface between the rfsec kernel module and
 * userspace. It needs nothing but the C compiler.
 *
 * Sockets
 * =======
 *
 * socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFSEC) creates an rfsec socket.
 * Programs should read the protocol number from RFSEC_A_PROTO at run time
 * (see RFSEC_CMD_GET_INFO) rather than trust the value compiled in here.
 *
 * Generic netlink
 * ===============
 *
 * The module is controlled over generic netlink, family RFSEC_GENL_NAME,
 * version RFSEC_GENL_VERSION. Resolve the family id with CTRL_CMD_GETFAMILY;
 * the lookup loads the module if it is installed and not yet loaded.
 *
 * The family exists only in the initial network namespace, because Bluetooth
 * sockets exist only there. Requests are validated strictly: an unknown
 * attribute, an attribute of the wrong type, a non-zero reserved header field
 * or an unknown netlink flag is refused with EINVAL, with a message in the
 * extended ACK. Commands that change configuration will require
 * CAP_NET_ADMIN; those that only read harmless state may be sent by anyone.
 *
 * RFSEC_CMD_GET_INFO
 * ------------------
 *
 * Who may call it: anyone. It changes nothing and reveals nothing secret.
 *
 * Send it with NLM_F_REQUEST (NLM_F_ACK is welcome; NLM_F_DUMP is refused
 * with EOPNOTSUPP). The request needs no attributes. The kernel replies with
 * one message holding:
 *
 *    RFSEC_A_VERSION: NLA_NUL_STRING, the module version, e.g. "0.1.0"
 *    RFSEC_A_PROTO: NLA_U32, the protocol number to pass to socket(2)
 *    RFSEC_A_SOCKETS: NLA_U32, how many rfsec sockets exist right now
 *
 * Socket options
 * ==============
 *
 * Options of level SOL_RFSEC will be defined here together with the socket
 * layer. Until then setsockopt() and getsockopt() of any level other than
 * SOL_SOCKET fail with EOPNOTSUPP.
 */

#ifndef RFSEC_UAPI_RFSEC_H
#define RFSEC_UAPI_RFSEC_H

/*
 * The Bluetooth socket family has room for protocols 0 to 8 and every slot
 * but 7 is taken (L2CAP, HCI, SCO, RFCOMM, BNEP, CMTP, HIDP, ISO). Slot 7 is
 * reserved for AVDTP, which Linux never implemented in the kernel (BlueZ does
 * AVDTP in userspace over L2CAP), so it is free on every kernel we support.
 */
#define BTPROTO_RFSEC 7

#define RFSEC_GENL_NAME "rfsec"
#define RFSEC_GENL_VERSION 1

enum rfsec_cmd {
	RFSEC_CMD_UNSPEC,
	RFSEC_CMD_GET_INFO,
	__RFSEC_CMD_MAX
};

#define RFSEC_CMD_MAX (__RFSEC_CMD_MAX - 1)

enum rfsec_attr {
	RFSEC_A_UNSPEC,
	RFSEC_A_VERSION,	/* NUL-terminated string */
	RFSEC_A_PROTO,		/* u32, the BTPROTO number */
	RFSEC_A_SOCKETS,	/* u32, rfsec sockets that exist now */
	__RFSEC_A_MAX
};

#define RFSEC_A_MAX (__RFSEC_A_MAX - 1)

#endif /* RFSEC_UAPI_RFSEC_H */
