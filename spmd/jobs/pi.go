package jobs

import (
	"math"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/kernels"
	"github.com/spmd-go/spmd/par"
	"github.com/urfave/cli/v2"
)

func init() {
	register(Spec{
		Name:  "pi",
		Usage: "Monte Carlo estimate of pi, identical for one seed on any number of ranks and threads",
		Description: "Draws --samples points in the unit square and counts those inside the quarter\n" +
			"circle. The samples are cut into fixed blocks of 65536, block b drawn from its\n" +
			"own random stream derived from (--seed, b); ranks and threads take whole blocks\n" +
			"(par.ReduceRange, static schedule), so the estimate is bit-identical however\n" +
			"the work is split. The hit counts are summed at the root; --verify recounts\n" +
			"every block serially, one sample at a time.\n\n" +
			"  spmd run -np 2 pi --samples 1e9 --verify\n" +
			"  spmd pi --samples 1e8 --threads 2 --json",
		New:  func() Params { return &Pi{Samples: 1e8, Seed: 1} },
		Size: &SizeFlag{Name: "samples", Aliases: []string{"n"}},
	})
}

// Pi is the Monte Carlo pi job.
type Pi struct {
	Samples Count // points drawn
	Seed    uint64
}

// maxPiSamples keeps the block count within an int and the estimate's
// arithmetic exact.
const maxPiSamples = 1 << 62

func (p *Pi) Flags() []cli.Flag {
	return []cli.Flag{
		countFlag("samples", []string{"n"}, &p.Samples, maxPiSamples, "number of samples (1e9 and 1_000_000 are fine)"),
		&cli.Uint64Flag{Name: "seed", Value: p.Seed, Destination: &p.Seed, Usage: "random seed"},
	}
}

func (p *Pi) Check() error {
	if p.Samples < 1 || p.Samples > maxPiSamples {
		return job.Usagef("--samples: %d is not between 1 and %d", p.Samples, uint64(maxPiSamples))
	}
	return nil
}

func (p *Pi) Job(*comm.Comm) (job.Job, error) {
	if err := p.Check(); err != nil {
		return job.Job{}, err
	}
	total, seed := uint64(p.Samples), p.Seed
	blocks := kernels.PiBlocks(total)
	var hits uint64
	return job.Job{
		Name: "pi",
		Parallel: func(r *job.Run) (*job.Result, error) {
			err := r.Compute(func() (err error) {
				hits, err = par.ReduceRange(r.Comm, blocks, func(lo, hi int) (uint64, error) {
					return kernels.PiHits(seed, kernels.Range{Lo: lo, Hi: hi}, total), nil
				}, func(a, b uint64) uint64 { return a + b }, par.Threads(r.Threads), par.Progress(r))
				return err
			})
			if err != nil || !r.Root() {
				return nil, err
			}
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
		Reference: "every block counted one sample at a time on one core (no vector unit)",
	}, nil
}
