package tcp

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// testSecret is a per-job secret for tests; only its length matters.
var testSecret = []byte("0123456789abcdef-test-secret")

// testHosts are loopback aliases: rank i listens on testHosts[i%4], so a
// world in one process spans several "hosts" and per-host listening and
// source-address binding are exercised.
var testHosts = []string{"127.0.0.2", "127.0.1.3", "127.0.0.1", "127.0.2.4"}

// waitLimit bounds every wait in these tests: generous, so a slow or
// loaded machine does not fail them, but a hang does.
const waitLimit = 20 * time.Second

func testConfig() Config {
	return Config{Secret: testSecret, Job: "test-job", ConnectTimeout: waitLimit, HandshakeTimeout: 2 * time.Second}
}

// listenAll opens one listener per rank on testHosts.
func listenAll(t testing.TB, n int) ([]*Listener, []string) {
	t.Helper()
	ls := make([]*Listener, n)
	addrs := make([]string, n)
	for i := range ls {
		l, err := Listen(testHosts[i%len(testHosts)] + ":0")
		if err != nil {
			t.Fatal(err)
		}
		ls[i], addrs[i] = l, l.Addr()
	}
	return ls, addrs
}

// connectAll runs Connect for every rank concurrently.
func connectAll(t testing.TB, ls []*Listener, addrs []string, cfg Config) []*Transport {
	t.Helper()
	ts := make([]*Transport, len(ls))
	errs := make([]error, len(ls))
	var wg sync.WaitGroup
	for i := range ls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts[i], errs[i] = Connect(context.Background(), ls[i], i, addrs, cfg)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", i, err)
		}
	}
	return ts
}

// newWorld wires n transports in this process, starts each with a
// recorder, and closes them when the test ends.
func newWorld(t testing.TB, n int, cfg Config) ([]*Transport, []*recorder) {
	t.Helper()
	ls, addrs := listenAll(t, n)
	ts := connectAll(t, ls, addrs, cfg)
	recs := make([]*recorder, n)
	for i, tr := range ts {
		recs[i] = newRecorder()
		tr.Start(recs[i])
	}
	t.Cleanup(func() {
		for _, tr := range ts {
			tr.Close()
		}
		for i, r := range recs {
			if err := r.violation(); err != nil {
				t.Errorf("rank %d handler: %v", i, err)
			}
		}
	})
	return ts, recs
}

type delivery struct {
	h    comm.Header
	data []byte
	err  error
}

// recorder is a comm.Handler that keeps everything it is given and checks
// the duties of the transport contract: Claim and Deliver alternate per
// source, Lost comes once per peer and nothing follows it.
type recorder struct {
	mu      sync.Mutex
	got     map[int][]delivery
	claimed map[int]*comm.Header
	lost    map[int]error
	bad     error
}

func newRecorder() *recorder {
	return &recorder{got: map[int][]delivery{}, claimed: map[int]*comm.Header{}, lost: map[int]error{}}
}

func (r *recorder) fault(format string, args ...any) {
	if r.bad == nil {
		r.bad = fmt.Errorf(format, args...)
	}
}

func (r *recorder) Claim(h comm.Header) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	src := int(h.Source)
	if r.claimed[src] != nil {
		r.fault("Claim %v while %v from the same source is claimed", h, *r.claimed[src])
	}
	if _, ok := r.lost[src]; ok {
		r.fault("Claim %v after Lost(%d)", h, src)
	}
	r.claimed[src] = &h
	return make([]byte, h.Length)
}

func (r *recorder) Deliver(h comm.Header, buf []byte, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	src := int(h.Source)
	if c := r.claimed[src]; c == nil || *c != h {
		r.fault("Deliver %v without a matching Claim", h)
	}
	r.claimed[src] = nil
	r.got[src] = append(r.got[src], delivery{h, buf, err})
}

func (r *recorder) Lost(peer int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.lost[peer]; ok {
		r.fault("Lost(%d) twice: %v, then %v", peer, r.lost[peer], err)
	}
	if err == nil {
		r.fault("Lost(%d) with a nil error", peer)
	}
	r.lost[peer] = err
}

func (r *recorder) violation() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bad
}

// deliveries returns a copy of what arrived from src.
func (r *recorder) deliveries(src int) []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got[src]...)
}

// lostErr returns the error Lost reported for peer, and whether it did.
func (r *recorder) lostErr(peer int) (error, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	err, ok := r.lost[peer]
	return err, ok
}

// waitLost waits until Lost(peer) and returns its error.
func (r *recorder) waitLost(t testing.TB, peer int) error {
	t.Helper()
	var err error
	waitFor(t, fmt.Sprintf("Lost(%d)", peer), func() bool {
		var ok bool
		err, ok = r.lostErr(peer)
		return ok
	})
	return err
}

// waitFor polls cond until it holds, failing the test after waitLimit.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitLimit, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// pattern fills a payload that depends on who sent it and in which order,
// so a misrouted or reordered message cannot pass for the right one.
func pattern(n, src, dst, seq int) []byte {
	b := make([]byte, n)
	x := uint32(src*7919 + dst*104729 + seq*1299709 + 1)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// rawPeer dials addr as rank self of a world of size, and passes the
// handshake with p: a test's own hand-driven peer.
func rawPeer(t testing.TB, addr string, p handshakeParams, self, peer int) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	tc := c.(*net.TCPConn)
	tc.SetDeadline(time.Now().Add(waitLimit))
	if err := dialHandshake(tc, p, self, peer); err != nil {
		tc.Close()
		t.Fatalf("raw peer handshake: %v", err)
	}
	tc.SetDeadline(time.Time{})
	t.Cleanup(func() { tc.Close() })
	return tc
}

// withRawPeer wires a real rank 0 to a raw rank 1 of a world of two.
func withRawPeer(t testing.TB, cfg Config) (*Transport, *recorder, *net.TCPConn) {
	t.Helper()
	// A raw peer writes frames by hand and reads none: a copy offer it
	// leaves unread would turn its close into a reset.
	cfg.SingleCopy = -1
	return withRawPeerCopying(t, cfg)
}

// withRawPeerCopying is withRawPeer with cfg as given: with single copy
// on, the transport's first frame to the raw peer is its copy offer.
func withRawPeerCopying(t testing.TB, cfg Config) (*Transport, *recorder, *net.TCPConn) {
	t.Helper()
	l, err := Listen("127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		tr  *Transport
		err error
	}
	ch := make(chan result, 1)
	peers := []string{l.Addr(), "127.0.0.3:1"} // rank 1 is never dialed: it dials us
	go func() {
		tr, err := Connect(context.Background(), l, 0, peers, cfg)
		ch <- result{tr, err}
	}()
	raw := rawPeer(t, l.Addr(), handshakeParams{secret: cfg.Secret, job: cfg.Job, size: 2}, 1, 0)
	res := <-ch
	if res.err != nil {
		t.Fatal(res.err)
	}
	rec := newRecorder()
	res.tr.Start(rec)
	t.Cleanup(func() {
		// The raw peer hangs up first, as a real one does on the goaway;
		// Close would otherwise wait DeadAfter for it.
		raw.Close()
		res.tr.Close()
	})
	return res.tr, rec, raw
}
