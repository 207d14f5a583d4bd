package kernels

import (
	"math"
	"testing"
)

// FuzzParseValues: any input either fails with an error or yields finite
// values, ranges in nondecreasing order, never more than the cap.
func FuzzParseValues(f *testing.F) {
	for _, s := range []string{"0.1:0.5:0.05", "1,2,3", "0.3", "1:5", "1e-3:3e-3:1e-3", "-1:1:0.5", "0:1:0", "a:b", ",", "1:2:3:4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		vals, err := ParseValues(spec)
		if err != nil {
			return
		}
		if len(vals) == 0 || len(vals) > maxAxisValues {
			t.Fatalf("ParseValues(%q) gave %d values", spec, len(vals))
		}
		for _, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("ParseValues(%q) gave %v", spec, v)
			}
		}
	})
}
