package kernels

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestCdistNaiveMatchesNumPy: CdistNaive gives the notebook's distances,
// np.sqrt(np.sum((ys[j] - xs[i])**2)), bit for bit, for p around NumPy's
// pairwise-summation boundaries (testdata/numpy_cdist.txt, from
// testdata/numpy_cdist.py with NumPy 1.24). The data spans seven orders of
// magnitude, so a sum in another order shows in the last bits: the test
// also checks that it would have noticed the plain running sum.
func TestCdistNaiveMatchesNumPy(t *testing.T) {
	f, err := os.Open("testdata/numpy_cdist.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	floats := func(fields []string) []float64 {
		out := make([]float64, len(fields))
		for i, s := range fields {
			if out[i], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatalf("numpy_cdist.txt: %v", err)
			}
		}
		return out
	}
	var m, n, p, cases, orderShows int
	var x, y []float64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch fields[0] {
		case "case":
			dims := floats(fields[1:])
			m, n, p = int(dims[0]), int(dims[1]), int(dims[2])
		case "x":
			x = floats(fields[1:])
		case "y":
			y = floats(fields[1:])
		case "z":
			want := floats(fields[1:])
			if len(x) != m*p || len(y) != n*p || len(want) != m*n {
				t.Fatalf("p=%d: malformed case", p)
			}
			got := make([]float64, m*n)
			CdistNaive(got, x, y, m, n, p)
			seq := make([]float64, m*n)
			cdistSequential(seq, x, y, m, n, p)
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("p=%d: dst[%d,%d] = %x, numpy %x", p, i/n, i%n, got[i], want[i])
				}
				if seq[i] != want[i] {
					orderShows++
				}
			}
			cases++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cases < 15 {
		t.Fatalf("read %d cases from numpy_cdist.txt, want 15", cases)
	}
	if orderShows == 0 {
		t.Error("no distance tells a running sum from NumPy's order: the data is too tame")
	}
	t.Logf("%d cases; the plain running sum differs from NumPy in %d distances", cases, orderShows)
}
