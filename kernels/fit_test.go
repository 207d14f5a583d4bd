package kernels

import (
	"math"
	"strings"
	"testing"
)

// fitTol is the agreement required between QR and the normal equations on
// well-conditioned designs (condition numbers below about 10 here): both
// are backward stable to within cond^2 * 2^-52 ≈ 1e-14.
const fitTol = 1e-10

func TestOLSKnownLine(t *testing.T) {
	// y = 1 + 2x through (0,1), (1,3), (2,5).
	dst := make([]float64, 2)
	if err := OLS(dst, []float64{0, 1, 2}, []float64{1, 3, 5}, 3, 1, true); err != nil {
		t.Fatal(err)
	}
	if math.Abs(dst[0]-1) > 1e-14 || math.Abs(dst[1]-2) > 1e-14 {
		t.Errorf("fit %v, want [1 2]", dst)
	}
	// Without intercept, through the origin: y = 2x + e, least squares
	// slope sum(xy)/sum(x^2) = (0+3+10)/(0+1+4) = 2.6.
	one := make([]float64, 1)
	if err := OLS(one, []float64{0, 1, 2}, []float64{1, 3, 5}, 3, 1, false); err != nil {
		t.Fatal(err)
	}
	if math.Abs(one[0]-2.6) > 1e-14 {
		t.Errorf("slope %v, want 2.6", one[0])
	}
}

func TestOLSMatchesNormalEquations(t *testing.T) {
	for _, tt := range []struct{ n, p int }{{5, 1}, {20, 3}, {200, 8}, {1000, 20}} {
		s := Synthetic{N: tt.n, P: tt.p, Coef: TrueCoef(tt.p), Noise: 0.5, Seed: 3}
		x, y := make([]float64, tt.n*tt.p), make([]float64, tt.n)
		s.Generate(x, y, 0)
		for _, intercept := range []bool{true, false} {
			q := tt.p
			if intercept {
				q++
			}
			qr, ne := make([]float64, q), make([]float64, q)
			if err := OLS(qr, x, y, tt.n, tt.p, intercept); err != nil {
				t.Fatal(err)
			}
			if err := OLSNormal(ne, x, y, tt.n, tt.p, intercept); err != nil {
				t.Fatal(err)
			}
			for j := range qr {
				if d := math.Abs(qr[j] - ne[j]); d > fitTol*math.Max(1, math.Abs(ne[j])) {
					t.Errorf("n=%d p=%d intercept=%v: b[%d] QR %v, normal equations %v", tt.n, tt.p, intercept, j, qr[j], ne[j])
				}
			}
		}
	}
}

// TestFitRecoversCoefficients: with standard normal predictors each OLS
// coefficient has standard error about Noise/sqrt(N); 6 of them is a bound
// that a correct fit misses with negligible probability. Without noise
// the fit is exact to rounding.
func TestFitRecoversCoefficients(t *testing.T) {
	for _, noise := range []float64{0, 0.3} {
		s := Synthetic{N: 400, P: 5, Coef: TrueCoef(5), Noise: noise, Seed: 11}
		const K = 6
		dst := make([]float64, K*(s.P+1))
		if err := FitDatasets(dst, s, Range{0, K}); err != nil {
			t.Fatal(err)
		}
		tol := 6*noise/math.Sqrt(float64(s.N)) + 1e-12
		for k := 0; k < K; k++ {
			for j, want := range s.Coef {
				if got := dst[k*(s.P+1)+j]; math.Abs(got-want) > tol {
					t.Errorf("noise %v dataset %d: b[%d] = %v, true %v", noise, k, j, got, want)
				}
			}
		}
	}
}

func TestFitDatasetsSplitsAndReference(t *testing.T) {
	s := Synthetic{N: 50, P: 3, Coef: TrueCoef(3), Noise: 1, Seed: 2}
	const K = 10
	q := s.P + 1
	whole := make([]float64, K*q)
	if err := FitDatasets(whole, s, Range{0, K}); err != nil {
		t.Fatal(err)
	}
	ref := make([]float64, K*q)
	if err := FitDatasetsSerial(ref, s, Range{0, K}); err != nil {
		t.Fatal(err)
	}
	for i := range whole {
		if d := math.Abs(whole[i] - ref[i]); d > fitTol*math.Max(1, math.Abs(ref[i])) {
			t.Errorf("coefficient %d: QR %v, normal equations %v", i, whole[i], ref[i])
		}
	}
	for _, size := range []int{2, 3, 7} {
		for rank := 0; rank < size; rank++ {
			r := Share(K, rank, size)
			part := make([]float64, r.Len()*q)
			if err := FitDatasets(part, s, r); err != nil {
				t.Fatal(err)
			}
			for i, v := range part {
				// Exact: dataset k is the same numbers whoever fits it.
				if v != whole[r.Lo*q+i] {
					t.Fatalf("size %d rank %d: coefficient %d differs", size, rank, i)
				}
			}
		}
	}
}

func TestOLSErrors(t *testing.T) {
	tests := []struct {
		name      string
		x, y      []float64
		n, p      int
		intercept bool
		want      string
	}{
		{"one row two coefficients", []float64{1}, []float64{1}, 1, 1, true, "at least 2 rows"},
		{"collinear", []float64{1, 2, 2, 4, 3, 6, 4, 8}, []float64{1, 2, 3, 4}, 4, 2, false, "rank-deficient"},
		{"constant column and intercept", []float64{5, 5, 5, 5}, []float64{1, 2, 3, 4}, 4, 1, true, "rank-deficient"},
		{"zero column", []float64{0, 0, 0}, []float64{1, 2, 3}, 3, 1, false, "rank-deficient"},
		{"NaN design", []float64{1, math.NaN(), 3}, []float64{1, 2, 3}, 3, 1, true, "NaN at row 1, column 0"},
		{"Inf response", []float64{1, 2, 3}, []float64{1, math.Inf(1), 3}, 3, 1, true, "+Inf at row 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.p
			if tt.intercept {
				q++
			}
			err := OLS(make([]float64, q), tt.x, tt.y, tt.n, tt.p, tt.intercept)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestOLSPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("OLS with a short dst did not panic")
		}
	}()
	OLS(make([]float64, 1), []float64{1, 2}, []float64{1, 2}, 2, 1, true)
}

func TestTrueCoef(t *testing.T) {
	got := TrueCoef(4)
	want := []float64{1, 2, -3, 4, -5}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("TrueCoef(4) = %v, want %v", got, want)
		}
	}
}
