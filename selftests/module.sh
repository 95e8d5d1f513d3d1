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
