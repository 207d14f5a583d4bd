package study

import (
	"context"
	"fmt"
	"strconv"
)

// Scale is a scaling study: one job run at several points, each point
// repeated. In a strong study the problem is the same at every point; in a
// weak one (Weak set) it grows in proportion to the workers.
type Scale struct {
	Runner Runner
	Job    string
	Args   []string // the job's own arguments
	Points []Point
	Repeat int   // runs per point, at least 1
	Weak   *Weak // nil for strong scaling
	// Capacity is the cores (or hostfile slots) the ranks share: points
	// with more workers than that ran oversubscribed. 0: never.
	Capacity int
	// Progress, if set, is called after every run.
	Progress func(Run)
}

// Run is one run of a study.
type Run struct {
	Point
	Index          int    // 1 to Repeat
	Size           string // the problem size of a weak study, else ""
	Oversubscribed bool
	Wall           float64 // the job's wall seconds (slowest rank, between barriers)
}

// ScaleResult is what a study measured.
type ScaleResult struct {
	Job       string
	Args      []string
	Weak      bool
	SizeFlag  string   // weak: the flag that was grown
	sizeNames []string // weak: every name of that flag
	Capacity  int
	Repeat    int
	Runs      []Run     // in the order they ran
	Points    []Summary // by threads, then ranks
	Base      int       // index in Points of the point the others are compared with
	// Fit is Amdahl's law fitted to the medians of a strong study's points
	// within the cores, when it can be trusted (fitrule.go: at least
	// MinFitWorkerCounts worker counts, a Miss of at most MaxFitMiss); nil
	// otherwise, and FitSummary and FitNote say why. FitPoints and
	// FitWorkers are the points and the worker counts the fit was (or
	// would have been) made from, FitMiss how far it lies from them, and
	// FitExcludesOversubscribed says oversubscribed points were left out
	// (they measure the lack of cores, not the job).
	Fit                       *Amdahl
	FitPoints                 int
	FitWorkers                []int
	FitMiss                   float64
	FitExcludesOversubscribed bool
	fitErr                    error // FitAmdahl's refusal, if it refused
}

// Run runs the study. The repeats go round the points in turn (point 1, 2,
// ..., then again), so a slow spell of the machine spreads over all points
// instead of spoiling one. It panics if there are no points or Repeat < 1,
// and stops at the first failed run.
func (s Scale) Run(ctx context.Context) (*ScaleResult, error) {
	if len(s.Points) == 0 {
		panic("study: Scale.Run: no points")
	}
	if s.Repeat < 1 {
		panic("study: Scale.Run: Repeat < 1")
	}
	points := append([]Point(nil), s.Points...)
	sortPoints(points)
	var runs []Run
	finish := func() *ScaleResult {
		res := NewScaleResult(s.Job, s.Weak != nil, s.Capacity, runs)
		res.Args = s.Args
		if s.Weak != nil {
			res.SizeFlag = s.Weak.Flag.Name
			res.sizeNames = s.Weak.Flag.names()
		}
		return res
	}
	for rep := 1; rep <= s.Repeat; rep++ {
		for _, p := range points {
			args, size := s.Args, ""
			if s.Weak != nil {
				var n uint64
				args, n = s.Weak.Args(s.Args, p.Workers())
				size = strconv.FormatUint(n, 10)
			}
			m, err := s.Runner.Measure(ctx, s.Job, args, p, 1)
			if err != nil {
				return finish(), fmt.Errorf("%s at %v, run %d: %w", s.Job, p, rep, err)
			}
			r := Run{Point: p, Index: rep, Size: size, Oversubscribed: s.oversubscribed(p), Wall: m.Median}
			runs = append(runs, r)
			if s.Progress != nil {
				s.Progress(r)
			}
		}
	}
	return finish(), nil
}

func (s Scale) oversubscribed(p Point) bool { return s.Capacity > 0 && p.Workers() > s.Capacity }

// relate computes speedup, efficiency and, for a strong study, the
// Amdahl fit.
func (r *ScaleResult) relate() {
	r.Base = baseIndex(r.Points)
	relate(r.Points, r.Base, r.Weak)
	r.fitAmdahl()
}

func (r *ScaleResult) anyOversubscribed() bool {
	for _, s := range r.Points {
		if s.Oversubscribed {
			return true
		}
	}
	return false
}

// NewScaleResult summarises runs into a result, as Scale.Run does at its
// end: points grouped and summarised, speedup and efficiency against the
// base point, and the Amdahl fit. Runs count as oversubscribed when their
// workers exceed capacity (if positive).
func NewScaleResult(job string, weak bool, capacity int, runs []Run) *ScaleResult {
	res := &ScaleResult{Job: job, Weak: weak, Capacity: capacity, Runs: append([]Run(nil), runs...)}
	idx := map[Point]int{}
	var points []Point
	for i, r := range res.Runs {
		res.Runs[i].Oversubscribed = capacity > 0 && r.Workers() > capacity
		if _, ok := idx[r.Point]; !ok {
			idx[r.Point] = len(points)
			points = append(points, r.Point)
		}
		if r.Index > res.Repeat {
			res.Repeat = r.Index
		}
	}
	sortPoints(points)
	for i, p := range points {
		idx[p] = i
	}
	walls := make([][]float64, len(points))
	res.Points = make([]Summary, len(points))
	for _, r := range res.Runs {
		i := idx[r.Point]
		walls[i] = append(walls[i], r.Wall)
		res.Points[i].Size = r.Size
		res.Points[i].Oversubscribed = r.Oversubscribed
	}
	for i, p := range points {
		res.Points[i].Point, res.Points[i].Workers = p, p.Workers()
		summarize(&res.Points[i], walls[i])
	}
	if len(points) > 0 {
		res.relate()
	}
	return res
}
