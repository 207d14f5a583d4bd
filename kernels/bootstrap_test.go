package kernels

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// bootstrapData returns test samples: tiny, odd and even sizes, many ties
// (which stress the selection's partitioning), infinities and a NaN.
func bootstrapData() map[string][]float64 {
	g := Stream(5, 5)
	normal := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = 10 + 3*g.NormFloat64()
		}
		return x
	}
	ties := make([]float64, 301)
	for i := range ties {
		ties[i] = float64(g.IntN(4))
	}
	return map[string][]float64{
		"one":    {4.5},
		"two":    {1, 2},
		"three":  {3, -1, 2},
		"n=10":   normal(10),
		"n=129":  normal(129),
		"n=1000": normal(1000),
		"ties":   ties,
		"inf":    {1, math.Inf(1), -2, math.Inf(-1), 5, 0},
		"nan":    {1, 2, math.NaN(), 4, 5, 6, 7},
	}
}

func TestBootstrapMatchesSerial(t *testing.T) {
	for name, data := range bootstrapData() {
		for s := Statistic(0); s < numStatistics; s++ {
			t.Run(fmt.Sprintf("%s/%v", name, s), func(t *testing.T) {
				reps := Range{3, 3 + 57}
				want := make([]float64, reps.Len())
				got := make([]float64, reps.Len())
				BootstrapReplicatesSerial(want, data, s, 99, reps)
				BootstrapReplicates(got, data, s, 99, reps)
				for i := range want {
					// Exact: same draws, same arithmetic in the same order.
					if !floatsIdentical(got[i], want[i]) {
						t.Fatalf("replicate %d: fast %v, serial %v", reps.Lo+i, got[i], want[i])
					}
				}
			})
		}
	}
}

func TestBootstrapSplitsEqualWhole(t *testing.T) {
	data := bootstrapData()["n=129"]
	const R = 50
	whole := make([]float64, R)
	BootstrapReplicates(whole, data, StatMedian, 1, Range{0, R})
	for _, size := range []int{1, 2, 3, 7} {
		for rank := 0; rank < size; rank++ {
			r := Share(R, rank, size)
			part := make([]float64, r.Len())
			BootstrapReplicates(part, data, StatMedian, 1, r)
			for i, v := range part {
				if v != whole[r.Lo+i] {
					t.Fatalf("size %d rank %d replicate %d: %v, whole run %v", size, rank, r.Lo+i, v, whole[r.Lo+i])
				}
			}
		}
	}
}

func TestQuickselectOrders(t *testing.T) {
	g := Stream(1, 2)
	for _, n := range []int{1, 2, 17, 18, 100, 1001} {
		for trial := 0; trial < 20; trial++ {
			x := make([]float64, n)
			for i := range x {
				x[i] = float64(g.IntN(n/3 + 1))
			}
			k := g.IntN(n)
			sorted := append([]float64(nil), x...)
			statMedianSorted(sorted)
			quickselect(x, k)
			if x[k] != sorted[k] {
				t.Fatalf("n=%d k=%d: selected %v, sorted %v", n, k, x[k], sorted[k])
			}
			for i, v := range x {
				if (i < k && v > x[k]) || (i > k && v < x[k]) {
					t.Fatalf("n=%d k=%d: x[%d]=%v on the wrong side of %v", n, k, i, v, x[k])
				}
			}
		}
	}
}

// TestBootstrapStandardError: the bootstrap standard error of the mean of
// n normal values is close to s/sqrt(n) (sample std s). With 2000
// replicates the SE estimate itself has relative error about
// 1/sqrt(2*2000) = 1.6%, so 10% is a loose bound.
func TestBootstrapStandardError(t *testing.T) {
	data := bootstrapData()["n=1000"]
	reps := make([]float64, 2000)
	BootstrapReplicates(reps, data, StatMean, 7, Range{0, len(reps)})
	est := StatMean.Of(data)
	sum := BootstrapSummary(est, reps, 0.95)
	want := StatStd.Of(data) / math.Sqrt(float64(len(data)))
	if math.Abs(sum.SE-want) > 0.1*want {
		t.Errorf("bootstrap SE %v, s/sqrt(n) %v", sum.SE, want)
	}
	if !(sum.Lo < est && est < sum.Hi) {
		t.Errorf("95%% interval [%v, %v] misses the estimate %v", sum.Lo, sum.Hi, est)
	}
	if math.Abs(sum.Mean-est) > 3*want/math.Sqrt(float64(len(reps))) {
		t.Errorf("replicate mean %v far from estimate %v", sum.Mean, est)
	}
}

func TestBootstrapSummaryKnown(t *testing.T) {
	// numpy.percentile(np.arange(1, 11), [5, 95]) = [1.45, 9.55];
	// numpy.std(np.arange(1, 11), ddof=1) = 3.0276503540974917.
	reps := []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	s := BootstrapSummary(5.5, reps, 0.9)
	tests := []struct {
		name      string
		got, want float64
	}{
		{"Lo", s.Lo, 1.45}, {"Hi", s.Hi, 9.55}, {"Mean", s.Mean, 5.5},
		{"SE", s.SE, 3.0276503540974917}, {"Estimate", s.Estimate, 5.5},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if reps[0] != 10 {
		t.Error("BootstrapSummary reordered its input")
	}
	empty := BootstrapSummary(1, nil, 0.95)
	if !math.IsNaN(empty.SE) || !math.IsNaN(empty.Lo) {
		t.Errorf("summary of no replicates = %+v, want NaNs", empty)
	}
}

func TestStatisticByName(t *testing.T) {
	for _, name := range StatisticNames() {
		s, err := StatisticByName(name)
		if err != nil || s.String() != name {
			t.Errorf("StatisticByName(%q) = %v, %v", name, s, err)
		}
	}
	if s, err := StatisticByName("Median"); err != nil || s != StatMedian {
		t.Errorf("StatisticByName is case-sensitive: %v, %v", s, err)
	}
	if _, err := StatisticByName("mode"); err == nil {
		t.Error("StatisticByName(\"mode\") gave no error")
	}
}

func TestBootstrapPanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
	}{
		{"empty data", func() { BootstrapReplicates(make([]float64, 1), nil, StatMean, 0, Range{0, 1}) }},
		{"short dst", func() { BootstrapReplicates(make([]float64, 1), []float64{1}, StatMean, 0, Range{0, 2}) }},
		{"bad stat", func() { BootstrapReplicates(make([]float64, 1), []float64{1}, Statistic(9), 0, Range{0, 1}) }},
		{"level 1", func() { BootstrapSummary(0, []float64{1}, 1) }},
		{"percentile 101", func() { Percentile([]float64{1}, 101) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.fn()
		})
	}
}

// TestQuickselectFallback: with its partitioning rounds used up,
// quickselect sorts what is left, and x[k] is still the k-th smallest
// with the smaller elements before it and the larger after.
func TestQuickselectFallback(t *testing.T) {
	g := Stream(9, 9)
	for _, n := range []int{17, 18, 100, 1001, 4096} {
		for _, rounds := range []int{0, 1, 2, 3} {
			for _, k := range []int{0, n / 3, n / 2, n - 1} {
				x := make([]float64, n)
				for i := range x {
					x[i] = float64(g.Uint64()%uint64(n/2+1)) - float64(n/4) // ties and signs
				}
				want := append([]float64(nil), x...)
				slices.Sort(want)
				quickselectRounds(x, k, rounds)
				if x[k] != want[k] {
					t.Fatalf("n=%d rounds=%d k=%d: x[k] = %v, want %v", n, rounds, k, x[k], want[k])
				}
				for i, v := range x {
					if (i < k && v > x[k]) || (i > k && v < x[k]) {
						t.Fatalf("n=%d rounds=%d k=%d: x[%d] = %v on the wrong side of %v", n, rounds, k, i, v, x[k])
					}
				}
			}
		}
	}
}
