// SPDX-License-Identifier: GPL-2.0
/*
 * The protocol test vectors of selftests/vectors/ (docs/PROTOCOL.md,
 * section 8), checked against noise.c from both sides: as the initiator
 * with the fixed inputs, every byte it sends must equal the vector's and
 * every message of the responder's must be accepted, and the same as the
 * responder. Then tampered copies of the messages must be refused. Prints
 * TAP. Needs no Bluetooth.
 *
 *   vectors_test [-d DIR]            check every DIR/\*.txt
 *   vectors_test --generate NAME     print the vector file NAME
 *                                    (chachapoly, chachapoly-psk, aesgcm,
 *                                    aesgcm-psk) from the fixed inputs
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "noise.h"

#define MAX_FIELDS	64
#define MAX_VALUE	512

struct field {
	char name[48];
	uint8_t val[MAX_VALUE];
	size_t len;
};

struct vec {
	struct field f[MAX_FIELDS];
	int n;
};

static int tap_n, tap_failed;

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!ok)
		tap_failed++;
	printf("%sok %d ", ok ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static int unhex(uint8_t *out, size_t max, const char *s)
{
	size_t n = 0;

	while (s[0] && s[1]) {
		unsigned int b;

		if (n == max || sscanf(s, "%2x", &b) != 1)
			return -1;
		out[n++] = b;
		s += 2;
	}
	return *s ? -1 : (int)n;
}

static int vec_load(struct vec *v, const char *path)
{
	char line[2 * MAX_VALUE + 128];
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	v->n = 0;
	while (fgets(line, sizeof(line), f)) {
		char name[48], hex[2 * MAX_VALUE + 2];
		struct field *fl;
		int len;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		hex[0] = 0;
		if (sscanf(line, "%47s = %1025s", name, hex) < 1 ||
		    v->n == MAX_FIELDS)
			goto bad;
		fl = &v->f[v->n];
		len = unhex(fl->val, MAX_VALUE, hex);
		if (len < 0)
			goto bad;
		strcpy(fl->name, name);
		fl->len = len;
		v->n++;
	}
	fclose(f);
	return 0;
bad:
	fclose(f);
	return -EINVAL;
}

static const struct field *get(const struct vec *v, const char *name)
{
	static const struct field missing = { .name = "(missing)" };
	int i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->f[i].name, name))
			return &v->f[i];
	return &missing;
}

/* The field's bytes, which must be len long (else a zeroed buffer). */
static const uint8_t *need(const struct vec *v, const char *name, size_t len)
{
	static uint8_t zero[MAX_VALUE];
	const struct field *f = get(v, name);

	if (f->len != len) {
		printf("# %s: %zu bytes, expected %zu\n", name, f->len, len);
		return zero;
	}
	return f->val;
}

static bool eq(const struct vec *v, const char *name, const uint8_t *b,
	       size_t len)
{
	const struct field *f = get(v, name);

	return f->len == len && !memcmp(f->val, b, len);
}

struct inputs {
	int cipher;
	const uint8_t *si, *sr, *ei, *er, *psk, *ia, *ra, *ts;
	uint8_t chan;
};

static void load_inputs(const struct vec *v, struct inputs *in)
{
	in->cipher = need(v, "cipher", 1)[0];
	in->si = need(v, "initiator_static_private", 32);
	in->sr = need(v, "responder_static_private", 32);
	in->ei = need(v, "initiator_ephemeral_private", 32);
	in->er = need(v, "responder_ephemeral_private", 32);
	in->psk = need(v, "psk", 32);
	in->ia = need(v, "initiator_address", 6);
	in->ra = need(v, "responder_address", 6);
	in->chan = need(v, "channel", 1)[0];
	in->ts = need(v, "timestamp", 12);
}

static int hs_pair(const struct inputs *in, struct noise_hs *i,
		   struct noise_hs *r)
{
	uint8_t spub[32];

	if (noise_pubkey(spub, in->sr))
		return -1;
	if (noise_hs_init(i, true, in->cipher, in->si, spub, in->psk, in->ia,
			  in->ra, in->chan))
		return -1;
	return noise_hs_init(r, false, 0, in->sr, NULL, in->psk, in->ia,
			     in->ra, in->chan);
}

static void check_file(const char *path)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct noise_session si, sr;
	struct noise_hs hi, hr;
	struct inputs in;
	uint8_t buf[NOISE_RECORD_MAX_LEN], data[NOISE_RECORD_MAX_DATA];
	uint8_t pub[32], pro[NOISE_PROLOGUE_LEN], msg[NOISE_INITIATION_LEN];
	uint8_t inner = 0xff;
	const struct field *m;
	struct vec *v;
	int len, i, bad;
	bool ok;

	v = calloc(1, sizeof(*v));
	if (!v || vec_load(v, path)) {
		check(false, "%s: the file parses", name);
		free(v);
		return;
	}
	load_inputs(v, &in);

	ok = !noise_pubkey(pub, in.si) &&
	     eq(v, "initiator_static_public", pub, 32);
	ok = ok && !noise_pubkey(pub, in.sr) &&
	     eq(v, "responder_static_public", pub, 32);
	ok = ok && !noise_pubkey(pub, in.ei) &&
	     eq(v, "initiator_ephemeral_public", pub, 32);
	ok = ok && !noise_pubkey(pub, in.er) &&
	     eq(v, "responder_ephemeral_public", pub, 32);
	check(ok, "%s: public keys derive from the private keys", name);
	noise_prologue(pro, in.cipher, in.ia, in.ra, in.chan);
	check(eq(v, "prologue", pro, sizeof(pro)), "%s: prologue", name);

	/* Initiator side: its initiation must be the vector's, byte for byte. */
	ok = !hs_pair(&in, &hi, &hr) &&
	     !noise_write_initiation(&hi, in.ei, in.ts, msg);
	check(ok && eq(v, "initiation", msg, sizeof(msg)),
	      "%s: initiator builds the initiation", name);

	/* Responder side: reads the vector's initiation. */
	m = get(v, "initiation");
	ok = !noise_read_initiation(&hr, m->val, m->len) &&
	     eq(v, "initiator_static_public", hr.rs, 32) &&
	     eq(v, "timestamp", hr.ts, 12);
	check(ok, "%s: responder reads the initiation: initiator key, timestamp",
	      name);
	ok = !noise_write_response(&hr, in.er, buf);
	check(ok && eq(v, "response", buf, NOISE_RESPONSE_LEN),
	      "%s: responder builds the response", name);
	m = get(v, "response");
	check(!noise_read_response(&hi, m->val, m->len),
	      "%s: initiator accepts the response", name);
	check(eq(v, "handshake_hash", hi.h, 32) &&
	      eq(v, "handshake_hash", hr.h, 32),
	      "%s: both sides end with the vector's handshake hash", name);
	ok = !noise_split(&hi, &si) && !noise_split(&hr, &sr);
	check(ok && eq(v, "k1", si.tx.k, 32) && eq(v, "k2", si.rx.k, 32) &&
	      eq(v, "k1", sr.rx.k, 32) && eq(v, "k2", sr.tx.k, 32),
	      "%s: Split gives k1 (initiator to responder) and k2", name);

	/* Records, each checked as sent and as received. */
	len = noise_seal(in.cipher, &si.tx, NOISE_INNER_CONFIRM, NULL, 0, buf);
	check(len > 0 && eq(v, "confirm_record", buf, len),
	      "%s: initiator's confirm record", name);
	m = get(v, "confirm_record");
	len = noise_open(in.cipher, &sr.rx, m->val, m->len, &inner, data);
	check(len == 0 && inner == NOISE_INNER_CONFIRM,
	      "%s: responder opens the confirm record", name);

	m = get(v, "message_i2r");
	len = noise_seal(in.cipher, &si.tx, NOISE_INNER_DATA, m->val, m->len,
			 buf);
	check(len > 0 && eq(v, "data_i2r", buf, len),
	      "%s: initiator's first data record", name);
	m = get(v, "data_i2r");
	len = noise_open(in.cipher, &sr.rx, m->val, m->len, &inner, data);
	check(len >= 0 && inner == NOISE_INNER_DATA &&
	      eq(v, "message_i2r", data, len),
	      "%s: responder opens it to the message", name);

	m = get(v, "message_r2i");
	len = noise_seal(in.cipher, &sr.tx, NOISE_INNER_DATA, m->val, m->len,
			 buf);
	check(len > 0 && eq(v, "data_r2i", buf, len),
	      "%s: responder's first data record", name);
	m = get(v, "data_r2i");
	len = noise_open(in.cipher, &si.rx, m->val, m->len, &inner, data);
	check(len >= 0 && inner == NOISE_INNER_DATA &&
	      eq(v, "message_r2i", data, len),
	      "%s: initiator opens it to the message", name);

	/* A replay of the data record fails at the next counter. */
	m = get(v, "data_i2r");
	{
		struct noise_dir d = sr.rx;

		check(noise_open(in.cipher, &d, m->val, m->len, &inner, data) ==
		      NOISE_OPEN_BADTAG,
		      "%s: a replayed data record does not authenticate", name);
	}

	/* Rekey, initiator to responder, then responder to initiator. */
	len = noise_seal(in.cipher, &si.tx, NOISE_INNER_REKEY, NULL, 0, buf);
	ok = len > 0 && eq(v, "rekey_i2r", buf, len) &&
	     !noise_rekey(in.cipher, &si.tx) &&
	     eq(v, "k1_rekeyed", si.tx.k, 32);
	check(ok, "%s: initiator's rekey record and its new key", name);
	m = get(v, "rekey_i2r");
	len = noise_open(in.cipher, &sr.rx, m->val, m->len, &inner, data);
	ok = len == 0 && inner == NOISE_INNER_REKEY &&
	     !noise_rekey(in.cipher, &sr.rx) &&
	     eq(v, "k1_rekeyed", sr.rx.k, 32);
	check(ok, "%s: responder opens it and rekeys alike", name);
	m = get(v, "message_rekeyed");
	len = noise_seal(in.cipher, &si.tx, NOISE_INNER_DATA, m->val, m->len,
			 buf);
	check(len > 0 && eq(v, "data_i2r_rekeyed", buf, len),
	      "%s: initiator's data record after the rekey", name);
	m = get(v, "data_i2r_rekeyed");
	len = noise_open(in.cipher, &sr.rx, m->val, m->len, &inner, data);
	check(len >= 0 && eq(v, "message_rekeyed", data, len),
	      "%s: responder opens it", name);

	len = noise_seal(in.cipher, &sr.tx, NOISE_INNER_REKEY, NULL, 0, buf);
	ok = len > 0 && eq(v, "rekey_r2i", buf, len) &&
	     !noise_rekey(in.cipher, &sr.tx) &&
	     eq(v, "k2_rekeyed", sr.tx.k, 32);
	check(ok, "%s: responder's rekey record and its new key", name);
	m = get(v, "rekey_r2i");
	len = noise_open(in.cipher, &si.rx, m->val, m->len, &inner, data);
	ok = len == 0 && inner == NOISE_INNER_REKEY &&
	     !noise_rekey(in.cipher, &si.rx) &&
	     eq(v, "k2_rekeyed", si.rx.k, 32);
	check(ok, "%s: initiator opens it and rekeys alike", name);
	m = get(v, "message_rekeyed");
	len = noise_seal(in.cipher, &sr.tx, NOISE_INNER_DATA, m->val, m->len,
			 buf);
	check(len > 0 && eq(v, "data_r2i_rekeyed", buf, len),
	      "%s: responder's data record after the rekey", name);
	m = get(v, "data_r2i_rekeyed");
	len = noise_open(in.cipher, &si.rx, m->val, m->len, &inner, data);
	check(len >= 0 && eq(v, "message_rekeyed", data, len),
	      "%s: initiator opens it", name);
	noise_session_wipe(&si);
	noise_session_wipe(&sr);

	/* Every single-bit flip of the initiation is refused as malformed. */
	m = get(v, "initiation");
	bad = 0;
	for (i = 0; i < (int)m->len * 8; i++) {
		memcpy(msg, m->val, sizeof(msg));
		msg[i / 8] ^= 1 << (i % 8);
		hs_pair(&in, &hi, &hr);
		if (noise_read_initiation(&hr, msg, m->len) !=
		    -NOISE_REFUSE_MALFORMED)
			bad++;
	}
	check(m->len == NOISE_INITIATION_LEN && !bad,
	      "%s: all %zu single-bit flips of the initiation are malformed",
	      name, m->len * 8);

	/* ... and of the response, a wrong key (or malformed header). */
	m = get(v, "response");
	bad = 0;
	for (i = 0; i < (int)m->len * 8; i++) {
		memcpy(buf, m->val, m->len);
		buf[i / 8] ^= 1 << (i % 8);
		hs_pair(&in, &hi, &hr);
		noise_write_initiation(&hi, in.ei, in.ts, msg);
		len = noise_read_response(&hi, buf, m->len);
		/* the header is malformed; anything else does not decrypt */
		if (len != (i < 32 ? -NOISE_REFUSE_MALFORMED :
				     -NOISE_REFUSE_WRONG_KEY))
			bad++;
	}
	check(m->len == NOISE_RESPONSE_LEN && !bad,
	      "%s: all %zu single-bit flips of the response are refused",
	      name, m->len * 8);

	/* The psk matters: another one makes the response not decrypt. */
	hs_pair(&in, &hi, &hr);
	memset(pub, 0x5a, sizeof(pub));
	noise_hs_set_psk(&hi, pub);
	noise_write_initiation(&hi, in.ei, in.ts, msg);
	check(noise_read_response(&hi, m->val, m->len) ==
	      -NOISE_REFUSE_WRONG_KEY,
	      "%s: with another psk the response is a wrong key", name);

	/* The prologue binds the channel: another one is malformed. */
	m = get(v, "initiation");
	hs_pair(&in, &hi, &hr);
	hr.channel = in.chan + 1;
	check(noise_read_initiation(&hr, m->val, m->len) ==
	      -NOISE_REFUSE_MALFORMED,
	      "%s: a responder on another channel refuses the initiation",
	      name);
	OPENSSL_cleanse(&hi, sizeof(hi));
	OPENSSL_cleanse(&hr, sizeof(hr));
	free(v);
}

/* Generation from fixed inputs. */

static void put(const char *name, const uint8_t *b, size_t len)
{
	size_t i;

	printf("%s = ", name);
	for (i = 0; i < len; i++)
		printf("%02x", b[i]);
	printf("\n");
}

/* A fixed "random" key: SHA-256 of a label. */
static void label_key(uint8_t out[32], const char *label)
{
	unsigned int len = 32;

	EVP_Digest(label, strlen(label), out, &len, EVP_sha256(), NULL);
}

static int generate(const char *which)
{
	static const uint8_t ia[6] = { 0x01, 0x00, 0x00, 0xcc, 0xbb, 0xaa };
	static const uint8_t ra[6] = { 0x02, 0x00, 0x00, 0xcc, 0xbb, 0xaa };
	static const char m_i2r[] = "hello from the initiator";
	static const char m_r2i[] = "hello from the responder";
	static const char m_rk[] = "after rekey";
	uint8_t si[32], sr[32], ei[32], er[32], psk[32], pub[32], ts[12];
	uint8_t pro[NOISE_PROLOGUE_LEN], buf[NOISE_RECORD_MAX_LEN];
	struct noise_session a, b;
	struct noise_hs hi, hr;
	uint8_t cipher, chan = 5;
	bool has_psk;
	int len;

	if (!strcmp(which, "chachapoly") || !strcmp(which, "chachapoly-psk"))
		cipher = NOISE_CIPHER_CHACHAPOLY;
	else if (!strcmp(which, "aesgcm") || !strcmp(which, "aesgcm-psk"))
		cipher = NOISE_CIPHER_AESGCM;
	else
		return 2;
	has_psk = strstr(which, "-psk");
	label_key(si, "rfsec vector: initiator static");
	label_key(sr, "rfsec vector: responder static");
	label_key(ei, "rfsec vector: initiator ephemeral");
	label_key(er, "rfsec vector: responder ephemeral");
	if (has_psk)
		label_key(psk, "rfsec vector: psk");
	else
		memset(psk, 0, sizeof(psk));
	/* 2026-01-01T00:00:00.123456789Z */
	noise_tai64n(ts, 1767225600, 123456789);

	printf("# rfsec protocol version 1 test vector: %s, %s.\n",
	       cipher == NOISE_CIPHER_CHACHAPOLY ? "ChaCha20-Poly1305" :
						   "AES-256-GCM",
	       has_psk ? "with a pre-shared key" : "no pre-shared key (0^32)");
	printf("# Format: docs/PROTOCOL.md section 8. Generated by "
	       "'vectors_test --generate %s'.\n", which);
	printf("\n# Inputs\n");
	put("cipher", &cipher, 1);
	put("initiator_static_private", si, 32);
	noise_pubkey(pub, si);
	put("initiator_static_public", pub, 32);
	put("responder_static_private", sr, 32);
	noise_pubkey(pub, sr);
	put("responder_static_public", pub, 32);
	put("initiator_ephemeral_private", ei, 32);
	noise_pubkey(pub, ei);
	put("initiator_ephemeral_public", pub, 32);
	put("responder_ephemeral_private", er, 32);
	noise_pubkey(pub, er);
	put("responder_ephemeral_public", pub, 32);
	put("psk", psk, 32);
	put("initiator_address", ia, 6);
	put("responder_address", ra, 6);
	put("channel", &chan, 1);
	put("timestamp", ts, 12);
	put("message_i2r", (const uint8_t *)m_i2r, strlen(m_i2r));
	put("message_r2i", (const uint8_t *)m_r2i, strlen(m_r2i));
	put("message_rekeyed", (const uint8_t *)m_rk, strlen(m_rk));

	printf("\n# Handshake\n");
	noise_prologue(pro, cipher, ia, ra, chan);
	put("prologue", pro, sizeof(pro));
	noise_pubkey(pub, sr);
	if (noise_hs_init(&hi, true, cipher, si, pub, psk, ia, ra, chan) ||
	    noise_hs_init(&hr, false, 0, sr, NULL, psk, ia, ra, chan) ||
	    noise_write_initiation(&hi, ei, ts, buf))
		return 1;
	put("initiation", buf, NOISE_INITIATION_LEN);
	if (noise_read_initiation(&hr, buf, NOISE_INITIATION_LEN) ||
	    noise_write_response(&hr, er, buf))
		return 1;
	put("response", buf, NOISE_RESPONSE_LEN);
	if (noise_read_response(&hi, buf, NOISE_RESPONSE_LEN))
		return 1;
	put("handshake_hash", hi.h, 32);
	if (noise_split(&hi, &a) || noise_split(&hr, &b))
		return 1;
	put("k1", a.tx.k, 32);
	put("k2", a.rx.k, 32);

	printf("\n# Records, in the order sent in each direction\n");
	len = noise_seal(cipher, &a.tx, NOISE_INNER_CONFIRM, NULL, 0, buf);
	put("confirm_record", buf, len);
	len = noise_seal(cipher, &a.tx, NOISE_INNER_DATA,
			 (const uint8_t *)m_i2r, strlen(m_i2r), buf);
	put("data_i2r", buf, len);
	len = noise_seal(cipher, &b.tx, NOISE_INNER_DATA,
			 (const uint8_t *)m_r2i, strlen(m_r2i), buf);
	put("data_r2i", buf, len);
	len = noise_seal(cipher, &a.tx, NOISE_INNER_REKEY, NULL, 0, buf);
	put("rekey_i2r", buf, len);
	noise_rekey(cipher, &a.tx);
	put("k1_rekeyed", a.tx.k, 32);
	len = noise_seal(cipher, &a.tx, NOISE_INNER_DATA,
			 (const uint8_t *)m_rk, strlen(m_rk), buf);
	put("data_i2r_rekeyed", buf, len);
	len = noise_seal(cipher, &b.tx, NOISE_INNER_REKEY, NULL, 0, buf);
	put("rekey_r2i", buf, len);
	noise_rekey(cipher, &b.tx);
	put("k2_rekeyed", b.tx.k, 32);
	len = noise_seal(cipher, &b.tx, NOISE_INNER_DATA,
			 (const uint8_t *)m_rk, strlen(m_rk), buf);
	put("data_r2i_rekeyed", buf, len);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char *argv[])
{
	char dir[PATH_MAX], path[PATH_MAX + 300], *names[32];
	struct dirent *de;
	int n = 0, i;
	DIR *d;

	if (argc == 3 && !strcmp(argv[1], "--generate"))
		return generate(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "-d")) {
		snprintf(dir, sizeof(dir), "%s", argv[2]);
	} else if (argc == 1) {
		/* build/selftests/vectors_test -> selftests/vectors */
		ssize_t len = readlink("/proc/self/exe", dir, sizeof(dir) - 1);

		if (len < 0)
			return 1;
		dir[len] = 0;
		*strrchr(dir, '/') = 0;
		strncat(dir, "/../../selftests/vectors",
			sizeof(dir) - strlen(dir) - 1);
	} else {
		fprintf(stderr, "usage: vectors_test [-d DIR] | --generate NAME\n");
		return 2;
	}
	d = opendir(dir);
	if (!d) {
		printf("Bail out! cannot open %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) && n < 32) {
		size_t l = strlen(de->d_name);

		if (l > 4 && !strcmp(de->d_name + l - 4, ".txt"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	printf("# vectors in %s: %d files\n", dir, n);
	check(n >= 2, "there are vector files for both ciphers");
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		check_file(path);
		free(names[i]);
	}
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
