package kernels

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// cdistRelTol bounds the relative difference between a fast path and
// CdistNaive. A vector path adds the squares over k in order, each with a
// fused multiply-add, so its sum is within about 2p·2⁻⁵³ (relative) of the
// exact sum of squares; CdistNaive adds them in NumPy's pairwise order,
// within about (p/8 + log2 p)·2⁻⁵³. The square root halves the relative
// difference of the sums: at most about 1.2p·2⁻⁵³ ≈ 1.4e-16·p, and 1e-13
// covers p ≤ 400, the largest p these tests use. Measured differences are
// far smaller (a few 1e-16), because the rounding errors do not all go one
// way.
const cdistRelTol = 1e-13

// cdistMaxP is the largest p the tests may use with cdistRelTol.
const cdistMaxP = 400

// randMatrix returns a rows×cols matrix of offset + spread*U(-1, 1).
func randMatrix(rng *rand.Rand, rows, cols int, offset, spread float64) []float64 {
	a := make([]float64, rows*cols)
	for i := range a {
		a[i] = offset + spread*(2*rng.Float64()-1)
	}
	return a
}

// cdistPaths returns every Cdist implementation this build and CPU can run:
// the portable one first, then the vector ones.
func cdistPaths() []cdistKernel {
	return append([]cdistKernel{portableCdist}, cdistVectorKernels()...)
}

// forEachCdistPath runs f once per path, with Cdist forced to that path.
func forEachCdistPath(t *testing.T, f func(t *testing.T, k cdistKernel)) {
	t.Helper()
	for _, k := range cdistPaths() {
		t.Run(k.name, func(t *testing.T) {
			cdistOverride = k
			defer func() { cdistOverride = cdistKernel{} }()
			f(t, k)
		})
	}
}

// sameFloat reports whether a and b are equal or both NaN.
func sameFloat(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}

// relDiff is |a-b| / max(|a|, |b|), 0 when a and b are the same float.
func relDiff(a, b float64) float64 {
	if sameFloat(a, b) {
		return 0
	}
	return math.Abs(a-b) / math.Max(math.Abs(a), math.Abs(b))
}

// checkAgainstNaive compares got with want (from CdistNaive) within
// cdistRelTol, and returns the largest relative difference.
func checkAgainstNaive(t *testing.T, got, want []float64, n, p int) float64 {
	t.Helper()
	if p > cdistMaxP {
		t.Fatalf("p = %d is too large for cdistRelTol", p)
	}
	worst := 0.0
	for idx := range want {
		a, b := got[idx], want[idx]
		if math.IsNaN(a) != math.IsNaN(b) || (math.IsInf(a, 0) || math.IsInf(b, 0)) && a != b {
			t.Fatalf("dst[%d,%d] = %v, naive %v", idx/n, idx%n, a, b)
		}
		d := relDiff(a, b)
		if d > cdistRelTol {
			t.Fatalf("dst[%d,%d] = %v, naive %v: relative difference %.3g > %g", idx/n, idx%n, a, b, d, cdistRelTol)
		}
		worst = math.Max(worst, d)
	}
	return worst
}

// cdistSequential is the plain loop: the squares added over k in order,
// each rounded. The portable path promises exactly these bits.
func cdistSequential(dst, x, y []float64, m, n, p int) {
	for i := range m {
		for j := range n {
			s := 0.0
			for k := range p {
				d := x[i*p+k] - y[j*p+k]
				s += float64(d * d)
			}
			dst[i*n+j] = math.Sqrt(s)
		}
	}
}

// checkPath checks got, from path k, against CdistNaive's want within
// cdistRelTol, and on the portable path against the plain loop exactly.
func checkPath(t *testing.T, k cdistKernel, got, want, x, y []float64, m, n, p int) float64 {
	t.Helper()
	if k.name == "portable" {
		seq := make([]float64, m*n)
		cdistSequential(seq, x, y, m, n, p)
		for idx := range seq {
			if !sameFloat(got[idx], seq[idx]) {
				t.Fatalf("dst[%d,%d] = %v, plain loop %v: the portable path must be bit-identical to it", idx/n, idx%n, got[idx], seq[idx])
			}
		}
	}
	return checkAgainstNaive(t, got, want, n, p)
}

func TestCdistNaiveKnownValues(t *testing.T) {
	// Rows chosen so that the distances are exact: 3-4-5 and 1-2-2-3.
	x := []float64{
		0, 0, 0,
		1, 2, 2,
	}
	y := []float64{
		3, 4, 0,
		0, 0, 0,
		-1, 2, 2,
	}
	want := []float64{
		5, 0, 3,
		sqrt(4 + 4 + 4), 3, 2,
	}
	for _, f := range []struct {
		name string
		fn   func(dst, x, y []float64, m, n, p int)
	}{{"naive", CdistNaive}, {"Cdist", Cdist}} {
		got := make([]float64, 6)
		f.fn(got, x, y, 2, 3, 3)
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: dst[%d] = %v, want %v", f.name, i, got[i], want[i])
			}
		}
	}
}

func sqrt(v float64) float64 { return math.Sqrt(v) }

// cdistShapes are chosen around the block sizes: panel widths 4, 12 and 24,
// row pairs, p = 1 and p not a multiple of a vector width.
var cdistShapes = []struct{ m, n, p int }{
	{0, 5, 3}, {5, 0, 3}, {0, 0, 0}, {3, 4, 0},
	{1, 1, 1}, {1, 25, 1}, {2, 3, 1},
	{1, 24, 8}, {2, 24, 8}, {3, 23, 7}, {4, 12, 4}, {5, 13, 9},
	{7, 49, 13}, {9, 50, 17}, {16, 48, 3}, {33, 61, 100},
	{4, 5, 257}, {3, 30, cdistMaxP},
	// More rows than one row block (rowBlockBytes / (8p) = 162 at p = 400).
	{171, 29, cdistMaxP},
}

func TestCdistMatchesNaive(t *testing.T) {
	forEachCdistPath(t, func(t *testing.T, k cdistKernel) {
		if got := CdistPath(); got != k.name {
			t.Fatalf("CdistPath() = %q, want %q", got, k.name)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		worst := 0.0
		for _, s := range cdistShapes {
			x := randMatrix(rng, s.m, s.p, 0, 1)
			y := randMatrix(rng, s.n, s.p, 0.5, 2)
			want := make([]float64, s.m*s.n)
			CdistNaive(want, x, y, s.m, s.n, s.p)
			got := make([]float64, s.m*s.n)
			for i := range got {
				got[i] = -1 // every element must be written
			}
			Cdist(got, x, y, s.m, s.n, s.p)
			worst = math.Max(worst, checkPath(t, k, got, want, x, y, s.m, s.n, s.p))
		}
		t.Logf("%s: max relative difference from CdistNaive %.3g", k.name, worst)
	})
}

// TestCdistShareEqualsWhole checks the promise parallel callers rely on: the
// rows lo..hi-1 computed alone are bit-identical to the same rows of a whole
// call, whatever lo and hi (odd offsets shift the row pairing).
func TestCdistShareEqualsWhole(t *testing.T) {
	forEachCdistPath(t, func(t *testing.T, k cdistKernel) {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, s := range []struct{ m, n, p int }{{11, 53, 19}, {8, 24, 100}, {5, 7, 1}} {
			x := randMatrix(rng, s.m, s.p, 10, 3)
			y := randMatrix(rng, s.n, s.p, 10, 3)
			whole := make([]float64, s.m*s.n)
			Cdist(whole, x, y, s.m, s.n, s.p)
			for lo := 0; lo <= s.m; lo++ {
				for hi := lo; hi <= s.m; hi++ {
					part := make([]float64, (hi-lo)*s.n)
					Cdist(part, x[lo*s.p:hi*s.p], y, hi-lo, s.n, s.p)
					for idx, v := range part {
						if math.Float64bits(v) != math.Float64bits(whole[lo*s.n+idx]) {
							t.Fatalf("%v rows [%d,%d): dst[%d] = %v, whole call gives %v",
								s, lo, hi, lo*s.n+idx, v, whole[lo*s.n+idx])
						}
					}
				}
			}
		}
	})
}

// TestCdistGatherEqualsSerial is the parallel job's shape: every rank of
// size computes its Share of the rows (here in goroutines, through Parallel),
// the root concatenates them in rank order, and the result must equal the
// serial call bit for bit, for sizes at and around the row count.
func TestCdistGatherEqualsSerial(t *testing.T) {
	forEachCdistPath(t, func(t *testing.T, k cdistKernel) {
		rng := rand.New(rand.NewPCG(13, 14))
		// The last shape spans three row blocks (162 rows each at p = 400),
		// so shares start and end inside blocks.
		for _, s := range []struct{ m, n, p int }{{0, 9, 4}, {1, 30, 5}, {7, 25, 100}, {50, 49, 3}, {331, 26, cdistMaxP}} {
			x, y := randMatrix(rng, s.m, s.p, -2, 5), randMatrix(rng, s.n, s.p, 1, 5)
			serial := make([]float64, s.m*s.n)
			Cdist(serial, x, y, s.m, s.n, s.p)
			for _, size := range []int{1, 2, 3, 4, 7, s.m, s.m + 1} {
				if size < 1 {
					continue
				}
				parts := make([][]float64, size)
				Parallel(size, size, func(ranks Range) {
					for rank := ranks.Lo; rank < ranks.Hi; rank++ {
						r := Share(s.m, rank, size)
						parts[rank] = make([]float64, r.Len()*s.n)
						Cdist(parts[rank], x[r.Lo*s.p:r.Hi*s.p], y, r.Len(), s.n, s.p)
					}
				})
				var gathered []float64
				for _, part := range parts {
					gathered = append(gathered, part...)
				}
				for i := range serial {
					if math.Float64bits(gathered[i]) != math.Float64bits(serial[i]) {
						t.Fatalf("%v on %d ranks: dst[%d] = %v, serial %v", s, size, i, gathered[i], serial[i])
					}
				}
			}
		}
	})
}

// TestCdistVectorPathsAgree checks that vector paths of different widths give
// the same bits: they run the same arithmetic per element.
func TestCdistVectorPathsAgree(t *testing.T) {
	ks := cdistVectorKernels()
	if len(ks) < 2 {
		t.Skipf("%d vector paths on this build and CPU", len(ks))
	}
	rng := rand.New(rand.NewPCG(5, 6))
	m, n, p := 13, 77, 31
	x, y := randMatrix(rng, m, p, 0, 1), randMatrix(rng, n, p, 0, 1)
	ref := make([]float64, m*n)
	ks[0].run(ref, x, y, m, n, p)
	for _, k := range ks[1:] {
		got := make([]float64, m*n)
		k.run(got, x, y, m, n, p)
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(ref[i]) {
				t.Fatalf("%s dst[%d] = %v, %s gives %v", k.name, i, got[i], ks[0].name, ref[i])
			}
		}
	}
}

// exactDistance is the distance from the exact sum of squares of the rounded
// differences (the differences are exact for the data it is used on).
func exactDistance(x, y []float64) float64 {
	sum := new(big.Float).SetPrec(2000)
	for k := range x {
		d := new(big.Float).SetPrec(2000).SetFloat64(x[k])
		d.Sub(d, new(big.Float).SetFloat64(y[k]))
		sum.Add(sum, d.Mul(d, d))
	}
	dist, _ := sum.Sqrt(sum).Float64()
	return dist
}

// TestCdistLargeOffset is the case the |x|²+|y|²−2x·y trick fails (its
// relative error reached 6e-3 on such data): values near 1e6 with spread 1e-3.
// Direct differences stay accurate to a few ulps.
func TestCdistLargeOffset(t *testing.T) {
	const tol = 1e-14 // a few ulps: p = 64 squares of exact differences, summed
	forEachCdistPath(t, func(t *testing.T, k cdistKernel) {
		rng := rand.New(rand.NewPCG(7, 8))
		m, n, p := 9, 29, 64
		x := randMatrix(rng, m, p, 1e6, 1e-3)
		y := randMatrix(rng, n, p, 1e6, 1e-3)
		got := make([]float64, m*n)
		Cdist(got, x, y, m, n, p)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				want := exactDistance(x[i*p:i*p+p], y[j*p:j*p+p])
				if d := relDiff(got[i*n+j], want); d > tol {
					t.Fatalf("dst[%d,%d] = %v, exact %v: relative error %.3g > %g", i, j, got[i*n+j], want, d, tol)
				}
			}
		}
	})
}

func TestCdistNonFinite(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	forEachCdistPath(t, func(t *testing.T, k cdistKernel) {
		rng := rand.New(rand.NewPCG(9, 10))
		m, n, p := 5, 27, 6
		x := randMatrix(rng, m, p, 0, 1)
		y := randMatrix(rng, n, p, 0, 1)
		x[0*p+2] = nan // row 0: NaN everywhere
		x[1*p+0] = inf // row 1: +Inf except against y row with +Inf (NaN)
		y[3*p+0] = inf
		y[4*p+5] = -inf            // column 4: +Inf
		x[2*p+1] = math.MaxFloat64 // row 2: the square overflows to +Inf
		want := make([]float64, m*n)
		CdistNaive(want, x, y, m, n, p)
		got := make([]float64, m*n)
		Cdist(got, x, y, m, n, p)
		checkPath(t, k, got, want, x, y, m, n, p)
		for _, c := range []struct {
			i, j  int
			isNaN bool
			isInf bool
		}{{0, 0, true, false}, {1, 0, false, true}, {1, 3, true, false}, {3, 4, false, true}, {2, 0, false, true}} {
			v := got[c.i*n+c.j]
			if math.IsNaN(v) != c.isNaN || math.IsInf(v, 1) != c.isInf {
				t.Errorf("dst[%d,%d] = %v, want NaN=%v +Inf=%v", c.i, c.j, v, c.isNaN, c.isInf)
			}
		}
	})
}

func TestCdistPanics(t *testing.T) {
	for _, c := range []struct {
		name      string
		dst, x, y int // lengths
		m, n, p   int
		msg       string
	}{
		{"short dst", 5, 6, 9, 2, 3, 3, "len(dst)"},
		{"long dst", 7, 6, 9, 2, 3, 3, "len(dst)"},
		{"short x", 6, 5, 9, 2, 3, 3, "len(x)"},
		{"short y", 6, 6, 8, 2, 3, 3, "len(y)"},
		{"negative m", 0, 0, 9, -1, 3, 3, "negative"},
		{"negative p", 0, 0, 0, 0, 0, -1, "negative"},
		{"overflow", 0, 0, 0, math.MaxInt / 2, 3, 0, "overflow"},
	} {
		for _, f := range []struct {
			name string
			fn   func(dst, x, y []float64, m, n, p int)
		}{{"CdistNaive", CdistNaive}, {"Cdist", Cdist}} {
			t.Run(c.name+"/"+f.name, func(t *testing.T) {
				defer func() {
					r := recover()
					s, ok := r.(string)
					if !ok || !strings.HasPrefix(s, "kernels: ") || !strings.Contains(s, c.msg) {
						t.Errorf("panic %v, want a \"kernels: \" message naming %q", r, c.msg)
					}
				}()
				f.fn(make([]float64, c.dst), make([]float64, c.x), make([]float64, c.y), c.m, c.n, c.p)
			})
		}
	}
}

func TestCdistInputsUnchanged(t *testing.T) {
	forEachCdistPath(t, func(t *testing.T, k cdistKernel) {
		rng := rand.New(rand.NewPCG(11, 12))
		m, n, p := 3, 30, 5
		x, y := randMatrix(rng, m, p, 0, 1), randMatrix(rng, n, p, 0, 1)
		x0, y0 := append([]float64(nil), x...), append([]float64(nil), y...)
		Cdist(make([]float64, m*n), x, y, m, n, p)
		if fmt.Sprint(x) != fmt.Sprint(x0) || fmt.Sprint(y) != fmt.Sprint(y0) {
			t.Fatal("Cdist modified its inputs")
		}
	})
}

func TestChooseCdist(t *testing.T) {
	env := func(v string) func(string) string {
		return func(key string) string {
			if key == "SPMD_NOSIMD" {
				return v
			}
			return ""
		}
	}
	if k := chooseCdist(env("1")); k.name != "portable" {
		t.Errorf("SPMD_NOSIMD=1 chose %q, want portable", k.name)
	}
	want := "portable"
	if ks := cdistVectorKernels(); len(ks) > 0 {
		want = ks[0].name
	}
	for _, v := range []string{"", "0"} {
		if k := chooseCdist(env(v)); k.name != want {
			t.Errorf("SPMD_NOSIMD=%q chose %q, want %q", v, k.name, want)
		}
	}
	switch p := CdistPath(); p {
	case "portable", "avx2", "avx512":
	default:
		t.Errorf("CdistPath() = %q", p)
	}
}
