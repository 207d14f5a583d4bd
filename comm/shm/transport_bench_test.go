package shm

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/tcp"
)

// flagHandler takes every message into one buffer and counts deliveries.
type flagHandler struct {
	buf []byte
	got atomic.Int64
}

func (h *flagHandler) Claim(hd comm.Header) []byte { return h.buf[:hd.Length] }
func (h *flagHandler) Deliver(comm.Header, []byte, error) {
	h.got.Add(1)
}
func (h *flagHandler) Lost(int, error) {}

// pair wires two transports of this process, rank 0 and 1, sharing memory.
func pair(b testing.TB) ([2]*Transport, [2]*flagHandler) {
	secret := make([]byte, 32)
	rand.Read(secret)
	var lns [2]*tcp.Listener
	peers := make([]string, 2)
	for i := range lns {
		ln, err := tcp.Listen(fmt.Sprintf("127.0.45.%d:0", i+1))
		if err != nil {
			b.Fatal(err)
		}
		lns[i], peers[i] = ln, ln.Addr()
	}
	var ts [2]*Transport
	var hs [2]*flagHandler
	errs := make(chan error, 2)
	for i := range lns {
		go func() {
			base, err := tcp.Connect(context.Background(), lns[i], i, peers, tcp.Config{Secret: secret, ConnectTimeout: 20 * time.Second})
			if err == nil {
				ts[i], err = New(base, Config{Machine: "one"})
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	for i := range ts {
		hs[i] = &flagHandler{buf: make([]byte, 1<<20)}
		ts[i].Start(hs[i])
	}
	for _, t := range ts {
		if err := t.Settle(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	return ts, hs
}

// BenchmarkTransportPingPong8B is the transport alone, without the core's
// matching: each side polls its rings until the other's frame arrives and
// sends one back. The difference to BenchmarkPingPong8B is what the core
// adds per message.
func BenchmarkTransportPingPong8B(b *testing.B) {
	ts, hs := pair(b)
	defer ts[0].Close()
	defer ts[1].Close()
	h := comm.Header{Type: comm.Byte, Length: 8}
	msg := make([]byte, 8)
	await := func(i int, n int64) {
		for hs[i].got.Load() < n {
			ts[i].poll()
		}
	}
	if err := ts[0].Send(1, h, msg); err != nil { // both switch to their rings
		b.Fatal(err)
	}
	await(1, 1)
	if err := ts[1].Send(0, h, msg); err != nil {
		b.Fatal(err)
	}
	await(0, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for n := int64(2); n <= int64(b.N)+1; n++ {
			await(1, n)
			ts[1].Send(0, h, msg)
		}
	}()
	b.ResetTimer()
	for n := int64(2); n <= int64(b.N)+1; n++ {
		ts[0].Send(1, h, msg)
		await(0, n)
	}
	b.StopTimer()
	<-done
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2, "ns/half-rtt")
}
