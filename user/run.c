// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec run: runs an unmodified program with librfsec-preload.so, so that
 * its RFCOMM sockets are rfsec sockets. It fails closed: when rfsec is not
 * available, or when the preload library could not reach the program (the
 * dynamic loader would skip it and the program would talk plaintext RFCOMM),
 * the program is not run at all.
 */

#define _GNU_SOURCE

#include "subcommands.h"
#include "rfsec.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#define RUN_PRELOAD_NAME "librfsec-preload.so"

/* Where an installed rfsec keeps the library, if not beside the tool. */
#ifndef RFSEC_PRELOAD_DIR
#define RFSEC_PRELOAD_DIR "/usr/local/lib/rfsec"
#endif

/* Exit codes of a program that could not be started, as the shell's. */
#define RUN_EXIT_CANNOT_EXEC 126
#define RUN_EXIT_NOT_FOUND 127

/* Linux follows at most this many "#!" interpreters (BINPRM_MAX_RECURSION). */
#define RUN_MAX_INTERP 4

/* What decides whether the dynamic loader will preload a library into it. */
struct run_elf {
	unsigned char class;	/* EI_CLASS */
	uint16_t machine;	/* e_machine */
	uint16_t type;		/* e_type */
	bool dynamic;		/* has PT_INTERP: started by the dynamic loader */
};

#define RUN_USAGE "Usage: rfsec run [--] PROGRAM [ARGS...]\n"

static void run_usage_error(void)
{
	fprintf(stderr, RUN_USAGE "Try 'rfsec run --help'.\n");
}

static void run_help(void)
{
	printf(RUN_USAGE "\n"
	       "Runs PROGRAM with the rfsec preload library, which turns every\n"
	       "socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM) it makes into an rfsec\n"
	       "socket: same addresses, same calls. (This release does not encrypt yet:\n"
	       "the record layer comes next.) Nothing ever falls back to plain RFCOMM:\n"
	       "if rfsec is not available PROGRAM is not run, and if it goes away while\n"
	       "PROGRAM runs, PROGRAM's RFCOMM socket() calls fail.\n\n"
	       "PROGRAM is refused when the preload library could not reach it: when it\n"
	       "is statically linked, built for another architecture, set-user-ID or\n"
	       "set-group-ID, or has file capabilities. Not covered either: sockets a\n"
	       "program makes by system call rather than through the C library (Go\n"
	       "programs, syscall(2), io_uring), and children it starts with LD_PRELOAD\n"
	       "removed from their environment.\n\n"
	       "Environment:\n"
	       "  RFSEC_PRELOAD        the preload library (default: %s beside\n"
	       "                       rfsec, else in %s)\n"
	       "  RFSEC_PRELOAD_DEBUG  1: PROGRAM reports each socket made an rfsec socket\n\n"
	       "Exit status: PROGRAM's; 1 if rfsec is not available or PROGRAM cannot be\n"
	       "protected, 2 for a wrong command line, 126 if PROGRAM cannot be run, 127\n"
	       "if it is not found.\n",
	       RUN_PRELOAD_NAME, RFSEC_PRELOAD_DIR);
}

/*
 * Reads the ELF header and program headers of @path. Returns 0, -1 with
 * errno set if it cannot be read, or 1 if it is not an ELF file.
 */
static int run_read_elf(const char *path, struct run_elf *elf)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph;
	unsigned int i;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	memset(&eh, 0, sizeof(eh));
	n = pread(fd, &eh, sizeof(eh), 0);
	if (n < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	if (n < EI_NIDENT + 4 || memcmp(eh.e_ident, ELFMAG, SELFMAG)) {
		close(fd);
		return 1;
	}

	/* e_type and e_machine sit at the same offsets in ELF32 and ELF64. */
	elf->class = eh.e_ident[EI_CLASS];
	elf->type = eh.e_type;
	elf->machine = eh.e_machine;
	elf->dynamic = false;
	if (elf->class == (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) &&
	    n == sizeof(eh) && eh.e_phentsize == sizeof(ph)) {
		for (i = 0; i < eh.e_phnum; i++) {
			if (pread(fd, &ph, sizeof(ph),
				  eh.e_phoff + (off_t)i * sizeof(ph)) !=
			    sizeof(ph))
				break;
			if (ph.p_type == PT_INTERP) {
				elf->dynamic = true;
				break;
			}
		}
	}
	close(fd);
	return 0;
}

/* If @path is a "#!" script, puts its interpreter into @interp. */
static void run_read_shebang(const char *path, char *interp, size_t len)
{
	char line[PATH_MAX + 8];
	size_t skip, end;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n < 2 || line[0] != '#' || line[1] != '!')
		return;
	line[n] = '\0';
	skip = 2 + strspn(line + 2, " \t");
	end = skip + strcspn(line + skip, " \t\n");
	if (end == skip || end - skip >= len)
		return;
	memcpy(interp, line + skip, end - skip);
	interp[end - skip] = '\0';
}

/*
 * Why the dynamic loader would ignore LD_PRELOAD for @path (it runs in
 * secure-execution mode when exec changes the process's credentials), or
 * NULL.
 */
static const char *run_why_secure_exec(const char *path, const struct stat *st)
{
	if ((st->st_mode & S_ISUID) && st->st_uid != getuid())
		return "is set-user-ID";
	if ((st->st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
	    st->st_gid != getgid())
		return "is set-group-ID";
	/* File capabilities raise the privileges of anyone but root. */
	if (getuid() != 0 && getxattr(path, "security.capability", NULL, 0) > 0)
		return "has file capabilities";
	return NULL;
}

/*
 * Checks one file that exec will load: NULL if the preload library reaches
 * it, else why not. Sets @interp to the interpreter of a script, else "".
 */
static const char *run_why_unreachable(const char *path,
				       const struct run_elf *lib,
				       char *interp, size_t len)
{
	struct run_elf elf;
	struct stat st;
	const char *why;
	int ret;

	interp[0] = '\0';
	ret = run_read_elf(path, &elf);
	if (ret < 0)	/* exec will say why, unless only reading is denied */
		return errno == EACCES ? "cannot be read to check it" : NULL;
	if (ret > 0) {
		/*
		 * Scripts (whose set-ID bits Linux ignores) and files execvp()
		 * hands to /bin/sh: what matters is the interpreter.
		 */
		run_read_shebang(path, interp, len);
		return NULL;
	}

	if (stat(path, &st))
		return NULL;
	why = run_why_secure_exec(path, &st);
	if (why)
		return why;
	if (elf.class != lib->class || elf.machine != lib->machine)
		return "is built for another architecture than the preload library";
	if (!elf.dynamic)
		return "is statically linked";
	return NULL;
}

/* Finds @prog the way execvp() will. Returns false if it is not there. */
static bool run_which(const char *prog, char *path, size_t len)
{
	const char *dirs = getenv("PATH");
	const char *dir, *end;
	struct stat st;
	int n;

	if (strchr(prog, '/')) {
		n = snprintf(path, len, "%s", prog);
		return n > 0 && (size_t)n < len;
	}
	if (!dirs)
		dirs = "/bin:/usr/bin";	/* execvp()'s default */
	for (dir = dirs; ; dir = end + 1) {
		end = strchrnul(dir, ':');
		n = end == dir ? snprintf(path, len, "%s", prog) :
			snprintf(path, len, "%.*s/%s", (int)(end - dir), dir,
				 prog);
		if (n > 0 && (size_t)n < len && !access(path, X_OK) &&
		    !stat(path, &st) && S_ISREG(st.st_mode))
			return true;
		if (!*end)
			return false;
	}
}

/*
 * Refuses a program that the preload library would not reach, so that it
 * cannot talk plaintext RFCOMM believing it is protected. Follows "#!"
 * interpreters as exec does. A program that is not found is left to
 * execvp() to report.
 */
static int run_check_program(const char *prog, const struct run_elf *lib)
{
	char path[PATH_MAX], interp[PATH_MAX];
	const char *why;
	int depth;

	if (!run_which(prog, path, sizeof(path)))
		return 0;
	for (depth = 0; depth <= RUN_MAX_INTERP; depth++) {
		why = run_why_unreachable(path, lib, interp, sizeof(interp));
		if (why) {
			fprintf(stderr,
				"rfsec run: %s %s, so the rfsec preload library cannot reach it and its RFCOMM sockets would be plaintext; not running %s\n",
				path, why, prog);
			return -1;
		}
		if (!interp[0])
			return 0;
		strcpy(path, interp);	/* both PATH_MAX */
	}
	return 0;
}

/*
 * The preload library: $RFSEC_PRELOAD, else beside the rfsec binary, else in
 * RFSEC_PRELOAD_DIR. The path is absolute, so a program that changes its
 * directory before exec'ing another still finds it.
 */
static int run_find_preload(char *path)
{
	const char *env = getenv("RFSEC_PRELOAD");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		if (realpath(env, path))
			return 0;
		fprintf(stderr, "rfsec run: RFSEC_PRELOAD=%s: %s\n", env,
			strerror(errno));
		return -1;
	}

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if (snprintf(path, PATH_MAX, "%s/%s", dirname(exe),
			     RUN_PRELOAD_NAME) < PATH_MAX &&
		    !access(path, R_OK))
			return 0;
	}
	snprintf(path, PATH_MAX, "%s/%s", RFSEC_PRELOAD_DIR, RUN_PRELOAD_NAME);
	if (!access(path, R_OK))
		return 0;
	fprintf(stderr,
		"rfsec run: cannot find %s beside the rfsec tool or in %s (set RFSEC_PRELOAD to its path)\n",
		RUN_PRELOAD_NAME, RFSEC_PRELOAD_DIR);
	return -1;
}

/*
 * The dynamic loader skips, with no more than a warning, a preload library
 * that it cannot load: check beforehand that it will load this one.
 */
static int run_check_preload(const char *path, struct run_elf *lib)
{
	int ret;

	/* LD_PRELOAD is split at spaces and colons. */
	if (strpbrk(path, " :")) {
		fprintf(stderr,
			"rfsec run: %s: LD_PRELOAD cannot name a path with a space or a colon\n",
			path);
		return -1;
	}
	ret = run_read_elf(path, lib);
	if (ret < 0) {
		fprintf(stderr, "rfsec run: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (ret > 0 || lib->type != ET_DYN) {
		fprintf(stderr, "rfsec run: %s is not a shared library\n",
			path);
		return -1;
	}
	return 0;
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

/* Puts @lib first in LD_PRELOAD, keeping whatever the user preloads. */
static int run_set_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *val;
	int ret;

	if (!old || !*old)
		return setenv("LD_PRELOAD", lib, 1);
	if (asprintf(&val, "%s:%s", lib, old) < 0)
		return -1;
	ret = setenv("LD_PRELOAD", val, 1);
	free(val);
	return ret;
}

int run_main(int argc, char *argv[])
{
	char lib_path[PATH_MAX];
	struct run_elf lib;
	int first = 1, err;

	if (argc > 1 && (!strcmp(argv[1], "--help") ||
			 !strcmp(argv[1], "-h"))) {
		run_help();
		return RFSEC_EXIT_OK;
	}
	if (argc > 1 && !strcmp(argv[1], "--"))
		first = 2;
	else if (argc > 1 && argv[1][0] == '-') {
		fprintf(stderr, "rfsec run: unknown option '%s'\n", argv[1]);
		run_usage_error();
		return RFSEC_EXIT_USAGE;
	}
	if (first >= argc) {
		run_usage_error();
		return RFSEC_EXIT_USAGE;
	}

	if (run_find_preload(lib_path) || run_check_preload(lib_path, &lib) ||
	    run_check_rfsec() || run_check_program(argv[first], &lib))
		return RFSEC_EXIT_FAILURE;
	if (run_set_preload(lib_path)) {
		fprintf(stderr, "rfsec run: cannot set LD_PRELOAD: %s\n",
			strerror(errno));
		return RFSEC_EXIT_FAILURE;
	}

	execvp(argv[first], argv + first);
	err = errno;
	fprintf(stderr, "rfsec run: %s: %s\n", argv[first], strerror(err));
	return err == ENOENT ? RUN_EXIT_NOT_FOUND : RUN_EXIT_CANNOT_EXEC;
}
