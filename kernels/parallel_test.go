package kernels

import (
	"sync/atomic"
	"testing"
)

func TestParallelCoversOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 100} {
		for _, threads := range []int{-1, 0, 1, 2, 3, 8, 200} {
			hits := make([]int32, n)
			var calls atomic.Int32
			Parallel(threads, n, func(r Range) {
				calls.Add(1)
				if r.Len() == 0 {
					t.Errorf("n=%d threads=%d: empty range", n, threads)
				}
				for i := r.Lo; i < r.Hi; i++ {
					atomic.AddInt32(&hits[i], 1)
				}
			})
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("n=%d threads=%d: index %d covered %d times", n, threads, i, h)
				}
			}
			want := int32(min(max(threads, 1), n))
			if calls.Load() != want {
				t.Errorf("n=%d threads=%d: %d calls, want %d", n, threads, calls.Load(), want)
			}
		}
	}
}

func TestParallelRepanics(t *testing.T) {
	defer func() {
		if p := recover(); p != "boom" {
			t.Errorf("recovered %v, want boom", p)
		}
	}()
	Parallel(4, 8, func(r Range) {
		if r.Lo >= 4 {
			panic("boom")
		}
	})
}

// TestParallelPiEqualsSerial: splitting blocks over threads gives the
// serial count exactly.
func TestParallelPiEqualsSerial(t *testing.T) {
	const total = 11*PiBlockSize + 5
	nb := PiBlocks(total)
	want := PiHitsSerial(3, Range{0, nb}, total)
	for _, threads := range []int{1, 2, 3, 5} {
		var got atomic.Uint64
		Parallel(threads, nb, func(r Range) { got.Add(PiHits(3, r, total)) })
		if got.Load() != want {
			t.Errorf("%d threads: %d hits, serial %d", threads, got.Load(), want)
		}
	}
}
