package kernels

import (
	"math"
	"os"
	"sync"
)

// CdistNaive writes into dst the Euclidean distance between every row of x
// and every row of y:
//
//	dst[i*n+j] = sqrt(sum_k (x[i*p+k] - y[j*p+k])^2)
//
// x is m×p, y is n×p and dst is m×n, all row-major. It is the notebook's
// double loop, res[i, j] = np.sqrt(np.sum((ys[j] - xs[i])**2)), computed as
// NumPy computes it: each square rounded, the squares added in NumPy's
// pairwise order (see pairwise.go), so every distance is bit-identical to
// the notebook's. It is the reference Cdist is tested against.
//
// CdistNaive panics if len(dst) != m*n, len(x) != m*p, len(y) != n*p or a
// dimension is negative. Zero dimensions are allowed; p == 0 gives zeros.
func CdistNaive(dst, x, y []float64, m, n, p int) {
	checkCdist(dst, x, y, m, n, p)
	for i := 0; i < m; i++ {
		xi := x[i*p : i*p+p]
		row := dst[i*n : i*n+n]
		for j := range row {
			row[j] = math.Sqrt(pairwiseSumSqDiff(xi, y[j*p:j*p+p]))
		}
	}
}

// Cdist computes the same distances as CdistNaive, fast:
//
//	dst[i*n+j] = sqrt(sum_k (x[i*p+k] - y[j*p+k])^2)
//
// It takes direct differences, never the |x|²+|y|²−2x·y expansion, whose
// cancellation loses all accuracy on data far from the origin.
//
// Every element is computed by the same arithmetic (a sum over k in order)
// whatever the other rows and columns are, so computing a share of the rows,
//
//	Cdist(dst[lo*n:hi*n], x[lo*p:hi*p], y, hi-lo, n, p)
//
// gives exactly the bits the whole call gives for those rows. On the portable
// path the result is bit-identical to CdistNaive. The vector paths add each
// square with a fused multiply-add (one rounding instead of two), so they can
// differ from CdistNaive in the last bits: the relative difference is bounded
// by about 2·p·2⁻⁵³ for normal numbers (measured at 1000×1000×100: at most
// 4.4e-16, in 17% of the elements), and vector paths of any width agree with
// each other bit for bit. Where squares fall in the subnormal range (distances
// below about 1e-154) the two roundings differ more, relative to the tiny
// result. NaN and ±Inf
// propagate as in CdistNaive. CdistPath names the path in use.
//
// dst must not overlap x or y. Cdist panics under the same conditions as
// CdistNaive.
func Cdist(dst, x, y []float64, m, n, p int) {
	checkCdist(dst, x, y, m, n, p)
	if m == 0 || n == 0 {
		return
	}
	cdistImpl().run(dst, x, y, m, n, p)
}

// CdistPath names the implementation Cdist uses on this machine and build:
// "avx512" or "avx2" (built with GOEXPERIMENT=simd on amd64, chosen by CPU
// features) or "portable". Setting SPMD_NOSIMD=1 in the environment before
// the first call forces "portable".
func CdistPath() string {
	return cdistImpl().name
}

// checkCdist panics if the slice lengths do not match the dimensions.
func checkCdist(dst, x, y []float64, m, n, p int) {
	if m < 0 || n < 0 || p < 0 {
		panic("kernels: negative dimension")
	}
	if !fitsProduct(m, n) || !fitsProduct(m, p) || !fitsProduct(n, p) {
		panic("kernels: dimensions overflow int")
	}
	if len(dst) != m*n {
		panic("kernels: len(dst) != m*n")
	}
	if len(x) != m*p {
		panic("kernels: len(x) != m*p")
	}
	if len(y) != n*p {
		panic("kernels: len(y) != n*p")
	}
}

// fitsProduct reports whether a*b fits in an int, for a, b >= 0.
func fitsProduct(a, b int) bool {
	return a == 0 || b <= math.MaxInt/a
}

// cdistKernel is one implementation of Cdist, called with checked,
// non-empty arguments.
type cdistKernel struct {
	name string
	run  func(dst, x, y []float64, m, n, p int)
}

var portableCdist = cdistKernel{name: "portable", run: cdistPortable}

var (
	cdistOnce   sync.Once
	cdistChosen cdistKernel
	// cdistOverride, when its run is not nil, replaces the chosen kernel.
	// Tests set it to exercise every path the machine supports.
	cdistOverride cdistKernel
)

// cdistImpl returns the kernel for this process, chosen on first use.
func cdistImpl() cdistKernel {
	if cdistOverride.run != nil {
		return cdistOverride
	}
	cdistOnce.Do(func() { cdistChosen = chooseCdist(os.Getenv) })
	return cdistChosen
}

// chooseCdist picks the widest vector kernel the CPU supports, or the
// portable one when getenv("SPMD_NOSIMD") is "1" or there is none.
func chooseCdist(getenv func(string) string) cdistKernel {
	if getenv("SPMD_NOSIMD") == "1" {
		return portableCdist
	}
	if ks := cdistVectorKernels(); len(ks) > 0 {
		return ks[0]
	}
	return portableCdist
}
