package comm

// Reduce combines sendbuf of every rank element by element with op and
// leaves the result in recvbuf at root. recvbuf is ignored elsewhere (it
// may be nil there). sendbuf and recvbuf may be the same slice.
//
// It uses a binomial tree: log p steps, and each partial result always
// combines the same ranks in the same order, so the result is the same
// bit for bit on every run.
func (c *Comm) Reduce(sendbuf, recvbuf any, op Op, root int) error {
	c.checkRoot(root, "Reduce")
	dt, sb, _ := view(sendbuf)
	var rb []byte
	if c.rank == root {
		var rdt Datatype
		rdt, rb, _ = view(recvbuf)
		sameType("Reduce", dt, rdt)
		if len(rb) != len(sb) {
			panic("comm: Reduce: send and receive buffers differ in length")
		}
	}
	return c.reduce(sb, rb, dt, op, root, tagReduce, "Reduce")
}

func (c *Comm) reduce(sb, rb []byte, dt Datatype, op Op, root int, tag int32, name string) error {
	p := c.Size()
	acc := rb
	if c.rank != root {
		acc = c.scratch(0, len(sb))
	}
	copy(acc, sb)
	if p == 1 {
		return nil
	}
	tmp := c.scratch(1, len(sb))
	vr := rel(c.rank, root, p)
	for mask := 1; mask < p; mask <<= 1 {
		if vr&mask != 0 {
			return c.sendRaw(abs(vr&^mask, root, p), tag, dt, acc, name)
		}
		if child := vr | mask; child < p {
			if err := c.recvExact(abs(child, root, p), tag, dt, tmp, name); err != nil {
				return err
			}
			op.apply(dt, acc, tmp) // acc holds lower relative ranks: acc op child
		}
	}
	return nil
}
