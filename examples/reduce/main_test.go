package main

import (
	"math"
	"testing"

	"github.com/spmd-go/spmd/internal/clustertest"
)

// The merged summary of 1 rank, 3 ranks under spmd run and 3 under mpirun
// is the serial one (the sum within rounding: the ranks add their parts
// in a different order).
func TestReduceExample(t *testing.T) {
	want := Summary{0, 0, math.Inf(1), math.Inf(-1)}
	for i := range 1_000_000 {
		want = merge(want, Summary{1, Value(i), Value(i), Value(i)})
	}
	prog := clustertest.BuildProgram(t, "github.com/spmd-go/spmd/examples/reduce")
	for launcher, res := range clustertest.Launches(t, prog, "-json", "-quiet") {
		if res["n"] != float64(want.N) || res["min"] != want.Min || res["max"] != want.Max {
			t.Errorf("%s: %v, want n %d min %v max %v", launcher, res, want.N, want.Min, want.Max)
		}
		if s, _ := res["sum"].(float64); math.Abs(s-want.Sum) > 1e-9*math.Abs(want.Sum) {
			t.Errorf("%s: sum %v, want %v", launcher, s, want.Sum)
		}
	}
}
