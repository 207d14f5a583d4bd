package kernels

import "fmt"

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
