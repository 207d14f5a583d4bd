package tcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// TestWireUp wires worlds of several sizes in one process and sends
// messages between every ordered pair of ranks. It checks the transport
// duty that frames from one source arrive in the order sent (the
// non-overtaking rule of MPI §3.5 rests on it), with the header and
// payload they were sent with.
func TestWireUp(t *testing.T) {
	const perPair = 6
	sizes := []int{1, 8, 1000, 0, 24, 4096} // bytes of message i of each pair
	types := []comm.Datatype{comm.Byte, comm.Float64, comm.Int32, comm.Encoded, comm.Uint64, comm.Float32}
	for _, n := range []int{1, 2, 3, 4, 8} {
		t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
			ts, recs := newWorld(t, n, testConfig())
			for i, tr := range ts {
				if tr.Rank() != i || tr.Size() != n {
					t.Fatalf("transport %d has rank %d size %d", i, tr.Rank(), tr.Size())
				}
			}
			checkSourceAddrs(t, ts)

			var wg sync.WaitGroup
			for src := range ts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for seq := range perPair {
						for dst := range ts {
							if dst == src {
								continue
							}
							h := comm.Header{Context: uint32(dst), Source: uint32(src), Tag: int32(seq), Type: types[seq], Length: uint64(sizes[seq])}
							if err := ts[src].Send(dst, h, pattern(sizes[seq], src, dst, seq)); err != nil {
								t.Errorf("send %d->%d #%d: %v", src, dst, seq, err)
							}
						}
					}
				}()
			}
			wg.Wait()

			for dst, rec := range recs {
				for src := range ts {
					if src == dst {
						continue
					}
					waitFor(t, fmt.Sprintf("%d messages %d->%d", perPair, src, dst), func() bool { return len(rec.deliveries(src)) >= perPair })
					for seq, d := range rec.deliveries(src) {
						want := comm.Header{Context: uint32(dst), Source: uint32(src), Tag: int32(seq), Type: types[seq], Length: uint64(sizes[seq])}
						if d.h != want || d.err != nil || !bytes.Equal(d.data, pattern(sizes[seq], src, dst, seq)) {
							t.Errorf("%d->%d message %d: header %v err %v; want header %v and its payload", src, dst, seq, d.h, d.err, want)
						}
					}
				}
				for p := range ts {
					if err, ok := rec.lostErr(p); ok {
						t.Errorf("rank %d lost %d during the test: %v", dst, p, err)
					}
				}
			}
		})
	}
}

// checkSourceAddrs: each connection comes from the dialer's own listening
// host, not from whatever loopback address the kernel would pick.
func checkSourceAddrs(t *testing.T, ts []*Transport) {
	t.Helper()
	for i, tr := range ts {
		for j, l := range tr.links {
			if l == nil {
				continue
			}
			got := l.conn.RemoteAddr().(*net.TCPAddr).IP.String()
			if want := testHosts[j%len(testHosts)]; got != want {
				t.Errorf("rank %d sees rank %d at %s, want %s", i, j, got, want)
			}
		}
	}
}

// TestLargeAndEmpty sends a 64 MiB payload (many read and write chunks)
// and zero-length ones, both ways.
func TestLargeAndEmpty(t *testing.T) {
	ts, recs := newWorld(t, 2, testConfig())
	sizes := []int{0, 64 << 20, 0, 7, 0}
	var wg sync.WaitGroup
	for src := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq, n := range sizes {
				h := comm.Header{Source: uint32(src), Tag: int32(seq), Type: comm.Byte, Length: uint64(n)}
				if err := ts[src].Send(1-src, h, pattern(n, src, 1-src, seq)); err != nil {
					t.Errorf("send %d: %v", seq, err)
				}
			}
		}()
	}
	wg.Wait()
	for dst, rec := range recs {
		src := 1 - dst
		waitFor(t, "all messages", func() bool { return len(rec.deliveries(src)) == len(sizes) })
		for seq, d := range rec.deliveries(src) {
			if d.err != nil || d.h.Tag != int32(seq) || !bytes.Equal(d.data, pattern(sizes[seq], src, dst, seq)) {
				t.Errorf("%d->%d message %d (%d bytes): header %v, err %v, payload intact %v", src, dst, seq, sizes[seq], d.h, d.err, bytes.Equal(d.data, pattern(sizes[seq], src, dst, seq)))
			}
		}
	}
}

// TestListenHostOnly: a rank listening on one loopback alias cannot be
// reached on another: Listen does not take every interface.
func TestListenHostOnly(t *testing.T) {
	l, err := Listen("127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.ln.Addr().(*net.TCPAddr).Port
	if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.3:%d", port), waitLimit); err == nil {
		c.Close()
		t.Fatalf("reached a listener on 127.0.0.2 through 127.0.0.3")
	}
	if !strings.HasPrefix(l.Addr(), "127.0.0.2:") {
		t.Errorf("Addr() = %s, want 127.0.0.2:port", l.Addr())
	}
}

func TestConnectBadArguments(t *testing.T) {
	cfg := testConfig()
	for _, c := range []struct {
		name  string
		rank  int
		peers func(self string) []string
		cfg   func(*Config)
		want  string
	}{
		{"short secret", 0, func(s string) []string { return []string{s} }, func(c *Config) { c.Secret = []byte("short") }, "at least 16 bytes"},
		{"heartbeat too long", 0, func(s string) []string { return []string{s} }, func(c *Config) { c.Heartbeat, c.DeadAfter = 2*time.Second, time.Second }, "must be shorter"},
		{"rank out of range", 2, func(s string) []string { return []string{s, s} }, nil, "rank 2 out of range"},
		{"not our address", 1, func(s string) []string { return []string{s, "127.0.0.9:1"} }, nil, "peers[1] is 127.0.0.9:1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := Listen("127.0.0.2:0")
			if err != nil {
				t.Fatal(err)
			}
			cf := cfg
			if c.cfg != nil {
				c.cfg(&cf)
			}
			_, err = Connect(context.Background(), l, c.rank, c.peers(l.Addr()), cf)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one mentioning %q", err, c.want)
			}
			if _, err := l.ln.Accept(); !errors.Is(err, net.ErrClosed) {
				t.Errorf("listener still open after a failed Connect")
			}
		})
	}
}

// TestConnectTimeoutNamesMissing: a rank that never comes up makes
// Connect fail at ConnectTimeout with an error naming it and its address.
func TestConnectTimeoutNamesMissing(t *testing.T) {
	ls, addrs := listenAll(t, 3)
	ls[2].Close() // rank 2 never starts
	cfg := testConfig()
	cfg.ConnectTimeout = 300 * time.Millisecond
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Connect(context.Background(), ls[i], i, addrs, cfg)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		want := fmt.Sprintf("rank 2 (%s", addrs[2])
		if err == nil || !strings.Contains(err.Error(), "timed out") || !strings.Contains(err.Error(), want) {
			t.Errorf("rank %d: %v, want a time-out naming %q", i, err, want)
		}
		if s := fmt.Sprint(err); strings.Contains(s, "rank 0 (") || strings.Contains(s, "rank 1 (") {
			t.Errorf("rank %d: %v names a rank that did connect", i, err)
		}
	}
}

// TestConnectTimeoutManyMissing: with hundreds of ranks missing the error
// stays one readable line: the first maxNamedMissing named, then a count.
func TestConnectTimeoutManyMissing(t *testing.T) {
	const size = 12
	ls, addrs := listenAll(t, size)
	for _, l := range ls[1:] {
		l.Close() // ranks 1-11 never start
	}
	cfg := testConfig()
	cfg.ConnectTimeout = 300 * time.Millisecond
	_, err := Connect(context.Background(), ls[0], 0, addrs, cfg)
	want := fmt.Sprintf("11 of 11 links missing: rank 1 (%s: never connected to us); ", addrs[1])
	if err == nil || !strings.Contains(err.Error(), want) || !strings.HasSuffix(err.Error(), fmt.Sprintf("rank 8 (%s: never connected to us); and 3 more", addrs[8])) {
		t.Errorf("err = %v, want ranks 1-8 named, then \"and 3 more\"", err)
	}
}

// TestConnectCanceled: canceling ctx ends the wire-up early.
func TestConnectCanceled(t *testing.T) {
	ls, addrs := listenAll(t, 2)
	ls[1].Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := Connect(ctx, ls[0], 0, addrs, testConfig())
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("err = %v, want a cancellation", err)
	}
}

// TestDial is the one-call form: fixed addresses, then Connect.
func TestDial(t *testing.T) {
	ls, addrs := listenAll(t, 3)
	for _, l := range ls {
		l.Close() // free the ports for Dial to take
	}
	ts := make([]*Transport, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range ts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts[i], errs[i] = Dial(context.Background(), i, addrs, testConfig())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", i, err)
		}
		defer ts[i].Close()
	}
	rec := newRecorder()
	ts[0].Start(rec)
	ts[1].Start(newRecorder())
	ts[2].Start(newRecorder())
	if err := ts[2].Send(0, comm.Header{Source: 2, Type: comm.Byte, Length: 3}, []byte("abc")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a message", func() bool { return len(rec.deliveries(2)) == 1 })
	if d := rec.deliveries(2)[0]; string(d.data) != "abc" {
		t.Errorf("got %q", d.data)
	}
}

// TestNoStrangersAfterWireUp: Connect closes the listener, so nobody can
// connect once the links are up.
func TestNoStrangersAfterWireUp(t *testing.T) {
	ls, addrs := listenAll(t, 2)
	ts := connectAll(t, ls, addrs, testConfig())
	defer ts[0].Close()
	defer ts[1].Close()
	if c, err := net.DialTimeout("tcp", addrs[0], waitLimit); err == nil {
		c.Close()
		t.Fatal("connected to rank 0's listener after wire-up")
	}
}

func TestConfigDefaults(t *testing.T) {
	for _, c := range []struct {
		in, want Config
	}{
		{Config{}, Config{ConnectTimeout: 60 * time.Second, HandshakeTimeout: 5 * time.Second, Heartbeat: time.Second, DeadAfter: 15 * time.Second, MaxMessage: 1 << 31}},
		{Config{DeadAfter: 200 * time.Millisecond, MaxMessage: 10}, Config{ConnectTimeout: 60 * time.Second, HandshakeTimeout: 5 * time.Second, Heartbeat: 50 * time.Millisecond, DeadAfter: 200 * time.Millisecond, MaxMessage: 10}},
		{Config{Heartbeat: 3 * time.Second, ConnectTimeout: time.Second}, Config{ConnectTimeout: time.Second, HandshakeTimeout: 5 * time.Second, Heartbeat: 3 * time.Second, DeadAfter: 15 * time.Second, MaxMessage: 1 << 31}},
	} {
		got := c.in.WithDefaults()
		if got.ConnectTimeout != c.want.ConnectTimeout || got.HandshakeTimeout != c.want.HandshakeTimeout ||
			got.Heartbeat != c.want.Heartbeat || got.DeadAfter != c.want.DeadAfter || got.MaxMessage != c.want.MaxMessage {
			t.Errorf("%+v.WithDefaults() = %+v, want %+v", c.in, got, c.want)
		}
	}
	// In Connect the default heartbeat grows with the world, so an idle
	// rank sends about pingsPerSecond pings a second, and never beyond
	// DeadAfter/4; a heartbeat that was set is kept.
	for _, c := range []struct {
		in   Config
		size int
		want time.Duration
	}{
		{Config{}, 2, time.Second},
		{Config{}, pingsPerSecond + 1, time.Second},
		{Config{}, 2*pingsPerSecond + 1, 2 * time.Second},
		{Config{}, 1000, 15 * time.Second / 4},
		{Config{DeadAfter: 2 * time.Second}, 1000, 500 * time.Millisecond},
		{Config{Heartbeat: 100 * time.Millisecond}, 1000, 100 * time.Millisecond},
	} {
		if got := c.in.withSize(c.size).Heartbeat; got != c.want {
			t.Errorf("%+v.withSize(%d).Heartbeat = %v, want %v", c.in, c.size, got, c.want)
		}
	}
}

// TestWelcomeAfterHandshakeDeadline reproduces the wire-up race of a busy
// machine: the acceptor has checked the dialer's proof and reserved its
// rank, but the welcome reaches the dialer only after the dialer's
// handshake deadline (here the acceptor holds it back; under load the
// dialer is simply not scheduled in time). A dialer that gave up on the
// welcome dialed again and was refused as "rank already connected", and
// the whole job failed. Once the acceptor has proved itself the dialer
// waits for its verdict as long as the wire-up lasts, so the link comes up
// and carries data.
func TestWelcomeAfterHandshakeDeadline(t *testing.T) {
	cfg := testConfig()
	cfg.HandshakeTimeout = 200 * time.Millisecond
	var once sync.Once
	testHookClaimed = func(self, peer int) {
		if self == 0 && peer == 2 {
			// Well past the dialer's handshake deadline, which was set
			// before the hello went out.
			once.Do(func() { time.Sleep(3 * cfg.HandshakeTimeout) })
		}
	}
	defer func() { testHookClaimed = nil }()

	ts, recs := newWorld(t, 3, cfg)
	if err := ts[2].Send(0, comm.Header{Source: 2, Type: comm.Byte, Length: 5}, pattern(5, 2, 0, 0)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a message over the late-welcomed link", func() bool { return len(recs[0].deliveries(2)) == 1 })
	if d := recs[0].deliveries(2)[0]; !bytes.Equal(d.data, pattern(5, 2, 0, 0)) {
		t.Errorf("got %x", d.data)
	}
}
