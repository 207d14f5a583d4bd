package kernels

import "fmt"

// Synthetic describes a family of synthetic regression datasets for the
// "same model on many datasets" workload. Dataset k has N rows and P
// predictors drawn from Stream(Seed, k), row by row:
//
//	x[i][j] = NormFloat64()                      j = 0..P-1
//	y[i]    = Coef[0] + sum_j Coef[j+1]*x[i][j] + Noise*NormFloat64()
//
// so an OLS fit with intercept recovers Coef up to noise.
type Synthetic struct {
	N, P  int
	Coef  []float64 // true coefficients, intercept first: P+1 values
	Noise float64   // standard deviation of the additive noise
	Seed  uint64
}

// TrueCoef returns the coefficients the spmd jobs use by default for P
// predictors: intercept 1, then 2, -3, 4, -5, ...
func TrueCoef(p int) []float64 {
	c := make([]float64, p+1)
	c[0] = 1
	for j := 1; j <= p; j++ {
		c[j] = float64(j + 1)
		if j%2 == 0 {
			c[j] = -c[j]
		}
	}
	return c
}

// Generate writes dataset k into x (N×P, row-major) and y (N). It panics if
// the lengths do not match the spec or len(Coef) != P+1.
func (s Synthetic) Generate(x, y []float64, k int) {
	s.check()
	if len(x) != s.N*s.P || len(y) != s.N {
		panic(fmt.Sprintf("kernels: Generate with len(x)=%d len(y)=%d for N=%d P=%d", len(x), len(y), s.N, s.P))
	}
	g := Stream(s.Seed, uint64(k))
	for i := 0; i < s.N; i++ {
		row := x[i*s.P : i*s.P+s.P]
		v := s.Coef[0]
		for j := range row {
			row[j] = g.NormFloat64()
			v += float64(s.Coef[j+1] * row[j])
		}
		y[i] = v + float64(s.Noise*g.NormFloat64())
	}
}

func (s Synthetic) check() {
	if s.N < 0 || s.P < 0 || len(s.Coef) != s.P+1 {
		panic(fmt.Sprintf("kernels: Synthetic with N=%d P=%d and %d coefficients", s.N, s.P, len(s.Coef)))
	}
}

// FitDatasets generates the datasets ks.Lo..ks.Hi-1 of s and fits each by
// OLS with intercept, writing the P+1 coefficients of dataset k to
// dst[(k-ks.Lo)*(P+1):]. The buffers are allocated once per call, not per
// dataset. It returns the first fitting error, naming the dataset, and
// panics if len(dst) != ks.Len()*(P+1) or the range is invalid.
func FitDatasets(dst []float64, s Synthetic, ks Range) error {
	return fitDatasets(dst, s, ks, OLS)
}

// FitDatasetsSerial is FitDatasets solved through the normal equations
// (OLSNormal), the independent reference the tests compare with.
func FitDatasetsSerial(dst []float64, s Synthetic, ks Range) error {
	return fitDatasets(dst, s, ks, OLSNormal)
}

func fitDatasets(dst []float64, s Synthetic, ks Range,
	fit func(dst, x, y []float64, n, p int, intercept bool) error) error {
	s.check()
	q := s.P + 1
	if ks.Lo < 0 || ks.Hi < ks.Lo || len(dst) != ks.Len()*q {
		panic(fmt.Sprintf("kernels: FitDatasets with len(dst)=%d for datasets %v and %d coefficients", len(dst), ks, q))
	}
	x := make([]float64, s.N*s.P)
	y := make([]float64, s.N)
	for k := ks.Lo; k < ks.Hi; k++ {
		s.Generate(x, y, k)
		off := (k - ks.Lo) * q
		if err := fit(dst[off:off+q], x, y, s.N, s.P, true); err != nil {
			return fmt.Errorf("dataset %d: %w", k, err)
		}
	}
	return nil
}
