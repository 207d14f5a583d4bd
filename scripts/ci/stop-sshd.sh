#!/usr/bin/env bash
# stop-sshd.sh: stops the test sshd that start-sshd.sh started, by the pid it
# recorded in $SPMD_CI_STATE/sshd/sshd.pid, and removes its env file. Keys
# and config stay for the next start. Safe to run when nothing is running.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ci_kill_pidfiles "$SPMD_CI_STATE/sshd/sshd.pid"
rm -f "$SPMD_CI_STATE/sshd.env"
