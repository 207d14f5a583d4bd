package par

import (
	"math/rand/v2"

	"github.com/spmd-go/spmd/kernels"
)

// Rand returns the random generator of item i of the work named by seed:
// the same numbers whichever rank or goroutine computes the item, so a
// result drawn from it does not depend on the schedule. Generators of
// different items are independent streams (xoshiro256**, each seeded
// through SplitMix64 from the pair: kernels.Stream), the ones the built-in
// jobs draw from.
//
// For work indexed twice (a setting and a replicate of it), nest the
// seeds: Rand(SubSeed(seed, setting), replicate).
func Rand(seed uint64, i int) *rand.Rand {
	s := kernels.Stream(seed, uint64(i))
	return rand.New(&s)
}

// SubSeed derives the seed of part i of the work named by seed, for
// nested streams. Distinct i give distinct seeds.
func SubSeed(seed uint64, i int) uint64 { return kernels.Key(seed, uint64(i)) }
