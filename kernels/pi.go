package kernels

import (
	"fmt"
	"math/bits"
	"os"
	"sync/atomic"
)

// PiBlockSize is the number of samples in one block of the Monte Carlo pi
// sample space. Block b of a run of total samples holds samples
// [b*PiBlockSize, min((b+1)*PiBlockSize, total)) and draws them, in order,
// from Stream(seed, b); only the last block may be short. Ranks and threads
// divide blocks, never samples, so the hit count for (seed, total) is the
// same however the work is split. 2^16 samples take about 0.1 ms on one
// core: small enough to balance, large enough to amortise the stream setup.
const PiBlockSize = 1 << 16

// piCoordMask keeps the low 31 bits of an output: the y coordinate.
const piCoordMask = 1<<31 - 1

// PiBlocks returns the number of blocks in a run of total samples,
// ceil(total/PiBlockSize). It panics if that does not fit in an int.
func PiBlocks(total uint64) int {
	n := total / PiBlockSize
	if total%PiBlockSize != 0 {
		n++
	}
	if n > uint64(maxInt) {
		panic(fmt.Sprintf("kernels: %d samples is too many blocks", total))
	}
	return int(n)
}

const maxInt = int(^uint(0) >> 1)

// piBlockLen returns the number of samples in block b.
func piBlockLen(b int, total uint64) int {
	start := uint64(b) * PiBlockSize
	if total-start < PiBlockSize {
		return int(total - start)
	}
	return PiBlockSize
}

// piHit is the in-circle test on one 64-bit output r, the definition that
// every code path reproduces bit for bit:
//
//	x = r >> 33            (top 31 bits)
//	y = r & (2^31 - 1)     (low 31 bits)
//	hit iff x*x + y*y < 2^62
//
// The point (x, y) lies on the integer grid [0, 2^31)^2 and the test is
// exact in uint64 (the sum is below 2^63), so no rounding or FMA can make
// two builds disagree. The grid's bias against pi/4 is below 2^-30.
func piHit(r uint64) bool {
	x, y := r>>33, r&piCoordMask
	return x*x+y*y < 1<<62
}

// PiHitsSerial is the reference for PiHits: one stream at a time, one
// sample at a time, written to be read.
func PiHitsSerial(seed uint64, blocks Range, total uint64) uint64 {
	checkRange(blocks, PiBlocks(total), "block")
	var hits uint64
	for b := blocks.Lo; b < blocks.Hi; b++ {
		g := Stream(seed, uint64(b))
		for i := piBlockLen(b, total); i > 0; i-- {
			if piHit(g.Uint64()) {
				hits++
			}
		}
	}
	return hits
}

// PiHits returns the number of samples inside the quarter circle over the
// blocks in the given range of a run of total samples (see PiBlockSize and
// piHit for the exact definition). Summing PiHits over any partition of
// [0, PiBlocks(total)) gives the same count, equal to PiHitsSerial's.
// It uses the vector path named by PiPath when it can.
//
// PiHits panics unless 0 <= blocks.Lo <= blocks.Hi <= PiBlocks(total).
func PiHits(seed uint64, blocks Range, total uint64) uint64 {
	checkRange(blocks, PiBlocks(total), "block")
	full := blocks
	var hits uint64
	if full.Hi > full.Lo && piBlockLen(full.Hi-1, total) != PiBlockSize {
		full.Hi--
		hits = piShortBlock(seed, full.Hi, piBlockLen(full.Hi, total))
	}
	if piUseVector() {
		return hits + piVector.fullBlocks(seed, full.Lo, full.Hi)
	}
	return hits + piFullBlocksPortable(seed, full.Lo, full.Hi)
}

// PiEstimate returns 4*hits/total, the Monte Carlo estimate of pi, and NaN
// for total == 0.
func PiEstimate(hits, total uint64) float64 {
	return 4 * float64(hits) / float64(total)
}

// piVectorKernel is a vector implementation of the full-block count,
// filled in by a build-tagged file when the toolchain has one.
type piVectorKernel struct {
	name       string // as reported by PiPath
	ok         bool   // the CPU has the features it needs
	fullBlocks func(seed uint64, lo, hi int) uint64
}

// piVector is the best vector path this build and CPU have (the first
// usable entry of piVectorKernels, from a build-tagged file), or the zero
// value when there is none.
var piVector = bestPiVector(piVectorKernels)

func bestPiVector(ks []piVectorKernel) piVectorKernel {
	for _, k := range ks {
		if k.ok {
			return k
		}
	}
	return piVectorKernel{}
}

// forcePortable disables the vector path; set from SPMD_NOSIMD at start-up.
var forcePortable atomic.Bool

func init() {
	if v := os.Getenv("SPMD_NOSIMD"); v != "" && v != "0" {
		forcePortable.Store(true)
	}
}

// ForcePortable makes PiHits use the portable path even when a vector path
// is available (on == true) or restores the default (on == false), and
// returns the previous setting. Setting SPMD_NOSIMD=1 in the environment
// has the same effect from start-up. Results do not change, only speed.
func ForcePortable(on bool) (was bool) {
	return forcePortable.Swap(on)
}

func piUseVector() bool {
	return piVector.ok && piVector.fullBlocks != nil && !forcePortable.Load()
}

// PiPath names the code path PiHits uses: "avx512" or "avx2" (the build
// has GOEXPERIMENT=simd on amd64 and the CPU has the feature), or
// "portable" (scalar Go, several streams interleaved).
func PiPath() string {
	if piUseVector() {
		return piVector.name
	}
	return "portable"
}

// piShortBlock counts the hits in the first n samples of block b.
func piShortBlock(seed uint64, b, n int) uint64 {
	g := Stream(seed, uint64(b))
	s0, s1, s2, s3 := g.s[0], g.s[1], g.s[2], g.s[3]
	var miss uint64
	for i := 0; i < n; i++ {
		r := bits.RotateLeft64(s1*5, 7) * 9
		t := s1 << 17
		s2 ^= s0
		s3 ^= s1
		s1 ^= s2
		s0 ^= s3
		s2 ^= t
		s3 = bits.RotateLeft64(s3, 45)
		x, y := r>>33, r&piCoordMask
		miss += (x*x + y*y) >> 62
	}
	return uint64(n) - miss
}
