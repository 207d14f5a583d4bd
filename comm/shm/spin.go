package shm

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Spinning before blocking pays when the awaited message comes sooner
// than a sleep and a wake-up take: then the spin saved the wake-up, and
// otherwise it cost at most as much again as blocking at once would have.
// Spinning exactly as long as a block and a wake-up cost is the classic
// rule that is never worse than twice the best choice made in hindsight
// (Karlin, Li, Manasse and Owicki, "Empirical studies of competitive
// spinning", SOSP 1991). So the spin starts calibrated: the cost of a
// goroutine sleeping in the poller on an eventfd and being woken by
// another's write, measured once per process, bounded below so a fast
// machine still catches a peer that answers in a few microseconds.
//
// That rule assumes the wait does not depend on the choice. Between two
// ranks it does: once one of them blocks, its answer comes a wake-up
// later, longer than the other's spin, so that one blocks too, and a
// ping-pong can settle into waking each other forever at tens of
// microseconds a message. So the spin adapts (spinner): a wait that ends
// soon after its spin gave up (a near miss) lengthens the spin to catch
// the next one, up to maxSpin; a wait that outlasts maxSpin (the peer is
// computing, or descheduled) shortens it again, slowly, towards the
// calibrated floor.
const (
	minSpin = 5 * time.Microsecond
	maxSpin = 100 * time.Microsecond
)

// spinner is a transport's current spin.
type spinner struct {
	floor time.Duration
	fixed bool         // set by Config.Spin: never adapted
	cur   atomic.Int64 // nanoseconds
}

func newSpinner(cfg time.Duration, calibrated bool) *spinner {
	s := &spinner{floor: cfg, fixed: !calibrated}
	s.cur.Store(int64(cfg))
	return s
}

func (s *spinner) budget() time.Duration { return time.Duration(s.cur.Load()) }

// ended records a wait whose spin gave up and that then ended after d in
// all (or did not end within maxSpin, long).
func (s *spinner) ended(d time.Duration, long bool) {
	if s.fixed {
		return
	}
	cur := s.budget()
	next := cur
	if long {
		next = max(s.floor, cur-cur/8)
	} else {
		next = min(maxSpin, max(cur, d+d/2))
	}
	if next != cur {
		s.cur.CompareAndSwap(int64(cur), int64(next))
	}
}

var calibration struct {
	once sync.Once
	spin time.Duration
}

// calibratedSpin returns the spin of Config.Spin 0, measuring it on the
// first call.
func calibratedSpin() time.Duration {
	calibration.once.Do(func() {
		calibration.spin = min(max(measureWake(), minSpin), maxSpin)
	})
	return calibration.spin
}

// measureWake returns the median time from one goroutine's write to an
// eventfd to another's wake-up from reading it through the poller (half a
// round trip between two of them), or minSpin where there are no eventfds.
func measureWake() time.Duration {
	a, _, err := newBell()
	if err != nil {
		return minSpin
	}
	defer a.Close()
	b, _, err := newBell()
	if err != nil {
		return minSpin
	}
	defer b.Close()
	const rounds = 41
	go func() {
		var buf [8]byte
		for range rounds + 3 {
			if _, err := a.Read(buf[:]); err != nil {
				return
			}
			b.Write(one[:])
		}
	}()
	var buf [8]byte
	samples := make([]time.Duration, 0, rounds)
	for i := range rounds + 3 {
		t0 := time.Now()
		a.Write(one[:])
		if _, err := b.Read(buf[:]); err != nil {
			return minSpin
		}
		if i >= 3 { // the first rounds start the poller's threads
			samples = append(samples, time.Since(t0)/2)
		}
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	return samples[len(samples)/2]
}

// one is an eventfd increment of 1, little-endian.
var one = [8]byte{1}
