#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The controller disappears mid-transfer: btvirt, which owns both virtual
controllers, is killed while one thread sends and another blocks in recv.
Over RFCOMM and over rfsec both calls must end (no hang) with the same
errno, and the module must still unload afterwards. TAP output.
"""

import ctypes
import errno
import os
import socket
import subprocess
import threading
import time

BTPROTO_RFCOMM, BTPROTO_RFSEC = 3, 7
CHANNEL = 21
libc = ctypes.CDLL(None, use_errno=True)
results = []


def addr(i):
    out = subprocess.check_output(['hciconfig', 'hci%d' % i]).decode()
    return out.split('BD Address: ')[1].split()[0]


def bt_socket(proto):
    # Python's socket module only knows RFCOMM's addresses: make the fd
    # with the C library and wrap it as an RFCOMM socket object.
    fd = libc.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM, proto)
    if fd < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM,
                         BTPROTO_RFCOMM, fileno=fd)


# As many controllers as the guest started with, so that the tests after
# this one find them all again.
N_CONTROLLERS = max(2, len([d for d in os.listdir('/sys/class/bluetooth')
                            if d.startswith('hci') and d[3:].isdigit()]))


def controllers_up():
    subprocess.run(['pkill', '-x', 'btvirt'])
    time.sleep(0.5)
    subprocess.Popen(['btvirt', '-l%d' % N_CONTROLLERS],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
    last = '/sys/class/bluetooth/hci%d' % (N_CONTROLLERS - 1)
    for _ in range(100):
        if os.path.exists(last):
            break
        time.sleep(0.1)
    for i in range(N_CONTROLLERS):
        subprocess.run(['hciconfig', 'hci%d' % i, 'up'], check=True)
        subprocess.run(['hciconfig', 'hci%d' % i, 'piscan'], check=True)


def errname(e):
    return errno.errorcode.get(e, str(e)) if e else 'ok'


def run(proto):
    """Returns (sender errno, receiver errno, seconds until both ended)."""
    a0, a1 = addr(0), addr(1)
    srv = bt_socket(proto)
    srv.bind((a1, CHANNEL))
    srv.listen(1)
    cli = bt_socket(proto)
    cli.bind((a0, 0))
    cli.connect((a1, CHANNEL))
    conn, _ = srv.accept()
    # A hang shows up as EAGAIN after 20 s instead of blocking forever.
    for s in (cli, conn):
        s.settimeout(20)
    out = {}

    def sender():
        try:
            while True:
                cli.send(b'x' * 1000)
        except OSError as e:
            out['send'] = e.errno or errno.EAGAIN

    def receiver():
        try:
            while conn.recv(4096):
                pass
            out['recv'] = 0
        except OSError as e:
            out['recv'] = e.errno or errno.EAGAIN

    threads = [threading.Thread(target=sender),
               threading.Thread(target=receiver)]
    for t in threads:
        t.start()
    time.sleep(1)
    start = time.time()
    subprocess.run(['pkill', '-9', '-x', 'btvirt'])
    for t in threads:
        t.join(30)
    took = time.time() - start
    hung = any(t.is_alive() for t in threads)
    for s in (cli, conn, srv):
        s.close()
    controllers_up()
    return (out.get('send'), out.get('recv'), took, hung)


def main():
    n = 0
    failed = 0

    def check(ok, name):
        nonlocal n, failed
        n += 1
        failed += not ok
        print('%sok %d %s' % ('' if ok else 'not ', n, name), flush=True)

    got = {}
    for name, proto in (('rfcomm', BTPROTO_RFCOMM), ('rfsec', BTPROTO_RFSEC)):
        s, r, took, hung = run(proto)
        got[name] = (s, r)
        print('# %s: send -> %s, recv -> %s, %.1f s after the controllers '
              'vanished' % (name, errname(s), errname(r), took), flush=True)
        check(not hung and s not in (None, errno.EAGAIN) and
              r not in (None, errno.EAGAIN),
              '%s: blocked send and recv end when the controller vanishes'
              % name)
    # Which errno RFCOMM itself reports depends on whether the link's
    # teardown reaches the DLC with an error (ECONNABORTED) or the call
    # finds it already closed (ENOTCONN): both have been seen on plain
    # RFCOMM in the same guest. rfsec must give one of RFCOMM's answers.
    rfcomm_answers = {errno.ECONNABORTED, errno.ENOTCONN}
    check(set(got['rfsec']) <= rfcomm_answers,
          'rfsec gives errnos RFCOMM gives when the controller vanishes '
          '(ECONNABORTED or ENOTCONN)')
    print('1..%d' % n)
    return 1 if failed else 0


if __name__ == '__main__':
    raise SystemExit(main())
