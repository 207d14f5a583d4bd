package main

import (
	"strings"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/kernels"
	"github.com/spmd-go/spmd/job"
	"github.com/urfave/cli/v2"
)

func init() {
	registerJob(jobSpec{
		Name:  "bootstrap",
		Usage: "bootstrap estimate, standard error and percentile interval of a statistic",
		Description: "Resamples the data --reps times with replacement and computes the statistic on\n" +
			"each replicate. Replicate r draws from its own stream (--seed, r), ranks take\n" +
			"contiguous replicates and the root gathers them in order, so the result is\n" +
			"identical for any number of ranks and threads. The interval is the percentile\n" +
			"interval, with numpy.percentile's default (linear) interpolation.\n\n" +
			"  spmd run -np 2 bootstrap --data x.csv --stat median --reps 1e5 --verify\n" +
			"  spmd bootstrap --n 10000 --stat std",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "data", Usage: "data `FILE` (.npy, .csv, .txt): a vector, or a column of a matrix"},
			&cli.IntFlag{Name: "column", Usage: "column of a 2-D --data to use"},
			&cli.IntFlag{Name: "n", Value: 10000, Usage: "size of generated data (standard normal) when no --data"},
			&cli.StringFlag{Name: "reps", Aliases: []string{"B"}, Value: "10000", Usage: "bootstrap replicates"},
			&cli.StringFlag{Name: "stat", Value: "mean", Usage: "statistic: " + strings.Join(kernels.StatisticNames(), ", ")},
			&cli.Float64Flag{Name: "level", Value: 0.95, Usage: "confidence level of the percentile interval"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed"},
		},
		Build: buildBootstrap,
	})
}

func buildBootstrap(c *cli.Context, world *comm.Comm) (job.Job, error) {
	stat, err := kernels.StatisticByName(c.String("stat"))
	if err != nil {
		return job.Job{}, usagef("--stat: %v", err)
	}
	reps64, err := parseCount("reps", c.String("reps"), 1<<28)
	if err != nil {
		return job.Job{}, err
	}
	reps := int(reps64)
	level := c.Float64("level")
	if !(level > 0 && level < 1) {
		return job.Job{}, usagef("--level: %v is not between 0 and 1", level)
	}
	seed := c.Uint64("seed")
	var data []float64
	if world.Rank() == 0 {
		if path := c.String("data"); path != "" {
			if data, err = loadVector("data", path, c.Int("column")); err != nil {
				return job.Job{}, err
			}
		} else {
			if err := positive("n", c.Int("n")); err != nil {
				return job.Job{}, err
			}
			data = generate(c.Int("n"), seed^0x9e3779b97f4a7c15, 0)
		}
	}
	var all []float64 // root: every replicate, in order
	return job.Job{
		Name: "bootstrap",
		Parallel: func(r *job.Run) (*job.Result, error) {
			cc := r.Comm
			var x []float64
			if err := r.Communicate(func() (err error) { x, err = bcastVector(cc, data); return err }); err != nil {
				return nil, err
			}
			mine := kernels.Share(reps, cc.Rank(), cc.Size())
			local := make([]float64, mine.Len())
			r.Work(int64(mine.Len()))
			r.Compute(func() error {
				kernels.Parallel(r.Threads, mine.Len(), func(t kernels.Range) {
					for lo := t.Lo; lo < t.Hi; lo += 256 {
						hi := min(lo+256, t.Hi)
						kernels.BootstrapReplicates(local[lo:hi], x, stat, seed, kernels.Range{Lo: mine.Lo + lo, Hi: mine.Lo + hi})
						r.Advance(int64(hi - lo))
					}
				})
				return nil
			})
			if cc.Rank() == 0 {
				all = make([]float64, reps)
			}
			if err := r.Communicate(func() error { return cc.Gatherv(local, all, kernels.Counts(reps, cc.Size()), nil, 0) }); err != nil {
				return nil, err
			}
			if !r.Root() {
				return nil, nil
			}
			estimate := statOf(stat, x)
			s := kernels.BootstrapSummary(estimate, all, level)
			res := &job.Result{Work: float64(reps), WorkUnit: "replicates"}
			res.Set("statistic", stat.String())
			res.Set("n", len(x))
			res.Set("replicates", reps)
			res.Set("estimate", s.Estimate)
			res.Set("bootstrap_mean", s.Mean)
			res.Set("standard_error", s.SE)
			res.Set("ci_level", level)
			res.Set("ci_low", s.Lo)
			res.Set("ci_high", s.Hi)
			res.Set("seed", seed)
			return res, nil
		},
		Verify: func(r *job.Run, res *job.Result) error {
			x := data
			ref := make([]float64, reps)
			r.Serial(func() error {
				kernels.BootstrapReplicatesSerial(ref, x, stat, seed, kernels.Range{Lo: 0, Hi: reps})
				return nil
			})
			ok, at := bitsEqual(all, ref)
			res.SetVerified(ok, "", describeMismatch("replicate", at))
			return nil
		},
	}, nil
}

// statOf is the statistic on the data itself: one "replicate" that is the
// identity resample, computed by the same code as the replicates.
func statOf(stat kernels.Statistic, x []float64) float64 {
	return stat.Of(append([]float64(nil), x...))
}
