package bench

import (
	"math"
	"sort"
)

// Summary is min, median and max of a sample.
type Summary struct {
	Min, Median, Max float64
}

// Summarize returns min, median and max of xs (the median of an even
// count is the mean of the middle two). An empty sample gives NaNs.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{math.NaN(), math.NaN(), math.NaN()}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Summary{Min: s[0], Median: med, Max: s[n-1]}
}
