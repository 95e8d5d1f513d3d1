#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Makes the sockets named on the command line and reports what the kernel
made of each, for run_test.sh to compare with and without the rfsec preload.

    run_probe.py [--count RFSEC] [--threads N] CASE...

One line per CASE, in order:
    CASE proto=P nonblock=0|1 cloexec=0|1     the socket was made
    CASE errno=NAME                           socket() failed
With --count RFSEC, a last line 'rfsec_sockets=N': what `RFSEC version dump`
says while all the sockets are still open. --threads N makes every socket of
the first CASE N times at once from N threads, as the process's very first
socket() calls, and reports 'CASE xN' before the usual fields when all N
came out alike.

Sockets are made with the C library's socket(), as a C program makes them,
so that the flags are exactly those asked for (Python's socket module always
adds SOCK_CLOEXEC); 'python-rfcomm' goes through the socket module itself.
"""

import ctypes
import errno
import fcntl
import os
import socket
import subprocess
import sys
import threading

libc = ctypes.CDLL(None, use_errno=True)

BT = socket.AF_BLUETOOTH
STREAM, SEQPACKET, RAW = socket.SOCK_STREAM, socket.SOCK_SEQPACKET, socket.SOCK_RAW
NB, CX = socket.SOCK_NONBLOCK, socket.SOCK_CLOEXEC
RFCOMM = socket.BTPROTO_RFCOMM

CASES = {
    # What the preload turns into rfsec sockets.
    "rfcomm": (BT, STREAM, RFCOMM),
    "rfcomm-nonblock": (BT, STREAM | NB, RFCOMM),
    "rfcomm-cloexec": (BT, STREAM | CX, RFCOMM),
    "rfcomm-nonblock-cloexec": (BT, STREAM | NB | CX, RFCOMM),
    "rfcomm-raw": (BT, RAW, RFCOMM),
    # What it must leave alone.
    "rfcomm-seqpacket": (BT, SEQPACKET, RFCOMM),
    "l2cap": (BT, SEQPACKET, socket.BTPROTO_L2CAP),
    "l2cap-stream": (BT, STREAM, socket.BTPROTO_L2CAP),
    "hci": (BT, RAW, socket.BTPROTO_HCI),
    "sco": (BT, SEQPACKET, socket.BTPROTO_SCO),
    "inet": (socket.AF_INET, STREAM, 0),
    "inet-udp": (socket.AF_INET, socket.SOCK_DGRAM, 0),
    "unix": (socket.AF_UNIX, STREAM, 0),
    "unix-seqpacket-nonblock": (socket.AF_UNIX, SEQPACKET | NB, 0),
}


def make(case):
    """A file descriptor for CASE, or -errno."""
    if case == "python-rfcomm":
        try:
            return socket.socket(BT, STREAM, RFCOMM).detach()
        except OSError as e:
            return -e.errno
    fd = libc.socket(*CASES[case])
    return fd if fd >= 0 else -ctypes.get_errno()


def describe(fd):
    if fd < 0:
        return "errno=" + errno.errorcode.get(-fd, str(-fd))
    # Not through a socket object: Python's would query more than this.
    proto, size = ctypes.c_int(), ctypes.c_uint32(ctypes.sizeof(ctypes.c_int))
    if libc.getsockopt(fd, socket.SOL_SOCKET, socket.SO_PROTOCOL,
                       ctypes.byref(proto), ctypes.byref(size)) < 0:
        return "getsockopt errno=" + errno.errorcode[ctypes.get_errno()]
    nonblock = int(bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK))
    cloexec = int(bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC))
    return "proto=%d nonblock=%d cloexec=%d" % (proto.value, nonblock, cloexec)


def make_at_once(case, n):
    fds = [None] * n
    start = threading.Barrier(n)

    def one(i):
        start.wait()
        fds[i] = make(case)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return fds


def main(argv):
    count_with, threads = None, 0
    while argv and argv[0].startswith("--"):
        opt, argv = argv[0], argv[1:]
        if opt == "--count":
            count_with, argv = argv[0], argv[1:]
        elif opt == "--threads":
            threads, argv = int(argv[0]), argv[1:]
        else:
            sys.exit("run_probe.py: unknown option " + opt)

    fds = []
    if threads:
        case, argv = argv[0], argv[1:]
        made = make_at_once(case, threads)
        fds += made
        lines = sorted(set(describe(fd) for fd in made))
        if len(lines) == 1:
            print("%s x%d %s" % (case, threads, lines[0]))
        else:
            print("%s differ: %s" % (case, "; ".join(lines)))
    for case in argv:
        fd = make(case)
        fds.append(fd)
        print(case, describe(fd))
    if count_with:
        out = subprocess.run([count_with, "version", "dump"], check=True,
                             capture_output=True, text=True).stdout
        print("rfsec_sockets=" + out.split("\t")[3].strip())
    sys.stdout.flush()
    for fd in fds:
        if fd >= 0:
            os.close(fd)


if __name__ == "__main__":
    main(sys.argv[1:])
