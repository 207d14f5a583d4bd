#!/usr/bin/env bash
# start-all.sh: runs start-sshd.sh, start-slurm.sh and install-mpi.sh, and
# prints the export lines of all three (also kept in $SPMD_CI_STATE/env), so
# that one line readies a shell for the cluster tests:
#
#   eval "$(scripts/ci/start-all.sh)" && go test ./spmd/ ./internal/clustertest/
#
# Stop everything with stop-all.sh. Needs root.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=scripts/ci/lib.sh
. "$here/lib.sh"

mkdir -p "$SPMD_CI_STATE"
{
	"$here/start-sshd.sh"
	"$here/start-slurm.sh"
	"$here/install-mpi.sh"
} >"$SPMD_CI_STATE/env.tmp"
mv "$SPMD_CI_STATE/env.tmp" "$SPMD_CI_STATE/env"
cat "$SPMD_CI_STATE/env"
