package study

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// Exact timings from the model itself must give the model back, up to
// rounding.
func TestFitAmdahlExact(t *testing.T) {
	const tol = 1e-12
	workers := []float64{1, 2, 4, 8}
	for _, want := range []Amdahl{{T1: 10, S: 0}, {T1: 10, S: 0.05}, {T1: 3.5, S: 0.3}, {T1: 0.02, S: 0.9}, {T1: 7, S: 1}} {
		ts := make([]float64, len(workers))
		for i, p := range workers {
			ts[i] = want.Time(p)
		}
		got, err := FitAmdahl(workers, ts)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got.S-want.S) > tol || math.Abs(got.T1-want.T1) > tol*want.T1 {
			t.Errorf("fit of exact %+v = %+v", want, got)
		}
	}
}

// The fit need not include one worker: T1 is extrapolated.
func TestFitAmdahlWithoutOneWorker(t *testing.T) {
	want := Amdahl{T1: 4, S: 0.2}
	p := []float64{2, 3, 6}
	ts := []float64{want.Time(2), want.Time(3), want.Time(6)}
	got, err := FitAmdahl(p, ts)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.S-want.S) > 1e-12 || math.Abs(got.T1-want.T1) > 1e-12 {
		t.Errorf("fit = %+v, want %+v", got, want)
	}
}

// Noisy timings, as repeated runs give, recover the serial fraction within
// a tolerance. Each time is the model's times a factor uniform in
// [1-noise, 1+noise], noise 3 %, on 8 worker counts from 1 to 16. Over
// 2000 seeds the largest error of the fitted S was 0.010, 0.014 and 0.027
// for S = 0.02, 0.1 and 0.4 (noise on the larger serial times weighs
// more), so the tolerance is 0.015 + 0.04 S; T1 stays within 2 × noise.
func TestFitAmdahlNoisy(t *testing.T) {
	const noise = 0.03
	workers := []float64{1, 2, 3, 4, 6, 8, 12, 16}
	for seed := uint64(1); seed <= 20; seed++ {
		for _, s := range []float64{0.02, 0.1, 0.4} {
			rng := rand.New(rand.NewPCG(seed, 7))
			want := Amdahl{T1: 2, S: s}
			ts := make([]float64, len(workers))
			for i, p := range workers {
				ts[i] = want.Time(p) * (1 + noise*(2*rng.Float64()-1))
			}
			got, err := FitAmdahl(workers, ts)
			if err != nil {
				t.Fatal(err)
			}
			if tol := 0.015 + 0.04*s; math.Abs(got.S-s) > tol || math.Abs(got.T1-want.T1) > 2*noise*want.T1 {
				t.Errorf("seed %d: fit of noisy %+v = %+v", seed, want, got)
			}
		}
	}
}

// Timings outside what the model can describe land on the boundary of
// [0, 1], at the least-squares optimum there.
func TestFitAmdahlClamped(t *testing.T) {
	cases := []struct {
		name    string
		p, t    []float64
		s, t1   float64
		comment string
	}{
		// Faster than ideal (a cache effect): the best line through the
		// origin in 1/p, S = 0.
		{name: "superlinear", p: []float64{1, 2, 4}, t: []float64{8, 3, 1}, s: 0,
			t1: (8*1 + 3*0.5 + 1*0.25) / (1 + 0.25 + 0.0625)},
		// Slower with more workers (all overhead): the mean, S = 1.
		{name: "slowdown", p: []float64{1, 2, 4}, t: []float64{1, 2, 3}, s: 1, t1: 2},
	}
	for _, tc := range cases {
		got, err := FitAmdahl(tc.p, tc.t)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got.S-tc.s) > 1e-12 || math.Abs(got.T1-tc.t1) > 1e-12 {
			t.Errorf("%s: fit = %+v, want S = %v, T1 = %v", tc.name, got, tc.s, tc.t1)
		}
	}
}

func TestFitAmdahlErrors(t *testing.T) {
	cases := []struct {
		name string
		p, t []float64
		want string
	}{
		{"one point", []float64{1}, []float64{1}, "two different"},
		{"one worker count", []float64{2, 2, 2}, []float64{1, 1.1, 0.9}, "two different"},
		{"zero time", []float64{1, 2}, []float64{1, 0}, "not a positive number"},
		{"NaN time", []float64{1, 2}, []float64{math.NaN(), 1}, "not a positive number"},
		{"no points", nil, nil, "two different"},
	}
	for _, tc := range cases {
		if _, err := FitAmdahl(tc.p, tc.t); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestFitAmdahlPanics(t *testing.T) {
	cases := []struct {
		name string
		p, t []float64
	}{
		{"lengths differ", []float64{1, 2}, []float64{1}},
		{"zero workers", []float64{0, 2}, []float64{1, 1}},
	}
	for _, tc := range cases {
		func() {
			defer func() {
				if r, ok := recover().(string); !ok || !strings.HasPrefix(r, "study: ") {
					t.Errorf("%s: recovered %v, want a study: panic", tc.name, r)
				}
			}()
			FitAmdahl(tc.p, tc.t)
		}()
	}
}

func TestAmdahlModel(t *testing.T) {
	a := Amdahl{T1: 10, S: 0.1}
	if got := a.Time(4); math.Abs(got-(1+9.0/4)) > 1e-12 {
		t.Errorf("Time(4) = %v", got)
	}
	if got := a.Speedup(4); math.Abs(got-10/(1+9.0/4)) > 1e-12 {
		t.Errorf("Speedup(4) = %v", got)
	}
	if got := a.MaxSpeedup(); math.Abs(got-10) > 1e-12 {
		t.Errorf("MaxSpeedup = %v", got)
	}
}
