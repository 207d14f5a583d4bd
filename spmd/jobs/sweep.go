package jobs

import (
	"fmt"
	"io"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/dataio"
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/kernels"
	"github.com/spmd-go/spmd/par"
	"github.com/urfave/cli/v2"
)

func init() {
	register(Spec{
		Name:  "sweep",
		Usage: "a stochastic SIR epidemic simulated at every point of a parameter grid",
		Description: "Gillespie simulation of an SIR epidemic (infection rate beta*S*I/N, recovery\n" +
			"gamma*I) at every combination of the value lists, --reps replicates each.\n" +
			"A value list is one value (0.3), a list (0.1,0.2) or a range start:stop:step\n" +
			"with stop included (0.1:0.5:0.05); whole-number ranges may leave out the step\n" +
			"(100:105 is 100,101,...,105), ranges of fractions may not. The sweep is a\n" +
			"par.Map over the settings: settings differ in cost by orders of magnitude (a\n" +
			"large outbreak in a large population takes many events), so by default they\n" +
			"are handed out dynamically (--schedule dynamic) as ranks and threads free up.\n" +
			"Replicate r of setting k draws from its own stream, so the table does not\n" +
			"depend on the schedule. The root gathers the table and writes it with --out.\n\n" +
			"  spmd run -np 2 sweep --beta 0.1:0.5:0.05 --gamma 0.1 --N 1000 --reps 50 --verify\n" +
			"  spmd sweep --beta 0.2,0.4 --gamma 0.05:0.2:0.05 --N 100,1000 --out sir.csv",
		New: func() Params {
			return &Sweep{Beta: "0.1:0.5:0.05", Gamma: "0.1", N: "1000", I0: "1", Reps: 50, Seed: 1, Schedule: "dynamic"}
		},
		NoWeak: "its work is a grid of settings (--beta, --gamma, --N, --I0) whose cost varies by setting; grow the grid yourself and run strong scaling",
	})
}

// Sweep is the SIR parameter sweep job.
type Sweep struct {
	Beta, Gamma, N, I0 string // value lists (kernels.ParseValues)
	Reps               int    // replicates per setting
	Seed               uint64
	Schedule           string // static, cyclic or dynamic (par.Schedule)
	Out                string // CSV of the whole table
}

var sweepColumns = []string{"beta", "gamma", "N", "I0", "replicates", "mean_final_size", "mean_peak", "mean_duration", "mean_events"}

func (s *Sweep) Flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "beta", Value: s.Beta, Destination: &s.Beta, Usage: "infection rates (a value list)"},
		&cli.StringFlag{Name: "gamma", Value: s.Gamma, Destination: &s.Gamma, Usage: "recovery rates"},
		&cli.StringFlag{Name: "N", Value: s.N, Destination: &s.N, Usage: "population sizes"},
		&cli.StringFlag{Name: "I0", Value: s.I0, Destination: &s.I0, Usage: "initially infected"},
		&cli.IntFlag{Name: "reps", Value: s.Reps, Destination: &s.Reps, Usage: "replicates per setting"},
		&cli.Uint64Flag{Name: "seed", Value: s.Seed, Destination: &s.Seed, Usage: "random seed"},
		&cli.StringFlag{Name: "schedule", Value: s.Schedule, Destination: &s.Schedule, Usage: "how settings are handed out: dynamic (as workers free up), static (contiguous blocks) or cyclic"},
		&cli.StringFlag{Name: "out", Value: s.Out, Destination: &s.Out, Usage: "write the results table to `FILE` (CSV)"},
	}
}

func (s *Sweep) Check() error {
	if _, _, err := kernels.SIRGrid(s.Beta, s.Gamma, s.N, s.I0); err != nil {
		return job.Usagef("%v", err)
	}
	if _, err := par.ParseSchedule(s.Schedule); err != nil {
		return job.Usagef("--schedule: %v", err)
	}
	return positive("reps", s.Reps)
}

func (s *Sweep) Job(world *comm.Comm) (job.Job, error) {
	if err := s.Check(); err != nil {
		return job.Job{}, err
	}
	if err := checkOut(world, s.Out); err != nil {
		return job.Job{}, err
	}
	_, settings, _ := kernels.SIRGrid(s.Beta, s.Gamma, s.N, s.I0)
	sched, _ := par.ParseSchedule(s.Schedule)
	reps, seed, out := s.Reps, s.Seed, s.Out
	var table []kernels.SIRSummary // root: one row per setting
	return job.Job{
		Name: "sweep",
		Parallel: func(r *job.Run) (*job.Result, error) {
			err := r.Compute(func() (err error) {
				table, err = par.MapRange(r.Comm, len(settings), func(i int) (kernels.SIRSummary, error) {
					return kernels.SIRSetting(settings[i], i, reps, seed), nil
				}, sched, par.Threads(r.Threads), par.Progress(r))
				return err
			})
			if err != nil || !r.Root() {
				return nil, err
			}
			res := &job.Result{Work: float64(len(settings) * reps), WorkUnit: "simulations"}
			res.Set("settings", len(settings))
			res.Set("replicates", reps)
			res.Set("schedule", sched.String())
			best := 0
			for i, row := range table {
				if row.MeanFinalSize > table[best].MeanFinalSize {
					best = i
				}
			}
			res.Set("largest_outbreak", sweepTable(table[best:best+1]))
			res.Set("table", sweepTable(table))
			return res, nil
		},
		Finish: func(r *job.Run, res *job.Result) error {
			if out == "" {
				return nil
			}
			flat := flattenSIR(table)
			err := dataio.WriteFileAtomic(out, func(w io.Writer) error {
				return dataio.WriteCSV(w, sweepColumns, flat, len(table), len(sweepColumns))
			})
			if err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			res.Set("out", out)
			return nil
		},
		Verify: func(r *job.Run, res *job.Result) error {
			ref := make([]kernels.SIRSummary, len(settings))
			r.Serial(func() error {
				for i, p := range settings {
					ref[i] = kernels.SIRSettingSerial(p, i, reps, seed)
				}
				return nil
			})
			ok, at := bitsEqual(flattenSIR(table), flattenSIR(ref))
			res.SetVerified(ok, "", describeMismatch("table entry", at))
			return nil
		},
		Reference: "every setting simulated in turn by the plain Gillespie loop",
	}, nil
}

// sweepTable is the results table for the report: all of it in --json, as
// numbers; the table printout shows it whole too (settings are few).
func sweepTable(rows []kernels.SIRSummary) job.Table {
	t := job.Table{Columns: sweepColumns}
	for _, s := range rows {
		t.Add(s.Params.Beta, s.Params.Gamma, s.Params.N, s.Params.I0, s.Replicates,
			s.MeanFinalSize, s.MeanPeak, s.MeanDuration, s.MeanEvents)
	}
	return t
}

func flattenSIR(s []kernels.SIRSummary) []float64 {
	out := make([]float64, 0, len(s)*len(sweepColumns))
	for _, v := range s {
		out = append(out, v.Params.Beta, v.Params.Gamma, float64(v.Params.N), float64(v.Params.I0), float64(v.Replicates),
			v.MeanFinalSize, v.MeanPeak, v.MeanDuration, v.MeanEvents)
	}
	return out
}
