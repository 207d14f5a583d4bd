package launch

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// shell is a Program running script with sh.
func shell(script string) []string { return []string{"sh", "-c", script} }

// remote makes cfg run its non-local hosts through fakeSSH and this test
// binary as the remote spmd.
func remote(t *testing.T, cfg Config) Config {
	cfg.SSH = fakeSSH
	cfg.RemoteSpmd = self(t)
	return cfg
}

// TestRunEnv checks that every rank runs exactly once and sees its
// SPMD_* environment, for local jobs of several sizes and for jobs mixing
// local and (fake-ssh) remote hosts.
func TestRunEnv(t *testing.T) {
	const script = `echo "$SPMD_RANK $SPMD_SIZE $SPMD_LOCAL_RANK $SPMD_LOCAL_SIZE $SPMD_HOST ${#SPMD_SECRET} $SPMD_JOB $SPMD_RENDEZVOUS"`
	for _, tc := range []struct {
		name  string
		hosts []string
	}{
		{"local1", hosts(1, "127.0.0.1")},
		{"local2", hosts(2, "localhost")},
		{"local3", hosts(3, "127.0.0.1")},
		{"local8", hosts(8, "127.0.0.1")},
		{"local32", hosts(32, "127.0.0.1")},
		{"mixed6", hosts(6, "127.0.0.1", "127.0.0.2", "127.0.0.3")},
		{"remote3", hosts(3, "127.0.0.2")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, remote(t, Config{Program: shell(script), Hosts: tc.hosts}))
			if res.err != nil || res.code != 0 {
				t.Fatalf("Run = %d, %v; stderr:\n%s", res.code, res.err, res.stderr)
			}
			lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
			if len(lines) != len(tc.hosts) {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(tc.hosts), res.stdout)
			}
			sort.Slice(lines, func(i, j int) bool { return rankOf(lines[i]) < rankOf(lines[j]) })
			perHost := map[string]int{}
			for _, h := range tc.hosts {
				perHost[addrOf(h)]++
			}
			seenLocal := map[string]int{}
			var job, rv string
			for r, line := range lines {
				f := strings.Fields(line)
				if len(f) != 8 {
					t.Fatalf("line %q: want 8 fields", line)
				}
				h := addrOf(tc.hosts[r])
				want := fmt.Sprintf("%d %d %d %d %s 64", r, len(tc.hosts), seenLocal[h], perHost[h], h)
				seenLocal[h]++
				if got := strings.Join(f[:6], " "); got != want {
					t.Errorf("rank %d: got %q, want %q", r, got, want)
				}
				if r == 0 {
					job, rv = f[6], f[7]
				} else if f[6] != job || f[7] != rv {
					t.Errorf("rank %d: job/rendezvous %s %s differ from rank 0's %s %s", r, f[6], f[7], job, rv)
				}
			}
			if !strings.HasPrefix(rv, "127.0.0.1:") {
				t.Errorf("SPMD_RENDEZVOUS = %q, want 127.0.0.1:PORT", rv)
			}
		})
	}
}

func rankOf(line string) int {
	var r int
	fmt.Sscan(line, &r)
	return r
}

func addrOf(h string) string {
	if h == "localhost" {
		return "127.0.0.1"
	}
	return h
}

// TestRunSecretNotOnCommandLine checks that the job secret is in the
// ranks' environment but on no process's command line (ssh's included).
func TestRunSecretNotOnCommandLine(t *testing.T) {
	dir := t.TempDir()
	gate := filepath.Join(dir, "go")
	var out syncBuffer
	cfg := remote(t, Config{
		Program: shell(`echo "$SPMD_SECRET"; while [ ! -e "$GATE" ]; do sleep 0.02; done`),
		Hosts:   hosts(4, "127.0.0.1", "127.0.0.2"),
		Env:     []string{"GATE=" + gate},
		Stdout:  &out,
	})
	done := make(chan result, 1)
	go func() { done <- run(t, cfg) }()
	waitFor(t, "4 secrets", func() bool { return out.lines() == 4 })
	secrets := strings.Fields(out.String())
	if len(secrets[0]) != 64 {
		t.Errorf("secret %q: want 64 hex digits", secrets[0])
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err == nil && strings.Contains(string(b), secrets[0]) {
			t.Errorf("%s holds the secret: %q", d, b)
		}
	}
	os.WriteFile(gate, nil, 0o644)
	if res := <-done; res.code != 0 {
		t.Errorf("Run = %d, %v; stderr:\n%s", res.code, res.err, res.stderr)
	}
}

// TestRunFailure checks that the first failing rank decides the exit code
// and is named once on stderr, and that the other ranks (and their
// children, which the process-table check covers) are stopped.
func TestRunFailure(t *testing.T) {
	// Other ranks would run for a minute: the job only ends in time if
	// they are stopped.
	const others = `sleep 60 & wait`
	for _, tc := range []struct {
		name, script string
		hosts        []string
		code         int
		msg          string
	}{
		{"exit3", `if [ $SPMD_RANK = 2 ]; then exit 3; fi; ` + others, hosts(4, "127.0.0.1"), 3,
			"spmd run: rank 2 on 127.0.0.1 exited with code 3\n"},
		{"sigkill", `if [ $SPMD_RANK = 1 ]; then kill -KILL $$; fi; ` + others, hosts(3, "127.0.0.1"), 137,
			"spmd run: rank 1 on 127.0.0.1 killed by signal KILL\n"},
		{"remote-exit3", `if [ $SPMD_RANK = 3 ]; then exit 3; fi; ` + others, hosts(4, "127.0.0.1", "127.0.0.2"), 3,
			"spmd run: rank 3 on 127.0.0.2 exited with code 3\n"},
		{"remote-sigsegv", `if [ $SPMD_RANK = 1 ]; then kill -SEGV $$; fi; ` + others, hosts(4, "127.0.0.1", "127.0.0.2"), 139,
			"spmd run: rank 1 on 127.0.0.2 killed by signal SEGV\n"},
		{"remote-peer-of-failure", `if [ $SPMD_RANK = 0 ]; then exit 5; fi; ` + others, hosts(4, "127.0.0.1", "127.0.0.3"), 5,
			"spmd run: rank 0 on 127.0.0.1 exited with code 5\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, remote(t, Config{Program: shell(tc.script), Hosts: tc.hosts, KillAfter: 2 * time.Second}))
			if res.err != nil || res.code != tc.code {
				t.Errorf("Run = %d, %v; want %d", res.code, res.err, tc.code)
			}
			if res.stderr != tc.msg {
				t.Errorf("stderr = %q, want %q", res.stderr, tc.msg)
			}
		})
	}
}

// TestRunSignals checks that a signal to the launcher reaches every rank
// (exit code 128+n), that ranks ignoring it are killed after KillAfter,
// and that a second signal kills at once.
func TestRunSignals(t *testing.T) {
	for _, tc := range []struct {
		name      string
		script    string
		killAfter time.Duration
		sends     int
	}{
		{"forwarded", `echo up; sleep 60 & wait`, time.Hour, 1},
		{"ignored-then-grace", `trap '' INT; echo up; sleep 60 & wait`, 300 * time.Millisecond, 1},
		{"ignored-then-second", `trap '' INT; echo up; sleep 60 & wait`, time.Hour, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out syncBuffer
			sigs := make(chan os.Signal, 2)
			cfg := remote(t, Config{
				Program: shell(tc.script), Hosts: hosts(4, "127.0.0.1", "127.0.0.2"),
				KillAfter: tc.killAfter, Signals: sigs, Stdout: &out,
			})
			done := make(chan result, 1)
			go func() { done <- run(t, cfg) }()
			waitFor(t, "4 ranks up", func() bool { return out.lines() == 4 })
			for range tc.sends {
				sigs <- syscall.SIGINT
				time.Sleep(100 * time.Millisecond)
			}
			res := <-done
			if res.code != 130 {
				t.Errorf("Run = %d, %v, want 130; stderr:\n%s", res.code, res.err, res.stderr)
			}
			if !strings.Contains(res.stderr, "spmd run: got SIGINT; forwarding it to 4 ranks") {
				t.Errorf("stderr does not report the signal:\n%s", res.stderr)
			}
		})
	}
}

// TestRunTimeout checks that --timeout ends a job with code 124.
func TestRunTimeout(t *testing.T) {
	res := run(t, remote(t, Config{
		Program: shell(`sleep 60 & wait`), Hosts: hosts(2, "127.0.0.1", "127.0.0.2"),
		Timeout: 200 * time.Millisecond,
	}))
	if res.code != TimeoutExitCode || !strings.Contains(res.stderr, "spmd run: job timed out after 200ms; stopping 2 ranks") {
		t.Errorf("Run = %d, %v; stderr:\n%s", res.code, res.err, res.stderr)
	}
}

// TestRunStdin checks that stdin reaches rank 0 only, whether rank 0 is
// local or remote.
func TestRunStdin(t *testing.T) {
	for _, h := range [][]string{{"127.0.0.1", "127.0.0.2"}, {"127.0.0.2", "127.0.0.1"}} {
		t.Run("rank0-on-"+h[0], func(t *testing.T) {
			res := run(t, remote(t, Config{
				Program: shell(`x=$(cat); echo "$SPMD_RANK [$x]"`),
				Hosts:   hosts(4, h...),
				Stdin:   strings.NewReader("hello\nworld"),
			}))
			if res.code != 0 {
				t.Fatalf("Run = %d, %v; stderr:\n%s", res.code, res.err, res.stderr)
			}
			got := strings.Split(strings.TrimSpace(res.stdout), "\n")
			sort.Strings(got)
			want := []string{"0 [hello", "world]", "1 []", "2 []", "3 []"}
			if strings.Join(got, "|") != strings.Join(sortedCopy(want), "|") {
				t.Errorf("stdout lines %q, want %q", got, want)
			}
		})
	}
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

// TestRunOutputIntact has ranks print many long lines at once and checks
// that every line arrives whole and exactly once, tagged with its rank.
func TestRunOutputIntact(t *testing.T) {
	const count, length = 300, 20000
	res := run(t, remote(t, Config{
		Program:       []string{self(t), "_lines", fmt.Sprint(count), fmt.Sprint(length)},
		RemoteProgram: []string{self(t), "_lines", fmt.Sprint(count), fmt.Sprint(length)},
		Hosts:         hosts(4, "127.0.0.1", "127.0.0.2"),
		TagOutput:     true,
	}))
	if res.code != 0 {
		t.Fatalf("Run = %d, %v; stderr:\n%s", res.code, res.err, res.stderr)
	}
	seen := map[string]bool{}
	pad := strings.Repeat("x", length)
	for _, line := range strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n") {
		var tag, r, i int
		if _, err := fmt.Sscanf(line, "[%d] %d %d", &tag, &r, &i); err != nil || tag != r {
			t.Fatalf("mangled line (%v): %.80q", err, line)
		}
		if want := fmt.Sprintf("[%d] %d %d %s", r, r, i, pad); line != want {
			t.Fatalf("line of rank %d #%d is damaged: %d bytes, want %d", r, i, len(line), len(want))
		}
		key := fmt.Sprint(r, i)
		if seen[key] {
			t.Fatalf("line of rank %d #%d twice", r, i)
		}
		seen[key] = true
	}
	if len(seen) != 4*count {
		t.Errorf("got %d lines, want %d", len(seen), 4*count)
	}
}

// TestRunStartErrors checks the errors that stop a job before or while
// it starts.
func TestRunStartErrors(t *testing.T) {
	refuse := []string{"sh", "-c", `echo "ssh: connect to host $1 port 22: Connection refused" >&2; exit 255`, "fakessh"}
	for _, tc := range []struct {
		name    string
		cfg     Config
		code    int
		err     string // Run's error, or
		stderr  string // the report line
		skipped bool
	}{
		{name: "local-program-missing",
			cfg:  Config{Program: []string{"no-such-program-spmd"}, Hosts: hosts(2, "127.0.0.1")},
			code: 127, err: "cannot run no-such-program-spmd: exec: \"no-such-program-spmd\": executable file not found in $PATH"},
		{name: "ssh-refused",
			cfg:    Config{Program: shell(`sleep 60 & wait`), Hosts: hosts(3, "127.0.0.1", "127.0.0.9"), SSH: refuse, RemoteSpmd: "/spmd"},
			code:   255,
			stderr: "spmd run: could not start rank 1 on 127.0.0.9: ssh: connect to host 127.0.0.9 port 22: Connection refused\n"},
		{name: "remote-program-missing",
			cfg: remote(t, Config{Program: shell(`sleep 60 & wait`), RemoteProgram: []string{"no-such-program-spmd"},
				Hosts: hosts(2, "127.0.0.1", "127.0.0.2")}),
			code:   127,
			stderr: "spmd run: could not start rank 1 on 127.0.0.2: exec: \"no-such-program-spmd\": executable file not found in $PATH\n"},
		{name: "remote-spmd-missing",
			cfg:    Config{Program: shell(`sleep 60 & wait`), Hosts: hosts(2, "127.0.0.1", "127.0.0.2"), SSH: fakeSSH, RemoteSpmd: "/no/such/spmd"},
			code:   127,
			stderr: "spmd run: could not start rank 1 on 127.0.0.2: sh: 1: /no/such/spmd: not found\n"},
		{name: "ssh-missing",
			cfg:  Config{Program: shell(`true`), Hosts: hosts(2, "127.0.0.2"), SSH: []string{"no-such-ssh-spmd"}, RemoteSpmd: "/spmd"},
			code: 127, err: "cannot run the ssh command no-such-ssh-spmd: exec: \"no-such-ssh-spmd\": executable file not found in $PATH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, tc.cfg)
			if res.code != tc.code {
				t.Errorf("code %d, want %d", res.code, tc.code)
			}
			if got := fmt.Sprint(res.err); tc.err != "" && got != tc.err {
				t.Errorf("error %q, want %q", got, tc.err)
			} else if tc.err == "" && res.err != nil {
				t.Errorf("error %v, want none", res.err)
			}
			if res.stderr != tc.stderr {
				t.Errorf("stderr %q, want %q", res.stderr, tc.stderr)
			}
		})
	}
}

// TestRunRemoteExit255 checks that a remote rank that really exits 255 is
// reported as such, not as an ssh failure.
func TestRunRemoteExit255(t *testing.T) {
	res := run(t, remote(t, Config{Program: shell(`exit 255`), Hosts: hosts(1, "127.0.0.2")}))
	if res.code != 255 || res.stderr != "spmd run: rank 0 on 127.0.0.2 exited with code 255\n" {
		t.Errorf("Run = %d, %v; stderr %q", res.code, res.err, res.stderr)
	}
}

// TestRunLauncherKilled SIGKILLs a launcher mid-job and checks that no
// process of the job survives: remote ranks through _remote's EOF rule,
// local ranks and their children through the watchdog.
func TestRunLauncherKilled(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hosts []string
	}{
		{"local", hosts(3, "127.0.0.1")},
		{"remote", hosts(3, "127.0.0.2", "127.0.0.3")},
		{"mixed", hosts(4, "127.0.0.1", "127.0.0.2")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd, marker := startLauncher(t, tc.hosts)
			if n := len(jobProcs(marker)); n < 2*len(tc.hosts) {
				t.Fatalf("found %d processes of the job, want at least %d (rank shells and sleeps)", n, 2*len(tc.hosts))
			}
			cmd.Process.Kill()
			checkNoneLeft(t, marker)
		})
	}
}

// TestRunWatchdogKilledThenLauncher: killing the job's watchdog and then
// the launcher, both with SIGKILL, leaves no process of the job: the
// launcher replaced its watchdog, handing it the groups still running, as
// soon as the first one died. (Without the replacement the ranks' leaders
// died by their death signal and their children lived on.)
func TestRunWatchdogKilledThenLauncher(t *testing.T) {
	cmd, marker := startLauncher(t, hosts(3, "127.0.0.1"))
	first := watchdogOf(marker)
	if first == 0 {
		t.Fatal("no watchdog process found")
	}
	syscall.Kill(first, syscall.SIGKILL)
	// The replacement knows every group from the moment it exists.
	waitFor(t, "a new watchdog", func() bool { w := watchdogOf(marker); return w != 0 && w != first })
	cmd.Process.Kill()
	checkNoneLeft(t, marker)
}

// startLauncher starts a launcher (this binary's _launch) of ranks on
// hosts that each start a child and wait, and returns once every rank is
// up, with the marker in the job's environment. The test kills the
// launcher; its end is waited for when the test ends.
func startLauncher(t *testing.T, hosts []string) (*exec.Cmd, string) {
	t.Helper()
	var cfg Config
	marker := markEnv(t, &cfg)
	cmd := exec.Command(self(t), append([]string{"_launch", strings.Join(hosts, ",")},
		shell(`echo up; sleep 60 & wait`)...)...)
	cmd.Env = append(os.Environ(), marker)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Wait() })
	waitFor(t, "ranks up", func() bool { return out.lines() == len(hosts) })
	return cmd, marker
}

// watchdogOf returns the pid of the live watchdog among the processes
// with marker, or 0.
func watchdogOf(marker string) int {
	for _, pid := range jobProcs(marker) {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if args := strings.Split(string(b), "\x00"); len(args) > 1 && args[1] == "_watchdog" {
			return pid
		}
	}
	return 0
}

// TestLocalEnvOf checks that an outer MPI launcher's rank variables do not
// reach the ranks, and that everything else does, in order.
func TestLocalEnvOf(t *testing.T) {
	got := localEnvOf([]string{"PATH=/bin", "OMPI_COMM_WORLD_RANK=3", "PMI_RANK=1", "SLURM_PROCID=0", "PMIX_RANK=2", "X=1"}, []string{"Y=2"})
	if want := "PATH=/bin SLURM_PROCID=0 X=1 Y=2"; strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestRunStdinLarge sends more stdin than the flow-control window to a
// remote rank 0 that reads it slowly (all of it must arrive), and to one
// that never reads it (the job must still end).
func TestRunStdinLarge(t *testing.T) {
	const size = 5*stdinWindow + 12345
	for _, tc := range []struct{ name, script, want string }{
		{"slow-reader", `sleep 0.3; wc -c`, fmt.Sprint(size)},
		{"non-reader", `echo done`, "done"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, remote(t, Config{
				Program: shell(tc.script),
				Hosts:   hosts(1, "127.0.0.2"),
				Stdin:   strings.NewReader(strings.Repeat("y", size)),
			}))
			if res.code != 0 || strings.TrimSpace(res.stdout) != tc.want {
				t.Errorf("Run = %d, %v, stdout %q, want %q; stderr:\n%s", res.code, res.err, res.stdout, tc.want, res.stderr)
			}
		})
	}
}
