package farm

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testRunner is a runner whose tasks carry a marker variable, so the test
// can find any process they leave behind.
func testRunner(t *testing.T, set settings) (*runner, string) {
	t.Helper()
	if set.KillGrace == 0 {
		set.KillGrace = time.Second
	}
	r := newRunner(3, "hostA", set, nil)
	marker := fmt.Sprintf("SPMD_FARM_TEST_MARKER=%d-%d", os.Getpid(), time.Now().UnixNano())
	r.env = append(r.env, marker)
	return r, marker
}

// markedProcs lists the live processes whose environment has marker.
func markedProcs(marker string) []int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var pids []int
	for _, d := range dirs {
		env, err := os.ReadFile(d + "/environ")
		if err != nil || !bytes.Contains(env, []byte(marker+"\x00")) {
			continue
		}
		stat, err := os.ReadFile(d + "/stat")
		if i := bytes.LastIndexByte(stat, ')'); err == nil && i > 0 && i+2 < len(stat) && stat[i+2] != 'Z' && stat[i+2] != 'X' {
			pid, _ := strconv.Atoi(filepath.Base(d))
			pids = append(pids, pid)
		}
	}
	return pids
}

// noneLeft fails t if a marked process is alive a moment after the task
// ended (reaping by init is asynchronous).
func noneLeft(t *testing.T, marker string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := markedProcs(marker)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("processes of the task still alive: %v", left)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func runLine(r *runner, line string, stop <-chan struct{}) outcome {
	return r.run(job{Seq: 7, Attempt: 2, Command: lineCommand(line, false)}, 4, stop)
}

func TestRunOutcome(t *testing.T) {
	r, marker := testRunner(t, settings{Tasks: 9})
	for _, tc := range []struct {
		line           string
		exit, sig      int
		stdout, stderr string
	}{
		{"true", 0, 0, "", ""},
		{"false", 1, 0, "", ""},
		{"sh -c 'exit 3'", 3, 0, "", ""},
		{"sh -c 'kill -KILL $$'", -1, 9, "", ""},
		{`printf 'a\nb'`, 0, 0, "a\nb", ""},
		{"echo out; echo err >&2", 0, 0, "out\n", "err\n"},
		{`echo "$SPMD_FARM_TASK $SPMD_FARM_TASKS $SPMD_FARM_ATTEMPT $SPMD_FARM_RANK $SPMD_FARM_HOST $SPMD_FARM_SLOT ${SPMD_SECRET-unset}"`, 0, 0, "7 9 2 3 hostA 4 unset\n", ""},
		{`echo 'a\tb'`, 0, 0, "a\tb\n", ""}, // sh's echo, not /bin/echo
		{"no-such-program-here x", 127, 0, "", "not found"},
		{"cd /", 0, 0, "", ""},
	} {
		t.Setenv("SPMD_SECRET", "must-not-leak")
		r.env = append(taskEnviron(os.Environ()), marker)
		o := runLine(r, tc.line, nil)
		if o.Exit != tc.exit || o.Signal != tc.sig || string(o.Stdout) != tc.stdout || !strings.Contains(string(o.Stderr), tc.stderr) || o.Err != "" {
			t.Errorf("%s: exit %d signal %d stdout %q stderr %q err %q; want %d %d %q %q",
				tc.line, o.Exit, o.Signal, o.Stdout, o.Stderr, o.Err, tc.exit, tc.sig, tc.stdout, tc.stderr)
		}
		if o.Seq != 7 || o.Attempt != 2 || o.Rank != 3 || o.Host != "hostA" || o.Start.IsZero() || o.Output != int64(len(o.Stdout)+len(o.Stderr)) {
			t.Errorf("%s: outcome %+v", tc.line, o)
		}
	}
	noneLeft(t, marker)
	if o := runLine(r, "sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'", nil); o.CPU < 10*time.Millisecond || o.CPU > o.Runtime+50*time.Millisecond {
		t.Errorf("a busy task used %v of CPU in %v", o.CPU, o.Runtime)
	}
}

// TestRunTimeoutKillsGroup: --timeout stops the whole process group of
// the task, children included, even one that ignores SIGTERM (after the
// grace), and leaves no process behind.
func TestRunTimeoutKillsGroup(t *testing.T) {
	for _, tc := range []struct{ name, line string }{
		{"children", "sh -c 'sleep 60 & sleep 60 & wait'"},
		{"ignores TERM", `sh -c 'trap "" TERM; sleep 60 & wait; sleep 60'`},
		{"leader exits, child stays", "sh -c 'sleep 60 & exit 0'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, marker := testRunner(t, settings{Timeout: 200 * time.Millisecond, KillGrace: 300 * time.Millisecond})
			o := runLine(r, tc.line, nil)
			if tc.name == "leader exits, child stays" {
				if o.TimedOut || o.Exit != 0 {
					t.Errorf("outcome %+v", o)
				}
			} else if !o.TimedOut || o.Signal == 0 || o.Exit != -1 || o.ok() {
				t.Errorf("outcome %+v, want timed out by a signal", o)
			}
			noneLeft(t, marker)
		})
	}
}

// TestRunStopped: closing stop ends the task; its outcome is Stopped.
func TestRunStopped(t *testing.T) {
	r, marker := testRunner(t, settings{})
	stop := make(chan struct{})
	go func() { time.Sleep(100 * time.Millisecond); close(stop) }()
	o := runLine(r, "sh -c 'sleep 60 & wait'", stop)
	if !o.Stopped || o.Signal != int(syscall.SIGTERM) || o.ok() {
		t.Errorf("outcome %+v", o)
	}
	noneLeft(t, marker)
}

func TestRunResults(t *testing.T) {
	dir := t.TempDir()
	r, _ := testRunner(t, settings{Results: dir})
	o := runLine(r, "echo out; echo error >&2", nil)
	out, _ := os.ReadFile(filepath.Join(dir, "7.out"))
	errb, _ := os.ReadFile(filepath.Join(dir, "7.err"))
	if !o.ok() || string(out) != "out\n" || string(errb) != "error\n" || o.Output != 10 || o.Stdout != nil {
		t.Errorf("outcome %+v, files %q %q", o, out, errb)
	}
	r.set.Results = filepath.Join(dir, "no", "such")
	if o := runLine(r, "true", nil); o.Err == "" || o.ok() || o.Exit != -1 {
		t.Errorf("unwritable results: outcome %+v", o)
	}
}
