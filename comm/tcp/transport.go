package tcp

import (
	"fmt"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// Transport is one rank's set of links to every other rank. It implements
// comm.Transport. Make one with Connect or Dial.
type Transport struct {
	rank, size int
	cfg        Config
	links      []*link // by rank; nil at our own rank

	mu       sync.Mutex // orders Start against Close and Abort
	started  bool
	closing  atomic.Bool
	localErr error // ErrClosed or ErrAborted, set before closing
	stop     chan struct{}

	readers    sync.WaitGroup
	heartbeats sync.WaitGroup

	copy *copyState // nil when single copy is off (copy.go)
}

var _ comm.Transport = (*Transport)(nil)

// goodbyeTimeout bounds the goodbye of Close and Abort: a peer whose
// socket is full and does not take a goaway or abort frame within it does
// not get it. (A frame that fits goes out at once, see writeNow.)
const goodbyeTimeout = time.Second

func newTransport(rank, size int, cfg Config, conns []*net.TCPConn) *Transport {
	t := &Transport{rank: rank, size: size, cfg: cfg, links: make([]*link, size), stop: make(chan struct{})}
	if cfg.SingleCopy > 0 && singleCopySupported && size > 1 {
		t.copy = newCopyState()
	}
	for r, c := range conns {
		if c == nil {
			continue
		}
		t.links[r] = newLink(t, r, c)
		t.heartbeats.Add(1)
		go t.links[r].heartbeat(t.stop)
	}
	return t
}

// Rank returns this process's rank.
func (t *Transport) Rank() int { return t.rank }

// Size returns the number of ranks in the world.
func (t *Transport) Size() int { return t.size }

// Start starts one reader goroutine per link, delivering to h. It panics
// if called twice or with a nil h. After Close it does nothing.
func (t *Transport) Start(h comm.Handler) {
	if h == nil {
		panic("tcp: Start with nil Handler")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.started {
		panic("tcp: Start called twice")
	}
	t.started = true
	if t.closing.Load() {
		return
	}
	for _, l := range t.links {
		if l != nil {
			t.readers.Add(1)
			go l.readLoop(h)
		}
	}
}

// Send writes one data frame to rank dst on the caller's goroutine and
// returns once the payload is handed to the kernel. The frame's source is
// always this rank, whatever h.Source says. Send panics if dst is out of
// range or this rank, if len(payload) != h.Length, or if h.Type is not a
// valid datatype of which the payload holds whole elements; it returns an error
// if the message is longer than Config.MaxMessage, after Close or Abort,
// and once the link to dst is lost.
func (t *Transport) Send(dst int, h comm.Header, payload []byte) error {
	if dst < 0 || dst >= t.size || dst == t.rank {
		panic(fmt.Sprintf("tcp: Send to rank %d from rank %d of %d", dst, t.rank, t.size))
	}
	if uint64(len(payload)) != h.Length {
		panic(fmt.Sprintf("tcp: Send: len(payload) %d != Header.Length %d", len(payload), h.Length))
	}
	if !h.Type.Valid() || h.Length%uint64(h.Type.Size()) != 0 {
		panic(fmt.Sprintf("tcp: Send: %d bytes is not a whole number of elements of datatype %v", h.Length, h.Type))
	}
	if h.Length > t.cfg.MaxMessage {
		return fmt.Errorf("tcp: send to rank %d: message of %d bytes exceeds MaxMessage %d", dst, h.Length, t.cfg.MaxMessage)
	}
	l := t.links[dst]
	fh := frameHeader{Type: frameData, Datatype: h.Type, Context: h.Context, Source: uint32(t.rank), Tag: h.Tag, Length: h.Length}
	var err error
	if l.useCopy(h.Length) {
		err = l.sendCopy(fh, payload)
	} else {
		err = l.writeLocked(fh, payload)
	}
	if err != nil {
		return fmt.Errorf("tcp: send to rank %d: %w", dst, err)
	}
	return nil
}

// Close sends goaway to every peer, waits briefly for them to hang up,
// closes every connection and stops every goroutine. Each reader reports
// Lost(peer, ErrClosed) unless the peer's own goodbye came first. Close is
// idempotent, and does nothing after Abort.
func (t *Transport) Close() error {
	t.shutdown(frameGoAway, 0, ErrClosed)
	return nil
}

// Abort sends an abort frame with code to every peer (in parallel, each
// bounded by a short deadline), then closes everything. Peers report it
// as Lost(rank, *comm.AbortError{Rank: rank, Code: code}). After Close it
// does nothing. Codes beyond int32 are clamped.
func (t *Transport) Abort(code int) error {
	t.shutdown(frameAbort, int32(max(min(code, math.MaxInt32), math.MinInt32)), ErrAborted)
	return nil
}

func (t *Transport) shutdown(kind frameType, code int32, why error) {
	t.mu.Lock()
	if t.closing.Load() {
		t.mu.Unlock()
		return
	}
	t.localErr = why
	t.closing.Store(true)
	started := t.started
	t.mu.Unlock()
	close(t.stop)

	var wg sync.WaitGroup
	for _, l := range t.links {
		if l != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l.goodbye(kind, code, why)
			}()
		}
	}
	wg.Wait()

	if kind == frameGoAway && started {
		// Let peers read the goaway and hang up first: closing a socket
		// with unread input resets it, and a reset can destroy the goaway
		// before the peer reads it. A live peer's reader hangs up as soon
		// as it runs, however loaded the machine; only a peer that is
		// stuck takes until DeadAfter, when our reader gives up on it.
		done := make(chan struct{})
		go func() { t.readers.Wait(); close(done) }()
		timer := time.NewTimer(t.cfg.DeadAfter)
		select {
		case <-done:
		case <-timer.C:
		}
		timer.Stop()
	}
	for _, l := range t.links {
		if l != nil {
			l.conn.Close()
		}
	}
	t.readers.Wait()
	t.heartbeats.Wait()
}
