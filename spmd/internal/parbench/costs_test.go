package parbench

import (
	"slices"
	"testing"
	"time"
)

// The costs add up to the work asked for (within rounding), are heavy
// tailed (the costliest far above the median), and the bound is the
// larger of the shared work and the costliest item.
func TestParetoCosts(t *testing.T) {
	costs := ParetoCosts(2000, 1.5, 4*time.Second, 1)
	var total time.Duration
	for _, c := range costs {
		total += c
	}
	if d := total - 4*time.Second; d > time.Millisecond || d < -time.Millisecond {
		t.Errorf("total %v, want 4s", total)
	}
	sorted := slices.Sorted(slices.Values(costs))
	if most, med := sorted[len(sorted)-1], sorted[len(sorted)/2]; most < 30*med {
		t.Errorf("costliest %v is not far above the median %v: not heavy-tailed", most, med)
	}
	if b := Bound(costs, 2); b != max(total/2, sorted[len(sorted)-1]) {
		t.Errorf("Bound = %v", b)
	}
	if b := Bound([]time.Duration{5, 1, 1}, 2); b != 5 {
		t.Errorf("Bound with one dominant item = %v, want 5", b)
	}
}
