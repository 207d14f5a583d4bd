package par_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/par"
)

// TestMapInputOrder: results come back in the order of the items, at the
// root only by default, for every schedule and shape.
func TestMapInputOrder(t *testing.T) {
	for _, w := range worlds {
		for _, s := range schedules {
			for _, n := range sizes {
				t.Run(name(w.ranks, w.threads, s.name, n), func(t *testing.T) {
					items := make([]int, n)
					for i := range items {
						items[i] = 3*i + 1
					}
					onRanks(t, w.ranks, func(c *comm.Comm) error {
						got, err := par.Map(c, items, func(x int) (string, error) { return fmt.Sprint(x * x), nil },
							opts(s.opts, par.Threads(w.threads))...)
						if err != nil {
							return err
						}
						if c.Rank() != 0 {
							if got != nil {
								return fmt.Errorf("results off the root: %d", len(got))
							}
							return nil
						}
						if len(got) != n {
							return fmt.Errorf("%d results for %d items", len(got), n)
						}
						for i, x := range items {
							if got[i] != fmt.Sprint(x*x) {
								return fmt.Errorf("result %d = %q, want %d", i, got[i], x*x)
							}
						}
						return nil
					})
				})
			}
		}
	}
}

// TestMapToAllAndRoot: ToAll gives every rank the results; Root moves them.
func TestMapToAllAndRoot(t *testing.T) {
	type point struct { // plain data: travels as memory
		X, Y float64
		N    int32
	}
	items := make([]float64, 101)
	for i := range items {
		items[i] = float64(i) / 7
	}
	for _, s := range schedules {
		t.Run(s.name, func(t *testing.T) {
			onRanks(t, 3, func(c *comm.Comm) error {
				f := func(x float64) (point, error) { return point{x, math.Sqrt(x), int32(x * 7)}, nil }
				all, err := par.Map(c, items, f, opts(s.opts, par.ToAll, par.Threads(2))...)
				if err != nil {
					return err
				}
				for i, x := range items {
					if want, _ := f(x); all[i] != want {
						return fmt.Errorf("rank %d: result %d = %v, want %v", c.Rank(), i, all[i], want)
					}
				}
				at2, err := par.Map(c, items, f, opts(s.opts, par.Root(2))...)
				if err != nil {
					return err
				}
				if (c.Rank() == 2) != (at2 != nil) {
					return fmt.Errorf("rank %d: Root(2) gave %d results", c.Rank(), len(at2))
				}
				if c.Rank() == 2 && !slices.Equal(at2, all) {
					return fmt.Errorf("Root(2) results differ from ToAll's")
				}
				return nil
			})
		})
	}
}

// TestMapRangeAndRand: results drawn from par.Rand are the same for every
// number of ranks and threads and every schedule.
func TestMapRangeAndRand(t *testing.T) {
	const n, seed = 257, 42
	draw := func(i int) ([3]float64, error) {
		r := par.Rand(seed, i)
		return [3]float64{r.Float64(), r.NormFloat64(), float64(r.IntN(1000))}, nil
	}
	var want [][3]float64
	for i := 0; i < n; i++ {
		v, _ := draw(i)
		want = append(want, v)
	}
	for _, w := range worlds {
		for _, s := range schedules {
			t.Run(name(w.ranks, w.threads, s.name, n), func(t *testing.T) {
				onRanks(t, w.ranks, func(c *comm.Comm) error {
					got, err := par.MapRange(c, n, draw, opts(s.opts, par.Threads(w.threads), par.ToAll)...)
					if err != nil {
						return err
					}
					if !slices.Equal(got, want) {
						return fmt.Errorf("rank %d: draws differ from the serial ones", c.Rank())
					}
					return nil
				})
			})
		}
	}
}

// TestForEachVisitsOnce: every index is visited exactly once.
func TestForEachVisitsOnce(t *testing.T) {
	for _, w := range worlds {
		for _, s := range schedules {
			for _, n := range sizes {
				t.Run(name(w.ranks, w.threads, s.name, n), func(t *testing.T) {
					seen := make([]atomic.Int32, n) // the ranks share this process
					onRanks(t, w.ranks, func(c *comm.Comm) error {
						return par.ForEach(c, n, func(i int) error { seen[i].Add(1); return nil },
							opts(s.opts, par.Threads(w.threads))...)
					})
					for i := range seen {
						if v := seen[i].Load(); v != 1 {
							t.Fatalf("index %d visited %d times", i, v)
						}
					}
				})
			}
		}
	}
}

// TestMapFailure: a failing item is reported by index and item, on every
// rank, under the default policy (stop) and KeepGoing, for an error and a
// panic, whichever rank computes it.
func TestMapFailure(t *testing.T) {
	items := make([]string, 60)
	for i := range items {
		items[i] = fmt.Sprintf("item-%02d", i)
	}
	errBad := errors.New("bad item")
	f := func(s string) (int, error) {
		switch s {
		case "item-07":
			return 0, errBad
		case "item-41":
			panic("boom at 41")
		}
		return len(s), nil
	}
	for _, w := range worlds {
		for _, s := range schedules {
			t.Run(name(w.ranks, w.threads, s.name, len(items)), func(t *testing.T) {
				onRanks(t, w.ranks, func(c *comm.Comm) error {
					_, err := par.Map(c, items, f, opts(s.opts, par.Threads(w.threads))...)
					var ie *par.ItemError
					if !errors.As(err, &ie) {
						return fmt.Errorf("rank %d: stop policy: got %v, want an *ItemError", c.Rank(), err)
					}
					// Item 7 always runs: under every schedule some worker
					// starts before anyone has failed... unless item 41
					// failed first and stopped it. Either is a right answer.
					if ie.Index != 7 && ie.Index != 41 {
						return fmt.Errorf("rank %d: failed index %d, want 7 or 41", c.Rank(), ie.Index)
					}
					if !strings.Contains(err.Error(), items[ie.Index]) {
						return fmt.Errorf("error %q does not name the item", err)
					}

					res, err := par.Map(c, items, f, opts(s.opts, par.Threads(w.threads), par.KeepGoing)...)
					var es par.Errors
					if !errors.As(err, &es) || len(es) != 2 || es[0].Index != 7 || es[1].Index != 41 {
						return fmt.Errorf("rank %d: KeepGoing: got %v, want items 7 and 41", c.Rank(), err)
					}
					if es[1].Stack == "" || !strings.Contains(es[1].Error(), "panic: boom at 41") {
						return fmt.Errorf("the panic lost its text or stack: %v", es[1])
					}
					if !strings.Contains(es[0].Error(), "bad item") {
						return fmt.Errorf("the error lost its text: %v", es[0])
					}
					if c.Rank() == 0 {
						for i, v := range res {
							want := 7
							if i == 7 || i == 41 {
								want = 0
							}
							if v != want {
								return fmt.Errorf("KeepGoing result %d = %d, want %d", i, v, want)
							}
						}
					}
					return nil
				})
			})
		}
	}
}

// TestMapErrorKeepsTypeLocally: the rank that computed a failing item
// keeps its error's type (errors.Is works there); the text reaches all.
func TestMapErrorKeepsTypeLocally(t *testing.T) {
	errBad := errors.New("bad")
	onRanks(t, 2, func(c *comm.Comm) error {
		_, err := par.MapRange(c, 10, func(i int) (int, error) {
			if i == 9 { // rank 1's under Static
				return 0, errBad
			}
			return i, nil
		})
		var ie *par.ItemError
		if !errors.As(err, &ie) || ie.Index != 9 || ie.Rank != 1 {
			return fmt.Errorf("rank %d: %v", c.Rank(), err)
		}
		if c.Rank() == 1 && !errors.Is(err, errBad) {
			return fmt.Errorf("rank 1 lost the error's identity: %v", err)
		}
		return nil
	})
}

// TestMapStopsEarly: under the default policy a failure stops the other
// ranks' work: far fewer items run than there are.
func TestMapStopsEarly(t *testing.T) {
	for _, s := range schedules {
		t.Run(s.name, func(t *testing.T) {
			const n = 4000
			var ran atomic.Int64
			onRanks(t, 3, func(c *comm.Comm) error {
				_, err := par.MapRange(c, n, func(i int) (int, error) {
					ran.Add(1)
					if i == 0 || i == 3*n/4 { // an early item of rank 0 and of rank 2 (Static)
						return 0, errors.New("fails")
					}
					sink.Add(int64(spin(20000))) // some work, so stopping matters
					return i, nil
				}, opts(s.opts, par.Threads(1))...)
				if err == nil {
					return errors.New("no error")
				}
				return nil
			})
			if r := ran.Load(); r > n/2 {
				t.Fatalf("%d of %d items ran after an early failure", r, n)
			}
		})
	}
}

var sink atomic.Int64

// spin burns about n loop iterations of CPU.
func spin(n int) float64 {
	x := 0.0
	for i := 0; i < n; i++ {
		x += math.Sqrt(float64(i))
	}
	return x
}

// TestMapProgress: a Meter sees every item once, over all ranks.
func TestMapProgress(t *testing.T) {
	for _, s := range schedules {
		t.Run(s.name, func(t *testing.T) {
			var work, done atomic.Int64
			m := meter{&work, &done}
			onRanks(t, 3, func(c *comm.Comm) error {
				_, err := par.MapRange(c, 500, func(i int) (int, error) { return i, nil }, opts(s.opts, par.Progress(m), par.Threads(2))...)
				return err
			})
			if work.Load() != 500 || done.Load() != 500 {
				t.Fatalf("meter: work %d, done %d, want 500 and 500", work.Load(), done.Load())
			}
		})
	}
}

type meter struct{ work, done *atomic.Int64 }

func (m meter) Work(n int64)    { m.work.Add(n) }
func (m meter) Advance(n int64) { m.done.Add(n) }
