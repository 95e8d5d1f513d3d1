#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""An RFCOMM echo server and client written the way PyBluez tutorials write
them, to be run unmodified under `rfsec run` (see run_apps.sh).

    pybluez_echo.py server CHANNEL
    pybluez_echo.py client ADDRESS CHANNEL [CHUNKS [SIZE [DELAY_MS]]]

The client sends CHUNKS chunks of SIZE bytes (a numbered marker, then random
bytes), waits for each to come back and compares it with what it sent, and
pauses DELAY_MS milliseconds before the next (as rctest's -D does). Both
sides print the number of bytes and the SHA-256 of everything that went
through them:
    server: "received N bytes sha256 HEX"
    client: "sent N bytes sha256 HEX" and "echo intact" (exit 0) or
            "echo corrupted ..." (exit 1)
"""

import hashlib
import os
import sys
import time

import bluetooth


def server(port):
    server_sock = bluetooth.BluetoothSocket(bluetooth.RFCOMM)
    server_sock.bind(("", port))
    server_sock.listen(1)
    print("Waiting for connection on RFCOMM channel", port, flush=True)

    client_sock, client_info = server_sock.accept()
    print("Accepted connection from", client_info, flush=True)

    received = hashlib.sha256()
    total = 0
    try:
        while True:
            data = client_sock.recv(1024)
            if not data:
                break
            received.update(data)
            total += len(data)
            client_sock.sendall(data)
    except bluetooth.BluetoothError as e:
        print("Disconnected:", e, flush=True)

    print("received", total, "bytes sha256", received.hexdigest(), flush=True)
    client_sock.close()
    server_sock.close()
    return 0


def client(addr, port, chunks, size, delay):
    sock = bluetooth.BluetoothSocket(bluetooth.RFCOMM)
    sock.connect((addr, port))
    print("Connected to", addr, "on channel", port, flush=True)

    sent = hashlib.sha256()
    total = 0
    for i in range(chunks):
        marker = b"rfsec echo %06d\n" % i
        data = (marker + os.urandom(size))[:size]
        sock.sendall(data)
        echo = b""
        while len(echo) < len(data):
            part = sock.recv(len(data) - len(echo))
            if not part:
                break
            echo += part
        if echo != data:
            print("echo corrupted in chunk", i, "after", total, "bytes:",
                  "got", len(echo), "bytes starting", echo[:len(marker)],
                  flush=True)
            sock.close()
            return 1
        sent.update(data)
        total += len(data)
        time.sleep(delay)

    print("sent", total, "bytes sha256", sent.hexdigest(), flush=True)
    sock.close()
    print("echo intact", flush=True)
    return 0


def main(argv):
    if len(argv) == 2 and argv[0] == "server":
        return server(int(argv[1]))
    if 3 <= len(argv) <= 6 and argv[0] == "client":
        chunks = int(argv[3]) if len(argv) > 3 else 64
        size = int(argv[4]) if len(argv) > 4 else 1000
        delay = int(argv[5]) / 1000 if len(argv) > 5 else 0
        return client(argv[1], int(argv[2]), chunks, size, delay)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
