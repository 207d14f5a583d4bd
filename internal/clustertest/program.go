package clustertest

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BuildProgram builds the Go command in package pkg (an import path) into
// a temporary directory and returns the binary's path.
func BuildProgram(t testing.TB, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// Launches runs a program of one's own (built on package job) with args
// under each launcher a user would use: alone, under `spmd run -np 3
// --oversubscribe`, and under Open MPI's `mpirun -np 3` (RequireOpenMPI:
// skipped visibly without it). It fails the test if a run fails, and
// returns each run's result, the last JSON line of its output decoded
// (pass -json in args), by launcher: "alone", "spmd run", "mpirun".
func Launches(t *testing.T, prog string, args ...string) map[string]map[string]any {
	t.Helper()
	spmd := BuildSpmd(t)
	out := map[string]map[string]any{}
	run := func(t *testing.T, name string, argv ...string) {
		t.Helper()
		r := Run(t, 2*time.Minute, argv[0], argv[1:]...)
		if r.Code != 0 {
			t.Fatalf("%s: %s: %v", name, strings.Join(argv, " "), r)
		}
		lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
		var rep struct {
			Ranks  int            `json:"ranks"`
			Result map[string]any `json:"result"`
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
			t.Fatalf("%s: the last line is not a JSON report: %v\n%s", name, err, r.Stdout)
		}
		want := 3
		if name == "alone" {
			want = 1
		}
		if rep.Ranks != want {
			t.Fatalf("%s: %d ranks, want %d", name, rep.Ranks, want)
		}
		out[name] = rep.Result
	}
	run(t, "alone", append([]string{prog}, args...)...)
	run(t, "spmd run", append([]string{spmd, "run", "-np", "3", "--oversubscribe", "--", prog}, args...)...)
	t.Run("mpirun", func(t *testing.T) {
		mpirun := RequireOpenMPI(t)
		argv := append([]string{mpirun}, OpenMPIFlags()...)
		run(t, "mpirun", append(append(argv, "-np", "3", prog), args...)...)
	})
	return out
}
