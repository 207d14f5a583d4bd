package comm

import "fmt"

// Gather collects sendbuf from every rank into recvbuf at root, in rank
// order: recvbuf[i*n:(i+1)*n] is rank i's sendbuf, n = len(sendbuf), so
// len(recvbuf) must be Size()*n at root; recvbuf is ignored elsewhere.
//
// Short messages go up a binomial tree (log p steps); long ones go
// straight to the root, which receives each directly into place.
func (c *Comm) Gather(sendbuf, recvbuf any, root int) error {
	c.checkRoot(root, "Gather")
	dt, sb, _ := view(sendbuf)
	p := c.Size()
	var rb []byte
	if c.rank == root {
		var rdt Datatype
		rdt, rb, _ = view(recvbuf)
		sameType("Gather", dt, rdt)
		if len(rb) != p*len(sb) {
			panic(fmt.Sprintf("comm: Gather: receive buffer holds %d elements, want Size()*len(sendbuf) = %d", len(rb)/dt.Size(), p*len(sb)/dt.Size()))
		}
	}
	if len(sb)*p >= longMessage {
		counts := make([]int, p)
		for i := range counts {
			counts[i] = len(sb)
		}
		return c.gatherLinear(sb, rb, counts, packed(counts), dt, root, tagGather, "Gather")
	}
	return c.gatherBinomial(sb, rb, dt, root)
}

// gatherBinomial: a subtree rooted at relative rank v collects the blocks
// of relative ranks [v, v+span) contiguously, and passes them to its
// parent; the root rotates relative order back to rank order.
func (c *Comm) gatherBinomial(sb, rb []byte, dt Datatype, root int) error {
	const name = "Gather"
	p := c.Size()
	bs := len(sb)
	vr := rel(c.rank, root, p)
	span := p - vr // blocks this rank can hold: its subtree is no larger
	mask := 1
	for mask < p && vr&mask == 0 {
		mask <<= 1
	}
	if vr != 0 {
		span = min(mask, p-vr)
	}
	tmp := c.scratch(0, span*bs)
	copy(tmp, sb)
	got := 1
	for m := 1; m < p && (vr == 0 || m < mask); m <<= 1 {
		child := vr + m
		if child >= p {
			break
		}
		n := min(m, p-child)
		if err := c.recvExact(abs(child, root, p), tagGather, dt, tmp[m*bs:(m+n)*bs], name); err != nil {
			return err
		}
		got = m + n
	}
	if vr != 0 {
		return c.sendRaw(abs(vr-mask, root, p), tagGather, dt, tmp[:got*bs], name)
	}
	for v := 0; v < p; v++ {
		copy(rb[abs(v, root, p)*bs:], tmp[v*bs:(v+1)*bs])
	}
	return nil
}

// Gatherv collects sendbuf from every rank into recvbuf at root: rank i's
// elements land at recvbuf[displs[i]:displs[i]+counts[i]]. counts and
// displs matter only at root; displs nil means packed in rank order.
// Each rank's len(sendbuf) must equal its counts entry.
func (c *Comm) Gatherv(sendbuf, recvbuf any, counts, displs []int, root int) error {
	c.checkRoot(root, "Gatherv")
	dt, sb, _ := view(sendbuf)
	var rb []byte
	if c.rank == root {
		var rdt Datatype
		rdt, rb, _ = view(recvbuf)
		sameType("Gatherv", dt, rdt)
		displs = checkCounts("Gatherv", counts, displs, c.Size(), len(rb)/dt.Size())
	}
	var bc, bd []int
	if c.rank == root {
		bc, bd = scaled(counts, dt.Size()), scaled(displs, dt.Size())
	}
	return c.gatherLinear(sb, rb, bc, bd, dt, root, tagGatherv, "Gatherv")
}

// gatherLinear is the linear gather: the root posts one receive per rank,
// each straight into its place (counts and displs in bytes), then waits
// for all.
func (c *Comm) gatherLinear(sb, rb []byte, counts, displs []int, dt Datatype, root int, tag int32, name string) error {
	if c.rank != root {
		return c.sendRaw(root, tag, dt, sb, name)
	}
	p, es := c.Size(), dt.Size()
	if len(sb) != counts[root] {
		panic(fmt.Sprintf("comm: %s: root sends %d elements but its count is %d", name, len(sb)/es, counts[root]/es))
	}
	reqs := make([]*Request, p)
	for i := 0; i < p; i++ {
		dst := rb[displs[i] : displs[i]+counts[i]]
		if i == root {
			copy(dst, sb)
			continue
		}
		reqs[i] = c.postRecv(i, tag, false, dt, dst, false, name)
	}
	return c.waitExact(reqs, es, name)
}

// waitExact waits for receives that must each fill their whole buffer; on
// the first error it withdraws the receives not yet matched.
func (c *Comm) waitExact(reqs []*Request, es int, name string) error {
	var first error
	for i, r := range reqs {
		if r == nil {
			continue
		}
		err := r.wait()
		if err == nil && len(r.recv.data) != len(r.recv.buf) {
			err = &RankError{Rank: c.world[i], Op: name, Err: fmt.Errorf("comm: sent %d elements, expected %d (count mismatch between ranks)", len(r.recv.data)/es, len(r.recv.buf)/es)}
		}
		if err != nil && first == nil {
			first = err
			for _, o := range reqs[i+1:] {
				if o != nil {
					o.cancel()
				}
			}
		}
	}
	return first
}

// packed returns the displacements of blocks laid end to end.
func packed(counts []int) []int {
	d := make([]int, len(counts))
	off := 0
	for i, n := range counts {
		d[i] = off
		off += n
	}
	return d
}

// scaled multiplies element counts or displacements by the element size.
func scaled(v []int, es int) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = x * es
	}
	return out
}

// checkCounts validates the root's counts and displacements against a
// buffer of n elements and returns displs (packed when nil).
func checkCounts(op string, counts, displs []int, p, n int) []int {
	if len(counts) != p {
		panic(fmt.Sprintf("comm: %s: %d counts for %d ranks", op, len(counts), p))
	}
	if displs == nil {
		displs = make([]int, p)
		off := 0
		for i, k := range counts {
			displs[i] = off
			off += k
		}
	}
	if len(displs) != p {
		panic(fmt.Sprintf("comm: %s: %d displacements for %d ranks", op, len(displs), p))
	}
	for i := range counts {
		if counts[i] < 0 || displs[i] < 0 || displs[i]+counts[i] > n {
			panic(fmt.Sprintf("comm: %s: block %d (displacement %d, count %d) outside a buffer of %d elements", op, i, displs[i], counts[i], n))
		}
	}
	return displs
}
