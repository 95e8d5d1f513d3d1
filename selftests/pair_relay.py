#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A relay (man in the middle) for rfsec pairing, written from
docs/PAIRING.md alone: it is also a second implementation of the protocol.

    pair_relay.py LOCAL_ADDR TARGET_ADDR KEY_A KEY_B [CHANNEL] [TIMEOUT]

It pairs with the responder listening at TARGET_ADDR (leg B, where the
relay is the initiator and presents public key KEY_B), and with an
initiator that connects to LOCAL_ADDR, one of this machine's adapters (leg
A, where the relay is the responder and presents KEY_A). It runs leg B
first; the order makes no difference to what either side sees. Keys are base64.
On each leg it follows the protocol honestly with its own key, so each
honest side sees a well-formed pairing with the relay. It prints each leg's
code and how each leg ends, and confirms on both legs whatever the codes:
only the users' comparison stops it.
"""

import base64
import hashlib
import os
import select
import socket
import sys
import time

VERSION = 1
COMMIT, KEY, REVEAL, CONFIRM, ABORT, DONE = 1, 2, 3, 4, 5, 6
BODY_LEN = {COMMIT: 32, KEY: 64, REVEAL: 64, CONFIRM: 32, ABORT: 1, DONE: 0}


def out(*args):
    print(*args, flush=True)


def addr_bytes(addr):
    """XX:XX:XX:XX:XX:XX into bdaddr_t order (least significant first)."""
    return bytes(int(x, 16) for x in reversed(addr.split(':')))


def sha256(label, *parts):
    h = hashlib.sha256(label.encode('ascii'))
    for part in parts:
        h.update(part)
    return h.digest()


def commitment(addr_i, addr_r, pub_i, nonce_i):
    return sha256('rfsec-pair-v1-commit', addr_i, addr_r, pub_i, nonce_i)


def derive(addr_i, addr_r, pub_i, pub_r, nonce_i, nonce_r):
    """The code ("123 456") and the confirmation value."""
    t = sha256('rfsec-pair-v1-transcript', addr_i, addr_r, pub_i, pub_r,
               nonce_i, nonce_r)
    v = int.from_bytes(sha256('rfsec-pair-v1-code', t)[:4], 'big') % 1000000
    return '%03d %03d' % (v // 1000, v % 1000), \
        sha256('rfsec-pair-v1-confirm', t)


class Conn:
    def __init__(self, sock, name, timeout):
        self.sock, self.name, self.timeout = sock, name, timeout
        self.buf = b''

    def send(self, mtype, body=b''):
        self.sock.sendall(bytes([mtype, VERSION]) +
                          len(body).to_bytes(2, 'big') + body)

    def take(self):
        if len(self.buf) < 4:
            return None
        mtype, ver, n = self.buf[0], self.buf[1], \
            int.from_bytes(self.buf[2:4], 'big')
        if ver != VERSION or BODY_LEN.get(mtype) != n:
            raise RuntimeError('%s: malformed message %r' %
                               (self.name, self.buf[:4]))
        if len(self.buf) < 4 + n:
            return None
        body, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
        return mtype, body

    def fill(self):
        data = self.sock.recv(256)
        if not data:
            raise EOFError('%s: closed' % self.name)
        self.buf += data

    def recv(self):
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self.take()
            if msg:
                return msg
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                raise TimeoutError('%s: timed out' % self.name)
            self.fill()

    def expect(self, want):
        mtype, body = self.recv()
        if mtype == ABORT:
            raise RuntimeError('%s: aborted (reason %d)' %
                               (self.name, body[0]))
        if mtype != want:
            raise RuntimeError('%s: got type %d, wanted %d' %
                               (self.name, mtype, want))
        return body


def main():
    local, target, key_a, key_b = sys.argv[1:5]
    channel = int(sys.argv[5]) if len(sys.argv) > 5 else 27
    timeout = float(sys.argv[6]) if len(sys.argv) > 6 else 60
    key_a, key_b = base64.b64decode(key_a), base64.b64decode(key_b)
    a_local, a_target = addr_bytes(local), addr_bytes(target)

    # Listen for leg A first, but run leg B first: btvirt (see the test)
    # needs the relay's link to hci1 before the one from hci0.
    lsock = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM,
                          socket.BTPROTO_RFCOMM)
    lsock.bind((local, channel))
    lsock.listen(1)
    out('relay: listening on %s channel %d' % (local, channel))

    # Leg B: the relay is the initiator towards the real responder.
    sock = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM,
                         socket.BTPROTO_RFCOMM)
    sock.bind((local, 0))
    sock.settimeout(timeout)
    sock.connect((target, channel))
    sock.settimeout(None)
    b = Conn(sock, 'leg B (%s)' % target, timeout)
    nonce_ib = os.urandom(32)
    b.send(COMMIT, commitment(a_local, a_target, key_b, nonce_ib))
    body = b.expect(KEY)
    pub_rb, nonce_rb = body[:32], body[32:]
    b.send(REVEAL, key_b + nonce_ib)
    code_b, confirm_b = derive(a_local, a_target, key_b, pub_rb, nonce_ib,
                               nonce_rb)
    out('relay: leg B: code %s (%s sent key %s)' %
        (code_b, target, base64.b64encode(pub_rb).decode()))

    # Leg A: the relay is the responder of the victim initiator.
    lsock.settimeout(timeout)
    sock, (peer_a, _) = lsock.accept()
    lsock.close()
    a = Conn(sock, 'leg A (%s)' % peer_a, timeout)
    a_peer = addr_bytes(peer_a)
    out('relay: leg A: pairing request from %s' % peer_a)
    commit_a = a.expect(COMMIT)
    nonce_ra = os.urandom(32)
    a.send(KEY, key_a + nonce_ra)
    body = a.expect(REVEAL)
    pub_ia, nonce_ia = body[:32], body[32:]
    if commitment(a_peer, a_local, pub_ia, nonce_ia) != commit_a:
        raise RuntimeError('leg A: the commitment does not match')
    code_a, confirm_a = derive(a_peer, a_local, pub_ia, key_a, nonce_ia,
                               nonce_ra)
    out('relay: leg A: code %s (%s sent key %s)' %
        (code_a, peer_a, base64.b64encode(pub_ia).decode()))

    # Confirm on both legs and see what each honest side decides. Leg B:
    # the relay (initiator) confirms at once. Leg A: it confirms once the
    # initiator has.
    b.send(CONFIRM, confirm_b)
    legs = {a: 'waiting', b: 'waiting'}
    while 'waiting' in legs.values():
        ready = select.select([c.sock for c in legs if
                               legs[c] == 'waiting'], [], [], timeout)[0]
        if not ready:
            raise TimeoutError('no decision within %d s' % timeout)
        for c in [c for c in legs if c.sock in ready]:
            try:
                c.fill()
            except (EOFError, OSError) as e:
                legs[c] = 'closed (%s)' % e
                continue
            msg = c.take()
            while msg and legs[c] == 'waiting':
                mtype, body = msg
                if mtype == ABORT:
                    legs[c] = 'aborted by the honest side (reason %d)' % \
                        body[0]
                elif c is a and mtype == CONFIRM:
                    a.send(CONFIRM, confirm_a)
                    legs[c] = 'confirmed: %s' % \
                        ('matching' if body == confirm_a else 'mismatch')
                    if a.expect(DONE) == b'':
                        legs[c] += ', installed the relay key'
                elif c is b and mtype == CONFIRM:
                    b.send(DONE)
                    legs[c] = 'confirmed, installed the relay key'
                else:
                    legs[c] = 'unexpected type %d' % mtype
                msg = c.take()
    out('relay: leg A: %s' % legs[a])
    out('relay: leg B: %s' % legs[b])
    time.sleep(1)    # let the last messages reach the honest sides
    a.sock.close()
    b.sock.close()


if __name__ == '__main__':
    try:
        main()
    except Exception as e:    # a test helper: say what went wrong, exit 1
        out('relay: failed: %s: %s' % (type(e).__name__, e))
        sys.exit(1)
