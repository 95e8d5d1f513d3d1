/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place for differences between the kernels rfsec supports, Debian
 * 12's 6.1 and 6.12 lines. Code elsewhere is written against 6.12; when 6.1
 * lacks or spells an interface differently, the shim lives here, keyed on a
 * feature kernel/Kbuild finds in the headers, and no other file tests which
 * kernel it is built for.
 *
 * bt_sock_alloc(), and bt_accept_dequeue() handing back a reference the
 * caller drops, are the same on both (Debian's 6.1 has them through the
 * stable series).
 */

#ifndef RFSEC_COMPAT_H
#define RFSEC_COMPAT_H

#include <linux/net.h>
#include <net/sock.h>

/* The unaligned access helpers moved from asm/ to linux/ in 6.12. */
#ifdef RFSEC_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * proto_ops.accept takes a struct proto_accept_arg since 6.10 and
 * (int flags, bool kern) before. Kbuild tells which by looking for the
 * struct in the headers (RFSEC_HAVE_PROTO_ACCEPT_ARG); the accept op is
 * declared with RFSEC_ACCEPT_PARAMS(arg) and reads rfsec_accept_flags(arg).
 */
#ifdef RFSEC_HAVE_PROTO_ACCEPT_ARG
#define RFSEC_ACCEPT_PARAMS(arg)	struct proto_accept_arg *arg

static inline int rfsec_accept_flags(struct proto_accept_arg *arg)
{
	return arg->flags;
}
#else
#define RFSEC_ACCEPT_PARAMS(arg)	int arg, bool kern

static inline int rfsec_accept_flags(int flags)
{
	return flags;
}
#endif

#endif /* RFSEC_COMPAT_H */
