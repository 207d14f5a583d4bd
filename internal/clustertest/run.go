package clustertest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Result is what a command run by Run or RunCmd did.
type Result struct {
	Stdout, Stderr string // empty for a stream the caller redirected
	// Code is the exit code, or -1 when a signal ended the command
	// (including the kill when the timeout expired).
	Code     int
	TimedOut bool // the timeout expired and the process group was killed
	Duration time.Duration
}

// String summarises r for test failure messages.
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "exit %d after %v", r.Code, r.Duration.Round(time.Millisecond))
	if r.TimedOut {
		b.WriteString(" (timed out, process group killed)")
	}
	if r.Stdout != "" {
		fmt.Fprintf(&b, "\n--- stdout\n%s", r.Stdout)
	}
	if r.Stderr != "" {
		fmt.Fprintf(&b, "\n--- stderr\n%s", r.Stderr)
	}
	return b.String()
}

// Run runs name with args, standard input empty, and returns its output and
// exit status. The command gets its own process group; if it has not
// finished after timeout, the whole group is killed (ranks and helpers a
// launcher started included) and Result.TimedOut is set. A command that
// cannot be started fails the test.
func Run(t testing.TB, timeout time.Duration, name string, args ...string) Result {
	t.Helper()
	return RunCmd(t, timeout, exec.Command(name, args...))
}

// RunCmd is Run for a prepared command, for a custom Env, Dir or Stdin.
// Stdout and Stderr are captured into the Result unless already set. It
// panics if timeout is not positive or cmd has been started.
func RunCmd(t testing.TB, timeout time.Duration, cmd *exec.Cmd) Result {
	t.Helper()
	if timeout <= 0 {
		panic("clustertest: RunCmd timeout must be positive")
	}
	if cmd.Process != nil {
		panic("clustertest: RunCmd of a started command")
	}
	var stdout, stderr bytes.Buffer
	if cmd.Stdout == nil {
		cmd.Stdout = &stdout
	}
	if cmd.Stderr == nil {
		cmd.Stderr = &stderr
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if cmd.WaitDelay == 0 {
		// Do not wait forever for pipes held open by something that left
		// the process group.
		cmd.WaitDelay = 10 * time.Second
	}

	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("clustertest: start %s: %v", cmd, err)
	}
	// The child leads its own group, so -pid reaches everything it started
	// that did not leave the group (ssh, srun and mpirun keep theirs).
	pgid := cmd.Process.Pid
	var timedOut atomic.Bool
	timer := time.AfterFunc(timeout, func() {
		timedOut.Store(true)
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	})
	err := cmd.Wait()
	timer.Stop()
	// Anything of the group still alive after the leader exited is a leak:
	// end it so it cannot disturb later tests. Linux does not reuse a pid
	// while it still names a process group, so this reaches only our own.
	// (Zombies waiting for init to reap them also count as members and take
	// the signal without effect: srun leaves one. Only live ones are named.)
	if left := liveGroupMembers(pgid); len(left) > 0 && !timedOut.Load() {
		t.Logf("clustertest: %s left processes %v running after it exited; killing them", cmd, left)
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)

	r := Result{
		Stdout:   stdout.String(),
		Stderr:   stderr.String(),
		TimedOut: timedOut.Load(),
		Duration: time.Since(start),
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		r.Code = 0
	case errors.Is(err, exec.ErrWaitDelay):
		r.Code = 0
		t.Logf("clustertest: %s exited 0 but its output stayed open for %v after", cmd, cmd.WaitDelay)
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	default:
		t.Fatalf("clustertest: wait for %s: %v", cmd, err)
	}
	if r.TimedOut {
		t.Logf("clustertest: %s timed out after %v; killed its process group", cmd, timeout)
	}
	return r
}

// liveGroupMembers lists the processes of process group pgid that are not
// zombies, from /proc.
func liveGroupMembers(pgid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var pids []int
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the process ended meanwhile
		}
		// "pid (comm) state ppid pgrp ...": comm may hold spaces and
		// parentheses, so split after the last ')'.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(s[i+1:])
		if len(fields) < 3 || fields[0] == "Z" || fields[0] == "X" || fields[2] != strconv.Itoa(pgid) {
			continue
		}
		if pid, err := strconv.Atoi(strings.Fields(s)[0]); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// output runs a command with a timeout outside any test (for probes) and
// returns its stdout, or an error quoting its stderr.
func output(timeout time.Duration, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	pgid := cmd.Process.Pid
	timer := time.AfterFunc(timeout, func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })
	err := cmd.Wait()
	if !timer.Stop() {
		err = fmt.Errorf("timed out after %v", timeout)
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			return "", fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, msg)
		}
		return "", fmt.Errorf("%s: %v", strings.Join(cmd.Args, " "), err)
	}
	return stdout.String(), nil
}

// quiet is output for a command whose stdout does not matter.
func quiet(timeout time.Duration, name string, args ...string) error {
	_, err := output(timeout, name, args...)
	return err
}
