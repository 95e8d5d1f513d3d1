// SPDX-License-Identifier: GPL-2.0-only
/*
 * The state files (see state.h for the layout): where they are, who may
 * have written them, reading and writing. Reading is strict: a file that
 * does not parse is refused with its name and line and never rewritten or
 * applied in part. rfsec save and restore are in state.c.
 */

#define _GNU_SOURCE

#include "state.h"
#include "statefile.h"
#include "config.h"
#include "encoding.h"
#include "kconf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

/* A peers file longer than this is refused; the kernel allows 64 peers. */
#define STATE_MAX_PEERS 1024
#define STATE_MAX_LINE 512
#define STATE_IOBUF 4096

void state_peers_free(struct state_peers *l)
{
	if (l->v)
		explicit_bzero(l->v, l->n * sizeof(*l->v));
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

const char *state_dir(void)
{
	/* Not from the environment of a set-user-ID or file-capability run. */
	const char *env = secure_getenv("RFSEC_STATE_DIR");

	if (!env)
		return STATE_DEFAULT_DIR;
	return *env ? env : NULL;
}

int state_path(char *buf, const char *dir, const char *adapter,
		      const char *name)
{
	int n;

	if (name)
		n = snprintf(buf, PATH_MAX, "%s/%s/%s", dir, adapter, name);
	else if (adapter)
		n = snprintf(buf, PATH_MAX, "%s/%s", dir, adapter);
	else
		n = snprintf(buf, PATH_MAX, "%s", dir);
	if (n < 0 || n >= PATH_MAX) {
		fprintf(stderr, "rfsec: state path too long under %s\n", dir);
		return -1;
	}
	return 0;
}

/*
 * sshd's StrictModes for the state: what another user could have written
 * is refused, never applied. A file or folder must belong to root (or to
 * the user running the tool, who can change it anyway) and be writable by
 * neither its group nor others.
 */
static int state_check_trust(const char *path, const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		fprintf(stderr,
			"rfsec: %s belongs to uid %u, not to root; refused\n",
			path, (unsigned int)st->st_uid);
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		fprintf(stderr,
			"rfsec: %s is writable by %s (mode %04o; chmod go-w it); refused\n",
			path, st->st_mode & S_IWOTH ? "every user" : "its group",
			(unsigned int)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

/* A folder of the state, checked as above: 0, or -1 after printing. */
int state_check_dir(const char *path)
{
	struct stat st;

	if (stat(path, &st)) {
		fprintf(stderr, "rfsec: cannot read %s: %s; refused\n", path,
			strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "rfsec: %s is not a folder; refused\n", path);
		return -1;
	}
	return state_check_trust(path, &st);
}

/* A folder of mode 0700, made if missing; an existing one is checked. */
int state_mkdir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return state_check_trust(path, &st);
	if (errno == EEXIST)
		errno = ENOTDIR;
	fprintf(stderr, "rfsec: cannot create %s: %s\n", path, strerror(errno));
	return -1;
}

/*
 * Serialises the tool's changes to the state directory: an exclusive lock
 * on the directory itself. Returns the descriptor to close, or -1.
 */
int state_lock(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		fprintf(stderr, "rfsec: cannot open %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || state_check_trust(dir, &st)) {
		close(fd);
		return -1;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "rfsec: cannot lock %s: %s\n", dir,
				strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

void state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the lock */
}

/*
 * A temporary file that a crash left behind (the write it belonged to never
 * finished, and the file it was to replace is intact): removed, with a note.
 */
int state_remove_stale(const char *tmp)
{
	if (!unlink(tmp)) {
		fprintf(stderr,
			"rfsec: removed %s, left by an interrupted write\n",
			tmp);
		return 0;
	}
	if (errno == ENOENT)
		return 0;
	fprintf(stderr, "rfsec: cannot remove %s: %s\n", tmp,
		strerror(errno));
	return -1;
}

/*
 * Replaces @path atomically with what @write produces: a new file of mode
 * 0600 beside it, synced, renamed over it, and the folder synced. The
 * stream's buffer is ours, to be wiped: the file may hold keys.
 */
int state_write_atomic(const char *path, state_writer writer,
			      const void *ctx)
{
	char tmp[PATH_MAX], dir[PATH_MAX], buf[BUFSIZ];
	char *slash;
	FILE *f;
	int fd, dfd, ret = -1;

	/* One writer at a time (the directory lock): a fixed name will do. */
	if (snprintf(tmp, sizeof(tmp), "%s" STATE_TMP_SUFFIX, path) >=
	    (int)sizeof(tmp)) {
		fprintf(stderr, "rfsec: state path too long: %s\n", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 && errno == EEXIST && state_remove_stale(tmp) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			  O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "rfsec: cannot create %s: %s\n", tmp,
			strerror(errno));
		return -1;
	}
	f = fdopen(fd, "w");
	if (!f) {
		fprintf(stderr, "rfsec: %s: %s\n", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	if (writer(f, ctx) < 0 || fflush(f) || ferror(f) || fsync(fd)) {
		fprintf(stderr, "rfsec: cannot write %s: %s\n", tmp,
			strerror(errno));
		fclose(f);
		goto out;
	}
	if (fclose(f)) {
		fprintf(stderr, "rfsec: cannot write %s: %s\n", tmp,
			strerror(errno));
		goto out;
	}
	if (rename(tmp, path)) {
		fprintf(stderr, "rfsec: cannot rename %s to %s: %s\n", tmp,
			path, strerror(errno));
		goto out;
	}
	ret = 0;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	explicit_bzero(buf, sizeof(buf));
	if (ret)
		unlink(tmp);
	return ret;
}

/* Reading */

/*
 * Opens a state file for reading. Returns the stream, or NULL: with
 * *@missing set if it does not exist, else after printing why.
 */
static FILE *state_open(const char *path, bool *missing,
			char iobuf[STATE_IOBUF])
{
	struct stat st;
	FILE *f;
	int fd;

	*missing = false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		*missing = true;
		return NULL;
	}
	if (fd < 0) {
		fprintf(stderr, "rfsec: cannot read %s: %s; refused\n", path,
			strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		fprintf(stderr, "rfsec: cannot read %s: %s; refused\n", path,
			strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "rfsec: cannot read %s: %s; refused\n", path,
			S_ISDIR(st.st_mode) ? strerror(EISDIR) :
					      "not a regular file");
		close(fd);
		return NULL;
	}
	if (state_check_trust(path, &st)) {
		close(fd);
		return NULL;
	}
	if (st.st_mode & 077)
		fprintf(stderr,
			"rfsec: warning: %s is readable by others (mode %04o; chmod 600 it)\n",
			path, (unsigned int)(st.st_mode & 07777));
	f = fdopen(fd, "r");
	if (!f) {
		fprintf(stderr, "rfsec: cannot read %s: %s; refused\n", path,
			strerror(errno));
		close(fd);
		return NULL;
	}
	/* The caller's buffer, wiped after fclose(): the file holds keys. */
	setvbuf(f, iobuf, _IOFBF, STATE_IOBUF);
	return f;
}

/*
 * Reads one line into *@line (without its newline; getline() manages the
 * buffer). Returns 1 for a line, 0 at the end, -1 after printing why the
 * line is refused.
 */
static int state_getline(FILE *f, const char *path, unsigned int lineno,
			 char **line, size_t *cap)
{
	ssize_t n = getline(line, cap, f);

	if (n < 0) {
		if (ferror(f)) {
			fprintf(stderr, "rfsec: cannot read %s: %s; refused\n",
				path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (n && (*line)[n - 1] == '\n')
		(*line)[--n] = '\0';
	if (strlen(*line) != (size_t)n) {
		fprintf(stderr, "rfsec: %s:%u: NUL byte in the line; refused\n",
			path, lineno);
		return -1;
	}
	if (n >= STATE_MAX_LINE) {
		fprintf(stderr, "rfsec: %s:%u: line too long; refused\n", path,
			lineno);
		return -1;
	}
	return 1;
}

/* Wipes and frees a line buffer: lines may hold keys. */
static void state_free_line(char *line, size_t cap)
{
	if (line)
		explicit_bzero(line, cap);
	free(line);
}

/*
 * The identity file: one line, the base64 private key. Returns 0, 1 if
 * it does not exist, -1 after printing why it is refused.
 */
int state_read_identity(const char *path, uint8_t key[RFSEC_KEY_LEN])
{
	char *line = NULL, *s, *end, iobuf[STATE_IOBUF];
	size_t cap = 0;
	unsigned int lineno = 0, keys = 0;
	bool missing;
	FILE *f;
	int r, ret = -1;

	f = state_open(path, &missing, iobuf);
	if (!f)
		return missing ? 1 : -1;
	while ((r = state_getline(f, path, ++lineno, &line, &cap)) > 0) {
		for (s = line; isspace((unsigned char)*s); s++)
			;
		end = s + strlen(s);
		while (end > s && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!*s)
			continue;
		if (keys++) {
			fprintf(stderr,
				"rfsec: %s:%u: unexpected text after the key; refused\n",
				path, lineno);
			goto out;
		}
		if (!key_from_base64(key, s)) {
			fprintf(stderr,
				"rfsec: %s:%u: not a private key (32 bytes in base64); refused\n",
				path, lineno);
			goto out;
		}
	}
	if (r < 0)
		goto out;
	if (!keys) {
		fprintf(stderr, "rfsec: %s:1: no key in the file; refused\n",
			path);
		goto out;
	}
	ret = 0;
out:
	state_free_line(line, cap);
	if (ret)
		explicit_bzero(key, RFSEC_KEY_LEN);
	fclose(f);
	explicit_bzero(iobuf, sizeof(iobuf));
	return ret;
}

static int state_parse_peer_line(char *line, const char *path,
				 unsigned int lineno, struct state_peer *p)
{
	char *save = NULL, *word, *value;
	int v;

	memset(p, 0, sizeof(*p));
	p->line = lineno;
	word = strtok_r(line, " \t\r", &save);
	if (!config_addr_from_str(word, p->addr)) {
		fprintf(stderr,
			"rfsec: %s:%u: malformed peer address '%s' (expected XX:XX:XX:XX:XX:XX); refused\n",
			path, lineno, word);
		return -1;
	}
	while ((word = strtok_r(NULL, " \t\r", &save))) {
		value = strtok_r(NULL, " \t\r", &save);
		if (!value) {
			fprintf(stderr,
				"rfsec: %s:%u: '%s' needs a value; refused\n",
				path, lineno, word);
			return -1;
		}
		if (!strcmp(word, "public-key") && !p->has_public_key) {
			p->has_public_key = true;
			if (!key_from_base64(p->public_key, value))
				goto bad_key;
		} else if (!strcmp(word, "psk") && !p->has_psk) {
			p->has_psk = true;
			if (!key_from_base64(p->psk, value))
				goto bad_key;
		} else if (!strcmp(word, "policy") && !p->has_policy) {
			v = kconf_policy_parse(value);
			if (v < 0) {
				fprintf(stderr,
					"rfsec: %s:%u: unknown policy '%s'; refused\n",
					path, lineno, value);
				return -1;
			}
			p->has_policy = true;
			p->policy = (uint32_t)v;
		} else if (!strcmp(word, "cipher") && !p->has_cipher) {
			v = kconf_cipher_parse(value);
			if (v < 0) {
				fprintf(stderr,
					"rfsec: %s:%u: unknown cipher '%s'; refused\n",
					path, lineno, value);
				return -1;
			}
			p->has_cipher = true;
			p->cipher = (uint32_t)v;
		} else {
			fprintf(stderr,
				"rfsec: %s:%u: unexpected '%s' (public-key, psk, policy and cipher, each once); refused\n",
				path, lineno, word);
			return -1;
		}
	}
	if (!p->has_public_key &&
	    !(p->has_policy && p->policy == RFSEC_POLICY_ALLOW_PLAINTEXT)) {
		fprintf(stderr,
			"rfsec: %s:%u: a peer needs a public key unless its policy is allow-plaintext; refused\n",
			path, lineno);
		return -1;
	}
	if (p->has_psk && !p->has_public_key) {
		fprintf(stderr,
			"rfsec: %s:%u: a pre-shared key needs a public key; refused\n",
			path, lineno);
		return -1;
	}
	return 0;
bad_key:
	fprintf(stderr,
		"rfsec: %s:%u: bad %s (expected 32 bytes in base64); refused\n",
		path, lineno, word);
	return -1;
}

/*
 * The peers file into @l (empty if the file does not exist; *@exists
 * says which). Returns 0, or -1 after printing why it is refused.
 */
int state_read_peers(const char *path, struct state_peers *l,
			    bool *exists)
{
	char *line = NULL, dup[CONFIG_ADDR_STRLEN], *s, iobuf[STATE_IOBUF];
	size_t line_cap = 0;
	unsigned int lineno = 0;
	struct state_peer *grown;
	bool missing;
	size_t cap = 0, i;
	FILE *f;
	int r, ret = -1;

	l->v = NULL;
	l->n = 0;
	f = state_open(path, &missing, iobuf);
	if (exists)
		*exists = f != NULL;
	if (!f)
		return missing ? 0 : -1;
	while ((r = state_getline(f, path, ++lineno, &line, &line_cap)) > 0) {
		for (s = line; isspace((unsigned char)*s); s++)
			;
		if (!*s || *s == '#')
			continue;
		if (l->n == STATE_MAX_PEERS) {
			fprintf(stderr,
				"rfsec: %s:%u: more than %d peers; refused\n",
				path, lineno, STATE_MAX_PEERS);
			goto out;
		}
		if (l->n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = calloc(cap, sizeof(*grown));
			if (!grown) {
				fprintf(stderr, "rfsec: %s\n", strerror(errno));
				goto out;
			}
			if (l->n)
				memcpy(grown, l->v, l->n * sizeof(*grown));
			explicit_bzero(l->v, l->n * sizeof(*grown));
			free(l->v);
			l->v = grown;
		}
		if (state_parse_peer_line(s, path, lineno, &l->v[l->n]))
			goto out;
		for (i = 0; i < l->n; i++) {
			if (!memcmp(l->v[i].addr, l->v[l->n].addr,
				    RFSEC_ADDR_LEN)) {
				config_addr_str(dup, l->v[i].addr);
				fprintf(stderr,
					"rfsec: %s:%u: the peer %s is already on line %u; refused\n",
					path, lineno, dup, l->v[i].line);
				goto out;
			}
		}
		l->n++;
	}
	if (r == 0)
		ret = 0;
out:
	state_free_line(line, line_cap);
	if (ret)
		state_peers_free(l);
	fclose(f);
	explicit_bzero(iobuf, sizeof(iobuf));
	return ret;
}

/* Writing */

static int state_write_identity(FILE *f, const void *ctx)
{
	char b64[RFSEC_KEY_BASE64_LEN + 1];
	int ret;

	key_to_base64(b64, ctx);
	ret = fprintf(f, "%s\n", b64);
	explicit_bzero(b64, sizeof(b64));
	return ret < 0 ? -1 : 0;
}

int state_write_peers(FILE *f, const void *ctx)
{
	const struct state_peers_out *o = ctx;
	char b64[RFSEC_KEY_BASE64_LEN + 1], addr[CONFIG_ADDR_STRLEN];
	const struct state_peer *p;
	size_t i;

	fprintf(f,
		"# rfsec peers of the adapter %s, one per line:\n"
		"# ADDRESS [public-key BASE64] [psk BASE64] [policy require|allow-plaintext]\n"
		"#         [cipher chacha20-poly1305|aes-256-gcm]\n"
		"# Written by rfsec save and rfsec peer; read by rfsec restore.\n",
		o->adapter);
	for (i = 0; i < o->l->n; i++) {
		p = &o->l->v[i];
		config_addr_str(addr, p->addr);
		fputs(addr, f);
		if (p->has_public_key) {
			key_to_base64(b64, p->public_key);
			fprintf(f, " public-key %s", b64);
		}
		if (p->has_psk) {
			key_to_base64(b64, p->psk);
			fprintf(f, " psk %s", b64);
			explicit_bzero(b64, sizeof(b64));
		}
		if (p->has_policy)
			fprintf(f, " policy %s", kconf_policy_name(p->policy));
		if (p->has_cipher)
			fprintf(f, " cipher %s", kconf_cipher_name(p->cipher));
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

int state_store_identity(const uint8_t adapter[RFSEC_ADDR_LEN],
			 const uint8_t private_key[RFSEC_KEY_LEN])
{
	const char *dir = state_dir();
	char name[CONFIG_ADDR_STRLEN], path[PATH_MAX];
	int lock, ret = -1;

	if (!dir)
		return 0;
	config_addr_str(name, adapter);
	if (state_mkdir(dir))
		return -1;
	lock = state_lock(dir);
	if (lock < 0)
		return -1;
	if (!state_path(path, dir, name, NULL) && !state_mkdir(path) &&
	    !state_path(path, dir, name, STATE_IDENTITY))
		ret = state_write_atomic(path, state_write_identity,
					 private_key);
	state_unlock(lock);
	return ret;
}

int state_forget_identity(const uint8_t adapter[RFSEC_ADDR_LEN])
{
	static const char *const files[] = { STATE_IDENTITY, STATE_PEERS };
	const char *dir = state_dir();
	char name[CONFIG_ADDR_STRLEN], path[PATH_MAX];
	int lock, ret = 0;
	size_t i;

	if (!dir || access(dir, F_OK))
		return 0;
	config_addr_str(name, adapter);
	lock = state_lock(dir);
	if (lock < 0)
		return -1;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (state_path(path, dir, name, files[i]))
			ret = -1;
		else if (unlink(path) && errno != ENOENT) {
			fprintf(stderr, "rfsec: cannot remove %s: %s\n", path,
				strerror(errno));
			ret = -1;
		}
	}
	if (!ret && !state_path(path, dir, name, NULL) && rmdir(path) &&
	    errno != ENOENT) {
		fprintf(stderr, "rfsec: cannot remove %s: %s\n", path,
			strerror(errno));
		ret = -1;
	}
	state_unlock(lock);
	return ret;
}

/*
 * Changes @adapter's peers file: @p added or replaced, or the peer @addr
 * removed if @p is NULL. Nothing happens if the adapter has no folder.
 */
static int state_edit_peers(const uint8_t adapter[RFSEC_ADDR_LEN],
			    const struct state_peer *p,
			    const uint8_t addr[RFSEC_ADDR_LEN])
{
	const char *dir = state_dir();
	char name[CONFIG_ADDR_STRLEN], path[PATH_MAX];
	struct state_peers l = { NULL, 0 };
	struct state_peer *grown;
	struct state_peers_out o = { name, &l };
	struct stat st;
	bool exists;
	size_t i;
	int lock, ret = -1;

	if (!dir)
		return 0;
	config_addr_str(name, adapter);
	if (state_path(path, dir, name, NULL))
		return -1;
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return 0;
	if (state_check_trust(path, &st))
		return -1;
	lock = state_lock(dir);
	if (lock < 0)
		return -1;
	if (state_path(path, dir, name, STATE_PEERS) ||
	    state_read_peers(path, &l, &exists))
		goto out;
	for (i = 0; i < l.n; i++)
		if (!memcmp(l.v[i].addr, p ? p->addr : addr, RFSEC_ADDR_LEN))
			break;
	if (!p) {
		if (i == l.n) {
			ret = 0;
			goto out;
		}
		memmove(&l.v[i], &l.v[i + 1], (l.n - i - 1) * sizeof(*l.v));
		l.n--;
	} else if (i < l.n) {
		l.v[i] = *p;
	} else {
		grown = calloc(l.n + 1, sizeof(*grown));
		if (!grown) {
			fprintf(stderr, "rfsec: %s\n", strerror(errno));
			goto out;
		}
		if (l.n)
			memcpy(grown, l.v, l.n * sizeof(*grown));
		grown[l.n] = *p;
		state_peers_free(&l);
		l.v = grown;
		l.n = i + 1;
	}
	ret = state_write_atomic(path, state_write_peers, &o);
out:
	state_peers_free(&l);
	state_unlock(lock);
	return ret;
}

int state_store_peer(const uint8_t adapter[RFSEC_ADDR_LEN],
		     const struct state_peer *p)
{
	return state_edit_peers(adapter, p, NULL);
}

int state_forget_peer(const uint8_t adapter[RFSEC_ADDR_LEN],
		      const uint8_t addr[RFSEC_ADDR_LEN])
{
	return state_edit_peers(adapter, NULL, addr);
}

int state_find_peer(const uint8_t adapter[RFSEC_ADDR_LEN],
		    const uint8_t addr[RFSEC_ADDR_LEN], struct state_peer *p)
{
	const char *dir = state_dir();
	char name[CONFIG_ADDR_STRLEN], path[PATH_MAX];
	struct state_peers l = { NULL, 0 };
	size_t i;
	int lock, ret = 0;

	memset(p, 0, sizeof(*p));
	if (!dir || access(dir, F_OK))
		return 0;
	config_addr_str(name, adapter);
	lock = state_lock(dir);
	if (lock < 0)
		return -1;
	if (state_path(path, dir, name, STATE_PEERS) ||
	    state_read_peers(path, &l, NULL)) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		if (!memcmp(l.v[i].addr, addr, RFSEC_ADDR_LEN)) {
			*p = l.v[i];
			ret = 1;
			break;
		}
	}
out:
	state_peers_free(&l);
	state_unlock(lock);
	return ret;
}
