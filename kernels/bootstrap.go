package kernels

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// BootstrapReplicatesSerial is the reference for BootstrapReplicates:
// replicate r draws its n indices with Stream(seed, r).IntN(n), builds the
// resample in a fresh slice and computes stat.Of on it.
func BootstrapReplicatesSerial(dst []float64, data []float64, stat Statistic, seed uint64, reps Range) {
	checkBootstrap(dst, data, stat, reps)
	n := len(data)
	for r := reps.Lo; r < reps.Hi; r++ {
		g := Stream(seed, uint64(r))
		sample := make([]float64, n)
		for i := range sample {
			sample[i] = data[g.IntN(n)]
		}
		dst[r-reps.Lo] = stat.Of(sample)
	}
}

// BootstrapReplicates computes the bootstrap replicates reps.Lo..reps.Hi-1
// of stat on data and writes replicate r into dst[r-reps.Lo]:
//
//	g = Stream(seed, r)
//	sample[i] = data[g.IntN(n)], i = 0..n-1, n = len(data)
//	dst[r-reps.Lo] = stat.Of(sample)
//
// Replicates are numbered globally, so any split of [0, R) across ranks or
// threads yields the same R numbers. The result equals
// BootstrapReplicatesSerial's bit for bit; this version reuses one scratch
// buffer for all replicates and finds the median by selection (expected
// O(n)) instead of sorting.
//
// It panics if len(dst) != reps.Len(), data is empty, reps.Lo < 0 or
// reps.Hi < reps.Lo, or stat is invalid.
func BootstrapReplicates(dst []float64, data []float64, stat Statistic, seed uint64, reps Range) {
	checkBootstrap(dst, data, stat, reps)
	scratch := make([]float64, len(data))
	for r := reps.Lo; r < reps.Hi; r++ {
		dst[r-reps.Lo] = bootstrapReplicate(scratch, data, stat, seed, r)
	}
}

// BootstrapReplicate returns replicate r of stat on data, as
// BootstrapReplicates computes it, building the resample in scratch
// (len(scratch) == len(data)), so a caller computing replicates one at a
// time allocates nothing. It panics as BootstrapReplicates does, or if
// scratch has the wrong length.
func BootstrapReplicate(scratch, data []float64, stat Statistic, seed uint64, r int) float64 {
	checkBootstrap(scratch[:1:1], data, stat, Range{r, r + 1})
	if len(scratch) != len(data) {
		panic(fmt.Sprintf("kernels: scratch of %d for %d data", len(scratch), len(data)))
	}
	return bootstrapReplicate(scratch, data, stat, seed, r)
}

func bootstrapReplicate(scratch, data []float64, stat Statistic, seed uint64, r int) float64 {
	nan := Resample(scratch, data, seed, r)
	switch stat {
	case StatMean:
		return statMean(scratch)
	case StatStd:
		return statStd(scratch)
	case StatMedian:
		if nan {
			return math.NaN()
		}
		return medianSelect(scratch)
	}
	panic(fmt.Sprintf("kernels: invalid statistic %d", int(stat)))
}

// Resample fills dst with the bootstrap resample of data that replicate r
// of seed draws, the one every bootstrap in this package uses:
//
//	g = Stream(seed, r)
//	dst[i] = data[g.IntN(n)], i = 0..n-1, n = len(data)
//
// and reports whether it holds a NaN. A statistic of your own computed on
// dst is then a bootstrap replicate that no split of the replicates across
// ranks or threads can change. It panics if len(dst) != len(data) or data
// is empty.
func Resample(dst, data []float64, seed uint64, r int) (hasNaN bool) {
	n := len(data)
	if n == 0 || len(dst) != n {
		panic(fmt.Sprintf("kernels: Resample into %d of %d data", len(dst), n))
	}
	un := uint64(n)
	thresh := -un % un // Lemire's rejection bound, 2^64 mod n
	g := Stream(seed, uint64(r))
	for i := range dst {
		// g.IntN(n), inlined: the call does not inline because of its loop.
		hi, lo := bits.Mul64(g.Uint64(), un)
		for lo < thresh {
			hi, lo = bits.Mul64(g.Uint64(), un)
		}
		v := data[hi]
		hasNaN = hasNaN || v != v
		dst[i] = v
	}
	return hasNaN
}

func checkBootstrap(dst, data []float64, stat Statistic, reps Range) {
	if stat < 0 || stat >= numStatistics {
		panic(fmt.Sprintf("kernels: invalid statistic %d", int(stat)))
	}
	if len(data) == 0 {
		panic("kernels: bootstrap of empty data")
	}
	if reps.Lo < 0 || reps.Hi < reps.Lo {
		panic(fmt.Sprintf("kernels: bad replicate range %v", reps))
	}
	if len(dst) != reps.Len() {
		panic(fmt.Sprintf("kernels: len(dst) = %d for %d replicates", len(dst), reps.Len()))
	}
}

// medianSelect returns the median of x (no NaNs, len > 0), reordering x.
// It selects the upper middle element k = n/2; for even n the lower middle
// is then the largest element left of k. The result equals
// statMedianSorted's because both pick the same order statistics and
// average them the same way.
func medianSelect(x []float64) float64 {
	n := len(x)
	k := n / 2
	quickselect(x, k)
	if n%2 == 1 {
		return x[k]
	}
	lo := x[0]
	for _, v := range x[1:k] {
		if v > lo {
			lo = v
		}
	}
	return (lo + x[k]) / 2
}

// quickselect reorders x (no NaNs) so that x[k] is the k-th smallest
// element, everything before it is <= x[k] and everything after >= x[k].
// Hoare partitioning around a median-of-three pivot; short ranges finish
// with insertion sort. Inputs built to defeat the median of three would
// make it quadratic, so after 2*log2(n) rounds it sorts what is left
// (introselect): O(n log n) at worst, whatever the data.
func quickselect(x []float64, k int) { quickselectRounds(x, k, 2*bits.Len(uint(len(x)))) }

// quickselectRounds is quickselect partitioning at most rounds times.
func quickselectRounds(x []float64, k, rounds int) {
	lo, hi := 0, len(x)-1
	for ; hi-lo > 16; rounds-- {
		if rounds == 0 {
			slices.Sort(x[lo : hi+1])
			return
		}
		mid := lo + (hi-lo)/2
		// Order x[lo], x[mid], x[hi] so the pivot is their median.
		if x[mid] < x[lo] {
			x[mid], x[lo] = x[lo], x[mid]
		}
		if x[hi] < x[lo] {
			x[hi], x[lo] = x[lo], x[hi]
		}
		if x[hi] < x[mid] {
			x[hi], x[mid] = x[mid], x[hi]
		}
		p := x[mid]
		i, j := lo, hi
		for i <= j {
			for x[i] < p {
				i++
			}
			for x[j] > p {
				j--
			}
			if i <= j {
				x[i], x[j] = x[j], x[i]
				i++
				j--
			}
		}
		// Now x[lo..j] <= p <= x[i..hi], and x[j+1..i-1] == p.
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
	for i := lo + 1; i <= hi; i++ {
		v := x[i]
		j := i
		for ; j > lo && x[j-1] > v; j-- {
			x[j] = x[j-1]
		}
		x[j] = v
	}
}
