/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The seccomp side of `rfsec run`: the filter that sends a program's RFCOMM
 * socket() calls to a supervisor, and the supervisor that answers them with
 * rfsec sockets.
 */

#ifndef RFSEC_USER_SUPERVISE_H
#define RFSEC_USER_SUPERVISE_H

#include <stdbool.h>

/*
 * Sets NO_NEW_PRIVS and installs the filter on the calling thread, which
 * must be the process's only one. Returns the listener (the descriptor
 * the supervisor reads notifications from), or -1 with errno set.
 */
int supervise_install_filter(void);

struct supervisor {
	int listener;	/* from supervise_install_filter() */
	int main_pidfd;	/* the supervised program, or -1 */
	int err_fd;	/* where messages go while that program lives, or -1 */
	bool verbose;	/* report every socket made an rfsec socket */
};

/*
 * Answers notifications until no process uses the filter any more.
 * Returns the exit code for the supervisor process.
 */
int supervise(struct supervisor *sup);

#endif /* RFSEC_USER_SUPERVISE_H */
