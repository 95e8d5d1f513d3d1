// SPDX-License-Identifier: GPL-2.0-only
/*
 * librfsec-preload.so: makes an unmodified program's RFCOMM sockets rfsec
 * sockets. Loaded with LD_PRELOAD (normally by `rfsec run`), it stands in
 * front of the C library's socket() and turns
 *
 *	socket(AF_BLUETOOTH, SOCK_STREAM [| SOCK_NONBLOCK | SOCK_CLOEXEC],
 *	       BTPROTO_RFCOMM)
 *
 * into the same call with BTPROTO_RFSEC. SOCK_RAW RFCOMM sockets, which carry
 * no data themselves but are how `rfcomm bind` asks for a plaintext RFCOMM
 * TTY, become rfsec SOCK_RAW sockets too, which refuse those TTY ioctls:
 * fail closed rather than let a TTY bypass rfsec. rfsec sockets take the same
 * addresses and calls as RFCOMM ones, so the program notices nothing else.
 * Every other socket() call is passed on untouched.
 *
 * It fails closed: when the rfsec socket cannot be created (the module is
 * missing, Bluetooth is down...) socket() fails with the kernel's errno and a
 * message on stderr, once per process. It never falls back to RFCOMM, which
 * would send the program's data in plaintext.
 *
 * What it cannot reach (see `rfsec run --help`): statically linked programs,
 * programs for which the dynamic loader ignores LD_PRELOAD (set-user-ID,
 * set-group-ID, file capabilities), and sockets made without the C
 * library's socket(): syscall(SYS_socket, ...), Go's runtime, io_uring's
 * IORING_OP_SOCKET, descriptors passed in from other processes. The C
 * library's own internal calls (getaddrinfo() and the like) use a private
 * alias and are not seen either; none of them makes RFCOMM sockets.
 *
 * Environment: RFSEC_PRELOAD_DEBUG=1 reports every socket it turns into an
 * rfsec socket on stderr.
 */

#define _GNU_SOURCE

#include "rfsec.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bluetooth/bluetooth.h>

#define RFSEC_EXPORT __attribute__((visibility("default")))

typedef int (*rfsec_socket_fn)(int domain, int type, int protocol);

/* Set once, under rfsec_preload_once, before any socket() is handled. */
static rfsec_socket_fn rfsec_next_socket;
static bool rfsec_preload_debug;
static pthread_once_t rfsec_preload_once = PTHREAD_ONCE_INIT;

/* Whether this process has said that it refused an RFCOMM socket. */
static atomic_bool rfsec_preload_warned;

static void rfsec_preload_init(void)
{
	const char *debug = getenv("RFSEC_PRELOAD_DEBUG");

	/* The next socket() in line: the C library's, or another preload's. */
	rfsec_next_socket = (rfsec_socket_fn)dlsym(RTLD_NEXT, "socket");
	rfsec_preload_debug = debug && !strcmp(debug, "1");
}

static int rfsec_preload_real_socket(int domain, int type, int protocol)
{
	if (rfsec_next_socket)
		return rfsec_next_socket(domain, type, protocol);
	/* No socket() after us (cannot happen with glibc): ask the kernel. */
	return (int)syscall(SYS_socket, domain, type, protocol);
}

static bool rfsec_preload_is_rfcomm(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	return domain == AF_BLUETOOTH && protocol == BTPROTO_RFCOMM &&
	       (base == SOCK_STREAM || base == SOCK_RAW);
}

/*
 * One write(2) of a whole line, past stdio: the program's own stderr buffer
 * and its lock are left alone.
 */
static void rfsec_preload_say(const char *line, int len)
{
	ssize_t ret;

	if (len <= 0)
		return;
	ret = write(STDERR_FILENO, line, (size_t)len);
	(void)ret;		/* nothing better to do if stderr is gone */
}

static void rfsec_preload_refused(int err)
{
	const char *why = strerrordesc_np(err);
	char line[160];

	if (atomic_exchange(&rfsec_preload_warned, true))
		return;
	rfsec_preload_say(line, snprintf(line, sizeof(line),
		"rfsec: cannot create an rfsec socket (%s); refusing plaintext RFCOMM\n",
		why ? why : "unknown error"));
}

RFSEC_EXPORT int socket(int domain, int type, int protocol)
{
	int saved_errno, fd;
	char line[96];

	pthread_once(&rfsec_preload_once, rfsec_preload_init);

	if (!rfsec_preload_is_rfcomm(domain, type, protocol))
		return rfsec_preload_real_socket(domain, type, protocol);

	fd = rfsec_preload_real_socket(domain, type, BTPROTO_RFSEC);
	saved_errno = errno;
	if (fd < 0)
		rfsec_preload_refused(saved_errno);
	else if (rfsec_preload_debug)
		rfsec_preload_say(line, snprintf(line, sizeof(line),
			"rfsec: RFCOMM socket made an rfsec socket (fd %d)\n",
			fd));
	errno = saved_errno;
	return fd;
}
