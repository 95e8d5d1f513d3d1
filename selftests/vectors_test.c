// SPDX-License-Identifier: GPL-2.0
/*
 * The protocol test vectors of selftests/vectors/ (docs/PROTOCOL.md,
 * section 8), checked against noise.c from both sides: as the initiator
 * with the fixed inputs, every byte it sends must equal the vector's and
 * every message of the responder's must be accepted, and the same as the
 * responder. Then tampered copies of the messages must be refused. Then
 * cacophony's independent IKpsk2 vectors (vectors_cacophony.c). Prints
 * TAP. Needs no Bluetooth.
 *
 *   vectors_test [-d DIR]            check the four vector files of DIR
 *                                    and DIR/noise-ikpsk2-sha256-cacophony.json
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
#include "vectors.h"

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

bool check(bool ok, const char *fmt, ...)
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
	return ok;
}

static int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int unhex(uint8_t *out, size_t max, const char *s, size_t len)
{
	size_t n;

	if (len % 2 || len / 2 > max)
		return -1;
	for (n = 0; n < len / 2; n++) {
		int hi = hexdigit(s[2 * n]), lo = hexdigit(s[2 * n + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[n] = hi << 4 | lo;
	}
	return n;
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
		len = unhex(fl->val, MAX_VALUE, hex, strlen(hex));
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
	const uint8_t *si, *sr, *ei, *er, *psk;
	uint16_t ilim, rlim;
	uint8_t chan;
};

static uint16_t be16(const uint8_t *b)
{
	return b[0] << 8 | b[1];
}

static void load_inputs(const struct vec *v, struct inputs *in)
{
	in->cipher = need(v, "cipher", 1)[0];
	in->si = need(v, "initiator_static_private", 32);
	in->sr = need(v, "responder_static_private", 32);
	in->ei = need(v, "initiator_ephemeral_private", 32);
	in->er = need(v, "responder_ephemeral_private", 32);
	in->psk = need(v, "psk", 32);
	in->ilim = be16(need(v, "initiator_rx_limit", 2));
	in->rlim = be16(need(v, "responder_rx_limit", 2));
	in->chan = need(v, "channel", 1)[0];
}

static int hs_pair(const struct inputs *in, struct noise_hs *i,
		   struct noise_hs *r)
{
	uint8_t spub[32];

	if (noise_pubkey(spub, in->sr))
		return -1;
	if (noise_hs_init(i, true, in->cipher, in->si, spub, in->psk))
		return -1;
	return noise_hs_init(r, false, 0, in->sr, NULL, in->psk);
}

/* Seals with d (as sent) and opens the vector's record with e (as received). */
static bool record_both(const struct vec *v, int cipher, struct noise_dir *d,
			struct noise_dir *e, uint8_t inner, const char *msg,
			const char *rec)
{
	uint8_t buf[NOISE_RECORD_MAX_LEN], data[NOISE_RECORD_MAX_DATA];
	const struct field *m = msg ? get(v, msg) : NULL;
	uint8_t got = 0xff;
	int len;
	bool ok;

	len = noise_seal(cipher, d, inner, m ? m->val : NULL, m ? m->len : 0,
			 buf);
	ok = len > 0 && eq(v, rec, buf, len);
	m = get(v, rec);
	len = noise_open(cipher, e, m->val, m->len, &got, data);
	ok = ok && len >= 0 && got == inner;
	if (msg)
		ok = ok && eq(v, msg, data, len);
	else
		ok = ok && len == 0;
	return ok;
}

static bool rekey_both(const struct vec *v, int cipher, struct noise_dir *d,
		       struct noise_dir *e, const char *rec, const char *key)
{
	bool ok = record_both(v, cipher, d, e, NOISE_INNER_REKEY, NULL, rec);

	return ok && !noise_rekey(cipher, d) && !noise_rekey(cipher, e) &&
	       eq(v, key, d->k, 32) && eq(v, key, e->k, 32);
}

/* Every single-bit flip of a handshake message, and what it must give. */
static void flips(const struct vec *v, const struct inputs *in,
		  const char *name, bool initiation)
{
	const struct field *m = get(v, initiation ? "initiation" : "response");
	uint8_t msg[NOISE_INITIATION_LEN], buf[NOISE_INITIATION_LEN];
	size_t want_len = initiation ? NOISE_INITIATION_LEN : NOISE_RESPONSE_LEN;
	struct noise_hs hi, hr;
	int i, bad = 0;

	for (i = 0; m->len == want_len && i < (int)m->len * 8; i++) {
		int byte = i / 8, want, got;

		memcpy(buf, m->val, m->len);
		buf[byte] ^= 1 << (i % 8);
		hs_pair(in, &hi, &hr);
		if (byte == 1)
			want = -NOISE_ERR_VERSION;
		else if (byte < NOISE_HDR_LEN)
			want = -NOISE_ERR_MALFORMED;
		else if (initiation && byte == NOISE_HDR_LEN)
			want = -NOISE_ERR_CIPHER;	/* ids 0, 3, 5, ... */
		else
			want = initiation ? -NOISE_ERR_MALFORMED :
					    -NOISE_ERR_WRONG_KEY;
		if (initiation) {
			got = noise_read_initiation(&hr, buf, m->len);
		} else {
			noise_write_initiation(&hi, in->ei, in->ilim, msg);
			got = noise_read_response(&hi, buf, m->len, in->chan);
		}
		if (got != want) {
			if (!bad)
				printf("# bit %d: %d, expected %d\n", i, got, want);
			bad++;
		}
	}
	check(m->len == want_len && !bad,
	      "%s: all %zu single-bit flips of the %s are refused, each as what it broke",
	      name, m->len * 8, initiation ? "initiation" : "response");
	OPENSSL_cleanse(&hi, sizeof(hi));
	OPENSSL_cleanse(&hr, sizeof(hr));
}

/* Payloads out of range, the channel check, another psk, a replay. */
static void refusals(const struct vec *v, const struct inputs *in,
		     const char *name)
{
	uint8_t msg[NOISE_INITIATION_LEN], rsp[NOISE_RESPONSE_LEN];
	const struct field *m;
	struct noise_hs hi, hr;
	uint8_t key[32];
	int ret;

	hs_pair(in, &hi, &hr);
	noise_write_initiation(&hi, in->ei, NOISE_RX_LIMIT_MIN - 1, msg);
	check(noise_read_initiation(&hr, msg, sizeof(msg)) ==
	      -NOISE_ERR_MALFORMED,
	      "%s: an initiation announcing rx_limit 63 is malformed", name);
	hs_pair(in, &hi, &hr);
	noise_write_initiation(&hi, in->ei, NOISE_RX_LIMIT_MAX + 1, msg);
	check(noise_read_initiation(&hr, msg, sizeof(msg)) ==
	      -NOISE_ERR_MALFORMED,
	      "%s: an initiation announcing rx_limit 4101 is malformed", name);

	hs_pair(in, &hi, &hr);
	m = get(v, "initiation");
	memcpy(msg, m->val, sizeof(msg));
	msg[NOISE_HDR_LEN] = 3;
	check(noise_read_initiation(&hr, msg, sizeof(msg)) == -NOISE_ERR_CIPHER,
	      "%s: cipher id 3 is refused as a cipher", name);

	/* The responder states rx_limit 63: the initiator refuses it. */
	hs_pair(in, &hi, &hr);
	noise_write_initiation(&hi, in->ei, in->ilim, msg);
	ret = noise_read_initiation(&hr, msg, sizeof(msg)) ?:
	      noise_write_response(&hr, in->er, NOISE_RX_LIMIT_MIN - 1,
				   in->chan, rsp);
	check(!ret && noise_read_response(&hi, rsp, sizeof(rsp), in->chan) ==
	      -NOISE_ERR_MALFORMED,
	      "%s: a response announcing rx_limit 63 is malformed", name);

	m = get(v, "response");
	hs_pair(in, &hi, &hr);
	noise_write_initiation(&hi, in->ei, in->ilim, msg);
	check(noise_read_response(&hi, m->val, m->len, in->chan + 1) ==
	      -NOISE_ERR_CHANNEL,
	      "%s: an initiator on channel %d refuses a response naming %d",
	      name, in->chan + 1, in->chan);
	hs_pair(in, &hi, &hr);
	noise_write_initiation(&hi, in->ei, in->ilim, msg);
	check(!noise_read_response(&hi, m->val, m->len, 0) &&
	      hi.peer_channel == in->chan,
	      "%s: an initiator that cannot know its channel accepts it", name);

	hs_pair(in, &hi, &hr);
	memset(key, 0x5a, sizeof(key));
	noise_hs_set_psk(&hi, key);
	noise_write_initiation(&hi, in->ei, in->ilim, msg);
	check(noise_read_response(&hi, m->val, m->len, in->chan) ==
	      -NOISE_ERR_WRONG_KEY,
	      "%s: with another psk the response is a wrong key", name);

	hs_pair(in, &hi, &hr);
	hi.cipher = in->cipher == NOISE_CIPHER_AESGCM ? NOISE_CIPHER_CHACHAPOLY :
							 NOISE_CIPHER_AESGCM;
	noise_write_initiation(&hi, in->ei, in->ilim, msg);
	msg[NOISE_HDR_LEN] = in->cipher;	/* the id says the other one */
	check(noise_read_initiation(&hr, msg, sizeof(msg)) ==
	      -NOISE_ERR_MALFORMED,
	      "%s: an initiation made with the other cipher does not decrypt",
	      name);
	OPENSSL_cleanse(&hi, sizeof(hi));
	OPENSSL_cleanse(&hr, sizeof(hr));
}

/* All checks of one file; true if every one passed. */
static bool check_file(const char *dir, const char *name, int cipher,
		       bool has_psk)
{
	static const uint8_t zero[32];
	char path[PATH_MAX + 64];
	struct noise_session si, sr;
	struct noise_hs hi, hr;
	struct inputs in;
	uint8_t buf[NOISE_RECORD_MAX_LEN], data[NOISE_RECORD_MAX_DATA];
	uint8_t pub[32], pro[NOISE_PROLOGUE_LEN], msg[NOISE_INITIATION_LEN];
	uint8_t inner = 0xff;
	const struct field *m;
	struct vec *v;
	bool ok, all = true;
	int before = tap_failed;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	v = calloc(1, sizeof(*v));
	if (!check(v && !vec_load(v, path), "%s: exists and parses", name)) {
		free(v);
		return false;
	}
	load_inputs(v, &in);
	check(in.cipher == cipher && !memcmp(in.psk, zero, 32) == !has_psk,
	      "%s: cipher %d, %s", name, cipher,
	      has_psk ? "a psk" : "no psk (0^32)");
	check(in.ilim >= NOISE_RX_LIMIT_MIN && in.ilim <= NOISE_RX_LIMIT_MAX &&
	      in.rlim >= NOISE_RX_LIMIT_MIN && in.rlim <= NOISE_RX_LIMIT_MAX,
	      "%s: receive limits %u and %u are in range", name, in.ilim,
	      in.rlim);

	ok = !noise_pubkey(pub, in.si) &&
	     eq(v, "initiator_static_public", pub, 32);
	ok = ok && !noise_pubkey(pub, in.sr) &&
	     eq(v, "responder_static_public", pub, 32);
	ok = ok && !noise_pubkey(pub, in.ei) &&
	     eq(v, "initiator_ephemeral_public", pub, 32);
	ok = ok && !noise_pubkey(pub, in.er) &&
	     eq(v, "responder_ephemeral_public", pub, 32);
	check(ok, "%s: public keys derive from the private keys", name);
	noise_prologue(pro, in.cipher);
	check(eq(v, "prologue", pro, sizeof(pro)), "%s: prologue", name);

	/* Initiator side: its initiation must be the vector's, byte for byte. */
	ok = !hs_pair(&in, &hi, &hr) &&
	     !noise_write_initiation(&hi, in.ei, in.ilim, msg);
	check(ok && eq(v, "initiation", msg, sizeof(msg)),
	      "%s: initiator builds the initiation", name);

	/* Responder side: reads the vector's initiation. */
	m = get(v, "initiation");
	ok = !noise_read_initiation(&hr, m->val, m->len) &&
	     eq(v, "initiator_static_public", hr.rs, 32) &&
	     hr.peer_rx_limit == in.ilim;
	check(ok, "%s: responder reads the initiation: initiator key, rx_limit",
	      name);
	ok = !noise_write_response(&hr, in.er, in.rlim, in.chan, buf);
	check(ok && eq(v, "response", buf, NOISE_RESPONSE_LEN),
	      "%s: responder builds the response", name);
	m = get(v, "response");
	check(!noise_read_response(&hi, m->val, m->len, in.chan) &&
	      hi.peer_rx_limit == in.rlim && hi.peer_channel == in.chan,
	      "%s: initiator accepts the response: rx_limit, channel", name);
	check(eq(v, "handshake_hash", hi.h, 32) &&
	      eq(v, "handshake_hash", hr.h, 32),
	      "%s: both sides end with the vector's handshake hash", name);
	ok = !noise_split(&hi, &si) && !noise_split(&hr, &sr);
	check(ok && eq(v, "k1", si.tx.k, 32) && eq(v, "k2", si.rx.k, 32) &&
	      eq(v, "k1", sr.rx.k, 32) && eq(v, "k2", sr.tx.k, 32),
	      "%s: Split gives k1 (initiator to responder) and k2", name);

	/* Records, each checked as sent and as received. */
	check(record_both(v, cipher, &si.tx, &sr.rx, NOISE_INNER_CONFIRM, NULL,
			  "confirm_record"),
	      "%s: the confirm record, sealed and opened", name);
	check(record_both(v, cipher, &si.tx, &sr.rx, NOISE_INNER_DATA,
			  "message_i2r", "data_i2r"),
	      "%s: the initiator's data record, sealed and opened", name);
	check(record_both(v, cipher, &sr.tx, &si.rx, NOISE_INNER_DATA,
			  "message_r2i", "data_r2i"),
	      "%s: the responder's data record, sealed and opened", name);

	/* A replay of the data record fails at the next counter. */
	m = get(v, "data_i2r");
	{
		struct noise_dir d = sr.rx;

		check(noise_open(cipher, &d, m->val, m->len, &inner, data) ==
		      NOISE_OPEN_BADTAG,
		      "%s: a replayed data record does not authenticate", name);
	}

	check(rekey_both(v, cipher, &si.tx, &sr.rx, "rekey_i2r", "k1_rekeyed"),
	      "%s: the initiator's rekey record, and both sides' new key",
	      name);
	check(record_both(v, cipher, &si.tx, &sr.rx, NOISE_INNER_DATA,
			  "message_rekeyed", "data_i2r_rekeyed"),
	      "%s: the initiator's data record after the rekey", name);
	check(record_both(v, cipher, &si.tx, &sr.rx, NOISE_INNER_CLOSE, NULL,
			  "close_i2r"),
	      "%s: the initiator's close record", name);
	check(rekey_both(v, cipher, &sr.tx, &si.rx, "rekey_r2i", "k2_rekeyed"),
	      "%s: the responder's rekey record, and both sides' new key",
	      name);
	check(record_both(v, cipher, &sr.tx, &si.rx, NOISE_INNER_DATA,
			  "message_rekeyed", "data_r2i_rekeyed"),
	      "%s: the responder's data record after the rekey", name);
	check(record_both(v, cipher, &sr.tx, &si.rx, NOISE_INNER_CLOSE, NULL,
			  "close_r2i"),
	      "%s: the responder's close record", name);

	/* A close record that carries data is malformed. */
	{
		struct noise_dir a = si.tx, b = sr.rx;
		int len = noise_seal(cipher, &a, NOISE_INNER_CLOSE,
				     (const uint8_t *)"x", 1, buf);

		check(len > 0 && noise_open(cipher, &b, buf, len, &inner,
					    data) == NOISE_OPEN_BADINNER,
		      "%s: a close record with data is malformed", name);
	}
	noise_session_wipe(&si);
	noise_session_wipe(&sr);

	flips(v, &in, name, true);
	flips(v, &in, name, false);
	refusals(v, &in, name);
	all = tap_failed == before;
	free(v);
	return all;
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

static void put_record(const char *name, int cipher, struct noise_dir *d,
		       uint8_t inner, const char *msg)
{
	uint8_t buf[NOISE_RECORD_MAX_LEN];
	int len = noise_seal(cipher, d, inner, (const uint8_t *)msg,
			     msg ? strlen(msg) : 0, buf);

	put(name, buf, len);
}

static int generate(const char *which)
{
	static const char m_i2r[] = "hello from the initiator";
	static const char m_r2i[] = "hello from the responder";
	static const char m_rk[] = "after rekey";
	/* the module's limit, and a small peer's (section 2.4) */
	static const uint8_t ilim[2] = { 0x10, 0x04 }, rlim[2] = { 0x02, 0x00 };
	uint8_t si[32], sr[32], ei[32], er[32], psk[32], pub[32];
	uint8_t pro[NOISE_PROLOGUE_LEN], buf[NOISE_RECORD_MAX_LEN];
	struct noise_session a, b;
	struct noise_hs hi, hr;
	uint8_t cipher, chan = 5;
	bool has_psk;

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

	printf("# rfsec protocol version 2 test vector: %s, %s.\n",
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
	put("initiator_rx_limit", ilim, 2);
	put("responder_rx_limit", rlim, 2);
	put("channel", &chan, 1);
	put("message_i2r", (const uint8_t *)m_i2r, strlen(m_i2r));
	put("message_r2i", (const uint8_t *)m_r2i, strlen(m_r2i));
	put("message_rekeyed", (const uint8_t *)m_rk, strlen(m_rk));

	printf("\n# Handshake\n");
	noise_prologue(pro, cipher);
	put("prologue", pro, sizeof(pro));
	noise_pubkey(pub, sr);
	if (noise_hs_init(&hi, true, cipher, si, pub, psk) ||
	    noise_hs_init(&hr, false, 0, sr, NULL, psk) ||
	    noise_write_initiation(&hi, ei, be16(ilim), buf))
		return 1;
	put("initiation", buf, NOISE_INITIATION_LEN);
	if (noise_read_initiation(&hr, buf, NOISE_INITIATION_LEN) ||
	    noise_write_response(&hr, er, be16(rlim), chan, buf))
		return 1;
	put("response", buf, NOISE_RESPONSE_LEN);
	if (noise_read_response(&hi, buf, NOISE_RESPONSE_LEN, chan))
		return 1;
	put("handshake_hash", hi.h, 32);
	if (noise_split(&hi, &a) || noise_split(&hr, &b))
		return 1;
	put("k1", a.tx.k, 32);
	put("k2", a.rx.k, 32);

	printf("\n# Records, in the order sent in each direction\n");
	put_record("confirm_record", cipher, &a.tx, NOISE_INNER_CONFIRM, NULL);
	put_record("data_i2r", cipher, &a.tx, NOISE_INNER_DATA, m_i2r);
	put_record("data_r2i", cipher, &b.tx, NOISE_INNER_DATA, m_r2i);
	put_record("rekey_i2r", cipher, &a.tx, NOISE_INNER_REKEY, NULL);
	noise_rekey(cipher, &a.tx);
	put("k1_rekeyed", a.tx.k, 32);
	put_record("data_i2r_rekeyed", cipher, &a.tx, NOISE_INNER_DATA, m_rk);
	put_record("close_i2r", cipher, &a.tx, NOISE_INNER_CLOSE, NULL);
	put_record("rekey_r2i", cipher, &b.tx, NOISE_INNER_REKEY, NULL);
	noise_rekey(cipher, &b.tx);
	put("k2_rekeyed", b.tx.k, 32);
	put_record("data_r2i_rekeyed", cipher, &b.tx, NOISE_INNER_DATA, m_rk);
	put_record("close_r2i", cipher, &b.tx, NOISE_INNER_CLOSE, NULL);
	return 0;
}

/* The files of section 8: name, cipher id, whether they use a psk. */
static const struct {
	const char *name;
	int cipher;
	bool psk;
} files[] = {
	{ "chachapoly.txt", NOISE_CIPHER_CHACHAPOLY, false },
	{ "chachapoly-psk.txt", NOISE_CIPHER_CHACHAPOLY, true },
	{ "aesgcm.txt", NOISE_CIPHER_AESGCM, false },
	{ "aesgcm-psk.txt", NOISE_CIPHER_AESGCM, true },
};

int main(int argc, char *argv[])
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	bool passed[4], ok;
	unsigned int i, j;

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
	printf("# vectors in %s\n", dir);
	for (i = 0; i < 4; i++)
		passed[i] = check_file(dir, files[i].name, files[i].cipher,
				       files[i].psk);
	/* Each cipher: its files exist, parse and pass every check above. */
	for (i = NOISE_CIPHER_CHACHAPOLY; i <= NOISE_CIPHER_AESGCM; i++) {
		ok = true;
		for (j = 0; j < 4; j++)
			if (files[j].cipher == (int)i)
				ok = ok && passed[j];
		check(ok, "%s: both vector files exist, parse and pass",
		      i == NOISE_CIPHER_AESGCM ? "AES-256-GCM" :
						 "ChaCha20-Poly1305");
	}
	snprintf(path, sizeof(path), "%s/noise-ikpsk2-sha256-cacophony.json",
		 dir);
	check_cacophony(path);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
