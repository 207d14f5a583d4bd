package main

import (
	"testing"

	"github.com/spmd-go/spmd/internal/clustertest"
)

// The means from 1 rank, 3 ranks under spmd run and 3 under mpirun, with
// the points handed out dynamically, are the serial loop's, exactly.
func TestSweepExample(t *testing.T) {
	prog := clustertest.BuildProgram(t, "github.com/spmd-go/spmd/examples/sweep")
	var grid []Point
	for _, n := range []int{1000, 10000, 100000} {
		for rate := 0.5; rate <= 5; rate += 0.5 {
			grid = append(grid, Point{rate, n})
		}
	}
	for launcher, res := range clustertest.Launches(t, prog, "-json", "-quiet") {
		means, _ := res["means"].([]any)
		if len(means) != len(grid) {
			t.Fatalf("%s: %d means for %d settings", launcher, len(means), len(grid))
		}
		for i, p := range grid {
			if want := Simulate(p, i); means[i] != want {
				t.Errorf("%s: setting %d %+v: %v, want %v", launcher, i, p, means[i], want)
			}
		}
	}
}
