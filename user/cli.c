// SPDX-License-Identifier: GPL-2.0-only
/*
 * Options shared by the subcommands. GNU getopt_long permutes, so an
 * option may come anywhere on the line ("rfsec peer add hci0 --help"),
 * "--opt=value" works, and "--" ends the options.
 */

#include "cli.h"
#include "subcommands.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cli_parse(int argc, char *argv[], bool listing, struct cli *c)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	c->help = c->json = c->pretty = false;
	optind = 0;	/* GNU: start over, also after an earlier parse */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, listing ? "hjp" : "h", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'h':
			c->help = true;
			break;
		case 'p':
			c->pretty = true;
			/* fall through */
		case 'j':
			c->json = true;
			if (listing)
				break;
			fprintf(stderr, "rfsec %s: unknown option '%s'\n",
				argv[0], argv[optind - 1]);
			return RFSEC_EXIT_USAGE;
		default:
			if (optopt && strncmp(argv[optind - 1], "--", 2))
				fprintf(stderr,
					"rfsec %s: unknown option '-%c'\n",
					argv[0], optopt);
			else
				fprintf(stderr,
					"rfsec %s: unknown option '%s'\n",
					argv[0], argv[optind - 1]);
			return RFSEC_EXIT_USAGE;
		}
	}
	c->first = optind;
	return 0;
}
