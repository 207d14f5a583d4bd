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
