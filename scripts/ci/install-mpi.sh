#!/usr/bin/env bash
# install-mpi.sh: installs Open MPI and MPICH side by side, as launchers for
# the tests that start spmd ranks with mpirun/mpiexec, and checks that each
# starts /bin/true on 2 ranks. There is no daemon to start or stop: both
# launch their ranks as children of the mpirun/mpiexec process. Idempotent.
#
#   eval "$(scripts/ci/install-mpi.sh)"   # exports SPMD_TEST_MPI=1
#
# Plain `mpirun` stays Open MPI's after both are installed, so call them by
# their own names: mpirun.openmpi and mpiexec.mpich. Open MPI 4.1 as root
# needs --allow-run-as-root, more ranks than cores need --oversubscribe, and
# `--mca oob_tcp_if_include lo` keeps its runtime traffic on loopback.
#
# On stdout it prints `export SPMD_TEST_MPI=1` (also kept in
# $SPMD_CI_STATE/mpi.env). Needs root.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ci_need_root
ci_apt_install openmpi-bin mpich
mkdir -p "$SPMD_CI_STATE"

ompi=(mpirun.openmpi --oversubscribe --mca oob_tcp_if_include lo --mca btl_tcp_if_include lo)
[ "$(id -u)" -eq 0 ] && ompi+=(--allow-run-as-root)
timeout 60 "${ompi[@]}" -np 2 /bin/true </dev/null || ci_die "${ompi[*]} -np 2 /bin/true failed"
ci_log "$(mpirun.openmpi --version | head -n1): 2 ranks of /bin/true ran"

timeout 60 mpiexec.mpich -n 2 /bin/true </dev/null || ci_die "mpiexec.mpich -n 2 /bin/true failed"
ci_log "MPICH $(mpichversion 2>/dev/null | awk '/Version:/ {print $NF}'): 2 ranks of /bin/true ran"

echo "export SPMD_TEST_MPI=1" | tee "$SPMD_CI_STATE/mpi.env"
