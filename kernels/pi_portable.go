package kernels

import "math/bits"

// piFullBlocksPortable counts hits in the full blocks [lo, hi). It runs
// piStreams blocks' generators side by side: one xoshiro256** step is a
// chain of about eight dependent instructions, so a single stream leaves
// most of a superscalar core idle, while independent streams fill it.
//
// The in-circle test is branch-free: for x, y < 2^31 the sum x*x+y*y is
// below 2^63, so its bit 62 is exactly "miss", and hits = samples - misses.
func piFullBlocksPortable(seed uint64, lo, hi int) uint64 {
	var hits uint64
	b := lo
	for ; b+piStreams <= hi; b += piStreams {
		hits += piThree(seed, b)
	}
	for ; b < hi; b++ {
		hits += piShortBlock(seed, b, PiBlockSize)
	}
	return hits
}

// piStreams is the number of blocks piThree interleaves. Two, three and
// four streams were measured (about 510, 550 and 480 M samples/s, one
// stream 460 M): with four, the sixteen state words no longer fit in the
// general registers and spill.
const piStreams = 3

// piThree counts the hits in the three full blocks b, b+1, b+2.
func piThree(seed uint64, b int) uint64 {
	ga, gb, gc := Stream(seed, uint64(b)), Stream(seed, uint64(b+1)), Stream(seed, uint64(b+2))
	a0, a1, a2, a3 := ga.s[0], ga.s[1], ga.s[2], ga.s[3]
	b0, b1, b2, b3 := gb.s[0], gb.s[1], gb.s[2], gb.s[3]
	c0, c1, c2, c3 := gc.s[0], gc.s[1], gc.s[2], gc.s[3]
	var miss uint64
	for i := 0; i < PiBlockSize; i++ {
		ra := bits.RotateLeft64(a1*5, 7) * 9
		rb := bits.RotateLeft64(b1*5, 7) * 9
		rc := bits.RotateLeft64(c1*5, 7) * 9
		ta := a1 << 17
		a2 ^= a0
		a3 ^= a1
		a1 ^= a2
		a0 ^= a3
		a2 ^= ta
		a3 = bits.RotateLeft64(a3, 45)
		tb := b1 << 17
		b2 ^= b0
		b3 ^= b1
		b1 ^= b2
		b0 ^= b3
		b2 ^= tb
		b3 = bits.RotateLeft64(b3, 45)
		tc := c1 << 17
		c2 ^= c0
		c3 ^= c1
		c1 ^= c2
		c0 ^= c3
		c2 ^= tc
		c3 = bits.RotateLeft64(c3, 45)
		xa, ya := ra>>33, ra&piCoordMask
		xb, yb := rb>>33, rb&piCoordMask
		xc, yc := rc>>33, rc&piCoordMask
		miss += (xa*xa+ya*ya)>>62 + (xb*xb+yb*yb)>>62 + (xc*xc+yc*yc)>>62
	}
	return 3*PiBlockSize - miss
}
