/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the protocol test programs (refpeer.c, rfsec_app.c) share: adapter
 * and address arguments, keys in base64 files, the lines they print for
 * proto_test.sh, and the list of actions they run on a connection.
 *
 * Every program prints its outcome on stdout, one line per event:
 *
 *   connect ok | connect ERRNO          (the connecting side)
 *   accept ok | accept none | accept ERRNO   (the listening side)
 *   recv ESCAPED                        all data received, C-escaped
 *   end eof | end ERRNO | end ok        how the connection ended
 *
 * ERRNO is the errno's name (EBADMSG). refpeer adds lines of its own.
 */
#ifndef RFSEC_SELFTEST_PROTO_UTIL_H
#define RFSEC_SELFTEST_PROTO_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>
#include <bluetooth/rfcomm.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

/* hciN or XX:XX:XX:XX:XX:XX; false if neither. */
static inline bool pu_adapter(const char *s, bdaddr_t *ba)
{
	if (!strncmp(s, "hci", 3))
		return hci_devba(atoi(s + 3), ba) == 0;
	return str2ba(s, ba) == 0 && bacmp(ba, BDADDR_ANY);
}

static inline struct sockaddr_rc util_rc(const bdaddr_t *ba, int chan)
{
	struct sockaddr_rc a = { .rc_family = AF_BLUETOOTH };

	bacpy(&a.rc_bdaddr, ba);
	a.rc_channel = chan;
	return a;
}

static inline const char *pu_errname(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "EUNKNOWN";
}

/* 44 base64 characters to 32 bytes; 0 or -1. */
static inline int pu_b64key(const char *s, uint8_t key[32])
{
	uint8_t buf[48];
	size_t len = strcspn(s, "\r\n \t");

	if (len != 44 || s[43] != '=' || s[42] == '=')
		return -1;
	if (EVP_DecodeBlock(buf, (const unsigned char *)s, 44) != 33)
		return -1;
	memcpy(key, buf, 32);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/* A key file as 'rfsec genkey' writes it; 0 or -1. */
static inline int pu_keyfile(const char *path, uint8_t key[32])
{
	char line[128] = "";
	FILE *f = fopen(path, "r");
	int ret;

	if (!f)
		return -1;
	ret = fgets(line, sizeof(line), f) ? pu_b64key(line, key) : -1;
	fclose(f);
	OPENSSL_cleanse(line, sizeof(line));
	return ret;
}

/* Prints "PREFIX " and the bytes C-escaped, then a newline. */
static inline void pu_print_escaped(const char *prefix, const uint8_t *b,
				    size_t len)
{
	size_t i;

	printf("%s ", prefix);
	for (i = 0; i < len; i++) {
		if (b[i] == '\\')
			printf("\\\\");
		else if (b[i] >= 0x21 && b[i] < 0x7f)
			putchar(b[i]);
		else
			printf("\\x%02x", b[i]);
	}
	printf("\n");
	fflush(stdout);
}

static inline void pu_set_timeout(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* The received bytes of a connection, grown as needed. */
struct pu_buf {
	uint8_t *p;
	size_t len, cap;
};

static inline void pu_append(struct pu_buf *b, const uint8_t *d, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, d, len);
	b->len += len;
}

/*
 * Received data is printed as it is, unless it is long: then only its
 * length and SHA-256, which the test compares with the sender's "sent"
 * line for the same pattern.
 */
static inline void pu_print_data(const char *what, const struct pu_buf *b)
{
	uint8_t md[32];
	unsigned int mdlen = 32, i;

	if (b->len <= 256) {
		pu_print_escaped(what, b->p ? b->p : (const uint8_t *)"",
				 b->len);
		return;
	}
	EVP_Digest(b->p, b->len, md, &mdlen, EVP_sha256(), NULL);
	printf("%s %zu bytes sha256 ", what, b->len);
	for (i = 0; i < mdlen; i++)
		printf("%02x", md[i]);
	printf("\n");
	fflush(stdout);
}

/* The pattern of sendn:N: byte i is i % 251. */
static inline void pu_pattern(uint8_t *p, size_t len, size_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (off + i) % 251;
}

/*
 * Actions, run in order on a connection once it is up:
 *   send:STR   send STR
 *   sendn:N    send N bytes of the pattern
 *   read:N     read until N bytes have arrived in all (or EOF/error)
 *   readall    read until EOF or an error
 *   sleep:MS   wait
 *   rekey      (refpeer) send a rekey record and rekey
 *   echo       (refpeer) send back each data record until EOF
 *   close      (refpeer) send the close record (it sends nothing more)
 *   cut        (refpeer) close the socket without a close record, as a
 *              link cut between two records looks
 */
enum pu_act { PU_SEND, PU_SENDN, PU_READ, PU_READALL, PU_SLEEP, PU_REKEY,
	      PU_ECHO, PU_CLOSE, PU_CUT };

struct pu_action {
	enum pu_act act;
	const char *str;
	size_t n;
};

static inline int pu_parse_action(const char *s, struct pu_action *a)
{
	memset(a, 0, sizeof(*a));
	if (!strncmp(s, "send:", 5)) {
		a->act = PU_SEND;
		a->str = s + 5;
		a->n = strlen(a->str);
	} else if (!strncmp(s, "sendn:", 6)) {
		a->act = PU_SENDN;
		a->n = strtoul(s + 6, NULL, 0);
	} else if (!strncmp(s, "read:", 5)) {
		a->act = PU_READ;
		a->n = strtoul(s + 5, NULL, 0);
	} else if (!strcmp(s, "readall")) {
		a->act = PU_READALL;
	} else if (!strncmp(s, "sleep:", 6)) {
		a->act = PU_SLEEP;
		a->n = strtoul(s + 6, NULL, 0);
	} else if (!strcmp(s, "rekey")) {
		a->act = PU_REKEY;
	} else if (!strcmp(s, "echo")) {
		a->act = PU_ECHO;
	} else if (!strcmp(s, "close")) {
		a->act = PU_CLOSE;
	} else if (!strcmp(s, "cut")) {
		a->act = PU_CUT;
	} else {
		return -1;
	}
	return 0;
}

#endif /* RFSEC_SELFTEST_PROTO_UTIL_H */
