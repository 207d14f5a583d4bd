package comm_test

import (
	"io"
	"net"
	"sync"
	"testing"

	"github.com/spmd-go/spmd/comm"
)

// Benchmarks of the communicator over real TCP sockets on loopback, each
// beside the bare socket doing the same thing in the same binary, so that
// the overhead of comm (matching, framing, the transport's goroutines) is a
// ratio measured in one run:
//
//	go test -run '^$' -bench . -count 6 ./comm/ | benchstat -
//
// Targets (see docs/BENCHMARKS.md): an 8-byte half round trip within 1.3x
// of the bare socket, 16 MiB streaming at least 85 % of the bare socket.
// Open MPI 4.1 over TCP on a machine of this kind: 8 B in 5.4 µs (C) /
// 6.2 µs (mpi4py), 16 MiB at 4.1 / 4.2 GB/s, Allreduce of 1 Mi float64 in
// 4.7 / 4.3 ms on 2 ranks and 13.4 / 16.6 ms on 4 (oversubscribed on 2
// cores).
//
// Every rank of a world lives in this one process, on its own goroutines,
// so the ranks share the process's cores as separate processes would share
// the machine's.

// benchWorld wires n ranks over loopback TCP and closes them when the
// benchmark ends.
func benchWorld(b *testing.B, n int) []*comm.Comm {
	b.Helper()
	return benchWorldWith(b, n, 0)
}

// benchWorldWith is benchWorld with tcp.Config.SingleCopy = singleCopy
// (< 0: every payload through the sockets).
func benchWorldWith(b *testing.B, n, singleCopy int) []*comm.Comm {
	b.Helper()
	cs := wireTCPWith(b, n, singleCopy)
	b.Cleanup(func() {
		var wg sync.WaitGroup
		for _, c := range cs {
			wg.Add(1)
			go func() { defer wg.Done(); c.Close() }()
		}
		wg.Wait()
	})
	return cs
}

// reportHalfRTT reports the one-way latency of a ping-pong benchmark: the
// time of one iteration (a round trip) halved.
func reportHalfRTT(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2, "ns/half-rtt")
}

// warmup iterations run before the timer starts: the first messages on a
// fresh connection pay for slow start and cold caches.
const warmup = 16

// bareTCPPair returns both ends of a loopback TCP connection with
// TCP_NODELAY on, as the transport sets it.
func bareTCPPair(b *testing.B) (x, y *net.TCPConn) {
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
	a := <-accepted
	if a == nil {
		b.Fatal("accept failed")
	}
	x, y = c.(*net.TCPConn), a.(*net.TCPConn)
	x.SetNoDelay(true)
	y.SetNoDelay(true)
	b.Cleanup(func() { x.Close(); y.Close() })
	return x, y
}

// BenchmarkPingPong8B: rank 0 sends 8 bytes to rank 1, which sends them
// back; Send and Recv with a matching tag, as a user program would.
func BenchmarkPingPong8B(b *testing.B) {
	cs := benchWorld(b, 2)
	n := b.N + warmup
	echoed := make(chan error, 1)
	go func() {
		buf := make([]byte, 8)
		for range n {
			if _, err := cs[1].Recv(buf, 0, 0); err != nil {
				echoed <- err
				return
			}
			if err := cs[1].Send(buf, 0, 0); err != nil {
				echoed <- err
				return
			}
		}
		echoed <- nil
	}()
	buf := make([]byte, 8)
	pingPong := func() {
		if err := cs[0].Send(buf, 1, 0); err != nil {
			b.Fatal(err)
		}
		if _, err := cs[0].Recv(buf, 1, 0); err != nil {
			b.Fatal(err)
		}
	}
	for range warmup {
		pingPong()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		pingPong()
	}
	b.StopTimer()
	if err := <-echoed; err != nil {
		b.Fatal(err)
	}
	reportHalfRTT(b)
}

// BenchmarkBareTCPPingPong8B is BenchmarkPingPong8B on a bare socket pair:
// two goroutines, no framing, no matching.
func BenchmarkBareTCPPingPong8B(b *testing.B) {
	x, y := bareTCPPair(b)
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
	pingPong := func() {
		if _, err := x.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(x, buf); err != nil {
			b.Fatal(err)
		}
	}
	for range warmup {
		pingPong()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		pingPong()
	}
	b.StopTimer()
	reportHalfRTT(b)
}

// benchmarkBandwidth streams b.N messages of size bytes from rank 0 to
// rank 1, which acknowledges the last one with one byte: one-way
// bandwidth, delivery included (the OSU method, with an unbounded window).
func benchmarkBandwidth(b *testing.B, size, singleCopy int) {
	cs := benchWorldWith(b, 2, singleCopy)
	n := b.N + 1 // one warm-up message
	received := make(chan error, 1)
	go func() {
		buf := make([]byte, size)
		for range n {
			if _, err := cs[1].Recv(buf, 0, 0); err != nil {
				received <- err
				return
			}
		}
		received <- cs[1].Send(buf[:1], 0, 1)
	}()
	msg := make([]byte, size)
	if err := cs[0].Send(msg, 1, 0); err != nil {
		b.Fatal(err)
	}
	ack := make([]byte, 1)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := cs[0].Send(msg, 1, 0); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := cs[0].Recv(ack, 1, 1); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if err := <-received; err != nil {
		b.Fatal(err)
	}
}

// benchmarkBareBandwidth is benchmarkBandwidth on a bare socket pair.
func benchmarkBareBandwidth(b *testing.B, size int) {
	x, y := bareTCPPair(b)
	n := b.N + 1
	received := make(chan error, 1)
	go func() {
		buf := make([]byte, size)
		for range n {
			if _, err := io.ReadFull(y, buf); err != nil {
				received <- err
				return
			}
		}
		_, err := y.Write(buf[:1])
		received <- err
	}()
	msg := make([]byte, size)
	if _, err := x.Write(msg); err != nil {
		b.Fatal(err)
	}
	ack := make([]byte, 1)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := x.Write(msg); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := io.ReadFull(x, ack); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if err := <-received; err != nil {
		b.Fatal(err)
	}
}

// The Bandwidth benchmarks take the default path, which between ranks of
// one machine is single copy; the Sockets ones send every payload
// through the socket, the path between machines.
func BenchmarkBandwidth1MiB(b *testing.B)         { benchmarkBandwidth(b, 1<<20, 0) }
func BenchmarkBandwidth16MiB(b *testing.B)        { benchmarkBandwidth(b, 16<<20, 0) }
func BenchmarkSocketsBandwidth1MiB(b *testing.B)  { benchmarkBandwidth(b, 1<<20, -1) }
func BenchmarkSocketsBandwidth16MiB(b *testing.B) { benchmarkBandwidth(b, 16<<20, -1) }
func BenchmarkBareTCPBandwidth1MiB(b *testing.B)  { benchmarkBareBandwidth(b, 1<<20) }
func BenchmarkBareTCPBandwidth16MiB(b *testing.B) { benchmarkBareBandwidth(b, 16<<20) }

// benchmarkCollective runs a collective on every rank of an n-rank world,
// b.N times; setup, called once per rank before the timer starts, makes
// the rank's buffers and returns one call of the collective. An iteration
// is one collective, as long as its slowest rank.
func benchmarkCollective(b *testing.B, n int, setup func(c *comm.Comm) func() error) {
	cs := benchWorld(b, n)
	ops := make([]func() error, n)
	for i, c := range cs {
		ops[i] = setup(c)
	}
	run := func(iters int) error {
		errs := make(chan error, n)
		for _, op := range ops {
			go func() {
				for range iters {
					if err := op(); err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		var first error
		for range n {
			if err := <-errs; err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	if err := run(1); err != nil { // warm-up: connections, buffers
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if err := run(b.N); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/op")
}

// collectiveRanks are the world sizes the collectives run on: 2 (one rank
// per core here) and 4 (oversubscribed on a 2-core machine, as in the Open
// MPI figures).
var collectiveRanks = []struct {
	name string
	n    int
}{{"ranks=2", 2}, {"ranks=4", 4}}

// BenchmarkAllreduce1Mi: Allreduce (Sum) of 1 Mi float64 (8 MiB) per rank.
func BenchmarkAllreduce1Mi(b *testing.B) {
	for _, r := range collectiveRanks {
		b.Run(r.name, func(b *testing.B) {
			benchmarkCollective(b, r.n, func(c *comm.Comm) func() error {
				send, recv := make([]float64, 1<<20), make([]float64, 1<<20)
				for i := range send {
					send[i] = float64(i % 1000)
				}
				return func() error { return c.Allreduce(send, recv, comm.Sum) }
			})
		})
	}
}

// BenchmarkBcast1MiB: Bcast of 1 MiB from rank 0.
func BenchmarkBcast1MiB(b *testing.B) {
	for _, r := range collectiveRanks {
		b.Run(r.name, func(b *testing.B) {
			benchmarkCollective(b, r.n, func(c *comm.Comm) func() error {
				buf := make([]byte, 1<<20)
				return func() error { return c.Bcast(buf, 0) }
			})
		})
	}
}

// BenchmarkGather1MiB: Gather of 1 MiB from every rank to rank 0 (the OSU
// convention: the size is each rank's contribution).
func BenchmarkGather1MiB(b *testing.B) {
	for _, r := range collectiveRanks {
		b.Run(r.name, func(b *testing.B) {
			benchmarkCollective(b, r.n, func(c *comm.Comm) func() error {
				send := make([]byte, 1<<20)
				var recv []byte
				if c.Rank() == 0 {
					recv = make([]byte, c.Size()<<20)
				}
				return func() error { return c.Gather(send, recv, 0) }
			})
		})
	}
}
