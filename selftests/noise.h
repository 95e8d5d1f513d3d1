/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rfsec wire protocol (docs/PROTOCOL.md, version 1) in userspace, on
 * OpenSSL's libcrypto: Noise IKpsk2 over X25519 and SHA-256 with
 * ChaCha20-Poly1305 or AES-256-GCM, the rfsec prologue, the 4-byte message
 * headers, records with their per-direction counters, and rekeying.
 *
 * Written from the specification alone, as an independent peer for the
 * kernel module: the reference peer (refpeer.c) and the test-vector checker
 * (vectors_test.c) use it. Randomness (ephemeral keys) and the timestamp
 * can be given by the caller, so that every byte is reproducible.
 */
#ifndef RFSEC_SELFTEST_NOISE_H
#define RFSEC_SELFTEST_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOISE_KEY_LEN		32
#define NOISE_HASH_LEN		32
#define NOISE_TAG_LEN		16
#define NOISE_ADDR_LEN		6
#define NOISE_TS_LEN		12
#define NOISE_PROLOGUE_LEN	20
#define NOISE_VERSION		1

/* Cipher ids (section 2). */
#define NOISE_CIPHER_CHACHAPOLY	1
#define NOISE_CIPHER_AESGCM	2

/* Message types and sizes (section 3). */
#define NOISE_HDR_LEN		4
#define NOISE_MSG_INITIATION	1
#define NOISE_MSG_RESPONSE	2
#define NOISE_MSG_RECORD	3
#define NOISE_MSG_REFUSAL	4
#define NOISE_INITIATION_BODY	110
#define NOISE_RESPONSE_BODY	48
#define NOISE_INITIATION_LEN	(NOISE_HDR_LEN + NOISE_INITIATION_BODY)
#define NOISE_RESPONSE_LEN	(NOISE_HDR_LEN + NOISE_RESPONSE_BODY)
#define NOISE_REFUSAL_LEN	(NOISE_HDR_LEN + 1)

/* Records (section 3.1). */
#define NOISE_RECORD_MIN_BODY	17
#define NOISE_RECORD_MAX_BODY	4096
#define NOISE_RECORD_MAX_DATA	(NOISE_RECORD_MAX_BODY - 1 - NOISE_TAG_LEN)
#define NOISE_RECORD_MAX_LEN	(NOISE_HDR_LEN + NOISE_RECORD_MAX_BODY)
#define NOISE_INNER_DATA	0
#define NOISE_INNER_REKEY	1
#define NOISE_INNER_CONFIRM	2

/* Refusal reasons (section 3.2). */
#define NOISE_REFUSE_NO_KEY	1
#define NOISE_REFUSE_WRONG_KEY	2
#define NOISE_REFUSE_MALFORMED	3
#define NOISE_REFUSE_REPLAY	4

/* Handshake state of one side, from Initialize() to Split(). */
struct noise_hs {
	int cipher;
	bool initiator;
	uint8_t ck[NOISE_HASH_LEN];
	uint8_t h[NOISE_HASH_LEN];
	uint8_t k[NOISE_KEY_LEN];
	bool has_k;
	uint64_t n;
	uint8_t s_priv[NOISE_KEY_LEN];	/* own static pair */
	uint8_t s_pub[NOISE_KEY_LEN];
	uint8_t rs[NOISE_KEY_LEN];	/* remote static public key */
	uint8_t e_priv[NOISE_KEY_LEN];	/* own ephemeral pair */
	uint8_t e_pub[NOISE_KEY_LEN];
	uint8_t re[NOISE_KEY_LEN];	/* remote ephemeral public key */
	uint8_t psk[NOISE_KEY_LEN];
	uint8_t ts[NOISE_TS_LEN];	/* timestamp sent or received */
	uint8_t init_addr[NOISE_ADDR_LEN];
	uint8_t resp_addr[NOISE_ADDR_LEN];
	uint8_t channel;
};

/* One direction of a connection after Split(). */
struct noise_dir {
	uint8_t k[NOISE_KEY_LEN];
	uint64_t n;
};

struct noise_session {
	int cipher;
	struct noise_dir tx, rx;
	uint8_t hash[NOISE_HASH_LEN];	/* the final handshake hash */
};

/*
 * Errors of the handshake functions, as negative values: the refusal reason
 * a responder would send, or NOISE_ERR_* for what a refusal cannot say.
 */
#define NOISE_ERR_CRYPTO	100	/* libcrypto failed (not the peer) */
#define NOISE_ERR_DECRYPT	101	/* an AEAD tag did not verify */

/* Derives an X25519 public key; 0 or -NOISE_ERR_CRYPTO. */
int noise_pubkey(uint8_t pub[NOISE_KEY_LEN], const uint8_t priv[NOISE_KEY_LEN]);

/* 32 random bytes from the OS, clamped as an X25519 private key. */
int noise_genkey(uint8_t priv[NOISE_KEY_LEN]);

/* The 20-byte prologue of section 2.3. */
void noise_prologue(uint8_t out[NOISE_PROLOGUE_LEN], int cipher,
		    const uint8_t init_addr[NOISE_ADDR_LEN],
		    const uint8_t resp_addr[NOISE_ADDR_LEN], uint8_t channel);

/* TAI64N of the given Unix time. */
void noise_tai64n(uint8_t out[NOISE_TS_LEN], uint64_t sec, uint32_t nsec);

/*
 * Starts a handshake. s_priv is this side's static private key; rs the
 * responder's static public key (initiator; ignored by a responder, which
 * learns it from the initiation); psk NULL for none (0^32). A responder's
 * cipher is taken from the initiation; its psk may be changed with
 * noise_hs_set_psk() once it knows who the initiator is.
 */
int noise_hs_init(struct noise_hs *hs, bool initiator, int cipher,
		  const uint8_t s_priv[NOISE_KEY_LEN],
		  const uint8_t rs[NOISE_KEY_LEN],
		  const uint8_t psk[NOISE_KEY_LEN],
		  const uint8_t init_addr[NOISE_ADDR_LEN],
		  const uint8_t resp_addr[NOISE_ADDR_LEN], uint8_t channel);
void noise_hs_set_psk(struct noise_hs *hs, const uint8_t psk[NOISE_KEY_LEN]);

/*
 * Initiator: builds the initiation (header included) into out. e_priv NULL
 * draws a fresh ephemeral key; ts NULL takes the time now.
 */
int noise_write_initiation(struct noise_hs *hs,
			   const uint8_t e_priv[NOISE_KEY_LEN],
			   const uint8_t ts[NOISE_TS_LEN],
			   uint8_t out[NOISE_INITIATION_LEN]);

/*
 * Responder: parses and decrypts an initiation (header included). On
 * success hs->rs holds the initiator's static key and hs->ts its timestamp;
 * the caller checks both against its peer entry (section 2.4). Returns 0
 * or -NOISE_REFUSE_MALFORMED (or -NOISE_ERR_CRYPTO).
 */
int noise_read_initiation(struct noise_hs *hs, const uint8_t *msg, size_t len);

/* Responder: builds the response (header included). */
int noise_write_response(struct noise_hs *hs,
			 const uint8_t e_priv[NOISE_KEY_LEN],
			 uint8_t out[NOISE_RESPONSE_LEN]);

/*
 * Initiator: parses a response (header included): 0, -NOISE_REFUSE_MALFORMED
 * for a wrong header or a low-order key, -NOISE_REFUSE_WRONG_KEY when it
 * does not decrypt.
 */
int noise_read_response(struct noise_hs *hs, const uint8_t *msg, size_t len);

/* Split(): the session keys, each side's tx and rx; wipes hs. */
int noise_split(struct noise_hs *hs, struct noise_session *s);

/* A refusal message with the given reason. */
void noise_write_refusal(uint8_t out[NOISE_REFUSAL_LEN], uint8_t reason);

/*
 * Seals one record: header(3, 1, len) || ENCRYPT(d->k, d->n, header,
 * inner || data), advancing d->n. Returns the record's length (header
 * included) or a negative value.
 */
int noise_seal(int cipher, struct noise_dir *d, uint8_t inner,
	       const uint8_t *data, size_t len, uint8_t *out);

/* Result of noise_open(). */
#define NOISE_OPEN_BADHDR	(-1)	/* type, version or length wrong */
#define NOISE_OPEN_BADTAG	(-2)	/* authentication failed */
#define NOISE_OPEN_BADINNER	(-3)	/* unknown inner type */

/*
 * Opens one whole record (header included, len bytes): on success returns
 * the data length, sets *inner and copies the data to out (room for
 * NOISE_RECORD_MAX_DATA) and advances d->n; else NOISE_OPEN_*.
 */
int noise_open(int cipher, struct noise_dir *d, const uint8_t *rec,
	       size_t len, uint8_t *inner, uint8_t *out);

/* Rekey(k) of section 4; the counter goes back to 0. */
int noise_rekey(int cipher, struct noise_dir *d);

/* Builds a 4-byte header. */
void noise_header(uint8_t out[NOISE_HDR_LEN], uint8_t type, uint16_t len);

/* Wipes a session. */
void noise_session_wipe(struct noise_session *s);

#endif /* RFSEC_SELFTEST_NOISE_H */
