package comm

import "fmt"

// Scatter sends block i of sendbuf at root to rank i: rank i receives
// sendbuf[i*n:(i+1)*n] into recvbuf, n = len(recvbuf). sendbuf matters
// only at root, where len(sendbuf) must be Size()*n.
//
// Short messages go down a binomial tree (log p steps); long ones go from
// the root to each rank directly.
func (c *Comm) Scatter(sendbuf, recvbuf any, root int) error {
	c.checkRoot(root, "Scatter")
	dt, rb, _ := view(recvbuf)
	p := c.Size()
	var sb []byte
	if c.rank == root {
		var sdt Datatype
		sdt, sb, _ = view(sendbuf)
		sameType("Scatter", sdt, dt)
		if len(sb) != p*len(rb) {
			panic(fmt.Sprintf("comm: Scatter: send buffer holds %d elements, want Size()*len(recvbuf) = %d", len(sb)/dt.Size(), p*len(rb)/dt.Size()))
		}
	}
	if len(rb)*p >= longMessage {
		counts := make([]int, p)
		for i := range counts {
			counts[i] = len(rb)
		}
		return c.scatterLinear(sb, rb, counts, packed(counts), dt, root, tagScatter, "Scatter")
	}
	return c.scatterBinomial(sb, rb, dt, root)
}

// scatterBinomial mirrors gatherBinomial: the root holds all blocks in
// relative order and hands each child its subtree's blocks.
func (c *Comm) scatterBinomial(sb, rb []byte, dt Datatype, root int) error {
	const name = "Scatter"
	p := c.Size()
	bs := len(rb)
	vr := rel(c.rank, root, p)
	mask := 1
	for mask < p && vr&mask == 0 {
		mask <<= 1
	}
	var tmp []byte
	if vr == 0 {
		tmp = c.scratch(0, p*bs)
		for v := 0; v < p; v++ {
			copy(tmp[v*bs:], sb[abs(v, root, p)*bs:abs(v, root, p)*bs+bs])
		}
	} else {
		span := min(mask, p-vr)
		tmp = c.scratch(0, span*bs)
		if err := c.recvExact(abs(vr-mask, root, p), tagScatter, dt, tmp, name); err != nil {
			return err
		}
	}
	top := mask
	if vr == 0 {
		top = 1
		for top < p {
			top <<= 1
		}
	}
	for m := top >> 1; m > 0; m >>= 1 {
		child := vr + m
		if child >= p {
			continue
		}
		n := min(m, p-child)
		if err := c.sendRaw(abs(child, root, p), tagScatter, dt, tmp[m*bs:(m+n)*bs], name); err != nil {
			return err
		}
	}
	copy(rb, tmp[:bs])
	return nil
}

// Scatterv sends sendbuf[displs[i]:displs[i]+counts[i]] at root to rank
// i, which receives it into recvbuf (len(recvbuf) must equal counts[i]).
// counts and displs matter only at root; displs nil means packed.
func (c *Comm) Scatterv(sendbuf any, counts, displs []int, recvbuf any, root int) error {
	c.checkRoot(root, "Scatterv")
	dt, rb, _ := view(recvbuf)
	var sb []byte
	var bc, bd []int
	if c.rank == root {
		var sdt Datatype
		sdt, sb, _ = view(sendbuf)
		sameType("Scatterv", sdt, dt)
		displs = checkCounts("Scatterv", counts, displs, c.Size(), len(sb)/dt.Size())
		bc, bd = scaled(counts, dt.Size()), scaled(displs, dt.Size())
	}
	return c.scatterLinear(sb, rb, bc, bd, dt, root, tagScatterv, "Scatterv")
}

// scatterLinear: the root sends each rank its block directly (counts and
// displs in bytes); sends to different ranks proceed concurrently.
func (c *Comm) scatterLinear(sb, rb []byte, counts, displs []int, dt Datatype, root int, tag int32, name string) error {
	if c.rank != root {
		return c.recvExact(root, tag, dt, rb, name)
	}
	p, es := c.Size(), dt.Size()
	if len(rb) != counts[root] {
		panic(fmt.Sprintf("comm: %s: root receives %d elements but its count is %d", name, len(rb)/es, counts[root]/es))
	}
	reqs := make([]*Request, 0, p)
	for i := 0; i < p; i++ {
		blk := sb[displs[i] : displs[i]+counts[i]]
		if i == root {
			copy(rb, blk)
			continue
		}
		reqs = append(reqs, c.isendRaw(i, tag, dt, blk, name))
	}
	return WaitAll(reqs...)
}

// isendRaw starts an internal send, keeping call order per destination.
func (c *Comm) isendRaw(dest int, tag int32, dt Datatype, b []byte, name string) *Request {
	w := c.toWorld(dest, name)
	req := &Request{c: c, done: make(chan struct{}), op: name}
	h := Header{Context: c.ctx, Source: uint32(c.e.rank), Tag: tag, Type: dt, Length: uint64(len(b))}
	if w == c.e.rank {
		c.e.selfSend(h, b)
		close(req.done)
		return req
	}
	q := &c.e.sendq[w]
	turn := q.reserve()
	go func() {
		if turn != nil {
			<-turn
		}
		req.err = renameOp(c.e.transmit(w, h, b), name)
		q.release()
		close(req.done)
	}()
	return req
}
