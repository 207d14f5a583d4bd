package comm

import "fmt"

// Allgather collects sendbuf from every rank into recvbuf at every rank,
// in rank order: len(recvbuf) must be Size()*len(sendbuf).
//
// Short messages: a binomial gather to rank 0 and a binomial broadcast,
// 2 log p steps. Long ones: a ring, each rank passing on the block it
// received last, p-1 steps that move each byte once per link.
func (c *Comm) Allgather(sendbuf, recvbuf any) error {
	dt, sb, _ := view(sendbuf)
	rdt, rb, _ := view(recvbuf)
	sameType("Allgather", dt, rdt)
	p, r := c.Size(), c.rank
	if len(rb) != p*len(sb) {
		panic(fmt.Sprintf("comm: Allgather: receive buffer holds %d elements, want Size()*len(sendbuf) = %d", len(rb)/dt.Size(), p*len(sb)/dt.Size()))
	}
	bs := len(sb)
	if bs*p < longMessage {
		if err := c.gatherBinomial(sb, rb, dt, 0); err != nil {
			return renameOp(err, "Allgather")
		}
		return c.bcastBinomial(rb, dt, 0, tagAllgather, "Allgather")
	}
	copy(rb[r*bs:], sb)
	right, left := (r+1)%p, (r-1+p)%p
	for s := 0; s < p-1; s++ {
		out, in := (r-s+p)%p, (r-s-1+p)%p
		if err := c.exchange(right, rb[out*bs:(out+1)*bs], left, rb[in*bs:(in+1)*bs], tagAllgather, dt, "Allgather"); err != nil {
			return err
		}
	}
	return nil
}

// Alltoall sends block j of sendbuf to rank j and receives rank j's block
// for this rank into block j of recvbuf; both hold Size() blocks of equal
// length. It runs p-1 pairwise exchange steps (in step s, to rank+s and
// from rank-s), each received straight into place.
func (c *Comm) Alltoall(sendbuf, recvbuf any) error {
	dt, sb, _ := view(sendbuf)
	rdt, rb, _ := view(recvbuf)
	sameType("Alltoall", dt, rdt)
	p, r := c.Size(), c.rank
	if len(sb) != len(rb) || len(sb)%(p*dt.Size()) != 0 {
		panic(fmt.Sprintf("comm: Alltoall: buffers of %d and %d elements, want equal lengths divisible by Size() = %d", len(sb)/dt.Size(), len(rb)/dt.Size(), p))
	}
	bs := len(sb) / p
	copy(rb[r*bs:(r+1)*bs], sb[r*bs:(r+1)*bs])
	for s := 1; s < p; s++ {
		dst, src := (r+s)%p, (r-s+p)%p
		if err := c.exchange(dst, sb[dst*bs:(dst+1)*bs], src, rb[src*bs:(src+1)*bs], tagAlltoall, dt, "Alltoall"); err != nil {
			return err
		}
	}
	return nil
}
