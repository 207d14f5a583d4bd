#!/usr/bin/env bash
# local.sh: run an spmd job on N ranks on this machine (spmd run -np N).
#
#   scripts/local.sh                        # 2 ranks of pi --samples 1e8 --verify
#   scripts/local.sh 4 pi --samples 1e9 --verify
#   scripts/local.sh 3 hello
#
# The binary is $SPMD_BIN, or bin/spmd of this checkout (built with
# `make build` first if it is missing).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

np=${1:-2}
[ $# -gt 0 ] && shift
[[ $np =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/local.sh [N] [JOB ARGS...]  (N ranks, a positive integer; got \"$np\")" >&2; exit 2; }
if [ $# -eq 0 ]; then
	set -- pi --samples 1e8 --verify
fi

bin=${SPMD_BIN:-$root/bin/spmd}
if [ -z "${SPMD_BIN:-}" ] && [ ! -x "$bin" ]; then
	make -C "$root" build >&2
fi
exec "$bin" run -np "$np" "$@"
