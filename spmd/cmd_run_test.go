package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spmd-go/spmd/internal/clustertest"
)

// TestRunEnvPerRank starts N ranks of a shell and checks that every rank
// ran exactly once with the right SPMD_RANK and SPMD_SIZE, and that the
// job secret, present in every rank's environment, is on no process's
// command line.
func TestRunEnvPerRank(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	for _, n := range []int{1, 2, 3, 8, 32} {
		t.Run(fmt.Sprintf("np%d", n), func(t *testing.T) {
			gate := filepath.Join(t.TempDir(), "gate")
			marker := launchMarker(t)
			cmd, stdout, stderr := launchStart(t, spmd, "-np", strconv.Itoa(n), "--oversubscribe", "-x", marker, "-x", "GATE="+gate, "--",
				"sh", "-c", `echo "$SPMD_RANK $SPMD_SIZE $SPMD_SECRET"; while [ ! -e "$GATE" ]; do sleep 0.01; done`)
			launchWaitLines(t, stdout, n, "rank output")

			// All ranks are alive now: look at every command line.
			secret := strings.Fields(stdout.String())[2]
			if len(secret) != 64 {
				t.Errorf("SPMD_SECRET = %q, want 64 hex digits", secret)
			}
			cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
			for _, f := range cmdlines {
				if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), secret) {
					t.Errorf("the secret is on a command line: %s: %q", f, b)
				}
			}
			if got := len(launchProcs(marker)); got < n {
				t.Errorf("found %d processes of the job while it runs, want at least %d", got, n)
			}
			os.WriteFile(gate, nil, 0o644)
			if code := launchWait(t, cmd); code != 0 {
				t.Fatalf("spmd run exited %d; stderr:\n%s", code, stderr)
			}

			lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			if len(lines) != n {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), n, stdout)
			}
			seen := make([]bool, n)
			for _, line := range lines {
				var r, size int
				var sec string
				if _, err := fmt.Sscan(line, &r, &size, &sec); err != nil || r < 0 || r >= n || size != n || sec != secret {
					t.Fatalf("bad line %q (want \"RANK %d SECRET\")", line, n)
				}
				if seen[r] {
					t.Fatalf("rank %d ran twice", r)
				}
				seen[r] = true
			}
			launchNoneLeft(t, marker, 5*time.Second)
		})
	}
}

// TestRunRankFailure checks that one failing rank ends the job: the
// others are stopped (their children too: each rank's shell waits on a
// background sleep), stderr names the rank once, and the exit code is the
// rank's (128+n for signal n).
func TestRunRankFailure(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	for _, tc := range []struct {
		name, script string
		code         int
		stderr       string
	}{
		{"exit3", `if [ $SPMD_RANK = 2 ]; then exit 3; fi; sleep 60 & wait`, 3,
			"spmd run: rank 2 on 127.0.0.1 exited with code 3\n"},
		{"sigkill", `if [ $SPMD_RANK = 1 ]; then kill -KILL $$; fi; sleep 60 & wait`, 128 + 9,
			"spmd run: rank 1 on 127.0.0.1 killed by signal KILL\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			marker := launchMarker(t)
			r := launchRun(t, spmd, "", "-np", "4", "--oversubscribe", "-x", marker, "--", "sh", "-c", tc.script)
			if r.Code != tc.code || r.Stderr != tc.stderr {
				t.Errorf("got %v\nwant exit %d and stderr %q", r, tc.code, tc.stderr)
			}
			launchNoneLeft(t, marker, 5*time.Second)
		})
	}
}

// TestRunSignalToLauncher sends SIGINT to the launcher: every rank and
// its children must end, and the launcher exits 130. Ranks that ignore
// SIGINT are killed after --kill-after.
func TestRunSignalToLauncher(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	for _, tc := range []struct{ name, script string }{
		{"forwarded", `echo up; sleep 60 & wait`},
		{"ignored", `trap '' INT; echo up; sleep 60 & wait`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			marker := launchMarker(t)
			cmd, stdout, stderr := launchStart(t, spmd, "-np", "4", "--oversubscribe", "--kill-after", "500ms", "-x", marker, "--", "sh", "-c", tc.script)
			launchWaitLines(t, stdout, 4, "ranks up")
			cmd.Process.Signal(syscall.SIGINT)
			if code := launchWait(t, cmd); code != 130 {
				t.Errorf("spmd run exited %d, want 130; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr.String(), "spmd run: got SIGINT; forwarding it to 4 ranks") {
				t.Errorf("stderr does not report the signal:\n%s", stderr)
			}
			launchNoneLeft(t, marker, 5*time.Second)
		})
	}
}

// TestRunLauncherKilled SIGKILLs the launcher: nothing can forward or
// clean up then, yet no rank or child of a rank may survive (the
// kernel's parent-death signal and the job's watchdog see to it).
func TestRunLauncherKilled(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	marker := launchMarker(t)
	cmd, stdout, _ := launchStart(t, spmd, "-np", "3", "--oversubscribe", "-x", marker, "--", "sh", "-c", `echo up; sleep 60 & wait`)
	launchWaitLines(t, stdout, 3, "ranks up")
	cmd.Process.Kill()
	launchWait(t, cmd)
	launchNoneLeft(t, marker, 5*time.Second)
}

// TestRunOutputWholeLines has 4 ranks print long lines at the same time
// and checks that every line arrives intact, exactly once, tagged with
// its rank.
func TestRunOutputWholeLines(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	const count, length = 200, 10000
	pad := strings.Repeat("x", length)
	r := launchRun(t, spmd, "", "-np", "4", "--oversubscribe", "--tag-output", "-x", "PAD="+pad, "--", "sh", "-c",
		fmt.Sprintf(`i=0; while [ $i -lt %d ]; do echo "$SPMD_RANK $i $PAD"; i=$((i+1)); done`, count))
	if r.Code != 0 {
		t.Fatalf("spmd run: %v", r)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n") {
		var tag, rank, i int
		if _, err := fmt.Sscanf(line, "[%d] %d %d", &tag, &rank, &i); err != nil || tag != rank {
			t.Fatalf("mangled line: %.100q", line)
		}
		if want := fmt.Sprintf("[%d] %d %d %s", rank, rank, i, pad); line != want {
			t.Fatalf("line %d of rank %d damaged: %d bytes, want %d", i, rank, len(line), len(want))
		}
		key := fmt.Sprint(rank, " ", i)
		if seen[key] {
			t.Fatalf("line %d of rank %d twice", i, rank)
		}
		seen[key] = true
	}
	if len(seen) != 4*count {
		t.Errorf("%d distinct lines, want %d", len(seen), 4*count)
	}
}

// TestRunStdinToRank0 checks that stdin reaches rank 0 and no other rank.
func TestRunStdinToRank0(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	r := launchRun(t, spmd, "one\ntwo\n", "-np", "3", "--oversubscribe", "--", "sh", "-c", `echo "$SPMD_RANK:$(cat | tr '\n' ' ')"`)
	if r.Code != 0 {
		t.Fatalf("spmd run: %v", r)
	}
	got := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	sort.Strings(got)
	if want := []string{"0:one two ", "1:", "2:"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("ranks read %q, want %q", got, want)
	}
}

// TestRunTimeoutFlag checks --timeout: the job is stopped and spmd run
// exits 124 with a message.
func TestRunTimeoutFlag(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	marker := launchMarker(t)
	r := launchRun(t, spmd, "", "-np", "2", "--oversubscribe", "--timeout", "300ms", "-x", marker, "--", "sh", "-c", "sleep 60 & wait")
	if r.Code != 124 || r.Stderr != "spmd run: job timed out after 300ms; stopping 2 ranks\n" {
		t.Errorf("got %v\nwant exit 124 and the timeout message", r)
	}
	launchNoneLeft(t, marker, 5*time.Second)
}

// TestRunStartErrors checks that bad command lines fail with one clear
// message, before anything starts.
func TestRunStartErrors(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := write("empty", "# nothing here\n\n")
	bad := write("bad", "127.0.0.1 slots=2\n127.0.0.2 slots=x\n")
	two := write("two", "127.0.0.1 slots=2\n")
	cores := runtime.NumCPU()
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string // the start of stderr
	}{
		{"np0", []string{"-np", "0", "--", "true"}, 2, "spmd run: -np 0: need at least 1 rank\n"},
		{"np-negative", []string{"-np", "-3", "--", "true"}, 2, "spmd run: -np -3: need at least 1 rank\n"},
		{"beyond-cores", []string{"-np", strconv.Itoa(cores + 1), "--", "true"}, 2,
			fmt.Sprintf("spmd run: -np %d but this machine has %d cores (slots); add --oversubscribe to run more ranks than cores\n", cores+1, cores)},
		{"beyond-slots", []string{"--hostfile", two, "-np", "3", "--", "true"}, 2, "spmd run: 3 ranks but the hosts have 2 slots; use --oversubscribe\n"},
		{"missing-hostfile", []string{"--hostfile", filepath.Join(dir, "nope"), "--", "true"}, 2,
			"spmd run: hostfile: open " + filepath.Join(dir, "nope") + ": no such file or directory\n"},
		{"empty-hostfile", []string{"--hostfile", empty, "--", "true"}, 2, "spmd run: hostfile " + empty + ": no hosts"},
		{"malformed-hostfile", []string{"--hostfile", bad, "--", "true"}, 2, "spmd run: hostfile " + bad + ": line 2: "},
		{"hostfile-and-host", []string{"--hostfile", two, "--host", "127.0.0.1", "--", "true"}, 2, "spmd run: give --hostfile or --host, not both\n"},
		{"map-by", []string{"--map-by", "socket", "-np", "1", "--", "true"}, 2, "spmd run: unknown placement \"socket\""},
		{"program-not-found", []string{"-np", "2", "--oversubscribe", "--", "no-such-program-spmd"}, 127,
			"spmd run: cannot run no-such-program-spmd: exec: \"no-such-program-spmd\": executable file not found in $PATH\n"},
		{"not-a-job", []string{"-np", "1", "no-such-job"}, 2, "spmd run: \"no-such-job\" is not a job of spmd (jobs: bootstrap, cdist, "},
		// Commands that are not jobs are refused too (scale runs spmd run itself).
		{"scale-is-not-a-job", []string{"-np", "1", "scale", "pi"}, 2, "spmd run: \"scale\" is not a job of spmd"},
		{"bad-job-flag", []string{"-np", "3", "pi", "--samples", "-4"}, 2, "spmd run: pi: invalid value \"-4\" for flag -samples: must be at least 1"},
		{"nothing", []string{"-np", "1"}, 2, "spmd run: nothing to run"},
		{"ssh-quote", []string{"--ssh", `ssh -F "x`, "--", "true"}, 2, "spmd run: --ssh: unterminated \" in ssh -F \"x\n"},
		{"x-unset", []string{"-x", "SPMD_SURELY_UNSET_VAR", "--", "true"}, 2,
			"spmd run: invalid value \"SPMD_SURELY_UNSET_VAR\" for flag -x: SPMD_SURELY_UNSET_VAR is not set here (give -x SPMD_SURELY_UNSET_VAR=VALUE) (see spmd run --help)\n"},
		{"bad-flag", []string{"--no-such-flag", "--", "true"}, 2, "spmd run: flag provided but not defined: -no-such-flag (see spmd run --help)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := launchRun(t, spmd, "", tc.args...)
			if r.Code != tc.code || !strings.HasPrefix(r.Stderr, tc.stderr) || r.Stdout != "" {
				t.Errorf("spmd run %s: %v\nwant exit %d and stderr starting %q", strings.Join(tc.args, " "), r, tc.code, tc.stderr)
			}
		})
	}
}

// TestRunHelp checks that the help teaches by example.
func TestRunHelp(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	r := clustertest.Run(t, launchTimeout, spmd, "run", "--help")
	for _, want := range []string{"spmd run -np 4 hello", "--oversubscribe", "--hostfile", "-- sh -c", "SPMD_SSH=", "SPMD_RANK", "exit code 124"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("spmd run --help lacks %q:\n%s", want, r.Stdout)
		}
	}
	// A job's --help under spmd run is printed once, by the launcher,
	// and no rank starts.
	r = clustertest.Run(t, launchTimeout, spmd, "run", "-np", "3", "--oversubscribe", "bootstrap", "--help")
	if n := strings.Count(r.Stdout, "Resamples the data"); r.Code != 0 || n != 1 || strings.Contains(r.Stdout, "replicates_per_second") {
		t.Errorf("spmd run -np 3 bootstrap --help: the help %d times, want once, and no run:\n%v", n, r)
	}
}

// TestRunSSHHostfile runs 6 ranks over a hostfile of 127.0.0.1-3 through
// the test sshd (scripts/ci/start-sshd.sh): the ranks on 127.0.0.2 and
// 127.0.0.3 start as `ssh HOST spmd _remote`. Each rank must see its own
// host as SPMD_HOST; the secret must not be on any command line (ssh's
// included); and SIGKILLing the launcher must leave no remote orphan.
func TestRunSSHHostfile(t *testing.T) {
	cfg := clustertest.RequireSSH(t)
	spmd := clustertest.BuildSpmd(t)
	hostfile := filepath.Join(t.TempDir(), "hostfile")
	os.WriteFile(hostfile, []byte("127.0.0.1 slots=2\n127.0.0.2 slots=2\n127.0.0.3 slots=2\n"), 0o644)
	ssh := "ssh -F " + cfg
	wantHost := []string{"127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.3"}

	t.Run("env", func(t *testing.T) {
		gate := filepath.Join(t.TempDir(), "gate")
		marker := launchMarker(t)
		cmd, stdout, stderr := launchStart(t, spmd, "--hostfile", hostfile, "--ssh", ssh, "-x", marker, "-x", "GATE="+gate, "--",
			"sh", "-c", `echo "$SPMD_RANK $SPMD_SIZE $SPMD_HOST $SPMD_LOCAL_RANK $SPMD_SECRET"; while [ ! -e "$GATE" ]; do sleep 0.01; done`)
		launchWaitLines(t, stdout, 6, "rank output")
		secret := strings.Fields(stdout.String())[4]
		cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, f := range cmdlines {
			if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), secret) {
				t.Errorf("the secret is on a command line: %s: %q", f, b)
			}
		}
		os.WriteFile(gate, nil, 0o644)
		if code := launchWait(t, cmd); code != 0 {
			t.Fatalf("spmd run exited %d; stderr:\n%s", code, stderr)
		}
		lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
		sort.Slice(lines, func(i, j int) bool { return lines[i] < lines[j] })
		if len(lines) != 6 {
			t.Fatalf("%d lines, want 6:\n%s", len(lines), stdout)
		}
		for r, line := range lines {
			want := fmt.Sprintf("%d 6 %s %d %s", r, wantHost[r], r%2, secret)
			if line != want {
				t.Errorf("rank %d: %q, want %q", r, line, want)
			}
		}
		launchNoneLeft(t, marker, 5*time.Second)
	})

	t.Run("rank-fails", func(t *testing.T) {
		marker := launchMarker(t)
		r := launchRun(t, spmd, "", "--hostfile", hostfile, "--ssh", ssh, "-x", marker, "--",
			"sh", "-c", `if [ $SPMD_RANK = 4 ]; then exit 3; fi; sleep 60 & wait`)
		if r.Code != 3 || r.Stderr != "spmd run: rank 4 on 127.0.0.3 exited with code 3\n" {
			t.Errorf("got %v\nwant exit 3, naming rank 4 on 127.0.0.3", r)
		}
		launchNoneLeft(t, marker, 10*time.Second)
	})

	t.Run("launcher-sigkilled", func(t *testing.T) {
		marker := launchMarker(t)
		cmd, stdout, _ := launchStart(t, spmd, "--hostfile", hostfile, "--ssh", ssh, "-x", marker, "--",
			"sh", "-c", `echo up; sleep 60 & wait`)
		launchWaitLines(t, stdout, 6, "ranks up")
		cmd.Process.Kill()
		launchWait(t, cmd)
		launchNoneLeft(t, marker, 10*time.Second)
	})

	t.Run("unreachable", func(t *testing.T) {
		// Port 1 on 127.0.0.2: nothing listens, ssh fails to connect.
		r := launchRun(t, spmd, "", "--host", "127.0.0.2", "--ssh", ssh+" -p 1", "--", "true")
		if r.Code != 255 || !strings.HasPrefix(r.Stderr, "spmd run: could not start rank 0 on 127.0.0.2: ssh: connect to host 127.0.0.2 port 1: Connection refused") {
			t.Errorf("got %v\nwant exit 255 and \"could not start rank 0\"", r)
		}
	})
}
