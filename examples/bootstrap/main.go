// Command bootstrap estimates a 95% interval for the median absolute
// deviation of one column of your CSV: a statistic of your own,
// bootstrapped on every rank and core. Replicate i draws from its own
// stream, so the interval is the same on any number of ranks.
//
//	go build -o madboot ./examples/bootstrap
//	./madboot -data heights.csv -column cm
//	spmd run -np 4 -- ./madboot -data heights.csv -column cm -json
package main

import (
	"flag"
	"math"
	"slices"

	"github.com/spmd-go/spmd/dataio"
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/kernels"
	"github.com/spmd-go/spmd/par"
)

// MAD is your statistic: the median of the distances to the median.
func MAD(x []float64) float64 {
	m, d := kernels.StatMedian.Of(x), slices.Clone(x)
	for i := range d {
		d[i] = math.Abs(d[i] - m)
	}
	return kernels.StatMedian.Of(d)
}

func main() {
	file := flag.String("data", "data.csv", "CSV file with a header row")
	column := flag.String("column", "value", "the column to use")
	var x []float64
	job.Main(job.Job{Name: "mad-bootstrap",
		Setup: func(r *job.Run) (err error) { x, err = dataio.LoadColumn(*file, *column); return err },
		Parallel: func(r *job.Run) (*job.Result, error) {
			mads, err := par.MapRange(r.Comm, 2000, func(i int) (float64, error) {
				sample := make([]float64, len(x))
				kernels.Resample(sample, x, 1, i) // replicate i's own draws (seed 1)
				return MAD(sample), nil
			}, par.Progress(r))
			slices.Sort(mads) // at the root; elsewhere nil, and the values below are NaN and unused
			return job.Values("mad", MAD(x), "ci95_low", kernels.Percentile(mads, 2.5), "ci95_high", kernels.Percentile(mads, 97.5)), err
		}})
}
