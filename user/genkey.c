// SPDX-License-Identifier: GPL-2.0-only
/*
 * rfsec genkey: a new X25519 private key. rfsec pubkey: the public key of
 * a private key. Both in base64, one key per line.
 */

#define _DEFAULT_SOURCE

#include "cli.h"
#include "config.h"
#include "encoding.h"
#include "subcommands.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <openssl/evp.h>

static int genkey_usage(FILE *out, int ret)
{
	fprintf(out,
		"Usage: rfsec genkey\n\n"
		"Prints a new random X25519 private key in base64. Keep it secret:\n"
		"  umask 077; rfsec genkey > private.key\n"
		"It warns when its output is a file that others can read.\n");
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

/* As wg genkey does: a private key in a file others can read is no secret. */
static void genkey_check_output(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)))
		fprintf(stderr,
			"rfsec genkey: warning: writing a private key to a file others can read (mode %04o; umask 077 first)\n",
			(unsigned int)(st.st_mode & 07777));
}

int genkey_main(int argc, char *argv[])
{
	static char obuf[256];
	uint8_t key[RFSEC_KEY_LEN];
	char b64[RFSEC_KEY_BASE64_LEN + 1];
	size_t got = 0;
	struct cli c;
	ssize_t n;
	int ret;

	if (cli_parse(argc, argv, false, &c) || cli_nargs(argc, &c))
		return genkey_usage(stderr, RFSEC_EXIT_USAGE);
	if (c.help)
		return genkey_usage(stdout, RFSEC_EXIT_OK);
	genkey_check_output();
	/* Our buffer for stdout, wiped once the key is written. */
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));

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
	ret = fflush(stdout) || ferror(stdout);
	explicit_bzero(obuf, sizeof(obuf));
	if (ret) {
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
	struct cli c;
	int ret;

	if (cli_parse(argc, argv, false, &c) || cli_nargs(argc, &c))
		return pubkey_usage(stderr, RFSEC_EXIT_USAGE);
	if (c.help)
		return pubkey_usage(stdout, RFSEC_EXIT_OK);

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
