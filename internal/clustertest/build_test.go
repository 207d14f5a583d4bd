package clustertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestBuildDirPID(t *testing.T) {
	for _, tc := range []struct {
		name string
		pid  int
		ok   bool
	}{
		{"spmd-clustertest-123-456789", 123, true},
		{"spmd-clustertest-7-x", 7, true},
		{"spmd-clustertest-123", 0, false},
		{"spmd-clustertest--1", 0, false},
		{"spmd-clustertest-0-1", 0, false},
		{"spmd-clustertest-abc-1", 0, false},
		{"other-123-4", 0, false},
	} {
		pid, ok := buildDirPID(tc.name)
		if pid != tc.pid || ok != tc.ok {
			t.Errorf("buildDirPID(%q) = %d, %v; want %d, %v", tc.name, pid, ok, tc.pid, tc.ok)
		}
	}
}

// TestRemoveStaleBuilds checks that only the directories of ended
// processes are removed.
func TestRemoveStaleBuilds(t *testing.T) {
	tmp := t.TempDir()
	ended := exec.Command("true")
	if err := ended.Run(); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(tmp, buildDirPrefix+strconv.Itoa(ended.Process.Pid)+"-1")
	mine := filepath.Join(tmp, buildDirPrefix+strconv.Itoa(os.Getpid())+"-1")
	parent := filepath.Join(tmp, buildDirPrefix+strconv.Itoa(os.Getppid())+"-1")
	other := filepath.Join(tmp, "unrelated-1-1")
	for _, d := range []string{dead, mine, parent, other} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	removeStaleBuilds(tmp)
	for d, want := range map[string]bool{dead: false, mine: true, parent: true, other: true} {
		_, err := os.Stat(d)
		if got := err == nil; got != want {
			t.Errorf("%s exists = %v, want %v", filepath.Base(d), got, want)
		}
	}
}

// TestBuildSpmd builds the real command (once per process) and runs it.
func TestBuildSpmd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the spmd command; skipped in -short mode")
	}
	t.Setenv(EnvSpmdBin, "")
	bin := BuildSpmd(t)
	if again := BuildSpmd(t); again != bin {
		t.Errorf("second BuildSpmd = %s, want the first build %s", again, bin)
	}
	if !filepath.IsAbs(bin) {
		t.Errorf("BuildSpmd = %s, want an absolute path", bin)
	}
	r := Run(t, time.Minute, bin, "--help")
	if r.Code != 0 {
		t.Errorf("%s --help: %v", bin, r)
	}
}
