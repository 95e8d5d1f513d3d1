// SPDX-License-Identifier: GPL-2.0
/*
 * cacophony's Noise_IKpsk2_25519_{ChaChaPoly,AESGCM}_SHA256 vectors
 * (haskell-cryptography/cacophony, vectors/cacophony.txt, copied to
 * selftests/vectors/noise-ikpsk2-sha256-cacophony.json) reproduced with
 * noise.c's general IKpsk2 layer: both handshake messages with their
 * payloads, the handshake hash, then four transport messages, initiator
 * and responder in turn, with empty associated data and counters from 0.
 * An independent implementation's bytes, so a mistake shared by noise.c
 * and vectors_check.py still shows.
 *
 * The JSON reader is just enough for that file: objects, arrays and
 * strings without escapes; anything else fails the parse check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "noise.h"
#include "vectors.h"

#define CAC_MAX_MSGS	8
#define CAC_MAX_BYTES	256
#define CAC_MAX_FIELDS	16

struct cac_bytes {
	uint8_t b[CAC_MAX_BYTES];
	int len;		/* -1: absent or not hex */
};

struct cac_vector {
	char name[64];
	struct {
		char key[32];
		struct cac_bytes val;
	} f[CAC_MAX_FIELDS];
	int nf;
	struct cac_bytes init_psk, resp_psk;
	struct cac_bytes payload[CAC_MAX_MSGS], ciphertext[CAC_MAX_MSGS];
	int nmsg;
};

struct json {
	const char *p, *end;
	bool bad;
};

static void ws(struct json *j)
{
	while (j->p < j->end && strchr(" \t\r\n", *j->p))
		j->p++;
}

static bool eat(struct json *j, char c)
{
	ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return true;
	}
	return false;
}

static bool peek(struct json *j, char c)
{
	ws(j);
	return j->p < j->end && *j->p == c;
}

/* A string into out (NUL-terminated, truncated to cap); false if none. */
static bool string(struct json *j, char *out, size_t cap)
{
	const char *s;

	if (!eat(j, '"'))
		return j->bad = true, false;
	s = j->p;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p == '\\')
			return j->bad = true, false;
		j->p++;
	}
	if (j->p == j->end)
		return j->bad = true, false;
	snprintf(out, cap, "%.*s", (int)(j->p - s), s);
	j->p++;
	return true;
}

static void hexstring(struct json *j, struct cac_bytes *out)
{
	char s[2 * CAC_MAX_BYTES + 2];

	out->len = -1;
	if (string(j, s, sizeof(s)))
		out->len = unhex(out->b, CAC_MAX_BYTES, s, strlen(s));
}

/* [ "hex", ... ]: the first element kept. */
static void first_of_array(struct json *j, struct cac_bytes *out)
{
	struct cac_bytes skip;
	bool first = true;

	out->len = -1;
	if (!eat(j, '['))
		return (void)(j->bad = true);
	while (!j->bad && !eat(j, ']')) {
		hexstring(j, first ? out : &skip);
		first = false;
		if (!peek(j, ']') && !eat(j, ','))
			j->bad = true;
	}
}

/* [ { "payload": hex, "ciphertext": hex }, ... ] */
static void messages(struct json *j, struct cac_vector *v)
{
	char key[32];

	if (!eat(j, '['))
		return (void)(j->bad = true);
	while (!j->bad && !eat(j, ']')) {
		if (v->nmsg == CAC_MAX_MSGS || !eat(j, '{'))
			return (void)(j->bad = true);
		v->payload[v->nmsg].len = v->ciphertext[v->nmsg].len = -1;
		while (!j->bad && !eat(j, '}')) {
			if (!string(j, key, sizeof(key)) || !eat(j, ':'))
				return (void)(j->bad = true);
			if (!strcmp(key, "payload"))
				hexstring(j, &v->payload[v->nmsg]);
			else if (!strcmp(key, "ciphertext"))
				hexstring(j, &v->ciphertext[v->nmsg]);
			else
				j->bad = true;
			if (!peek(j, '}') && !eat(j, ','))
				j->bad = true;
		}
		v->nmsg++;
		if (!peek(j, ']') && !eat(j, ','))
			j->bad = true;
	}
}

static void vector(struct json *j, struct cac_vector *v)
{
	char key[32];

	memset(v, 0, sizeof(*v));
	v->init_psk.len = v->resp_psk.len = -1;
	if (!eat(j, '{'))
		return (void)(j->bad = true);
	while (!j->bad && !eat(j, '}')) {
		if (!string(j, key, sizeof(key)) || !eat(j, ':'))
			return (void)(j->bad = true);
		if (!strcmp(key, "protocol_name")) {
			string(j, v->name, sizeof(v->name));
		} else if (!strcmp(key, "init_psks")) {
			first_of_array(j, &v->init_psk);
		} else if (!strcmp(key, "resp_psks")) {
			first_of_array(j, &v->resp_psk);
		} else if (!strcmp(key, "messages")) {
			messages(j, v);
		} else if (v->nf < CAC_MAX_FIELDS) {
			snprintf(v->f[v->nf].key, sizeof(v->f[0].key), "%s", key);
			hexstring(j, &v->f[v->nf++].val);
		} else {
			j->bad = true;
		}
		if (!peek(j, '}') && !eat(j, ','))
			j->bad = true;
	}
}

static const uint8_t *field(const struct cac_vector *v, const char *key,
			    int len)
{
	static const uint8_t zero[CAC_MAX_BYTES];
	int i;

	for (i = 0; i < v->nf; i++)
		if (!strcmp(v->f[i].key, key) && v->f[i].val.len == len)
			return v->f[i].val.b;
	printf("# %s: %s missing or not %d bytes\n", v->name, key, len);
	return zero;
}

static bool same(const struct cac_bytes *want, const uint8_t *got, int len)
{
	return want->len == len && !memcmp(want->b, got, len);
}

static void one_vector(const struct cac_vector *v, int cipher)
{
	const char *n = v->name;
	const struct cac_bytes *ipro = NULL, *rpro = NULL;
	struct noise_hs hi, hr;
	struct noise_session si, sr;
	uint8_t out[CAC_MAX_BYTES], pt[CAC_MAX_BYTES], rs[32];
	const uint8_t *ie, *re;
	int i, len;
	bool ok;

	for (i = 0; i < v->nf; i++) {
		if (!strcmp(v->f[i].key, "init_prologue"))
			ipro = &v->f[i].val;
		if (!strcmp(v->f[i].key, "resp_prologue"))
			rpro = &v->f[i].val;
	}
	ok = ipro && rpro && ipro->len >= 0 && ipro->len == rpro->len &&
	     !memcmp(ipro->b, rpro->b, ipro->len) && v->init_psk.len == 32 &&
	     same(&v->resp_psk, v->init_psk.b, 32) && v->nmsg == 6 &&
	     !noise_pubkey(rs, field(v, "resp_static", 32)) &&
	     !memcmp(rs, field(v, "init_remote_static", 32), 32);
	for (i = 0; i < v->nmsg; i++)
		ok = ok && v->payload[i].len >= 0 && v->ciphertext[i].len >= 0 &&
		     v->payload[i].len + 96 < CAC_MAX_BYTES;
	if (!check(ok, "cacophony %s: the inputs agree between the sides", n))
		return;
	ie = field(v, "init_ephemeral", 32);
	re = field(v, "resp_ephemeral", 32);

	/* -> e, es, s, ss, payload */
	ok = !noise_hs_init(&hi, true, cipher, field(v, "init_static", 32), rs,
			    v->init_psk.b) &&
	     !noise_hs_init(&hr, false, cipher, field(v, "resp_static", 32),
			    NULL, v->resp_psk.b) &&
	     !noise_ik_start(&hi, ipro->b, ipro->len) &&
	     !noise_ik_start(&hr, rpro->b, rpro->len) &&
	     !noise_ik_write_first(&hi, ie, v->payload[0].b, v->payload[0].len,
				   out);
	len = NOISE_IK_FIRST_LEN(v->payload[0].len);
	check(ok && same(&v->ciphertext[0], out, len),
	      "cacophony %s: the initiator writes message 1 (e, es, s, ss)", n);
	len = noise_ik_read_first(&hr, v->ciphertext[0].b, v->ciphertext[0].len,
				  pt);
	check(len >= 0 && same(&v->payload[0], pt, len) &&
	      !memcmp(hr.rs, hi.s_pub, 32),
	      "cacophony %s: the responder reads it: payload, initiator key", n);

	/* <- e, ee, se, psk, payload */
	ok = !noise_ik_write_second(&hr, re, v->payload[1].b,
				    v->payload[1].len, out);
	len = NOISE_IK_SECOND_LEN(v->payload[1].len);
	check(ok && same(&v->ciphertext[1], out, len),
	      "cacophony %s: the responder writes message 2 (e, ee, se, psk)",
	      n);
	len = noise_ik_read_second(&hi, v->ciphertext[1].b,
				   v->ciphertext[1].len, pt);
	check(len >= 0 && same(&v->payload[1], pt, len),
	      "cacophony %s: the initiator reads it: payload", n);
	check(!memcmp(hi.h, field(v, "handshake_hash", 32), 32) &&
	      !memcmp(hr.h, hi.h, 32),
	      "cacophony %s: both sides end with the handshake hash", n);
	ok = !noise_split(&hi, &si) && !noise_split(&hr, &sr);

	/* Transport: initiator, responder, initiator, responder. */
	for (i = 2; i < 6 && ok; i++) {
		bool from_init = i % 2 == 0;
		struct noise_dir *tx = from_init ? &si.tx : &sr.tx;
		struct noise_dir *rx = from_init ? &sr.rx : &si.rx;
		const struct cac_bytes *p = &v->payload[i];
		bool good;

		good = !noise_transport_encrypt(cipher, tx, NULL, 0, p->b,
						p->len, out) &&
		       same(&v->ciphertext[i], out, p->len + NOISE_TAG_LEN) &&
		       !noise_transport_decrypt(cipher, rx, NULL, 0,
						v->ciphertext[i].b,
						v->ciphertext[i].len, pt) &&
		       !memcmp(pt, p->b, p->len);
		check(good, "cacophony %s: transport message %d (%s, counter %d)",
		      n, i + 1, from_init ? "initiator" : "responder",
		      (i - 2) / 2);
	}
	if (!ok)
		check(false, "cacophony %s: Split", n);
	noise_session_wipe(&si);
	noise_session_wipe(&sr);
	OPENSSL_cleanse(&hi, sizeof(hi));
	OPENSSL_cleanse(&hr, sizeof(hr));
}

void check_cacophony(const char *path)
{
	static struct cac_vector v;
	struct json j = { 0 };
	char key[32], *text = NULL;
	bool seen[3] = { false };
	size_t size = 0;
	FILE *f;
	int cipher;

	f = fopen(path, "r");
	if (f) {
		text = malloc(1 << 20);
		size = text ? fread(text, 1, 1 << 20, f) : 0;
		fclose(f);
	}
	if (!check(size > 0 && size < (1 << 20), "cacophony: %s is readable",
		   path)) {
		free(text);
		return;
	}
	j.p = text;
	j.end = text + size;
	/* { "source": "...", "vectors": [ {...}, ... ] } */
	if (!eat(&j, '{'))
		j.bad = true;
	while (!j.bad && !eat(&j, '}')) {
		if (!string(&j, key, sizeof(key)) || !eat(&j, ':'))
			break;
		if (strcmp(key, "vectors")) {
			string(&j, key, sizeof(key));
		} else if (eat(&j, '[')) {
			while (!j.bad && !eat(&j, ']')) {
				vector(&j, &v);
				if (j.bad)
					break;
				cipher = !strcmp(v.name, "Noise_IKpsk2_25519_ChaChaPoly_SHA256") ?
					 NOISE_CIPHER_CHACHAPOLY :
					 !strcmp(v.name, "Noise_IKpsk2_25519_AESGCM_SHA256") ?
					 NOISE_CIPHER_AESGCM : 0;
				if (check(cipher, "cacophony: %s is one of ours",
					  v.name)) {
					seen[cipher] = true;
					one_vector(&v, cipher);
				}
				if (!peek(&j, ']') && !eat(&j, ','))
					j.bad = true;
			}
		} else {
			j.bad = true;
		}
		if (!peek(&j, '}') && !eat(&j, ','))
			j.bad = true;
	}
	check(!j.bad, "cacophony: the JSON file parses");
	check(seen[NOISE_CIPHER_CHACHAPOLY] && seen[NOISE_CIPHER_AESGCM],
	      "cacophony: both ciphers' vectors are there");
	OPENSSL_cleanse(&v, sizeof(v));
	free(text);
}
