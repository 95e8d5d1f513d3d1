/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Base64 (RFC 4648, standard alphabet, padded) for 32-byte keys only.
 */

#ifndef RFSEC_USER_ENCODING_H
#define RFSEC_USER_ENCODING_H

#include <stdbool.h>
#include <stdint.h>

#define RFSEC_KEY_BASE64_LEN 44	/* 32 bytes: 43 characters and one '=' */

/* Writes RFSEC_KEY_BASE64_LEN characters and a NUL to @out. */
void key_to_base64(char out[RFSEC_KEY_BASE64_LEN + 1], const uint8_t key[32]);

/*
 * Decodes exactly RFSEC_KEY_BASE64_LEN characters (no whitespace) into
 * @key; only the canonical encoding of 32 bytes is accepted. Returns false
 * on anything else, leaving @key wiped.
 */
bool key_from_base64(uint8_t key[32], const char *in);

#endif /* RFSEC_USER_ENCODING_H */
