package kernels

import (
	"fmt"
	"math"
	"testing"
)

// piTotals are run sizes at the block boundaries: empty, shorter than one
// block, exactly one block, one block and a bit, and larger runs whose
// block counts are and are not multiples of the 4 interleaved streams and
// the 8 or 16 vector lanes.
var piTotals = []uint64{
	0, 1, 1000, PiBlockSize - 1, PiBlockSize, PiBlockSize + 1,
	3*PiBlockSize + 7, 16 * PiBlockSize, 37*PiBlockSize + 123,
}

// piPaths runs fn once per code path this build and CPU have (portable
// and every usable vector path), naming each. It swaps piVector, so tests
// that use it must not run in parallel.
func piPaths(t *testing.T, fn func(t *testing.T, path string)) {
	t.Helper()
	was := ForcePortable(true)
	defer ForcePortable(was)
	t.Run("portable", func(t *testing.T) { fn(t, "portable") })
	ForcePortable(false)
	best := piVector
	defer func() { piVector = best }()
	for _, k := range piVectorKernels {
		if k.ok {
			piVector = k
			t.Run(k.name, func(t *testing.T) { fn(t, k.name) })
		}
	}
}

func TestPiHitsMatchesSerial(t *testing.T) {
	piPaths(t, func(t *testing.T, path string) {
		if got := PiPath(); got != path {
			t.Fatalf("PiPath() = %q, want %q", got, path)
		}
		for _, seed := range []uint64{0, 1, 0xdeadbeef} {
			for _, total := range piTotals {
				nb := PiBlocks(total)
				ranges := []Range{{0, nb}, {0, 0}, {nb, nb}}
				if nb > 2 {
					ranges = append(ranges, Range{1, nb - 1}, Range{nb - 1, nb}, Range{0, 1})
				}
				for _, r := range ranges {
					want := PiHitsSerial(seed, r, total)
					// Exact: every path computes the same integer test.
					if got := PiHits(seed, r, total); got != want {
						t.Errorf("seed %d total %d blocks %v: PiHits = %d, serial %d", seed, total, r, got, want)
					}
				}
			}
		}
	})
}

func TestPiHitsSplitsSumToWhole(t *testing.T) {
	piPaths(t, func(t *testing.T, path string) {
		for _, total := range piTotals {
			nb := PiBlocks(total)
			whole := PiHitsSerial(7, Range{0, nb}, total)
			for _, size := range []int{1, 2, 3, 7} {
				var sum uint64
				for rank := 0; rank < size; rank++ {
					sum += PiHits(7, Share(nb, rank, size), total)
				}
				if sum != whole {
					t.Errorf("total %d over %d shares: %d hits, whole run %d", total, size, sum, whole)
				}
			}
		}
	})
}

// TestPiVectorTails checks block counts from 0 to two registers of lanes
// and a few more (every tail length the vector path pads or hands to the
// scalar loop) at several offsets against the portable path.
func TestPiVectorTails(t *testing.T) {
	if !piVector.ok {
		t.Skip("no vector path in this build or on this CPU")
	}
	for _, k := range piVectorKernels {
		if !k.ok {
			continue
		}
		for lo := 0; lo < 3; lo++ {
			for n := 0; n <= 2*8+3; n++ {
				got := k.fullBlocks(11, lo, lo+n)
				want := piFullBlocksPortable(11, lo, lo+n)
				if got != want {
					t.Errorf("%s blocks [%d,%d): vector %d, portable %d", k.name, lo, lo+n, got, want)
				}
			}
		}
	}
}

// TestPiPinned pins two hit counts: part of the reproducibility contract
// (seeded runs published earlier must give the same count).
func TestPiPinned(t *testing.T) {
	tests := []struct{ seed, total, hits uint64 }{
		{1, 1_000_000, 785392},
		{2024, 10_000_000, 7854801},
	}
	piPaths(t, func(t *testing.T, path string) {
		for _, tt := range tests {
			if got := PiHits(tt.seed, Range{0, PiBlocks(tt.total)}, tt.total); got != tt.hits {
				t.Errorf("seed %d total %d: %d hits, pinned %d", tt.seed, tt.total, got, tt.hits)
			}
		}
	})
}

// TestPiEstimateSanity: the estimate of 1e7 samples lies within 5 standard
// errors of pi, the standard error being 4*sqrt(p(1-p)/n) with p = pi/4.
func TestPiEstimateSanity(t *testing.T) {
	const total = 10_000_000
	for _, seed := range []uint64{0, 1, 2} {
		est := PiEstimate(PiHits(seed, Range{0, PiBlocks(total)}, total), total)
		p := math.Pi / 4
		se := 4 * math.Sqrt(p*(1-p)/total)
		if d := math.Abs(est - math.Pi); d > 5*se {
			t.Errorf("seed %d: estimate %v is %.1f standard errors from pi", seed, est, d/se)
		}
	}
}

func TestPiBlocks(t *testing.T) {
	tests := []struct {
		total uint64
		want  int
	}{
		{0, 0}, {1, 1}, {PiBlockSize - 1, 1}, {PiBlockSize, 1}, {PiBlockSize + 1, 2},
		{10 * PiBlockSize, 10},
	}
	for _, tt := range tests {
		if got := PiBlocks(tt.total); got != tt.want {
			t.Errorf("PiBlocks(%d) = %d, want %d", tt.total, got, tt.want)
		}
	}
}

func TestPiHitsPanicsOnBadRange(t *testing.T) {
	for _, r := range []Range{{-1, 1}, {2, 1}, {0, 3}} {
		t.Run(fmt.Sprint(r), func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("PiHits(%v) with 2 blocks did not panic", r)
				}
			}()
			PiHits(0, r, 2*PiBlockSize)
		})
	}
}

func TestForcePortable(t *testing.T) {
	was := ForcePortable(true)
	defer ForcePortable(was)
	if got := PiPath(); got != "portable" {
		t.Errorf("PiPath() with ForcePortable(true) = %q", got)
	}
}
