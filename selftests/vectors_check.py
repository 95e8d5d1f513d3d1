#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Recomputes every output of the protocol test vectors in selftests/vectors/
from their inputs, following docs/PROTOCOL.md alone, with python3-cryptography
and the standard library: an implementation independent of noise.c (which
generated the files). Prints TAP; exits non-zero on any difference.

    vectors_check.py [DIR]   (default: selftests/vectors)

Also reproduces cacophony's two Noise_IKpsk2_25519_*_SHA256 vectors
(DIR/noise-ikpsk2-sha256-cacophony.json) with the same Noise code.
"""
import hashlib
import hmac
import json
import os
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import (
    AESGCM, ChaCha20Poly1305)
from cryptography.hazmat.primitives.serialization import (
    Encoding, PublicFormat)

NAMES = {1: b"Noise_IKpsk2_25519_ChaChaPoly_SHA256",
         2: b"Noise_IKpsk2_25519_AESGCM_SHA256"}


def load(path):
    fields = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, value = line.partition("=")
            fields[name.strip()] = bytes.fromhex(value.strip())
    return fields


def HASH(x):
    return hashlib.sha256(x).digest()


def HMAC(k, x):
    return hmac.new(k, x, hashlib.sha256).digest()


def HKDF(ck, ikm):
    t = HMAC(ck, ikm)
    o1 = HMAC(t, b"\x01")
    o2 = HMAC(t, o1 + b"\x02")
    o3 = HMAC(t, o2 + b"\x03")
    return o1, o2, o3


def pub(priv):
    return X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)


def DH(priv, pubkey):
    out = X25519PrivateKey.from_private_bytes(priv).exchange(
        X25519PublicKey.from_public_bytes(pubkey))
    assert out != bytes(32)
    return out


def nonce(cipher, n):
    if cipher == 1:
        return bytes(4) + struct.pack("<Q", n)
    return bytes(4) + struct.pack(">Q", n)


def ENCRYPT(cipher, k, n, ad, pt):
    aead = ChaCha20Poly1305(k) if cipher == 1 else AESGCM(k)
    return aead.encrypt(nonce(cipher, n), pt, ad)


def DECRYPT(cipher, k, n, ad, c):
    aead = ChaCha20Poly1305(k) if cipher == 1 else AESGCM(k)
    return aead.decrypt(nonce(cipher, n), c, ad)


class Symmetric:
    """Section 2.2."""

    def __init__(self, cipher, prologue, s_resp):
        self.cipher = cipher
        name = NAMES[cipher]
        # Noise 5.2: a name of at most HASHLEN bytes is used as it is,
        # zero-padded (AESGCM's is exactly 32); a longer one is hashed.
        self.h = name.ljust(32, b"\0") if len(name) <= 32 else HASH(name)
        self.ck = self.h
        self.k = None
        self.n = 0
        self.mix_hash(prologue)
        self.mix_hash(s_resp)

    def mix_hash(self, x):
        self.h = HASH(self.h + x)

    def mix_key(self, x):
        self.ck, self.k, _ = HKDF(self.ck, x)
        self.n = 0

    def mix_key_and_hash(self, x):
        self.ck, t, self.k = HKDF(self.ck, x)
        self.mix_hash(t)
        self.n = 0

    def encrypt_and_hash(self, pt):
        c = ENCRYPT(self.cipher, self.k, self.n, self.h, pt)
        self.n += 1
        self.mix_hash(c)
        return c

    def decrypt_and_hash(self, c):
        pt = DECRYPT(self.cipher, self.k, self.n, self.h, c)
        self.n += 1
        self.mix_hash(c)
        return pt

    def split(self):
        k1, k2, _ = HKDF(self.ck, b"")
        return k1, k2


def header(typ, length):
    return bytes([typ, 2]) + struct.pack(">H", length)


def record(cipher, k, n, inner, data):
    body_len = 1 + len(data) + 16
    hdr = header(3, body_len)
    return hdr + ENCRYPT(cipher, k, n, hdr, bytes([inner]) + data)


def rekey(cipher, k):
    return ENCRYPT(cipher, k, 2**64 - 1, b"", bytes(32))[:32]


def ik_handshake(cipher, prologue, si, sr, ei, er, psk, payload1, payload2):
    """Noise IKpsk2's two messages, each side computed on its own; returns
    the two messages, the handshake hash and Split()'s two keys."""
    S_i, S_r, E_i, E_r = pub(si), pub(sr), pub(ei), pub(er)

    # -> e, es, s, ss, payload (the initiator)
    ini = Symmetric(cipher, prologue, S_r)
    ini.mix_hash(E_i)
    ini.mix_key(E_i)
    ini.mix_key(DH(ei, S_r))
    enc_s = ini.encrypt_and_hash(S_i)
    ini.mix_key(DH(si, S_r))
    msg1 = E_i + enc_s + ini.encrypt_and_hash(payload1)

    # the responder undoes it, independently
    res = Symmetric(cipher, prologue, S_r)
    res.mix_hash(msg1[:32])
    res.mix_key(msg1[:32])
    res.mix_key(DH(sr, msg1[:32]))
    rs = res.decrypt_and_hash(msg1[32:80])
    assert rs == S_i
    res.mix_key(DH(sr, rs))
    assert res.decrypt_and_hash(msg1[80:]) == payload1

    # <- e, ee, se, psk, payload (the responder)
    res.mix_hash(E_r)
    res.mix_key(E_r)
    res.mix_key(DH(er, E_i))
    res.mix_key(DH(er, S_i))
    res.mix_key_and_hash(psk)
    msg2 = E_r + res.encrypt_and_hash(payload2)

    ini.mix_hash(msg2[:32])
    ini.mix_key(msg2[:32])
    ini.mix_key(DH(ei, msg2[:32]))
    ini.mix_key(DH(si, msg2[:32]))
    ini.mix_key_and_hash(psk)
    assert ini.decrypt_and_hash(msg2[32:]) == payload2
    assert ini.h == res.h and ini.ck == res.ck
    k1, k2 = ini.split()
    assert (k1, k2) == res.split()
    return msg1, msg2, ini.h, k1, k2


def compute(v):
    """Every output of a vector file, from its inputs."""
    cipher = v["cipher"][0]
    si, sr = v["initiator_static_private"], v["responder_static_private"]
    ei, er = v["initiator_ephemeral_private"], v["responder_ephemeral_private"]
    out = {"initiator_static_public": pub(si), "responder_static_public": pub(sr),
           "initiator_ephemeral_public": pub(ei),
           "responder_ephemeral_public": pub(er)}

    prologue = b"rfsec" + bytes([2, cipher])
    out["prologue"] = prologue
    msg1, msg2, h, k1, k2 = ik_handshake(
        cipher, prologue, si, sr, ei, er, v["psk"], v["initiator_rx_limit"],
        v["responder_rx_limit"] + v["channel"])
    body = bytes([cipher, 0]) + msg1
    assert len(body) == 100
    out["initiation"] = header(1, len(body)) + body
    assert len(msg2) == 51
    out["response"] = header(2, len(msg2)) + msg2
    out["handshake_hash"] = h
    out["k1"], out["k2"] = k1, k2

    # Records: initiator to responder with k1, counters 0, 1, 2; then the
    # rekeyed key from 0. Responder to initiator with k2 likewise.
    out["confirm_record"] = record(cipher, k1, 0, 2, b"")
    out["data_i2r"] = record(cipher, k1, 1, 0, v["message_i2r"])
    out["rekey_i2r"] = record(cipher, k1, 2, 1, b"")
    k1r = rekey(cipher, k1)
    out["k1_rekeyed"] = k1r
    out["data_i2r_rekeyed"] = record(cipher, k1r, 0, 0, v["message_rekeyed"])
    out["close_i2r"] = record(cipher, k1r, 1, 3, b"")
    out["data_r2i"] = record(cipher, k2, 0, 0, v["message_r2i"])
    out["rekey_r2i"] = record(cipher, k2, 1, 1, b"")
    k2r = rekey(cipher, k2)
    out["k2_rekeyed"] = k2r
    out["data_r2i_rekeyed"] = record(cipher, k2r, 0, 0, v["message_rekeyed"])
    out["close_r2i"] = record(cipher, k2r, 1, 3, b"")
    return out


CACOPHONY_NAMES = {"Noise_IKpsk2_25519_ChaChaPoly_SHA256": 1,
                   "Noise_IKpsk2_25519_AESGCM_SHA256": 2}


def cacophony(check, path):
    """Both vectors of cacophony's file: the two handshake messages with
    their payloads, the handshake hash, then four transport messages,
    initiator and responder in turn, empty associated data, counters from
    0 in each direction."""
    with open(path) as f:
        doc = json.load(f)
    seen = set()
    for vec in doc["vectors"]:
        name = vec["protocol_name"]
        cipher = CACOPHONY_NAMES.get(name)
        check(cipher is not None, "cacophony: %s is IKpsk2 over SHA-256" % name)
        if cipher is None:
            continue
        seen.add(cipher)
        x = {k: bytes.fromhex(val) for k, val in vec.items()
             if isinstance(val, str) and k != "protocol_name"}
        psk = bytes.fromhex(vec["init_psks"][0])
        msgs = [(bytes.fromhex(m["payload"]), bytes.fromhex(m["ciphertext"]))
                for m in vec["messages"]]
        ok = (x["init_prologue"] == x["resp_prologue"] and
              vec["init_psks"] == vec["resp_psks"] and len(psk) == 32 and
              pub(x["resp_static"]) == x["init_remote_static"] and
              len(msgs) == 6)
        check(ok, "cacophony %s: the inputs agree between the sides" % name)
        try:
            msg1, msg2, h, k1, k2 = ik_handshake(
                cipher, x["init_prologue"], x["init_static"],
                x["resp_static"], x["init_ephemeral"], x["resp_ephemeral"],
                psk, msgs[0][0], msgs[1][0])
        except Exception as e:  # an assertion or a failed decryption
            check(False, "cacophony %s: the handshake runs (%r)" % (name, e))
            continue
        check(msg1 == msgs[0][1], "cacophony %s: message 1 (-> e, es, s, ss)"
              % name)
        check(msg2 == msgs[1][1], "cacophony %s: message 2 (<- e, ee, se, psk)"
              % name)
        check(h == x["handshake_hash"], "cacophony %s: handshake hash" % name)
        n = {0: 0, 1: 0}
        for i, (pt, ct) in enumerate(msgs[2:]):
            side = i % 2          # 0: initiator sends with k1
            key = k1 if side == 0 else k2
            c = ENCRYPT(cipher, key, n[side], b"", pt)
            ok = c == ct and DECRYPT(cipher, key, n[side], b"", ct) == pt
            n[side] += 1
            check(ok, "cacophony %s: transport message %d (%s)" %
                  (name, i + 3, "initiator" if side == 0 else "responder"))
    check(seen == {1, 2}, "cacophony: both ciphers' vectors are there")


# The vector files of PROTOCOL.md section 8: cipher id, and whether a psk.
FILES = {"chachapoly.txt": (1, False), "chachapoly-psk.txt": (1, True),
         "aesgcm.txt": (2, False), "aesgcm-psk.txt": (2, True)}


def main():
    top = os.path.dirname(os.path.abspath(__file__))
    vdir = os.path.join(top, "vectors")
    if len(sys.argv) > 1:
        vdir = sys.argv[1]
    n = failed = 0

    def check(ok, what):
        nonlocal n, failed
        n += 1
        failed += not ok
        print(("ok" if ok else "not ok"), n, what)
        return ok

    passed = {}
    for name, (cipher, has_psk) in FILES.items():
        path = os.path.join(vdir, name)
        passed[name] = False
        if not check(os.path.exists(path), "%s: exists" % name):
            continue
        try:
            v = load(path)
            good = (v["cipher"] == bytes([cipher]) and
                    (v["psk"] != bytes(32)) == has_psk)
        except (ValueError, KeyError) as e:
            check(False, "%s: parses (%r)" % (name, e))
            continue
        ok = check(good, "%s: parses, cipher %d, %s" %
                   (name, cipher, "a psk" if has_psk else "psk 0^32"))
        try:
            out = compute(v)
        except Exception as e:  # an assertion or a failed decryption
            check(False, "%s: recomputed from the inputs (%r)" % (name, e))
            continue
        for field, value in out.items():
            good = v.get(field) == value
            ok = check(good, "%s: %s" % (name, field)) and ok
            if not good:
                print("#   file:     %s" % v.get(field, b"").hex())
                print("#   computed: %s" % value.hex())
        for field in ("initiator_rx_limit", "responder_rx_limit"):
            lim = int.from_bytes(v[field], "big")
            ok = check(len(v[field]) == 2 and 64 <= lim <= 4100,
                       "%s: %s %d is in range" % (name, field, lim)) and ok
        passed[name] = ok
    for cipher, label in ((1, "ChaCha20-Poly1305"), (2, "AES-256-GCM")):
        mine = [f for f, (c, _) in FILES.items() if c == cipher]
        check(all(passed[f] for f in mine),
              "%s: every vector file (%s) exists, parses and passes" %
              (label, ", ".join(mine)))
    cacophony(check, os.path.join(vdir, "noise-ikpsk2-sha256-cacophony.json"))
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
