package kernels

import (
	"fmt"
	"math"
	"sort"
)

// Summary describes the bootstrap distribution of a statistic.
type Summary struct {
	Estimate float64 // the statistic on the original data
	Mean     float64 // mean of the replicates
	SE       float64 // bootstrap standard error: sample std (n-1) of the replicates
	Lo, Hi   float64 // percentile confidence interval at Level
	Level    float64 // confidence level, e.g. 0.95
}

// BootstrapSummary summarises replicates reps of a statistic whose value on
// the original data is estimate. The interval is the percentile interval
//
//	Lo = Percentile(reps, 100*(1-level)/2)
//	Hi = Percentile(reps, 100*(1+level)/2)
//
// with NumPy's default (linear) percentile, so Lo and Hi equal
// numpy.percentile(reps, [2.5, 97.5]) for level 0.95. Mean and SE follow
// StatMean and StatStd. reps is not modified. With no replicates Mean, SE,
// Lo and Hi are NaN; with one, SE is NaN.
//
// BootstrapSummary panics unless 0 < level < 1: callers validate user input.
func BootstrapSummary(estimate float64, reps []float64, level float64) Summary {
	if !(level > 0 && level < 1) {
		panic(fmt.Sprintf("kernels: confidence level %v outside (0,1)", level))
	}
	s := Summary{Estimate: estimate, Level: level,
		Mean: math.NaN(), SE: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	if len(reps) == 0 {
		return s
	}
	s.Mean = statMean(reps)
	s.SE = statStd(reps)
	sorted := append([]float64(nil), reps...)
	sort.Float64s(sorted)
	s.Lo = Percentile(sorted, 100*(1-level)/2)
	s.Hi = Percentile(sorted, 100*(1+level)/2)
	return s
}

// Percentile returns the q-th percentile (0 <= q <= 100) of the ascending
// slice sorted with NumPy's default method "linear" (Hyndman and Fan's
// definition 7), computed as numpy.percentile computes it:
//
//	h = (n-1) * (q/100);  i = floor(h);  g = h - i
//	lerp(a, b, g) = a + (b-a)*g    if g < 0.5
//	              = b - (b-a)*(1-g) otherwise
//	result = lerp(sorted[i], sorted[min(i+1, n-1)], g)
//
// It returns NaN for an empty slice and panics if q is outside [0, 100].
func Percentile(sorted []float64, q float64) float64 {
	if !(q >= 0 && q <= 100) {
		panic(fmt.Sprintf("kernels: percentile %v outside [0,100]", q))
	}
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * (q / 100)
	fi := math.Floor(h)
	g := h - fi
	i := int(fi)
	if i >= n-1 {
		return sorted[n-1]
	}
	a, b := sorted[i], sorted[i+1]
	d := b - a
	if g >= 0.5 {
		return b - float64(d*(1-g))
	}
	return a + float64(d*g)
}
