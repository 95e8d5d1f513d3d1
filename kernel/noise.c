// SPDX-License-Identifier: GPL-2.0-only
/*
 * Noise building blocks over the kernel crypto API (docs/PROTOCOL.md,
 * section 2.1 and 2.2). The transforms are allocated per handshake: a
 * handshake is rare next to the records it protects, and a private hmac
 * transform lets each handshake set its own key without a lock.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "noise.h"
#include "fault.h"
#include "compat.h"

#include <crypto/algapi.h>
#include <linux/err.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

/* The Noise protocol names, by cipher id (uapi enum rfsec_cipher). */
static const char *const rfsec_noise_names[] = {
	[RFSEC_CIPHER_CHACHA20_POLY1305] = "Noise_IKpsk2_25519_ChaChaPoly_SHA256",
	[RFSEC_CIPHER_AES_256_GCM] = "Noise_IKpsk2_25519_AESGCM_SHA256",
};

static const char *const rfsec_aead_names[] = {
	[RFSEC_CIPHER_CHACHA20_POLY1305] = "rfc7539(chacha20,poly1305)",
	[RFSEC_CIPHER_AES_256_GCM] = "gcm(aes)",
};

static bool rfsec_cipher_valid(u8 cipher)
{
	return cipher >= 1 && cipher <= RFSEC_CIPHER_MAX;
}

int rfsec_aead_init(struct rfsec_aead *a, u8 cipher)
{
	size_t req_size;
	int ret;

	memset(a, 0, sizeof(*a));
	if (!rfsec_cipher_valid(cipher))
		return -EINVAL;
	a->cipher = cipher;
	/* The test fault: what a kernel without the cipher answers. */
	if (rfsec_fault(RFSEC_FAULT_NO_AEAD))
		a->tfm = ERR_PTR(-ENOENT);
	else
		a->tfm = crypto_alloc_aead(rfsec_aead_names[cipher], 0, 0);
	if (IS_ERR(a->tfm)) {
		ret = PTR_ERR(a->tfm);
		a->tfm = NULL;
		return ret;
	}
	ret = crypto_aead_setauthsize(a->tfm, RFSEC_TAG_LEN);
	if (ret)
		goto err;
	/* The IV lives with the request: drivers may not read the stack. */
	req_size = sizeof(*a->req) + crypto_aead_reqsize(a->tfm);
	a->req = kmalloc(req_size + RFSEC_NONCE_LEN, GFP_KERNEL);
	if (!a->req) {
		ret = -ENOMEM;
		goto err;
	}
	a->iv = (u8 *)a->req + req_size;
	aead_request_set_tfm(a->req, a->tfm);
	return 0;
err:
	rfsec_aead_destroy(a);
	return ret;
}

void rfsec_aead_destroy(struct rfsec_aead *a)
{
	/* The request context may hold key stream; the tfm, the key. */
	kfree_sensitive(a->req);
	a->req = NULL;
	if (a->tfm)
		crypto_free_aead(a->tfm);
	a->tfm = NULL;
}

int rfsec_aead_setkey(struct rfsec_aead *a, const u8 *key)
{
	return crypto_aead_setkey(a->tfm, key, RFSEC_KEY_LEN);
}

/* Noise's nonce: 32 zero bits, then the counter (LE for ChaChaPoly). */
static void rfsec_nonce(u8 iv[RFSEC_NONCE_LEN], u8 cipher, u64 n)
{
	memset(iv, 0, 4);
	if (cipher == RFSEC_CIPHER_CHACHA20_POLY1305)
		put_unaligned_le64(n, iv + 4);
	else
		put_unaligned_be64(n, iv + 4);
}

int rfsec_aead_crypt(struct rfsec_aead *a, u64 n, const u8 *ad,
		     unsigned int ad_len, u8 *buf, unsigned int len, bool enc)
{
	unsigned int room = len + (enc ? RFSEC_TAG_LEN : 0);
	DECLARE_CRYPTO_WAIT(wait);
	struct scatterlist sg[2];
	int ret;

	rfsec_nonce(a->iv, a->cipher, n);
	if (!ad_len) {
		sg_init_one(sg, buf, room);
	} else if (ad + ad_len == buf) {
		sg_init_one(sg, ad, ad_len + room);
	} else {
		sg_init_table(sg, 2);
		sg_set_buf(&sg[0], ad, ad_len);
		sg_set_buf(&sg[1], buf, room);
	}
	aead_request_set_callback(a->req, CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	aead_request_set_ad(a->req, ad_len);
	aead_request_set_crypt(a->req, sg, sg, len, a->iv);
	ret = crypto_wait_req(enc ? crypto_aead_encrypt(a->req) :
			      crypto_aead_decrypt(a->req), &wait);
	if (ret && !enc)
		memzero_explicit(buf, len);
	return ret;
}

int rfsec_aead_rekey(struct rfsec_aead *a, u8 *scratch)
{
	int ret;

	memset(scratch, 0, RFSEC_KEY_LEN);
	ret = rfsec_aead_crypt(a, U64_MAX, NULL, 0, scratch, RFSEC_KEY_LEN,
			       true);
	if (!ret)
		ret = rfsec_aead_setkey(a, scratch);
	memzero_explicit(scratch, RFSEC_KEY_LEN + RFSEC_TAG_LEN);
	return ret;
}

void rfsec_noise_preload(void)
{
	struct rfsec_noise *noise;
	struct rfsec_aead aead;
	int ret;

	noise = rfsec_noise_new(RFSEC_CIPHER_CHACHA20_POLY1305);
	if (IS_ERR(noise))
		pr_warn("cannot load the handshake's algorithms: %ld\n",
			PTR_ERR(noise));
	else
		rfsec_noise_free(noise);
	ret = rfsec_aead_init(&aead, RFSEC_CIPHER_AES_256_GCM);
	if (ret)
		pr_warn("cannot load AES-256-GCM: %d\n", ret);
	rfsec_aead_destroy(&aead);
}

/* A transform of the crypto API, or its error; NULL stands for none. */
static int rfsec_tfm_err(void *tfm)
{
	return IS_ERR(tfm) ? PTR_ERR(tfm) : 0;
}

struct rfsec_noise *rfsec_noise_new(u8 cipher)
{
	struct rfsec_noise *noise;
	int ret;

	if (!rfsec_cipher_valid(cipher))
		return ERR_PTR(-EINVAL);
	noise = kzalloc(sizeof(*noise), GFP_KERNEL);
	if (!noise)
		return ERR_PTR(-ENOMEM);
	noise->cipher = cipher;
	noise->sha256 = crypto_alloc_shash("sha256", 0, 0);
	noise->hmac = crypto_alloc_shash("hmac(sha256)", 0, 0);
	noise->x25519 = crypto_alloc_kpp("curve25519", 0, 0);
	/* The first failure is the one reported (ENOENT, ENOMEM, ...). */
	ret = rfsec_tfm_err(noise->sha256) ?: rfsec_tfm_err(noise->hmac) ?:
	      rfsec_tfm_err(noise->x25519) ?:
	      rfsec_aead_init(&noise->aead, cipher);
	if (ret) {
		rfsec_noise_free(noise);
		return ERR_PTR(ret);
	}
	return noise;
}

void rfsec_noise_free(struct rfsec_noise *noise)
{
	if (IS_ERR_OR_NULL(noise))
		return;
	/* The crypto API wipes a transform's context when freeing it. */
	if (!IS_ERR_OR_NULL(noise->sha256))
		crypto_free_shash(noise->sha256);
	if (!IS_ERR_OR_NULL(noise->hmac))
		crypto_free_shash(noise->hmac);
	if (!IS_ERR_OR_NULL(noise->x25519))
		crypto_free_kpp(noise->x25519);
	rfsec_aead_destroy(&noise->aead);
	kfree_sensitive(noise);
}

static int rfsec_hash2(struct rfsec_noise *noise, const u8 *a,
		       unsigned int a_len, const u8 *b, unsigned int b_len,
		       u8 out[RFSEC_HASH_LEN])
{
	SHASH_DESC_ON_STACK(desc, noise->sha256);
	int ret;

	desc->tfm = noise->sha256;
	ret = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, a, a_len) ?:
	      crypto_shash_update(desc, b, b_len) ?:
	      crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return ret;
}

/* HMAC-SHA256(key, a || b); @out may alias @a. */
static int rfsec_hmac2(struct rfsec_noise *noise, const u8 *key,
		       const u8 *a, unsigned int a_len, const u8 *b,
		       unsigned int b_len, u8 out[RFSEC_HASH_LEN])
{
	SHASH_DESC_ON_STACK(desc, noise->hmac);
	int ret;

	ret = crypto_shash_setkey(noise->hmac, key, RFSEC_HASH_LEN);
	if (ret)
		return ret;
	desc->tfm = noise->hmac;
	ret = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, a, a_len) ?:
	      crypto_shash_update(desc, b, b_len) ?:
	      crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return ret;
}

/* Noise's HKDF(ck, ikm) with two or three outputs (@o3 may be NULL). */
static int rfsec_hkdf(struct rfsec_noise *noise, const u8 *ikm,
		      unsigned int ikm_len, u8 o1[RFSEC_HASH_LEN],
		      u8 o2[RFSEC_HASH_LEN], u8 o3[RFSEC_HASH_LEN])
{
	static const u8 one = 1, two = 2, three = 3;
	u8 temp[RFSEC_HASH_LEN];
	int ret;

	ret = rfsec_hmac2(noise, noise->ck, ikm, ikm_len, NULL, 0, temp) ?:
	      rfsec_hmac2(noise, temp, &one, 1, NULL, 0, o1) ?:
	      rfsec_hmac2(noise, temp, o1, RFSEC_HASH_LEN, &two, 1, o2);
	if (!ret && o3)
		ret = rfsec_hmac2(noise, temp, o2, RFSEC_HASH_LEN, &three, 1,
				  o3);
	memzero_explicit(temp, sizeof(temp));
	return ret;
}

int rfsec_noise_init(struct rfsec_noise *noise)
{
	const char *name = rfsec_noise_names[noise->cipher];
	size_t len = strlen(name);
	int ret = 0;

	/*
	 * Noise hashes a name only when it is longer than HASHLEN; one of
	 * HASHLEN or fewer bytes is h itself, zero-padded. The AES-GCM name
	 * is exactly 32 bytes (cacophony's vectors showed version 1 hashed
	 * it), the ChaCha20-Poly1305 one longer.
	 */
	if (len > RFSEC_HASH_LEN) {
		ret = rfsec_hash2(noise, name, len, NULL, 0, noise->h);
	} else {
		memset(noise->h, 0, RFSEC_HASH_LEN);
		memcpy(noise->h, name, len);
	}
	memcpy(noise->ck, noise->h, RFSEC_HASH_LEN);
	noise->has_key = false;
	noise->n = 0;
	return ret;
}

int rfsec_noise_mix_hash(struct rfsec_noise *noise, const u8 *data,
			 unsigned int len)
{
	return rfsec_hash2(noise, noise->h, RFSEC_HASH_LEN, data, len,
			   noise->h);
}

static int rfsec_noise_set_key(struct rfsec_noise *noise, const u8 *k)
{
	noise->has_key = true;
	noise->n = 0;
	return rfsec_aead_setkey(&noise->aead, k);
}

int rfsec_noise_mix_key(struct rfsec_noise *noise, const u8 *ikm,
			unsigned int len)
{
	u8 ck[RFSEC_HASH_LEN], k[RFSEC_HASH_LEN];
	int ret;

	ret = rfsec_hkdf(noise, ikm, len, ck, k, NULL);
	if (!ret) {
		memcpy(noise->ck, ck, RFSEC_HASH_LEN);
		ret = rfsec_noise_set_key(noise, k);
	}
	memzero_explicit(ck, sizeof(ck));
	memzero_explicit(k, sizeof(k));
	return ret;
}

int rfsec_noise_mix_key_and_hash(struct rfsec_noise *noise, const u8 *ikm,
				 unsigned int len)
{
	u8 ck[RFSEC_HASH_LEN], t[RFSEC_HASH_LEN], k[RFSEC_HASH_LEN];
	int ret;

	ret = rfsec_hkdf(noise, ikm, len, ck, t, k);
	if (!ret) {
		memcpy(noise->ck, ck, RFSEC_HASH_LEN);
		ret = rfsec_noise_mix_hash(noise, t, RFSEC_HASH_LEN) ?:
		      rfsec_noise_set_key(noise, k);
	}
	memzero_explicit(ck, sizeof(ck));
	memzero_explicit(t, sizeof(t));
	memzero_explicit(k, sizeof(k));
	return ret;
}

/* The AD is h, inside @noise; the pattern always has a key here. */
int rfsec_noise_encrypt_and_hash(struct rfsec_noise *noise, u8 *buf,
				 unsigned int len)
{
	int ret;

	if (WARN_ON_ONCE(!noise->has_key))
		return -EINVAL;
	ret = rfsec_aead_crypt(&noise->aead, noise->n, noise->h,
			       RFSEC_HASH_LEN, buf, len, true);
	if (ret)
		return ret;
	noise->n++;
	return rfsec_noise_mix_hash(noise, buf, len + RFSEC_TAG_LEN);
}

int rfsec_noise_decrypt_and_hash(struct rfsec_noise *noise, u8 *buf,
				 unsigned int len)
{
	u8 h[RFSEC_HASH_LEN];
	int ret;

	if (WARN_ON_ONCE(!noise->has_key))
		return -EINVAL;
	/* MixHash() covers the ciphertext, which decryption overwrites. */
	ret = rfsec_hash2(noise, noise->h, RFSEC_HASH_LEN, buf,
			  len + RFSEC_TAG_LEN, h);
	if (!ret)
		ret = rfsec_aead_crypt(&noise->aead, noise->n, noise->h,
				       RFSEC_HASH_LEN, buf,
				       len + RFSEC_TAG_LEN, false);
	if (!ret) {
		noise->n++;
		memcpy(noise->h, h, RFSEC_HASH_LEN);
	}
	memzero_explicit(h, sizeof(h));
	return ret;
}

int rfsec_noise_split(struct rfsec_noise *noise, u8 k1[RFSEC_KEY_LEN],
		      u8 k2[RFSEC_KEY_LEN])
{
	return rfsec_hkdf(noise, NULL, 0, k1, k2, NULL);
}

int rfsec_noise_root_key(struct rfsec_noise *noise, u8 rk[RFSEC_KEY_LEN])
{
	u8 k1[RFSEC_KEY_LEN], k2[RFSEC_KEY_LEN];
	int ret;

	ret = rfsec_hkdf(noise, NULL, 0, k1, k2, rk);
	memzero_explicit(k1, sizeof(k1));
	memzero_explicit(k2, sizeof(k2));
	return ret;
}

int rfsec_noise_ratchet(struct rfsec_noise *noise, u8 rk[RFSEC_KEY_LEN],
			const u8 priv[RFSEC_KEY_LEN],
			const u8 pub[RFSEC_KEY_LEN], u8 k1[RFSEC_KEY_LEN],
			u8 k2[RFSEC_KEY_LEN])
{
	u8 next[RFSEC_KEY_LEN];
	int ret;

	memcpy(noise->ck, rk, RFSEC_KEY_LEN);
	ret = rfsec_noise_dh(noise, priv, pub) ?:
	      rfsec_hkdf(noise, noise->dh_out, RFSEC_KEY_LEN, next, k1, k2);
	if (!ret)
		memcpy(rk, next, RFSEC_KEY_LEN);
	memzero_explicit(next, sizeof(next));
	memzero_explicit(noise->dh_out, RFSEC_KEY_LEN);
	memzero_explicit(noise->ck, RFSEC_KEY_LEN);
	return ret;
}

/*
 * One kpp call: the public key of @priv (@pub NULL) or the shared secret
 * with @pub, into dh_out.
 */
static int rfsec_noise_kpp(struct rfsec_noise *noise, const u8 *priv,
			   const u8 *pub)
{
	DECLARE_CRYPTO_WAIT(wait);
	struct scatterlist src, dst;
	struct kpp_request *req;
	int ret;

	/* The tfm keeps a copy of the scalar; freeing it wipes that. */
	ret = crypto_kpp_set_secret(noise->x25519, priv, RFSEC_KEY_LEN);
	if (ret)
		return ret;
	req = kpp_request_alloc(noise->x25519, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	sg_init_one(&dst, noise->dh_out, RFSEC_KEY_LEN);
	if (pub) {
		memcpy(noise->dh_in, pub, RFSEC_KEY_LEN);
		sg_init_one(&src, noise->dh_in, RFSEC_KEY_LEN);
		kpp_request_set_input(req, &src, RFSEC_KEY_LEN);
	} else {
		kpp_request_set_input(req, NULL, 0);
	}
	kpp_request_set_output(req, &dst, RFSEC_KEY_LEN);
	kpp_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP,
				 crypto_req_done, &wait);
	ret = crypto_wait_req(pub ? crypto_kpp_compute_shared_secret(req) :
			      crypto_kpp_generate_public_key(req), &wait);
	kpp_request_free(req);
	return ret;
}

int rfsec_noise_keypair(struct rfsec_noise *noise, u8 priv[RFSEC_KEY_LEN],
			u8 pub[RFSEC_KEY_LEN])
{
	int ret;

	get_random_bytes(priv, RFSEC_KEY_LEN);
	ret = rfsec_noise_kpp(noise, priv, NULL);
	if (!ret)
		memcpy(pub, noise->dh_out, RFSEC_KEY_LEN);
	return ret;
}

int rfsec_noise_dh(struct rfsec_noise *noise, const u8 priv[RFSEC_KEY_LEN],
		   const u8 pub[RFSEC_KEY_LEN])
{
	static const u8 zero[RFSEC_KEY_LEN];
	int ret;

	ret = rfsec_noise_kpp(noise, priv, pub);
	if (ret)
		return ret == -EKEYREJECTED ? -EINVAL : ret;
	if (!crypto_memneq(noise->dh_out, zero, RFSEC_KEY_LEN))
		return -EINVAL;
	return 0;
}
