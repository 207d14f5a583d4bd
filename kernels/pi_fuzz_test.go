package kernels

import "testing"

// FuzzPiHits: for any seed, run size (up to 40 blocks) and block range,
// the fast path (whichever this build selects) equals the reference.
func FuzzPiHits(f *testing.F) {
	f.Add(uint64(0), uint64(0), uint8(0), uint8(0))
	f.Add(uint64(1), uint64(3*PiBlockSize+7), uint8(1), uint8(3))
	f.Add(uint64(42), uint64(17*PiBlockSize), uint8(0), uint8(17))
	f.Fuzz(func(t *testing.T, seed, total uint64, lo, n uint8) {
		total %= 40 * PiBlockSize
		nb := PiBlocks(total)
		r := Range{int(lo) % (nb + 1), 0}
		r.Hi = r.Lo + int(n)%(nb-r.Lo+1)
		if got, want := PiHits(seed, r, total), PiHitsSerial(seed, r, total); got != want {
			t.Fatalf("seed %d total %d blocks %v: PiHits %d, serial %d", seed, total, r, got, want)
		}
	})
}
