package kernels

import (
	"math"
	"testing"
)

var sirSettings = []SIRParams{
	{Beta: 0.3, Gamma: 0.1, N: 500, I0: 1},
	{Beta: 0.3, Gamma: 0.1, N: 500, I0: 10},
	{Beta: 0.05, Gamma: 0.1, N: 1000, I0: 1},
	{Beta: 2, Gamma: 0, N: 50, I0: 1},   // nobody recovers: ends when S = 0
	{Beta: 0, Gamma: 0.1, N: 50, I0: 7}, // no infections: I0 recoveries
	{Beta: 0.3, Gamma: 0.1, N: 1, I0: 1},
	{Beta: 0.3, Gamma: 0.1, N: 10, I0: 0},
}

func TestSIRFastMatchesReference(t *testing.T) {
	for k, p := range sirSettings {
		for r := uint64(0); r < 20; r++ {
			g1, g2 := Stream(5, r), Stream(5, r)
			want := SIRRun(p, &g1)
			got := sirRunFast(p, &g2)
			// Exact: the same operations in the same order.
			if got != want {
				t.Fatalf("setting %d replicate %d: fast %+v, reference %+v", k, r, got, want)
			}
			if g1 != g2 {
				t.Fatalf("setting %d replicate %d: generators left in different states", k, r)
			}
		}
		if a, b := SIRSetting(p, k, 30, 9), SIRSettingSerial(p, k, 30, 9); a != b {
			t.Errorf("setting %d: SIRSetting %+v, serial %+v", k, a, b)
		}
	}
}

func TestSIRInvariants(t *testing.T) {
	for k, p := range sirSettings {
		for r := uint64(0); r < 50; r++ {
			g := Stream(uint64(k), r)
			res := SIRRun(p, &g)
			if res.FinalSize < p.I0 || res.FinalSize > p.N {
				t.Fatalf("%+v: final size %d outside [I0, N]", p, res.FinalSize)
			}
			if res.Peak < p.I0 || res.Peak > res.FinalSize && p.I0 > 0 {
				t.Fatalf("%+v: peak %d outside [I0, final size %d]", p, res.Peak, res.FinalSize)
			}
			if res.Events > 2*p.N || res.Duration < 0 || math.IsInf(res.Duration, 0) {
				t.Fatalf("%+v: %+v", p, res)
			}
		}
	}
	// Known exact outcomes.
	g := Stream(0, 0)
	if res := SIRRun(SIRParams{Beta: 2, Gamma: 0, N: 50, I0: 1}, &g); res.FinalSize != 50 || res.Peak != 50 || res.Events != 49 {
		t.Errorf("gamma = 0: %+v, want everyone infected in 49 events", res)
	}
	if res := SIRRun(SIRParams{Beta: 0, Gamma: 0.1, N: 50, I0: 7}, &g); res.FinalSize != 7 || res.Events != 7 {
		t.Errorf("beta = 0: %+v, want 7 recoveries and nothing else", res)
	}
}

// TestSIRSubcriticalSmallOutbreaks: with R0 = beta/gamma = 0.5 < 1 and one
// initial case, the outbreak is a subcritical branching process whose
// expected total size is 1/(1-R0) = 2, whatever N is. The mean of 2000
// replicates is within 0.3 of 2 (the total size has variance
// R0/(1-R0)^3 = 4, so its standard error is 0.045; depletion of S only
// lowers it slightly).
func TestSIRSubcriticalSmallOutbreaks(t *testing.T) {
	p := SIRParams{Beta: 0.05, Gamma: 0.1, N: 10000, I0: 1}
	s := SIRSetting(p, 0, 2000, 3)
	if math.Abs(s.MeanFinalSize-2) > 0.3 {
		t.Errorf("mean final size %v, want about 2", s.MeanFinalSize)
	}
	if s.MeanFinalSize > 0.01*float64(p.N) {
		t.Errorf("subcritical outbreak reached %v of %d", s.MeanFinalSize, p.N)
	}
}

// TestSIRSupercriticalFinalSize: with R0 = 3 and many initial cases the
// outbreak almost surely takes off and infects about z*N with
// z = 1 - exp(-R0 z) (z = 0.9405 for R0 = 3); 3% covers the O(1/sqrt(N))
// fluctuations and the I0 offset at N = 2000.
func TestSIRSupercriticalFinalSize(t *testing.T) {
	p := SIRParams{Beta: 0.3, Gamma: 0.1, N: 2000, I0: 20}
	s := SIRSetting(p, 0, 100, 4)
	z := finalSizeFraction(3)
	if frac := s.MeanFinalSize / float64(p.N); math.Abs(frac-z) > 0.03 {
		t.Errorf("final size fraction %v, want about %v", frac, z)
	}
}

func TestSIRDeterministicAndSplit(t *testing.T) {
	_, settings, err := SIRGrid("0.1:0.4:0.1", "0.1", "200", "1,5")
	if err != nil {
		t.Fatal(err)
	}
	whole := make([]SIRSummary, len(settings))
	SIRSweep(whole, settings, Range{0, len(settings)}, 20, 77)
	again := make([]SIRSummary, len(settings))
	SIRSweep(again, settings, Range{0, len(settings)}, 20, 77)
	costs := make([]float64, len(settings))
	for k, p := range settings {
		costs[k] = SweepCost(p)
	}
	for k := range whole {
		if whole[k] != again[k] {
			t.Fatalf("setting %d differs between two runs", k)
		}
	}
	for _, size := range []int{2, 3, 7} {
		for rank := 0; rank < size; rank++ {
			r := ShareByCost(costs, rank, size)
			part := make([]SIRSummary, r.Len())
			SIRSweep(part, settings, r, 20, 77)
			for i := range part {
				if part[i] != whole[r.Lo+i] {
					t.Fatalf("size %d rank %d setting %d differs from the whole run", size, rank, r.Lo+i)
				}
			}
		}
	}
}

func TestSIRValidate(t *testing.T) {
	bad := []SIRParams{
		{Beta: -1, Gamma: 1, N: 10, I0: 1},
		{Beta: math.NaN(), Gamma: 1, N: 10, I0: 1},
		{Beta: 1, Gamma: math.Inf(1), N: 10, I0: 1},
		{Beta: 1, Gamma: 1, N: 0, I0: 0},
		{Beta: 1, Gamma: 1, N: 10, I0: 11},
	}
	for _, p := range bad {
		if p.Validate() == nil {
			t.Errorf("%+v validated", p)
		}
	}
}
