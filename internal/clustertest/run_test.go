package clustertest

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunExitAndOutput(t *testing.T) {
	for _, tc := range []struct {
		name           string
		script         string
		code           int
		stdout, stderr string
	}{
		{"ok", "echo out; echo err >&2", 0, "out\n", "err\n"},
		{"exit 3", "exit 3", 3, "", ""},
		{"signal", "kill -TERM $$", -1, "", ""},
		{"stdin is empty", "cat; echo done", 0, "done\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Run(t, time.Minute, "sh", "-c", tc.script)
			if r.Code != tc.code || r.Stdout != tc.stdout || r.Stderr != tc.stderr || r.TimedOut {
				t.Errorf("got %v, want exit %d stdout %q stderr %q", r, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}

// TestRunTimeoutKillsGroup checks that an expired timeout kills the whole
// process group (a child the command started too), not only the command.
func TestRunTimeoutKillsGroup(t *testing.T) {
	r := Run(t, 500*time.Millisecond, "sh", "-c", "sleep 300 & echo $!; wait")
	if !r.TimedOut || r.Code != -1 {
		t.Fatalf("got %v, want a timeout", r)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(r.Stdout))
	if err != nil {
		t.Fatalf("child pid: %v", err)
	}
	waitGone(t, pid)
}

// TestRunKillsLeftovers checks that processes the command leaves behind in
// its group are killed when it exits.
func TestRunKillsLeftovers(t *testing.T) {
	r := Run(t, time.Minute, "sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!")
	if r.Code != 0 || r.TimedOut {
		t.Fatalf("got %v, want exit 0", r)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(r.Stdout))
	if err != nil {
		t.Fatalf("child pid: %v", err)
	}
	waitGone(t, pid)
}

func TestLiveGroupMembers(t *testing.T) {
	cmd := exec.Command("sleep", "300")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	if got := liveGroupMembers(cmd.Process.Pid); !slices.Equal(got, []int{cmd.Process.Pid}) {
		t.Errorf("liveGroupMembers(%d) = %v, want just the sleep", cmd.Process.Pid, got)
	}
	if got := liveGroupMembers(os.Getpid()); slices.Contains(got, cmd.Process.Pid) {
		t.Errorf("liveGroupMembers(own pid) = %v, includes the sleep of another group", got)
	}
}

func TestRunPanicsOnBadTimeout(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Run with a zero timeout did not panic")
		}
	}()
	Run(t, 0, "true")
}

// waitGone fails the test unless pid is dead (or a zombie) within 10 s.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if !alive(pid) {
			return
		}
	}
	t.Errorf("process %d still running", pid)
}

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
