/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Noise Protocol Framework's building blocks as docs/PROTOCOL.md
 * section 2 uses them: SHA-256, HMAC-SHA256, HKDF, X25519 and the two
 * AEADs, all through the kernel crypto API, and Noise's symmetric state.
 */

#ifndef RFSEC_NOISE_H
#define RFSEC_NOISE_H

#include "uapi/rfsec.h"

#include <crypto/aead.h>
#include <crypto/hash.h>
#include <crypto/kpp.h>
#include <linux/types.h>

#define RFSEC_HASH_LEN		32
#define RFSEC_TAG_LEN		16
#define RFSEC_NONCE_LEN		12

/*
 * An AEAD transform of one cipher (enum rfsec_cipher, 16-byte tag) with the
 * one request it is used through, allocated with it so that nothing
 * allocates per message. Each user (one direction of a connection's
 * records, one handshake) owns its own and serialises its calls.
 */
struct rfsec_aead {
	struct crypto_aead *tfm;
	struct aead_request *req;
	u8 *iv;			/* RFSEC_NONCE_LEN bytes after the request */
	u8 cipher;
};

/* Allocate @a's transform and request; -EINVAL for an unknown cipher. */
int rfsec_aead_init(struct rfsec_aead *a, u8 cipher);
/* Free both, wiping the request and the key schedule; @a may be zeroed. */
void rfsec_aead_destroy(struct rfsec_aead *a);
int rfsec_aead_setkey(struct rfsec_aead *a, const u8 *key);

/*
 * Encrypt (@enc) or decrypt @len bytes at @buf in place with the counter
 * @n as Noise builds the nonce for the cipher. @ad (@ad_len bytes) may
 * directly precede @buf or be anywhere; both must be addressable by a
 * scatterlist (not on the stack). Encrypting appends the tag after @len
 * bytes; decrypting takes @len including the tag and fails with -EBADMSG
 * when it does not authenticate. A failed decryption wipes @buf: the
 * generic templates decrypt before they verify.
 */
int rfsec_aead_crypt(struct rfsec_aead *a, u64 n, const u8 *ad,
		     unsigned int ad_len, u8 *buf, unsigned int len, bool enc);

/*
 * Noise's Rekey(k): the key becomes the first 32 bytes of ENCRYPT(k,
 * 2^64 - 1, empty, zeros). @scratch: 48 bytes, scatterlist-addressable,
 * wiped on return. On failure the transform's key is undefined (a setkey
 * may fail half-way): the caller must never use @a again.
 */
int rfsec_aead_rekey(struct rfsec_aead *a, u8 *scratch);

/*
 * The transforms one handshake uses, and Noise's symmetric state. The
 * whole structure is allocated (never on the stack: scatterlists point
 * into it) and freed with rfsec_noise_free(), which wipes it.
 */
struct rfsec_noise {
	struct crypto_shash *sha256;
	struct crypto_shash *hmac;
	struct crypto_kpp *x25519;
	struct rfsec_aead aead;
	u8 cipher;
	bool has_key;
	u64 n;
	u8 ck[RFSEC_HASH_LEN];
	u8 h[RFSEC_HASH_LEN];
	/* X25519 input and output; scatterlists point here. */
	u8 dh_in[RFSEC_KEY_LEN];
	u8 dh_out[RFSEC_KEY_LEN];
};

/*
 * Load every algorithm a connection will use now, at module load, rather
 * than in the first connection's handshake (request_module() can take a
 * second). Failures only warn: a connection then fails with the error.
 */
void rfsec_noise_preload(void);

struct rfsec_noise *rfsec_noise_new(u8 cipher);
void rfsec_noise_free(struct rfsec_noise *noise);

/* Initialize(name of @noise->cipher's protocol); h = HASH(name). */
int rfsec_noise_init(struct rfsec_noise *noise);
int rfsec_noise_mix_hash(struct rfsec_noise *noise, const u8 *data,
			 unsigned int len);
int rfsec_noise_mix_key(struct rfsec_noise *noise, const u8 *ikm,
			unsigned int len);
int rfsec_noise_mix_key_and_hash(struct rfsec_noise *noise, const u8 *ikm,
				 unsigned int len);
/*
 * EncryptAndHash / DecryptAndHash in place at @buf (allocated memory):
 * @len is the plaintext length; the ciphertext is @len + RFSEC_TAG_LEN.
 */
int rfsec_noise_encrypt_and_hash(struct rfsec_noise *noise, u8 *buf,
				 unsigned int len);
int rfsec_noise_decrypt_and_hash(struct rfsec_noise *noise, u8 *buf,
				 unsigned int len);
/* Split() into the two transport keys. */
int rfsec_noise_split(struct rfsec_noise *noise, u8 k1[RFSEC_KEY_LEN],
		      u8 k2[RFSEC_KEY_LEN]);
/*
 * The ratchet's root key: the third output of Split()'s HKDF, which Noise
 * leaves unused (docs/PROTOCOL.md 4.2).
 */
int rfsec_noise_root_key(struct rfsec_noise *noise, u8 rk[RFSEC_KEY_LEN]);
/*
 * One ratchet step: @rk, k1, k2 = HKDF(@rk, DH(@priv, @pub)); @rk is
 * replaced only on success. -EINVAL: a low-order @pub.
 */
int rfsec_noise_ratchet(struct rfsec_noise *noise, u8 rk[RFSEC_KEY_LEN],
			const u8 priv[RFSEC_KEY_LEN],
			const u8 pub[RFSEC_KEY_LEN], u8 k1[RFSEC_KEY_LEN],
			u8 k2[RFSEC_KEY_LEN]);

/* A fresh X25519 private key and its public key. */
int rfsec_noise_keypair(struct rfsec_noise *noise, u8 priv[RFSEC_KEY_LEN],
			u8 pub[RFSEC_KEY_LEN]);
/*
 * X25519(@priv, @pub) into @noise->dh_out; -EINVAL when the result is all
 * zero (a low-order public key).
 */
int rfsec_noise_dh(struct rfsec_noise *noise, const u8 priv[RFSEC_KEY_LEN],
		   const u8 pub[RFSEC_KEY_LEN]);

#endif /* RFSEC_NOISE_H */
