#!/bin/bash
# Sets off the module's deliberate bugs (kernel/selftest_bugs.c): each must
# make the debug run fail, by its KASAN, lockdep or kmemleak report.
. "$(dirname "$0")/lib.sh"
modprobe rfsec
# Lockdep first: a KASAN report taints the kernel "lockdep unreliable"
# and turns lockdep off.
for bug in 2 3 1; do
	t_check "selftest_bug $bug set off" \
		sh -c "echo $bug > /sys/module/rfsec/parameters/selftest_bug"
done
t_done
