package par_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/par"
)

// TestMapPeerLost: a rank that dies in the middle of a Map makes the call
// fail on the others, naming it, instead of hanging them.
func TestMapPeerLost(t *testing.T) {
	for _, s := range schedules {
		t.Run(s.name, func(t *testing.T) {
			cs, world := comm.NewMemWorldFaulty(3, comm.Config{})
			errs := make([]error, 3)
			var wg sync.WaitGroup // the survivors: rank 2's own calls may never end, as a dead process's

			var once sync.Once
			for r, c := range cs {
				if r < 2 {
					wg.Add(1)
				}
				go func() {
					if r < 2 {
						defer wg.Done()
					}
					_, errs[r] = par.MapRange(c, 3000, func(i int) (int, error) {
						if r == 2 && i > 0 {
							once.Do(func() { world.Kill(2, errors.New("killed by the test")) })
						}
						time.Sleep(100 * time.Microsecond)
						return i, nil
					}, opts(s.opts, par.Threads(2))...)
				}()
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				t.Fatal("the survivors hang after rank 2 was killed")
			}
			for r := 0; r < 2; r++ {
				var re *comm.RankError
				if !errors.As(errs[r], &re) || !errors.Is(errs[r], comm.ErrPeerLost) {
					t.Errorf("rank %d: %v, want a RankError wrapping ErrPeerLost", r, errs[r])
				}
			}
		})
	}
}
