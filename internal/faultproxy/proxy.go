package faultproxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Dir is a direction of the proxied streams, or both.
type Dir uint8

const (
	// Up is client→target: what the client writes.
	Up Dir = 1 << iota
	// Down is target→client: what the target writes.
	Down
	// Both is Up and Down.
	Both = Up | Down
)

func (d Dir) String() string {
	switch d {
	case Up:
		return "up"
	case Down:
		return "down"
	case Both:
		return "both"
	}
	return fmt.Sprintf("Dir(%d)", uint8(d))
}

// CaptureLimit is how many bytes of each direction Captured keeps.
const CaptureLimit = 4096

const (
	chunkSize   = 32 << 10
	queueChunks = 16 // per direction: what a stalled direction holds before pushing back
	dialTimeout = 5 * time.Second
)

// faults are the settings of one direction.
type faults struct {
	delay     time.Duration
	stalled   bool
	dropAfter int64 // -1: none
	cutAfter  int64 // -1: none
	corrupt   map[int64]bool
}

func noFaults() faults { return faults{dropAfter: -1, cutAfter: -1} }

// Proxy forwards every connection made to Addr to its target, applying
// the faults set on it. Its methods are safe for concurrent use.
type Proxy struct {
	ln     *net.TCPListener
	target string

	mu     sync.Mutex
	cond   *sync.Cond // broadcast on every change of f and on every cut
	f      [2]faults  // indexed by dirIndex
	conns  map[*conn]struct{}
	latest *conn
	n      int
	closed bool

	wg sync.WaitGroup
}

// New listens on listen ("127.0.0.1:0" for any free port) and forwards
// each connection to target. Both must be literal loopback addresses.
func New(listen, target string) (*Proxy, error) {
	if err := checkLoopback("listen", listen); err != nil {
		return nil, err
	}
	if err := checkLoopback("target", target); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: %w", err)
	}
	p := &Proxy{ln: ln.(*net.TCPListener), target: target, conns: make(map[*conn]struct{})}
	p.cond = sync.NewCond(&p.mu)
	p.f = [2]faults{noFaults(), noFaults()}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// checkLoopback accepts only "IP:port" with a loopback IP: no host names,
// no unspecified address.
func checkLoopback(what, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("faultproxy: %s address %q: %v", what, addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("faultproxy: %s address %q is not a loopback IP (127.0.0.0/8 or ::1): fault tests stay on this machine", what, addr)
	}
	return nil
}

// Addr is the address clients should dial instead of the target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Target is the address every connection is forwarded to.
func (p *Proxy) Target() string { return p.target }

// Conns is the number of connections accepted so far.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// Close stops accepting, cuts every connection and waits for the
// proxy's goroutines to end. It is idempotent.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.ln.Close()
	p.Cut()
	p.wg.Wait()
	return nil
}

func dirs(d Dir) []int {
	switch d {
	case Up:
		return []int{0}
	case Down:
		return []int{1}
	case Both:
		return []int{0, 1}
	}
	panic(fmt.Sprintf("faultproxy: bad direction %d", uint8(d)))
}

// set changes the faults of the directions in d.
func (p *Proxy) set(d Dir, fn func(f *faults)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, i := range dirs(d) {
		fn(&p.f[i])
	}
	p.cond.Broadcast()
}

// Delay holds every chunk forwarded in d for delay after it was read
// (0 removes the delay). It adds latency, not a throughput limit.
func (p *Proxy) Delay(d Dir, delay time.Duration) {
	if delay < 0 {
		panic("faultproxy: negative delay")
	}
	p.set(d, func(f *faults) { f.delay = delay })
}

// Stall stops forwarding in d without closing anything: what the sender
// writes queues up, then fills the sockets' buffers.
func (p *Proxy) Stall(d Dir) { p.set(d, func(f *faults) { f.stalled = true }) }

// Resume undoes Stall: forwarding in d goes on where it stopped.
func (p *Proxy) Resume(d Dir) { p.set(d, func(f *faults) { f.stalled = false }) }

// DropAfter forwards the first n bytes of each stream in d and silently
// discards the rest; the sender sees no error. n < 0 removes the fault.
func (p *Proxy) DropAfter(d Dir, n int64) { p.set(d, func(f *faults) { f.dropAfter = max(n, -1) }) }

// CutAfter forwards the first n bytes of each stream in d, then closes
// both sides of that connection: a truncation at an exact offset. n < 0
// removes the fault.
func (p *Proxy) CutAfter(d Dir, n int64) { p.set(d, func(f *faults) { f.cutAfter = max(n, -1) }) }

// CorruptByte flips every bit of the byte at offset of each stream in d
// (if that byte has not been forwarded yet). Several offsets may be set.
func (p *Proxy) CorruptByte(d Dir, offset int64) {
	if offset < 0 {
		panic("faultproxy: negative offset")
	}
	p.set(d, func(f *faults) {
		if f.corrupt == nil {
			f.corrupt = make(map[int64]bool)
		}
		f.corrupt[offset] = true
	})
}

// Heal removes every fault: no delay, stall, drop, cut or corruption.
// Bytes already dropped stay dropped.
func (p *Proxy) Heal() {
	p.set(Both, func(f *faults) { *f = noFaults() })
}

// Cut closes both sockets of every current connection now, discarding
// whatever was queued. New connections are still accepted.
func (p *Proxy) Cut() {
	p.mu.Lock()
	cs := make([]*conn, 0, len(p.conns))
	for c := range p.conns {
		cs = append(cs, c)
	}
	p.mu.Unlock()
	for _, c := range cs {
		c.cut()
	}
}

// Forwarded is how far the most recent connection has got in direction d
// (Up or Down): the stream offset of the next byte to handle. Bytes
// dropped by DropAfter count as handled.
func (p *Proxy) Forwarded(d Dir) int64 {
	i := dirs(d)
	if len(i) != 1 {
		panic("faultproxy: Forwarded needs Up or Down")
	}
	p.mu.Lock()
	c := p.latest
	p.mu.Unlock()
	if c == nil {
		return 0
	}
	return c.s[i[0]].written.Load()
}

// Captured returns a copy of the first CaptureLimit bytes the most recent
// connection forwarded in direction d (Up or Down), as they were read
// from the sender (before any corruption).
func (p *Proxy) Captured(d Dir) []byte {
	i := dirs(d)
	if len(i) != 1 {
		panic("faultproxy: Captured needs Up or Down")
	}
	p.mu.Lock()
	c := p.latest
	p.mu.Unlock()
	if c == nil {
		return nil
	}
	s := c.s[i[0]]
	s.capMu.Lock()
	defer s.capMu.Unlock()
	return append([]byte(nil), s.capture...)
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		client, err := p.ln.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		nc, err := net.DialTimeout("tcp", p.target, dialTimeout)
		if err != nil {
			client.Close()
			continue
		}
		c := &conn{p: p, client: client, target: nc.(*net.TCPConn), done: make(chan struct{})}
		c.s[0] = &stream{c: c, idx: 0, src: client, dst: c.target, q: make(chan chunk, queueChunks)}
		c.s[1] = &stream{c: c, idx: 1, src: c.target, dst: client, q: make(chan chunk, queueChunks)}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			client.Close()
			c.target.Close()
			return
		}
		p.conns[c] = struct{}{}
		p.latest = c
		p.n++
		p.mu.Unlock()
		c.live.Add(4)
		p.wg.Add(5)
		for _, s := range c.s {
			go s.read()
			go s.write()
		}
		go func() { // forget the connection once all four goroutines end
			defer p.wg.Done()
			c.live.Wait()
			c.cut()
			p.mu.Lock()
			delete(p.conns, c)
			p.mu.Unlock()
		}()
	}
}

// conn is one proxied connection: client↔proxy and proxy↔target.
type conn struct {
	p              *Proxy
	client, target *net.TCPConn
	s              [2]*stream
	done           chan struct{} // closed by cut
	once           sync.Once
	live           sync.WaitGroup // the four stream goroutines
}

// cut closes both sockets and wakes every goroutine of c.
func (c *conn) cut() {
	c.once.Do(func() {
		close(c.done)
		c.client.Close()
		c.target.Close()
		c.p.mu.Lock()
		c.p.cond.Broadcast()
		c.p.mu.Unlock()
	})
}

func (c *conn) isCut() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

type chunk struct {
	off  int64
	data []byte
	at   time.Time
}

// stream is one direction of a conn: a reader goroutine feeding a writer
// goroutine through q.
type stream struct {
	c        *conn
	idx      int
	src, dst *net.TCPConn
	q        chan chunk
	written  atomic.Int64

	capMu   sync.Mutex
	capture []byte
}

func (s *stream) done() {
	s.c.live.Done()
	s.c.p.wg.Done()
}

func (s *stream) read() {
	defer s.done()
	defer close(s.q)
	var off int64
	for {
		buf := make([]byte, chunkSize)
		n, err := s.src.Read(buf)
		if n > 0 {
			s.record(buf[:n])
			select {
			case s.q <- chunk{off: off, data: buf[:n], at: time.Now()}:
			case <-s.c.done:
				return
			}
			off += int64(n)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				// A reset or a cut: nothing more will come either way.
				s.c.cut()
			}
			return
		}
	}
}

func (s *stream) record(b []byte) {
	s.capMu.Lock()
	defer s.capMu.Unlock()
	if room := CaptureLimit - len(s.capture); room > 0 {
		s.capture = append(s.capture, b[:min(room, len(b))]...)
	}
}

func (s *stream) write() {
	defer s.done()
	for ch := range s.q {
		f, ok := s.wait()
		if !ok {
			return
		}
		if f.delay > 0 {
			if wait := time.Until(ch.at.Add(f.delay)); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-s.c.done:
					t.Stop()
					return
				}
			}
		}
		data := ch.data
		end := ch.off + int64(len(data))
		for off := range f.corrupt {
			if off >= ch.off && off < end {
				data[off-ch.off] ^= 0xff
			}
		}
		cut := false
		if f.cutAfter >= 0 && end > f.cutAfter {
			data = data[:max(0, f.cutAfter-ch.off)]
			cut = true
		}
		if f.dropAfter >= 0 && end > f.dropAfter {
			data = data[:max(0, f.dropAfter-ch.off)]
		}
		// The counter moves before the write: once the receiver can see
		// these bytes, Forwarded must already count them, or a test that
		// saw a reply and then aims a fault at "the next byte" would aim
		// at bytes already gone. Dropped bytes count as handled.
		s.written.Store(end)
		if len(data) > 0 {
			if _, err := s.dst.Write(data); err != nil {
				s.c.cut()
				return
			}
		}
		if cut {
			s.c.cut()
			return
		}
	}
	// The source sent EOF: pass the half-close on.
	if !s.c.isCut() {
		s.dst.CloseWrite()
	}
}

// wait blocks while this direction is stalled and returns its faults,
// or false once the connection is cut.
func (s *stream) wait() (faults, bool) {
	p := s.c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.f[s.idx].stalled && !s.c.isCut() {
		p.cond.Wait()
	}
	if s.c.isCut() {
		return faults{}, false
	}
	f := p.f[s.idx]
	if len(f.corrupt) > 0 {
		m := make(map[int64]bool, len(f.corrupt))
		for k := range f.corrupt {
			m[k] = true
		}
		f.corrupt = m
	}
	return f, true
}
