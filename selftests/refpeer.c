// SPDX-License-Identifier: GPL-2.0
/*
 * refpeer: a reference peer for the rfsec protocol, version 2
 * (docs/PROTOCOL.md), on a plain RFCOMM socket, built on noise.c, so that
 * the tests can talk to the kernel's rfsec sockets from an implementation
 * written from the specification alone, and misbehave on purpose.
 *
 *   refpeer connect -i ADAPTER -a REMOTE -c CHANNEL -k KEYFILE -p PEERPUB
 *           [-P PSKFILE] [-C chachapoly|aesgcm] [-L LIMIT] [-U] [-V 1]
 *           [-f FAULT] [-n COUNT] [-t MS] [ACTION...]
 *   refpeer listen  -i ADAPTER -c CHANNEL -k KEYFILE -p PEERPUB
 *           [-P PSKFILE] [-L LIMIT] [-A MASK] [-f FAULT] [-n COUNT]
 *           [-t MS] [ACTION...]
 *
 * KEYFILE holds this side's static private key in base64 ('rfsec genkey');
 * PEERPUB is the other side's public key in base64. -n makes COUNT
 * connections (or accepts COUNT) one after the other, each running the
 * handshake and the actions; -t bounds every wait (default 20000 ms).
 * -L announces LIMIT as this side's receive limit (default 4100) and
 * treats a longer record from the other side as a failure. -U: an
 * initiator that does not know its channel or addresses (an Android app,
 * a board behind an HC-05): it skips the check of the responder's channel.
 * -A: a responder that accepts only the cipher ids in MASK (bit id - 1)
 * and refuses others with code 2. -V 1: an initiator that speaks version
 * 1 (a version-1 initiation as the old noise.c built it), to see the
 * refusal it gets; a listener with -V 1 answers every initiation with
 * version 1's refusal (reason malformed), as a version-1 responder does.
 * ACTIONs are those of proto_util.h, plus 'inject' (send
 * the record FAULT). On an orderly end refpeer sends the close record
 * before it closes, unless an action already did ('close') or cut the
 * link ('cut').
 *
 * Besides the lines of proto_util.h it prints:
 *   hs ok                    the handshake completed
 *   hs refused CODE MASK     the responder refused: code, accepted ciphers
 *   hs refused-v1 REASON     ... with a version-1 refusal (-V 1)
 *   hs refused-by-us CODE    this responder refused with that code
 *   hs version V             a message of another version V arrived
 *   hs wrong-key             the response did not decrypt
 *   hs wrong-channel         the response names another channel
 *   hs malformed-response    the response is malformed otherwise
 *   hs eof | hs ERRNO        the link ended or failed during the handshake
 *   hs sent-fault            the handshake fault was sent; then "end ..."
 *                            says how the other side reacted
 *   end close                the other side's close record arrived (its
 *                            EOF after that prints nothing more)
 *   end eof-unclean          the stream ended without a close record
 *   end badrecord WHY        a record from the other side was bad
 *                            (oversize: longer than our -L)
 *   end closed-by-us         this side cut the link ('cut', close-mid)
 *
 * Handshake faults (-f): garbage (bytes before the initiation, or instead
 * of the response), close-hs (close in the middle of the handshake),
 * wrong-key (a random static key), wrong-psk (a random psk), replay-hs
 * (the second connection replays the first's initiation or response; use
 * -n 2), low-order (an all-zero ephemeral key), reserved (a non-zero
 * reserved byte), bad-limit (announce rx_limit 63), wrong-channel
 * (responder: state another channel), refuse1, refuse2 (responder: refuse
 * with that code), silent (responder: never answer), no-confirm
 * (initiator: never send the confirm record).
 *
 * Record faults (-f, sent by the 'inject' action, each carrying the marker
 * "BAD!MARKER"): flip-type, flip-version, flip-length (a bit of the
 * header), flip-ct, flip-tag, truncate (the last 5 bytes cut off and the
 * length adjusted), short (length 16), oversize (length 4097), replay
 * (the previous record again), reorder (two records swapped), bad-inner
 * (inner type 7), misplaced-confirm, close-mid (half a record, then close),
 * after-close (a close record, then a data record).
 */
#include <getopt.h>
#include <poll.h>
#include <time.h>
#include <openssl/rand.h>

#include "noise.h"
#include "proto_util.h"
#include "refpeer.h"

int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	while (len) {
		ssize_t n = write(fd, b, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += n;
		len -= n;
	}
	return 0;
}

/* Exactly len bytes: 0, 1 at a clean EOF before the first byte, -errno. */
static int read_exact(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return got ? -EPIPE : 1;
		got += n;
	}
	return 0;
}

/*
 * One message, header included: its length, 0 at EOF, or -errno
 * (-EMSGSIZE: longer than cap, of which only the header was read).
 */
static int read_msg(int fd, uint8_t *buf, size_t cap)
{
	size_t body;
	int ret;

	ret = read_exact(fd, buf, NOISE_HDR_LEN);
	if (ret)
		return ret == 1 ? 0 : ret;
	body = (size_t)buf[2] << 8 | buf[3];
	if (NOISE_HDR_LEN + body > cap)
		return -EMSGSIZE;
	ret = read_exact(fd, buf + NOISE_HDR_LEN, body);
	if (ret)
		return ret == 1 ? -EPIPE : ret;
	return NOISE_HDR_LEN + body;
}

static void print_end_errno(struct peer *p, const char *what, int ret)
{
	if (ret == 0)
		printf("%s eof\n", what);
	else
		printf("%s %s\n", what, pu_errname(-ret));
	fflush(stdout);
}

int send_record(struct peer *p, uint8_t inner, const uint8_t *d, size_t len)
{
	int n = noise_seal(p->cipher, &p->s.tx, inner, d, len, p->last);

	if (n < 0)
		return -EIO;
	p->last_len = n;
	return write_all(p->fd, p->last, n);
}

/* Never a record longer than the other side's receive limit (3.1). */
static int send_data(struct peer *p, const uint8_t *d, size_t len)
{
	size_t max = p->peer_limit - NOISE_RECORD_OVERHEAD;

	if (max > NOISE_RECORD_MAX_DATA)
		max = NOISE_RECORD_MAX_DATA;
	while (len) {
		size_t n = len < max ? len : max;
		int ret = send_record(p, NOISE_INNER_DATA, d, n);

		if (ret)
			return ret;
		d += n;
		len -= n;
	}
	return 0;
}

/*
 * Reads one record and handles it: data is appended to p->got (and to
 * echo, if given), a rekey rekeys, a close record is the orderly end.
 * 1 on a record, 0 at the end of stream after a close record, negative
 * when the connection ended otherwise (already reported).
 */
static int recv_record(struct peer *p, struct pu_buf *echo)
{
	uint8_t rec[NOISE_RECORD_MAX_LEN + 1], data[NOISE_RECORD_MAX_DATA];
	uint8_t inner;
	int len, n;

	if (p->failed)
		return -EPIPE;
	len = read_msg(p->fd, rec, p->rx_limit);
	if (len == 0 && p->got_close)
		return 0;	/* "end close" said it all */
	if (len > 0 && p->got_close) {
		printf("end badrecord after-close\n");
		p->failed = true;
		return -EBADMSG;
	}
	if (len <= 0) {
		if (len == -EMSGSIZE)
			printf("end badrecord oversize\n");
		else if (len == 0)
			printf("end eof-unclean\n");
		else
			print_end_errno(p, "end", len);
		p->failed = true;
		return len < 0 ? len : -EPIPE;
	}
	n = noise_open(p->cipher, &p->s.rx, rec, len, &inner, data);
	if (n < 0) {
		printf("end badrecord %s\n", n == NOISE_OPEN_BADHDR ? "header" :
		       n == NOISE_OPEN_BADTAG ? "tag" : "inner");
		p->failed = true;
		return -EBADMSG;
	}
	if (inner == NOISE_INNER_DATA) {
		pu_append(&p->got, data, n);
		if (echo)
			pu_append(echo, data, n);
	} else if (inner == NOISE_INNER_REKEY) {
		noise_rekey(p->cipher, &p->s.rx);
		printf("rekeyed rx\n");
	} else if (inner == NOISE_INNER_CLOSE) {
		printf("end close\n");
		fflush(stdout);
		p->got_close = true;
	} else {
		printf("end badrecord misplaced-confirm\n");
		p->failed = true;
		return -EBADMSG;
	}
	return 1;
}

static void random_key(uint8_t k[32])
{
	noise_genkey(k);
}

static int run_actions(struct peer *p, int n, char *acts[])
{
	struct pu_buf sent = { 0 };
	struct pu_action a;
	int i, ret = 0;

	for (i = 0; i < n && !p->failed && !ret; i++) {
		if (!strcmp(acts[i], "inject")) {
			ret = inject(p);
			continue;
		}
		pu_parse_action(acts[i], &a);
		switch (a.act) {
		case PU_SEND:
			ret = send_data(p, (const uint8_t *)a.str, a.n);
			break;
		case PU_SENDN: {
			uint8_t *b = malloc(a.n + 1);

			pu_pattern(b, a.n, 0);
			pu_append(&sent, b, a.n);
			ret = send_data(p, b, a.n);
			free(b);
			break;
		}
		case PU_READ:
			while (p->got.len < a.n && recv_record(p, NULL) > 0)
				;
			break;
		case PU_READALL:
			while (recv_record(p, NULL) > 0)
				;
			break;
		case PU_SLEEP:
			usleep(a.n * 1000);
			break;
		case PU_CLOSE:
			ret = send_record(p, NOISE_INNER_CLOSE, NULL, 0);
			p->sent_close = true;
			break;
		case PU_CUT:
			/* no close record: what a cut link looks like */
			close(p->fd);
			p->fd = -1;
			printf("end closed-by-us\n");
			p->failed = true;
			break;
		case PU_REKEY:
			ret = send_record(p, NOISE_INNER_REKEY, NULL, 0);
			if (!ret)
				ret = noise_rekey(p->cipher, &p->s.tx) ? -EIO : 0;
			break;
		case PU_ECHO: {
			struct pu_buf e = { 0 };

			while (recv_record(p, &e) > 0) {
				ret = send_data(p, e.p, e.len);
				e.len = 0;
				if (ret)
					break;
			}
			free(e.p);
			break;
		}
		}
	}
	if (ret && !p->failed) {
		print_end_errno(p, "end", ret);
		p->failed = true;
	}
	if (sent.len)
		pu_print_data("sent", &sent);
	free(sent.p);
	return ret;
}

/* Reads until the other side closes; reports how. */
static void wait_end(struct peer *p)
{
	uint8_t buf[256];
	struct timespec t0, t1;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		n = read(p->fd, buf, sizeof(buf));
	} while (n > 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("waited %lld ms for the end\n",
	       (t1.tv_sec - t0.tv_sec) * 1000LL +
	       (t1.tv_nsec - t0.tv_nsec) / 1000000);
	print_end_errno(p, "end", n < 0 ? -errno : 0);
	p->failed = true;
}

/* A message of another version: reported, and the handshake fails. */
static bool other_version(const uint8_t *msg, int len)
{
	if (msg[1] == NOISE_VERSION)
		return false;
	printf("hs version %d\n", msg[1]);
	if (msg[1] == 1 && msg[0] == NOISE_MSG_REFUSAL && len == 5)
		printf("hs refused-v1 %d\n", msg[NOISE_HDR_LEN]);
	return true;
}

static int hs_initiator(struct peer *p)
{
	uint8_t msg[NOISE_INITIATION_LEN + 16], rsp[NOISE_RECORD_MAX_LEN];
	uint16_t limit = fault_is(p, "bad-limit") ? 63 : p->rx_limit;
	struct noise_hs hs;
	int len, ret, mlen = NOISE_INITIATION_LEN;

	if (fault_is(p, "wrong-key"))
		random_key(p->s_priv);
	if (fault_is(p, "wrong-psk"))
		random_key(p->psk);
	if (p->version == 1) {
		mlen = write_v1_initiation(p, msg);
		if (mlen < 0)
			return -EIO;
	} else if (noise_hs_init(&hs, true, p->cipher, p->s_priv, p->rs,
				 p->psk) ||
		   noise_write_initiation(&hs, NULL, limit, msg)) {
		return -EIO;
	}
	if (fault_is(p, "low-order"))
		memset(msg + NOISE_HDR_LEN + 2, 0, NOISE_KEY_LEN);
	if (fault_is(p, "reserved"))
		msg[NOISE_HDR_LEN + 1] = 1;
	if (fault_is(p, "replay-hs")) {
		if (p->conn == 0)
			memcpy(p->saved, msg, mlen);
		else
			memcpy(msg, p->saved, mlen);
	}
	if (fault_is(p, "garbage") &&
	    write_all(p->fd, "GARBAGE!GARBAGE!", 16))
		return -EIO;
	if (fault_is(p, "close-hs")) {
		write_all(p->fd, msg, 50);
		usleep(300 * 1000);
		printf("hs sent-fault\n");
		close(p->fd);
		p->fd = -1;
		printf("end closed-by-us\n");
		return -EPIPE;
	}
	/*
	 * A responder that refuses closes at once: the write may then fail
	 * while the refusal waits in the receive queue, so read even then.
	 */
	ret = write_all(p->fd, msg, mlen);
	if (ret)
		printf("hs write %s\n", pu_errname(-ret));
	if (fault_is(p, "replay-hs") && p->conn) {
		/* an attacker's replay: it has no keys to go on with */
		printf("hs sent-fault\n");
		fflush(stdout);
		wait_end(p);
		return -EPIPE;
	}
	len = read_msg(p->fd, rsp, sizeof(rsp));
	if (len <= 0) {
		ret = len;
		goto fail;
	}
	if (other_version(rsp, len))
		return -EPROTONOSUPPORT;
	if (rsp[0] == NOISE_MSG_REFUSAL && len == NOISE_REFUSAL_LEN) {
		printf("hs refused %d %d\n", rsp[NOISE_HDR_LEN],
		       rsp[NOISE_HDR_LEN + 1]);
		return -ECONNREFUSED;
	}
	if (p->version == 1) {
		/* a version-2 answer to a version-1 initiation is wrong */
		printf("hs malformed-response\n");
		return -EBADMSG;
	}
	ret = noise_read_response(&hs, rsp, len,
				  p->unknown_chan ? 0 : p->chan);
	if (ret == -NOISE_ERR_WRONG_KEY) {
		printf("hs wrong-key\n");
		return -EKEYREJECTED;
	} else if (ret == -NOISE_ERR_CHANNEL) {
		printf("hs wrong-channel\n");
		return -EBADMSG;
	} else if (ret) {
		printf("hs malformed-response\n");
		return -EBADMSG;
	}
	p->peer_limit = hs.peer_rx_limit;
	noise_split(&hs, &p->s);
	if (!fault_is(p, "no-confirm") &&
	    send_record(p, NOISE_INNER_CONFIRM, NULL, 0))
		return -EIO;
	printf("hs ok\n");
	printf("hs peer-limit %u channel %u\n", p->peer_limit, hs.peer_channel);
	return 0;
fail:
	print_end_errno(p, "hs", ret);
	return ret ? ret : -EPIPE;
}

static int refuse(struct peer *p, uint8_t code)
{
	uint8_t msg[NOISE_REFUSAL_LEN];

	noise_write_refusal(msg, code, p->accept_mask);
	write_all(p->fd, msg, sizeof(msg));
	printf("hs refused-by-us %d\n", code);
	return -ECONNREFUSED;
}

static int hs_responder(struct peer *p)
{
	uint8_t msg[NOISE_RECORD_MAX_LEN], rsp[NOISE_RESPONSE_LEN];
	uint8_t data[NOISE_RECORD_MAX_DATA], inner, chan = p->chan;
	uint16_t limit = fault_is(p, "bad-limit") ? 63 : p->rx_limit;
	struct noise_hs hs;
	int len, ret;

	if (fault_is(p, "wrong-key"))
		random_key(p->s_priv);
	if (fault_is(p, "wrong-psk"))
		random_key(p->psk);
	if (fault_is(p, "wrong-channel"))
		chan = chan % 30 + 1;
	len = read_msg(p->fd, msg, sizeof(msg));
	if (len <= 0) {
		print_end_errno(p, "hs", len);
		return len ? len : -EPIPE;
	}
	if (other_version(msg, len))
		return -EPROTONOSUPPORT;
	if (p->version == 1) {
		static const uint8_t v1_refusal[] = { NOISE_MSG_REFUSAL, 1, 0, 1,
						      3 };

		write_all(p->fd, v1_refusal, sizeof(v1_refusal));
		printf("hs refused-by-us-v1 3\n");
		return -ECONNREFUSED;
	}
	if (fault_is(p, "silent")) {
		printf("hs sent-fault\n");
		fflush(stdout);
		wait_end(p);
		return -EPIPE;
	}
	if (fault_is(p, "close-hs")) {
		printf("hs sent-fault\n");
		close(p->fd);
		p->fd = -1;
		printf("end closed-by-us\n");
		return -EPIPE;
	}
	/* A cipher we do not accept: refused before any cryptography. */
	if (len > NOISE_HDR_LEN && msg[NOISE_HDR_LEN] >= 1 &&
	    msg[NOISE_HDR_LEN] <= 8 &&
	    !(p->accept_mask & 1 << (msg[NOISE_HDR_LEN] - 1)))
		return refuse(p, NOISE_REFUSE_CIPHER);
	if (noise_hs_init(&hs, false, 0, p->s_priv, NULL, p->psk))
		return -EIO;
	ret = noise_read_initiation(&hs, msg, len);
	if (ret == -NOISE_ERR_CIPHER)
		return refuse(p, NOISE_REFUSE_CIPHER);
	if (ret)
		return refuse(p, NOISE_REFUSE_REFUSED);
	if (CRYPTO_memcmp(hs.rs, p->rs, NOISE_KEY_LEN))
		return refuse(p, NOISE_REFUSE_REFUSED);
	p->cipher = hs.cipher;
	p->peer_limit = hs.peer_rx_limit;
	printf("cipher %s\n", p->cipher == NOISE_CIPHER_AESGCM ? "aesgcm" :
							       "chachapoly");
	if (!strncmp(p->fault ?: "", "refuse", 6))
		return refuse(p, atoi(p->fault + 6));
	if (noise_write_response(&hs, NULL, limit, chan, rsp))
		return -EIO;
	if (fault_is(p, "low-order"))
		memset(rsp + NOISE_HDR_LEN, 0, NOISE_KEY_LEN);
	if (fault_is(p, "replay-hs")) {
		if (p->conn == 0)
			memcpy(p->saved, rsp, sizeof(rsp));
		else
			memcpy(rsp, p->saved, sizeof(rsp));
	}
	if (fault_is(p, "garbage"))
		memcpy(rsp, "GARBAGE!GARBAGE!", 16);
	ret = write_all(p->fd, rsp, sizeof(rsp));
	if (ret) {
		print_end_errno(p, "hs", ret);
		return ret;
	}
	if (fault_is(p, "low-order") || fault_is(p, "garbage") ||
	    fault_is(p, "wrong-psk") || fault_is(p, "wrong-channel") ||
	    fault_is(p, "bad-limit") || (fault_is(p, "replay-hs") && p->conn)) {
		printf("hs sent-fault\n");
		fflush(stdout);
		wait_end(p);
		return -EPIPE;
	}
	noise_split(&hs, &p->s);
	/* The first record must be the initiator's confirm (section 2.5). */
	len = read_msg(p->fd, msg, p->rx_limit);
	if (len <= 0) {
		print_end_errno(p, "hs", len);
		return len ? len : -EPIPE;
	}
	ret = noise_open(p->cipher, &p->s.rx, msg, len, &inner, data);
	if (ret != 0 || inner != NOISE_INNER_CONFIRM) {
		printf("hs bad-confirm\n");
		return -EBADMSG;
	}
	printf("hs ok\n");
	printf("hs peer-limit %u\n", p->peer_limit);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: refpeer connect|listen -i ADAPTER [-a REMOTE] -c CHANNEL -k KEYFILE\n"
		"               -p PEERPUB [-P PSKFILE] [-C chachapoly|aesgcm] [-L LIMIT]\n"
		"               [-U] [-A MASK] [-V 1] [-f FAULT] [-n COUNT] [-t MS]\n"
		"               [ACTION...]\n");
	exit(2);
}

static void one_connection(struct peer *p, int argc, char *argv[])
{
	int ret;

	p->failed = false;
	p->sent_close = false;
	p->got_close = false;
	p->got.len = 0;
	p->last_len = 0;
	pu_set_timeout(p->fd, p->timeout_ms);
	ret = p->initiator ? hs_initiator(p) : hs_responder(p);
	fflush(stdout);
	if (!ret) {
		run_actions(p, argc, argv);
		pu_print_data("recv", &p->got);
		if (!p->failed) {
			/* the orderly end: our close record, once */
			if (!p->sent_close &&
			    send_record(p, NOISE_INNER_CLOSE, NULL, 0) == 0)
				p->sent_close = true;
			/* let queued data leave before the close */
			usleep(200 * 1000);
			printf("end ok\n");
		}
	} else if (p->fd >= 0 &&
		   (ret == -ECONNREFUSED || ret == -EPROTONOSUPPORT)) {
		/* a refusal: the responder closes, the initiator sees it */
		if (!p->initiator)
			usleep(200 * 1000);
		else
			wait_end(p);
	}
	noise_session_wipe(&p->s);
	fflush(stdout);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

int main(int argc, char *argv[])
{
	struct peer p = { .cipher = NOISE_CIPHER_CHACHAPOLY,
			  .timeout_ms = 20000, .fd = -1,
			  .rx_limit = NOISE_RX_LIMIT_MAX,
			  .accept_mask = NOISE_CIPHERS_ALL, .version = 2 };
	const char *adapter = NULL, *remote = NULL, *keyfile = NULL;
	const char *peerpub = NULL, *pskfile = NULL;
	int count = 1, chan = 0, opt, i;
	struct sockaddr_rc a;
	socklen_t alen;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "connect"))
		p.initiator = true;
	else if (strcmp(argv[1], "listen"))
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "+i:a:c:k:p:P:C:L:UA:V:f:n:t:")) != -1) {
		switch (opt) {
		case 'i':
			adapter = optarg;
			break;
		case 'a':
			remote = optarg;
			break;
		case 'c':
			chan = atoi(optarg);
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'p':
			peerpub = optarg;
			break;
		case 'P':
			pskfile = optarg;
			break;
		case 'C':
			if (!strcmp(optarg, "aesgcm"))
				p.cipher = NOISE_CIPHER_AESGCM;
			else if (strcmp(optarg, "chachapoly"))
				usage();
			break;
		case 'L':
			/* any value, so that a test can announce one out of range */
			p.rx_limit = atoi(optarg);
			if (p.rx_limit < NOISE_HDR_LEN + NOISE_RECORD_MIN_BODY ||
			    p.rx_limit > NOISE_RECORD_MAX_LEN)
				usage();
			break;
		case 'U':
			p.unknown_chan = true;
			break;
		case 'A':
			p.accept_mask = strtoul(optarg, NULL, 0);
			break;
		case 'V':
			p.version = atoi(optarg);
			if (p.version != 1 && p.version != 2)
				usage();
			break;
		case 'f':
			p.fault = optarg;
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 't':
			p.timeout_ms = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (!adapter || !pu_adapter(adapter, &p.local) || chan < 1 ||
	    chan > 30 || !keyfile || !peerpub ||
	    (p.initiator && (!remote || str2ba(remote, &p.remote))))
		usage();
	if (pu_keyfile(keyfile, p.s_priv) || pu_b64key(peerpub, p.rs) ||
	    (pskfile && pu_keyfile(pskfile, p.psk))) {
		fprintf(stderr, "refpeer: bad key\n");
		return 2;
	}
	for (i = optind; i < argc; i++) {
		struct pu_action act;

		if (strcmp(argv[i], "inject") &&
		    pu_parse_action(argv[i], &act)) {
			fprintf(stderr, "refpeer: bad action '%s'\n", argv[i]);
			return 2;
		}
	}
	p.chan = chan;

	if (p.initiator) {
		for (p.conn = 0; p.conn < count; p.conn++) {
			p.fd = socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM);
			a = util_rc(&p.local, 0);
			if (p.fd < 0 || bind(p.fd, (void *)&a, sizeof(a)))
				return 1;
			a = util_rc(&p.remote, chan);
			if (connect(p.fd, (void *)&a, sizeof(a))) {
				printf("connect %s\n", pu_errname(errno));
				close(p.fd);
				return 1;
			}
			printf("connect ok\n");
			one_connection(&p, argc - optind, argv + optind);
			/* let the other side finish with this DLC */
			if (p.conn + 1 < count)
				usleep(500 * 1000);
		}
		return 0;
	}

	{
		int ls = socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM);

		a = util_rc(&p.local, chan);
		if (ls < 0 || bind(ls, (void *)&a, sizeof(a)) || listen(ls, 4)) {
			perror("refpeer: listen");
			return 1;
		}
		printf("listening\n");
		fflush(stdout);
		for (p.conn = 0; p.conn < count; p.conn++) {
			struct pollfd pfd = { .fd = ls, .events = POLLIN };

			if (poll(&pfd, 1, p.timeout_ms) != 1) {
				printf("accept none\n");
				break;
			}
			alen = sizeof(a);
			p.fd = accept(ls, (void *)&a, &alen);
			if (p.fd < 0) {
				printf("accept %s\n", pu_errname(errno));
				break;
			}
			bacpy(&p.remote, &a.rc_bdaddr);
			printf("accept ok\n");
			one_connection(&p, argc - optind, argv + optind);
		}
		close(ls);
	}
	return 0;
}
