// Command reduce combines a struct of partial results from every rank with
// your own merge function: count, sum, minimum and maximum of a million
// values, each rank summarising its share.
//
//	go build -o reduce ./examples/reduce
//	spmd run -np 3 -- ./reduce
package main

import (
	"math"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/kernels"
)

// Summary is your partial result, and merge combines two.
type Summary struct {
	N             int
	Sum, Min, Max float64
}

func merge(a, b Summary) Summary {
	return Summary{a.N + b.N, a.Sum + b.Sum, math.Min(a.Min, b.Min), math.Max(a.Max, b.Max)}
}

// Value is the data: item i of a million.
func Value(i int) float64 { return math.Sin(float64(i)) * float64(i%1000) }

func main() {
	job.Main(job.Job{Name: "reduce", Parallel: func(r *job.Run) (*job.Result, error) {
		mine := kernels.Share(1_000_000, r.Comm.Rank(), r.Comm.Size()) // this rank's [Lo, Hi)
		s := Summary{0, 0, math.Inf(1), math.Inf(-1)}
		for i := mine.Lo; i < mine.Hi; i++ {
			s = merge(s, Summary{1, Value(i), Value(i), Value(i)})
		}
		t, err := comm.AllreduceValue(r.Comm, s, merge) // the same on every rank
		return job.Values("n", t.N, "sum", t.Sum, "min", t.Min, "max", t.Max), err
	}})
}
