/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rfsec wire protocol (docs/PROTOCOL.md, version 2) in userspace, on
 * OpenSSL's libcrypto, in two layers:
 *
 * - Noise IKpsk2 over X25519 and SHA-256 with ChaCha20-Poly1305 or
 *   AES-256-GCM, with any prologue and any payloads (noise_ik_*), as the
 *   Noise specification defines it: enough to reproduce other
 *   implementations' vectors (cacophony's);
 * - rfsec on top of it: the 7-byte prologue, the 4-byte message headers,
 *   the receive-limit and channel payloads, refusals, records with their
 *   per-direction counters, rekeying and the close record.
 *
 * Written from the specification alone, as an independent peer for the
 * kernel module: the reference peer (refpeer.c) and the test-vector checker
 * (vectors_test.c) use it. Ephemeral keys can be given by the caller, so
 * that every byte is reproducible.
 */
#ifndef RFSEC_SELFTEST_NOISE_H
#define RFSEC_SELFTEST_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOISE_KEY_LEN		32
#define NOISE_HASH_LEN		32
#define NOISE_TAG_LEN		16
#define NOISE_PROLOGUE_LEN	7
#define NOISE_VERSION		2

/* Cipher ids (section 2) and the refusal's set of them (bit id - 1). */
#define NOISE_CIPHER_CHACHAPOLY	1
#define NOISE_CIPHER_AESGCM	2
#define NOISE_CIPHERS_ALL	3

/* Message types and sizes (section 3). */
#define NOISE_HDR_LEN		4
#define NOISE_MSG_INITIATION	1
#define NOISE_MSG_RESPONSE	2
#define NOISE_MSG_RECORD	3
#define NOISE_MSG_REFUSAL	4
#define NOISE_INIT_PAYLOAD	2	/* rx_limit */
#define NOISE_RESP_PAYLOAD	3	/* rx_limit, channel */
#define NOISE_INITIATION_BODY	100
#define NOISE_RESPONSE_BODY	51
#define NOISE_REFUSAL_BODY	2
#define NOISE_INITIATION_LEN	(NOISE_HDR_LEN + NOISE_INITIATION_BODY)
#define NOISE_RESPONSE_LEN	(NOISE_HDR_LEN + NOISE_RESPONSE_BODY)
#define NOISE_REFUSAL_LEN	(NOISE_HDR_LEN + NOISE_REFUSAL_BODY)

/* Noise IK's two messages around a payload of p bytes. */
#define NOISE_IK_FIRST_LEN(p)	(NOISE_KEY_LEN + NOISE_KEY_LEN + \
				 NOISE_TAG_LEN + (p) + NOISE_TAG_LEN)
#define NOISE_IK_SECOND_LEN(p)	(NOISE_KEY_LEN + (p) + NOISE_TAG_LEN)

/* Receive limits (section 2.4): whole records, header included. */
#define NOISE_RX_LIMIT_MIN	64
#define NOISE_RX_LIMIT_MAX	4100

/* Records (section 3.1). */
#define NOISE_RECORD_MIN_BODY	17
#define NOISE_RECORD_MAX_BODY	4096
#define NOISE_RECORD_OVERHEAD	(NOISE_HDR_LEN + 1 + NOISE_TAG_LEN)
#define NOISE_RECORD_MAX_DATA	(NOISE_RECORD_MAX_BODY - 1 - NOISE_TAG_LEN)
#define NOISE_RECORD_MAX_LEN	(NOISE_HDR_LEN + NOISE_RECORD_MAX_BODY)
#define NOISE_INNER_DATA	0
#define NOISE_INNER_REKEY	1
#define NOISE_INNER_CONFIRM	2
#define NOISE_INNER_CLOSE	3

/* Refusal codes (section 3.2). */
#define NOISE_REFUSE_REFUSED	1
#define NOISE_REFUSE_CIPHER	2

/*
 * Errors of the handshake functions, as negative values. What a responder
 * answers for each is the caller's choice (section 3.2: CIPHER gets code
 * 2, VERSION a refusal of that version, everything else code 1).
 */
#define NOISE_ERR_CRYPTO	100	/* libcrypto failed (not the peer) */
#define NOISE_ERR_DECRYPT	101	/* an AEAD tag did not verify */
#define NOISE_ERR_MALFORMED	102	/* type, length, key, limit, ... */
#define NOISE_ERR_WRONG_KEY	103	/* the response did not decrypt */
#define NOISE_ERR_CIPHER	104	/* an unknown cipher id */
#define NOISE_ERR_VERSION	105	/* a header of another version */
#define NOISE_ERR_CHANNEL	106	/* the response names another channel */

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
	uint16_t peer_rx_limit;		/* what the other side announced */
	uint8_t peer_channel;		/* initiator: the responder's channel */
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

/* Derives an X25519 public key; 0 or -NOISE_ERR_CRYPTO. */
int noise_pubkey(uint8_t pub[NOISE_KEY_LEN], const uint8_t priv[NOISE_KEY_LEN]);

/* 32 random bytes from the OS, clamped as an X25519 private key. */
int noise_genkey(uint8_t priv[NOISE_KEY_LEN]);

/*
 * Starts a handshake. s_priv is this side's static private key; rs the
 * responder's static public key (initiator; ignored by a responder, which
 * learns it from the first message); psk NULL for none (0^32). A rfsec
 * responder's cipher is taken from the initiation (pass 0); its psk may be
 * changed with noise_hs_set_psk() once it knows who the initiator is.
 */
int noise_hs_init(struct noise_hs *hs, bool initiator, int cipher,
		  const uint8_t s_priv[NOISE_KEY_LEN],
		  const uint8_t rs[NOISE_KEY_LEN],
		  const uint8_t psk[NOISE_KEY_LEN]);
void noise_hs_set_psk(struct noise_hs *hs, const uint8_t psk[NOISE_KEY_LEN]);

/* The general Noise IKpsk2 layer (Noise specification, revision 34). */

/* Initialize(name of hs->cipher), MixHash(prologue), MixHash(S_resp). */
int noise_ik_start(struct noise_hs *hs, const uint8_t *prologue, size_t len);

/*
 * -> e, es, s, ss, payload: writes NOISE_IK_FIRST_LEN(plen) bytes to out.
 * e_priv NULL draws a fresh ephemeral key.
 */
int noise_ik_write_first(struct noise_hs *hs,
			 const uint8_t e_priv[NOISE_KEY_LEN],
			 const uint8_t *payload, size_t plen, uint8_t *out);
/*
 * The responder's side of it: msg is len bytes; the payload (len -
 * NOISE_IK_FIRST_LEN(0) bytes) goes to payload. On success hs->rs holds
 * the initiator's static key. Returns the payload length,
 * -NOISE_ERR_DECRYPT, -NOISE_ERR_MALFORMED (a short message, a low-order
 * key) or -NOISE_ERR_CRYPTO.
 */
int noise_ik_read_first(struct noise_hs *hs, const uint8_t *msg, size_t len,
			uint8_t *payload);
/* <- e, ee, se, psk, payload: NOISE_IK_SECOND_LEN(plen) bytes. */
int noise_ik_write_second(struct noise_hs *hs,
			  const uint8_t e_priv[NOISE_KEY_LEN],
			  const uint8_t *payload, size_t plen, uint8_t *out);
/* The initiator's side of it; as noise_ik_read_first(). */
int noise_ik_read_second(struct noise_hs *hs, const uint8_t *msg, size_t len,
			 uint8_t *payload);

/* Split(): the session keys, each side's tx and rx; wipes hs. */
int noise_split(struct noise_hs *hs, struct noise_session *s);

/*
 * A transport message of Noise: ENCRYPT(d->k, d->n, ad, pt) into out
 * (len + 16 bytes), or its DECRYPT (len counts the tag), advancing d->n.
 */
int noise_transport_encrypt(int cipher, struct noise_dir *d,
			    const uint8_t *ad, size_t adlen,
			    const uint8_t *pt, size_t len, uint8_t *out);
int noise_transport_decrypt(int cipher, struct noise_dir *d,
			    const uint8_t *ad, size_t adlen,
			    const uint8_t *c, size_t len, uint8_t *out);

/* rfsec (docs/PROTOCOL.md) on top of it. */

/* The 7-byte prologue of section 2.3. */
void noise_prologue(uint8_t out[NOISE_PROLOGUE_LEN], int cipher);

/*
 * Initiator: builds the initiation (header included) into out, announcing
 * rx_limit (taken as given, so that a test can send one out of range).
 * e_priv NULL draws a fresh ephemeral key.
 */
int noise_write_initiation(struct noise_hs *hs,
			   const uint8_t e_priv[NOISE_KEY_LEN],
			   uint16_t rx_limit,
			   uint8_t out[NOISE_INITIATION_LEN]);

/*
 * Responder: parses and decrypts an initiation (header included). On
 * success hs->rs holds the initiator's static key and hs->peer_rx_limit
 * its receive limit; the caller checks the key against its peer entry
 * (section 2.4). Returns 0 or -NOISE_ERR_VERSION, -NOISE_ERR_CIPHER,
 * -NOISE_ERR_MALFORMED (anything else, a failed decryption included),
 * -NOISE_ERR_CRYPTO.
 */
int noise_read_initiation(struct noise_hs *hs, const uint8_t *msg, size_t len);

/* Responder: builds the response (header included). */
int noise_write_response(struct noise_hs *hs,
			 const uint8_t e_priv[NOISE_KEY_LEN],
			 uint16_t rx_limit, uint8_t channel,
			 uint8_t out[NOISE_RESPONSE_LEN]);

/*
 * Initiator: parses a response (header included). channel is the one it
 * connected to, 0 when it cannot know (no check). 0, -NOISE_ERR_VERSION,
 * -NOISE_ERR_MALFORMED (a wrong header, a low-order key, a limit out of
 * range), -NOISE_ERR_CHANNEL, -NOISE_ERR_WRONG_KEY (it does not decrypt).
 */
int noise_read_response(struct noise_hs *hs, const uint8_t *msg, size_t len,
			uint8_t channel);

/* A refusal message: code and the set of accepted cipher ids. */
void noise_write_refusal(uint8_t out[NOISE_REFUSAL_LEN], uint8_t code,
			 uint8_t ciphers);

/*
 * Seals one record: header(3, 2, len) || ENCRYPT(d->k, d->n, header,
 * inner || data), advancing d->n. Returns the record's length (header
 * included) or a negative value.
 */
int noise_seal(int cipher, struct noise_dir *d, uint8_t inner,
	       const uint8_t *data, size_t len, uint8_t *out);

/* Result of noise_open(). */
#define NOISE_OPEN_BADHDR	(-1)	/* type, version or length wrong */
#define NOISE_OPEN_BADTAG	(-2)	/* authentication failed */
#define NOISE_OPEN_BADINNER	(-3)	/* unknown inner type, or data on one
					 * that carries none */

/*
 * Opens one whole record (header included, len bytes): on success returns
 * the data length, sets *inner and copies the data to out (room for
 * NOISE_RECORD_MAX_DATA) and advances d->n; else NOISE_OPEN_*. The caller
 * checks the record against its own receive limit.
 */
int noise_open(int cipher, struct noise_dir *d, const uint8_t *rec,
	       size_t len, uint8_t *inner, uint8_t *out);

/* Rekey(k) of section 4; the counter goes back to 0. */
int noise_rekey(int cipher, struct noise_dir *d);

/* Builds a 4-byte header of this version. */
void noise_header(uint8_t out[NOISE_HDR_LEN], uint8_t type, uint16_t len);

/* Wipes a session. */
void noise_session_wipe(struct noise_session *s);

#endif /* RFSEC_SELFTEST_NOISE_H */
