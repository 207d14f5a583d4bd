package par_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/par"
)

// TestForRangeCovers: the ranges tile [0, n) exactly once.
func TestForRangeCovers(t *testing.T) {
	for _, w := range worlds {
		for _, s := range schedules {
			for _, n := range sizes {
				t.Run(name(w.ranks, w.threads, s.name, n), func(t *testing.T) {
					seen := make([]atomic.Int32, n)
					onRanks(t, w.ranks, func(c *comm.Comm) error {
						return par.ForRange(c, n, func(lo, hi int) error {
							if lo >= hi {
								return fmt.Errorf("empty range [%d,%d)", lo, hi)
							}
							for i := lo; i < hi; i++ {
								seen[i].Add(1)
							}
							return nil
						}, opts(s.opts, par.Threads(w.threads))...)
					})
					for i := range seen {
						if v := seen[i].Load(); v != 1 {
							t.Fatalf("index %d covered %d times", i, v)
						}
					}
				})
			}
		}
	}
}

// TestReduceRangeCount: an integer count is exact whatever the ranges,
// and a failing range is named.
func TestReduceRangeCount(t *testing.T) {
	const n = 100003
	for _, w := range worlds {
		for _, s := range schedules {
			t.Run(name(w.ranks, w.threads, s.name, n), func(t *testing.T) {
				onRanks(t, w.ranks, func(c *comm.Comm) error {
					count := func(lo, hi int) (int64, error) {
						var m int64
						for i := lo; i < hi; i++ {
							if i%7 == 3 {
								m++
							}
						}
						return m, nil
					}
					got, err := par.ReduceRange(c, n, count, func(a, b int64) int64 { return a + b },
						opts(s.opts, par.Threads(w.threads), par.ToAll)...)
					if err != nil {
						return err
					}
					if want := int64((n - 3 + 6) / 7); got != want {
						return fmt.Errorf("rank %d: count %d, want %d", c.Rank(), got, want)
					}
					_, err = par.ReduceRange(c, n, func(lo, hi int) (int64, error) {
						if lo <= 5000 && 5000 < hi {
							return 0, errors.New("bad range")
						}
						return 0, nil
					}, func(a, b int64) int64 { return a + b }, opts(s.opts, par.Threads(w.threads))...)
					var ie *par.ItemError
					if !errors.As(err, &ie) || !strings.Contains(ie.Item, "items [") || ie.Index > 5000 {
						return fmt.Errorf("rank %d: %v, want the range holding 5000", c.Rank(), err)
					}
					return nil
				})
			})
		}
	}
}
