package comm

// Barrier blocks until every rank of c has called it. It uses the
// dissemination algorithm: ceil(log2 p) rounds of messages, in round k to
// rank+2^k and from rank-2^k. The first one on c also decides whether the
// ranks share memory (coll_shared.go); if they do, the later ones meet in
// a shared window instead.
func (c *Comm) Barrier() error {
	if !c.collTried {
		return c.firstBarrier()
	}
	if c.coll != nil {
		return c.coll.barrier()
	}
	p, r := c.Size(), c.rank
	for k := 1; k < p; k <<= 1 {
		if err := c.exchange((r+k)%p, nil, (r-k+p)%p, []byte{}, tagBarrier, Byte, "Barrier"); err != nil {
			return err
		}
	}
	return nil
}
