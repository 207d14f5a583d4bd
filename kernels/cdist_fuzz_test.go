package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// FuzzCdist compares every Cdist path with CdistNaive on random shapes and
// data, and checks that a share of the rows equals the same rows of the whole
// call bit for bit. The fuzzer chooses the shape, the data's seed, offset and
// scale, and the share.
func FuzzCdist(f *testing.F) {
	f.Add(uint8(3), uint8(25), uint8(7), uint64(1), 0.0, int8(0), uint8(1), uint8(2))
	f.Add(uint8(1), uint8(1), uint8(1), uint64(2), 1e6, int8(-10), uint8(0), uint8(1))
	f.Add(uint8(0), uint8(5), uint8(3), uint64(3), -3.5, int8(4), uint8(0), uint8(0))
	f.Add(uint8(8), uint8(48), uint8(0), uint64(4), 0.0, int8(0), uint8(3), uint8(7))
	f.Add(uint8(17), uint8(13), uint8(70), uint64(5), 1e-3, int8(-60), uint8(5), uint8(16))
	f.Fuzz(func(t *testing.T, m8, n8, p8 uint8, seed uint64, offset float64, scaleExp int8, lo8, hi8 uint8) {
		m, n, p := int(m8%40), int(n8%60), int(p8%(cdistMaxP/4+1))
		// Keep the data in the normal range: the FMA and the separate
		// multiply round subnormal squares differently, so there the
		// relative tolerance does not hold (that is documented, not a bug).
		if math.IsNaN(offset) || math.Abs(offset) > 1e100 {
			offset = 0
		}
		scale := math.Ldexp(1, int(scaleExp)%100)
		rng := rand.New(rand.NewPCG(seed, 99))
		x := randMatrix(rng, m, p, offset, scale)
		y := randMatrix(rng, n, p, offset, scale)
		want := make([]float64, m*n)
		CdistNaive(want, x, y, m, n, p)
		lo, hi := 0, 0
		if m > 0 {
			lo, hi = int(lo8)%(m+1), int(hi8)%(m+1)
			if lo > hi {
				lo, hi = hi, lo
			}
		}
		for _, k := range cdistPaths() {
			got := make([]float64, m*n)
			k.run0(got, x, y, m, n, p)
			checkPath(t, k, got, want, x, y, m, n, p)
			part := make([]float64, (hi-lo)*n)
			k.run0(part, x[lo*p:hi*p], y, hi-lo, n, p)
			for idx, v := range part {
				if math.Float64bits(v) != math.Float64bits(got[lo*n+idx]) {
					t.Fatalf("%s: rows [%d,%d) of %dx%dx%d: dst[%d] = %v, whole call %v",
						k.name, lo, hi, m, n, p, lo*n+idx, v, got[lo*n+idx])
				}
			}
		}
	})
}

// run0 runs k like Cdist does, allowing empty shapes.
func (k cdistKernel) run0(dst, x, y []float64, m, n, p int) {
	checkCdist(dst, x, y, m, n, p)
	if m > 0 && n > 0 {
		k.run(dst, x, y, m, n, p)
	}
}
