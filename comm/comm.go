package comm

import (
	"fmt"
	"sync/atomic"
	"time"
)

// processStart anchors Wtime: a monotonic clock, so Wtime differences are
// immune to wall-clock steps.
var processStart = time.Now()

// Wtime returns the seconds elapsed since an arbitrary fixed moment in
// this process, from a monotonic clock, like MPI_Wtime. Only differences
// are meaningful.
func Wtime() float64 { return time.Since(processStart).Seconds() }

// Wtick returns the resolution of Wtime in seconds.
func Wtick() float64 { return 1e-9 }

// A Comm is a communicator: a group of ranks that exchange messages and
// take part in collectives together. Its methods block until their part is
// done (see the package documentation for the exact semantics) and are
// safe for concurrent use, though collectives on one Comm must be called
// in the same order by every member, as in MPI.
type Comm struct {
	e     *engine
	ctx   uint32
	rank  int   // this process's rank in the communicator
	world []int // communicator rank → world rank
	local map[int]int
	freed atomic.Bool
	bufs  [scratchSlots][]byte // see scratch.go

	coll      *collWindow // shared-memory collectives (coll_shared.go)
	collTried bool
}

// New makes the world communicator over a started-up transport. The
// caller hands the transport over: Close closes it.
func New(t Transport, cfg Config) (*Comm, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if t.Size() < 1 || t.Rank() < 0 || t.Rank() >= t.Size() {
		return nil, fmt.Errorf("comm: transport reports rank %d of size %d", t.Rank(), t.Size())
	}
	e := newEngine(t, cfg)
	world := make([]int, t.Size())
	for i := range world {
		world[i] = i
	}
	c := &Comm{e: e, ctx: 0, rank: t.Rank(), world: world}
	t.Start(e)
	return c, nil
}

// Rank returns this process's rank in c, from 0 to Size()-1.
func (c *Comm) Rank() int { return c.rank }

// Size returns the number of ranks in c.
func (c *Comm) Size() int { return len(c.world) }

// WorldRank returns the rank in the world of c's rank r.
func (c *Comm) WorldRank(r int) int { return c.world[r] }

// Route names the way this rank's messages go to c's rank r: "self" for
// its own rank, else what the transport says ("shm" between ranks of one
// machine sharing memory, "tcp" over the network, "mem" between ranks of
// one process), or "" when the transport does not say.
func (c *Comm) Route(r int) string {
	w := c.toWorld(r, "Route")
	if w == c.e.rank {
		return "self"
	}
	if rt, ok := c.e.t.(Router); ok {
		return rt.Route(w)
	}
	return ""
}

// Wtime is the package-level Wtime, for mpi4py-style comm.Wtime() calls.
func (c *Comm) Wtime() float64 { return Wtime() }

// Abort ends the whole job: every rank's pending and later calls return
// an error wrapping *AbortError with code, which the program should exit
// with (ExitCode). Abort itself returns promptly, even if peers are stuck.
func (c *Comm) Abort(code int) error { return c.e.abort(code) }

// Lost returns the ranks of c that this rank can no longer reach, in
// increasing order: peers that were lost or that closed their
// communicator. Under LossIsolated the others go on working (see
// LossPolicy); Config.OnPeerLost reports each loss as it happens.
func (c *Comm) Lost() []int {
	var out []int
	for _, w := range c.e.lostPeers() {
		if r := c.fromWorld(w); r >= 0 {
			out = append(out, r)
		}
	}
	return out
}

// Close releases the world communicator and its transport. Peers still
// waiting for a message from this rank get an error wrapping ErrPeerClosed.
// Closing a communicator made by Split or Dup only marks it unusable; the
// world owns the connections. Close is idempotent.
func (c *Comm) Close() error {
	if c.freed.Swap(true) {
		return nil
	}
	if c.coll != nil {
		c.coll.free()
	}
	if c.ctx != 0 {
		return nil
	}
	return c.e.close()
}

// toWorld converts a communicator rank to a world rank, panicking on a
// rank out of range: that is a programming error, like indexing a slice.
func (c *Comm) toWorld(r int, op string) int {
	if r < 0 || r >= len(c.world) {
		panic(fmt.Sprintf("comm: %s: rank %d out of range [0,%d)", op, r, len(c.world)))
	}
	return c.world[r]
}

// fromWorld converts a world rank to c's rank.
func (c *Comm) fromWorld(w int) int {
	if c.local == nil {
		return w
	}
	if r, ok := c.local[w]; ok {
		return r
	}
	return -1
}

func (c *Comm) checkOpen(op string) error {
	if c.freed.Load() {
		return fmt.Errorf("comm: %s: %w", op, ErrClosed)
	}
	return nil
}
