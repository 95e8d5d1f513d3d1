#!/bin/bash
# Debian 6.1.192 leaks the hci_conn of every ACL link, with its l2cap_conn
# and its sysfs device: plain RFCOMM, no rfsec socket. rfcomm_test (the
# suite's proof of the bench: plain kernel RFCOMM between hci0 and hci1,
# three connections) is the reproducer; the guest's kmemleak scan after the
# run names the objects. From the top of the checkout, with the 6.1 debug
# kernel built (make check-debug) and the module built for it:
#   make kmod KVER=6.1.192-rfsec-debug
#   RFSEC_FLAVOUR=debug selftests/vm/run-guest.sh -T rfcomm_test \
#       6.1.192-rfsec-debug tests
#   grep -c 'unreferenced object' build/results/6.1.192-rfsec-debug/kmemleak.txt
# Measured: 24 objects, 6 hci_conn (two ends of three links), 6 l2cap_conn,
# 12 for their sysfs devices (conn_leak_6.1.kmemleak.txt). The same test on
# 6.12.117-rfsec-debug leaks nothing. This script runs those commands.
set -e
cd "$(dirname "$0")/../.."
v=6.1.192-rfsec-debug
make -s kmod KVER=$v
RFSEC_FLAVOUR=debug selftests/vm/run-guest.sh -T rfcomm_test $v tests
grep -c 'unreferenced object' build/results/$v/kmemleak.txt
