package comm

import (
	"errors"
	"fmt"
	"sync"
)

// NewMemWorld returns the world communicators of n ranks living in this
// process, for tests and examples: rank i is element i, to be driven by
// its own goroutine. Messages are copied from sender to receiver, so ranks
// never share memory, just as over a network.
func NewMemWorld(n int, cfg Config) []*Comm {
	cs, _ := newMemWorld(n, cfg)
	return cs
}

// RunMem runs fn on n in-process ranks, each in its own goroutine with its
// own world communicator, closes them, and returns the ranks' errors
// joined (nil when all succeed).
func RunMem(n int, fn func(c *Comm) error) error {
	cs := NewMemWorld(n, Config{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(c); err != nil {
				errs[i] = fmt.Errorf("rank %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	for _, c := range cs {
		c.Close()
	}
	return errors.Join(errs...)
}

// MemWorld gives tests control over an in-process world: it can cut a
// rank off as if its process had died.
type MemWorld struct {
	ranks []*memTransport
}

// NewMemWorldFaulty is NewMemWorld with a handle for fault injection.
func NewMemWorldFaulty(n int, cfg Config) ([]*Comm, *MemWorld) { return newMemWorld(n, cfg) }

func newMemWorld(n int, cfg Config) ([]*Comm, *MemWorld) {
	if n < 1 {
		panic(fmt.Sprintf("comm: NewMemWorld: %d ranks", n))
	}
	w := &MemWorld{ranks: make([]*memTransport, n)}
	for i := range w.ranks {
		w.ranks[i] = &memTransport{w: w, rank: i, links: make([]sync.Mutex, n), gone: make([]bool, n)}
	}
	cs := make([]*Comm, n)
	for i, t := range w.ranks {
		c, err := New(t, cfg)
		if err != nil {
			panic(err)
		}
		cs[i] = c
	}
	return cs, w
}

// Kill makes rank vanish as when its process dies: every other rank loses
// it with err. The victim itself hears nothing more (a dead process runs
// no code), and its sends fail.
func (w *MemWorld) Kill(rank int, err error) {
	t := w.ranks[rank]
	for peer := range w.ranks {
		if peer == rank {
			continue
		}
		t.markGone(peer)
		w.ranks[peer].cut(rank, err)
	}
}

// memTransport is one rank of an in-process world. A send delivers
// straight into the receiver's handler from the sender's goroutine, under
// the (sender, receiver) link's lock, so frames of one link stay in order.
type memTransport struct {
	w     *MemWorld
	rank  int
	h     Handler
	links []sync.Mutex // by source: serialises delivery from each sender

	mu   sync.Mutex
	gone []bool // peers this rank can no longer reach or hear
}

func (t *memTransport) Rank() int        { return t.rank }
func (t *memTransport) Size() int        { return len(t.w.ranks) }
func (t *memTransport) Start(h Handler)  { t.h = h }
func (t *memTransport) Route(int) string { return "mem" }

func (t *memTransport) isGone(peer int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.gone[peer]
}

// cut marks peer gone for t and tells t's handler, once.
func (t *memTransport) cut(peer int, err error) {
	t.mu.Lock()
	was := t.gone[peer]
	t.gone[peer] = true
	t.mu.Unlock()
	if !was && t.h != nil {
		t.h.Lost(peer, err)
	}
}

func (t *memTransport) Send(dst int, h Header, payload []byte) error {
	if t.isGone(dst) {
		return fmt.Errorf("%w: link to rank %d is down", ErrPeerLost, dst)
	}
	peer := t.w.ranks[dst]
	link := &peer.links[t.rank]
	link.Lock()
	defer link.Unlock()
	if peer.isGone(t.rank) {
		return fmt.Errorf("%w: rank %d no longer listens", ErrPeerLost, dst)
	}
	buf := peer.h.Claim(h)
	copy(buf, payload)
	peer.h.Deliver(h, buf, nil)
	return nil
}

func (t *memTransport) Abort(code int) error {
	for peer, p := range t.w.ranks {
		if peer != t.rank {
			p.cut(t.rank, &AbortError{Rank: t.rank, Code: code})
			t.markGone(peer)
		}
	}
	return nil
}

func (t *memTransport) Close() error {
	for peer, p := range t.w.ranks {
		if peer != t.rank {
			p.cut(t.rank, ErrPeerClosed)
			t.markGone(peer)
		}
	}
	return nil
}

func (t *memTransport) markGone(peer int) {
	t.mu.Lock()
	t.gone[peer] = true
	t.mu.Unlock()
}
