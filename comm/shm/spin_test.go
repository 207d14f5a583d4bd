package shm

import (
	"testing"
	"time"
)

// TestSpinnerAdapts: near misses lengthen the spin up to maxSpin, long
// waits shorten it back to the floor, and a fixed spin never moves.
func TestSpinnerAdapts(t *testing.T) {
	s := newSpinner(10*time.Microsecond, true)
	s.ended(30*time.Microsecond, false)
	if got := s.budget(); got != 45*time.Microsecond {
		t.Errorf("after a near miss at 30µs: spin %v, want 45µs (1.5 times it)", got)
	}
	for range 10 {
		s.ended(90*time.Microsecond, false)
	}
	if got := s.budget(); got != maxSpin {
		t.Errorf("after near misses at 90µs: spin %v, want maxSpin %v", got, maxSpin)
	}
	for range 100 {
		s.ended(0, true)
	}
	if got := s.budget(); got != 10*time.Microsecond {
		t.Errorf("after long waits: spin %v, want the floor 10µs", got)
	}
	f := newSpinner(20*time.Microsecond, false)
	f.ended(90*time.Microsecond, false)
	f.ended(0, true)
	if got := f.budget(); got != 20*time.Microsecond {
		t.Errorf("a fixed spin moved to %v", got)
	}
}

// TestCalibratedSpin is within its bounds.
func TestCalibratedSpin(t *testing.T) {
	if s := calibratedSpin(); s < minSpin || s > maxSpin {
		t.Errorf("calibrated spin %v outside [%v, %v]", s, minSpin, maxSpin)
	}
}
