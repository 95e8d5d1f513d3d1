/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How the rfsec tool talks to the kernel module: generic netlink through
 * libmnl. Nothing else in the tool knows about sockets or sequence numbers.
 */

#ifndef RFSEC_USER_GENL_H
#define RFSEC_USER_GENL_H

#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

struct rfsec_genl;

/*
 * Open a connection and resolve the rfsec family. On failure, prints a
 * message the user can act on and returns NULL.
 */
struct rfsec_genl *rfsec_genl_open(void);

void rfsec_genl_close(struct rfsec_genl *genl);

/* A generic netlink family as nlctrl describes it. */
struct rfsec_genl_family {
	char name[GENL_NAMSIZ];
	uint16_t id;
	uint32_t grp_id;	/* of the group asked for; 0 if absent */
};

/*
 * Looks up @family and, if @grp is not NULL, its multicast group @grp, on
 * a connection of its own (so that a caller's subscribed socket loses no
 * event to the lookup). Returns 0, or a positive errno (ENOENT: no such
 * family); prints nothing.
 */
int rfsec_genl_family(const char *family, const char *grp,
		      struct rfsec_genl_family *f);

/* Parses a CTRL_CMD_GETFAMILY reply or an nlctrl notification into @f. */
void rfsec_genl_parse_family(const struct nlmsghdr *nlh, const char *grp,
			     struct rfsec_genl_family *f);

/*
 * Start a request for @cmd in the connection's buffer. @flags adds to
 * NLM_F_REQUEST | NLM_F_ACK (e.g. NLM_F_DUMP). The caller may append
 * attributes with mnl_attr_put_*() before rfsec_genl_call().
 */
struct nlmsghdr *rfsec_genl_request(struct rfsec_genl *genl, uint8_t cmd,
				    uint16_t flags);

/*
 * Send @req and feed every reply message to @reply_cb until the kernel's
 * ACK or NLMSG_DONE. @reply_cb returns MNL_CB_OK, or MNL_CB_ERROR with errno
 * set. Returns 0, or -1 after printing why it failed.
 */
int rfsec_genl_call(struct rfsec_genl *genl, struct nlmsghdr *req,
		    mnl_cb_t reply_cb, void *data);

#endif /* RFSEC_USER_GENL_H */
