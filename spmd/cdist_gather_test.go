package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spmd-go/spmd/dataio"
	"github.com/spmd-go/spmd/internal/clustertest"
)

// Both ways Z can reach the root — a shared window and messages — give
// the one-rank Z bit for bit in the .npy written with --out, on uneven
// splits and with threads, and the report says which way was taken.
func TestCdistGatherPaths(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process job runs skipped in -short mode")
	}
	spmd := clustertest.BuildSpmd(t)
	dir := t.TempDir()
	args := []string{"--m", "61", "--n", "47", "--p", "9", "--seed", "5"}
	load := func(path string) []float64 {
		t.Helper()
		a, err := dataio.LoadMatrix(path)
		if err != nil {
			t.Fatal(err)
		}
		if a.Rows() != 61 || a.Cols() != 47 {
			t.Fatalf("%s is %v, want 61 x 47", path, a.Shape)
		}
		return a.Data
	}
	ref := filepath.Join(dir, "ref.npy")
	if r := clustertest.Run(t, jobTimeout, spmd, append([]string{"run", "-np", "1", "cdist", "--out", ref}, args...)...); r.Code != 0 {
		t.Fatal(r)
	}
	want := load(ref)
	for _, c := range []struct {
		gather, np, threads, env, report string
	}{
		{"shared", "2", "1", "", "shared window"},
		{"shared", "3", "2", "", "shared window"},
		{"messages", "2", "1", "", "messages"},
		{"messages", "3", "2", "", "messages"},
		{"auto", "3", "1", "", "shared window"},
		// auto falls back to messages when the window is refused, and says why.
		{"auto", "2", "1", "SPMD_SHARED=off", "messages (comm: ranks cannot share memory: rank 0: disabled by SPMD_SHARED=off)"},
	} {
		name := c.gather + "/np=" + c.np + "/threads=" + c.threads + "/" + c.env
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(dir, strings.NewReplacer("/", "_", "=", "_").Replace(name)+".npy")
			full := append([]string{"run", "-np", c.np, "--oversubscribe", "cdist", "--gather", c.gather,
				"--threads", c.threads, "--out", out, "--json", "--verify", "--quiet"}, args...)
			cmd := exec.Command(spmd, full...)
			cmd.Env = os.Environ()
			if c.env != "" {
				cmd.Env = append(cmd.Env, c.env)
			}
			r := clustertest.RunCmd(t, jobTimeout, cmd)
			if r.Code != 0 {
				t.Fatal(r)
			}
			if !strings.Contains(r.Stdout, `"gather":"`+c.report+`"`) || !strings.Contains(r.Stdout, `"agrees":true`) {
				t.Errorf("report should say gather %q and verified:\n%s", c.report, r.Stdout)
			}
			got := load(out)
			if len(got) != len(want) {
				t.Fatalf("%d elements, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("element %d: %v, one rank gives %v", i, got[i], want[i])
				}
			}
		})
	}
}

// --gather shared is a demand: when the ranks cannot share memory the job
// stops with a usage error naming why, and leaves no output behind.
func TestCdistGatherSharedRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process job runs skipped in -short mode")
	}
	spmd := clustertest.BuildSpmd(t)
	out := filepath.Join(t.TempDir(), "z.npy")
	cmd := exec.Command(spmd, "run", "-np", "2", "cdist", "--m", "20", "--n", "10", "--p", "3", "--gather", "shared", "--out", out)
	cmd.Env = append(os.Environ(), "SPMD_SHARED=off")
	r := clustertest.RunCmd(t, jobTimeout, cmd)
	if r.Code != 2 || !strings.Contains(r.Stderr, "--gather shared") || !strings.Contains(r.Stderr, "SPMD_SHARED=off") {
		t.Errorf("want exit 2 naming --gather shared and SPMD_SHARED=off, got %v", r)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output %s exists after a refused run (err %v)", out, err)
	}
	r = clustertest.Run(t, jobTimeout, spmd, "run", "-np", "1", "cdist", "--gather", "copy")
	if r.Code != 2 || !strings.Contains(r.Stderr, `--gather: "copy" is not auto, shared or messages`) {
		t.Errorf("an unknown --gather: want exit 2 naming it, got %v", r)
	}
}
