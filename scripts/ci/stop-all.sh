#!/usr/bin/env bash
# stop-all.sh: runs stop-slurm.sh and stop-sshd.sh (MPI has no daemon) and
# removes $SPMD_CI_STATE/env. Safe to run when nothing is running.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=scripts/ci/lib.sh
. "$here/lib.sh"

rc=0
"$here/stop-slurm.sh" || rc=1
"$here/stop-sshd.sh" || rc=1
rm -f "$SPMD_CI_STATE/env" "$SPMD_CI_STATE/mpi.env"
exit $rc
