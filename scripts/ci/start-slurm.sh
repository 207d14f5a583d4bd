#!/usr/bin/env bash
# start-slurm.sh: a real Slurm cluster of three fake nodes on this machine,
# for the tests that submit with sbatch and launch with srun. Idempotent: a
# cluster already running with the same config is reused.
#
#   eval "$(scripts/ci/start-slurm.sh)"   # exports SPMD_TEST_SLURM=1
#   srun -N 3 -n 6 -O hostname
#   scripts/ci/stop-slurm.sh
#
# What it does (the facts behind each step are in the project's
# cluster-testing notes):
#   - installs slurmctld slurmd slurm-client munge (no recommends) if absent;
#   - starts munged as user munge unless a munged already answers;
#   - writes /etc/slurm/slurm.conf (the path every Slurm command reads): one
#     controller at 127.0.0.1, nodes n1 n2 n3 at 127.0.1.1-3 listening on
#     ports 17001-17003, CPUs=4 each (more than the machine has, allowed by
#     SlurmdParameters=config_overrides), no cgroups, no accounting, one
#     partition "debug" (Default=YES), MpiDefault=pmi2 (checked to exist);
#   - adds "127.0.1.X nX" lines to /etc/hosts, tagged "# spmd-ci slurm", and
#     a line for this host's short name if it does not resolve;
#   - starts slurmctld and one `slurmd -N nX` per node, state, spool, logs
#     and pid files under $SPMD_CI_STATE/slurm (default /tmp/spmd-ci/slurm);
#   - waits (bounded) until sinfo shows the nodes idle, then checks
#     `srun -N 3 -n 6 -O hostname` under timeout.
# Use srun -O (--overcommit) for more tasks than CPUs; --oversubscribe pends.
#
# On stdout it prints `export SPMD_TEST_SLURM=1` (also kept in
# $SPMD_CI_STATE/slurm.env): the opt-in that lets tests submit jobs, so they
# never submit to a real cluster by accident. Needs root.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ci_need_root
ci_apt_install slurmctld slurmd slurm-client munge

dir=$SPMD_CI_STATE/slurm
conf=/etc/slurm/slurm.conf
marker="# Written by scripts/ci/start-slurm.sh (spmd CI test cluster)."
nodes=(n1 n2 n3)
host=$(hostname -s)
mkdir -p "$dir/ctld"
for n in "${nodes[@]}"; do mkdir -p "$dir/spool-$n"; done

# --- munge: Slurm's authentication -----------------------------------------
munge_ok() { munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; }
if ! munge_ok; then
	[ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
	chown munge:munge /etc/munge/munge.key
	chmod 0400 /etc/munge/munge.key
	install -d -o munge -g munge -m 0755 /run/munge
	install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
	rm -f /run/munge/munged.pid
	runuser -u munge -- /usr/sbin/munged
	ci_wait "munged" 10 munge_ok
	# Record that we started it, so stop-slurm.sh stops only our own.
	cp /run/munge/munged.pid "$dir/munged.pid"
	ci_log "munged started (pid $(head -n1 "$dir/munged.pid"))"
fi

# --- slurm.conf --------------------------------------------------------------
# This host's short name must resolve: slurmctld and slurmd check that the
# name in SlurmctldHost / NodeHostname is theirs.
getent hosts "$host" >/dev/null || ci_hosts_add slurm 127.0.0.1 "$host"
for i in 1 2 3; do ci_hosts_add slurm "127.0.1.$i" "n$i"; done

mkdir -p /etc/slurm
cat >"$dir/slurm.conf.new" <<CONF
$marker
# Three fake nodes on one machine (Debian builds slurmd with MULTIPLE_SLURMD).
ClusterName=spmdci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=6817
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# PMI-2 by default: srun gives every task a socket to Slurm's key-value
# store (PMI_FD), through which spmd's ranks share their secret, so that
# srun -N 3 -n 6 spmd pi works as typed (docs/LAUNCHING.md).
MpiDefault=pmi2
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
SlurmdParameters=config_overrides
# (No CommunicationParameters=NoInAddrAny: with it every slurmd binds the
# address of this host's name, not its NodeAddr, and job launch fails.)
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool-%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd-%n.log
SlurmctldTimeout=60
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
# Finished jobs stay visible to scontrol/squeue for 5 minutes.
MinJobAge=300
NodeName=n1 NodeHostname=$host NodeAddr=127.0.1.1 Port=17001 CPUs=4 State=UNKNOWN
NodeName=n2 NodeHostname=$host NodeAddr=127.0.1.2 Port=17002 CPUs=4 State=UNKNOWN
NodeName=n3 NodeHostname=$host NodeAddr=127.0.1.3 Port=17003 CPUs=4 State=UNKNOWN
PartitionName=debug Nodes=n[1-3] Default=YES MaxTime=INFINITE State=UP
CONF

running() {
	ci_pid_alive "$dir/slurmctld.pid" || return 1
	for n in "${nodes[@]}"; do ci_pid_alive "$dir/slurmd-$n.pid" || return 1; done
}

if running && cmp -s "$dir/slurm.conf.new" "$conf"; then
	ci_log "slurmctld and slurmd ${nodes[*]} already running"
	rm -f "$dir/slurm.conf.new"
else
	if [ -e "$conf" ] && ! grep -qxF "$marker" "$conf"; then
		cp "$conf" "$dir/slurm.conf.orig"
		ci_log "saved the existing $conf as $dir/slurm.conf.orig"
	fi
	ci_kill_pidfiles "$dir/slurmd-n1.pid" "$dir/slurmd-n2.pid" "$dir/slurmd-n3.pid" "$dir/slurmctld.pid"
	mv "$dir/slurm.conf.new" "$conf"
	# -c: start from a clean state (no jobs or node states from a past run).
	slurmctld -c
	ci_wait "slurmctld" 20 scontrol ping
	for n in "${nodes[@]}"; do slurmd -N "$n"; done
	ci_log "started slurmctld and slurmd ${nodes[*]}; logs in $dir"
fi

# --- wait for idle nodes, then a real job step ------------------------------
all_idle() {
	local states
	states=$(sinfo -h -N -o '%N %T' 2>/dev/null) || return 1
	[ "$(grep -c ' idle$' <<<"$states")" -eq ${#nodes[@]} ]
}
if ! (ci_wait "nodes ${nodes[*]} idle" 60 all_idle); then
	sinfo -N >&2 || true
	tail -n 20 "$dir/slurmctld.log" >&2 || true
	ci_die "the Slurm nodes did not become idle"
fi

srun --mpi=list 2>&1 | grep -qw pmi2 ||
	ci_die "this Slurm has no pmi2 MPI plugin (Debian: slurm-wlm-basic-plugins): srun --mpi=list says: $(srun --mpi=list 2>&1 | tr '\n' ' ')"
out=$(timeout 60 srun -I30 -N 3 -n 6 -O hostname </dev/null) || ci_die "srun -N 3 -n 6 -O hostname failed; logs in $dir"
[ "$(wc -l <<<"$out")" -eq 6 ] || ci_die "srun printed $(wc -l <<<"$out") lines, want 6: $out"
ci_log "srun -N 3 -n 6 -O hostname works"

echo "export SPMD_TEST_SLURM=1" | tee "$SPMD_CI_STATE/slurm.env"
