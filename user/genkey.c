// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec genkey: a new X25519 private key. rfsec pubkey: the public key of
 * a private key. Both in base64, one key per line.
 */

#define _DEFAULT_SOURCE

#include "config.h"
#include "encoding.h"
#include "subcommands.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <openssl/evp.h>

static int genkey_usage(FILE *out, int ret)
{
	fprintf(out,
		"Usage: rfsec genkey\n\n"
		"Prints a new random X25519 private key in base64. Keep it secret:\n"
		"  umask 077; rfsec genkey > private.key\n");
	return ret;
}

static int pubkey_usage(FILE *out, int ret)
{
	fprintf(out,
		"Usage: rfsec pubkey < PRIVATE_KEY_FILE\n\n"
		"Reads an X25519 private key in base64 on standard input and prints\n"
		"its public key in base64:\n"
		"  rfsec pubkey < private.key > public.key\n");
	return ret;
}

int genkey_main(int argc, char *argv[])
{
	uint8_t key[RFSEC_KEY_LEN];
	char b64[RFSEC_KEY_BASE64_LEN + 1];
	size_t got = 0;
	ssize_t n;

	if (argc == 2 && config_is_help(argv[1]))
		return genkey_usage(stdout, RFSEC_EXIT_OK);
	if (argc != 1)
		return genkey_usage(stderr, RFSEC_EXIT_USAGE);

	while (got < sizeof(key)) {
		n = getrandom(key + got, sizeof(key) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "rfsec genkey: getrandom: %s\n",
				strerror(errno));
			return RFSEC_EXIT_FAILURE;
		}
		got += (size_t)n;
	}
	/* RFC 7748, section 5: clamp the scalar. */
	key[0] &= 248;
	key[31] &= 127;
	key[31] |= 64;

	key_to_base64(b64, key);
	explicit_bzero(key, sizeof(key));
	printf("%s\n", b64);
	explicit_bzero(b64, sizeof(b64));
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "rfsec genkey: cannot write the key: %s\n",
			strerror(errno));
		return RFSEC_EXIT_FAILURE;
	}
	return RFSEC_EXIT_OK;
}

int pubkey_main(int argc, char *argv[])
{
	uint8_t priv[RFSEC_KEY_LEN], pub[RFSEC_KEY_LEN];
	char b64[RFSEC_KEY_BASE64_LEN + 1];
	size_t pub_len = sizeof(pub);
	EVP_PKEY *pkey;
	int ret;

	if (argc == 2 && config_is_help(argv[1]))
		return pubkey_usage(stdout, RFSEC_EXIT_OK);
	if (argc != 1)
		return pubkey_usage(stderr, RFSEC_EXIT_USAGE);

	ret = config_read_key("private key", "-", priv);
	if (ret)
		return ret;
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
					    sizeof(priv));
	explicit_bzero(priv, sizeof(priv));
	if (!pkey || EVP_PKEY_get_raw_public_key(pkey, pub, &pub_len) != 1 ||
	    pub_len != sizeof(pub)) {
		fprintf(stderr,
			"rfsec pubkey: cannot derive the public key (OpenSSL)\n");
		EVP_PKEY_free(pkey);
		return RFSEC_EXIT_FAILURE;
	}
	EVP_PKEY_free(pkey);
	key_to_base64(b64, pub);
	printf("%s\n", b64);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "rfsec pubkey: cannot write the key: %s\n",
			strerror(errno));
		return RFSEC_EXIT_FAILURE;
	}
	return RFSEC_EXIT_OK;
}
