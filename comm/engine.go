package comm

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// An engine is the per-process state under every communicator of one
// world: the transport, the matching queues, and which peers are gone.
// Communicators made by Split and Dup share their parent's engine.
type engine struct {
	t     Transport
	prog  Progresser // t, when it can deliver on a waiting caller's goroutine
	rank  int
	size  int
	cfg   Config
	sendq []sendQueue // per destination, keeps sends in call order

	mu         sync.Mutex
	posted     []*recvReq
	unexpected []*inbound
	claims     []claim       // by source, between Claim and Deliver (a slice: no hashing per message)
	lost       map[int]error // peers that are gone, and why
	broken     error         // set when the world can no longer work: every call fails with it
	closed     bool
	aborting   bool // this rank called Abort: its own links going down are no news
	nextCtx    uint32
	notified   bool // we already told the others about a lost peer

	// trouble is set, under mu, once lost, broken, closed or aborting is:
	// until then a send need not take mu to learn that all is well.
	trouble atomic.Bool
}

func newEngine(t Transport, cfg Config) *engine {
	prog, _ := t.(Progresser)
	e := &engine{
		t:       t,
		prog:    prog,
		rank:    t.Rank(),
		size:    t.Size(),
		cfg:     cfg,
		sendq:   make([]sendQueue, t.Size()),
		claims:  make([]claim, t.Size()),
		lost:    make(map[int]error),
		nextCtx: 1,
	}
	return e
}

// Claim implements Handler.
func (e *engine) Claim(h Header) []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	if h.Context == controlContext {
		buf := make([]byte, h.Length)
		e.claims[h.Source] = claim{in: &inbound{hdr: h, buf: buf}}
		return buf
	}
	if r := e.matchLocked(h); r != nil {
		buf := r.target(h)
		e.claims[h.Source] = claim{req: r}
		return buf
	}
	in := &inbound{hdr: h, buf: make([]byte, h.Length), ready: make(chan struct{})}
	e.unexpected = append(e.unexpected, in)
	e.claims[h.Source] = claim{in: in}
	return in.buf
}

// Receive implements WholeReceiver: Claim, the copy and Deliver under one
// lock, for a frame whose payload the transport holds whole.
func (e *engine) Receive(h Header, payload []byte) {
	if h.Context == controlContext {
		buf := e.Claim(h)
		copy(buf, payload)
		e.Deliver(h, buf, nil)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if r := e.matchLocked(h); r != nil {
		copy(r.target(h), payload)
		r.finish()
		return
	}
	in := &inbound{hdr: h, buf: make([]byte, len(payload)), ready: arrived}
	copy(in.buf, payload)
	e.unexpected = append(e.unexpected, in)
}

// matchLocked takes out of the posted receives the first that accepts h,
// if any, and records h as what it matched.
func (e *engine) matchLocked(h Header) *recvReq {
	for i, r := range e.posted {
		if r.accepts(h) {
			e.posted = append(e.posted[:i], e.posted[i+1:]...)
			r.hdr = h
			return r
		}
	}
	return nil
}

// arrived is the ready channel of an unexpected message that came whole.
var arrived = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Deliver implements Handler.
func (e *engine) Deliver(h Header, buf []byte, err error) {
	e.mu.Lock()
	c := e.claims[h.Source]
	e.claims[h.Source] = claim{}
	if h.Context == controlContext {
		e.mu.Unlock()
		if err == nil && c.in != nil && h.Tag == tagFailure {
			e.failureNotice(int(h.Source), string(c.in.buf))
		}
		return
	}
	switch {
	case c.req != nil:
		if err != nil && c.req.err == nil {
			c.req.err = &RankError{Rank: int(h.Source), Op: c.req.op, Err: lostErr(err)}
		}
		c.req.finish()
	case c.in != nil:
		if err != nil {
			err = lostErr(err)
		}
		c.in.err = err
		close(c.in.ready)
	}
	e.mu.Unlock()
}

// lostErr marks a transport's error as the loss of the peer, so callers
// can test for it with errors.Is(err, ErrPeerLost).
func lostErr(err error) error {
	var ae *AbortError
	if errors.Is(err, ErrPeerLost) || errors.Is(err, ErrPeerClosed) || errors.As(err, &ae) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrPeerLost, err)
}

// Lost implements Handler. A peer that closed normally only fails the
// receives waiting for it, and so does any loss under LossIsolated (but an
// abort). Any other loss breaks the world: every pending and later call
// fails naming the lost rank, and the other ranks are told, so one failure
// ends the whole job instead of hanging part of it.
func (e *engine) Lost(peer int, err error) {
	if err == nil {
		err = ErrPeerLost
	}
	e.mu.Lock()
	if _, dup := e.lost[peer]; dup {
		e.mu.Unlock()
		return
	}
	clean := errors.Is(err, ErrPeerClosed)
	err = lostErr(err)
	e.lost[peer] = err
	e.trouble.Store(true)
	if c := e.claims[peer]; c.req != nil || c.in != nil {
		// The reader is gone mid-payload: Deliver will not come.
		e.claims[peer] = claim{}
		switch {
		case c.req != nil:
			if c.req.err == nil {
				c.req.err = &RankError{Rank: peer, Op: c.req.op, Err: err}
			}
			c.req.finish()
		case c.in != nil && c.in.ready != nil:
			c.in.err = err
			close(c.in.ready)
		}
	}
	var ae *AbortError
	isolated := e.cfg.Loss == LossIsolated && !errors.As(err, &ae)
	if clean || e.closed || e.aborting || isolated {
		e.failPostedLocked(func(r *recvReq) bool { return r.src == peer }, peer, err)
		e.mu.Unlock()
		e.tellPeerLost(peer, err)
		return
	}
	if e.broken == nil {
		e.setBrokenLocked(&RankError{Rank: peer, Op: "lost", Err: err})
	}
	e.failPostedLocked(func(*recvReq) bool { return true }, peer, err)
	notify := !e.notified
	e.notified = true
	e.mu.Unlock()
	e.tellPeerLost(peer, err)
	if notify && !errors.As(err, &ae) {
		go e.notifyOthers(peer, err)
	}
}

// tellPeerLost calls Config.OnPeerLost, if set, on its own goroutine.
func (e *engine) tellPeerLost(peer int, err error) {
	if f := e.cfg.OnPeerLost; f != nil {
		go f(peer, err)
	}
}

// lostPeers returns the world ranks this rank can no longer reach, in
// increasing order.
func (e *engine) lostPeers() []int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]int, 0, len(e.lost))
	for r := range e.lost {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// failPostedLocked completes with an error the posted receives that sel picks.
func (e *engine) failPostedLocked(sel func(*recvReq) bool, peer int, err error) {
	kept := e.posted[:0]
	for _, r := range e.posted {
		if sel(r) {
			r.err = &RankError{Rank: peer, Op: r.op, Err: err}
			r.finish()
			continue
		}
		kept = append(kept, r)
	}
	for i := len(kept); i < len(e.posted); i++ {
		e.posted[i] = nil
	}
	e.posted = kept
}

// notifyOthers tells every reachable peer that this rank lost peer, so
// ranks not connected to the failure stop waiting too.
func (e *engine) notifyOthers(peer int, err error) {
	msg := []byte(fmt.Sprintf("%d\x00%v", peer, err))
	for dst := 0; dst < e.size; dst++ {
		if dst == e.rank || dst == peer {
			continue
		}
		h := Header{Context: controlContext, Source: uint32(e.rank), Tag: tagFailure, Type: Byte, Length: uint64(len(msg))}
		_ = e.send(dst, h, msg)
	}
}

// failureNotice handles a peer's report that it lost a rank.
func (e *engine) failureNotice(from int, msg string) {
	var lost int
	var reason string
	if i := indexByte(msg, 0); i >= 0 {
		fmt.Sscanf(msg[:i], "%d", &lost)
		reason = msg[i+1:]
	}
	e.mu.Lock()
	// Under LossIsolated another rank's loss is no concern of ours (and an
	// isolated world sends no notices; one arrives only from a rank of a
	// mixed-policy world).
	if e.broken == nil && !e.closed && e.cfg.Loss != LossIsolated {
		e.setBrokenLocked(&RankError{Rank: lost, Op: "lost", Err: fmt.Errorf("%w (reported by rank %d: %s)", ErrPeerLost, from, reason)})
		e.failPostedLocked(func(*recvReq) bool { return true }, lost, e.broken)
	}
	e.mu.Unlock()
}

// setBrokenLocked records why the world no longer works and tells
// Config.OnFailure, once. Not for this rank's own Abort: the caller
// already knows.
func (e *engine) setBrokenLocked(err error) {
	e.broken = err
	e.trouble.Store(true)
	if f := e.cfg.OnFailure; f != nil && !e.aborting {
		go f(err)
	}
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// post registers a receive, or completes it at once from the unexpected
// queue. It returns an error without posting if the world is broken.
func (e *engine) post(r *recvReq) {
	e.mu.Lock()
	if err := e.unusableLocked(r.op); err != nil {
		r.err = err
		r.finish()
		e.mu.Unlock()
		return
	}
	for i, in := range e.unexpected {
		if r.accepts(in.hdr) {
			e.unexpected = append(e.unexpected[:i], e.unexpected[i+1:]...)
			e.mu.Unlock()
			<-in.ready // the payload may still be arriving
			r.hdr = in.hdr
			if in.err != nil {
				r.err = &RankError{Rank: int(in.hdr.Source), Op: r.op, Err: in.err}
			} else if r.alloc {
				r.data = in.buf
			} else {
				dst := r.target(in.hdr)
				if r.err == nil {
					copy(dst, in.buf)
				}
			}
			r.finish() // without the mutex: r is not posted, and only its poster has it
			return
		}
	}
	if r.src != AnySource {
		if err, gone := e.lost[r.src]; gone {
			r.err = &RankError{Rank: r.src, Op: r.op, Err: err}
			r.finish()
			e.mu.Unlock()
			return
		}
	}
	e.posted = append(e.posted, r)
	e.mu.Unlock()
}

// unusableLocked returns why no call may proceed, or nil.
func (e *engine) unusableLocked(op string) error {
	if e.closed {
		return ErrClosed
	}
	if e.broken != nil {
		var re *RankError
		if errors.As(e.broken, &re) {
			return &RankError{Rank: re.Rank, Op: op, Err: re.Err}
		}
		return e.broken
	}
	return nil
}

// wait blocks until r completes or the configured timeout passes. On a
// timeout a receive that has not started to arrive is withdrawn; one whose
// payload is already arriving is waited for (its buffer is in use). A
// Progresser transport first gets the chance to deliver on this goroutine,
// and a receive it completes makes no channel at all.
func (e *engine) wait(r *recvReq) error {
	if r.fin.Load() {
		return r.err
	}
	if e.prog != nil {
		e.prog.Progress(r.src, &r.fin)
		if r.fin.Load() {
			return r.err
		}
	}
	e.mu.Lock()
	if r.fin.Load() {
		e.mu.Unlock()
		return r.err
	}
	if r.wake == nil {
		r.wake = make(chan struct{})
	}
	done := r.wake
	e.mu.Unlock()
	if e.cfg.Timeout <= 0 {
		<-done
		return r.err
	}
	timer := time.NewTimer(e.cfg.Timeout)
	defer timer.Stop()
	select {
	case <-done:
		return r.err
	case <-timer.C:
	}
	e.mu.Lock()
	for i, p := range e.posted {
		if p == r {
			e.posted = append(e.posted[:i], e.posted[i+1:]...)
			e.mu.Unlock()
			return &RankError{Rank: r.src, Op: r.op, Err: fmt.Errorf("%w after %v waiting for a message (tag %d)", ErrTimeout, e.cfg.Timeout, r.tag)}
		}
	}
	e.mu.Unlock()
	<-done
	return r.err
}

// send delivers one message to world rank dst, in call order per dst.
func (e *engine) send(dst int, h Header, payload []byte) error {
	if dst == e.rank {
		e.selfSend(h, payload)
		return nil
	}
	q := &e.sendq[dst]
	q.acquire()
	defer q.release()
	return e.transmit(dst, h, payload)
}

func (e *engine) transmit(dst int, h Header, payload []byte) error {
	if !e.trouble.Load() {
		// Nothing has gone wrong yet: the common case takes no lock. A
		// loss that happens now is the transport's to report, as it is
		// for one that happens just after the check under mu.
		return e.transmitNow(dst, h, payload)
	}
	e.mu.Lock()
	if h.Context != controlContext {
		if err := e.unusableLocked("Send"); err != nil {
			e.mu.Unlock()
			return err
		}
	}
	if err, gone := e.lost[dst]; gone {
		e.mu.Unlock()
		return &RankError{Rank: dst, Op: "Send", Err: err}
	}
	e.mu.Unlock()
	return e.transmitNow(dst, h, payload)
}

// transmitNow hands the frame to the transport.
func (e *engine) transmitNow(dst int, h Header, payload []byte) error {
	if err := e.t.Send(dst, h, payload); err != nil {
		e.mu.Lock()
		if why, gone := e.lost[dst]; gone {
			err = why // the reader's account of the loss says more than the write's
		}
		e.mu.Unlock()
		return &RankError{Rank: dst, Op: "Send", Err: lostErr(err)}
	}
	return nil
}

// selfSend matches a message to this rank itself: the core plays the
// transport's part, copying the payload as a peer would receive it.
func (e *engine) selfSend(h Header, payload []byte) {
	e.Receive(h, payload)
}

func (e *engine) abort(code int) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	ae := &AbortError{Rank: e.rank, Code: code}
	e.aborting = true
	e.trouble.Store(true)
	if e.broken == nil {
		e.broken = ae
	}
	e.failPostedLocked(func(*recvReq) bool { return true }, e.rank, ae)
	e.mu.Unlock()
	return e.t.Abort(code)
}

func (e *engine) close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.trouble.Store(true)
	e.failPostedLocked(func(*recvReq) bool { return true }, e.rank, ErrClosed)
	e.mu.Unlock()
	return e.t.Close()
}

// sendQueue hands the right to write to one destination to senders in the
// order they asked for it, so Isend followed by Send arrive in that order
// (non-overtaking). The uncontended path is one compare-and-swap each way:
// no lock, no goroutine switch.
type sendQueue struct {
	// state is 0 when nobody writes, 1 when a sender does and nobody
	// waits, 2 when others wait too (then waiting is not empty, and only
	// a holder of mu changes state).
	state   atomic.Int32
	mu      sync.Mutex
	waiting []chan struct{}
}

// acquire blocks until it is the caller's turn.
func (q *sendQueue) acquire() {
	if turn := q.reserve(); turn != nil {
		<-turn
	}
}

// reserve takes a place in line now; it returns nil when the caller may
// write at once, or a channel that is closed when its turn comes.
func (q *sendQueue) reserve() chan struct{} {
	if q.state.CompareAndSwap(0, 1) {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		switch q.state.Load() {
		case 0:
			if q.state.CompareAndSwap(0, 1) {
				return nil
			}
		case 1:
			if q.state.CompareAndSwap(1, 2) {
				return q.wait()
			}
		default:
			return q.wait()
		}
	}
}

// wait queues a turn; under mu, with state 2.
func (q *sendQueue) wait() chan struct{} {
	turn := make(chan struct{})
	q.waiting = append(q.waiting, turn)
	return turn
}

// release passes the turn to the first in line, if any.
func (q *sendQueue) release() {
	if q.state.CompareAndSwap(1, 0) {
		return
	}
	q.mu.Lock()
	next := q.waiting[0]
	q.waiting[0] = nil
	q.waiting = q.waiting[1:]
	if len(q.waiting) == 0 {
		q.state.Store(1) // held by next, and nobody else waits
	}
	q.mu.Unlock()
	close(next)
}
