// SPDX-License-Identifier: GPL-2.0-only
/*
 * Base64 for keys. Decoding is strict and runs in time independent of the
 * key's value: no table lookups indexed by secret data.
 */

#define _DEFAULT_SOURCE

#include "encoding.h"

#include <string.h>

/* The character for a 6-bit value @v, computed without a table. */
static char b64_char(unsigned int v)
{
	int c = (int)v;

	return (char)(c + 'A' +
		      (((25 - c) >> 8) & 6) -
		      (((51 - c) >> 8) & 75) -
		      (((61 - c) >> 8) & 15) +
		      (((62 - c) >> 8) & 3));
}

/* The 6-bit value of character @ch, or -1, computed without a table. */
static int b64_value(unsigned char ch)
{
	int c = ch, ret = -1;

	ret += (((64 - c) & (c - 91)) >> 8) & (c - 64);		/* A-Z */
	ret += (((96 - c) & (c - 123)) >> 8) & (c - 70);	/* a-z */
	ret += (((47 - c) & (c - 58)) >> 8) & (c + 5);		/* 0-9 */
	ret += (((42 - c) & (c - 44)) >> 8) & 63;		/* + */
	ret += (((46 - c) & (c - 48)) >> 8) & 64;		/* / */
	return ret;
}

void key_to_base64(char out[RFSEC_KEY_BASE64_LEN + 1], const uint8_t key[32])
{
	unsigned int i, o = 0, v;

	for (i = 0; i + 3 <= 32; i += 3) {
		v = (unsigned int)key[i] << 16 | key[i + 1] << 8 | key[i + 2];
		out[o++] = b64_char((v >> 18) & 63);
		out[o++] = b64_char((v >> 12) & 63);
		out[o++] = b64_char((v >> 6) & 63);
		out[o++] = b64_char(v & 63);
	}
	/* 30 bytes done, 2 left: three characters and '='. */
	v = (unsigned int)key[30] << 16 | key[31] << 8;
	out[o++] = b64_char((v >> 18) & 63);
	out[o++] = b64_char((v >> 12) & 63);
	out[o++] = b64_char((v >> 6) & 63);
	out[o++] = '=';
	out[o] = '\0';
}

bool key_from_base64(uint8_t key[32], const char *in)
{
	unsigned int i, o = 0;
	int v[4], bad = 0, acc;

	if (strlen(in) != RFSEC_KEY_BASE64_LEN || in[43] != '=')
		goto fail;
	for (i = 0; i < 40; i += 4) {
		v[0] = b64_value(in[i]);
		v[1] = b64_value(in[i + 1]);
		v[2] = b64_value(in[i + 2]);
		v[3] = b64_value(in[i + 3]);
		bad |= v[0] | v[1] | v[2] | v[3];
		acc = v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];
		key[o++] = (uint8_t)(acc >> 16);
		key[o++] = (uint8_t)(acc >> 8);
		key[o++] = (uint8_t)acc;
	}
	v[0] = b64_value(in[40]);
	v[1] = b64_value(in[41]);
	v[2] = b64_value(in[42]);
	bad |= v[0] | v[1] | v[2];
	bad |= -(v[2] & 3);	/* the unused low bits must be zero */
	acc = v[0] << 18 | v[1] << 12 | v[2] << 6;
	key[o++] = (uint8_t)(acc >> 16);
	key[o++] = (uint8_t)(acc >> 8);
	if (bad < 0)
		goto fail;
	return true;
fail:
	explicit_bzero(key, 32);
	return false;
}
