package comm

// Allreduce combines sendbuf of every rank element by element with op and
// leaves the result in recvbuf at every rank; the result is bit-identical
// on every rank and on every run. sendbuf and recvbuf may be the same
// slice (in place).
//
// Short vectors use recursive doubling (log p steps, ranks beyond the
// largest power of two first fold into a partner), or, between ranks that
// share memory (once a Barrier has found that they do), the same
// combination computed by each rank from every rank's vector in a shared
// window (coll_shared.go). Long vectors use a
// ring reduce-scatter followed by a ring allgather: each rank sends and
// receives about 2(p-1)/p of the vector, the bandwidth optimum.
func (c *Comm) Allreduce(sendbuf, recvbuf any, op Op) error {
	dt, sb, n := view(sendbuf)
	rdt, rb, _ := view(recvbuf)
	sameType("Allreduce", dt, rdt)
	if len(rb) != len(sb) {
		panic("comm: Allreduce: send and receive buffers differ in length")
	}
	copy(rb, sb)
	p := c.Size()
	if p == 1 {
		return nil
	}
	if w := c.coll; w != nil && len(rb) <= sharedSlot {
		return w.allreduce(rb, dt, op)
	}
	if len(rb) >= longMessage && n >= p {
		if w := c.coll; w != nil && !w.noLong && len(rb) <= longLimit {
			done, err := w.allreduceLong(rb, dt, n, op)
			if done {
				return err
			}
			w.noLong = true
		}
		return c.allreduceRing(rb, dt, n, op)
	}
	return c.allreduceDoubling(rb, dt, op)
}

func (c *Comm) allreduceDoubling(acc []byte, dt Datatype, op Op) error {
	const name = "Allreduce"
	p, r := c.Size(), c.rank
	tmp := c.scratch(0, len(acc))
	pof2 := 1
	for pof2*2 <= p {
		pof2 *= 2
	}
	rem := p - pof2
	// Fold: among the first 2*rem ranks, even ones hand their vector to
	// the odd neighbour and sit out the doubling.
	newRank := r - rem
	if r < 2*rem {
		if r%2 == 0 {
			if err := c.sendRaw(r+1, tagAllreduce, dt, acc, name); err != nil {
				return err
			}
			newRank = -1
		} else {
			if err := c.recvExact(r-1, tagAllreduce, dt, tmp, name); err != nil {
				return err
			}
			op.apply(dt, tmp, acc) // lower rank first
			copy(acc, tmp)
			newRank = r / 2
		}
	}
	if newRank >= 0 {
		for mask := 1; mask < pof2; mask <<= 1 {
			peerNew := newRank ^ mask
			peer := peerNew + rem
			if peerNew < rem {
				peer = peerNew*2 + 1
			}
			if err := c.exchange(peer, acc, peer, tmp, tagAllreduce, dt, name); err != nil {
				return err
			}
			if peerNew < newRank {
				op.apply(dt, tmp, acc)
				copy(acc, tmp)
			} else {
				op.apply(dt, acc, tmp)
			}
		}
	}
	if r < 2*rem {
		if r%2 == 1 {
			return c.sendRaw(r-1, tagAllreduce, dt, acc, name)
		}
		return c.recvExact(r+1, tagAllreduce, dt, acc, name)
	}
	return nil
}

// allreduceRing: the vector is cut into p segments. In reduce-scatter step
// s, rank r sends segment r-s to r+1 and folds segment r-s-1 from r-1 into
// its own; after p-1 steps rank r holds the final segment r+1, which p-1
// allgather steps then pass around the ring.
func (c *Comm) allreduceRing(acc []byte, dt Datatype, n int, op Op) error {
	const name = "Allreduce"
	p, r := c.Size(), c.rank
	es := dt.Size()
	counts, displs := evenSplit(n, p)
	seg := func(i int) []byte {
		i = ((i % p) + p) % p
		return acc[displs[i]*es : (displs[i]+counts[i])*es]
	}
	right, left := (r+1)%p, (r-1+p)%p
	tmp := c.scratch(0, counts[0]*es)
	for s := 0; s < p-1; s++ {
		out, in := seg(r-s), seg(r-s-1)
		t := tmp[:len(in)]
		if err := c.exchange(right, out, left, t, tagAllreduce, dt, name); err != nil {
			return err
		}
		op.apply(dt, in, t)
	}
	for s := 0; s < p-1; s++ {
		out, in := seg(r+1-s), seg(r-s)
		if err := c.exchange(right, out, left, in, tagAllreduce, dt, name); err != nil {
			return err
		}
	}
	return nil
}
