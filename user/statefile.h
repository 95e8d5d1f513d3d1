/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The state files underneath state.h, for rfsec save and restore only:
 * paths, the trust checks, the directory lock, atomic writes and the
 * strict readers. Every function prints why it failed.
 */

#ifndef RFSEC_USER_STATEFILE_H
#define RFSEC_USER_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "state.h"

#define STATE_IDENTITY "identity"
#define STATE_PEERS "peers"
/* Beside the file it will replace, e.g. peers.tmp. */
#define STATE_TMP_SUFFIX ".tmp"

struct state_peers {
	struct state_peer *v;
	size_t n;
};

/* What state_write_peers() writes: @l as the peers of @adapter. */
struct state_peers_out {
	const char *adapter;
	const struct state_peers *l;
};

/* Wipes and frees the list. */
void state_peers_free(struct state_peers *l);

/* DIR[/ADAPTER[/NAME]] into @buf of PATH_MAX bytes; 0 or -1. */
int state_path(char *buf, const char *dir, const char *adapter,
	       const char *name);

/* An existing folder no other user could have written; 0 or -1. */
int state_check_dir(const char *path);

/* A folder of mode 0700, made if missing, else checked; 0 or -1. */
int state_mkdir(const char *path);

/* The exclusive lock on the state directory: a descriptor, or -1. */
int state_lock(const char *dir);
void state_unlock(int fd);

/* Removes a NAME.tmp a crash left, with a note; 0 or -1. */
int state_remove_stale(const char *tmp);

/* Writes a state file's content to @f; returns -1 on failure. */
typedef int (*state_writer)(FILE *f, const void *ctx);

/* Replaces @path atomically with what @writer writes; 0 or -1. */
int state_write_atomic(const char *path, state_writer writer,
		       const void *ctx);

/* The identity file: 0, 1 if it does not exist, -1 if refused. */
int state_read_identity(const char *path, uint8_t key[RFSEC_KEY_LEN]);

/* The peers file into @l (empty if missing, *@exists says); 0 or -1. */
int state_read_peers(const char *path, struct state_peers *l, bool *exists);

/* The state_writer of a peers file; @ctx is a struct state_peers_out. */
int state_write_peers(FILE *f, const void *ctx);

#endif /* RFSEC_USER_STATEFILE_H */
