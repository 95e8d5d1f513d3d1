/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rfsec subcommands. Each lives in its own file and is entered like a
 * program: argv[0] is the subcommand's name, the return value the exit code.
 */

#ifndef RFSEC_USER_SUBCOMMANDS_H
#define RFSEC_USER_SUBCOMMANDS_H

enum rfsec_exit {
	RFSEC_EXIT_OK = 0,
	RFSEC_EXIT_FAILURE = 1,	/* the command could not be carried out */
	RFSEC_EXIT_USAGE = 2,	/* the command line was wrong */
};

int version_main(int argc, char *argv[]);
int run_main(int argc, char *argv[]);
int genkey_main(int argc, char *argv[]);
int pubkey_main(int argc, char *argv[]);
int identity_main(int argc, char *argv[]);
int peer_main(int argc, char *argv[]);
int show_main(int argc, char *argv[]);
int monitor_main(int argc, char *argv[]);
int scan_main(int argc, char *argv[]);
int save_main(int argc, char *argv[]);
int restore_main(int argc, char *argv[]);
int pair_main(int argc, char *argv[]);
int adapters_main(int argc, char *argv[]);

#endif /* RFSEC_USER_SUBCOMMANDS_H */
