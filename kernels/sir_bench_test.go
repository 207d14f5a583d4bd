package kernels

import "testing"

// sirBench is a mid-sized supercritical setting: R0 = 3, N = 2000, so a
// replicate is about 3,800 events.
var sirBench = SIRParams{Beta: 0.3, Gamma: 0.1, N: 2000, I0: 5}

func benchmarkSIR(b *testing.B, run func(SIRParams, int, int, uint64) SIRSummary) {
	const reps = 20
	var events float64
	for i := 0; i < b.N; i++ {
		s := run(sirBench, i, reps, 1)
		events += s.MeanEvents * reps
	}
	b.ReportMetric(events/b.Elapsed().Seconds()/1e6, "Mevents/s")
}

func BenchmarkSIRSettingSerial(b *testing.B) { benchmarkSIR(b, SIRSettingSerial) }
func BenchmarkSIRSetting(b *testing.B)       { benchmarkSIR(b, SIRSetting) }

func BenchmarkFitDatasets(b *testing.B) {
	s := Synthetic{N: 200, P: 5, Coef: TrueCoef(5), Noise: 1, Seed: 1}
	const K = 50
	dst := make([]float64, K*(s.P+1))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := FitDatasets(dst, s, Range{0, K}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(K)*float64(b.N)/b.Elapsed().Seconds(), "datasets/s")
}
