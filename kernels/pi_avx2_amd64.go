//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

// The AVX2 path, for CPUs without AVX-512: four blocks' streams in the
// 64-bit lanes of a 256-bit register. AVX2 has no 64-bit rotate or 64-bit
// multiply, so rotations are two shifts and an or, and each square uses
// the 32x32->64-bit multiply of the even 32-bit elements (VPMULUDQ): the
// coordinates are below 2^31, so they fit in a lane's low half and the
// products are exact. The count equals the portable one bit for bit.

// piLanes2 is the number of blocks in one 256-bit register.
const piLanes2 = 4

// piFullBlocksAVX2 counts hits in the full blocks [lo, hi), eight blocks
// (two registers stepped side by side) at a time; a tail of three or more
// blocks runs in padded registers.
func piFullBlocksAVX2(seed uint64, lo, hi int) uint64 {
	var hits uint64
	b := lo
	for ; b+2*piLanes2 <= hi; b += 2 * piLanes2 {
		hits += piAVX2x2(seed, b, 2*piLanes2)
	}
	if hi-b >= 3 {
		return hits + piAVX2x2(seed, b, hi-b)
	}
	return hits + piFullBlocksPortable(seed, b, hi)
}

// piLoadStates2 returns the state words of the streams for blocks
// b..b+3, lane l holding block b+l.
func piLoadStates2(seed uint64, b int) (s0, s1, s2, s3 archsimd.Uint64x4) {
	var s [4][piLanes2]uint64
	for l := 0; l < piLanes2; l++ {
		g := Stream(seed, uint64(b+l))
		s[0][l], s[1][l], s[2][l], s[3][l] = g.s[0], g.s[1], g.s[2], g.s[3]
	}
	return archsimd.LoadUint64x4(&s[0]), archsimd.LoadUint64x4(&s[1]),
		archsimd.LoadUint64x4(&s[2]), archsimd.LoadUint64x4(&s[3])
}

// piLaneHits2 turns per-lane miss counts into the hits of the first valid
// lanes.
func piLaneHits2(miss archsimd.Uint64x4, valid int) uint64 {
	var m [piLanes2]uint64
	miss.Store(&m)
	var hits uint64
	for l := 0; l < valid && l < piLanes2; l++ {
		hits += PiBlockSize - m[l]
	}
	return hits
}

// rotl2 rotates each lane left by k (0 < k < 64); rk holds 64-k in every
// lane. The right shift takes its count from a vector register
// (VPSRLVQ): the compiler emits ShiftAllRight by a constant as a shift by
// an XMM count loaded from a general register with a legacy-SSE MOVQ,
// and on some CPUs that SSE write between AVX instructions costs more
// than the whole step (the path ran at 18 Msamples/s instead of 1600).
func rotl2(x archsimd.Uint64x4, k uint64, rk archsimd.Uint64x4) archsimd.Uint64x4 {
	return x.ShiftAllLeft(k).Or(x.ShiftRight(rk))
}

// sq2 returns the exact square of each lane, which must be below 2^32.
func sq2(x archsimd.Uint64x4) archsimd.Uint64x4 {
	h := x.AsUint32x8()
	return h.MulEvenWiden(h)
}

// piAVX2x2 counts hits in blocks b..b+valid-1 (valid <= 8).
func piAVX2x2(seed uint64, b, valid int) uint64 {
	s0, s1, s2, s3 := piLoadStates2(seed, b)
	u0, u1, u2, u3 := piLoadStates2(seed, b+piLanes2)
	mask := archsimd.BroadcastUint64x4(piCoordMask)
	miss := archsimd.BroadcastUint64x4(0)
	missU := archsimd.BroadcastUint64x4(0)
	// Shift counts as vectors (see rotl2).
	r57, r19 := archsimd.BroadcastUint64x4(57), archsimd.BroadcastUint64x4(19)
	r33, r62 := archsimd.BroadcastUint64x4(33), archsimd.BroadcastUint64x4(62)
	for i := 0; i < PiBlockSize; i++ {
		r := rotl2(s1.Add(s1.ShiftAllLeft(2)), 7, r57)
		q := rotl2(u1.Add(u1.ShiftAllLeft(2)), 7, r57)
		r = r.Add(r.ShiftAllLeft(3))
		q = q.Add(q.ShiftAllLeft(3))
		t := s1.ShiftAllLeft(17)
		tu := u1.ShiftAllLeft(17)
		s2 = s2.Xor(s0)
		u2 = u2.Xor(u0)
		s3 = s3.Xor(s1)
		u3 = u3.Xor(u1)
		s1 = s1.Xor(s2)
		u1 = u1.Xor(u2)
		s0 = s0.Xor(s3)
		u0 = u0.Xor(u3)
		s2 = s2.Xor(t)
		u2 = u2.Xor(tu)
		s3 = rotl2(s3, 45, r19)
		u3 = rotl2(u3, 45, r19)
		miss = miss.Add(sq2(r.ShiftRight(r33)).Add(sq2(r.And(mask))).ShiftRight(r62))
		missU = missU.Add(sq2(q.ShiftRight(r33)).Add(sq2(q.And(mask))).ShiftRight(r62))
	}
	return piLaneHits2(miss, valid) + piLaneHits2(missU, valid-piLanes2)
}
