package faultproxy

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitLimit bounds every wait of these tests; nothing healthy takes
// more than a fraction of it.
const waitLimit = 10 * time.Second

// sink is a target that keeps what each connection sends it and sends
// back whatever the test gives it.
type sink struct {
	ln    net.Listener
	conns chan net.Conn
}

func newSink(t *testing.T) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{ln: ln, conns: make(chan net.Conn, 8)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns <- c
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

// next returns the target's side of the next proxied connection.
func (s *sink) next(t *testing.T) net.Conn {
	t.Helper()
	select {
	case c := <-s.conns:
		t.Cleanup(func() { c.Close() })
		return c
	case <-time.After(waitLimit):
		t.Fatal("the proxy never connected to the target")
		return nil
	}
}

// setup returns a proxy to a new sink, the client's connection through
// it, and the target's side of that connection.
func setup(t *testing.T) (p *Proxy, client, target net.Conn) {
	t.Helper()
	s := newSink(t)
	p, err := New("127.0.0.1:0", s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	client, err = net.DialTimeout("tcp", p.Addr(), waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return p, client, s.next(t)
}

func random(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// readAll reads from c until EOF or an error, under waitLimit.
func readAll(c net.Conn) ([]byte, error) {
	c.SetReadDeadline(time.Now().Add(waitLimit))
	return io.ReadAll(c)
}

// readN reads exactly n bytes from c, under waitLimit.
func readN(t *testing.T, c net.Conn, n int) []byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(waitLimit))
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	return b
}

// quiet reports whether nothing arrives on c for d.
func quiet(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	defer c.SetReadDeadline(time.Time{})
	var b [1]byte
	_, err := c.Read(b[:])
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, c := range []struct{ listen, target string }{
		{"0.0.0.0:0", "127.0.0.1:1"},
		{":0", "127.0.0.1:1"},
		{"[::]:0", "127.0.0.1:1"},
		{"127.0.0.1:0", "10.1.2.3:80"},
		{"127.0.0.1:0", "192.168.0.1:80"},
		{"127.0.0.1:0", "172.16.0.1:80"},
		{"127.0.0.1:0", "8.8.8.8:53"},
		{"127.0.0.1:0", "localhost:80"},
		{"127.0.0.1:0", "example.com:80"},
		{"127.0.0.1:0", "127.0.0.1"}, // no port
		{"10.0.0.1:0", "127.0.0.1:1"},
	} {
		p, err := New(c.listen, c.target)
		if err == nil {
			p.Close()
			t.Errorf("New(%q, %q) succeeded, want a refusal", c.listen, c.target)
			continue
		}
		if !strings.HasPrefix(err.Error(), "faultproxy: ") {
			t.Errorf("New(%q, %q): %v, want a faultproxy: error", c.listen, c.target, err)
		}
	}
	for _, a := range []string{"127.0.0.1:0", "127.3.2.1:9", "[::1]:0"} {
		if err := checkLoopback("listen", a); err != nil {
			t.Errorf("checkLoopback(%q): %v", a, err)
		}
	}
}

// TestForward: without faults both directions arrive intact, and a
// half-close by the client reaches the target as EOF.
func TestForward(t *testing.T) {
	_, client, target := setup(t)
	up, down := random(3<<20+17, 1), random(2<<20+5, 2)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		client.Write(up)
		client.(*net.TCPConn).CloseWrite()
	}()
	go func() {
		defer wg.Done()
		target.Write(down)
		target.(*net.TCPConn).CloseWrite()
	}()
	gotUp, err := readAll(target)
	if err != nil || !bytes.Equal(gotUp, up) {
		t.Errorf("target got %d bytes (err %v), want the %d sent, intact", len(gotUp), err, len(up))
	}
	gotDown, err := readAll(client)
	if err != nil || !bytes.Equal(gotDown, down) {
		t.Errorf("client got %d bytes (err %v), want the %d sent, intact", len(gotDown), err, len(down))
	}
	wg.Wait()
}

func TestCorruptByte(t *testing.T) {
	for _, d := range []Dir{Up, Down} {
		t.Run(d.String(), func(t *testing.T) {
			p, client, target := setup(t)
			from, to := client, target
			if d == Down {
				from, to = target, client
			}
			p.CorruptByte(d, 0)
			p.CorruptByte(d, 70000) // in a later chunk
			data := random(100000, 3)
			go func() { from.Write(data) }()
			got := readN(t, to, len(data))
			want := append([]byte(nil), data...)
			want[0] ^= 0xff
			want[70000] ^= 0xff
			if !bytes.Equal(got, want) {
				t.Errorf("got a stream differing from the sent one elsewhere than bytes 0 and 70000")
			}
			if got[1] != data[1] || got[70000] == data[70000] {
				t.Error("byte 70000 not flipped")
			}
			if c := p.Captured(d); !bytes.Equal(c, data[:CaptureLimit]) {
				t.Errorf("Captured(%v) is not the first %d bytes sent, uncorrupted", d, CaptureLimit)
			}
			// The counter moves just before the write the reader saw.
			deadline := time.Now().Add(waitLimit)
			for p.Forwarded(d) < int64(len(data)) && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if f := p.Forwarded(d); f != int64(len(data)) {
				t.Errorf("Forwarded(%v) = %d, want %d", d, f, len(data))
			}
		})
	}
}

// TestDropAfter: the first n bytes arrive, the rest vanish, and the
// sender sees no error.
func TestDropAfter(t *testing.T) {
	p, client, target := setup(t)
	p.DropAfter(Up, 1000)
	data := random(200000, 4)
	if _, err := client.Write(data); err != nil {
		t.Fatalf("the sender saw an error: %v", err)
	}
	if got := readN(t, target, 1000); !bytes.Equal(got, data[:1000]) {
		t.Error("the first 1000 bytes differ")
	}
	if !quiet(target, 200*time.Millisecond) {
		t.Error("bytes past 1000 arrived")
	}
	// Down is untouched.
	target.Write([]byte("pong"))
	if got := readN(t, client, 4); string(got) != "pong" {
		t.Errorf("down: %q", got)
	}
}

// TestCutAfter: exactly n bytes arrive, then both sides see the
// connection end.
func TestCutAfter(t *testing.T) {
	p, client, target := setup(t)
	p.CutAfter(Up, 5000)
	data := random(100000, 5)
	go client.Write(data)
	got, _ := readAll(target) // EOF or reset: either is an end
	if !bytes.Equal(got, data[:5000]) {
		t.Errorf("target got %d bytes, want the first 5000", len(got))
	}
	if _, err := readAll(client); err != nil && !isConnEnd(err) {
		t.Errorf("client: %v, want EOF or reset", err)
	}
}

func isConnEnd(err error) bool {
	var ne net.Error
	return err == nil || errors.Is(err, io.EOF) || !(errors.As(err, &ne) && ne.Timeout())
}

// TestCut: a cut in the middle of a stream ends both sides, and the
// proxy still accepts new connections afterwards.
func TestCut(t *testing.T) {
	p, client, target := setup(t)
	client.Write([]byte("hello"))
	readN(t, target, 5)
	p.Cut()
	for name, c := range map[string]net.Conn{"client": client, "target": target} {
		if _, err := readAll(c); !isConnEnd(err) {
			t.Errorf("%s after Cut: %v, want EOF or reset", name, err)
		}
	}
	c2, err := net.DialTimeout("tcp", p.Addr(), waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if n := waitConns(p, 2); n != 2 {
		t.Errorf("Conns() = %d after a second dial, want 2", n)
	}
}

func waitConns(p *Proxy, n int) int {
	deadline := time.Now().Add(waitLimit)
	for p.Conns() < n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	return p.Conns()
}

// TestStallResume: a stalled direction forwards nothing and pushes back
// on its sender, without closing; Resume delivers everything in order.
func TestStallResume(t *testing.T) {
	p, client, target := setup(t)
	p.Stall(Up)
	data := random(64<<20, 6) // far more than queue and socket buffers hold
	client.SetWriteDeadline(time.Now().Add(500 * time.Millisecond))
	n, err := client.Write(data)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("write of 64 MiB into a stalled proxy: %d bytes, %v; want it blocked (a timeout)", n, err)
	}
	if !quiet(target, 100*time.Millisecond) {
		t.Fatal("bytes arrived while stalled")
	}
	// Down still flows.
	target.Write([]byte("x"))
	if got := readN(t, client, 1); string(got) != "x" {
		t.Errorf("down while up is stalled: %q", got)
	}
	p.Resume(Up)
	if got := readN(t, target, n); !bytes.Equal(got, data[:n]) {
		t.Errorf("after Resume the %d bytes written differ", n)
	}
}

// TestDelay: a delayed direction delivers everything, none of it sooner
// than the delay.
func TestDelay(t *testing.T) {
	p, client, target := setup(t)
	const delay = 150 * time.Millisecond
	p.Delay(Both, delay)
	start := time.Now()
	client.Write([]byte("ping"))
	readN(t, target, 4)
	target.Write([]byte("pong"))
	readN(t, client, 4)
	if rtt := time.Since(start); rtt < 2*delay {
		t.Errorf("round trip %v, want at least 2 x %v", rtt, delay)
	}
	p.Heal()
	client.Write([]byte("after heal"))
	if got := readN(t, target, 10); string(got) != "after heal" {
		t.Errorf("after Heal: %q", got)
	}
}

// TestCloseEndsEverything: Close ends every connection and goroutine.
func TestCloseEndsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	s := newSink(t)
	p, err := New("127.0.0.1:0", s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	var clients []net.Conn
	for range 3 {
		c, err := net.DialTimeout("tcp", p.Addr(), waitLimit)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients = append(clients, c)
		s.next(t)
	}
	p.Stall(Both)
	clients[0].Write([]byte("stuck"))
	p.Close()
	p.Close() // idempotent
	for i, c := range clients {
		if _, err := readAll(c); !isConnEnd(err) {
			t.Errorf("client %d after Close: %v", i, err)
		}
	}
	if _, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		t.Error("a dial after Close succeeded")
	}
	deadline := time.Now().Add(waitLimit)
	for runtime.NumGoroutine() > before+1 && time.Now().Before(deadline) { // +1: the sink's accept loop
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+1 {
		t.Errorf("%d goroutines after Close, %d before", n, before)
	}
}

// TestTargetDown: a client of a proxy whose target refuses is closed.
func TestTargetDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p, err := New("127.0.0.1:0", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.DialTimeout("tcp", p.Addr(), waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := readAll(c); !isConnEnd(err) {
		t.Errorf("client of a proxy to nothing: %v, want EOF", err)
	}
}
