#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Recomputes every output of the protocol test vectors in selftests/vectors/
from their inputs, following docs/PROTOCOL.md alone, with python3-cryptography
and the standard library: an implementation independent of noise.c (which
generated the files). Prints TAP; exits non-zero on any difference.

    vectors_check.py [FILE...]   (default: selftests/vectors/*.txt)
"""
import glob
import hashlib
import hmac
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
        self.h = HASH(NAMES[cipher])
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
    return bytes([typ, 1]) + struct.pack(">H", length)


def record(cipher, k, n, inner, data):
    body_len = 1 + len(data) + 16
    hdr = header(3, body_len)
    return hdr + ENCRYPT(cipher, k, n, hdr, bytes([inner]) + data)


def rekey(cipher, k):
    return ENCRYPT(cipher, k, 2**64 - 1, b"", bytes(32))[:32]


def compute(v):
    """Every output of a vector file, from its inputs."""
    cipher = v["cipher"][0]
    si, sr = v["initiator_static_private"], v["responder_static_private"]
    ei, er = v["initiator_ephemeral_private"], v["responder_ephemeral_private"]
    psk = v["psk"]
    S_i, S_r, E_i, E_r = pub(si), pub(sr), pub(ei), pub(er)
    out = {"initiator_static_public": S_i, "responder_static_public": S_r,
           "initiator_ephemeral_public": E_i,
           "responder_ephemeral_public": E_r}

    prologue = (b"rfsec" + bytes([1, cipher]) + v["initiator_address"] +
                v["responder_address"] + v["channel"])
    out["prologue"] = prologue

    # Initiation, as the initiator builds it (section 2.4).
    ini = Symmetric(cipher, prologue, S_r)
    ini.mix_hash(E_i)
    ini.mix_key(E_i)
    ini.mix_key(DH(ei, S_r))
    enc_s = ini.encrypt_and_hash(S_i)
    ini.mix_key(DH(si, S_r))
    enc_ts = ini.encrypt_and_hash(v["timestamp"])
    body = bytes([cipher, 0]) + E_i + enc_s + enc_ts
    assert len(body) == 110
    out["initiation"] = header(1, len(body)) + body

    # The responder undoes it, independently.
    res = Symmetric(cipher, prologue, S_r)
    res.mix_hash(E_i)
    res.mix_key(E_i)
    res.mix_key(DH(sr, E_i))
    assert res.decrypt_and_hash(enc_s) == S_i
    res.mix_key(DH(sr, S_i))
    assert res.decrypt_and_hash(enc_ts) == v["timestamp"]

    # Response.
    res.mix_hash(E_r)
    res.mix_key(E_r)
    res.mix_key(DH(er, E_i))
    res.mix_key(DH(er, S_i))
    res.mix_key_and_hash(psk)
    enc_empty = res.encrypt_and_hash(b"")
    body = E_r + enc_empty
    assert len(body) == 48
    out["response"] = header(2, len(body)) + body

    ini.mix_hash(E_r)
    ini.mix_key(E_r)
    ini.mix_key(DH(ei, E_r))
    ini.mix_key(DH(si, E_r))
    ini.mix_key_and_hash(psk)
    assert ini.decrypt_and_hash(enc_empty) == b""
    assert ini.h == res.h and ini.ck == res.ck
    out["handshake_hash"] = ini.h
    k1, k2 = ini.split()
    assert (k1, k2) == res.split()
    out["k1"], out["k2"] = k1, k2

    # Records: initiator to responder with k1, counters 0, 1, 2; then the
    # rekeyed key from 0. Responder to initiator with k2 likewise.
    out["confirm_record"] = record(cipher, k1, 0, 2, b"")
    out["data_i2r"] = record(cipher, k1, 1, 0, v["message_i2r"])
    out["rekey_i2r"] = record(cipher, k1, 2, 1, b"")
    k1r = rekey(cipher, k1)
    out["k1_rekeyed"] = k1r
    out["data_i2r_rekeyed"] = record(cipher, k1r, 0, 0, v["message_rekeyed"])
    out["data_r2i"] = record(cipher, k2, 0, 0, v["message_r2i"])
    out["rekey_r2i"] = record(cipher, k2, 1, 1, b"")
    k2r = rekey(cipher, k2)
    out["k2_rekeyed"] = k2r
    out["data_r2i_rekeyed"] = record(cipher, k2r, 0, 0, v["message_rekeyed"])
    return out


def main():
    top = os.path.dirname(os.path.abspath(__file__))
    files = sys.argv[1:] or sorted(glob.glob(os.path.join(top, "vectors",
                                                          "*.txt")))
    n = failed = 0

    def check(ok, what):
        nonlocal n, failed
        n += 1
        failed += not ok
        print(("ok" if ok else "not ok"), n, what)

    check(len(files) >= 2, "there are vector files (%d)" % len(files))
    for path in files:
        name = os.path.basename(path)
        v = load(path)
        try:
            out = compute(v)
        except Exception as e:  # an assertion or a failed decryption
            check(False, "%s: recomputed from the inputs (%r)" % (name, e))
            continue
        for field, value in out.items():
            ok = v.get(field) == value
            check(ok, "%s: %s" % (name, field))
            if not ok:
                print("#   file:     %s" % v.get(field, b"").hex())
                print("#   computed: %s" % value.hex())
        check(v["timestamp"][:8] >= bytes.fromhex("4000000000000000"),
              "%s: timestamp is TAI64N (2^62 + seconds)" % name)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
