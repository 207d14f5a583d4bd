package study

import (
	"errors"
	"fmt"
	"math"
)

// Amdahl is Amdahl's law fitted to run times: on p workers a job takes
//
//	T(p) = T1 * (S + (1-S)/p)
//
// where T1 is the time on one worker and S, in [0, 1], the serial fraction:
// the share of T1 that no number of workers shortens. Speedup is bounded by
// 1/S however many workers there are.
type Amdahl struct {
	T1 float64 // fitted time on one worker, seconds
	S  float64 // serial fraction, 0 <= S <= 1
}

// Time is the model's run time on p workers.
func (a Amdahl) Time(p float64) float64 { return a.T1 * (a.S + (1-a.S)/p) }

// Speedup is the model's speedup on p workers over one worker.
func (a Amdahl) Speedup(p float64) float64 { return 1 / (a.S + (1-a.S)/p) }

// MaxSpeedup is the limit of Speedup as p grows: 1/S (+Inf for S = 0).
func (a Amdahl) MaxSpeedup() float64 { return 1 / a.S }

// FitAmdahl fits Amdahl's law to run times t[i] measured on p[i] workers by
// least squares. The model is linear in x = 1/p,
//
//	T = a + b x,   a = T1 S,   b = T1 (1-S),
//
// so the fit is the straight-line regression of t on 1/p in closed form,
// constrained to a >= 0 and b >= 0 (S within [0, 1]): when the free fit
// breaks a constraint, the best fit lies on that boundary, a line through
// the origin (S = 0) or a constant (S = 1), and the better of those is
// taken.
//
// It returns an error when fewer than two different worker counts were
// measured or a time is not a positive finite number. It panics if p and t
// differ in length or a worker count is below 1.
func FitAmdahl(p, t []float64) (Amdahl, error) {
	if len(p) != len(t) {
		panic("study: FitAmdahl: p and t differ in length")
	}
	for i := range p {
		if !(p[i] >= 1) {
			panic(fmt.Sprintf("study: FitAmdahl: worker count p[%d] = %v is below 1", i, p[i]))
		}
		if !(t[i] > 0) || math.IsInf(t[i], 0) {
			return Amdahl{}, fmt.Errorf("study: Amdahl fit: time %v on %v workers is not a positive number", t[i], p[i])
		}
	}
	n := float64(len(p))
	var xm, tm float64
	for i := range p {
		xm += 1 / p[i]
		tm += t[i]
	}
	xm, tm = xm/n, tm/n
	var sxx, sxt, sx2, sxt0 float64
	for i := range p {
		x := 1 / p[i]
		sxx += (x - xm) * (x - xm)
		sxt += (x - xm) * (t[i] - tm)
		sx2 += x * x
		sxt0 += x * t[i]
	}
	if sxx <= 1e-15*sx2 || len(p) < 2 {
		return Amdahl{}, errors.New("study: Amdahl fit needs times on at least two different numbers of workers")
	}
	sse := func(a, b float64) float64 {
		var s float64
		for i := range p {
			r := t[i] - a - b/p[i]
			s += r * r
		}
		return s
	}
	b := sxt / sxx
	a := tm - b*xm
	if a < 0 || b < 0 {
		// On the boundary: S = 0 (a = 0, b >= 0) or S = 1 (b = 0, a = mean).
		a0, b0 := 0.0, math.Max(sxt0/sx2, 0)
		a1, b1 := tm, 0.0
		if sse(a0, b0) <= sse(a1, b1) {
			a, b = a0, b0
		} else {
			a, b = a1, b1
		}
	}
	t1 := a + b
	return Amdahl{T1: t1, S: a / t1}, nil
}

// Miss is how far the model's times lie from times t measured on p
// workers: the root mean square of the relative misses,
//
//	sqrt( mean( ((t[i] - Time(p[i])) / t[i])^2 ) )
//
// A time off by some share is a speedup off by about the same share, so
// Miss is also how far, in proportion, the model's speedup curve passes
// from the measured speedups. It panics if p and t differ in length.
func (a Amdahl) Miss(p, t []float64) float64 {
	if len(p) != len(t) {
		panic("study: Amdahl.Miss: p and t differ in length")
	}
	if len(p) == 0 {
		return 0
	}
	var s float64
	for i := range p {
		r := (t[i] - a.Time(p[i])) / t[i]
		s += r * r
	}
	return math.Sqrt(s / float64(len(p)))
}
