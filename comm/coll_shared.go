package comm

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/spmd-go/spmd/internal/cpuid"
)

// Collectives on shared memory. When every pair of ranks of a
// communicator talks through shared memory (its transport is a
// MemorySharer that says so for each), Barrier and Allreduce of short
// vectors skip messages: the ranks share a small window (AllocShared, made
// at the communicator's first Barrier, see firstBarrier) where each rank
// has a line with its arrival count and two slots for its vector. A collective is one round: a rank
// writes its vector into its slot, publishes its arrival, waits until
// every rank has arrived, and reads what it needs. The slots alternate
// between two sets from one collective to the next, so a rank may write
// the next one's while a slower rank still reads this one's: no rank can
// reach the collective after next before every rank has left this one.
//
// Allreduce reads every rank's vector and combines them in exactly the
// order allreduceDoubling does (doublingTree), so the result is the same
// bit for bit as over messages, on every transport.
//
// A rank waiting for the others polls for a while (collSpin, giving up
// the core between rounds once past sharedPureSpin when the machine has
// more ranks of the window than CPUs, or to a late rank that last waited
// on this CPU; never to other programs, whose slices would keep it for
// milliseconds), then sleeps on a
// futex in the window, waking every few milliseconds to see whether a
// member has been lost (the transport still finds failures, and the
// engine records them): a dead or stopped rank makes the waiters fail
// naming it, as over messages, and costs them no core.

// sharedSlot is the longest vector Allreduce combines in the window; longer
// ones go by messages (the doubling's log p exchanges, then the ring).
const sharedSlot = 16 << 10

// Layout of each rank's segment of the window, in uint64 words.
const (
	wArrive  = 0 // the rank's arrival count
	wLength  = 1 // and 2: the length in bytes of its vector in slot 0 and 1
	wCPU     = 3 // 1 + the CPU the rank last waited on, 0 unknown (internal/cpuid)
	wFutex   = 8 // rank 0's segment only: the futex word (low 32 bits) ...
	wSleep   = 9 // ... and the number of sleepers
	wSlots   = 16
	segWords = wSlots + 2*sharedSlot/8
)

// collSpin bounds a collective's wait before it sleeps; collNap is how
// long a sleeper sleeps before it looks for lost members.
const (
	collSpin       = 50 * time.Microsecond
	sharedPureSpin = 2 * time.Microsecond
	collNap        = 10 * time.Millisecond
)

// collWindow is one communicator's window for shared-memory collectives.
type collWindow struct {
	c      *Comm
	win    *Shared[uint64]
	gen    uint64 // this rank's arrivals so far
	futex  *atomic.Uint32
	sleep  *atomic.Uint32
	long   *longWindow // for long Allreduces, made at the first (coll_shared_long.go)
	noLong bool        // long Allreduces go by messages: every rank has a core of its own, or no window could be made
}

// firstBarrier is c's first Barrier: the dissemination algorithm, whose
// messages carry one byte, every rank's vote for a shared window ANDed
// along the way (AND does not mind being applied twice), so after it
// every rank knows whether all of them reach each other through shared
// memory, with exactly the messages a Barrier sends anyway: the same
// peers waited for in the same order, whatever the transport (a rank on
// a transport that shares no memory votes no). When all voted yes, the
// ranks make the window (AllocShared, collective in its own right).
//
// A second bit of the byte says that the rank's machine has at least as
// many cores online as the communicator has ranks: when every rank does, long Allreduces
// keep the ring over messages, which then moves a vector as fast as the
// window (2 ranks on 2 cores, 1 Mi float64: 2.7-3.2 ms either way, 1 MiB:
// 0.27-0.33 ms against 0.37-0.47) and needs no room for copies; when a
// rank shares a core, the window (coll_shared_long.go).
func (c *Comm) firstBarrier() error {
	c.collTried = true
	const shared, roomy = 1, 2
	vote := byte(0)
	if ms, ok := c.e.t.(MemorySharer); ok && futexSupported && c.Size() > 1 {
		vote = shared
		for _, w := range c.world {
			if w != c.e.rank && !ms.SharesMemory(w) {
				vote = 0
			}
		}
		if cpuid.Online() >= c.Size() {
			vote |= roomy
		}
	}
	p, r := c.Size(), c.rank
	in := []byte{0}
	for k := 1; k < p; k <<= 1 {
		if err := c.exchange((r+k)%p, []byte{vote}, (r-k+p)%p, in, tagBarrier, Byte, "Barrier"); err != nil {
			return err
		}
		vote &= in[0]
	}
	if vote&shared == 0 || p == 1 {
		return nil
	}
	win, err := AllocShared[uint64](c, segWords)
	if errors.Is(err, ErrNotShared) {
		return nil
	}
	if err != nil {
		return renameOp(err, "Barrier")
	}
	w := &collWindow{c: c, win: win, noLong: vote&roomy != 0}
	w.futex = (*atomic.Uint32)(unsafe.Pointer(&win.Segment(0)[wFutex]))
	w.sleep = (*atomic.Uint32)(unsafe.Pointer(&win.Segment(0)[wSleep]))
	c.coll = w
	return nil
}

func (w *collWindow) arrival(r int) *atomic.Uint64 {
	return (*atomic.Uint64)(unsafe.Pointer(&w.win.Segment(r)[wArrive]))
}

// slot returns rank r's slot for arrival gen, as bytes.
func (w *collWindow) slot(r int, gen uint64) []byte {
	s := w.win.Segment(r)[wSlots+int(gen%2)*sharedSlot/8:][:sharedSlot/8]
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), sharedSlot)
}

// length is the word holding the length of rank r's vector in its slot
// for arrival gen.
func (w *collWindow) length(r int, gen uint64) *atomic.Uint64 {
	return (*atomic.Uint64)(unsafe.Pointer(&w.win.Segment(r)[wLength+int(gen%2)]))
}

// arrive publishes this rank's arrival and wakes the sleepers.
func (w *collWindow) arrive() uint64 {
	w.gen++
	w.arrival(w.c.rank).Store(w.gen)
	if w.sleep.Load() != 0 {
		w.futex.Add(1)
		futexWake(w.futex)
	}
	return w.gen
}

// everyone reports whether every rank has arrived at gen.
func (w *collWindow) everyone(gen uint64) bool {
	for r := range w.c.Size() {
		if w.arrival(r).Load() < gen {
			return false
		}
	}
	return true
}

// wait waits until every rank has arrived at gen, or fails naming a rank
// that was lost (or the reason the world broke).
func (w *collWindow) wait(gen uint64, op string) error {
	start := time.Now()
	// With more ranks in the window than cores, some rank it waits for
	// is not running: give up the core between every round of polling;
	// and so when a rank not yet arrived last waited on this very CPU.
	crowded := w.c.Size() > cpuid.Online()
	for i := 0; !w.everyone(gen); i++ {
		giveUp := i%8 == 0 && (crowded || w.lateHere(gen))
		if i%32 == 0 {
			idle := time.Since(start)
			if idle > collSpin {
				return w.sleepUntil(gen, op, start)
			}
			giveUp = giveUp || idle > sharedPureSpin && crowded
		}
		if giveUp {
			// Once per round at most: two yields in a row hand the core to
			// the rank beside us and straight back (4 ranks on 2 cores:
			// 6 context switches per Barrier where Open MPI took 3.7).
			runtime.Gosched()
			osYield()
		}
	}
	return nil
}

// lateHere publishes the CPU this wait runs on and says whether a rank
// that has not arrived at gen last waited on it too.
func (w *collWindow) lateHere(gen uint64) bool {
	me := cpuid.Current()
	if me == 0 {
		return false
	}
	mine := (*atomic.Uint64)(unsafe.Pointer(&w.win.Local()[wCPU]))
	if mine.Load() != uint64(me) {
		mine.Store(uint64(me))
	}
	for r := range w.c.Size() {
		if r != w.c.rank && w.arrival(r).Load() < gen && (*atomic.Uint64)(unsafe.Pointer(&w.win.Segment(r)[wCPU])).Load() == uint64(me) {
			return true
		}
	}
	return false
}

func (w *collWindow) sleepUntil(gen uint64, op string, start time.Time) error {
	for {
		w.sleep.Add(1)
		v := w.futex.Load()
		if w.everyone(gen) {
			w.sleep.Add(^uint32(0))
			return nil
		}
		futexWait(w.futex, v, collNap)
		w.sleep.Add(^uint32(0))
		if w.everyone(gen) {
			return nil
		}
		if err := w.c.memberLost(op); err != nil {
			return err
		}
		if d := w.c.e.cfg.Timeout; d > 0 && time.Since(start) > d {
			return w.late(gen, op, d)
		}
	}
}

// late is the error of a wait that passed Config.Timeout: it names the
// first rank that has not arrived.
func (w *collWindow) late(gen uint64, op string, d time.Duration) error {
	for r := range w.c.Size() {
		if w.arrival(r).Load() < gen {
			return &RankError{Rank: w.c.world[r], Op: op, Err: fmt.Errorf("%w after %v waiting for a message (it has not reached the %s)", ErrTimeout, d, op)}
		}
	}
	return nil
}

// memberLost returns why c can no longer work: the world is broken, or a
// member is lost (a member that closed fails only the collectives it
// misses, as a receive from it would).
func (c *Comm) memberLost(op string) error {
	if c.freed.Load() {
		return fmt.Errorf("comm: %s: %w", op, ErrClosed)
	}
	e := c.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.unusableLocked(op); err != nil {
		return err
	}
	for _, w := range c.world {
		if err, gone := e.lost[w]; gone {
			return &RankError{Rank: w, Op: op, Err: err}
		}
	}
	return nil
}

// barrier is Barrier in the window.
func (w *collWindow) barrier() error {
	return w.wait(w.arrive(), "Barrier")
}

// allreduce is Allreduce of acc (at most sharedSlot bytes) in the window.
func (w *collWindow) allreduce(acc []byte, dt Datatype, op Op) error {
	const name = "Allreduce"
	gen := w.gen + 1
	copy(w.slot(w.c.rank, gen), acc)
	w.length(w.c.rank, gen).Store(uint64(len(acc)))
	w.arrive()
	if err := w.wait(gen, name); err != nil {
		return err
	}
	p := w.c.Size()
	for r := range p {
		if n := int(w.length(r, gen).Load()); n != len(acc) {
			return &RankError{Rank: w.c.world[r], Op: name, Err: fmt.Errorf("comm: sent %d elements, expected %d (count mismatch between ranks)", n/dt.Size(), len(acc)/dt.Size())}
		}
	}
	doublingTree(acc, dt, op, p, func(r int) []byte { return w.slot(r, gen)[:len(acc)] }, w.c.scratch(0, len(acc)*p))
	return nil
}

// free unmaps the windows.
func (w *collWindow) free() {
	if w.long != nil {
		w.long.win.Free()
	}
	w.win.Free()
}

// doublingTree leaves in dst the combination of the p vectors in(0) ...
// in(p-1) that allreduceDoubling computes: ranks beyond the largest power
// of two pof2 first fold into a partner (virtual rank v < rem holds
// in(2v) op in(2v+1), the others in(v+rem)), then the virtual ranks
// combine in a balanced tree, the lower block first at every level. tmp
// holds at least pof2 vectors.
func doublingTree(dst []byte, dt Datatype, op Op, p int, in func(r int) []byte, tmp []byte) {
	n := len(dst)
	pof2 := 1
	for pof2*2 <= p {
		pof2 *= 2
	}
	rem := p - pof2
	y := func(v int) []byte { return tmp[v*n : (v+1)*n] }
	for v := range pof2 {
		if v < rem {
			copy(y(v), in(2*v))
			op.apply(dt, y(v), in(2*v+1))
		} else {
			copy(y(v), in(v+rem))
		}
	}
	for k := 1; k < pof2; k <<= 1 {
		for a := 0; a < pof2; a += 2 * k {
			op.apply(dt, y(a), y(a+k))
		}
	}
	copy(dst, y(0))
}
