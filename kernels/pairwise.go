package kernels

// NumPy's summation order. np.sum of a contiguous float64 array does not
// add its elements one after the other: pairwise_sum (NumPy's
// loops_utils.h.src) keeps eight running sums and splits long arrays in
// two. The functions here add in exactly that order, so a statistic or a
// distance defined "as NumPy computes it" is the same float64 here, bit for
// bit (tested against NumPy's own results in testdata/). The error grows
// as O(log n) instead of O(n), and the eight independent sums run about
// twice as fast as one running sum, whose every addition waits for the
// previous one.

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

// pairwiseSumSqDiff returns pairwiseSum of (y[i]-x[i])^2 without storing
// the squares: np.sum((y - x)**2), the notebook's distance before its
// square root. len(y) must be at least len(x).
func pairwiseSumSqDiff(x, y []float64) float64 {
	n := len(x)
	y = y[:n]
	sq := func(i int) float64 { d := y[i] - x[i]; return float64(d * d) }
	switch {
	case n < 8:
		res := 0.0
		for i := range x {
			res += sq(i)
		}
		return res
	case n <= pairwiseBlock:
		var r [8]float64
		for j := range r {
			r[j] = sq(j)
		}
		i := 8
		for ; i < n-n%8; i += 8 {
			r[0] += sq(i)
			r[1] += sq(i + 1)
			r[2] += sq(i + 2)
			r[3] += sq(i + 3)
			r[4] += sq(i + 4)
			r[5] += sq(i + 5)
			r[6] += sq(i + 6)
			r[7] += sq(i + 7)
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += sq(i)
		}
		return res
	}
	n2 := n / 2
	n2 -= n2 % 8
	return pairwiseSumSqDiff(x[:n2], y[:n2]) + pairwiseSumSqDiff(x[n2:], y[n2:])
}
