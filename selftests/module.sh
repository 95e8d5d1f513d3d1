#!/bin/bash
# The module: it is installed for this kernel with its aliases, loads and
# unloads cleanly, and `rfsec version` reads it over generic netlink.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec

t_check "modinfo: rfsec.ko is installed for $(uname -r)" \
	modinfo -n rfsec
t_check "modinfo: alias bt-proto-7 loads it on first socket()" \
	sh -c 'modinfo -F alias rfsec | grep -qx bt-proto-7'
t_check "modinfo: alias for the rfsec generic netlink family" \
	sh -c 'modinfo -F alias rfsec | grep -qx net-pf-16-proto-16-family-rfsec'

# Once per guest: the module's Noise core reproduces cacophony's IKpsk2
# vectors (kernel/selftest.c) before it registers anything, or refuses to
# load.
# The test bed loaded it already; a modprobe of a loaded module does nothing.
if grep -q '^rfsec ' /proc/modules; then
	t_check "rmmod rfsec (loaded by the test bed) before the self-test" \
		rmmod rfsec
fi
t_check "modprobe rfsec selftest=1: the Noise core passes cacophony's vectors" \
	modprobe rfsec selftest=1
t_check "the module ran with selftest=1" \
	grep -qx Y /sys/module/rfsec/parameters/selftest
t_check "the self-test said so in the kernel log" \
	sh -c "dmesg | grep -q 'selftest: cacophony.s IKpsk2 vectors pass'"
dmesg | grep 'rfsec: selftest' | t_diag
t_check "module is loaded" grep -q '^rfsec ' /proc/modules
t_check "rmmod rfsec after the self-test" rmmod rfsec

modprobe rfsec
t_check "module is loaded" grep -q '^rfsec ' /proc/modules
t_check "rmmod rfsec unloads it" rmmod rfsec
t_check "module is gone after rmmod" sh -c '! grep -q "^rfsec " /proc/modules'
t_check "modprobe rfsec loads it again" modprobe rfsec

out=$("$rfsec" version 2>&1)
rc=$?
echo "$out" | t_diag
modver=$(modinfo -F version rfsec)
t_check "rfsec version exits 0" test "$rc" = 0
t_check "rfsec version reports module $modver and protocol 7" \
	sh -c "echo '$out' | grep -q 'module $modver' && echo '$out' | grep -q 'BTPROTO_RFSEC 7'"
t_done
