package kernels

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Statistic is a summary of a sample that the bootstrap resamples. Each is
// defined to give, on the same data, the same float64 as NumPy:
//
//	StatMean    numpy.mean(x)          sum(x)/n
//	StatMedian  numpy.median(x)        middle order statistic; for even n the
//	                                   mean of the two middle ones, (a+b)/2;
//	                                   NaN if x holds a NaN
//	StatStd     numpy.std(x, ddof=1)   sqrt(sum((x-mean)^2)/(n-1)), the sample
//	                                   standard deviation; NaN for n = 1
//
// Sums use NumPy's pairwise summation (see pairwiseSum), which is also more
// accurate than a running sum. Of an empty sample every statistic is NaN.
type Statistic int

// The statistics, in the order StatisticNames lists them.
const (
	StatMean Statistic = iota
	StatMedian
	StatStd
	numStatistics
)

var statisticNames = [numStatistics]string{"mean", "median", "std"}

// String returns the statistic's name as StatisticByName accepts it.
func (s Statistic) String() string {
	if s < 0 || s >= numStatistics {
		return fmt.Sprintf("Statistic(%d)", int(s))
	}
	return statisticNames[s]
}

// StatisticNames returns the names StatisticByName accepts, for help text.
func StatisticNames() []string {
	return append([]string(nil), statisticNames[:]...)
}

// StatisticByName returns the statistic called name (case-insensitive), or
// an error listing the valid names.
func StatisticByName(name string) (Statistic, error) {
	for s, n := range statisticNames {
		if strings.EqualFold(name, n) {
			return Statistic(s), nil
		}
	}
	return 0, fmt.Errorf("kernels: unknown statistic %q (want one of %s)",
		name, strings.Join(statisticNames[:], ", "))
}

// Of returns the statistic of x, leaving x unchanged. It is the reference
// the bootstrap's fast path is tested against, and the point estimate that
// goes with a bootstrap summary. It panics on an invalid Statistic.
func (s Statistic) Of(x []float64) float64 {
	switch s {
	case StatMean:
		return statMean(x)
	case StatMedian:
		y := append([]float64(nil), x...)
		return statMedianSorted(y)
	case StatStd:
		return statStd(x)
	}
	panic(fmt.Sprintf("kernels: invalid statistic %d", int(s)))
}

// statMean returns pairwiseSum(x)/n, NumPy's mean.
func statMean(x []float64) float64 {
	return pairwiseSum(x) / float64(len(x))
}

// statStd returns NumPy's std(x, ddof=1): the deviations from the mean
// are squared and summed pairwise, then divided by n-1.
func statStd(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	m := statMean(x)
	return math.Sqrt(pairwiseSumSqDev(x, m) / float64(n-1))
}

// statMedianSorted sorts x in place and returns its median, NumPy's way.
func statMedianSorted(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	for _, v := range x {
		if v != v {
			return math.NaN()
		}
	}
	sort.Float64s(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}

// pairwiseBlock is NumPy's PW_BLOCKSIZE.
const pairwiseBlock = 128

// pairwiseSum returns the sum of x exactly as NumPy's add.reduce computes
// it for a contiguous float64 array (pairwise_sum in NumPy's
// loops_utils.h.src): below 8 elements a running sum from 0; up to 128
// elements eight interleaved running sums combined as
// ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) and then the leftover elements added
// in order; above that, the two halves (the first rounded down to a
// multiple of 8) summed recursively and added. The error grows as
// O(log n) instead of O(n).
func pairwiseSum(x []float64) float64 {
	n := len(x)
	switch {
	case n < 8:
		res := 0.0
		for _, v := range x {
			res += v
		}
		return res
	case n <= pairwiseBlock:
		var r [8]float64
		copy(r[:], x[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			r[0] += x[i]
			r[1] += x[i+1]
			r[2] += x[i+2]
			r[3] += x[i+3]
			r[4] += x[i+4]
			r[5] += x[i+5]
			r[6] += x[i+6]
			r[7] += x[i+7]
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += x[i]
		}
		return res
	}
	n2 := n / 2
	n2 -= n2 % 8
	return pairwiseSum(x[:n2]) + pairwiseSum(x[n2:])
}

// pairwiseSumSqDev returns pairwiseSum of (x[i]-m)^2 without storing the
// squares. Each square is rounded on its own (the float64 conversion keeps
// the compiler from fusing it into an FMA), as NumPy's multiply then sum.
func pairwiseSumSqDev(x []float64, m float64) float64 {
	sq := func(v float64) float64 { d := v - m; return float64(d * d) }
	n := len(x)
	switch {
	case n < 8:
		res := 0.0
		for _, v := range x {
			res += sq(v)
		}
		return res
	case n <= pairwiseBlock:
		var r [8]float64
		for j := range r {
			r[j] = sq(x[j])
		}
		i := 8
		for ; i < n-n%8; i += 8 {
			r[0] += sq(x[i])
			r[1] += sq(x[i+1])
			r[2] += sq(x[i+2])
			r[3] += sq(x[i+3])
			r[4] += sq(x[i+4])
			r[5] += sq(x[i+5])
			r[6] += sq(x[i+6])
			r[7] += sq(x[i+7])
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += sq(x[i])
		}
		return res
	}
	n2 := n / 2
	n2 -= n2 % 8
	return pairwiseSumSqDev(x[:n2], m) + pairwiseSumSqDev(x[n2:], m)
}
