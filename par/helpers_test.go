package par_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/par"
)

// worlds are the shapes every pattern is checked on: ranks x threads,
// including non-powers of two and more workers than items.
var worlds = []struct{ ranks, threads int }{
	{1, 1}, {1, 2}, {2, 1}, {2, 2}, {3, 1}, {3, 2}, {4, 3},
}

var schedules = []struct {
	name string
	opts []par.Option
}{
	{"static", nil},
	{"cyclic", []par.Option{par.Cyclic}},
	{"cyclic3", []par.Option{par.Cyclic, par.Chunk(3)}},
	{"dynamic", []par.Option{par.Dynamic}},
	{"dynamic5", []par.Option{par.Dynamic, par.Chunk(5)}},
}

// sizes are item counts at the edges of every split: none, one, fewer
// than the workers, not a multiple of them, and many.
var sizes = []int{0, 1, 2, 5, 17, 1000}

// onRanks runs fn on every rank of an in-process world of n ranks and
// fails the test if any rank fails or the world does not finish in time.
func onRanks(t *testing.T, n int, fn func(c *comm.Comm) error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- comm.RunMem(n, fn) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("%d ranks: no end after 60 s (hang)", n)
	}
}

func opts(base []par.Option, more ...par.Option) []par.Option {
	return append(append([]par.Option{}, base...), more...)
}

func name(ranks, threads int, sched string, n int) string {
	return fmt.Sprintf("%dx%d/%s/n=%d", ranks, threads, sched, n)
}
