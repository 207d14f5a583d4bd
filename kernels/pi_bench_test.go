package kernels

import (
	"sync/atomic"
	"testing"
)

// piBenchBlocks is 64 blocks, about 4.2 M samples: a multiple of every
// interleave width, so the benchmark measures the steady state.
const piBenchBlocks = 64

func benchmarkPi(b *testing.B, count func(seed uint64, r Range, total uint64) uint64) {
	const total = piBenchBlocks * PiBlockSize
	var sink uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sink += count(uint64(i), Range{0, piBenchBlocks}, total)
	}
	b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Msamples/s")
	if sink == 0 {
		b.Fatal("no hits")
	}
}

func BenchmarkPiHitsSerial(b *testing.B) { benchmarkPi(b, PiHitsSerial) }

func BenchmarkPiHitsPortable(b *testing.B) {
	was := ForcePortable(true)
	defer ForcePortable(was)
	benchmarkPi(b, PiHits)
}

// BenchmarkPiHitsVector runs each vector path the build and CPU have.
func BenchmarkPiHitsVector(b *testing.B) {
	if !piVector.ok {
		b.Skip("no vector path in this build or on this CPU")
	}
	was := ForcePortable(false)
	defer ForcePortable(was)
	best := piVector
	defer func() { piVector = best }()
	for _, k := range piVectorKernels {
		if k.ok {
			piVector = k
			b.Run(k.name, func(b *testing.B) { benchmarkPi(b, PiHits) })
		}
	}
}

// BenchmarkPiHitsParallel runs the default path on two goroutines through
// Parallel, splitting blocks as two ranks would.
func BenchmarkPiHitsParallel(b *testing.B) {
	benchmarkPi(b, func(seed uint64, r Range, total uint64) uint64 {
		var hits atomic.Uint64
		Parallel(2, r.Len(), func(s Range) { hits.Add(PiHits(seed, s, total)) })
		return hits.Load()
	})
}
