#!/bin/bash
# The benchmark, run inside a guest by `make bench` (guest-init.sh, mode
# bench): RFCOMM against rfsec in alternating rounds. The report goes to
# OUTDIR/bench.txt.
#   bench.sh OUTDIR [BENCH ARGUMENTS]
# Without arguments, the arguments are read from build/bench.args if that
# file exists (`make bench BENCH_ARGS=...` writes it); see bench.c for them.
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: bench.sh OUTDIR [-s BYTES] [-r ROUNDS] [-w WRITE,...]}
shift
if [ $# = 0 ] && [ -s "$top/build/bench.args" ]; then
	read -r -a args < "$top/build/bench.args"
	set -- "${args[@]}"
fi
cd /tmp || exit 1
echo "guest: bench $*"
"$top/build/selftests/bench" "$@" 2>&1 | tee "$out/bench.txt"
