# shellcheck shell=bash
# lib.sh: helpers shared by the scripts/ci start and stop scripts. Source it;
# do not run it.
#
# Everything a start script creates goes under one state directory,
# $SPMD_CI_STATE (default /tmp/spmd-ci): config files, keys, logs, pid
# files, and one NAME.env file per service holding the `export` lines that
# tests read. Stop scripts kill only the pids recorded there (never by
# process name) and remove only the /etc/hosts lines tagged with
# $SPMD_CI_HOSTS_TAG.

SPMD_CI_STATE=${SPMD_CI_STATE:-/tmp/spmd-ci}
SPMD_CI_HOSTS_TAG="# spmd-ci"
export DEBIAN_FRONTEND=noninteractive

ci_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
ci_die() { ci_log "error: $*"; exit 1; }

# ci_need_root fails unless we can install packages and bind daemons.
ci_need_root() {
	[ "$(id -u)" -eq 0 ] || ci_die "must run as root (installs packages, writes /etc/hosts)"
}

# ci_apt_install PKG...: installs whichever of the packages are missing,
# without recommends. apt-get update runs first only when something is
# missing and the package lists were not updated in the last hour (by a
# start script, or by .ci/run touching $SPMD_CI_STATE/apt-updated).
ci_apt_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	mkdir -p "$SPMD_CI_STATE"
	if [ -z "$(find "$SPMD_CI_STATE/apt-updated" -mmin -60 2>/dev/null)" ]; then
		ci_log "apt-get update"
		apt-get update -qq </dev/null >&2
		touch "$SPMD_CI_STATE/apt-updated"
	fi
	ci_log "apt-get install ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >&2
}

# ci_pid_alive PIDFILE: true when PIDFILE names a running process.
ci_pid_alive() {
	local pid
	[ -s "$1" ] || return 1
	pid=$(head -n1 "$1")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null
}

# ci_kill_pidfiles PIDFILE...: sends TERM to each pid named in a PIDFILE,
# waits up to 10 s for them all to go, then sends KILL to any left; removes
# the pidfiles. Daemons are stopped together because each takes a second or
# two to exit. Missing or stale pidfiles are not an error.
ci_kill_pidfiles() {
	local f pid i pids=() left
	for f in "$@"; do
		[ -s "$f" ] || continue
		pid=$(head -n1 "$f")
		if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
			ci_log "stopping pid $pid ($f)"
			kill -TERM "$pid" 2>/dev/null || true
			pids+=("$pid")
		fi
	done
	for ((i = 0; i < 100; i++)); do
		left=()
		for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
		[ ${#left[@]} -eq 0 ] && break
		sleep 0.1
	done
	for pid in "${pids[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			ci_log "pid $pid ignored TERM for 10s; sending KILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	rm -f "$@"
}

# ci_hosts_add SERVICE ADDR NAME: adds "ADDR NAME # spmd-ci SERVICE" to
# /etc/hosts unless NAME already maps to ADDR there.
ci_hosts_add() {
	local svc=$1 addr=$2 name=$3
	if awk -v a="$addr" -v n="$name" '$1 == a { for (i = 2; i <= NF && $i !~ /^#/; i++) if ($i == n) f = 1 } END { exit !f }' /etc/hosts; then
		return 0
	fi
	printf '%s %s %s %s\n' "$addr" "$name" "$SPMD_CI_HOSTS_TAG" "$svc" >>/etc/hosts
}

# ci_hosts_remove SERVICE: removes the /etc/hosts lines that ci_hosts_add
# added for SERVICE. /etc/hosts may be a bind mount, so it is rewritten in
# place, not replaced.
ci_hosts_remove() {
	local tag="$SPMD_CI_HOSTS_TAG $1" tmp
	grep -qF -- "$tag" /etc/hosts || return 0
	tmp=$(mktemp)
	grep -vF -- "$tag" /etc/hosts >"$tmp" || true
	cat "$tmp" >/etc/hosts
	rm -f "$tmp"
}

# ci_wait DESC SECONDS CMD...: runs CMD every 0.2 s until it succeeds, or
# fails after SECONDS.
ci_wait() {
	local desc=$1 secs=$2 deadline
	shift 2
	deadline=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || ci_die "timed out after ${secs}s waiting for $desc"
		sleep 0.2
	done
}
