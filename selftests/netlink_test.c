// SPDX-License-Identifier: GPL-2.0
/*
 * The rfsec generic netlink family: it resolves, and GET_INFO reports the
 * module's version, its protocol number and how many rfsec sockets exist.
 */
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "util.h"
#include "version.h"
#include "kselftest_harness.h"

struct info {
	char version[64];
	int proto;
	int sockets;
	int family;
};

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct info *info = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
		info->family = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int info_attr_cb(const struct nlattr *attr, void *data)
{
	struct info *info = data;

	switch (mnl_attr_get_type(attr)) {
	case RFSEC_A_VERSION:
		snprintf(info->version, sizeof(info->version), "%s",
			 mnl_attr_get_str(attr));
		break;
	case RFSEC_A_PROTO:
		info->proto = mnl_attr_get_u32(attr);
		break;
	case RFSEC_A_SOCKETS:
		info->sockets = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			      data);
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), info_attr_cb,
			      data);
}

/* One request, one reply; 0 or -errno. */
static int genl_call(struct mnl_socket *nl, int type, int cmd,
		     const char *family_name, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	unsigned int seq = time(NULL);
	int n;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	if (family_name)
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family_name);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		n = mnl_cb_run(buf, n, seq, mnl_socket_get_portid(nl), cb, data);
	} while (n > MNL_CB_STOP);
	return n < 0 ? -errno : 0;
}

FIXTURE(genl) {
	struct mnl_socket *nl;
	int family;
};

FIXTURE_SETUP(genl)
{
	struct info info = { 0 };

	self->nl = mnl_socket_open(NETLINK_GENERIC);
	ASSERT_NE(NULL, self->nl);
	ASSERT_EQ(0, mnl_socket_bind(self->nl, 0, MNL_SOCKET_AUTOPID));
	ASSERT_EQ(0, genl_call(self->nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
			       RFSEC_GENL_NAME, family_cb, &info));
	self->family = info.family;
}

FIXTURE_TEARDOWN(genl)
{
	mnl_socket_close(self->nl);
}

static int get_info(struct __test_metadata *_metadata,
		    FIXTURE_DATA(genl) *self, struct info *info)
{
	memset(info, 0, sizeof(*info));
	info->proto = -1;
	info->sockets = -1;
	EXPECT_EQ(0, genl_call(self->nl, self->family, RFSEC_CMD_GET_INFO,
			       NULL, info_cb, info));
	return 0;
}

TEST_F(genl, family_resolves)
{
	EXPECT_LT(GENL_MIN_ID - 1, self->family);
}

TEST_F(genl, info_reports_version_and_proto)
{
	struct info info;

	get_info(_metadata, self, &info);
	EXPECT_STREQ(RFSEC_VERSION, info.version);
	EXPECT_EQ(BTPROTO_RFSEC, info.proto);
}

TEST_F(genl, info_counts_sockets)
{
	struct info before, during, after;
	int fds[3];

	get_info(_metadata, self, &before);
	ASSERT_LE(0, before.sockets);
	for (int i = 0; i < 3; i++)
		ASSERT_LE(0, fds[i] = socket(AF_BLUETOOTH, SOCK_STREAM,
					     BTPROTO_RFSEC));
	get_info(_metadata, self, &during);
	EXPECT_EQ(before.sockets + 3, during.sockets);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	get_info(_metadata, self, &after);
	EXPECT_EQ(before.sockets, after.sockets);
}

TEST_F(genl, unknown_command_rejected)
{
	struct info info;

	EXPECT_EQ(-EOPNOTSUPP, genl_call(self->nl, self->family, 200, NULL,
					 info_cb, &info));
}

TEST_HARNESS_MAIN
