package par

import (
	"sync"
	"time"
)

// Guided self-scheduling (Polychronopoulos and Kuck, 1987), as OpenMP's
// schedule(guided) does it, with two changes. A chunk is 1/(guidedDivisor
// * workers) of the items left, not 1/workers, so that an unlucky chunk
// full of costly items cannot outlast everything else: on items of
// heavy-tailed cost (Pareto) a simulation (sched_sim_test.go) puts 8
// within 3% of handing items out one at a time, the best a scheduler that
// does not know the costs can do, where 4 was up to 23% behind it and 1 far
// more. And a chunk never takes less than minChunkTime by the measured
// cost of an item, so cheap items travel in bulk and a request to the root
// is never a large part of the work; until the first chunk is measured,
// chunks are single items, which measures the cost at once.
const (
	guidedDivisor = 8
	minChunkTime  = 200 * time.Microsecond
)

// dispenser hands out chunks of [0, n) under the Dynamic schedule. It lives
// at the root; the root's own goroutines call take directly, the other
// ranks' through requests.
type dispenser struct {
	mu       sync.Mutex
	next, n  int
	workers  int // goroutines over all ranks
	fixed    int // Chunk(k), or 0 for guided
	stopped  bool
	measured int64 // items measured, and the time they took
	nanos    int64
}

func newDispenser(n, workers, fixed int) *dispenser {
	return &dispenser{n: n, workers: max(workers, 1), fixed: fixed}
}

// take returns the next chunk, empty when there is no more work. items and
// nanos report what the caller measured since its last take.
func (d *dispenser) take(items, nanos int64) (lo, hi int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if items > 0 {
		d.measured += items
		d.nanos += nanos
	}
	left := d.n - d.next
	if left <= 0 || d.stopped {
		return d.next, d.next
	}
	k := d.fixed
	if k == 0 {
		k = d.guided(left)
	}
	lo = d.next
	d.next += min(k, left)
	return lo, d.next
}

func (d *dispenser) guided(left int) int {
	k := ceilDiv(left, guidedDivisor*d.workers)
	if d.measured == 0 {
		return 1 // measure first
	}
	perItem := max(d.nanos/d.measured, 1)
	floor := int(min(int64(minChunkTime)/perItem+1, int64(left)))
	// The floor may not leave a worker without a share at the end.
	floor = min(floor, ceilDiv(left, d.workers))
	return max(k, floor, 1)
}

// stop makes every later take return an empty chunk.
func (d *dispenser) stop() {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
