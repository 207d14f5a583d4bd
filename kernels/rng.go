package kernels

import (
	"math"
	"math/bits"
)

// This file defines the random streams every kernel draws from. The
// definitions below are part of spmd's reproducibility contract: a run with
// the same seed gives the same numbers whatever the number of ranks or
// threads, and whether or not a vector unit is used, because a stream
// belongs to a fixed unit of work (a block of samples, a replicate, a
// dataset) and never to a rank or a thread. Changing any constant or step
// here changes every published result, so it needs a new seed scheme
// name, not an edit.

// golden is SplitMix64's increment, 2^64 divided by the golden ratio.
const golden = 0x9e3779b97f4a7c15

// mix64 is SplitMix64's output function (Stafford's Mix13 variant). It is a
// bijection on uint64, so distinct inputs give distinct outputs.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Key derives a 64-bit key for unit i of the work named by seed:
//
//	Key(seed, i) = mix64(mix64(seed + golden) ^ i)
//
// where mix64 is SplitMix64's output function and golden = 0x9e3779b97f4a7c15.
// For a fixed seed, distinct i give distinct keys. Keys nest, so a two-level
// unit such as (setting, replicate) uses Stream(Key(seed, setting), replicate).
func Key(seed, i uint64) uint64 {
	return mix64(mix64(seed+golden) ^ i)
}

// Xoshiro256 is a xoshiro256** generator (Blackman and Vigna, 2018): 256
// bits of state, period 2^256-1, and all 64 output bits of good quality, so
// kernels may split one output into several fields. The zero value is not a
// valid generator: obtain one from Stream.
type Xoshiro256 struct {
	s [4]uint64
}

// Stream returns the generator for unit block of the work named by seed.
// Its state is the first four outputs of SplitMix64 started at
// k = Key(seed, block):
//
//	s[j] = mix64(k + (j+1)*golden), j = 0, 1, 2, 3
//
// mix64 is a bijection with mix64(0) = 0, so at most one of the four words
// can be zero and the state is never the forbidden all-zero state.
func Stream(seed, block uint64) Xoshiro256 {
	var g Xoshiro256
	k := Key(seed, block)
	for j := range g.s {
		k += golden // wraps mod 2^64, as SplitMix64 does
		g.s[j] = mix64(k)
	}
	return g
}

// Uint64 returns the next output:
//
//	out = rotl(s1*5, 7) * 9
//	t = s1 << 17; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 45)
func (g *Xoshiro256) Uint64() uint64 {
	s := &g.s
	out := bits.RotateLeft64(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = bits.RotateLeft64(s[3], 45)
	return out
}

// Float64 returns a uniform value in [0, 1) from the top 53 bits of one
// output: float64(out>>11) * 2^-53. Every value it returns is a multiple of
// 2^-53, so 1-Float64() lies in (0, 1].
func (g *Xoshiro256) Float64() float64 {
	return float64(g.Uint64()>>11) * 0x1p-53
}

// IntN returns a uniform integer in [0, n) by Lemire's multiply-and-reject
// method (2019): with x the next output, the candidate is the high word of
// x*n; when the low word is below (2^64 mod n) the candidate is biased and x
// is redrawn. The method fixes which outputs are consumed, so it is part of
// the contract. IntN panics if n <= 0.
func (g *Xoshiro256) IntN(n int) int {
	if n <= 0 {
		panic("kernels: IntN with n <= 0")
	}
	un := uint64(n)
	hi, lo := bits.Mul64(g.Uint64(), un)
	if lo < un {
		thresh := -un % un
		for lo < thresh {
			hi, lo = bits.Mul64(g.Uint64(), un)
		}
	}
	return int(hi)
}

// ExpFloat64 returns an exponential variate with rate 1 by inversion,
// -log(1 - Float64()), consuming exactly one output. The argument of the
// logarithm lies in (0, 1], so the result is finite and >= 0.
func (g *Xoshiro256) ExpFloat64() float64 {
	return -math.Log(1 - g.Float64())
}

// NormFloat64 returns a standard normal variate by the Box–Muller transform
// of two consecutive Float64 values u1, u2, keeping only the cosine branch
// so each call consumes exactly two outputs:
//
//	sqrt(-2 log(1-u1)) * cos(2 pi u2)
func (g *Xoshiro256) NormFloat64() float64 {
	u1 := 1 - g.Float64()
	u2 := g.Float64()
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}
