package comm

// Barrier blocks until every rank of c has called it. Ranks that share
// memory meet in a shared window (coll_shared.go); otherwise it uses the
// dissemination algorithm: ceil(log2 p) rounds of empty messages, in round
// k to rank+2^k and from rank-2^k.
func (c *Comm) Barrier() error {
	if w, err := c.sharedColl(); err != nil {
		return renameOp(err, "Barrier")
	} else if w != nil {
		return w.barrier()
	}
	p, r := c.Size(), c.rank
	for k := 1; k < p; k <<= 1 {
		if err := c.exchange((r+k)%p, nil, (r-k+p)%p, []byte{}, tagBarrier, Byte, "Barrier"); err != nil {
			return err
		}
	}
	return nil
}
