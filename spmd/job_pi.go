package main

import (
	"math"
	"sync/atomic"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/kernels"
	"github.com/spmd-go/spmd/job"
	"github.com/urfave/cli/v2"
)

func init() {
	registerJob(jobSpec{
		Name:  "pi",
		Usage: "Monte Carlo estimate of pi, identical for one seed on any number of ranks and threads",
		Description: "Draws --samples points in the unit square and counts those inside the quarter\n" +
			"circle. The samples are cut into fixed blocks of 65536, block b drawn from its\n" +
			"own random stream derived from (--seed, b); ranks and threads take whole blocks,\n" +
			"so the estimate is bit-identical however the work is split. The hit counts are\n" +
			"summed at the root with Reduce; --verify recounts every block serially.\n\n" +
			"  spmd run -np 2 pi --samples 1e9 --verify\n" +
			"  spmd pi --samples 1e8 --threads 2 --json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "samples", Aliases: []string{"n"}, Value: "1e8", Usage: "number of samples (1e9 and 1_000_000 are fine)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed"},
		},
		Build: buildPi,
	})
}

// piChunk is how many blocks (of 65536 samples) a thread counts between
// progress updates: about 20 ms of work.
const piChunk = 256

func buildPi(c *cli.Context, world *comm.Comm) (job.Job, error) {
	total, err := parseCount("samples", c.String("samples"), 1<<62)
	if err != nil {
		return job.Job{}, err
	}
	seed := c.Uint64("seed")
	blocks := kernels.PiBlocks(total)
	var hits uint64
	return job.Job{
		Name: "pi",
		Parallel: func(r *job.Run) (*job.Result, error) {
			mine := kernels.Share(blocks, r.Comm.Rank(), r.Comm.Size())
			var local atomic.Uint64
			r.Work(int64(mine.Len()))
			r.Compute(func() error {
				kernels.Parallel(r.Threads, mine.Len(), func(t kernels.Range) {
					// In chunks, so progress moves; the count is the same.
					for lo := t.Lo; lo < t.Hi; lo += piChunk {
						hi := min(lo+piChunk, t.Hi)
						local.Add(kernels.PiHits(seed, kernels.Range{Lo: mine.Lo + lo, Hi: mine.Lo + hi}, total))
						r.Advance(int64(hi - lo))
					}
				})
				return nil
			})
			sum := []uint64{0}
			if err := r.Communicate(func() error { return r.Comm.Reduce([]uint64{local.Load()}, sum, comm.Sum, 0) }); err != nil {
				return nil, err
			}
			if !r.Root() {
				return nil, nil
			}
			hits = sum[0]
			est := kernels.PiEstimate(hits, total)
			res := &job.Result{Work: float64(total), WorkUnit: "samples"}
			res.Set("estimate", est)
			res.Set("abs_error", math.Abs(est-math.Pi))
			res.Set("samples", total)
			res.Set("hits", hits)
			res.Set("seed", seed)
			res.Set("kernel", kernels.PiPath())
			return res, nil
		},
		Verify: func(r *job.Run, res *job.Result) error {
			var serial uint64
			r.Serial(func() error {
				serial = kernels.PiHitsSerial(seed, kernels.Range{Lo: 0, Hi: blocks}, total)
				return nil
			})
			res.Set("serial_hits", serial)
			res.SetVerified(serial == hits, "", "hit counts compared exactly")
			return nil
		},
	}, nil
}
