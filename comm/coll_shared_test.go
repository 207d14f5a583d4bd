package comm_test

import (
	"errors"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/commtest"
)

func sharedMemWorld(t *testing.T, n int) []*comm.Comm {
	cs := barrierOnce(t, comm.NewSharedMemWorld(n, comm.Config{}))
	comm.UseLongWindow(cs)
	return cs
}

// barrierOnce runs a first Barrier on every rank of cs, which makes their
// shared window, so the cases that follow use it from their first call.
func barrierOnce(t testing.TB, cs []*comm.Comm) []*comm.Comm {
	errs := make(chan error, len(cs))
	for _, c := range cs {
		go func() { errs <- c.Barrier() }()
	}
	for range cs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	return cs
}

// TestConformanceSharedCollectives runs the suite with Barrier and short
// Allreduces in a shared window.
func TestConformanceSharedCollectives(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("shared windows need Linux")
	}
	commtest.Run(t, sharedMemWorld)
}

// TestSharedAllreduceBitIdentical: Allreduce in a shared window gives the
// same bits as over messages, for every size from 1 to 9, every op, and
// sums whose rounding depends on the order, NaN payloads and signed
// zeros included. (comm's contract: the result does not depend on the
// transport.)
func TestSharedAllreduceBitIdentical(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("shared windows need Linux")
	}
	input := func(r, n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Sin(float64(r*7919+i)) * math.Pow(10, float64((r*3+i)%17-8))
		}
		x[0] = math.Float64frombits(0x7ff8000000000001 + uint64(r)) // a NaN with rank r's payload
		x[1] = math.Copysign(0, float64(r%2*2-1))                   // -0 and +0
		return x
	}
	for p := 1; p <= 9; p++ {
		for _, length := range []int{300, 20011} { // the window's doubling, and its ring (over 64 KiB, not a multiple of p)
			for _, op := range []comm.Op{comm.Sum, comm.Prod, comm.Min, comm.Max} {
				run := func(cs []*comm.Comm) [][]float64 {
					out := make([][]float64, p)
					err := runRanks(cs, func(c *comm.Comm) error {
						out[c.Rank()] = make([]float64, length)
						return c.Allreduce(input(c.Rank(), length), out[c.Rank()], op)
					})
					if err != nil {
						t.Fatal(err)
					}
					return out
				}
				msgs := run(comm.NewMemWorld(p, comm.Config{}))
				shared := barrierOnce(t, comm.NewSharedMemWorld(p, comm.Config{}))
				comm.UseLongWindow(shared) // whatever the cores here
				win := run(shared)
				if p > 1 && !comm.UsesSharedCollectives(shared[0]) {
					t.Fatalf("p=%d: the shared world did not use its window", p)
				}
				for r := range p {
					for i := range msgs[r] {
						if math.Float64bits(msgs[r][i]) != math.Float64bits(win[r][i]) {
							t.Fatalf("p=%d length %d %v rank %d [%d]: window %x, messages %x", p, length, op, r, i, math.Float64bits(win[r][i]), math.Float64bits(msgs[r][i]))
						}
					}
				}
			}
		}
	}
}

// runRanks runs fn on every rank of cs at once and closes them.
func runRanks(cs []*comm.Comm, fn func(c *comm.Comm) error) error {
	errs := make(chan error, len(cs))
	for _, c := range cs {
		go func() { errs <- fn(c) }()
	}
	var first error
	for range cs {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	for _, c := range cs {
		c.Close()
	}
	return first
}

// TestSharedBarrierFailures: a rank waiting in the shared window fails,
// naming the rank it waits for, when that rank is lost (as over messages)
// and when Config.Timeout passes; the window is made first, so the wait
// is the window's.
func TestSharedBarrierFailures(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("shared windows need Linux")
	}
	for _, c := range []struct {
		name string
		cfg  comm.Config
		kill bool
		want error
	}{
		{"lost", comm.Config{}, true, comm.ErrPeerLost},
		{"timeout", comm.Config{Timeout: 200 * time.Millisecond}, false, comm.ErrTimeout},
	} {
		t.Run(c.name, func(t *testing.T) {
			cs, w := comm.NewSharedMemWorldFaulty(3, c.cfg)
			barrierOnce(t, cs) // makes the window
			errs := make(chan error, 3)
			if !comm.UsesSharedCollectives(cs[0]) {
				t.Fatal("no shared window")
			}
			for _, cc := range cs[:2] {
				go func() { errs <- cc.Barrier() }() // rank 2 never comes
			}
			if c.kill {
				time.Sleep(20 * time.Millisecond)
				w.Kill(2, errors.New("process killed"))
			}
			for r := range 2 {
				select {
				case err := <-errs:
					var re *comm.RankError
					if !errors.As(err, &re) || re.Rank != 2 || !errors.Is(err, c.want) {
						t.Errorf("rank %d: %v, want a RankError naming rank 2 wrapping %v", r, err, c.want)
					}
				case <-time.After(30 * time.Second):
					t.Fatalf("a rank still waits after rank 2 %s", c.name)
				}
			}
			for _, cc := range cs {
				cc.Close()
			}
		})
	}
}
