// Package commtest is the conformance suite of package comm: every
// point-to-point and collective case, written once, run against any
// transport. A transport's test calls Run with a function that makes a
// world of n ranks:
//
//	func TestConformance(t *testing.T) { commtest.Run(t, newTCPWorld) }
//
// As in mpi4py's test suite, each collective runs at several sizes (1, 2,
// 3, 4, 7 and 8: powers of two and not), from every root, on the world
// and on a communicator made by Split.
package commtest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// NewWorld makes the world communicators of n ranks, element i being rank
// i. The suite closes them.
type NewWorld func(t *testing.T, n int) []*comm.Comm

// Sizes are the world sizes every collective is tested at.
var Sizes = []int{1, 2, 3, 4, 7, 8}

// Timeout bounds each multi-rank case, so a bug fails fast instead of
// hanging the test binary.
var Timeout = 60 * time.Second

// Run runs the whole suite.
func Run(t *testing.T, newWorld NewWorld) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newWorld) })
	}
}

type testCase struct {
	name string
	fn   func(t *testing.T, nw NewWorld)
}

var cases []testCase

func add(name string, fn func(t *testing.T, nw NewWorld)) { cases = append(cases, testCase{name, fn}) }

// Spmd runs fn on every rank of a new world of n ranks, each in its own
// goroutine, and fails t if any rank returns an error or the ranks do not
// all finish within Timeout.
func Spmd(t *testing.T, nw NewWorld, n int, fn func(c *comm.Comm) error) {
	t.Helper()
	cs := nw(t, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("panic: %v", p)
				}
			}()
			errs[i] = fn(c)
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(Timeout):
		t.Fatalf("%d ranks did not finish within %v (deadlock or lost message)", n, Timeout)
	}
	for _, c := range cs {
		c.Close()
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("rank %d: %v", i, err)
		}
	}
}

// forSizes runs fn as a subtest for each world size.
func forSizes(t *testing.T, nw NewWorld, fn func(c *comm.Comm) error) {
	for _, n := range Sizes {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) { Spmd(t, nw, n, fn) })
	}
}

// forSizesSplit also runs fn on the communicators of a Split of the world
// (two colors, keys reversing the order), so collectives are tested on
// ranks that are not the world's.
func forSizesSplit(t *testing.T, nw NewWorld, fn func(c *comm.Comm) error) {
	forSizes(t, nw, fn)
	for _, n := range []int{3, 7, 8} {
		t.Run(fmt.Sprintf("split/n=%d", n), func(t *testing.T) {
			Spmd(t, nw, n, func(w *comm.Comm) error {
				sub, err := w.Split(w.Rank()%2, -w.Rank())
				if err != nil {
					return err
				}
				if err := fn(sub); err != nil {
					return fmt.Errorf("on split communicator (rank %d of %d): %w", sub.Rank(), sub.Size(), err)
				}
				return sub.Close()
			})
		})
	}
}

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }
