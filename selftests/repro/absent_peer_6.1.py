#!/usr/bin/env python3
"""A plain RFCOMM (or L2CAP) connect to an address no controller has.

Runs in a test guest whose controllers are up (guest-init.sh starts
btvirt; see absent_peer_6.1.sh). No rfsec socket is involved.

On Debian's 6.1.192 the failed connect's teardown frees the ACL link's
hci_chan twice: hci_conn_failed() -> hci_conn_del() -> hci_chan_list_flush()
frees it, and when the last reference to the l2cap_conn goes (krfcommd
releasing the RFCOMM session's L2CAP socket, ~200 ms later; or close() of
an L2CAP socket) l2cap_conn_free() calls hci_chan_del() on it again:
"list_del corruption" on Debian's kernel, "KASAN: slab-use-after-free in
hci_chan_del" on the debug kernel. 6.12 deletes the hci_chan in
l2cap_conn_del() instead and is not affected.

  absent_peer_6.1.py [rfcomm|l2cap] [ROUNDS]   (default: rfcomm 1)
Prints one line per round and, last, the reports in the kernel log.
"""
import ctypes
import errno
import os
import select
import socket
import struct
import subprocess
import sys
import time

# Debian's python3 has no Bluetooth support in its socket module: the
# addresses are packed by hand and bind()/connect() called through libc.
AF_BLUETOOTH, BTPROTO_L2CAP, BTPROTO_RFCOMM = 31, 0, 3
ABSENT = "00:AA:BB:CC:DD:EE"  # no controller on btvirt's air has it
libc = ctypes.CDLL(None, use_errno=True)


def bdaddr(text):
    return bytes(reversed(bytes.fromhex(text.replace(":", ""))))


def sockaddr(proto, addr, port):
    # sizeof(struct sockaddr_rc) is 10 and sizeof(struct sockaddr_l2) 14:
    # connect() refuses a shorter address with EINVAL.
    if proto == "rfcomm":   # struct sockaddr_rc
        return struct.pack("<H6sBx", AF_BLUETOOTH, bdaddr(addr), port)
    # struct sockaddr_l2: family, psm, bdaddr, cid, bdaddr_type (BR/EDR)
    return struct.pack("<HH6sHBx", AF_BLUETOOTH, port, bdaddr(addr), 0, 0)


def call(fn, fd, sa):
    buf = ctypes.create_string_buffer(sa, len(sa))
    if fn(fd, buf, len(sa)) == 0:
        return 0
    return ctypes.get_errno()


def hci_addr(dev):
    out = subprocess.run(["hciconfig", dev], capture_output=True,
                         text=True).stdout
    for word in out.split():
        if word.count(":") == 5:
            return word
    sys.exit(f"no address for {dev}:\n{out}")


def one_round(proto, src):
    if proto == "rfcomm":
        s = socket.socket(AF_BLUETOOTH, socket.SOCK_STREAM, BTPROTO_RFCOMM)
        port = 1        # RFCOMM channel
    else:
        s = socket.socket(AF_BLUETOOTH, socket.SOCK_SEQPACKET, BTPROTO_L2CAP)
        port = 0x1001   # a dynamic PSM
    err = call(libc.bind, s.fileno(), sockaddr(proto, src, 0))
    if err:
        sys.exit(f"bind to {src}: {os.strerror(err)}")
    s.setblocking(False)
    t0 = time.monotonic()
    rc = call(libc.connect, s.fileno(), sockaddr(proto, ABSENT, port))
    p = select.poll()
    p.register(s, select.POLLOUT | select.POLLERR | select.POLLHUP)
    p.poll(30000)
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    ms = (time.monotonic() - t0) * 1000
    print(f"{proto} connect from {src} to {ABSENT}: "
          f"{errno.errorcode.get(rc, rc)}, then "
          f"{errno.errorcode.get(err, err)} after {ms:.0f} ms", flush=True)
    time.sleep(1)
    s.close()


def main():
    proto = sys.argv[1] if len(sys.argv) > 1 else "rfcomm"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    src = hci_addr("hci0")
    for _ in range(rounds):
        one_round(proto, src)
        time.sleep(3)  # the teardown runs ~200 ms after the failure
    log = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
    keys = ("KASAN", "list_del corruption", "BUG:", "Oops", "WARNING:",
            "refcount_t", "general protection")
    bad = [l for l in log.splitlines() if any(k in l for k in keys)]
    print("kernel log:", "clean" if not bad else "")
    for l in bad:
        print("  " + l)


main()
