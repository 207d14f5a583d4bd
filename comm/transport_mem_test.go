package comm_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/commtest"
)

func memWorld(t *testing.T, n int) []*comm.Comm { return comm.NewMemWorld(n, comm.Config{}) }

func TestConformanceMem(t *testing.T) { commtest.Run(t, memWorld) }

// Killing a rank mid-Allreduce makes every other rank's call return an
// error naming the lost rank, instead of hanging.
func TestKillMidAllreduce(t *testing.T) {
	for _, n := range []int{2, 4, 7} {
		cs, w := comm.NewMemWorldFaulty(n, comm.Config{})
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i, c := range cs {
			if i == 1 {
				continue // the victim never joins
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				x := make([]float64, 1<<17)
				errs[i] = c.Allreduce(x, x, comm.Sum)
			}()
		}
		close(start)
		time.Sleep(20 * time.Millisecond)
		w.Kill(1, errors.New("process killed"))
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("n=%d: ranks still blocked 10s after rank 1 died", n)
		}
		for i, err := range errs {
			if i == 1 {
				continue
			}
			var re *comm.RankError
			if !errors.As(err, &re) || re.Rank != 1 || !errors.Is(err, comm.ErrPeerLost) {
				t.Errorf("n=%d rank %d: got %v, want a RankError naming rank 1 wrapping ErrPeerLost", n, i, err)
			}
		}
	}
}

// A receive that waits past Config.Timeout returns ErrTimeout naming the
// peer, and the request is withdrawn so a later message is not lost.
func TestTimeout(t *testing.T) {
	cs := comm.NewMemWorld(2, comm.Config{Timeout: 50 * time.Millisecond})
	defer cs[0].Close()
	defer cs[1].Close()
	_, err := cs[0].Recv(make([]float64, 1), 1, 0)
	var re *comm.RankError
	if !errors.Is(err, comm.ErrTimeout) || !errors.As(err, &re) || re.Rank != 1 || re.Op != "Recv" {
		t.Fatalf("got %v, want a Recv timeout naming rank 1", err)
	}
	if err := cs[1].Send([]float64{3}, 0, 0); err != nil {
		t.Fatal(err)
	}
	got := []float64{0}
	if _, err := cs[0].Recv(got, 1, 0); err != nil || got[0] != 3 {
		t.Fatalf("after a timeout, got %v (%v)", got, err)
	}
}

// memFaultyWorld is commtest.NewFaultyWorld for the in-process transport:
// MemWorld.Kill cuts the victim off as its process's death would.
func memFaultyWorld(t *testing.T, n int, cfg comm.Config, victim int) ([]*comm.Comm, func()) {
	all, w := comm.NewMemWorldFaulty(n, cfg)
	t.Cleanup(func() {
		for _, c := range all {
			c.Close()
		}
	})
	cs := append([]*comm.Comm(nil), all...)
	cs[victim] = nil
	return cs, func() { w.Kill(victim, errors.New("killed by the test")) }
}

func TestFaultsMem(t *testing.T) { commtest.RunFaults(t, memFaultyWorld) }
