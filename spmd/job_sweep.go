package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/dataio"
	"github.com/spmd-go/spmd/kernels"
	"github.com/spmd-go/spmd/job"
	"github.com/urfave/cli/v2"
)

func init() {
	registerJob(jobSpec{
		Name:  "sweep",
		Usage: "a stochastic SIR epidemic simulated at every point of a parameter grid",
		Description: "Gillespie simulation of an SIR epidemic (infection rate beta*S*I/N, recovery\n" +
			"gamma*I) at every combination of the value lists, --reps replicates each.\n" +
			"A value list is one value (0.3), a list (0.1,0.2) or a range start:stop:step\n" +
			"with stop included (0.1:0.5:0.05). Settings differ in cost (a large outbreak\n" +
			"in a large population takes many events), so by default settings are split\n" +
			"across ranks and threads by their estimated cost (--balance cost), not by\n" +
			"count. Replicate r of setting k draws from its own stream, so results do not\n" +
			"depend on the split. The root gathers the table and writes it with --out.\n\n" +
			"  spmd run -np 2 sweep --beta 0.1:0.5:0.05 --gamma 0.1 --N 1000 --reps 50 --verify\n" +
			"  spmd sweep --beta 0.2,0.4 --gamma 0.05:0.2:0.05 --N 100,1000 --out sir.csv",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "beta", Value: "0.1:0.5:0.05", Usage: "infection rates"},
			&cli.StringFlag{Name: "gamma", Value: "0.1", Usage: "recovery rates"},
			&cli.StringFlag{Name: "N", Value: "1000", Usage: "population sizes"},
			&cli.StringFlag{Name: "I0", Value: "1", Usage: "initially infected"},
			&cli.IntFlag{Name: "reps", Value: 50, Usage: "replicates per setting"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed"},
			&cli.StringFlag{Name: "balance", Value: "cost", Usage: "split settings by estimated cost (cost) or by count (count)"},
			&cli.StringFlag{Name: "out", Usage: "write the results table to `FILE` (CSV)"},
		},
		Build: buildSweep,
	})
}

var sweepColumns = []string{"beta", "gamma", "N", "I0", "replicates", "mean_final_size", "mean_peak", "mean_duration", "mean_events"}

func buildSweep(c *cli.Context, world *comm.Comm) (job.Job, error) {
	_, settings, err := kernels.SIRGrid(c.String("beta"), c.String("gamma"), c.String("N"), c.String("I0"))
	if err != nil {
		return job.Job{}, usagef("%v", err)
	}
	reps := c.Int("reps")
	if err := positive("reps", reps); err != nil {
		return job.Job{}, err
	}
	balance := c.String("balance")
	if balance != "cost" && balance != "count" {
		return job.Job{}, usagef("--balance: %q is not cost or count", balance)
	}
	out := c.String("out")
	if err := checkOut(world, out); err != nil {
		return job.Job{}, err
	}
	seed := c.Uint64("seed")
	costs := make([]float64, len(settings))
	for i, s := range settings {
		costs[i] = kernels.SweepCost(s) * float64(reps)
	}
	split := func(n int, costs []float64, rank, size int) kernels.Range {
		if balance == "cost" {
			return kernels.ShareByCost(costs, rank, size)
		}
		return kernels.Share(n, rank, size)
	}
	width := len(sweepColumns)
	var table []float64
	return job.Job{
		Name: "sweep",
		Parallel: func(r *job.Run) (*job.Result, error) {
			cc := r.Comm
			mine := split(len(settings), costs, cc.Rank(), cc.Size())
			local := make([]kernels.SIRSummary, mine.Len())
			r.Work(int64(mine.Len()))
			r.Compute(func() error {
				sub := costs[mine.Lo:mine.Hi]
				parallelRanges(r.Threads, func(t, threads int) {
					part := split(len(sub), sub, t, threads)
					// One setting at a time: a setting's runs take long
					// enough for progress, and its streams are its own.
					inChunks(r, part, 1, func(c kernels.Range) error {
						kernels.SIRSweep(local[c.Lo:c.Hi], settings, kernels.Range{Lo: mine.Lo + c.Lo, Hi: mine.Lo + c.Hi}, reps, seed)
						return nil
					})
				})
				return nil
			})
			rows := flattenSIR(local)
			counts := make([]int, cc.Size())
			for rank := range counts {
				counts[rank] = split(len(settings), costs, rank, cc.Size()).Len() * width
			}
			if r.Root() {
				table = make([]float64, len(settings)*width)
			}
			if err := r.Communicate(func() error { return cc.Gatherv(rows, table, counts, nil, 0) }); err != nil {
				return nil, err
			}
			if !r.Root() {
				return nil, nil
			}
			res := &job.Result{Work: float64(len(settings) * reps), WorkUnit: "simulations"}
			res.Set("settings", len(settings))
			res.Set("replicates", reps)
			best := 0
			for i := range settings {
				if table[i*width+5] > table[best*width+5] {
					best = i
				}
			}
			res.Set("largest_outbreak", fmt.Sprintf("beta=%g gamma=%g N=%g I0=%g: mean final size %.1f", table[best*width], table[best*width+1], table[best*width+2], table[best*width+3], table[best*width+5]))
			res.Set("table", formatRows(table, width, 10))
			if out != "" {
				err := dataio.WriteFileAtomic(out, func(w io.Writer) error { return dataio.WriteCSV(w, sweepColumns, table, len(table)/width, width) })
				if err != nil {
					return nil, fmt.Errorf("--out: %w", err)
				}
				res.Set("out", out)
			}
			return res, nil
		},
		Verify: func(r *job.Run, res *job.Result) error {
			ref := make([]kernels.SIRSummary, len(settings))
			r.Serial(func() error {
				for i, s := range settings {
					ref[i] = kernels.SIRSettingSerial(s, i, reps, seed)
				}
				return nil
			})
			ok, at := bitsEqual(table, flattenSIR(ref))
			res.SetVerified(ok, "", describeMismatch("table entry", at))
			return nil
		},
	}, nil
}

// parallelRanges runs fn(t, threads) for t = 0..threads-1 on goroutines.
func parallelRanges(threads int, fn func(t, threads int)) {
	threads = max(threads, 1)
	kernels.Parallel(threads, threads, func(r kernels.Range) {
		for t := r.Lo; t < r.Hi; t++ {
			fn(t, threads)
		}
	})
}

func flattenSIR(s []kernels.SIRSummary) []float64 {
	out := make([]float64, 0, len(s)*len(sweepColumns))
	for _, v := range s {
		out = append(out, v.Params.Beta, v.Params.Gamma, float64(v.Params.N), float64(v.Params.I0), float64(v.Replicates),
			v.MeanFinalSize, v.MeanPeak, v.MeanDuration, v.MeanEvents)
	}
	return out
}

// formatRows shows the first few rows of a table in the report.
func formatRows(t []float64, width, most int) []string {
	var out []string
	for i := 0; i*width < len(t) && i < most; i++ {
		line := ""
		for j := 0; j < width; j++ {
			if j > 0 {
				line += " "
			}
			line += strconv.FormatFloat(t[i*width+j], 'g', 6, 64)
		}
		out = append(out, line)
	}
	if len(t)/width > most {
		out = append(out, fmt.Sprintf("... %d rows in all (--out FILE writes them)", len(t)/width))
	}
	return out
}
