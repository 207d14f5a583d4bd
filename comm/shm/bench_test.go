package shm_test

import (
	"testing"

	"github.com/spmd-go/spmd/comm/shm"
)

// benchPingPong times round trips of size bytes between two ranks of this
// process through shared memory and reports half of one.
func benchPingPong(b *testing.B, size int) {
	cs, _ := world(b, 2, shm.Config{}, "one")
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
