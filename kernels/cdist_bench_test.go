package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchmarkCdist times fn on an m×p by n×p problem of uniform data.
func benchmarkCdist(b *testing.B, fn func(dst, x, y []float64, m, n, p int), m, n, p int) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := randMatrix(rng, m, p, 0, 1), randMatrix(rng, n, p, 0, 1)
	dst := make([]float64, m*n)
	fn(dst, x, y, m, n, p) // fault dst in before timing
	b.SetBytes(int64(8 * m * n))
	b.ResetTimer()
	for b.Loop() {
		fn(dst, x, y, m, n, p)
	}
	b.ReportMetric(3*float64(m)*float64(n)*float64(p)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// benchmarkCdistPaths runs Cdist once per path available here.
func benchmarkCdistPaths(b *testing.B, m, n, p int) {
	for _, k := range cdistPaths() {
		b.Run(k.name, func(b *testing.B) { benchmarkCdist(b, k.run, m, n, p) })
	}
}

func BenchmarkCdistNaive1000(b *testing.B) { benchmarkCdist(b, CdistNaive, 1000, 1000, 100) }
func BenchmarkCdist1000(b *testing.B)      { benchmarkCdistPaths(b, 1000, 1000, 100) }
func BenchmarkCdist4000(b *testing.B)      { benchmarkCdistPaths(b, 4000, 4000, 100) }

// BenchmarkCdistDim shows how the fast paths behave as p grows (the panel of
// y outgrows L1 past p of about 150).
func BenchmarkCdistDim(b *testing.B) {
	for _, p := range []int{3, 16, 100, 1000} {
		b.Run(fmt.Sprint("p=", p), func(b *testing.B) { benchmarkCdistPaths(b, 500, 500, p) })
	}
}
