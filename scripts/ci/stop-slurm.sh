#!/usr/bin/env bash
# stop-slurm.sh: stops the test cluster that start-slurm.sh started. It
# cancels any jobs left on it, stops each slurmd and slurmctld by the pid in
# $SPMD_CI_STATE/slurm, stops munged only if start-slurm.sh started it,
# removes the /etc/hosts lines tagged "# spmd-ci slurm", and removes
# /etc/slurm/slurm.conf if start-slurm.sh wrote it (restoring a saved
# original). Safe to run when nothing is running.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir=$SPMD_CI_STATE/slurm
conf=/etc/slurm/slurm.conf
marker="# Written by scripts/ci/start-slurm.sh (spmd CI test cluster)."

if ci_pid_alive "$dir/slurmctld.pid" && [ -e "$conf" ] && grep -qxF "$marker" "$conf"; then
	# Steps run in slurmstepd processes that outlive slurmd: cancel them
	# through the controller and wait (bounded) until they are gone.
	timeout 10 scancel --full --quiet --user=root 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		[ -z "$(timeout 5 squeue -h -t running,completing -o %i 2>/dev/null)" ] && break
		sleep 0.2
	done
fi

ci_kill_pidfiles "$dir/slurmd-n1.pid" "$dir/slurmd-n2.pid" "$dir/slurmd-n3.pid" "$dir/slurmctld.pid"
ci_kill_pidfiles "$dir/munged.pid"

ci_hosts_remove slurm
if [ -e "$conf" ] && grep -qxF "$marker" "$conf"; then
	rm -f "$conf"
	if [ -e "$dir/slurm.conf.orig" ]; then mv "$dir/slurm.conf.orig" "$conf"; fi
fi
rm -f "$SPMD_CI_STATE/slurm.env"
