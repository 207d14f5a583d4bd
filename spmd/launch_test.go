package main

// Helpers for the spmd run tests (cmd_run_test.go), and the launch
// benchmarks. Everything runs real processes on loopback, with a timeout.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spmd-go/spmd/internal/clustertest"
)

// launchTimeout bounds every spmd run a test starts; a healthy one takes
// well under a second.
const launchTimeout = time.Minute

// launchMarker returns a NAME=VALUE unique to this test, for -x: every
// process of the job then carries it in its environment, which is how the
// tests find leftovers in the process table.
func launchMarker(t *testing.T) string {
	return fmt.Sprintf("SPMD_LAUNCH_TEST_MARKER=%d-%d-%s", os.Getpid(), time.Now().UnixNano(),
		strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
}

// launchProcs lists the live (non-zombie) processes whose environment
// holds marker.
func launchProcs(marker string) []int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var pids []int
	for _, d := range dirs {
		env, err := os.ReadFile(d + "/environ")
		if err != nil || !bytes.Contains(env, []byte(marker+"\x00")) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(d))
		stat, err := os.ReadFile(d + "/stat")
		if i := bytes.LastIndexByte(stat, ')'); err == nil && i > 0 && i+2 < len(stat) && stat[i+2] != 'Z' && stat[i+2] != 'X' {
			pids = append(pids, pid)
		}
	}
	return pids
}

// launchNoneLeft fails the test if processes carrying marker are alive
// for more than `within` (kills through ssh take a moment).
func launchNoneLeft(t *testing.T, marker string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		left := launchProcs(marker)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, pid := range left {
				cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
				t.Errorf("process %d of the job is still alive %v after the launcher ended: %q", pid, within, cmdline)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// launchBuffer collects a stream while the test reads it.
type launchBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *launchBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *launchBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *launchBuffer) lines() int { return strings.Count(l.String(), "\n") }

// launchStart starts `spmd run args...` in its own process group, with
// output collected; the test must end it (launchWait). Cleanup kills it
// if the test fails early.
func launchStart(t *testing.T, spmd string, args ...string) (*exec.Cmd, *launchBuffer, *launchBuffer) {
	t.Helper()
	cmd := exec.Command(spmd, append([]string{"run"}, args...)...)
	var stdout, stderr launchBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, &stdout, &stderr
}

// launchWait waits for the launcher and returns its exit code (-1 for a
// death by signal), failing the test after launchTimeout.
func launchWait(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(launchTimeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("spmd run did not finish within %v", launchTimeout)
		return 0
	}
}

// launchWaitLines waits until buf holds n lines.
func launchWaitLines(t *testing.T, buf *launchBuffer, n int, what string) {
	t.Helper()
	deadline := time.Now().Add(launchTimeout)
	for buf.lines() < n {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d lines of %s; got:\n%s", n, what, buf.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// launchRun runs `spmd run args...` to the end with stdin from in.
func launchRun(t *testing.T, spmd, in string, args ...string) clustertest.Result {
	t.Helper()
	cmd := exec.Command(spmd, append([]string{"run"}, args...)...)
	cmd.Stdin = strings.NewReader(in)
	return clustertest.RunCmd(t, launchTimeout, cmd)
}

// benchmarkLaunch measures the start-up cost of spmd run: n ranks of
// /bin/true, from exec of the launcher to its exit.
func benchmarkLaunch(b *testing.B, n int) {
	benchmarkSpmd(b, "run", "-np", strconv.Itoa(n), "--oversubscribe", "--", "/bin/true")
}

// benchmarkLaunchHello adds the wire-up: n ranks of the hello job, which
// meet at the rendezvous server, connect and Allreduce once.
func benchmarkLaunchHello(b *testing.B, n int) {
	benchmarkSpmd(b, "run", "-np", strconv.Itoa(n), "--oversubscribe", "hello", "--quiet")
}

func benchmarkSpmd(b *testing.B, args ...string) {
	spmd := clustertest.BuildSpmd(b)
	for b.Loop() {
		if out, err := exec.Command(spmd, args...).CombinedOutput(); err != nil {
			b.Fatalf("spmd %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func BenchmarkLaunch1(b *testing.B)  { benchmarkLaunch(b, 1) }
func BenchmarkLaunch8(b *testing.B)  { benchmarkLaunch(b, 8) }
func BenchmarkLaunch32(b *testing.B) { benchmarkLaunch(b, 32) }

func BenchmarkLaunchHello2(b *testing.B) { benchmarkLaunchHello(b, 2) }
func BenchmarkLaunchHello8(b *testing.B) { benchmarkLaunchHello(b, 8) }
