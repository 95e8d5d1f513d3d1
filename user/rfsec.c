// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec: configure end-to-end encrypted Bluetooth RFCOMM. This file only
 * finds the subcommand and runs it.
 */

#include "subcommands.h"
#include "version.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *summary;
} subcommands[] = {
	{ "version", version_main,
	  "show the versions of this tool and of the kernel module" },
	{ "run", run_main,
	  "run a program with its RFCOMM sockets made rfsec sockets" },
	{ "genkey", genkey_main, "print a new X25519 private key in base64" },
	{ "pubkey", pubkey_main,
	  "print the public key of a private key read on stdin" },
	{ "identity", identity_main,
	  "set, remove or show the identity keys of local adapters" },
	{ "peer", peer_main, "add, remove or list the peers of an identity" },
	{ "show", show_main, "show identities, peers and their statistics" },
	{ "monitor", monitor_main, "print the module's events as they happen" },
	{ "scan", scan_main, "find nearby Bluetooth devices and mark peers" },
	{ "adapters", adapters_main, "list the local Bluetooth adapters" },
	{ "save", save_main, "store the kernel's peers in the state directory" },
	{ "restore", restore_main,
	  "load identities and peers from the state directory" },
	{ "pair", pair_main,
	  "pair two adapters: exchange and confirm their public keys" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: rfsec <command> [<args>]\n\nCommands:\n");
	for (i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(out,
		"\nRun 'rfsec help <command>' or 'rfsec <command> --help' for the options\n"
		"of a command. Listing commands take -j (JSON) and -p (indented JSON).\n");
}

static int is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h") ||
	       !strcmp(arg, "help");
}

static int (*find(const char *name))(int, char **)
{
	size_t i;

	for (i = 0; i < N_SUBCOMMANDS; i++)
		if (!strcmp(name, subcommands[i].name))
			return subcommands[i].main;
	return NULL;
}

int main(int argc, char *argv[])
{
	int (*cmd)(int, char **);
	char *help_argv[3];

	if (argc < 2) {
		usage(stderr);
		return RFSEC_EXIT_USAGE;
	}
	/* "rfsec help CMD" is "rfsec CMD --help". */
	if (!strcmp(argv[1], "help") && argc == 3 && (cmd = find(argv[2]))) {
		help_argv[0] = argv[2];
		help_argv[1] = "--help";
		help_argv[2] = NULL;
		return cmd(2, help_argv);
	}
	if (is_help(argv[1]) && argc == 2) {
		usage(stdout);
		return RFSEC_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("rfsec tool %s\n", RFSEC_VERSION);
		return RFSEC_EXIT_OK;
	}

	cmd = find(argv[1]);
	if (cmd)
		return cmd(argc - 1, argv + 1);

	fprintf(stderr, "rfsec: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return RFSEC_EXIT_USAGE;
}
