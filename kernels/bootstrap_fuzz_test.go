package kernels

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzMedianSelect: selection gives the same median as sorting for any
// float64 data, including ties, infinities, signed zeros and NaN.
func FuzzMedianSelect(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(make([]byte, 8*20))
	f.Fuzz(func(t *testing.T, raw []byte) {
		n := len(raw) / 8
		if n == 0 {
			return
		}
		x := make([]float64, n)
		nan := false
		for i := range x {
			x[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
			nan = nan || math.IsNaN(x[i])
		}
		want := statMedianSorted(append([]float64(nil), x...))
		got := math.NaN()
		if !nan {
			got = medianSelect(x)
		}
		// Signed zeros compare equal; their mean may carry either sign
		// depending on which zero sorted first, as in NumPy.
		if !floatsIdentical(got, want) {
			t.Fatalf("median of %v: select %v, sort %v", x, got, want)
		}
	})
}
