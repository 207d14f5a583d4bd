package jobs

import (
	"math"
	"sync/atomic"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/kernels"
)

// cdistWindows hold a cdist run in memory every rank maps, when all ranks
// share one machine (comm.AllocShared): each rank's rows of X and of Z are
// its segments, Y is the root's. The root writes X and Y in once and every
// rank computes from them and into Z in place, so the scatter, the
// broadcast and the gather copy nothing between ranks: what is left of
// them is the root copying the inputs in and two barriers.
type cdistWindows struct {
	x, y, z *comm.Shared[float64]
}

// shareCdist allocates the windows (collective). On an error nothing
// stays allocated; errors.Is(err, comm.ErrNotShared) means the ranks
// cannot share memory, and the same on every rank.
func shareCdist(c *comm.Comm, pr *cdistProblem, mine kernels.Range) (_ *cdistWindows, err error) {
	w := &cdistWindows{}
	defer func() {
		if err != nil {
			w.free()
		}
	}()
	if w.z, err = comm.AllocShared[float64](c, mine.Len()*pr.n); err != nil {
		return nil, err
	}
	if w.x, err = comm.AllocShared[float64](c, mine.Len()*pr.p); err != nil {
		return nil, err
	}
	ny := 0
	if c.Rank() == 0 {
		ny = pr.n * pr.p
	}
	if w.y, err = comm.AllocShared[float64](c, ny); err != nil {
		return nil, err
	}
	// Each rank touches the pages it will use, so its own page tables
	// hold them before the timed section: its rows of Z and X, and Y.
	prefault(w.z.Local())
	if c.Rank() == 0 {
		prefault(w.x.All())
		prefault(w.y.All())
		pr.xs = pr.x[:len(w.x.Local())] // the root computes from its own copy
		pr.z = w.z.All()
	} else {
		sink.Store(math.Float64bits(touch(w.x.Local()) + touch(w.y.All())))
		pr.xs, pr.y = w.x.Local(), w.y.All()
	}
	pr.zs = w.z.Local()
	return w, nil
}

// distribute is the scatter of X and the broadcast of Y: the root writes
// the other ranks' rows of X and all of Y into the windows, and the
// barrier tells the others they may read.
func (w *cdistWindows) distribute(c *comm.Comm, pr *cdistProblem) error {
	if c.Rank() == 0 {
		mine := len(w.x.Local())
		copy(w.x.All()[mine:], pr.x[mine:])
		copy(w.y.All(), pr.y)
	}
	return c.Barrier()
}

// gather: every rank's rows already are in the root's Z; the barrier
// tells the root they are all written.
func (w *cdistWindows) gather(c *comm.Comm) error { return c.Barrier() }

func (w *cdistWindows) free() {
	for _, s := range []*comm.Shared[float64]{w.x, w.y, w.z} {
		if s != nil {
			s.Free()
		}
	}
}

// sink keeps touch's reads from being optimised away (atomic: ranks may
// be goroutines of one process).
var sink atomic.Uint64

// touch reads one value of every page of b, mapping the pages into this
// process without writing them.
func touch(b []float64) float64 {
	var s float64
	for i := 0; i < len(b); i += 512 {
		s += b[i]
	}
	return s
}
