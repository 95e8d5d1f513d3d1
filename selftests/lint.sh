#!/bin/bash
# checkpatch.pl (from Debian's linux-source-6.1) over every kernel source
# file. Prints TAP lines; exits non-zero on any error or warning.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cp_dir=$top/build/checkpatch
tarball=/usr/src/linux-source-6.1.tar.xz

if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	mkdir -p "$cp_dir"
	tar -xJf "$tarball" -C "$cp_dir" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch || exit 1
fi

cd "$top" || exit 1

# One version: the module's and the tool's (kernel/version.h), DKMS's and
# the Debian packages'.
v=$(sed -n 's/^#define RFSEC_VERSION "\(.*\)"/\1/p' kernel/version.h)
dkms_v=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
deb_v=$(sed -n '1s/^rfsec (\([^)]*\)).*/\1/p' debian/changelog)
if [ -n "$v" ] && [ "$v" = "$dkms_v" ] && [ "$v" = "$deb_v" ]; then
	echo "ok - one version everywhere: $v"
else
	echo "not ok - one version everywhere: version.h '$v', dkms.conf '$dkms_v', debian/changelog '$deb_v'"
	exit 1
fi
files=$(git ls-files 'kernel/*.[ch]' 'kernel/**/*.[ch]' 2>/dev/null | sort -u)
[ -n "$files" ] || files=$(find kernel -name '*.[ch]' | sort)
# shellcheck disable=SC2086
out=$("$cp_dir/scripts/checkpatch.pl" --no-tree --terse --show-types -f $files 2>&1)
rc=$?
# Its status as well as its words: a checkpatch that cannot run says
# nothing that looks like an error.
if [ "$rc" = 0 ] && [ -z "$(echo "$out" | grep -E ': (ERROR|WARNING):')" ]; then
	echo "ok - checkpatch.pl: kernel/ has no errors or warnings"
else
	echo "$out" | grep -E ': (ERROR|WARNING|CHECK):' | sed 's/^/# /'
	[ "$rc" = 0 ] || echo "$out" | tail -n 5 | sed 's/^/# /'
	echo "not ok - checkpatch.pl: kernel/ has no errors or warnings (exit $rc)"
	exit 1
fi
