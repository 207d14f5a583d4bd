package comm

// Collectives need temporary buffers (partial sums, subtrees' blocks).
// Fresh memory is slow to touch on the machines this runs on (the kernel
// hands out zeroed pages on first write, at well under 1 GB/s), so a
// communicator keeps its scratch buffers from one collective to the next:
// a 1 Mi-element Allreduce on 2 ranks went from 9.3 ms to the figure in
// docs/BENCHMARKS.md. Collectives on one communicator run one at a time
// (see the package documentation), so the buffers are never shared.
const scratchSlots = 2

// scratch returns slot i's buffer, grown to n bytes. Its contents are
// whatever the last collective left.
func (c *Comm) scratch(i, n int) []byte {
	b := c.bufs[i]
	if cap(b) < n {
		b = make([]byte, n)
		c.bufs[i] = b
	}
	return b[:n]
}
