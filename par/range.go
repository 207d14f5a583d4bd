package par

import (
	"errors"
	"sync"

	"github.com/spmd-go/spmd/comm"
)

// ForRange calls f(lo, hi) on ranges of consecutive indices that together
// cover [0, n) once, across the ranks and their goroutines, as the
// Schedule cuts them: for kernels that work on a block of rows or samples
// at a time (vector code, a panel of a matrix). It fails as Map does, the
// error naming the range. It panics if n < 0.
func ForRange(c *comm.Comm, n int, f func(lo, hi int) error, opts ...Option) error {
	checkN(n, "ForRange")
	k := &call[struct{}]{cfg: newConfig(opts), n: n, span: f}
	_, err := k.run(c)
	return err
}

// ReduceRange folds f(lo, hi), over ranges that cover [0, n) once as in
// ForRange, with combine, and returns the total at the root (on every rank
// with ToAll). Which ranges there are, and the order they are combined
// in, depend on the ranks, the goroutines and the schedule: use it when
// combine gives the same answer in any order (integer sums and counts,
// min, max), and MapReduce, whose order is fixed, for floating-point sums.
// For n == 0 it returns the zero R.
func ReduceRange[R any](c *comm.Comm, n int, f func(lo, hi int) (R, error), combine func(a, b R) R, opts ...Option) (R, error) {
	checkN(n, "ReduceRange")
	cfg := newConfig(opts)
	var (
		mu  sync.Mutex
		acc partial[R]
	)
	k := &call[struct{}]{cfg: cfg, n: n}
	k.span = func(lo, hi int) error {
		v, err := f(lo, hi)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if acc.Ok {
			acc.V = combine(acc.V, v)
		} else {
			acc = partial[R]{V: v, Ok: true}
		}
		return nil
	}
	var zero R
	_, err := k.run(c)
	var failures Errors
	if err != nil && !errors.As(err, &failures) {
		return zero, err // a failure that stopped the work, or the world's
	}
	// With KeepGoing the total is over the ranges that succeeded.
	if k.c == nil { // a lone rank
		return acc.V, err
	}
	parts, gerr := comm.GatherValue(k.c, acc, cfg.root)
	if gerr != nil {
		return zero, gerr
	}
	var total partial[R]
	for _, p := range parts { // in rank order
		switch {
		case !p.Ok:
		case !total.Ok:
			total = p
		default:
			total.V = combine(total.V, p.V)
		}
	}
	if cfg.toAll {
		if total, gerr = comm.BcastValue(k.c, total, cfg.root); gerr != nil {
			return zero, gerr
		}
	}
	return total.V, err
}
