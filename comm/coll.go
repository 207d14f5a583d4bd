package comm

import "fmt"

// Collective algorithms switch from latency-optimal trees (log p steps)
// to bandwidth-optimal schedules above this many bytes per rank.
const longMessage = 64 << 10

// recvExact receives exactly len(b) bytes from source on an internal tag:
// a different length means the ranks called the collective with different
// counts, which is reported rather than silently mis-sized.
func (c *Comm) recvExact(source int, tag int32, dt Datatype, b []byte, op string) error {
	n, err := c.recvRaw(source, tag, dt, b, op)
	if err != nil {
		return err
	}
	if n != len(b) {
		return &RankError{Rank: c.world[source], Op: op, Err: fmt.Errorf("comm: sent %d elements, expected %d (count mismatch between ranks)", n/dt.Size(), len(b)/dt.Size())}
	}
	return nil
}

// exchange sends sb to dst while receiving exactly len(rb) bytes from src,
// receiving straight into rb (the receive is posted before the send).
func (c *Comm) exchange(dst int, sb []byte, src int, rb []byte, tag int32, dt Datatype, op string) error {
	r := c.postRecv(src, tag, false, dt, rb, false, op)
	serr := c.sendRaw(dst, tag, dt, sb, op)
	if serr != nil {
		r.cancel()
		return serr
	}
	if err := r.wait(); err != nil {
		return err
	}
	if n := len(r.recv.data); n != len(rb) {
		return &RankError{Rank: c.world[src], Op: op, Err: fmt.Errorf("comm: sent %d elements, expected %d (count mismatch between ranks)", n/dt.Size(), len(rb)/dt.Size())}
	}
	return nil
}

func (c *Comm) checkRoot(root int, op string) {
	if root < 0 || root >= c.Size() {
		panic(fmt.Sprintf("comm: %s: root %d out of range [0,%d)", op, root, c.Size()))
	}
}

func sameType(op string, a, b Datatype) {
	if a != b {
		panic(fmt.Sprintf("comm: %s: send buffer is %v but receive buffer is %v", op, a, b))
	}
}

// rel and abs convert between ranks and ranks relative to a root, which
// trees are built on.
func rel(r, root, p int) int { return (r - root + p) % p }
func abs(v, root, p int) int { return (v + root) % p }
