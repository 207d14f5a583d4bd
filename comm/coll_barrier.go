package comm

// Barrier blocks until every rank of c has called it. It uses the
// dissemination algorithm: ceil(log2 p) rounds of empty messages, in round
// k to rank+2^k and from rank-2^k.
func (c *Comm) Barrier() error {
	p, r := c.Size(), c.rank
	for k := 1; k < p; k <<= 1 {
		if err := c.exchange((r+k)%p, nil, (r-k+p)%p, []byte{}, tagBarrier, Byte, "Barrier"); err != nil {
			return err
		}
	}
	return nil
}
