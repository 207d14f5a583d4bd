package tcp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"
)

// Dial backoff: the first retry comes quickly (peers start at about the
// same time), later ones at most every maxBackoff.
const (
	minBackoff = 5 * time.Millisecond
	maxBackoff = 500 * time.Millisecond
)

// Dial is the one-call form of wire-up: it listens on peers[rank] and
// calls Connect.
func Dial(ctx context.Context, rank int, peers []string, cfg Config) (*Transport, error) {
	if rank < 0 || rank >= len(peers) {
		return nil, fmt.Errorf("tcp: rank %d out of range for %d peers", rank, len(peers))
	}
	l, err := Listen(peers[rank])
	if err != nil {
		return nil, err
	}
	return Connect(ctx, l, rank, peers, cfg)
}

// Connect wires rank to every other rank of the world. peers[i] is rank
// i's listening address; peers[rank] must name l. Rank r dials every rank
// below it and accepts every rank above it, one authenticated connection
// per pair. Connect returns when all len(peers)-1 links are up, or fails
// when ctx ends or cfg.ConnectTimeout passes, with an error naming the
// ranks still missing. It closes l in every case.
func Connect(ctx context.Context, l *Listener, rank int, peers []string, cfg Config) (*Transport, error) {
	defer l.Close()
	size := len(peers)
	cfg = cfg.withSize(size)
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if rank < 0 || rank >= size {
		return nil, fmt.Errorf("tcp: rank %d out of range for %d peers", rank, size)
	}
	if !l.isListenAddr(peers[rank]) {
		return nil, fmt.Errorf("tcp: peers[%d] is %s but this rank listens on %s", rank, peers[rank], l.Addr())
	}

	start := time.Now()
	ctx, cancel := context.WithDeadline(ctx, start.Add(cfg.ConnectTimeout))
	defer cancel()
	deadline, _ := ctx.Deadline()
	w := &wireup{
		rank: rank, size: size, peers: peers, cfg: cfg, l: l,
		hp:       handshakeParams{secret: cfg.Secret, job: cfg.Job, size: size},
		deadline: deadline,
		conns:    make([]*net.TCPConn, size),
		reserved: make([]bool, size),
		lastErr:  make([]error, size),
		pending:  make(map[*net.TCPConn]uint64),
		done:     make(chan struct{}),
	}
	if size == 1 {
		close(w.done)
	}
	if rank < size-1 {
		w.wg.Add(1)
		go w.acceptLoop()
	}
	for r := 0; r < rank; r++ {
		w.wg.Add(1)
		go w.dialLoop(ctx, r)
	}

	select {
	case <-w.done:
	case <-ctx.Done():
	}
	w.finish()
	cancel()
	l.Close()
	w.wg.Wait()

	if err := w.failure(ctx, time.Since(start)); err != nil {
		for _, c := range w.conns {
			if c != nil {
				c.Close()
			}
		}
		return nil, err
	}
	return newTransport(rank, size, cfg, w.conns), nil
}

// testHookLinkUp, when set by a test, is called (under the wire-up's
// lock) each time rank self gets its link to peer.
var testHookLinkUp func(self, peer int)

// wireup is the state of one Connect: the links made so far and the
// goroutines making them.
type wireup struct {
	rank, size int
	peers      []string
	cfg        Config
	hp         handshakeParams
	l          *Listener
	deadline   time.Time

	mu       sync.Mutex
	conns    []*net.TCPConn          // authenticated links by rank
	n        int                     // how many of conns are set
	reserved []bool                  // ranks whose incoming handshake has passed the proof
	lastErr  []error                 // why the last dial of a rank failed
	pending  map[*net.TCPConn]uint64 // handshakes in progress, by arrival
	arrived  uint64                  // connections accepted so far
	over     bool                    // the wire-up has ended: no new links
	fatal    error                   // a failure no retry can fix
	done     chan struct{}
	wg       sync.WaitGroup
}

// finish ends the wire-up: no link is added after it, and handshakes in
// progress are cut short.
func (w *wireup) finish() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.over = true
	for c := range w.pending {
		c.Close()
	}
}

// add records an authenticated link, or closes it if the wire-up is over
// or the rank is connected already.
func (w *wireup) add(r int, c *net.TCPConn) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.over || w.conns[r] != nil {
		c.Close()
		return false
	}
	w.conns[r] = c
	w.n++
	if testHookLinkUp != nil {
		testHookLinkUp(w.rank, r)
	}
	if w.n == w.size-1 {
		close(w.done)
	}
	return true
}

func (w *wireup) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fatal == nil && !w.over {
		w.fatal = err
		close(w.done)
	}
}

// failure is the error Connect returns, or nil when every link is up.
func (w *wireup) failure(ctx context.Context, took time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fatal != nil {
		return fmt.Errorf("tcp: wire-up of rank %d of %d: %w", w.rank, w.size, w.fatal)
	}
	if w.n == w.size-1 {
		return nil
	}
	var missing []string
	for r, c := range w.conns {
		if r == w.rank || c != nil {
			continue
		}
		m := fmt.Sprintf("rank %d (%s", r, w.peers[r])
		switch {
		case w.lastErr[r] != nil:
			m += ": " + w.lastErr[r].Error()
		case r > w.rank:
			m += ": never connected to us"
		}
		missing = append(missing, m+")")
	}
	why := "timed out"
	if errors.Is(context.Cause(ctx), context.Canceled) {
		why = "canceled"
	}
	n := len(missing)
	if n > maxNamedMissing {
		// One line a person can read, even with hundreds missing.
		missing = append(missing[:maxNamedMissing], fmt.Sprintf("and %d more", n-maxNamedMissing))
	}
	return fmt.Errorf("tcp: wire-up of rank %d of %d %s after %v: %d of %d links missing: %s",
		w.rank, w.size, why, took.Round(time.Millisecond), n, w.size-1, strings.Join(missing, "; "))
}

// maxNamedMissing bounds the ranks a wire-up error names one by one.
const maxNamedMissing = 8

// handshakeDeadline bounds one handshake: HandshakeTimeout, and never
// past the end of the wire-up.
func (w *wireup) handshakeDeadline() time.Time {
	d := time.Now().Add(w.cfg.HandshakeTimeout)
	if d.After(w.deadline) {
		d = w.deadline
	}
	return d
}

// dialLoop connects to rank r, which is below us, retrying with backoff
// until it succeeds, the wire-up ends, or r refuses us.
func (w *wireup) dialLoop(ctx context.Context, r int) {
	defer w.wg.Done()
	d := net.Dialer{KeepAlive: -1}
	if ip := w.l.localIP(); ip != nil {
		d.LocalAddr = &net.TCPAddr{IP: ip}
		d.Control = bindAddressNoPort
	}
	backoff := minBackoff
	for {
		c, err := w.dialOnce(ctx, &d, r)
		if err == nil {
			w.add(r, c)
			return
		}
		if ctx.Err() != nil {
			return
		}
		w.mu.Lock()
		w.lastErr[r] = err
		w.mu.Unlock()
		var refused *refusedError
		var refusal *refusal
		if errors.As(err, &refused) || errors.As(err, &refusal) {
			w.fail(fmt.Errorf("rank %d at %s: %w", r, w.peers[r], err))
			return
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

func (w *wireup) dialOnce(ctx context.Context, d *net.Dialer, r int) (*net.TCPConn, error) {
	nc, err := d.DialContext(ctx, "tcp", w.peers[r])
	if err != nil {
		return nil, err
	}
	c := nc.(*net.TCPConn)
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	c.SetNoDelay(true)
	// The dialer waits for rank r as long as the wire-up lasts, not
	// HandshakeTimeout: it dialed a peer's published address, so the other
	// end is a peer, however slow (a loaded machine with hundreds of ranks
	// per core schedules each of them seconds apart). Giving up early
	// only repeats the work, and giving up after r has counted the link
	// would leave r holding a link we closed, and our redial refused as a
	// duplicate.
	c.SetDeadline(w.deadline)
	if err := dialHandshake(c, w.hp, w.rank, r); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.SetDeadline(time.Time{}); err != nil {
		c.Close()
		return nil, err
	}
	if !stop() { // the wire-up ended meanwhile, and c is closed or closing
		c.Close()
		return nil, context.Cause(ctx)
	}
	return c, nil
}

// acceptLoop takes incoming connections until the listener closes, and
// handshakes each on its own goroutine so one slow stranger delays nobody.
func (w *wireup) acceptLoop() {
	defer w.wg.Done()
	for {
		c, err := w.l.ln.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait, do not spin.
			slog.Debug("tcp: accept", "rank", w.rank, "err", err)
			time.Sleep(minBackoff)
			continue
		}
		w.mu.Lock()
		if w.over {
			w.mu.Unlock()
			c.Close()
			return
		}
		if len(w.pending) >= maxPending(w.size) {
			w.evictOldest()
		}
		w.arrived++
		w.pending[c] = w.arrived
		if testHookPending != nil {
			testHookPending(len(w.pending))
		}
		w.wg.Add(1)
		w.mu.Unlock()
		go w.handleIncoming(c)
	}
}

// maxPending caps the handshakes in progress at one rank, so that
// strangers who connect and say nothing hold a bounded number of sockets
// and goroutines however fast they come: far more than the job's own
// peers (at most size-1 of which dial a rank) ever need at once.
func maxPending(size int) int { return max(64, 2*size) }

// evictOldest cuts the handshake that has waited longest, to make room
// (w.mu held). A peer's handshake takes one round trip, a stranger's lasts
// until its deadline, so the oldest is almost always a stranger; a peer
// cut short by a flood dials again, as after any failed attempt.
func (w *wireup) evictOldest() {
	var oldest *net.TCPConn
	var at uint64
	for c, n := range w.pending {
		if oldest == nil || n < at {
			oldest, at = c, n
		}
	}
	delete(w.pending, oldest)
	oldest.Close()
}

// testHookPending, when set by a test, is called (under the wire-up's
// lock) with the number of handshakes in progress after each accept.
var testHookPending func(n int)

func (w *wireup) handleIncoming(c *net.TCPConn) {
	defer w.wg.Done()
	c.SetNoDelay(true)
	c.SetDeadline(w.handshakeDeadline())
	claimed := -1
	peer, err := acceptHandshake(c, w.hp, w.rank, w.wanted, func(p int) error {
		if err := w.claim(p, c); err != nil {
			return err
		}
		claimed = p
		if testHookClaimed != nil {
			testHookClaimed(w.rank, p)
		}
		return nil
	})
	if err == nil {
		err = c.SetDeadline(time.Time{})
	}
	w.mu.Lock()
	delete(w.pending, c)
	if err != nil && claimed >= 0 {
		w.reserved[claimed] = false
	}
	w.mu.Unlock()
	if err != nil {
		c.Close()
		slog.Debug("tcp: refused incoming connection", "rank", w.rank, "remote", c.RemoteAddr().String(), "err", err)
		return
	}
	w.add(peer, c)
}

// wanted says whether rank p may dial us: only higher ranks do, once each.
func (w *wireup) wanted(p int) error {
	if p <= w.rank || p >= w.size {
		return refuse(refuseRank, "rank %d does not dial rank %d", p, w.rank)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.reserved[p] || w.conns[p] != nil {
		return refuse(refuseDuplicate, "rank %d", p)
	}
	return nil
}

// claim reserves rank p for the dialer on c, which has proved itself.
// From here on c is a peer's, no longer a handshake in progress: a flood
// of strangers cannot evict it (the welcome that follows would be cut, and
// the dialer would find the rank reserved when it dialed again).
func (w *wireup) claim(p int, c *net.TCPConn) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.over:
		return refuse(refuseOver, "rank %d", p)
	case w.reserved[p] || w.conns[p] != nil:
		return refuse(refuseDuplicate, "rank %d", p)
	}
	w.reserved[p] = true
	delete(w.pending, c)
	return nil
}

// testHookClaimed, when set by a test, is called when acceptor rank self
// has reserved rank peer, before it sends the welcome.
var testHookClaimed func(self, peer int)
