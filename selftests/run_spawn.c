// SPDX-License-Identifier: GPL-2.0-only
/*
 * run_spawn PROGRAM [ARGS...]: forks, execs PROGRAM in the child and exits
 * with its status, as a daemon or a launcher starts its workers. Under
 * `rfsec run` the child must be converted as the parent would be.
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: run_spawn PROGRAM [ARGS...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
