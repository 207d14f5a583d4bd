package shm

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/internal/cpuid"
)

// Progress and waiting (see doc.go, "Waiting"). Three kinds of goroutine
// read a rank's rings: a caller waiting in Progress for a message, a Send
// waiting for room in a full ring (both poll every ring while they spin,
// so two ranks sending each other long messages never deadlock), and the
// drainer, which sleeps on the doorbell while nobody polls and delivers
// what arrives then, so a Send never waits for the receiving program to
// call comm (as over TCP, whose reader goroutines do the same).

// poll reads every ring it can take right now and returns how many
// records it read.
func (t *Transport) poll() int {
	n, _ := t.scan()
	return n
}

// scan is poll that also says whether a ring was skipped because another
// goroutine was reading it.
func (t *Transport) scan() (n int, skipped bool) {
	for _, src := range *t.local.Load() {
		in := t.in[src]
		if !in.on.Load() {
			continue
		}
		if !in.mu.TryLock() {
			skipped = true // another goroutine reads it now
			continue
		}
		if in.dead || !in.c.pending() {
			in.mu.Unlock()
			continue
		}
		k, wake, err := in.c.drain(t.h)
		if wake {
			ring(t.out[src].bell)
		}
		in.mu.Unlock()
		n += k
		if err != nil {
			t.broken(src, err)
		}
	}
	return n, skipped
}

// pollNews is poll for a caller that keeps polling: with more peers than
// scanAll, it looks at the rings only when the segment's news count (one
// cache line, where a look at every ring is a lock and two words per
// peer) has moved since the last look that missed no ring (*seen).
func (t *Transport) pollNews(seen *uint64) int {
	if len(*t.local.Load()) <= scanAll {
		return t.poll()
	}
	news := t.news.Load() // before the look: a record published during it moves the count again
	if news == *seen {
		return 0
	}
	n, skipped := t.scan()
	if !skipped {
		*seen = news
	}
	return n
}

// scanAll is how many peers a poll looks at one by one, every time.
const scanAll = 4

// pending says whether a ring holds records nobody reads right now.
func (t *Transport) pending() bool {
	for _, src := range *t.local.Load() {
		in := t.in[src]
		if in.on.Load() && in.mu.TryLock() {
			p := !in.dead && in.c.pending()
			in.mu.Unlock()
			if p {
				return true
			}
		}
	}
	return false
}

// enter and leave bracket every poll outside the drainer: Close waits
// until no goroutine is inside.
//
// The segment's state word tells the senders whether this rank polls (so
// they need not ring the doorbell). It is not counted up and down by every
// wait: the senders read it after every record, so a write to it at the
// end of a wait would cost the waiter a cache-line round trip between the
// message's arrival and its answer. Instead the first wait takes a hold
// (one count in the state word) that outlives it; the drainer lets go of
// the hold once no wait has begun for linger, or a waiter lets go before
// it blocks. Meanwhile a record that arrives between two waits is read by
// the next wait, or by the drainer within linger.
func (t *Transport) enter() bool {
	t.users.Add(1)
	if t.closing.Load() {
		t.users.Add(-1)
		return false
	}
	t.waits.Add(1)
	if !t.hold.Load() && t.hold.CompareAndSwap(false, true) {
		t.state.Add(1)
		t.kick() // a drainer asleep without a deadline must now watch the hold
	}
	return true
}

func (t *Transport) leave() { t.users.Add(-1) }

// letGo gives up the hold: from now on senders ring the doorbell when the
// drainer sleeps. A record that came while the hold kept them from
// ringing, and that nobody has read, goes to the drainer now.
func (t *Transport) letGo() {
	if t.hold.Load() && t.hold.CompareAndSwap(true, false) {
		t.state.Add(^uint32(0))
		if t.pending() {
			t.kick()
		}
	}
}

// linger is how long the hold outlives the last wait.
const linger = time.Millisecond

// kick wakes this rank's own drainer if it sleeps.
func (t *Transport) kick() {
	if t.state.Load()&stateSleeping != 0 {
		t.state.And(^uint32(stateSleeping))
		ring(t.bellFd)
	}
}

// pollUntil polls until cond holds, the transport closes, or the spin
// budget has passed without a record arriving; it reports whether cond
// held. peer is the CPU word of the rank waited for, if one is (see
// layout.go), else nil. It returns, with ok, when the spin started by
// the clock: the clock is first read after a few rounds, not at once (a
// read costs 40-70 ns on a virtual machine, as much as a poll that finds
// a message), so a message already waiting is taken without reading it.
//
// On a machine with more busy threads than cores the peer being waited
// for may be queued behind this very thread on its core (Linux likes to
// wake a task where its waker runs): spinning on would only delay it. So
// the poll gives up the core at once when the peer's last poll was on this
// core, and, when the job has more ranks on this machine than it has CPUs,
// between rounds after the first moments (pureSpin). It does not give it
// up for a process that is not a rank: beside a CPU-bound program, a
// yield hands the core over for the rest of the scheduler's slice
// (milliseconds): beside a CPU hog, an 8 B ping-pong took 0.45-0.80 us
// (once 8 us) with such yields, 0.32-0.54 without.
func (t *Transport) pollUntil(cond func() bool, peer *atomic.Uint32) (ok bool, start time.Time) {
	budget := t.spin.budget()
	last := time.Duration(0)
	traffic := false // since the last look at the clock
	var seen uint64  // news count at the last complete look
	for i := 0; ; i++ {
		if i%8 == 0 && t.onSameCPU(peer, i == 0) {
			runtime.Gosched()
			yield()
		}
		if cond() {
			return true, start
		}
		if t.pollNews(&seen) > 0 {
			// Traffic: keep spinning while it lasts. The clock is read at
			// the next round's check, not here: a record that completes
			// the wait returns at the next cond without a clock read.
			traffic = true
			continue
		}
		if i%32 == 31 {
			if start.IsZero() {
				start = time.Now()
			}
			if t.closing.Load() {
				return false, start
			}
			now := time.Since(start)
			if traffic {
				last, traffic = now, false
			}
			idle := now - last
			if idle > budget {
				return false, start
			}
			if idle > pureSpin && t.crowded() {
				runtime.Gosched()
				yield()
			}
		}
	}
}

// crowded says whether this machine has more ranks of the job than CPUs.
func (t *Transport) crowded() bool { return len(*t.local.Load())+1 > cpuid.Online() }

// pureSpin is how long a wait polls without giving up the core: a peer
// running on another core answers within it (a round trip between two
// processes through shared memory takes well under a microsecond).
const pureSpin = 2 * time.Microsecond

// onSameCPU publishes the CPU this poll runs on and says whether the peer
// last polled on the same one: then the peer cannot be running, and may
// be waiting for this core. At the start of a wait (cached) it compares
// with the CPU this rank published last instead of asking again: a
// rank that has just been woken to answer its co-located peer gives the
// core back before spinning at all.
func (t *Transport) onSameCPU(peer *atomic.Uint32, cached bool) bool {
	if !cpuid.Supported {
		return false
	}
	me := t.cpu.Load()
	if !cached || me == 0 {
		me = cpuid.Current()
		if t.cpu.Load() != me {
			t.cpu.Store(me)
		}
	}
	return peer != nil && peer.Load() == me
}

// Progress implements comm.Progresser: it polls the rings until done is
// set or the spin passes without traffic. It returns at once when src
// does not send to this rank through shared memory. When the spin gives
// up, the drainer, delivering the next record, judges whether a longer
// spin would have caught it (judgeSpin, and see spinner).
func (t *Transport) Progress(src int, done *atomic.Bool) {
	if t.spin == nil || t.mem == nil {
		return
	}
	if src == comm.AnySource {
		if len(*t.local.Load()) == 0 {
			return
		}
	} else if src < 0 || src >= t.size || !t.in[src].on.Load() {
		return
	}
	if !t.enter() {
		return
	}
	var peer *atomic.Uint32
	if src != comm.AnySource {
		peer = t.out[src].pcpu
	}
	if t.gaveUp.Load() != 0 {
		t.gaveUp.Store(0) // that wait ended without the drainer: no verdict
	}
	ok, start := t.pollUntil(done.Load, peer)
	t.leave()
	if ok {
		return
	}
	t.letGo() // the caller blocks: the drainer delivers
	if !t.spin.fixed {
		t.gaveUp.Store(start.UnixNano())
	}
}

// judgeSpin tells the spinner, when the drainer delivers a record after a
// spin gave up, how long after the spin's start that was: whether a
// longer spin would have caught it (see spinner).
func (t *Transport) judgeSpin() {
	g := t.gaveUp.Load()
	if g == 0 || !t.gaveUp.CompareAndSwap(g, 0) {
		return
	}
	if d := time.Duration(time.Now().UnixNano() - g); d < maxSpin {
		t.spin.ended(d, false)
	} else {
		t.spin.ended(0, true)
	}
}

// waitRoom waits until o's ring has room for the next record of a
// message with rest bytes to go, spinning first and then blocking until
// the receiver, having made room, rings this rank's doorbell.
func (t *Transport) waitRoom(o *outbound, dst, rest int, first bool) error {
	ready := func() bool { return o.p.hasRoom(rest, first) || o.lost.Load() != nil || t.closing.Load() }
	ok := false
	if t.spin != nil && t.enter() {
		ok, _ = t.pollUntil(ready, o.pcpu)
		t.leave()
	}
	if !ok {
		t.letGo() // this goroutine blocks: the drainer delivers
	}
	for !ok {
		// Blocked before the flag is raised, so the drainer that the
		// receiver wakes finds us; the flag before the last look, so the
		// receiver either sees it or made the room we look for.
		o.blocked.Store(true)
		o.p.wait.Store(1)
		if ok = ready(); ok {
			break
		}
		select {
		case <-o.wake:
		case <-t.done:
		}
		ok = ready()
	}
	o.blocked.Store(false)
	if t.closing.Load() {
		return fmt.Errorf("shm: send to rank %d: %w", dst, ErrClosed)
	}
	if e := o.lost.Load(); e != nil {
		return fmt.Errorf("shm: send to rank %d: %w", dst, *e)
	}
	return nil
}

// drain is the drainer goroutine: it delivers whatever arrives while no
// caller polls, and wakes Sends blocked for room, sleeping on the doorbell
// in between (in Go's poller, like a goroutine reading a socket).
func (t *Transport) drain() {
	defer t.drainer.Done()
	var b [8]byte
	deadline := false // a read deadline is set on the doorbell
	for {
		if t.poll() > 0 {
			t.judgeSpin()
			runtime.Gosched() // let the callers just woken run first
			for t.poll() > 0 {
				runtime.Gosched()
			}
		}
		for _, o := range t.out {
			if o.blocked.Load() {
				select {
				case o.wake <- struct{}{}:
				default:
				}
			}
		}
		t.state.Or(stateSleeping)
		if t.pending() {
			t.state.And(^uint32(stateSleeping))
			continue
		}
		// While a hold keeps the senders from ringing, sleep only as long
		// as linger: then let go of it unless a wait has begun since.
		held, waits := t.hold.Load(), t.waits.Load()
		if held || deadline {
			var when time.Time
			if held {
				when = time.Now().Add(linger)
			}
			t.bell.SetReadDeadline(when)
			deadline = held
		}
		_, err := t.bell.Read(b[:])
		t.state.And(^uint32(stateSleeping))
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if t.users.Load() == 0 && t.waits.Load() == waits {
				t.letGo()
			}
			continue
		}
		if err != nil {
			return // Close closed the doorbell
		}
	}
}

// lost handles the base transport's report that peer is gone: the frames
// the peer put in its ring before it went are delivered first (they were
// sent before whatever ended the link), a message it had not finished
// fails, Sends waiting for room in its ring fail, and the core hears of
// the loss once.
func (t *Transport) lost(peer int, err error) {
	o := t.out[peer]
	o.lost.CompareAndSwap(nil, &err)
	select {
	case o.wake <- struct{}{}:
	default:
	}
	in := t.in[peer]
	in.mu.Lock()
	if !in.dead && in.on.Load() {
		if !t.closing.Load() {
			_, _, _ = in.c.drain(t.h) // a broken ring is moot now
		}
		in.c.abandon(t.h, err)
	}
	in.on.Store(false)
	in.mu.Unlock()
	t.settlePeer(peer, "")
	if o.reported.CompareAndSwap(false, true) {
		t.h.Lost(peer, err)
	}
}

// broken handles a ring that breaks the protocol: its sender is lost to
// this rank (the base link stays, but the pair can no longer be trusted),
// and Lost is reported now, once.
func (t *Transport) broken(src int, err error) {
	in := t.in[src]
	in.mu.Lock()
	if !in.on.Load() {
		in.mu.Unlock()
		return
	}
	in.on.Store(false)
	in.c.abandon(t.h, err)
	in.mu.Unlock()
	o := t.out[src]
	o.lost.CompareAndSwap(nil, &err)
	if o.reported.CompareAndSwap(false, true) {
		t.h.Lost(src, fmt.Errorf("%w: %w", comm.ErrPeerLost, err))
	}
}
