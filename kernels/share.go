package kernels

import (
	"fmt"
	"math"
)

// Range is the half-open interval [Lo, Hi) of indices (rows, blocks,
// replicates, settings) that one rank or one thread works on.
type Range struct {
	Lo, Hi int
}

// Len returns Hi-Lo, the number of indices in r.
func (r Range) Len() int { return r.Hi - r.Lo }

// String formats r as "[lo,hi)".
func (r Range) String() string { return fmt.Sprintf("[%d,%d)", r.Lo, r.Hi) }

// Share returns the contiguous part of [0, n) owned by rank out of size
// ranks. The split is as even as possible and the remainder goes to the low
// ranks, as numpy.array_split does:
//
//	q, m := n/size, n%size
//	rank < m:  [rank*(q+1), rank*(q+1)+q+1)
//	rank >= m: [m*(q+1)+(rank-m)*q, ... +q)
//
// n == 0 and n < size are allowed: the surplus ranks get empty ranges. The
// shares of ranks 0..size-1 tile [0, n) in rank order.
//
// Share panics if n < 0, size < 1 or rank is outside [0, size).
func Share(n, rank, size int) Range {
	checkShare(n, size)
	if rank < 0 || rank >= size {
		panic(fmt.Sprintf("kernels: rank %d outside [0,%d)", rank, size))
	}
	q, m := n/size, n%size
	if rank < m {
		lo := rank * (q + 1)
		return Range{lo, lo + q + 1}
	}
	lo := m*(q+1) + (rank-m)*q
	return Range{lo, lo + q}
}

// Counts returns the length of every rank's Share of n, the recvcounts
// argument of a Gatherv or Scatterv. It panics as Share does.
func Counts(n, size int) []int {
	checkShare(n, size)
	c := make([]int, size)
	for r := range c {
		c[r] = Share(n, r, size).Len()
	}
	return c
}

// Displs returns the exclusive prefix sums of counts, the displacements
// argument of a Gatherv or Scatterv: displs[0] = 0 and
// displs[r] = counts[0] + ... + counts[r-1]. It panics if a count is negative.
func Displs(counts []int) []int {
	d := make([]int, len(counts))
	off := 0
	for r, c := range counts {
		if c < 0 {
			panic(fmt.Sprintf("kernels: negative count %d at rank %d", c, r))
		}
		d[r] = off
		off += c
	}
	return d
}

func checkShare(n, size int) {
	if n < 0 {
		panic(fmt.Sprintf("kernels: negative length %d", n))
	}
	if size < 1 {
		panic(fmt.Sprintf("kernels: size %d < 1", size))
	}
}

// checkRange panics unless 0 <= r.Lo <= r.Hi <= n; what names the
// indices for the message ("blocks", "replicates").
func checkRange(r Range, n int, what string) {
	if r.Lo < 0 || r.Hi < r.Lo || r.Hi > n {
		panic(fmt.Sprintf("kernels: %s range %v outside [0,%d]", what, r, n))
	}
}

// ShareByCost splits [0, len(costs)) into size contiguous ranges of about
// equal total cost and returns rank's. The boundary between ranks r-1 and r
// is the index whose prefix cost (the sum of the costs before it) is
// nearest to r/size of the total, the lower index on a tie, so ranges tile
// [0, n) in rank order; a rank can get an empty range when one item
// dominates. Costs must be finite and >= 0; with a zero total it falls
// back to Share.
//
// ShareByCost panics if size < 1, rank is outside [0, size) or a cost is
// negative, NaN or infinite.
func ShareByCost(costs []float64, rank, size int) Range {
	checkShare(len(costs), size)
	if rank < 0 || rank >= size {
		panic(fmt.Sprintf("kernels: rank %d outside [0,%d)", rank, size))
	}
	total := 0.0
	for i, c := range costs {
		if !(c >= 0) || c > math.MaxFloat64 {
			panic(fmt.Sprintf("kernels: cost %v at %d is not finite and >= 0", c, i))
		}
		total += c
	}
	if total == 0 {
		return Share(len(costs), rank, size)
	}
	// boundary(r) is the index whose prefix cost is nearest r/size of the
	// total; boundary(0) = 0 and boundary(size) = n.
	boundary := func(r int) int {
		if r == 0 {
			return 0
		}
		if r == size {
			return len(costs)
		}
		target := total * float64(r) / float64(size)
		prefix := 0.0
		for i, c := range costs {
			if next := prefix + c; next >= target {
				if target-prefix <= next-target {
					return i
				}
				return i + 1
			}
			prefix += c
		}
		return len(costs)
	}
	return Range{boundary(rank), boundary(rank + 1)}
}
