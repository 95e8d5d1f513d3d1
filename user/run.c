// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec run: runs an unmodified program so that every RFCOMM socket it, or
 * any process it starts, makes is an rfsec socket (supervise.c says how).
 *
 * The program keeps rfsec run's process: rfsec run installs the filter on
 * itself and execs the program, so its process ID, signals, terminal and
 * exit status are exactly the program's. The supervisor is forked before
 * the filter exists (its own sockets are not filtered), twice, so that it
 * is nobody's child the program could wait for, and in a session of its
 * own, so that the terminal's signals meant for the program do not reach
 * it. It ends when the last process under the filter has gone.
 *
 * Fails closed: without rfsec sockets the program is not run, and a socket
 * that cannot be converted fails with an errno, never as plain RFCOMM.
 */

#define _GNU_SOURCE

#include "subcommands.h"
#include "supervise.h"
#include "rfsec.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bluetooth/bluetooth.h>
#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* Exit codes of a program that could not be started, as the shell's. */
#define RUN_EXIT_CANNOT_EXEC 126
#define RUN_EXIT_NOT_FOUND 127

#define RUN_USAGE "Usage: rfsec run [-v] [--] PROGRAM [ARGS...]\n"

static void run_usage_error(void)
{
	fprintf(stderr, RUN_USAGE "Try 'rfsec run --help'.\n");
}

static void run_help(void)
{
	printf(RUN_USAGE "\n"
	       "Runs PROGRAM so that every socket(AF_BLUETOOTH, *, BTPROTO_RFCOMM) that it\n"
	       "or any process it starts makes is an rfsec socket: same addresses, same\n"
	       "calls, and every byte encrypted and authenticated with the keys of\n"
	       "'rfsec identity' and 'rfsec peer'. It works for any program: dynamically\n"
	       "or statically linked, Go, raw system calls, scripts and their children.\n"
	       "A seccomp filter that no process under it can remove hands those calls\n"
	       "to a supervisor process, which makes the rfsec sockets.\n\n"
	       "Nothing ever falls back to plain RFCOMM: if rfsec is not available\n"
	       "PROGRAM is not run, and an RFCOMM socket that cannot be made an rfsec\n"
	       "socket fails with the reason's errno. Refused under it: io_uring, and\n"
	       "i386 socketcall(SYS_SOCKET) (ENOSYS). PROGRAM and its children run\n"
	       "with no_new_privs: set-user-ID bits and file capabilities are ignored.\n\n"
	       "  -v, --verbose  report each socket made an rfsec socket on stderr\n\n"
	       "Exit status: PROGRAM's; 1 if rfsec is not available or PROGRAM cannot be\n"
	       "protected, 2 for a wrong command line, 126 if PROGRAM cannot be run, 127\n"
	       "if it is not found.\n");
}

/*
 * Whether rfsec sockets can be made: creating one also loads the module
 * (alias bt-proto-N) if it is installed and not loaded yet.
 */
static int run_check_rfsec(void)
{
	int fd = socket(AF_BLUETOOTH, SOCK_STREAM | SOCK_CLOEXEC,
			BTPROTO_RFSEC);

	if (fd < 0) {
		fprintf(stderr,
			"rfsec run: rfsec sockets are not available: %s; is the rfsec module installed? (modprobe rfsec)\n",
			strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* Whether this process is already under a seccomp filter. */
static bool run_filtered(void)
{
	char line[128];
	bool filtered = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Seccomp:", 8)) {
			filtered = atoi(line + 8) == SECCOMP_MODE_FILTER;
			break;
		}
	fclose(f);
	return filtered;
}

/*
 * Inside another rfsec run (a script that calls rfsec run), whose filter
 * already converts every RFCOMM socket here and forbids a second listener:
 * an RFCOMM socket made now comes out as an rfsec socket.
 */
static bool run_already_supervised(void)
{
	int proto = 0, fd;
	socklen_t len = sizeof(proto);

	if (!run_filtered())
		return false;
	fd = socket(AF_BLUETOOTH, SOCK_STREAM | SOCK_CLOEXEC, BTPROTO_RFCOMM);
	if (fd < 0)
		return false;
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len))
		proto = 0;
	close(fd);
	return proto == BTPROTO_RFSEC;
}

/* Closes every descriptor but the @n in @keep (ascending). */
static void run_close_all_but(const int *keep, int n)
{
	unsigned int from = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (keep[i] > (int)from)
			syscall(SYS_close_range, from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0);
}

static void run_sort3(int *a)
{
	int i, j, t;

	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			if (a[j] < a[i]) {
				t = a[i];
				a[i] = a[j];
				a[j] = t;
			}
}

/* A message of one byte, @byte, with room for one descriptor. */
struct run_fd_msg {
	char byte;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr msg;
};

static void run_fd_msg_init(struct run_fd_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->iov.iov_base = &m->byte;
	m->iov.iov_len = 1;
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->cbuf;
	m->msg.msg_controllen = sizeof(m->cbuf);
}

/*
 * The supervisor process: takes the listener from @sock, says so, and
 * answers notifications until nothing uses the filter.
 */
static int run_supervisor(int sock, int main_pidfd, int err_fd, bool verbose)
{
	struct supervisor sup = {
		.listener = -1,
		.main_pidfd = main_pidfd,
		.err_fd = err_fd,
		.verbose = verbose,
	};
	struct run_fd_msg m;
	struct cmsghdr *cmsg;
	int keep[3] = { sock, main_pidfd, err_fd }, null;

	/* Hold nothing of the program's: no pipe end, no directory. */
	run_sort3(keep);
	run_close_all_but(keep[0] < 0 ? keep + 1 : keep,
			  keep[0] < 0 ? 2 : 3);
	null = open("/dev/null", O_RDWR);
	if (null >= 0 && null != 0)
		dup2(null, 0);
	dup2(0, 1);
	dup2(0, 2);
	if (null > 2)
		close(null);
	if (chdir("/"))
		return 1;
	signal(SIGPIPE, SIG_IGN);

	/* Nothing comes (rfsec run failed before the filter): just leave. */
	run_fd_msg_init(&m);
	if (recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC) != 1)
		return 1;
	cmsg = CMSG_FIRSTHDR(&m.msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return 1;
	memcpy(&sup.listener, CMSG_DATA(cmsg), sizeof(int));
	if (write(sock, "", 1) != 1)
		return 1;
	close(sock);
	return supervise(&sup);
}

/* Hands the listener to the supervisor and waits until it has it. */
static int run_hand_over(int sock, int listener)
{
	struct run_fd_msg m;
	struct cmsghdr *cmsg;

	run_fd_msg_init(&m);
	cmsg = CMSG_FIRSTHDR(&m.msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &listener, sizeof(int));
	if (sendmsg(sock, &m.msg, MSG_NOSIGNAL) != 1)
		return -1;
	return read(sock, &m.byte, 1) == 1 ? 0 : -1;
}

/*
 * Starts the supervisor and puts this process under the filter, ready to
 * exec the program.
 */
static int run_supervise_self(bool verbose)
{
	int sock[2], main_pidfd, err_fd, status, listener, err;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock)) {
		fprintf(stderr, "rfsec run: socketpair: %s\n", strerror(errno));
		return -1;
	}
	/* Tells the supervisor when the program itself ends. */
	main_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	err_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (main_pidfd < 0) {
		fprintf(stderr, "rfsec run: pidfd_open: %s\n", strerror(errno));
		goto fail;
	}

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "rfsec run: fork: %s\n", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		close(sock[0]);
		if (setsid() < 0)
			_exit(1);
		pid = fork();
		if (pid != 0)
			_exit(pid < 0);
		_exit(run_supervisor(sock[1], main_pidfd, err_fd, verbose));
	}
	close(sock[1]);
	sock[1] = -1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "rfsec run: cannot start the supervisor\n");
		goto fail;
	}

	listener = supervise_install_filter();
	if (listener < 0) {
		err = errno;
		fprintf(stderr, "rfsec run: cannot install the seccomp filter: %s%s\n",
			strerror(err), err == EBUSY ?
			" (another seccomp supervisor, such as a container manager's, watches this process)" :
			"");
		goto fail;
	}
	if (run_hand_over(sock[0], listener)) {
		fprintf(stderr, "rfsec run: the supervisor did not start\n");
		close(listener);
		goto fail;
	}
	close(listener);
	close(sock[0]);
	close(main_pidfd);
	if (err_fd >= 0)
		close(err_fd);
	return 0;

fail:
	/* The supervisor, if started, sees the socket close and leaves. */
	close(sock[0]);
	if (sock[1] >= 0)
		close(sock[1]);
	if (main_pidfd >= 0)
		close(main_pidfd);
	if (err_fd >= 0)
		close(err_fd);
	return -1;
}

int run_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 }
	};
	bool verbose = false;
	int c, err;

	opterr = 0;
	/* "+": options end at PROGRAM, whose own options are its own. */
	while ((c = getopt_long(argc, argv, "+hv", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			run_help();
			return RFSEC_EXIT_OK;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr, "rfsec run: unknown option '%s'\n",
				argv[optind - 1]);
			run_usage_error();
			return RFSEC_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		run_usage_error();
		return RFSEC_EXIT_USAGE;
	}

	if (run_check_rfsec())
		return RFSEC_EXIT_FAILURE;
	if (!run_already_supervised() && run_supervise_self(verbose))
		return RFSEC_EXIT_FAILURE;

	execvp(argv[optind], argv + optind);
	err = errno;
	fprintf(stderr, "rfsec run: %s: %s\n", argv[optind], strerror(err));
	return err == ENOENT ? RUN_EXIT_NOT_FOUND : RUN_EXIT_CANNOT_EXEC;
}
