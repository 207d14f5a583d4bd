package comm

// Bcast copies buf at root into buf at every rank of c. Every rank passes
// a buffer of the same type and length.
//
// Small messages go down a binomial tree (log p steps). Long ones are cut
// into one piece per rank, scattered down the tree and reassembled by a
// ring allgather (van de Geijn), so the root sends each byte about once
// instead of log p times.
func (c *Comm) Bcast(buf any, root int) error {
	c.checkRoot(root, "Bcast")
	dt, b, n := view(buf)
	p := c.Size()
	if p == 1 {
		return nil
	}
	if len(b) >= longMessage && n >= p {
		return c.bcastScatterAllgather(b, dt, n, root)
	}
	return c.bcastBinomial(b, dt, root, tagBcast, "Bcast")
}

func (c *Comm) bcastBinomial(b []byte, dt Datatype, root int, tag int32, op string) error {
	p := c.Size()
	vr := rel(c.rank, root, p)
	mask := 1
	for mask < p {
		if vr&mask != 0 {
			if err := c.recvExact(abs(vr-mask, root, p), tag, dt, b, op); err != nil {
				return err
			}
			break
		}
		mask <<= 1
	}
	for mask >>= 1; mask > 0; mask >>= 1 {
		if vr+mask < p {
			if err := c.sendRaw(abs(vr+mask, root, p), tag, dt, b, op); err != nil {
				return err
			}
		}
	}
	return nil
}

// bcastScatterAllgather: piece i (of the split of n elements over p
// ranks, in ranks relative to root) travels from the root to relative
// rank i through the binomial tree, then a ring allgather completes every
// rank's copy.
func (c *Comm) bcastScatterAllgather(b []byte, dt Datatype, n, root int) error {
	p := c.Size()
	es := dt.Size()
	counts, displs := evenSplit(n, p)
	piece := func(v, w int) []byte { // bytes of pieces [v, w)
		lo := displs[v] * es
		hi := len(b)
		if w < p {
			hi = displs[w] * es
		}
		return b[lo:hi]
	}
	vr := rel(c.rank, root, p)
	// Scatter: a subtree rooted at vr holds pieces [vr, vr+span).
	mask := 1
	for mask < p {
		if vr&mask != 0 {
			hi := min(vr+mask, p)
			if err := c.recvExact(abs(vr-mask, root, p), tagBcast, dt, piece(vr, hi), "Bcast"); err != nil {
				return err
			}
			break
		}
		mask <<= 1
	}
	for mask >>= 1; mask > 0; mask >>= 1 {
		if vr+mask < p {
			hi := min(vr+2*mask, p)
			if err := c.sendRaw(abs(vr+mask, root, p), tagBcast, dt, piece(vr+mask, hi), "Bcast"); err != nil {
				return err
			}
		}
	}
	_ = counts
	// Ring allgather on relative ranks: in step s, pass piece vr-s on.
	right, left := abs((vr+1)%p, root, p), abs((vr-1+p)%p, root, p)
	for s := 0; s < p-1; s++ {
		out := (vr - s + p) % p
		in := (vr - s - 1 + p) % p
		if err := c.exchange(right, piece(out, out+1), left, piece(in, in+1), tagBcast, dt, "Bcast"); err != nil {
			return err
		}
	}
	return nil
}

// evenSplit cuts n elements into p contiguous parts, the remainder going
// to the first parts.
func evenSplit(n, p int) (counts, displs []int) {
	counts = make([]int, p)
	displs = make([]int, p)
	off := 0
	for i := range counts {
		counts[i] = n / p
		if i < n%p {
			counts[i]++
		}
		displs[i] = off
		off += counts[i]
	}
	return counts, displs
}
