#!/usr/bin/env bash
# start-sshd.sh: a private sshd on loopback for the ssh (hostfile) launcher
# tests. Idempotent: run it again and it reuses the running daemon.
#
#   eval "$(scripts/ci/start-sshd.sh)"   # exports SPMD_TEST_SSH_CONFIG
#   ssh -F "$SPMD_TEST_SSH_CONFIG" 127.0.0.2 true
#   scripts/ci/stop-sshd.sh
#
# It installs openssh-server if absent, makes a test client key and host key
# under $SPMD_CI_STATE/sshd (default /tmp/spmd-ci/sshd), and starts
# /usr/sbin/sshd with its own sshd_config: port 2222 on 127.0.0.1, 127.0.0.2
# and 127.0.0.3 only, root by that key only, no passwords, no PAM. The
# system's sshd (port 22, /etc/ssh) is neither used nor touched.
#
# Remote commands get a minimal environment from sshd; the config sets PATH
# for them (SetEnv) to this script's PATH plus the Go and system dirs, so
# go-built binaries given by absolute path, and go itself, are found.
#
# On stdout it prints `export SPMD_TEST_SSH_CONFIG=...`, the ssh client
# config (Port 2222, User root, the test key, no host key checks, BatchMode)
# that tests pass to ssh -F; the same line is kept in $SPMD_CI_STATE/sshd.env.
# Logs go to stderr and $SPMD_CI_STATE/sshd/sshd.log. Needs root.
set -euo pipefail
# shellcheck source=scripts/ci/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ci_need_root
ci_apt_install openssh-server openssh-client

dir=$SPMD_CI_STATE/sshd
mkdir -p "$dir"
chmod 0700 "$dir"
port=2222
addrs=(127.0.0.1 127.0.0.2 127.0.0.3)

[ -s "$dir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C spmd-ci-test -f "$dir/id_ed25519"
[ -s "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C spmd-ci-host -f "$dir/ssh_host_ed25519_key"
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
chmod 0600 "$dir/authorized_keys"

# PATH for remote commands: ours (minus relative entries) with the Go and
# system directories guaranteed.
remote_path=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
IFS=: read -r -a parts <<<"${PATH:-}"
for p in "${parts[@]}"; do
	case $p in /*) case ":$remote_path:" in *":$p:"*) ;; *) remote_path=$remote_path:$p ;; esac ;; esac
done

{
	echo "# Written by scripts/ci/start-sshd.sh: a test-only sshd on loopback."
	echo "Port $port"
	for a in "${addrs[@]}"; do echo "ListenAddress $a"; done
	echo "HostKey $dir/ssh_host_ed25519_key"
	echo "PidFile $dir/sshd.pid"
	echo "AuthorizedKeysFile $dir/authorized_keys"
	echo "PermitRootLogin prohibit-password"
	echo "PubkeyAuthentication yes"
	echo "PasswordAuthentication no"
	echo "KbdInteractiveAuthentication no"
	echo "UsePAM no"
	echo "StrictModes no"
	echo "PrintMotd no"
	echo "UseDNS no"
	echo "X11Forwarding no"
	echo "MaxStartups 100"
	echo "MaxSessions 100"
	echo "SetEnv PATH=$remote_path"
} >"$dir/sshd_config.new"

{
	echo "# Written by scripts/ci/start-sshd.sh: ssh -F this file to reach the test sshd."
	echo "Host *"
	echo "  Port $port"
	echo "  User root"
	echo "  IdentityFile $dir/id_ed25519"
	echo "  IdentitiesOnly yes"
	echo "  StrictHostKeyChecking no"
	echo "  UserKnownHostsFile /dev/null"
	echo "  BatchMode yes"
	echo "  LogLevel ERROR"
	echo "  ConnectTimeout 10"
} >"$dir/ssh_config"

# Reuse a running daemon only if it was started with this very config.
if ci_pid_alive "$dir/sshd.pid" && cmp -s "$dir/sshd_config.new" "$dir/sshd_config"; then
	ci_log "sshd already running (pid $(head -n1 "$dir/sshd.pid"))"
	rm -f "$dir/sshd_config.new"
else
	ci_kill_pidfiles "$dir/sshd.pid"
	mv "$dir/sshd_config.new" "$dir/sshd_config"
	install -d -m 0755 /run/sshd
	/usr/sbin/sshd -t -f "$dir/sshd_config"
	# sshd daemonizes and writes PidFile once it listens; -E keeps its log
	# (there is no syslog here).
	/usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
	ci_wait "sshd pid file" 10 test -s "$dir/sshd.pid"
	ci_log "sshd started (pid $(head -n1 "$dir/sshd.pid")) on ${addrs[*]} port $port"
fi

for a in "${addrs[@]}"; do
	# shellcheck disable=SC2016 # $PATH is the remote one
	out=$(timeout 20 ssh -F "$dir/ssh_config" "$a" 'echo ok; command -v go >/dev/null || echo "go not on remote PATH: $PATH" >&2' </dev/null) ||
		ci_die "ssh -F $dir/ssh_config $a failed; see $dir/sshd.log"
	[ "$out" = ok ] || ci_die "ssh to $a printed \"$out\", want \"ok\" (does a shell rc file print?)"
done
ci_log "ssh to ${addrs[*]} port $port works"

echo "export SPMD_TEST_SSH_CONFIG=$dir/ssh_config" | tee "$SPMD_CI_STATE/sshd.env"
