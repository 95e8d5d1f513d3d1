// SPDX-License-Identifier: GPL-2.0
/*
 * The rfsec socket family: creating sockets, module auto-loading, and the
 * module being pinned while any rfsec socket exists.
 */
#include <fcntl.h>
#include <sys/syscall.h>

#include "util.h"
#include "kselftest_harness.h"

static int unload_rfsec(void)
{
	return syscall(__NR_delete_module, "rfsec", O_NONBLOCK) ? -errno : 0;
}

TEST(create_stream)
{
	int fd = socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFSEC);

	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	EXPECT_EQ(0, close(fd));
}

TEST(create_with_flags)
{
	int fd = socket(AF_BLUETOOTH, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			BTPROTO_RFSEC);

	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

/* Only stream sockets exist; RFCOMM answers the same for datagrams. */
TEST(create_dgram_rejected)
{
	int fd = socket(AF_BLUETOOTH, SOCK_DGRAM, BTPROTO_RFSEC);

	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ESOCKTNOSUPPORT, errno);
}

/* The first socket() loads the module through its bt-proto-7 alias. */
TEST(create_autoloads_module)
{
	int fd;

	if (util_module_loaded("rfsec"))
		ASSERT_EQ(0, unload_rfsec());
	ASSERT_FALSE(util_module_loaded("rfsec"));

	fd = socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFSEC);
	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	EXPECT_TRUE(util_module_loaded("rfsec"));
	close(fd);
}

TEST(module_pinned_while_socket_open)
{
	int fd = socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFSEC);
	int err;

	ASSERT_LE(0, fd);
	err = unload_rfsec();
	EXPECT_TRUE(err == -EWOULDBLOCK || err == -EBUSY)
		TH_LOG("delete_module with a socket open: %d", err);
	EXPECT_TRUE(util_module_loaded("rfsec"));
	close(fd);

	/* The last reference goes asynchronously with the socket's release. */
	for (int i = 0; i < 50 && (err = unload_rfsec()) == -EWOULDBLOCK; i++)
		usleep(20000);
	EXPECT_EQ(0, err);
	EXPECT_EQ(0, util_run("modprobe rfsec"));
}

TEST_HARNESS_MAIN
