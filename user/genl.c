// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic netlink for the rfsec tool: family lookup, request and reply, and
 * error messages a user can act on.
 */

#define _DEFAULT_SOURCE

#include "genl.h"
#include "rfsec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

/* Large enough for any message the kernel sends, dumps included. */
#define RFSEC_GENL_RECV_SIZE 32768
/* Requests are small: a header and a few attributes. */
#define RFSEC_GENL_REQ_SIZE 4096

struct rfsec_genl {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	uint16_t family_id;
	/* The kernel's extended ACK message for the last error, if any. */
	char extack[256];
	char req[RFSEC_GENL_REQ_SIZE];
	char recv[RFSEC_GENL_RECV_SIZE];
};

/* What one rfsec_genl_call() hands to the libmnl callbacks. */
struct rfsec_genl_ctx {
	struct rfsec_genl *genl;
	mnl_cb_t reply_cb;
	void *data;
};

static void rfsec_genl_report(const struct rfsec_genl *genl, int err)
{
	/* Changes and reads of who is trusted alike need CAP_NET_ADMIN. */
	if (err == EPERM || err == EACCES)
		fprintf(stderr,
			"rfsec: permission denied (need CAP_NET_ADMIN; try sudo)\n");
	else if (genl->extack[0])
		fprintf(stderr, "rfsec: %s (kernel: %s)\n", strerror(err),
			genl->extack);
	else
		fprintf(stderr, "rfsec: %s\n", strerror(err));
}

static int rfsec_genl_extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct rfsec_genl *genl = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(genl->extack, sizeof(genl->extack), "%s",
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* The TLVs follow the echoed request, unless the kernel capped it. */
static void rfsec_genl_save_extack(struct rfsec_genl *genl,
				   const struct nlmsghdr *nlh,
				   const struct nlmsgerr *err)
{
	unsigned int offset = sizeof(*err);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += err->msg.nlmsg_len - sizeof(err->msg);
	if (mnl_nlmsg_size(offset) > nlh->nlmsg_len)
		return;
	mnl_attr_parse(nlh, offset, rfsec_genl_extack_attr_cb, genl);
}

static int rfsec_genl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rfsec_genl_ctx *ctx = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;	/* the ACK that ends a request */

	rfsec_genl_save_extack(ctx->genl, nlh, err);
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

/*
 * Ends a dump. A dump the kernel module refuses ends at once with an
 * NLMSG_DONE that carries the negative errno, and the extended ACK after it.
 */
static int rfsec_genl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rfsec_genl_ctx *ctx = data;
	int error;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(error)))
		return MNL_CB_STOP;	/* an old kernel's empty DONE */
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	if (!error)
		return MNL_CB_STOP;

	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    mnl_nlmsg_size(sizeof(error)) <= nlh->nlmsg_len)
		mnl_attr_parse(nlh, sizeof(error), rfsec_genl_extack_attr_cb,
			       ctx->genl);
	errno = error < 0 ? -error : error;
	return MNL_CB_ERROR;
}

static int rfsec_genl_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rfsec_genl_ctx *ctx = data;

	return ctx->reply_cb ? ctx->reply_cb(nlh, ctx->data) : MNL_CB_OK;
}

static struct nlmsghdr *rfsec_genl_put_header(struct rfsec_genl *genl,
					      uint16_t type, uint8_t cmd,
					      uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(genl->req);
	struct genlmsghdr *genlh;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++genl->seq;
	genlh = mnl_nlmsg_put_extra_header(nlh, sizeof(*genlh));
	genlh->cmd = cmd;
	genlh->version = version;
	return nlh;
}

/* Like rfsec_genl_call(), but returns a positive errno and prints nothing. */
static int rfsec_genl_exchange(struct rfsec_genl *genl, struct nlmsghdr *req,
			       mnl_cb_t reply_cb, void *data)
{
	static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR]	= rfsec_genl_error_cb,
		[NLMSG_DONE]	= rfsec_genl_done_cb,
	};
	struct rfsec_genl_ctx ctx = { genl, reply_cb, data };
	unsigned int seq = req->nlmsg_seq;
	ssize_t len;
	int ret;

	genl->extack[0] = '\0';
	if (mnl_socket_sendto(genl->nl, req, req->nlmsg_len) < 0)
		return errno;

	do {
		len = mnl_socket_recvfrom(genl->nl, genl->recv,
					  sizeof(genl->recv));
		if (len < 0)
			return errno;
		errno = 0;
		ret = mnl_cb_run2(genl->recv, len, seq, genl->portid,
				  rfsec_genl_reply_cb, &ctx, ctl_cbs,
				  MNL_ARRAY_SIZE(ctl_cbs));
	} while (ret > MNL_CB_STOP);

	if (ret < 0)
		return errno ? errno : EPROTO;	/* a callback gave no reason */
	return 0;
}

/* What one CTRL_CMD_GETFAMILY reply or nlctrl notification says. */
struct rfsec_genl_family_parse {
	struct rfsec_genl_family *f;
	const char *grp;	/* the multicast group wanted, or NULL */
};

static int rfsec_genl_grp_cb(const struct nlattr *attr, void *data)
{
	struct rfsec_genl_family_parse *fp = data;
	const struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			id = mnl_attr_get_u32(a);
	}
	if (name && fp->grp && !strcmp(name, fp->grp))
		fp->f->grp_id = id;
	return MNL_CB_OK;
}

static int rfsec_genl_family_attr_cb(const struct nlattr *attr, void *data)
{
	struct rfsec_genl_family_parse *fp = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			fp->f->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_FAMILY_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(fp->f->name, sizeof(fp->f->name), "%s",
				 mnl_attr_get_str(attr));
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, rfsec_genl_grp_cb, fp);
		break;
	}
	return MNL_CB_OK;
}

void rfsec_genl_parse_family(const struct nlmsghdr *nlh, const char *grp,
			     struct rfsec_genl_family *f)
{
	struct rfsec_genl_family_parse fp = { f, grp };

	memset(f, 0, sizeof(*f));
	if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(struct genlmsghdr)))
		mnl_attr_parse(nlh, sizeof(struct genlmsghdr),
			       rfsec_genl_family_attr_cb, &fp);
}

struct rfsec_genl_lookup_ctx {
	const char *grp;
	struct rfsec_genl_family *f;
};

static int rfsec_genl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rfsec_genl_lookup_ctx *ctx = data;

	rfsec_genl_parse_family(nlh, ctx->grp, ctx->f);
	return MNL_CB_OK;
}

/* The one family lookup: a positive errno (ENOENT: no such family). */
static int rfsec_genl_lookup(struct rfsec_genl *genl, const char *family,
			     const char *grp, struct rfsec_genl_family *f)
{
	struct rfsec_genl_lookup_ctx ctx = { grp, f };
	struct nlmsghdr *req;
	int err;

	memset(f, 0, sizeof(*f));
	req = rfsec_genl_put_header(genl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
				    1, 0);
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, family);
	err = rfsec_genl_exchange(genl, req, rfsec_genl_family_cb, &ctx);
	if (!err && (!f->id || (grp && !f->grp_id)))
		err = EPROTO;	/* a reply without what we asked for */
	return err;
}

static int rfsec_genl_resolve(struct rfsec_genl *genl)
{
	struct rfsec_genl_family f;
	int err = rfsec_genl_lookup(genl, RFSEC_GENL_NAME, NULL, &f);

	if (err == ENOENT) {
		fprintf(stderr,
			"rfsec: the rfsec kernel module is not loaded (try: modprobe rfsec)\n");
		return -1;
	}
	if (err) {
		rfsec_genl_report(genl, err);
		return -1;
	}
	genl->family_id = f.id;
	return 0;
}

/* Best effort: older kernels lack these, and errors are still reported. */
static void rfsec_genl_want_extack(struct rfsec_genl *genl)
{
	int one = 1;

	mnl_socket_setsockopt(genl->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(genl->nl, NETLINK_CAP_ACK, &one, sizeof(one));
}

static int rfsec_genl_connect(struct rfsec_genl *genl)
{
	genl->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!genl->nl) {
		fprintf(stderr, "rfsec: cannot open a netlink socket: %s\n",
			strerror(errno));
		return -1;
	}
	rfsec_genl_want_extack(genl);
	if (mnl_socket_bind(genl->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "rfsec: cannot bind the netlink socket: %s\n",
			strerror(errno));
		return -1;
	}
	genl->portid = mnl_socket_get_portid(genl->nl);
	genl->seq = (unsigned int)time(NULL);
	return 0;
}

struct rfsec_genl *rfsec_genl_open(void)
{
	struct rfsec_genl *genl = calloc(1, sizeof(*genl));

	if (!genl) {
		fprintf(stderr, "rfsec: %s\n", strerror(errno));
		return NULL;
	}
	if (rfsec_genl_connect(genl) || rfsec_genl_resolve(genl)) {
		rfsec_genl_close(genl);
		return NULL;
	}
	return genl;
}

int rfsec_genl_family(const char *family, const char *grp,
		      struct rfsec_genl_family *f)
{
	struct rfsec_genl *genl = calloc(1, sizeof(*genl));
	int err;

	if (!genl)
		return errno;
	if (rfsec_genl_connect(genl)) {
		rfsec_genl_close(genl);
		return EIO;
	}
	err = rfsec_genl_lookup(genl, family, grp, f);
	rfsec_genl_close(genl);
	return err;
}

void rfsec_genl_close(struct rfsec_genl *genl)
{
	if (!genl)
		return;
	if (genl->nl)
		mnl_socket_close(genl->nl);
	/* The request buffer carried keys; an error reply may echo one. */
	explicit_bzero(genl, sizeof(*genl));
	free(genl);
}

struct nlmsghdr *rfsec_genl_request(struct rfsec_genl *genl, uint8_t cmd,
				    uint16_t flags)
{
	return rfsec_genl_put_header(genl, genl->family_id, cmd,
				     RFSEC_GENL_VERSION, flags);
}

int rfsec_genl_call(struct rfsec_genl *genl, struct nlmsghdr *req,
		    mnl_cb_t reply_cb, void *data)
{
	int err = rfsec_genl_exchange(genl, req, reply_cb, data);

	if (err) {
		rfsec_genl_report(genl, err);
		return -1;
	}
	return 0;
}
