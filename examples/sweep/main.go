// Command sweep evaluates a function of your own at every point of a grid
// whose points differ a hundredfold in cost, handing the points out
// dynamically so every rank and core finishes together.
//
//	go build -o sweep ./examples/sweep
//	spmd run -np 4 -- ./sweep
package main

import (
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/par"
)

// Point is one setting: a rate, and how many draws (the cost).
type Point struct {
	Rate float64
	N    int
}

// Simulate is your function: the mean of N exponential waiting times of
// rate Rate, drawn from point i's own stream.
func Simulate(p Point, i int) float64 {
	rng, sum := par.Rand(42, i), 0.0
	for range p.N {
		sum += rng.ExpFloat64() / p.Rate
	}
	return sum / float64(p.N)
}

func main() {
	var grid []Point
	for _, n := range []int{1000, 10000, 100000} {
		for rate := 0.5; rate <= 5; rate += 0.5 {
			grid = append(grid, Point{rate, n})
		}
	}
	job.Main(job.Job{Name: "sweep", Parallel: func(r *job.Run) (*job.Result, error) {
		means, err := par.MapRange(r.Comm, len(grid), func(i int) (float64, error) { return Simulate(grid[i], i), nil },
			par.Dynamic, par.Progress(r))
		return job.Values("settings", len(grid), "means", means), err
	}})
}
