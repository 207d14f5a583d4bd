package kernels

import "testing"

func benchmarkBootstrap(b *testing.B, stat Statistic, n int, fn func([]float64, []float64, Statistic, uint64, Range)) {
	g := Stream(1, 1)
	data := make([]float64, n)
	for i := range data {
		data[i] = g.NormFloat64()
	}
	const reps = 100
	dst := make([]float64, reps)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fn(dst, data, stat, uint64(i), Range{0, reps})
	}
	b.ReportMetric(float64(reps)*float64(b.N)/b.Elapsed().Seconds(), "reps/s")
}

func BenchmarkBootstrapMeanSerial1000(b *testing.B) {
	benchmarkBootstrap(b, StatMean, 1000, BootstrapReplicatesSerial)
}
func BenchmarkBootstrapMean1000(b *testing.B) {
	benchmarkBootstrap(b, StatMean, 1000, BootstrapReplicates)
}
func BenchmarkBootstrapMedianSerial1000(b *testing.B) {
	benchmarkBootstrap(b, StatMedian, 1000, BootstrapReplicatesSerial)
}
func BenchmarkBootstrapMedian1000(b *testing.B) {
	benchmarkBootstrap(b, StatMedian, 1000, BootstrapReplicates)
}
func BenchmarkBootstrapStd1000(b *testing.B) {
	benchmarkBootstrap(b, StatStd, 1000, BootstrapReplicates)
}
func BenchmarkBootstrapMedianSerial100000(b *testing.B) {
	benchmarkBootstrap(b, StatMedian, 100000, BootstrapReplicatesSerial)
}
func BenchmarkBootstrapMedian100000(b *testing.B) {
	benchmarkBootstrap(b, StatMedian, 100000, BootstrapReplicates)
}
