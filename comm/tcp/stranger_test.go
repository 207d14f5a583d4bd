package tcp

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// TestStrangers: while rank 0 waits for its peers, strangers connect to
// it: random bytes, a wrong secret, handshakes captured from this job and
// from another and replayed, a frame header with a length of 2^62, a
// slow-loris that sends one byte per second, and an impostor that knows
// the secret but claims a rank already connected. Each is closed; the real
// wire-up still completes and data flows.
func TestStrangers(t *testing.T) {
	cfg := testConfig()
	cfg.HandshakeTimeout = 1500 * time.Millisecond
	ls, addrs := listenAll(t, 3)
	target := addrs[0]
	p := handshakeParams{secret: cfg.Secret, job: cfg.Job, size: 3}

	rank1Up := make(chan struct{})
	testHookLinkUp = func(self, peer int) {
		if self == 0 && peer == 1 {
			close(rank1Up)
		}
	}
	defer func() { testHookLinkUp = nil }()

	w := startWireUp(ls, addrs, cfg)
	w.connect(0)

	strangers := []struct {
		name string
		talk func(c net.Conn) // says its piece (until rank 0 hangs up, for the slow-loris)
	}{
		{"random bytes", func(c net.Conn) {
			b := make([]byte, 200)
			rand.Read(b)
			c.Write(b)
		}},
		{"wrong secret", func(c net.Conn) {
			q := p
			q.secret = []byte("not the job secret, but long enough")
			dialHandshake(c, q, 2, 0)
		}},
		{"replay from another job", func(c net.Conn) {
			replay(t, c, capture(t, handshakeParams{secret: cfg.Secret, job: "another-job", size: 3}))
		}},
		{"replay from this job", func(c net.Conn) {
			replay(t, c, capture(t, p))
		}},
		{"frame with length 2^62", func(c net.Conn) {
			c.Write(frameBytes(frameHeader{Type: frameData, Datatype: comm.Byte, Source: 2, Length: 1 << 62}, nil))
		}},
		{"slow-loris", func(c net.Conn) {
			// A real hello, one byte per second: rank 0 must hang up long
			// before the 52 seconds it would take.
			hi := make([]byte, preambleSize+helloBody)
			putPreamble(hi, msgHello, 0)
			(&hello{size: 3, from: 2, to: 0}).put(hi[preambleSize:])
			for _, b := range hi {
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(time.Second)
			}
			t.Error("slow-loris sent its whole hello")
		}},
	}
	var sw sync.WaitGroup
	for _, s := range strangers {
		sw.Add(1)
		go func() {
			defer sw.Done()
			c, err := net.DialTimeout("tcp", target, waitLimit)
			if err != nil {
				t.Errorf("%s: %v", s.name, err)
				return
			}
			defer c.Close()
			s.talk(c)
			// Then rank 0 must hang up: EOF or reset, not our deadline.
			c.SetReadDeadline(time.Now().Add(waitLimit))
			_, err = io.Copy(io.Discard, c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Errorf("%s: rank 0 did not hang up", s.name)
			}
		}()
	}
	sw.Wait()

	// The impostor knows the secret but comes after the real rank 1.
	w.connect(1)
	<-rank1Up
	c, err := net.DialTimeout("tcp", target, waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(waitLimit))
	if err := dialHandshake(c, p, 1, 0); err == nil {
		t.Error("impostor of rank 1 passed the handshake")
	}
	c.Close()

	w.connect(2)
	ts := w.wait(t)
	rec := newRecorder()
	ts[0].Start(rec)
	ts[1].Start(newRecorder())
	ts[2].Start(newRecorder())
	for src := 1; src <= 2; src++ {
		if err := ts[src].Send(0, comm.Header{Source: uint32(src), Type: comm.Byte, Length: 5}, pattern(5, src, 0, 0)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "a message after the strangers", func() bool { return len(rec.deliveries(src)) == 1 })
		if d := rec.deliveries(src)[0]; !bytes.Equal(d.data, pattern(5, src, 0, 0)) {
			t.Errorf("from rank %d got %x", src, d.data)
		}
	}
}

// capture runs a real handshake of p between rank 2 and rank 0 and
// returns what the dialer wrote.
func capture(t *testing.T, p handshakeParams) []byte {
	res := runHandshake(t, handshakeSide{p, 2}, handshakeSide{p, 0}, false)
	if res.dialErr != nil || res.acceptErr != nil {
		t.Errorf("capture: %v, %v", res.dialErr, res.acceptErr)
	}
	return res.dialerWrote
}

// replay plays captured dialer bytes to c: the hello, then, after the
// challenge, the old proof.
func replay(t *testing.T, c net.Conn, wire []byte) {
	c.Write(wire[:preambleSize+helloBody])
	var buf msgBuf
	if _, _, _, err := readMsg(c, &buf, msgChallenge); err != nil {
		t.Errorf("replay: no challenge: %v", err)
		return
	}
	c.Write(wire[preambleSize+helloBody:])
}

// TestHandshakeFlood: strangers open hundreds of connections to a rank in
// its wire-up and say nothing. The rank keeps at most maxPending of them
// (cutting the oldest), so they cannot pile up sockets and goroutines
// until the handshake deadline, and the real peers still get in at once.
func TestHandshakeFlood(t *testing.T) {
	cfg := testConfig()
	// Without the cap, strangers would stay until the wire-up ends.
	cfg.HandshakeTimeout = 10 * time.Minute
	ls, addrs := listenAll(t, 3)
	var most atomic.Int64
	testHookPending = func(n int) {
		if int64(n) > most.Load() {
			most.Store(int64(n))
		}
	}
	defer func() { testHookPending = nil }()

	w := startWireUp(ls, addrs, cfg)
	w.connect(0)

	const flood = 300
	limit := maxPending(3)
	if limit >= flood/2 {
		t.Fatalf("the cap (%d) is not well below the flood (%d): the test would prove nothing", limit, flood)
	}
	var cut atomic.Int64 // strangers rank 0 hung up on
	conns := make([]net.Conn, 0, flood)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range flood {
		c, err := net.DialTimeout("tcp", addrs[0], waitLimit)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		go func() {
			c.SetReadDeadline(time.Now().Add(2 * waitLimit))
			// EOF or a reset: rank 0 hung up. Not our deadline, not
			// our own Close at the end of the test.
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if !errors.Is(err, net.ErrClosed) && !(errors.As(err, &ne) && ne.Timeout()) {
				cut.Add(1)
			}
		}()
	}
	waitFor(t, "rank 0 to cut all strangers beyond its cap", func() bool { return cut.Load() >= flood-int64(limit) })
	if got := most.Load(); got > int64(limit) {
		t.Errorf("%d handshakes in progress at once, cap %d", got, limit)
	}

	// The peers get in by evicting strangers: had they waited for the
	// strangers' handshake deadline (the end of the wire-up, see cfg),
	// Connect would have failed.
	start := time.Now()
	w.connect(1)
	w.connect(2)
	w.wait(t)
	t.Logf("%d strangers cut, at most %d handshakes at once; peers wired up in %v", cut.Load(), most.Load(), time.Since(start).Round(time.Millisecond))
}

// wireUp runs the Connect of each rank on its own goroutine, when the test
// says, so strangers can come between them.
type wireUp struct {
	ls    []*Listener
	addrs []string
	cfg   Config
	ts    []*Transport
	errs  []error
	wg    sync.WaitGroup
}

func startWireUp(ls []*Listener, addrs []string, cfg Config) *wireUp {
	return &wireUp{ls: ls, addrs: addrs, cfg: cfg, ts: make([]*Transport, len(ls)), errs: make([]error, len(ls))}
}

func (w *wireUp) connect(i int) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		w.ts[i], w.errs[i] = Connect(context.Background(), w.ls[i], i, w.addrs, w.cfg)
	}()
}

// wait waits for every rank's Connect, fails t if one failed, and returns
// the transports, closed when the test ends.
func (w *wireUp) wait(t *testing.T) []*Transport {
	t.Helper()
	w.wg.Wait()
	for i, err := range w.errs {
		if err != nil {
			t.Fatalf("rank %d: %v", i, err)
		}
		t.Cleanup(func() { w.ts[i].Close() })
	}
	return w.ts
}
