// SPDX-License-Identifier: GPL-2.0-only
/*
 * The seccomp filter and the supervisor behind `rfsec run`.
 *
 * The filter, which every descendant of the supervised program inherits and
 * none can remove, sends socket(AF_BLUETOOTH, any type, BTPROTO_RFCOMM) to
 * the supervisor as a user notification (SECCOMP_RET_USER_NOTIF). The
 * supervisor makes an rfsec socket of the same type and flags and installs
 * it in the caller as the call's result (SECCOMP_IOCTL_NOTIF_ADDFD with
 * SECCOMP_ADDFD_FLAG_SEND). When it cannot, the call fails with an errno:
 * the kernel's RFCOMM code never sees it, so a program here can never get
 * a plain RFCOMM socket from socket(). Every other socket() is decided in
 * the filter and never reaches the supervisor.
 *
 * Other ways in, on x86-64 (arch/x86/entry/syscalls):
 * - x32 system calls (bit 30 of the number) are matched like x86-64's.
 * - i386 system calls, which a 64-bit program can make too (int $0x80):
 *   socket (359) is matched like x86-64's, its arguments are registers.
 *   socketcall (102) passes its arguments in memory, which a filter cannot
 *   read and a supervisor could read only to race the kernel's own read:
 *   socketcall(SYS_SOCKET) fails with ENOSYS, whatever the socket.
 * - io_uring_setup fails with ENOSYS: a ring makes sockets
 *   (IORING_OP_SOCKET) without a system call the filter would see.
 * - Any other architecture's system calls kill the process.
 */

#define _GNU_SOURCE

#include "supervise.h"
#include "rfsec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <endian.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/net.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bluetooth/bluetooth.h>

#if defined(__x86_64__)
#define SUP_AUDIT_ARCH AUDIT_ARCH_X86_64
#define SUP_X32_BIT 0x40000000u	/* __X32_SYSCALL_BIT */
#define SUP_I386_NR_SOCKETCALL 102u
#define SUP_I386_NR_SOCKET 359u
#define SUP_I386_NR_IO_URING_SETUP 425u
#elif defined(__aarch64__)
#define SUP_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__arm__) && defined(__ARM_EABI__)
#define SUP_AUDIT_ARCH AUDIT_ARCH_ARM
#else
/* Another architecture needs its own list of ways to make a socket. */
#error "rfsec run: no seccomp filter for this architecture yet"
#endif

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425	/* the same on every architecture */
#endif

/* Not in Debian 12's glibc headers, in both kernels' (6.0 and later). */
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* At most this many refusals are reported, so a loop cannot flood stderr. */
#define SUP_MAX_REPORTS 10

/*
 * The filter is written with named jump targets, resolved when it is
 * built: hand-counted BPF jump offsets are where such filters go wrong.
 */
enum sup_label {
	L_NEXT,		/* fall through to the next instruction */
	L_SOCKET,	/* socket(): args in registers */
	L_URING,
	L_ALLOW,
	L_KILL,
#ifdef SUP_X32_BIT
	L_I386,
	L_SOCKETCALL,
	L_NOSYS,
#endif
	L_RFCOMM_PROTO,
	L_NOTIFY,
	L_COUNT,
};

#define SUP_MAX_INSNS 40

struct sup_prog {
	struct sock_filter insn[SUP_MAX_INSNS];
	unsigned char jt[SUP_MAX_INSNS], jf[SUP_MAX_INSNS];	/* labels */
	int at[L_COUNT];	/* where each label is */
	unsigned int len;
};

static void sup_emit(struct sup_prog *p, uint16_t code, uint32_t k,
		     enum sup_label jt, enum sup_label jf)
{
	p->insn[p->len] = (struct sock_filter)BPF_STMT(code, k);
	p->jt[p->len] = jt;
	p->jf[p->len] = jf;
	p->len++;
}

static void sup_label(struct sup_prog *p, enum sup_label l)
{
	p->at[l] = p->len;
}

static void sup_load(struct sup_prog *p, uint32_t off)
{
	sup_emit(p, BPF_LD | BPF_W | BPF_ABS, off, L_NEXT, L_NEXT);
}

/* if (A == k) goto jt; else goto jf; */
static void sup_jeq(struct sup_prog *p, uint32_t k, enum sup_label jt,
		    enum sup_label jf)
{
	sup_emit(p, BPF_JMP | BPF_JEQ | BPF_K, k, jt, jf);
}

static void sup_ret(struct sup_prog *p, uint32_t action)
{
	sup_emit(p, BPF_RET | BPF_K, action, L_NEXT, L_NEXT);
}

/*
 * The low 32 bits of argument @n: socket() takes ints, so the kernel
 * ignores the high bits and so must the filter.
 */
static uint32_t sup_arg_lo(unsigned int n)
{
	return offsetof(struct seccomp_data, args) + 8 * n +
	       (__BYTE_ORDER == __LITTLE_ENDIAN ? 0 : 4);
}

static void sup_build(struct sup_prog *p)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	sup_load(p, offsetof(struct seccomp_data, arch));
#ifdef SUP_X32_BIT
	sup_jeq(p, SUP_AUDIT_ARCH, L_NEXT, L_I386);
#else
	sup_jeq(p, SUP_AUDIT_ARCH, L_NEXT, L_KILL);
#endif
	sup_load(p, offsetof(struct seccomp_data, nr));
	sup_jeq(p, __NR_socket, L_SOCKET, L_NEXT);
	sup_jeq(p, __NR_io_uring_setup, L_URING, L_NEXT);
#ifdef SUP_X32_BIT
	sup_jeq(p, __NR_socket | SUP_X32_BIT, L_SOCKET, L_NEXT);
	sup_jeq(p, __NR_io_uring_setup | SUP_X32_BIT, L_URING, L_ALLOW);

	sup_label(p, L_I386);
	sup_jeq(p, AUDIT_ARCH_I386, L_NEXT, L_KILL);
	sup_load(p, offsetof(struct seccomp_data, nr));
	sup_jeq(p, SUP_I386_NR_SOCKET, L_SOCKET, L_NEXT);
	sup_jeq(p, SUP_I386_NR_IO_URING_SETUP, L_URING, L_NEXT);
	sup_jeq(p, SUP_I386_NR_SOCKETCALL, L_SOCKETCALL, L_ALLOW);

	sup_label(p, L_SOCKETCALL);
	sup_load(p, sup_arg_lo(0));
	sup_jeq(p, SYS_SOCKET, L_NOSYS, L_ALLOW);
	sup_label(p, L_NOSYS);
	sup_ret(p, SECCOMP_RET_ERRNO | ENOSYS);
#else
	sup_ret(p, SECCOMP_RET_ALLOW);
#endif

	sup_label(p, L_SOCKET);
	sup_load(p, sup_arg_lo(0));
	sup_jeq(p, AF_BLUETOOTH, L_RFCOMM_PROTO, L_ALLOW);
	sup_label(p, L_RFCOMM_PROTO);
	sup_load(p, sup_arg_lo(2));
	sup_jeq(p, BTPROTO_RFCOMM, L_NOTIFY, L_ALLOW);
	sup_label(p, L_NOTIFY);
	sup_ret(p, SECCOMP_RET_USER_NOTIF);
	sup_label(p, L_ALLOW);
	sup_ret(p, SECCOMP_RET_ALLOW);
	sup_label(p, L_URING);
	sup_ret(p, SECCOMP_RET_ERRNO | ENOSYS);
	sup_label(p, L_KILL);
	sup_ret(p, SECCOMP_RET_KILL_PROCESS);

	/* Jumps are relative to the next instruction and only go forward. */
	for (i = 0; i < p->len; i++) {
		if (BPF_CLASS(p->insn[i].code) != BPF_JMP)
			continue;
		p->insn[i].jt = p->jt[i] == L_NEXT ? 0 : p->at[p->jt[i]] - i - 1;
		p->insn[i].jf = p->jf[i] == L_NEXT ? 0 : p->at[p->jf[i]] - i - 1;
	}
}

int supervise_install_filter(void)
{
	struct sup_prog p;
	struct sock_fprog prog;

	sup_build(&p);
	prog.len = p.len;
	prog.filter = p.insn;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	/*
	 * WAIT_KILLABLE_RECV: once the supervisor has the call, only a fatal
	 * signal interrupts it, so a program with frequent signals (Go's
	 * preemption, timers) is not sent round the restart loop forever.
	 */
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER |
			    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
}

struct sup_state {
	struct supervisor *sup;
	struct stat netns;	/* the supervisor's network namespace */
	unsigned int reports;
};

static void __attribute__((format(printf, 2, 3)))
sup_say(struct sup_state *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	if (s->sup->err_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* One write per line: it does not interleave with the program's. */
	if (write(s->sup->err_fd, line, n) < 0)
		return;
}

static void sup_refused(struct sup_state *s, const struct seccomp_notif *req,
			const char *comm, int err)
{
	/* A type RFCOMM refuses too is the program's error, not a refusal. */
	if (err == ESOCKTNOSUPPORT || err == EINVAL ||
	    s->reports >= SUP_MAX_REPORTS)
		return;
	s->reports++;
	sup_say(s, "rfsec run: %s[%u]: cannot make an rfsec socket (%s); refusing plaintext RFCOMM%s\n",
		comm, req->pid, strerror(err),
		s->reports == SUP_MAX_REPORTS ? " (further refusals not shown)" :
		"");
}

/* Fails the call with @err. The caller may be gone: that is not an error. */
static int sup_fail_call(struct sup_state *s, const struct seccomp_notif *req,
			 int err)
{
	struct seccomp_notif_resp resp = {
		.id = req->id,
		.error = -err,
	};

	if (ioctl(s->sup->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) &&
	    errno != ENOENT)
		return -1;
	return 0;
}

/*
 * Reads what the supervisor needs to know about the calling thread from
 * /proc: its name (for messages) and whether it is in the supervisor's
 * network namespace. Returns 0, or an errno the call should fail with.
 */
static int sup_inspect(struct sup_state *s, const struct seccomp_notif *req,
		       char *comm, size_t len)
{
	char path[64];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(comm, len, "?");
	snprintf(path, sizeof(path), "/proc/%u/comm", req->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, comm, len - 1);
		comm[n > 0 ? n : 0] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		close(fd);
	}
	/*
	 * Bluetooth sockets exist only in the initial network namespace; a
	 * caller that left the supervisor's must not get one through it.
	 */
	snprintf(path, sizeof(path), "/proc/%u/ns/net", req->pid);
	if (!req->pid || stat(path, &st))
		return EAFNOSUPPORT;
	if (st.st_dev != s->netns.st_dev || st.st_ino != s->netns.st_ino)
		return EAFNOSUPPORT;
	return 0;
}

/* Answers one socket(AF_BLUETOOTH, type, BTPROTO_RFCOMM). */
static int sup_answer(struct sup_state *s, const struct seccomp_notif *req)
{
	struct seccomp_notif_addfd addfd;
	int type = (int)req->data.args[1];
	char comm[32];
	int fd, ret, err;

	err = sup_inspect(s, req, comm, sizeof(comm));
	/*
	 * What /proc said is about req->pid only if that thread is still in
	 * this call: otherwise the number may belong to another process now.
	 */
	if (ioctl(s->sup->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id))
		return 0;
	if (err) {
		sup_refused(s, req, comm, err);
		return sup_fail_call(s, req, err);
	}

	/* The type's flags as asked; CLOEXEC here, the caller's below. */
	fd = socket(AF_BLUETOOTH, type | SOCK_CLOEXEC, BTPROTO_RFSEC);
	if (fd < 0) {
		err = errno;
		sup_refused(s, req, comm, err);
		return sup_fail_call(s, req, err);
	}
	memset(&addfd, 0, sizeof(addfd));
	addfd.id = req->id;
	addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
	addfd.srcfd = fd;
	addfd.newfd_flags = (type & SOCK_CLOEXEC) ? O_CLOEXEC : 0;
	ret = ioctl(s->sup->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
	err = errno;
	close(fd);	/* the caller's copy, if any, keeps the socket */
	if (ret >= 0) {
		if (s->sup->verbose)
			sup_say(s, "rfsec run: %s[%u]: RFCOMM socket made an rfsec socket (fd %d)\n",
				comm, req->pid, ret);
		return 0;
	}
	/* Gone, or interrupted: a restarted call comes as a new notification. */
	if (err == ENOENT)
		return 0;
	/* Not installed (the caller's descriptor limit...): the call fails. */
	sup_refused(s, req, comm, err);
	return sup_fail_call(s, req, err);
}

static int sup_handle(struct sup_state *s, const struct seccomp_notif *req)
{
	/* Only socket() is ever notified; anything else is a bug: refuse. */
	if ((int)req->data.args[0] != AF_BLUETOOTH ||
	    (int)req->data.args[2] != BTPROTO_RFCOMM)
		return sup_fail_call(s, req, ENOSYS);
	return sup_answer(s, req);
}

/*
 * When the supervised program itself ends, the supervisor lets go of its
 * stderr: a caller that reads the program's output to the end before
 * reaping it (Python's subprocess) would otherwise wait for the
 * supervisor, and the supervisor for the caller, since 6.1 releases the
 * filter (POLLHUP on the listener) only when the process is reaped.
 */
static void sup_main_exited(struct supervisor *sup)
{
	close(sup->main_pidfd);
	sup->main_pidfd = -1;
	if (sup->err_fd >= 0)
		close(sup->err_fd);
	sup->err_fd = -1;
}

int supervise(struct supervisor *sup)
{
	struct seccomp_notif_sizes sizes;
	struct sup_state s = { .sup = sup };
	struct seccomp_notif *req;
	struct pollfd pfd[2];
	size_t size;
	int n;

	if (stat("/proc/self/ns/net", &s.netns) ||
	    syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes))
		return 1;
	/* The kernel's structure may be larger than this program's. */
	size = sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif :
		sizeof(*req);
	req = malloc(size);
	if (!req)
		return 1;

	for (;;) {
		pfd[0] = (struct pollfd){ .fd = sup->listener, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = sup->main_pidfd, .events = POLLIN };
		n = poll(pfd, sup->main_pidfd >= 0 ? 2 : 1, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (sup->main_pidfd >= 0 && pfd[1].revents)
			sup_main_exited(sup);
		if (pfd[0].revents & POLLIN) {
			memset(req, 0, size);
			if (ioctl(sup->listener, SECCOMP_IOCTL_NOTIF_RECV, req)) {
				/* The caller went away before we read it. */
				if (errno == ENOENT || errno == EINTR)
					continue;
				break;
			}
			if (sup_handle(&s, req))
				break;
			continue;
		}
		/* No process uses the filter any more: nothing left to do. */
		if (pfd[0].revents & (POLLHUP | POLLERR)) {
			free(req);
			return 0;
		}
	}
	/*
	 * Exiting closes the listener: calls still to come then fail with
	 * ENOSYS, never plaintext.
	 */
	sup_say(&s, "rfsec run: the supervisor stopped: %s; RFCOMM sockets now fail\n",
		strerror(errno));
	free(req);
	return 1;
}
