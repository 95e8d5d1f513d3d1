// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec save and rfsec restore, on the state files of statefile.c.
 */

#define _GNU_SOURCE

#include "state.h"
#include "statefile.h"
#include "cli.h"
#include "config.h"
#include "genl.h"
#include "kconf.h"
#include "subcommands.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/genetlink.h>
#include <openssl/evp.h>

/* rfsec save */

static int state_public_key(const uint8_t priv[RFSEC_KEY_LEN],
			    uint8_t pub[RFSEC_KEY_LEN])
{
	size_t len = RFSEC_KEY_LEN;
	EVP_PKEY *pkey;
	int ret = -1;

	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
					    RFSEC_KEY_LEN);
	if (pkey && EVP_PKEY_get_raw_public_key(pkey, pub, &len) == 1 &&
	    len == RFSEC_KEY_LEN)
		ret = 0;
	EVP_PKEY_free(pkey);
	return ret;
}

/* Saves one identity's peers; 0, or -1 if anything was left out. */
static int state_save_one(const char *dir, const struct kconf_identity *id,
			  const struct kconf_peer *peers, size_t n_peers)
{
	uint8_t priv[RFSEC_KEY_LEN], pub[RFSEC_KEY_LEN];
	char name[CONFIG_ADDR_STRLEN], path[PATH_MAX], peer_name[CONFIG_ADDR_STRLEN];
	struct state_peers old = { NULL, 0 }, l = { NULL, 0 };
	struct state_peers_out o = { name, &l };
	const struct kconf_peer *kp;
	struct state_peer *p;
	size_t i, j;
	int r, ret = -1;

	config_addr_str(name, id->adapter);
	if (state_path(path, dir, name, STATE_IDENTITY))
		return -1;
	r = state_read_identity(path, priv);
	if (r > 0) {
		fprintf(stderr,
			"rfsec: %s: no stored private key for the identity of %s (the kernel cannot give it back): set it again with 'rfsec identity set'; not saved\n",
			path, name);
		return -1;
	}
	if (r < 0)
		return -1;
	r = state_public_key(priv, pub);
	explicit_bzero(priv, sizeof(priv));
	if (r || memcmp(pub, id->public_key, RFSEC_KEY_LEN)) {
		fprintf(stderr,
			"rfsec: %s: not the key the kernel has for %s (was it set by another tool?): set it again with 'rfsec identity set'; not saved\n",
			path, name);
		return -1;
	}

	if (state_path(path, dir, name, STATE_PEERS) ||
	    state_read_peers(path, &old, NULL)) {
		fprintf(stderr, "rfsec: %s left as it is; %s not saved\n",
			path, name);
		return -1;
	}
	l.v = calloc(n_peers ? n_peers : 1, sizeof(*l.v));
	if (!l.v) {
		fprintf(stderr, "rfsec: %s\n", strerror(errno));
		goto out;
	}
	ret = 0;
	for (i = 0; i < n_peers; i++) {
		kp = &peers[i];
		if (memcmp(kp->adapter, id->adapter, RFSEC_ADDR_LEN))
			continue;
		p = &l.v[l.n++];
		memcpy(p->addr, kp->addr, RFSEC_ADDR_LEN);
		p->has_public_key = kp->has_public_key;
		memcpy(p->public_key, kp->public_key, RFSEC_KEY_LEN);
		p->has_policy = true;
		p->policy = kp->policy;
		p->has_cipher = kp->has_cipher &&
				kconf_cipher_name(kp->cipher);
		p->cipher = kp->cipher;
		if (!kp->has_psk)
			continue;
		/* The kernel never gives a psk back: the old file's. */
		for (j = 0; j < old.n; j++)
			if (!memcmp(old.v[j].addr, kp->addr, RFSEC_ADDR_LEN))
				break;
		if (j < old.n && old.v[j].has_psk &&
		    old.v[j].has_public_key == kp->has_public_key &&
		    !memcmp(old.v[j].public_key, kp->public_key,
			    RFSEC_KEY_LEN)) {
			p->has_psk = true;
			memcpy(p->psk, old.v[j].psk, RFSEC_KEY_LEN);
			continue;
		}
		config_addr_str(peer_name, kp->addr);
		fprintf(stderr,
			"rfsec: %s: the peer %s has a pre-shared key that was not set with 'rfsec peer', so it is unknown: saved without it; set it again with 'rfsec peer set ... psk FILE'\n",
			path, peer_name);
		ret = -1;
	}
	if (state_write_atomic(path, state_write_peers, &o))
		ret = -1;
	else
		printf("saved %s: identity and %zu peer%s\n", name, l.n,
		       l.n == 1 ? "" : "s");
out:
	state_peers_free(&old);
	state_peers_free(&l);
	return ret;
}

static int state_usage(const char *cmd, FILE *out, int ret)
{
	fprintf(out,
		"Usage: rfsec %s\n\n"
		"save     writes the peers of every identity in the kernel to the state\n"
		"         directory (the identities' private keys are stored when they are\n"
		"         set, as are pre-shared keys: the kernel gives neither back)\n"
		"restore  sets every identity and peer stored in the state directory;\n"
		"         a file that does not parse is refused, and nothing of its\n"
		"         adapter is applied\n\n"
		"State directory: $RFSEC_STATE_DIR, else %s; one folder per adapter,\n"
		"named by its address, with the files 'identity' and 'peers'. Both need\n"
		"root (CAP_NET_ADMIN and the right to write the directory). A file or\n"
		"folder there that another user could have written (not owned by root,\n"
		"or writable by its group or others) is refused, named, and nothing of\n"
		"it is applied; a NAME.tmp left by an interrupted write is removed.\n\n"
		"Exit status: 0, 1 if anything was not saved or restored, 2 for a wrong\n"
		"command line.\n",
		cmd, STATE_DEFAULT_DIR);
	return ret;
}

int save_main(int argc, char *argv[])
{
	struct kconf_identity *ids = NULL;
	struct kconf_peer *peers = NULL;
	size_t n_ids = 0, n_peers = 0, i;
	struct rfsec_genl *genl;
	const char *dir;
	struct cli c;
	int lock, ret = RFSEC_EXIT_OK;

	if (cli_parse(argc, argv, false, &c) || cli_nargs(argc, &c))
		return state_usage("save", stderr, RFSEC_EXIT_USAGE);
	if (c.help)
		return state_usage("save", stdout, RFSEC_EXIT_OK);
	dir = state_dir();
	if (!dir) {
		fprintf(stderr,
			"rfsec: RFSEC_STATE_DIR is empty: storing state is turned off\n");
		return RFSEC_EXIT_FAILURE;
	}
	genl = rfsec_genl_open();
	if (!genl)
		return RFSEC_EXIT_FAILURE;
	if (kconf_dump_identities(genl, NULL, &ids, &n_ids) ||
	    kconf_dump_peers(genl, NULL, &peers, &n_peers)) {
		ret = RFSEC_EXIT_FAILURE;
		goto out;
	}
	if (state_mkdir(dir)) {
		ret = RFSEC_EXIT_FAILURE;
		goto out;
	}
	lock = state_lock(dir);
	if (lock < 0) {
		ret = RFSEC_EXIT_FAILURE;
		goto out;
	}
	for (i = 0; i < n_ids; i++)
		if (state_save_one(dir, &ids[i], peers, n_peers))
			ret = RFSEC_EXIT_FAILURE;
	state_unlock(lock);
	if (!n_ids)
		printf("no identities in the kernel: nothing to save\n");
out:
	free(ids);
	free(peers);
	rfsec_genl_close(genl);
	fflush(stdout);
	return ret;
}

/* rfsec restore */

struct state_adapter {
	char name[CONFIG_ADDR_STRLEN];
	uint8_t addr[RFSEC_ADDR_LEN];
	uint8_t key[RFSEC_KEY_LEN];
	char peers_path[PATH_MAX];
	struct state_peers peers;
	bool valid;
};

/* The temporary files a crash left in an adapter's folder, removed. */
static int state_clean_adapter(const char *dir, const char *name)
{
	static const char *const files[] = { STATE_IDENTITY, STATE_PEERS };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (state_path(path, dir, name, files[i]) ||
		    strlen(path) + sizeof(STATE_TMP_SUFFIX) > sizeof(path))
			return -1;
		strcat(path, STATE_TMP_SUFFIX);
		if (state_remove_stale(path))
			return -1;
	}
	return 0;
}

/* Reads and checks one adapter's folder; applies nothing. */
static int state_load_adapter(const char *dir, struct state_adapter *a)
{
	char path[PATH_MAX];
	int r;

	if (state_path(path, dir, a->name, NULL))
		return -1;
	if (state_check_dir(path))
		goto refused;
	if (state_clean_adapter(dir, a->name))
		goto refused;
	if (state_path(path, dir, a->name, STATE_IDENTITY))
		return -1;
	r = state_read_identity(path, a->key);
	if (r > 0)
		fprintf(stderr, "rfsec: %s: missing; refused\n", path);
	if (r)
		goto refused;
	if (state_path(a->peers_path, dir, a->name, STATE_PEERS) ||
	    state_read_peers(a->peers_path, &a->peers, NULL))
		goto refused;
	a->valid = true;
	return 0;
refused:
	fprintf(stderr, "rfsec: nothing of %s/%s restored\n", dir, a->name);
	explicit_bzero(a->key, sizeof(a->key));
	return -1;
}

static int state_apply_adapter(struct rfsec_genl *genl,
			       struct state_adapter *a)
{
	const struct state_peer *p;
	struct nlmsghdr *req;
	size_t i, done = 0;
	int ret = 0;

	req = rfsec_genl_request(genl, RFSEC_CMD_SET_IDENTITY, 0);
	mnl_attr_put(req, RFSEC_A_ADAPTER, RFSEC_ADDR_LEN, a->addr);
	mnl_attr_put(req, RFSEC_A_PRIVATE_KEY, RFSEC_KEY_LEN, a->key);
	if (rfsec_genl_call(genl, req, NULL, NULL)) {
		fprintf(stderr,
			"rfsec: the kernel refused the identity of %s; its peers are not restored\n",
			a->name);
		explicit_bzero(req, req->nlmsg_len);
		return -1;
	}
	explicit_bzero(req, req->nlmsg_len);
	for (i = 0; i < a->peers.n; i++) {
		p = &a->peers.v[i];
		req = rfsec_genl_request(genl, RFSEC_CMD_SET_PEER, 0);
		mnl_attr_put(req, RFSEC_A_ADAPTER, RFSEC_ADDR_LEN, a->addr);
		mnl_attr_put(req, RFSEC_A_PEER_ADDR, RFSEC_ADDR_LEN, p->addr);
		if (p->has_public_key)
			mnl_attr_put(req, RFSEC_A_PEER_PUBLIC_KEY,
				     RFSEC_KEY_LEN, p->public_key);
		if (p->has_psk)
			mnl_attr_put(req, RFSEC_A_PEER_PSK, RFSEC_KEY_LEN,
				     p->psk);
		if (p->has_policy)
			mnl_attr_put_u32(req, RFSEC_A_PEER_POLICY, p->policy);
		if (p->has_cipher)
			mnl_attr_put_u32(req, RFSEC_A_PEER_CIPHER, p->cipher);
		if (rfsec_genl_call(genl, req, NULL, NULL)) {
			fprintf(stderr,
				"rfsec: %s:%u: the kernel refused this peer\n",
				a->peers_path, p->line);
			ret = -1;
		} else {
			done++;
		}
		explicit_bzero(req, req->nlmsg_len);
	}
	printf("restored %s: identity and %zu peer%s\n", a->name, done,
	       done == 1 ? "" : "s");
	return ret;
}

static int state_filter_dirs(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int restore_main(int argc, char *argv[])
{
	struct state_adapter *adapters = NULL;
	struct rfsec_genl *genl = NULL;
	struct dirent **names = NULL;
	char path[PATH_MAX];
	const char *dir;
	struct stat st;
	struct cli c;
	int n = 0, i, k = 0, lock = -1, ret = RFSEC_EXIT_OK;

	if (cli_parse(argc, argv, false, &c) || cli_nargs(argc, &c))
		return state_usage("restore", stderr, RFSEC_EXIT_USAGE);
	if (c.help)
		return state_usage("restore", stdout, RFSEC_EXIT_OK);
	dir = state_dir();
	if (!dir) {
		fprintf(stderr,
			"rfsec: RFSEC_STATE_DIR is empty: storing state is turned off\n");
		return RFSEC_EXIT_FAILURE;
	}
	if (access(dir, F_OK)) {
		fprintf(stderr, "rfsec: nothing to restore: %s: %s\n", dir,
			strerror(errno));
		return RFSEC_EXIT_FAILURE;
	}
	lock = state_lock(dir);
	if (lock < 0)
		return RFSEC_EXIT_FAILURE;
	n = scandir(dir, &names, state_filter_dirs, alphasort);
	if (n < 0) {
		fprintf(stderr, "rfsec: cannot read %s: %s\n", dir,
			strerror(errno));
		ret = RFSEC_EXIT_FAILURE;
		goto out;
	}
	adapters = calloc(n ? n : 1, sizeof(*adapters));
	if (!adapters) {
		fprintf(stderr, "rfsec: %s\n", strerror(errno));
		ret = RFSEC_EXIT_FAILURE;
		goto out;
	}

	/* Everything is read and checked before anything is applied. */
	for (i = 0; i < n; i++) {
		struct state_adapter *a = &adapters[k];

		if (state_path(path, dir, names[i]->d_name, NULL))
			continue;
		if (stat(path, &st) || !S_ISDIR(st.st_mode) ||
		    !config_addr_from_str(names[i]->d_name, a->addr)) {
			fprintf(stderr,
				"rfsec: warning: %s is not an adapter's folder (XX:XX:XX:XX:XX:XX); skipped\n",
				path);
			continue;
		}
		/* 17 characters: config_addr_from_str() checked. */
		memcpy(a->name, names[i]->d_name, sizeof(a->name) - 1);
		a->name[sizeof(a->name) - 1] = '\0';
		k++;
		if (state_load_adapter(dir, a))
			ret = RFSEC_EXIT_FAILURE;
	}
	if (!k)
		printf("no adapters in %s: nothing to restore\n", dir);

	for (i = 0; i < k; i++) {
		if (!adapters[i].valid)
			continue;
		if (!genl) {
			genl = rfsec_genl_open();
			if (!genl) {
				ret = RFSEC_EXIT_FAILURE;
				break;
			}
		}
		if (state_apply_adapter(genl, &adapters[i]))
			ret = RFSEC_EXIT_FAILURE;
	}
out:
	for (i = 0; i < k; i++) {
		explicit_bzero(adapters[i].key, RFSEC_KEY_LEN);
		state_peers_free(&adapters[i].peers);
	}
	free(adapters);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	rfsec_genl_close(genl);
	state_unlock(lock);
	fflush(stdout);
	return ret;
}
