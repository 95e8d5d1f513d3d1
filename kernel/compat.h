/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place for differences between the kernels rfsec supports, Debian
 * 12's 6.1 and 6.12 lines. Code elsewhere is written against 6.12; when 6.1
 * lacks or spells an interface differently, the shim lives here, keyed on
 * LINUX_VERSION_CODE, and no other file tests the kernel version.
 *
 * Nothing is needed yet: everything used so far, bt_sock_alloc() included
 * (Debian's 6.1 has it through the stable series), is the same on both. The
 * first shims are known: proto_ops.accept takes (int flags, bool kern) on 6.1
 * but a struct proto_accept_arg on 6.12, and 6.1 still has .sendpage.
 */

#ifndef RFSEC_COMPAT_H
#define RFSEC_COMPAT_H

#include <linux/version.h>

#endif /* RFSEC_COMPAT_H */
