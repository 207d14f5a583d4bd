package par_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/kernels"
	"github.com/spmd-go/spmd/par"
)

// serialReduce is MapReduce's documented order of combination, written
// out: blocks from kernels.Share, each folded left to right, then the
// partials left to right.
func serialReduce(n int, f func(int) float64) float64 {
	blocks := min(n, par.MaxBlocks)
	var total float64
	for b := 0; b < blocks; b++ {
		s := kernels.Share(n, b, blocks)
		acc := f(s.Lo)
		for i := s.Lo + 1; i < s.Hi; i++ {
			acc += f(i)
		}
		if b == 0 {
			total = acc
		} else {
			total += acc
		}
	}
	return total
}

// TestMapReduceBitIdentical: a floating-point sum (not associative) is the
// same bits for every shape and schedule, and equals the documented order.
func TestMapReduceBitIdentical(t *testing.T) {
	f := func(i int) float64 { return 1 / (float64(i) + 0.1) * math.Sin(float64(i)) }
	for _, n := range []int{0, 1, 7, 5000, par.MaxBlocks*3 + 17} {
		want := 0.0
		if n > 0 {
			want = serialReduce(n, f)
		}
		for _, w := range worlds {
			for _, s := range schedules {
				t.Run(name(w.ranks, w.threads, s.name, n), func(t *testing.T) {
					onRanks(t, w.ranks, func(c *comm.Comm) error {
						got, err := par.MapReduce(c, n, func(i int) (float64, error) { return f(i), nil },
							func(a, b float64) float64 { return a + b }, opts(s.opts, par.Threads(w.threads), par.ToAll)...)
						if err != nil {
							return err
						}
						if math.Float64bits(got) != math.Float64bits(want) {
							return fmt.Errorf("rank %d: sum %.17g, want %.17g", c.Rank(), got, want)
						}
						return nil
					})
				})
			}
		}
	}
}

// TestMapReduceFailure: errors name the item, not the block; KeepGoing
// leaves the failed items out of the total.
func TestMapReduceFailure(t *testing.T) {
	const n = 10000
	f := func(i int) (int64, error) {
		if i == 1234 {
			return 0, errors.New("no good")
		}
		if i == 8765 {
			panic(fmt.Sprintf("bad %d", i))
		}
		return int64(i), nil
	}
	sum := func(a, b int64) int64 { return a + b }
	for _, s := range schedules {
		t.Run(s.name, func(t *testing.T) {
			onRanks(t, 3, func(c *comm.Comm) error {
				_, err := par.MapReduce(c, n, f, sum, opts(s.opts, par.Threads(2))...)
				var ie *par.ItemError
				if !errors.As(err, &ie) || (ie.Index != 1234 && ie.Index != 8765) {
					return fmt.Errorf("rank %d: %v, want item 1234 or 8765", c.Rank(), err)
				}
				got, err := par.MapReduce(c, n, f, sum, opts(s.opts, par.Threads(2), par.KeepGoing)...)
				var es par.Errors
				if !errors.As(err, &es) || len(es) != 2 || es[0].Index != 1234 || es[1].Index != 8765 {
					return fmt.Errorf("rank %d: KeepGoing: %v", c.Rank(), err)
				}
				if want := int64(n*(n-1)/2 - 1234 - 8765); c.Rank() == 0 && got != want {
					return fmt.Errorf("KeepGoing total %d, want %d", got, want)
				}
				return nil
			})
		})
	}
}

// TestMapReduceStruct: a result with slices travels by gob.
func TestMapReduceStruct(t *testing.T) {
	type hist struct{ Bins []int }
	onRanks(t, 3, func(c *comm.Comm) error {
		h, err := par.MapReduce(c, 1000, func(i int) (hist, error) {
			b := make([]int, 10)
			b[par.Rand(7, i).IntN(10)]++
			return hist{b}, nil
		}, func(a, b hist) hist {
			out := hist{make([]int, 10)}
			for i := range out.Bins {
				out.Bins[i] = a.Bins[i] + b.Bins[i]
			}
			return out
		}, par.Dynamic, par.ToAll)
		if err != nil {
			return err
		}
		total := 0
		for _, v := range h.Bins {
			total += v
		}
		if total != 1000 {
			return fmt.Errorf("rank %d: %d draws binned, want 1000", c.Rank(), total)
		}
		return nil
	})
}
