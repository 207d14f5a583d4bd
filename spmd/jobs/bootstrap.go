package jobs

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/kernels"
	"github.com/spmd-go/spmd/par"
	"github.com/urfave/cli/v2"
)

func init() {
	register(Spec{
		Name:  "bootstrap",
		Usage: "bootstrap estimate, standard error and percentile interval of a statistic",
		Description: "Resamples the data --reps times with replacement and computes the statistic on\n" +
			"each replicate. Replicate r draws from its own stream (--seed, r) and the\n" +
			"replicates are a par.MapRange, so the result is identical for any number of\n" +
			"ranks and threads. The interval is the percentile interval, with\n" +
			"numpy.percentile's default (linear) interpolation.\n\n" +
			"Statistics: " + strings.Join(statisticHelp, "; ") + ".\n" +
			"From Go, Bootstrap.Statistic takes any function of a sample.\n\n" +
			"  spmd run -np 2 bootstrap --data x.csv --stat median --reps 1e5 --verify\n" +
			"  spmd bootstrap --n 10000 --stat quantile:0.9",
		New:  func() Params { return &Bootstrap{N: 10000, Reps: 10000, Stat: "mean", Level: 0.95, Seed: 1} },
		Size: &SizeFlag{Name: "reps", Aliases: []string{"B"}},
	})
}

// Bootstrap is the bootstrap job.
type Bootstrap struct {
	Data   string // a .npy or CSV file; "" generates N standard normal values
	Column int    // the column of a 2-D Data
	N      int    // size of generated data
	Reps   Count  // replicates
	Stat   string // a statistic by name (ParseStatistic)
	Level  float64
	Seed   uint64
	// Statistic, if set, is used instead of Stat: any function of a
	// sample, which it may reorder (it gets a scratch copy). StatName
	// names it in the report.
	Statistic func(sample []float64) float64
	StatName  string
}

const maxReps = 1 << 28

func (b *Bootstrap) Flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "data", Value: b.Data, Destination: &b.Data, Usage: "data `FILE` (.npy, .csv, .tsv, .txt): a vector, or a column of a matrix"},
		&cli.IntFlag{Name: "column", Value: b.Column, Destination: &b.Column, Usage: "column of a 2-D --data to use (from 0)"},
		&cli.IntFlag{Name: "n", Value: b.N, Destination: &b.N, Usage: "size of generated data (standard normal) when no --data"},
		countFlag("reps", []string{"B"}, &b.Reps, maxReps, "bootstrap replicates"),
		&cli.StringFlag{Name: "stat", Value: b.Stat, Destination: &b.Stat, Usage: "statistic: mean, median, std (ddof=1), var (ddof=1), min, max or quantile:Q"},
		&cli.Float64Flag{Name: "level", Value: b.Level, Destination: &b.Level, Usage: "confidence level of the percentile interval"},
		&cli.Uint64Flag{Name: "seed", Value: b.Seed, Destination: &b.Seed, Usage: "random seed"},
	}
}

func (b *Bootstrap) Check() error {
	if b.Statistic == nil {
		if _, err := ParseStatistic(b.Stat); err != nil {
			return job.Usagef("--stat: %v", err)
		}
	}
	if b.Reps < 1 || b.Reps > maxReps {
		return job.Usagef("--reps: %d is not between 1 and %d", b.Reps, maxReps)
	}
	if !(b.Level > 0 && b.Level < 1) {
		return job.Usagef("--level: %v is not between 0 and 1", b.Level)
	}
	if b.Data == "" {
		return positive("n", b.N)
	}
	return nil
}

// Statistic is a bootstrap statistic: its name, and its value on a
// sample, which it may reorder. Those of kernels.Statistic run on the
// kernel's fast path.
type Statistic struct {
	Name   string
	Of     func(sample []float64) float64
	kernel kernels.Statistic
	fast   bool
}

var statisticHelp = []string{
	"mean", "median", "std (sample standard deviation, ddof=1, as numpy.std(x, ddof=1))",
	"var (ddof=1)", "min", "max", "quantile:Q for Q in [0,1] (numpy.quantile, linear)",
}

// ParseStatistic returns the statistic named name.
func ParseStatistic(name string) (Statistic, error) {
	if k, err := kernels.StatisticByName(name); err == nil {
		return Statistic{Name: k.String(), Of: k.Of, kernel: k, fast: true}, nil
	}
	switch strings.ToLower(name) {
	case "var":
		return Statistic{Name: "var", Of: func(x []float64) float64 {
			s := kernels.StatStd.Of(x)
			return s * s
		}}, nil
	case "min":
		return Statistic{Name: "min", Of: func(x []float64) float64 { return slices.Min(x) }}, nil
	case "max":
		return Statistic{Name: "max", Of: func(x []float64) float64 { return slices.Max(x) }}, nil
	}
	if qs, ok := strings.CutPrefix(strings.ToLower(name), "quantile:"); ok {
		q, err := strconv.ParseFloat(qs, 64)
		if err != nil || !(q >= 0 && q <= 1) {
			return Statistic{}, fmt.Errorf("%q: the quantile must be a number in [0,1]", name)
		}
		return Statistic{Name: "quantile:" + strconv.FormatFloat(q, 'g', -1, 64), Of: func(x []float64) float64 {
			if slices.ContainsFunc(x, math.IsNaN) {
				return math.NaN()
			}
			slices.Sort(x)
			return kernels.Percentile(x, 100*q)
		}}, nil
	}
	return Statistic{}, fmt.Errorf("unknown statistic %q (want mean, median, std, var, min, max or quantile:Q)", name)
}

func (b *Bootstrap) statistic() Statistic {
	if b.Statistic != nil {
		name := b.StatName
		if name == "" {
			name = "custom"
		}
		return Statistic{Name: name, Of: b.Statistic}
	}
	s, _ := ParseStatistic(b.Stat) // Check accepted it
	return s
}

func (b *Bootstrap) Job(world *comm.Comm) (job.Job, error) {
	if err := b.Check(); err != nil {
		return job.Job{}, err
	}
	stat, reps, seed, level := b.statistic(), int(b.Reps), b.Seed, b.Level
	var data []float64
	if world.Rank() == 0 {
		var err error
		if b.Data != "" {
			if data, err = loadVector("data", b.Data, b.Column); err != nil {
				return job.Job{}, err
			}
		} else {
			data = generate(b.N, seed^0x9e3779b97f4a7c15, 0)
		}
	}
	// replicate is replicate i, resampled into a scratch buffer of the
	// goroutine's (from a pool: replicates are computed one at a time).
	var pool sync.Pool
	replicate := func(x []float64, i int) float64 {
		buf, _ := pool.Get().(*[]float64)
		if buf == nil || len(*buf) != len(x) {
			s := make([]float64, len(x))
			buf = &s
		}
		defer pool.Put(buf)
		if stat.fast {
			return kernels.BootstrapReplicate(*buf, x, stat.kernel, seed, i)
		}
		kernels.Resample(*buf, x, seed, i)
		return stat.Of(*buf)
	}
	var all []float64 // root: every replicate, in order
	return job.Job{
		Name: "bootstrap",
		Parallel: func(r *job.Run) (*job.Result, error) {
			var x []float64
			if err := r.Communicate(func() (err error) { x, err = bcastFloats(r.Comm, data); return err }); err != nil {
				return nil, err
			}
			err := r.Compute(func() (err error) {
				all, err = par.MapRange(r.Comm, reps, func(i int) (float64, error) { return replicate(x, i), nil },
					par.Threads(r.Threads), par.Progress(r))
				return err
			})
			if err != nil || !r.Root() {
				return nil, err
			}
			estimate := stat.Of(slices.Clone(x))
			s := kernels.BootstrapSummary(estimate, all, level)
			res := &job.Result{Work: float64(reps), WorkUnit: "replicates"}
			res.Set("statistic", stat.Name)
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
			ref := make([]float64, reps)
			r.Serial(func() error {
				if stat.fast {
					kernels.BootstrapReplicatesSerial(ref, data, stat.kernel, seed, kernels.Range{Lo: 0, Hi: reps})
					return nil
				}
				for i := range ref {
					sample := make([]float64, len(data))
					kernels.Resample(sample, data, seed, i)
					ref[i] = stat.Of(sample)
				}
				return nil
			})
			ok, at := bitsEqual(all, ref)
			res.SetVerified(ok, "", describeMismatch("replicate", at))
			return nil
		},
		Reference: "every replicate resampled into a fresh slice, one at a time, the statistic by sorting",
	}, nil
}
