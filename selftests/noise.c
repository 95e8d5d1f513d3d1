// SPDX-License-Identifier: GPL-2.0
/*
 * The rfsec wire protocol in userspace with OpenSSL; see noise.h and
 * docs/PROTOCOL.md. Section numbers below are those of PROTOCOL.md.
 */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "noise.h"

static const char *const noise_names[] = {
	[NOISE_CIPHER_CHACHAPOLY] = "Noise_IKpsk2_25519_ChaChaPoly_SHA256",
	[NOISE_CIPHER_AESGCM] = "Noise_IKpsk2_25519_AESGCM_SHA256",
};

static bool cipher_ok(int cipher)
{
	return cipher == NOISE_CIPHER_CHACHAPOLY || cipher == NOISE_CIPHER_AESGCM;
}

/* 2.1 primitives */

static void hash2(uint8_t out[NOISE_HASH_LEN], const uint8_t *a, size_t alen,
		  const uint8_t *b, size_t blen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	/* Only allocation can fail; the caller's result then won't match. */
	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(c, a, alen) != 1 ||
	    EVP_DigestUpdate(c, b, blen) != 1 ||
	    EVP_DigestFinal_ex(c, out, NULL) != 1)
		memset(out, 0, NOISE_HASH_LEN);
	EVP_MD_CTX_free(c);
}

static int hmac(uint8_t out[NOISE_HASH_LEN], const uint8_t key[NOISE_HASH_LEN],
		const uint8_t *data, size_t len)
{
	unsigned int olen = NOISE_HASH_LEN;

	if (!HMAC(EVP_sha256(), key, NOISE_HASH_LEN, data, len, out, &olen))
		return -NOISE_ERR_CRYPTO;
	return 0;
}

/* Noise's HKDF with two or three outputs (o3 may be NULL). */
static int hkdf(const uint8_t ck[NOISE_HASH_LEN], const uint8_t *ikm,
		size_t ikm_len, uint8_t o1[NOISE_HASH_LEN],
		uint8_t o2[NOISE_HASH_LEN], uint8_t o3[NOISE_HASH_LEN])
{
	uint8_t t[NOISE_HASH_LEN], buf[NOISE_HASH_LEN + 1];
	uint8_t r1[NOISE_HASH_LEN], r2[NOISE_HASH_LEN];
	int ret;

	ret = hmac(t, ck, ikm, ikm_len);
	if (ret)
		goto out;
	buf[0] = 0x01;
	ret = hmac(r1, t, buf, 1);
	if (ret)
		goto out;
	memcpy(buf, r1, NOISE_HASH_LEN);
	buf[NOISE_HASH_LEN] = 0x02;
	ret = hmac(r2, t, buf, sizeof(buf));
	if (ret)
		goto out;
	if (o3) {
		memcpy(buf, r2, NOISE_HASH_LEN);
		buf[NOISE_HASH_LEN] = 0x03;
		ret = hmac(o3, t, buf, sizeof(buf));
		if (ret)
			goto out;
	}
	memcpy(o1, r1, NOISE_HASH_LEN);
	memcpy(o2, r2, NOISE_HASH_LEN);
out:
	OPENSSL_cleanse(t, sizeof(t));
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(r1, sizeof(r1));
	OPENSSL_cleanse(r2, sizeof(r2));
	return ret;
}

int noise_pubkey(uint8_t pub[NOISE_KEY_LEN], const uint8_t priv[NOISE_KEY_LEN])
{
	EVP_PKEY *k;
	size_t len = NOISE_KEY_LEN;
	int ret = 0;

	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
					 NOISE_KEY_LEN);
	if (!k)
		return -NOISE_ERR_CRYPTO;
	if (EVP_PKEY_get_raw_public_key(k, pub, &len) != 1 ||
	    len != NOISE_KEY_LEN)
		ret = -NOISE_ERR_CRYPTO;
	EVP_PKEY_free(k);
	return ret;
}

int noise_genkey(uint8_t priv[NOISE_KEY_LEN])
{
	if (RAND_priv_bytes(priv, NOISE_KEY_LEN) != 1)
		return -NOISE_ERR_CRYPTO;
	priv[0] &= 248;
	priv[31] &= 127;
	priv[31] |= 64;
	return 0;
}

/* DH(): X25519; an all-zero result (low-order point) is malformed. */
static int dh(uint8_t out[NOISE_KEY_LEN], const uint8_t priv[NOISE_KEY_LEN],
	      const uint8_t pub[NOISE_KEY_LEN])
{
	static const uint8_t zero[NOISE_KEY_LEN];
	EVP_PKEY *k = NULL, *p = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = NOISE_KEY_LEN;
	int ret = -NOISE_ERR_CRYPTO;

	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
					 NOISE_KEY_LEN);
	p = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub,
					NOISE_KEY_LEN);
	if (!k || !p)
		goto out;
	ctx = EVP_PKEY_CTX_new(k, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer(ctx, p) != 1)
		goto out;
	/* OpenSSL itself refuses an all-zero shared secret. */
	if (EVP_PKEY_derive(ctx, out, &len) != 1 || len != NOISE_KEY_LEN ||
	    !CRYPTO_memcmp(out, zero, NOISE_KEY_LEN)) {
		OPENSSL_cleanse(out, NOISE_KEY_LEN);
		ret = -NOISE_ERR_MALFORMED;
		goto out;
	}
	ret = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(k);
	EVP_PKEY_free(p);
	return ret;
}

static void nonce(uint8_t out[12], int cipher, uint64_t n)
{
	int i;

	memset(out, 0, 4);
	for (i = 0; i < 8; i++) {
		uint8_t b = n >> (8 * i);

		if (cipher == NOISE_CIPHER_CHACHAPOLY)
			out[4 + i] = b;		/* little-endian */
		else
			out[11 - i] = b;	/* big-endian */
	}
}

static const EVP_CIPHER *evp_cipher(int cipher)
{
	return cipher == NOISE_CIPHER_CHACHAPOLY ? EVP_chacha20_poly1305() :
						   EVP_aes_256_gcm();
}

/* ENCRYPT(): out gets len + 16 bytes. */
static int aead_encrypt(int cipher, const uint8_t k[NOISE_KEY_LEN], uint64_t n,
			const uint8_t *ad, size_t adlen, const uint8_t *pt,
			size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t iv[12];
	int outl, ret = -NOISE_ERR_CRYPTO;

	nonce(iv, cipher, n);
	if (!ctx || EVP_EncryptInit_ex(ctx, evp_cipher(cipher), NULL, k, iv) != 1)
		goto out;
	if (adlen && EVP_EncryptUpdate(ctx, NULL, &outl, ad, adlen) != 1)
		goto out;
	if (len && (EVP_EncryptUpdate(ctx, out, &outl, pt, len) != 1 ||
		    (size_t)outl != len))
		goto out;
	if (EVP_EncryptFinal_ex(ctx, out + len, &outl) != 1 || outl != 0)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, NOISE_TAG_LEN,
				out + len) != 1)
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/* DECRYPT(): c is len bytes, tag included; out gets len - 16 bytes. */
static int aead_decrypt(int cipher, const uint8_t k[NOISE_KEY_LEN], uint64_t n,
			const uint8_t *ad, size_t adlen, const uint8_t *c,
			size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t iv[12], tag[NOISE_TAG_LEN];
	size_t plen;
	int outl, ret = -NOISE_ERR_CRYPTO;

	if (len < NOISE_TAG_LEN)
		return -NOISE_ERR_DECRYPT;
	plen = len - NOISE_TAG_LEN;
	memcpy(tag, c + plen, NOISE_TAG_LEN);
	nonce(iv, cipher, n);
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || EVP_DecryptInit_ex(ctx, evp_cipher(cipher), NULL, k, iv) != 1)
		goto out;
	if (adlen && EVP_DecryptUpdate(ctx, NULL, &outl, ad, adlen) != 1)
		goto out;
	if (plen && (EVP_DecryptUpdate(ctx, out, &outl, c, plen) != 1 ||
		     (size_t)outl != plen))
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, NOISE_TAG_LEN,
				tag) != 1)
		goto out;
	if (EVP_DecryptFinal_ex(ctx, out + plen, &outl) != 1) {
		OPENSSL_cleanse(out, plen);
		ret = -NOISE_ERR_DECRYPT;
		goto out;
	}
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/* 2.2 symmetric state */

static void mix_hash(struct noise_hs *hs, const uint8_t *x, size_t len)
{
	hash2(hs->h, hs->h, NOISE_HASH_LEN, x, len);
}

static int mix_key(struct noise_hs *hs, const uint8_t *x, size_t len)
{
	int ret = hkdf(hs->ck, x, len, hs->ck, hs->k, NULL);

	hs->has_k = true;
	hs->n = 0;
	return ret;
}

static int mix_key_and_hash(struct noise_hs *hs, const uint8_t *x, size_t len)
{
	uint8_t t[NOISE_HASH_LEN];
	int ret = hkdf(hs->ck, x, len, hs->ck, t, hs->k);

	if (!ret)
		mix_hash(hs, t, sizeof(t));
	OPENSSL_cleanse(t, sizeof(t));
	hs->has_k = true;
	hs->n = 0;
	return ret;
}

static int encrypt_and_hash(struct noise_hs *hs, const uint8_t *pt, size_t len,
			    uint8_t *out)
{
	int ret;

	if (!hs->has_k)
		return -NOISE_ERR_CRYPTO;	/* never in IKpsk2 */
	ret = aead_encrypt(hs->cipher, hs->k, hs->n, hs->h, NOISE_HASH_LEN,
			   pt, len, out);
	if (ret)
		return ret;
	hs->n++;
	mix_hash(hs, out, len + NOISE_TAG_LEN);
	return 0;
}

static int decrypt_and_hash(struct noise_hs *hs, const uint8_t *c, size_t len,
			    uint8_t *out)
{
	int ret;

	if (!hs->has_k)
		return -NOISE_ERR_CRYPTO;
	ret = aead_decrypt(hs->cipher, hs->k, hs->n, hs->h, NOISE_HASH_LEN,
			   c, len, out);
	if (ret)
		return ret;
	hs->n++;
	mix_hash(hs, c, len);
	return 0;
}

/* The general IKpsk2 handshake */

int noise_hs_init(struct noise_hs *hs, bool initiator, int cipher,
		  const uint8_t s_priv[NOISE_KEY_LEN],
		  const uint8_t rs[NOISE_KEY_LEN],
		  const uint8_t psk[NOISE_KEY_LEN])
{
	memset(hs, 0, sizeof(*hs));
	hs->initiator = initiator;
	hs->cipher = cipher;
	memcpy(hs->s_priv, s_priv, NOISE_KEY_LEN);
	if (noise_pubkey(hs->s_pub, s_priv))
		return -NOISE_ERR_CRYPTO;
	if (psk)
		memcpy(hs->psk, psk, NOISE_KEY_LEN);
	if (initiator) {
		if (!rs)
			return -NOISE_ERR_CRYPTO;
		memcpy(hs->rs, rs, NOISE_KEY_LEN);
	}
	return 0;
}

void noise_hs_set_psk(struct noise_hs *hs, const uint8_t psk[NOISE_KEY_LEN])
{
	if (psk)
		memcpy(hs->psk, psk, NOISE_KEY_LEN);
	else
		memset(hs->psk, 0, NOISE_KEY_LEN);
}

int noise_ik_start(struct noise_hs *hs, const uint8_t *prologue, size_t len)
{
	const char *name;

	if (!cipher_ok(hs->cipher))
		return -NOISE_ERR_CRYPTO;
	name = noise_names[hs->cipher];
	/*
	 * Noise's InitializeSymmetric: a name of at most HASHLEN bytes is h
	 * itself, zero-padded (the AESGCM name is exactly 32 bytes); a longer
	 * one (ChaChaPoly's, 36) is hashed.
	 */
	if (strlen(name) <= NOISE_HASH_LEN) {
		memset(hs->h, 0, NOISE_HASH_LEN);
		memcpy(hs->h, name, strlen(name));
	} else {
		SHA256((const uint8_t *)name, strlen(name), hs->h);
	}
	memcpy(hs->ck, hs->h, NOISE_HASH_LEN);
	hs->has_k = false;
	hs->n = 0;
	mix_hash(hs, prologue, len);
	/* <- s: the responder's static key is known before the first message */
	mix_hash(hs, hs->initiator ? hs->rs : hs->s_pub, NOISE_KEY_LEN);
	return 0;
}

/* e, for the side that sends it: MixHash and, for the psk modifier, MixKey. */
static int write_e(struct noise_hs *hs, const uint8_t e_priv[NOISE_KEY_LEN],
		   uint8_t out[NOISE_KEY_LEN])
{
	if (e_priv)
		memcpy(hs->e_priv, e_priv, NOISE_KEY_LEN);
	else if (noise_genkey(hs->e_priv))
		return -NOISE_ERR_CRYPTO;
	if (noise_pubkey(hs->e_pub, hs->e_priv))
		return -NOISE_ERR_CRYPTO;
	memcpy(out, hs->e_pub, NOISE_KEY_LEN);
	mix_hash(hs, hs->e_pub, NOISE_KEY_LEN);
	return mix_key(hs, hs->e_pub, NOISE_KEY_LEN);
}

static int read_e(struct noise_hs *hs, const uint8_t in[NOISE_KEY_LEN])
{
	memcpy(hs->re, in, NOISE_KEY_LEN);
	mix_hash(hs, hs->re, NOISE_KEY_LEN);
	return mix_key(hs, hs->re, NOISE_KEY_LEN);
}

/* MixKey(DH(priv, pub)) */
static int mix_dh(struct noise_hs *hs, const uint8_t priv[NOISE_KEY_LEN],
		  const uint8_t pub[NOISE_KEY_LEN])
{
	uint8_t shared[NOISE_KEY_LEN];
	int ret = dh(shared, priv, pub);

	if (!ret)
		ret = mix_key(hs, shared, sizeof(shared));
	OPENSSL_cleanse(shared, sizeof(shared));
	return ret;
}

int noise_ik_write_first(struct noise_hs *hs,
			 const uint8_t e_priv[NOISE_KEY_LEN],
			 const uint8_t *payload, size_t plen, uint8_t *out)
{
	int ret;

	ret = write_e(hs, e_priv, out);				/* e */
	if (!ret)
		ret = mix_dh(hs, hs->e_priv, hs->rs);		/* es */
	if (!ret)
		ret = encrypt_and_hash(hs, hs->s_pub, NOISE_KEY_LEN,
				       out + NOISE_KEY_LEN);	/* s */
	if (!ret)
		ret = mix_dh(hs, hs->s_priv, hs->rs);		/* ss */
	if (!ret)
		ret = encrypt_and_hash(hs, payload, plen,
				       out + NOISE_IK_FIRST_LEN(0) -
				       NOISE_TAG_LEN);
	return ret;
}

int noise_ik_read_first(struct noise_hs *hs, const uint8_t *msg, size_t len,
			uint8_t *payload)
{
	const uint8_t *enc_s = msg + NOISE_KEY_LEN;
	const uint8_t *enc_p = enc_s + NOISE_KEY_LEN + NOISE_TAG_LEN;
	int ret;

	if (len < NOISE_IK_FIRST_LEN(0))
		return -NOISE_ERR_MALFORMED;
	ret = read_e(hs, msg);					/* e */
	if (!ret)
		ret = mix_dh(hs, hs->s_priv, hs->re);		/* es */
	if (!ret)
		ret = decrypt_and_hash(hs, enc_s, NOISE_KEY_LEN + NOISE_TAG_LEN,
				       hs->rs);			/* s */
	if (!ret)
		ret = mix_dh(hs, hs->s_priv, hs->rs);		/* ss */
	if (!ret)
		ret = decrypt_and_hash(hs, enc_p, msg + len - enc_p, payload);
	return ret ? ret : (int)(len - NOISE_IK_FIRST_LEN(0));
}

int noise_ik_write_second(struct noise_hs *hs,
			  const uint8_t e_priv[NOISE_KEY_LEN],
			  const uint8_t *payload, size_t plen, uint8_t *out)
{
	int ret;

	ret = write_e(hs, e_priv, out);				/* e */
	if (!ret)
		ret = mix_dh(hs, hs->e_priv, hs->re);		/* ee */
	if (!ret)
		ret = mix_dh(hs, hs->e_priv, hs->rs);		/* se */
	if (!ret)
		ret = mix_key_and_hash(hs, hs->psk, NOISE_KEY_LEN); /* psk */
	if (!ret)
		ret = encrypt_and_hash(hs, payload, plen, out + NOISE_KEY_LEN);
	return ret;
}

int noise_ik_read_second(struct noise_hs *hs, const uint8_t *msg, size_t len,
			 uint8_t *payload)
{
	int ret;

	if (len < NOISE_IK_SECOND_LEN(0))
		return -NOISE_ERR_MALFORMED;
	ret = read_e(hs, msg);					/* e */
	if (!ret)
		ret = mix_dh(hs, hs->e_priv, hs->re);		/* ee */
	if (!ret)
		ret = mix_dh(hs, hs->s_priv, hs->re);		/* se */
	if (!ret)
		ret = mix_key_and_hash(hs, hs->psk, NOISE_KEY_LEN); /* psk */
	if (!ret)
		ret = decrypt_and_hash(hs, msg + NOISE_KEY_LEN,
				       len - NOISE_KEY_LEN, payload);
	return ret ? ret : (int)(len - NOISE_IK_SECOND_LEN(0));
}

int noise_split(struct noise_hs *hs, struct noise_session *s)
{
	uint8_t k1[NOISE_KEY_LEN], k2[NOISE_KEY_LEN];
	int ret;

	memset(s, 0, sizeof(*s));
	ret = hkdf(hs->ck, NULL, 0, k1, k2, NULL);
	if (!ret) {
		s->cipher = hs->cipher;
		memcpy(s->tx.k, hs->initiator ? k1 : k2, NOISE_KEY_LEN);
		memcpy(s->rx.k, hs->initiator ? k2 : k1, NOISE_KEY_LEN);
		memcpy(s->hash, hs->h, NOISE_HASH_LEN);
	}
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	OPENSSL_cleanse(hs->ck, sizeof(hs->ck));
	OPENSSL_cleanse(hs->h, sizeof(hs->h));
	OPENSSL_cleanse(hs->k, sizeof(hs->k));
	OPENSSL_cleanse(hs->e_priv, sizeof(hs->e_priv));
	OPENSSL_cleanse(hs->s_priv, sizeof(hs->s_priv));
	OPENSSL_cleanse(hs->psk, sizeof(hs->psk));
	return ret;
}

int noise_transport_encrypt(int cipher, struct noise_dir *d,
			    const uint8_t *ad, size_t adlen,
			    const uint8_t *pt, size_t len, uint8_t *out)
{
	int ret = aead_encrypt(cipher, d->k, d->n, ad, adlen, pt, len, out);

	if (!ret)
		d->n++;
	return ret;
}

int noise_transport_decrypt(int cipher, struct noise_dir *d,
			    const uint8_t *ad, size_t adlen,
			    const uint8_t *c, size_t len, uint8_t *out)
{
	int ret = aead_decrypt(cipher, d->k, d->n, ad, adlen, c, len, out);

	if (!ret)
		d->n++;
	return ret;
}

/* rfsec: 2.3 prologue, 2.4 messages, 3 wire format */

void noise_prologue(uint8_t out[NOISE_PROLOGUE_LEN], int cipher)
{
	memcpy(out, "rfsec", 5);
	out[5] = NOISE_VERSION;
	out[6] = cipher;
}

void noise_header(uint8_t out[NOISE_HDR_LEN], uint8_t type, uint16_t len)
{
	out[0] = type;
	out[1] = NOISE_VERSION;
	out[2] = len >> 8;
	out[3] = len;
}

/* 0, or why the header is not (type, NOISE_VERSION, body). */
static int check_header(const uint8_t *msg, size_t len, uint8_t type,
			uint16_t body)
{
	if (len < NOISE_HDR_LEN)
		return -NOISE_ERR_MALFORMED;
	if (msg[1] != NOISE_VERSION)
		return -NOISE_ERR_VERSION;
	if (len != (size_t)NOISE_HDR_LEN + body || msg[0] != type ||
	    msg[2] != body >> 8 || msg[3] != (body & 0xff))
		return -NOISE_ERR_MALFORMED;
	return 0;
}

static bool limit_ok(uint16_t limit)
{
	return limit >= NOISE_RX_LIMIT_MIN && limit <= NOISE_RX_LIMIT_MAX;
}

static int rfsec_start(struct noise_hs *hs)
{
	uint8_t prologue[NOISE_PROLOGUE_LEN];

	noise_prologue(prologue, hs->cipher);
	return noise_ik_start(hs, prologue, sizeof(prologue));
}

int noise_write_initiation(struct noise_hs *hs,
			   const uint8_t e_priv[NOISE_KEY_LEN],
			   uint16_t rx_limit,
			   uint8_t out[NOISE_INITIATION_LEN])
{
	uint8_t *p = out + NOISE_HDR_LEN;
	uint8_t payload[NOISE_INIT_PAYLOAD] = { rx_limit >> 8, rx_limit };
	int ret;

	noise_header(out, NOISE_MSG_INITIATION, NOISE_INITIATION_BODY);
	p[0] = hs->cipher;
	p[1] = 0;
	ret = rfsec_start(hs);
	if (!ret)
		ret = noise_ik_write_first(hs, e_priv, payload, sizeof(payload),
					   p + 2);
	return ret;
}

int noise_read_initiation(struct noise_hs *hs, const uint8_t *msg, size_t len)
{
	const uint8_t *p = msg + NOISE_HDR_LEN;
	uint8_t payload[NOISE_INIT_PAYLOAD];
	int ret;

	ret = check_header(msg, len, NOISE_MSG_INITIATION,
			   NOISE_INITIATION_BODY);
	if (ret)
		return ret;
	if (!cipher_ok(p[0]))
		return -NOISE_ERR_CIPHER;
	if (p[1] != 0)
		return -NOISE_ERR_MALFORMED;
	hs->cipher = p[0];
	ret = rfsec_start(hs);
	if (ret)
		return ret;
	ret = noise_ik_read_first(hs, p + 2, NOISE_INITIATION_BODY - 2,
				  payload);
	if (ret == -NOISE_ERR_DECRYPT)
		return -NOISE_ERR_MALFORMED;
	if (ret < 0)
		return ret;
	hs->peer_rx_limit = payload[0] << 8 | payload[1];
	if (!limit_ok(hs->peer_rx_limit))
		return -NOISE_ERR_MALFORMED;
	return 0;
}

int noise_write_response(struct noise_hs *hs,
			 const uint8_t e_priv[NOISE_KEY_LEN],
			 uint16_t rx_limit, uint8_t channel,
			 uint8_t out[NOISE_RESPONSE_LEN])
{
	uint8_t payload[NOISE_RESP_PAYLOAD] = { rx_limit >> 8, rx_limit,
						channel };

	noise_header(out, NOISE_MSG_RESPONSE, NOISE_RESPONSE_BODY);
	return noise_ik_write_second(hs, e_priv, payload, sizeof(payload),
				     out + NOISE_HDR_LEN);
}

int noise_read_response(struct noise_hs *hs, const uint8_t *msg, size_t len,
			uint8_t channel)
{
	uint8_t payload[NOISE_RESP_PAYLOAD];
	int ret;

	ret = check_header(msg, len, NOISE_MSG_RESPONSE, NOISE_RESPONSE_BODY);
	if (ret)
		return ret;
	ret = noise_ik_read_second(hs, msg + NOISE_HDR_LEN,
				   NOISE_RESPONSE_BODY, payload);
	if (ret == -NOISE_ERR_DECRYPT)
		return -NOISE_ERR_WRONG_KEY;
	if (ret < 0)
		return ret;
	hs->peer_rx_limit = payload[0] << 8 | payload[1];
	hs->peer_channel = payload[2];
	if (!limit_ok(hs->peer_rx_limit))
		return -NOISE_ERR_MALFORMED;
	/* Only when both sides know the channel (section 2.3). */
	if (channel && hs->peer_channel && channel != hs->peer_channel)
		return -NOISE_ERR_CHANNEL;
	return 0;
}

void noise_write_refusal(uint8_t out[NOISE_REFUSAL_LEN], uint8_t code,
			 uint8_t ciphers)
{
	noise_header(out, NOISE_MSG_REFUSAL, NOISE_REFUSAL_BODY);
	out[NOISE_HDR_LEN] = code;
	out[NOISE_HDR_LEN + 1] = ciphers;
}

/* 3.1 records, 4 rekeying */

int noise_seal(int cipher, struct noise_dir *d, uint8_t inner,
	       const uint8_t *data, size_t len, uint8_t *out)
{
	uint8_t pt[1 + NOISE_RECORD_MAX_DATA];
	size_t body = 1 + len + NOISE_TAG_LEN;
	int ret;

	if (len > NOISE_RECORD_MAX_DATA)
		return -NOISE_ERR_CRYPTO;
	noise_header(out, NOISE_MSG_RECORD, body);
	pt[0] = inner;
	if (len)
		memcpy(pt + 1, data, len);
	ret = noise_transport_encrypt(cipher, d, out, NOISE_HDR_LEN, pt,
				      1 + len, out + NOISE_HDR_LEN);
	OPENSSL_cleanse(pt, 1 + len);
	return ret ? ret : (int)(NOISE_HDR_LEN + body);
}

int noise_open(int cipher, struct noise_dir *d, const uint8_t *rec,
	       size_t len, uint8_t *inner, uint8_t *out)
{
	uint8_t pt[1 + NOISE_RECORD_MAX_DATA];
	size_t body;
	int ret;

	if (len < NOISE_HDR_LEN || rec[0] != NOISE_MSG_RECORD ||
	    rec[1] != NOISE_VERSION)
		return NOISE_OPEN_BADHDR;
	body = (size_t)rec[2] << 8 | rec[3];
	if (body < NOISE_RECORD_MIN_BODY || body > NOISE_RECORD_MAX_BODY ||
	    len != NOISE_HDR_LEN + body)
		return NOISE_OPEN_BADHDR;
	if (noise_transport_decrypt(cipher, d, rec, NOISE_HDR_LEN,
				    rec + NOISE_HDR_LEN, body, pt))
		return NOISE_OPEN_BADTAG;
	ret = body - 1 - NOISE_TAG_LEN;
	*inner = pt[0];
	if (pt[0] > NOISE_INNER_CLOSE ||
	    (pt[0] != NOISE_INNER_DATA && ret != 0))
		ret = NOISE_OPEN_BADINNER;
	else if (ret)
		memcpy(out, pt + 1, ret);
	OPENSSL_cleanse(pt, body - NOISE_TAG_LEN);
	return ret;
}

int noise_rekey(int cipher, struct noise_dir *d)
{
	static const uint8_t zero[NOISE_KEY_LEN];
	uint8_t out[NOISE_KEY_LEN + NOISE_TAG_LEN];
	int ret;

	ret = aead_encrypt(cipher, d->k, UINT64_MAX, NULL, 0, zero,
			   NOISE_KEY_LEN, out);
	if (!ret) {
		memcpy(d->k, out, NOISE_KEY_LEN);
		d->n = 0;
	}
	OPENSSL_cleanse(out, sizeof(out));
	return ret;
}

void noise_session_wipe(struct noise_session *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}
