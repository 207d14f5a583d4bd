package shm_test

import (
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/shm"
)

// benchPingPong times round trips of size bytes between two ranks of this
// process through shared memory and reports half of one.
func benchPingPong(b *testing.B, size int) {
	cs, _ := world(b, 2, shm.Config{Spin: benchSpin}, "one")
	defer cs[0].Close()
	defer cs[1].Close()
	buf0, buf1 := make([]byte, size), make([]byte, size)
	done := make(chan error)
	go func() {
		for range b.N + 1 {
			if _, err := cs[1].Recv(buf1, 0, 0); err != nil {
				done <- err
				return
			}
			if err := cs[1].Send(buf1, 0, 0); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	pp := func() {
		if err := cs[0].Send(buf0, 1, 0); err != nil {
			b.Fatal(err)
		}
		if _, err := cs[0].Recv(buf0, 1, 0); err != nil {
			b.Fatal(err)
		}
	}
	pp() // the pair switches to its ring
	b.SetBytes(int64(size))
	b.ResetTimer()
	for range b.N {
		pp()
	}
	b.StopTimer()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2, "ns/half-rtt")
}

func BenchmarkPingPong8B(b *testing.B)    { benchPingPong(b, 8) }
func BenchmarkPingPong64KiB(b *testing.B) { benchPingPong(b, 64<<10) }
func BenchmarkPingPong1MiB(b *testing.B)  { benchPingPong(b, 1<<20) }
func BenchmarkPingPong16MiB(b *testing.B) { benchPingPong(b, 16<<20) }

var _ = comm.AnySource

func TestDebugCounts(t *testing.T) {
	r := testing.Benchmark(BenchmarkPingPong8B)
	t.Logf("%v progress %d blocked %d spin %v", r, shm.DebugProgress.Load(), shm.DebugBlocked.Load(), shm.DebugSpin())
}

var benchSpin time.Duration

func TestDebugCounts2(t *testing.T) {
	for _, s := range []time.Duration{5 * time.Microsecond, 20 * time.Microsecond, 100 * time.Microsecond, time.Millisecond} {
		benchSpin = s
		shm.DebugProgress.Store(0)
		shm.DebugBlocked.Store(0)
		r := testing.Benchmark(BenchmarkPingPong8B)
		t.Logf("spin %v: %v progress %d blocked %d", s, r, shm.DebugProgress.Load(), shm.DebugBlocked.Load())
	}
}

func TestDebugHist(t *testing.T) {
	for _, s := range []time.Duration{5 * time.Microsecond, 20 * time.Microsecond} {
		cs, _ := world(t, 2, shm.Config{Spin: s}, "one")
		buf0, buf1 := make([]byte, 8), make([]byte, 8)
		const N = 100000
		go func() {
			for range N + 1 {
				cs[1].Recv(buf1, 0, 0)
				cs[1].Send(buf1, 0, 0)
			}
		}()
		hist := map[int]int{}
		var worst time.Duration
		var total time.Duration
		shm.DebugProgress.Store(0)
		shm.DebugBlocked.Store(0)
		for i := range N + 1 {
			t0 := time.Now()
			cs[0].Send(buf0, 1, 0)
			cs[0].Recv(buf0, 1, 0)
			d := time.Since(t0)
			if i == 0 {
				continue
			}
			total += d
			b := 0
			for x := d; x > time.Microsecond; x /= 4 {
				b++
			}
			hist[b]++
			worst = max(worst, d)
		}
		t.Logf("spin %v: mean rtt %v worst %v hist(us: <1,<4,<16,<64,<256,<1024,...) %v progress %d blocked %d", s, total/N, worst, hist, shm.DebugProgress.Load(), shm.DebugBlocked.Load())
		cs[0].Close()
		cs[1].Close()
	}
}
