/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command line every subcommand shares: getopt_long with -h/--help
 * anywhere on the line, and for the listing commands -j/--json (compact)
 * and -p/--pretty (indented), as ip(8) has them.
 */

#ifndef RFSEC_USER_CLI_H
#define RFSEC_USER_CLI_H

#include <stdbool.h>

struct cli {
	bool help;
	bool json;
	bool pretty;	/* implies json */
	int first;	/* argv[first..argc) are the operands, in order */
};

/*
 * Parses @argv (argv[0] is the subcommand's name). @listing allows -j and
 * -p. Returns 0, or RFSEC_EXIT_USAGE after naming the bad option.
 */
int cli_parse(int argc, char *argv[], bool listing, struct cli *c);

/* The operands left after cli_parse(). */
static inline int cli_nargs(int argc, const struct cli *c)
{
	return argc - c->first;
}

#endif /* RFSEC_USER_CLI_H */
