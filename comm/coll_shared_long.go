package comm

import (
	"errors"
	"fmt"
	"unsafe"
)

// Long Allreduces in shared memory. Over messages a long vector goes
// around a ring (allreduceRing): p-1 steps in which every rank sends a
// segment to its right neighbour while it receives one from its left,
// each step needing both neighbours on a core at once. In a shared window
// instead, every rank copies its vector in, each then combines one
// segment from every rank's copy, and every rank copies the result out:
// three meetings in all, and between them each rank works alone, which is
// what a machine with more ranks than cores needs (4 ranks on 2 cores: 1
// Mi float64 in 8-10 ms, where the ring took 14-18). Where every rank has
// a core of its own the ring is as fast and needs no copies, so the window
// serves only communicators with more ranks than some rank sees cores
// (decided once for all ranks, in firstBarrier). Each segment is combined
// in exactly the ring's order (ringFold), so the result is the same bit
// for bit.

// longLimit is the longest vector, in bytes, reduced in the window; a
// longer one goes by messages, which need no memory beside the caller's.
const longLimit = 64 << 20

// longWindow is the window of long Allreduces: per rank, room for a
// vector and for one segment of the result.
type longWindow struct {
	win      *Shared[uint64]
	in, part int // bytes of vector and of result segment per rank
}

func (l *longWindow) input(r int) []byte {
	s := l.win.Segment(r)
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), l.in)
}

func (l *longWindow) output(r int) []byte {
	s := l.win.Segment(r)[l.in/8:]
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), l.part)
}

// allreduceLong is Allreduce of acc (n elements of dt, longMessage bytes
// or more, at least one per rank) in shared memory. It reports false when
// the ranks cannot map the window (every rank alike), and the caller goes
// by messages.
func (w *collWindow) allreduceLong(acc []byte, dt Datatype, n int, op Op) (bool, error) {
	const name = "Allreduce"
	c := w.c
	p, es := c.Size(), dt.Size()
	// 1. Agree on the length, and so on the room needed.
	gen := w.gen + 1
	w.length(c.rank, gen).Store(uint64(len(acc)))
	w.arrive()
	if err := w.wait(gen, name); err != nil {
		return true, err
	}
	for r := range p {
		if m := int(w.length(r, gen).Load()); m != len(acc) {
			return true, &RankError{Rank: c.world[r], Op: name, Err: fmt.Errorf("comm: sent %d elements, expected %d (count mismatch between ranks)", m/es, len(acc)/es)}
		}
	}
	counts, displs := evenSplit(n, p)
	if l := w.long; l == nil || l.in < len(acc) || l.part < counts[0]*es {
		if l != nil {
			l.win.Free()
			w.long = nil
		}
		in, part := (len(acc)+7)&^7, (counts[0]*es+7)&^7
		win, err := AllocShared[uint64](c, (in+part)/8)
		if errors.Is(err, ErrNotShared) {
			return false, nil
		}
		if err != nil {
			return true, renameOp(err, name)
		}
		w.long = &longWindow{win: win, in: in, part: part}
	}
	l := w.long
	// 2. Every rank's vector in.
	copy(l.input(c.rank), acc)
	gen = w.arrive()
	if err := w.wait(gen, name); err != nil {
		return true, err
	}
	// 3. This rank's segment of the result.
	j := c.rank
	seg := func(r int) []byte { return l.input(r)[displs[j]*es : (displs[j]+counts[j])*es] }
	ringFold(l.output(j)[:counts[j]*es], c.scratch(1, counts[j]*es), dt, op, p, j, seg)
	gen = w.arrive()
	if err := w.wait(gen, name); err != nil {
		return true, err
	}
	// 4. The result out. Nobody writes the window again before every rank
	// has come to the next collective's first meeting, after this copy.
	for r := range p {
		copy(acc[displs[r]*es:(displs[r]+counts[r])*es], l.output(r)[:counts[r]*es])
	}
	return true, nil
}

// ringFold leaves in dst segment j of the result as allreduceRing
// combines it: it starts at rank j, and each rank after it in the ring
// combines its own value with what came from its left, its own first:
//
//	dst = x[j-1] op (... op (x[j+2] op (x[j+1] op x[j])))   (ranks mod p)
//
// seg(r) is rank r's part of segment j; tmp is as long as dst.
func ringFold(dst, tmp []byte, dt Datatype, op Op, p, j int, seg func(r int) []byte) {
	copy(dst, seg((j+1)%p))
	op.apply(dt, dst, seg(j))
	for k := 2; k < p; k++ {
		copy(tmp, seg((j+k)%p))
		op.apply(dt, tmp, dst)
		dst, tmp = tmp, dst
	}
	if p%2 == 1 { // the last step left the result in the caller's tmp
		copy(tmp, dst)
	}
}
