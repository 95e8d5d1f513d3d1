// SPDX-License-Identifier: GPL-2.0-only
/*
 * An RFCOMM client that makes its socket in one of the ways a program can,
 * for run_test.sh and run_apps.sh to check that `rfsec run` converts every
 * one of them or fails it, and never lets one through as plain RFCOMM. It
 * is built twice, dynamically and statically linked; it knows nothing of
 * rfsec.
 *
 *   run_client [-m HOW] probe            make a socket, report it
 *   run_client [-m HOW] connect LOCAL REMOTE CHANNEL BYTES
 *                                        echo BYTES through pybluez_echo.py
 *   run_client uring                     io_uring_setup()
 *   run_client bench-unix N              N x socket(AF_UNIX)+close(), timed
 *
 * HOW is how socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM) is made:
 *   libc        the C library's socket() (the default)
 *   syscall     syscall(SYS_socket, ...)
 *   int80       the i386 socket system call (359) through int $0x80
 *   socketcall  i386 socketcall(SYS_SOCKET, args) through int $0x80
 *   x32         the x32 socket system call (41 | __X32_SYSCALL_BIT)
 *
 * Output: "proto=P" (SO_PROTOCOL) or "errno=NAME" for the socket; connect
 * then prints "sent N bytes" and "echo intact" (exit 0) or why not (exit 1).
 * The data is (i * 31 + 7) mod 256 for byte i, which run_apps.sh hashes to
 * compare with what the server says it received.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/net.h>
#include <bluetooth/bluetooth.h>
#include <bluetooth/rfcomm.h>

/* BlueZ's str2ba(), without linking libbluetooth into the static build. */
static void parse_addr(const char *s, bdaddr_t *ba)
{
	unsigned int b[6] = { 0 };
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5]) != 6) {
		fprintf(stderr, "run_client: bad address '%s'\n", s);
		exit(2);
	}
	for (i = 0; i < 6; i++)
		ba->b[5 - i] = (uint8_t)b[i];
}

#define CHUNK 1000

static const char *errname(int err)
{
	switch (err) {
	case ENOSYS: return "ENOSYS";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	default: return strerror(err);
	}
}

#ifdef __x86_64__
/* An i386 system call from this 64-bit program: int $0x80 takes them. */
static long int80(long nr, long a, long b, long c)
{
	long ret;

	asm volatile("int $0x80"
		     : "=a"(ret)
		     : "a"(nr), "b"(a), "c"(b), "d"(c)
		     : "memory", "r8", "r9", "r10", "r11");
	return ret;
}
#endif

/* The socket, or -errno. */
static int make_socket(const char *how)
{
	long r;

	if (!strcmp(how, "libc")) {
		r = socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM);
		return r < 0 ? -errno : (int)r;
	}
	if (!strcmp(how, "syscall")) {
		r = syscall(SYS_socket, AF_BLUETOOTH, SOCK_STREAM,
			    BTPROTO_RFCOMM);
		return r < 0 ? -errno : (int)r;
	}
#ifdef __x86_64__
	if (!strcmp(how, "int80"))
		return (int)int80(359, AF_BLUETOOTH, SOCK_STREAM,
				  BTPROTO_RFCOMM);
	if (!strcmp(how, "socketcall")) {
		/* Its arguments in memory an i386 pointer can reach. */
		uint32_t *args = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
				      -1, 0);

		if (args == MAP_FAILED)
			return -errno;
		args[0] = AF_BLUETOOTH;
		args[1] = SOCK_STREAM;
		args[2] = BTPROTO_RFCOMM;
		return (int)int80(102, SYS_SOCKET, (long)(uintptr_t)args, 0);
	}
	if (!strcmp(how, "x32")) {
		r = syscall(41 | 0x40000000, AF_BLUETOOTH, SOCK_STREAM,
			    BTPROTO_RFCOMM);
		return r < 0 ? -errno : (int)r;
	}
#endif
	fprintf(stderr, "run_client: unknown way '%s'\n", how);
	exit(2);
}

static int report(int fd)
{
	int proto = -1;
	socklen_t len = sizeof(proto);

	if (fd < 0) {
		printf("errno=%s\n", errname(-fd));
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len))
		printf("getsockopt errno=%s\n", errname(errno));
	else
		printf("proto=%d\n", proto);
	fflush(stdout);
	return proto;
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 31 + 7);
}

static int echo(int fd, const char *local, const char *remote, int chan,
		size_t total)
{
	struct sockaddr_rc sa = { .rc_family = AF_BLUETOOTH };
	unsigned char out[CHUNK], in[CHUNK];
	size_t done = 0, n, got, i;
	ssize_t r;

	parse_addr(local, &sa.rc_bdaddr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		printf("bind: %s\n", strerror(errno));
		return 1;
	}
	parse_addr(remote, &sa.rc_bdaddr);
	sa.rc_channel = chan;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		printf("connect: %s\n", strerror(errno));
		return 1;
	}
	while (done < total) {
		n = total - done < CHUNK ? total - done : CHUNK;
		for (i = 0; i < n; i++)
			out[i] = pattern(done + i);
		if (write(fd, out, n) != (ssize_t)n) {
			printf("write: %s\n", strerror(errno));
			return 1;
		}
		for (got = 0; got < n; got += r) {
			r = read(fd, in + got, n - got);
			if (r <= 0) {
				printf("read after %zu bytes: %s\n", done + got,
				       r ? strerror(errno) : "end of stream");
				return 1;
			}
		}
		if (memcmp(in, out, n)) {
			printf("echo corrupted after %zu bytes\n", done);
			return 1;
		}
		done += n;
	}
	printf("sent %zu bytes\necho intact\n", done);
	return 0;
}

static int uring(void)
{
	unsigned char params[120];	/* struct io_uring_params */
	long r;

	memset(params, 0, sizeof(params));
	r = syscall(425, 1, params);	/* __NR_io_uring_setup */
	if (r < 0)
		printf("errno=%s\n", errname(errno));
	else
		printf("ring\n");
	return 0;
}

static int bench_unix(long n)
{
	struct timespec a, b;
	long i;
	int fd;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0) {
			printf("errno=%s\n", errname(errno));
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("ns_per_call=%.0f\n", ((b.tv_sec - a.tv_sec) * 1e9 +
				      (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}

int main(int argc, char **argv)
{
	const char *how = "libc";
	int fd, proto;

	if (argc > 2 && !strcmp(argv[1], "-m")) {
		how = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc == 2 && !strcmp(argv[1], "probe")) {
		report(make_socket(how));
		return 0;
	}
	if (argc == 6 && !strcmp(argv[1], "connect")) {
		fd = make_socket(how);
		proto = report(fd);
		if (proto < 0)
			return 1;
		return echo(fd, argv[2], argv[3], atoi(argv[4]),
			    strtoul(argv[5], NULL, 0));
	}
	if (argc == 2 && !strcmp(argv[1], "uring"))
		return uring();
	if (argc == 3 && !strcmp(argv[1], "bench-unix"))
		return bench_unix(atol(argv[2]));
	fprintf(stderr, "usage: see run_client.c\n");
	return 2;
}
