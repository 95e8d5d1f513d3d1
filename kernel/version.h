/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one version number of rfsec, shared by the kernel module
 * (MODULE_VERSION, RFSEC_A_VERSION) and the rfsec tool.
 */

#ifndef RFSEC_VERSION_H
#define RFSEC_VERSION_H

#define RFSEC_VERSION "0.2.0"

#endif /* RFSEC_VERSION_H */
