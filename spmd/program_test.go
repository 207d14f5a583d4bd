package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/spmd-go/spmd/internal/clustertest"
)

// spmd run -- PROGRAM starts ranks of any program built on comm (here
// examples/cpi, which calls boot.Init), as mpirun does for MPI programs.
func TestRunUserProgram(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	cpi := filepath.Join(t.TempDir(), "cpi")
	if out, err := exec.Command("go", "build", "-o", cpi, "github.com/spmd-go/spmd/examples/cpi").CombinedOutput(); err != nil {
		t.Fatalf("building examples/cpi: %v\n%s", err, out)
	}
	re := regexp.MustCompile(`pi is approximately 3\.14159265\d+, error ([0-9.e+-]+), (\d+) ranks`)
	for _, np := range []int{1, 3} {
		r := clustertest.Run(t, jobTimeout, spmd, "run", "-np", strconv.Itoa(np), "--oversubscribe", "--", cpi, "-n", "100000")
		m := re.FindStringSubmatch(r.Stdout)
		if r.Code != 0 || m == nil || m[2] != strconv.Itoa(np) {
			t.Fatalf("np %d: %v", np, r)
		}
		if e, _ := strconv.ParseFloat(m[1], 64); e > 1e-9 {
			t.Errorf("np %d: error %g", np, e)
		}
	}
}

// The launcher's first promise: N local ranks, oversubscribed beyond the
// cores, each wiring up and completing an Allreduce-checked job.
func TestRunHelloLocal(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	for _, np := range []int{1, 2, 3, 8, 32} {
		args := []string{"run", "-np", strconv.Itoa(np)}
		if np > 2 {
			args = append(args, "--oversubscribe")
		}
		r := clustertest.Run(t, jobTimeout, spmd, append(args, "hello", "--verify")...)
		want := "hello: " + strconv.Itoa(np) + " ranks, allreduce ok"
		if r.Code != 0 || !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(r.Stdout) || !regexp.MustCompile("AGREES").MatchString(r.Stdout) {
			t.Fatalf("np %d: want %q and a verified sum\n%v", np, want, r)
		}
	}
}
