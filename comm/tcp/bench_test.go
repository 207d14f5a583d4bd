package tcp

import (
	"io"
	"net"
	"sync/atomic"
	"testing"

	"github.com/spmd-go/spmd/comm"
)

// The benchmarks come in pairs: a bare TCP socket pair (TCP_NODELAY, no
// framing, no handshake) is the physical limit, and the Transport is
// measured against it in the same run. Compare them as ratios:
//
//	go test -run X -bench . -count 6 ./comm/tcp/ | benchstat -
//
// Ping-pong reports ns/half-rtt (one-way latency, half a round trip);
// bandwidth reports MB/s of a one-way stream of messages.

func reportHalfRTT(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2, "ns/half-rtt")
}

// tcpPair returns both ends of a loopback TCP connection with
// TCP_NODELAY on.
func tcpPair(b *testing.B) (x, y *net.TCPConn) {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	x, y = c.(*net.TCPConn), (<-accepted).(*net.TCPConn)
	x.SetNoDelay(true)
	y.SetNoDelay(true)
	b.Cleanup(func() { x.Close(); y.Close() })
	return x, y
}

func BenchmarkBareTCPPingPong8B(b *testing.B) {
	x, y := tcpPair(b)
	go func() {
		buf := make([]byte, 8)
		for {
			if _, err := io.ReadFull(y, buf); err != nil {
				return
			}
			if _, err := y.Write(buf); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 8)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		x.Write(buf)
		io.ReadFull(x, buf)
	}
	b.StopTimer()
	reportHalfRTT(b)
}

// pingHandler answers every message from its own Deliver, on the reader
// goroutine, as the bare benchmark's goroutines answer from their read
// loops: the two measure the same thing, with and without the transport.
type pingHandler struct {
	t    *Transport
	buf  []byte
	left atomic.Int64  // messages still to receive; 0 means echo forever
	done chan struct{} // receives when left reaches 0
}

func (h *pingHandler) Claim(hd comm.Header) []byte { return h.buf[:hd.Length] }

func (h *pingHandler) Deliver(hd comm.Header, buf []byte, err error) {
	if err != nil {
		return
	}
	if h.done != nil && h.left.Add(-1) == 0 {
		h.done <- struct{}{}
		return
	}
	h.t.Send(int(hd.Source), comm.Header{Type: comm.Byte, Length: hd.Length}, buf)
}

func (h *pingHandler) Lost(int, error) {}

// transportPair wires two transports and starts them with h0 and h1.
func transportPair(b *testing.B, h0, h1 func(*Transport) comm.Handler) []*Transport {
	b.Helper()
	ls, addrs := listenAll(b, 2)
	ts := connectAll(b, ls, addrs, testConfig())
	ts[0].Start(h0(ts[0]))
	ts[1].Start(h1(ts[1]))
	b.Cleanup(func() { ts[0].Close(); ts[1].Close() })
	return ts
}

func BenchmarkTransportPingPong8B(b *testing.B) {
	p := &pingHandler{buf: make([]byte, 8), done: make(chan struct{})}
	ts := transportPair(b,
		func(t *Transport) comm.Handler { p.t = t; return p },
		func(t *Transport) comm.Handler { return &pingHandler{t: t, buf: make([]byte, 8)} })
	p.left.Store(int64(b.N))
	b.ReportAllocs()
	b.ResetTimer()
	ts[0].Send(1, comm.Header{Type: comm.Byte, Length: 8}, make([]byte, 8))
	<-p.done
	b.StopTimer()
	reportHalfRTT(b)
}

// waitHandler hands every message to a waiting goroutine, as a receive
// in the comm core would: ping-pong with that handoff included.
type waitHandler struct {
	buf []byte
	got chan struct{}
}

func (h *waitHandler) Claim(hd comm.Header) []byte { return h.buf[:hd.Length] }
func (h *waitHandler) Deliver(comm.Header, []byte, error) {
	h.got <- struct{}{}
}
func (h *waitHandler) Lost(int, error) {}

func BenchmarkTransportPingPong8BWait(b *testing.B) {
	w := &waitHandler{buf: make([]byte, 8), got: make(chan struct{}, 1)}
	ts := transportPair(b,
		func(*Transport) comm.Handler { return w },
		func(t *Transport) comm.Handler { return &pingHandler{t: t, buf: make([]byte, 8)} })
	msg := make([]byte, 8)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ts[0].Send(1, comm.Header{Type: comm.Byte, Length: 8}, msg)
		<-w.got
	}
	b.StopTimer()
	reportHalfRTT(b)
}

func benchmarkBareBandwidth(b *testing.B, n int) {
	x, y := tcpPair(b)
	done := make(chan struct{})
	go func() {
		buf := make([]byte, n)
		for range b.N {
			if _, err := io.ReadFull(y, buf); err != nil {
				break
			}
		}
		close(done)
	}()
	msg := make([]byte, n)
	b.SetBytes(int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		x.Write(msg)
	}
	<-done
}

// sinkHandler receives into one reused buffer and signals after the
// expected number of messages.
type sinkHandler struct {
	buf  []byte
	left atomic.Int64
	done chan struct{}
}

func (h *sinkHandler) Claim(hd comm.Header) []byte { return h.buf[:hd.Length] }
func (h *sinkHandler) Deliver(comm.Header, []byte, error) {
	if h.left.Add(-1) == 0 {
		close(h.done)
	}
}
func (h *sinkHandler) Lost(int, error) {}

func benchmarkTransportBandwidth(b *testing.B, n int) {
	sink := &sinkHandler{buf: make([]byte, n), done: make(chan struct{})}
	sink.left.Store(int64(b.N))
	ts := transportPair(b,
		func(*Transport) comm.Handler { return &sinkHandler{} },
		func(*Transport) comm.Handler { return sink })
	msg := make([]byte, n)
	b.SetBytes(int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := ts[0].Send(1, comm.Header{Type: comm.Byte, Length: uint64(n)}, msg); err != nil {
			b.Fatal(err)
		}
	}
	<-sink.done
}

func BenchmarkBareTCPBandwidth1MiB(b *testing.B)    { benchmarkBareBandwidth(b, 1<<20) }
func BenchmarkBareTCPBandwidth16MiB(b *testing.B)   { benchmarkBareBandwidth(b, 16<<20) }
func BenchmarkTransportBandwidth1MiB(b *testing.B)  { benchmarkTransportBandwidth(b, 1<<20) }
func BenchmarkTransportBandwidth16MiB(b *testing.B) { benchmarkTransportBandwidth(b, 16<<20) }
