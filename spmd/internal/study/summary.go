package study

import (
	"math"
	"sort"
)

// Summary is one point of a scaling study: its runs summarised.
type Summary struct {
	Point
	Workers        int  // Ranks × Threads
	Oversubscribed bool // more workers than cores (or hostfile slots)
	Size           string
	Runs           int
	Median         float64 // wall seconds
	Min, Max       float64
	// Speedup is the base point's median over this point's median, times
	// the growth of the problem in a weak study (the scaled speedup).
	Speedup float64
	// Efficiency is Speedup per worker relative to the base point: 1 is
	// perfect. In a weak study it is simply base median / median.
	Efficiency float64
}

// Workers is the number of goroutines a point computes with.
func (p Point) Workers() int { return p.Ranks * p.Threads }

// summarize fills Median, Min and Max from walls.
func summarize(s *Summary, walls []float64) {
	s.Runs = len(walls)
	s.Median = median(walls)
	s.Min, s.Max = math.Inf(1), math.Inf(-1)
	for _, w := range walls {
		s.Min, s.Max = math.Min(s.Min, w), math.Max(s.Max, w)
	}
	if len(walls) == 0 {
		s.Min, s.Max = 0, 0
	}
}

// baseIndex picks the point the others are compared with: the fewest
// workers, and among those the fewest ranks (1 x 1 when it was measured).
func baseIndex(ps []Summary) int {
	best := 0
	for i, s := range ps {
		b := ps[best]
		if s.Workers < b.Workers || (s.Workers == b.Workers && s.Ranks < b.Ranks) {
			best = i
		}
	}
	return best
}

// relate sets Speedup and Efficiency of every point against ps[base]. In a
// strong study the problem is fixed, so speedup = Tbase/Tp and efficiency =
// speedup / (workers / base workers). In a weak study the problem grows with
// the workers, so efficiency = Tbase/Tp and the scaled speedup is efficiency
// × workers / base workers.
func relate(ps []Summary, base int, weak bool) {
	tb, wb := ps[base].Median, float64(ps[base].Workers)
	for i := range ps {
		ratio := tb / ps[i].Median
		growth := float64(ps[i].Workers) / wb
		if weak {
			ps[i].Efficiency, ps[i].Speedup = ratio, ratio*growth
		} else {
			ps[i].Speedup, ps[i].Efficiency = ratio, ratio/growth
		}
	}
}

// sortPoints orders points by threads, then ranks: one curve per thread
// count, in order of ranks.
func sortPoints(ps []Point) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Threads != ps[j].Threads {
			return ps[i].Threads < ps[j].Threads
		}
		return ps[i].Ranks < ps[j].Ranks
	})
}
