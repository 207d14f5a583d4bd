package par

import (
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/kernels"
)

// MaxBlocks is the number of blocks MapReduce cuts [0, n) into when n is
// larger: see MapReduce.
const MaxBlocks = 4096

// MapReduce computes f(i) for every i in [0, n) across the ranks and their
// goroutines and combines the values with combine, returning the total at
// the root (and on every rank with ToAll; the zero R elsewhere, and for
// n == 0). It is collective, and fails as Map does (with KeepGoing, the
// failed items are left out of the total).
//
// The order of combination is fixed by n alone, never by ranks, threads or
// schedule, so the total is bit-identical on every run even when combine
// is not associative (floating-point sums): [0, n) is cut into
// min(n, MaxBlocks) blocks of consecutive items, the first n mod blocks of
// them one item longer, each block is folded left to right,
//
//	partial(b) = combine(...combine(combine(f(lo), f(lo+1)), f(lo+2))..., f(hi-1))
//
// and the root folds the partials left to right in block order. combine
// must not keep or modify its arguments' memory if R holds any.
//
// For Monte Carlo work, let each i be a batch of samples drawn from
// Rand(seed, i): the estimate is then the same for any number of ranks.
func MapReduce[R any](c *comm.Comm, n int, f func(i int) (R, error), combine func(a, b R) R, opts ...Option) (R, error) {
	checkN(n, "MapReduce")
	var zero R
	blocks := min(n, MaxBlocks)
	k := &call[partial[R]]{cfg: newConfig(opts), n: blocks, keep: true}
	k.unit = func(b int) (partial[R], error) { return fold(k, b, blocks, n, f, combine) }
	parts, err := k.run(c)
	if parts == nil {
		return zero, err
	}
	var acc partial[R]
	for _, p := range parts {
		switch {
		case !p.Ok:
		case !acc.Ok:
			acc = p
		default:
			acc.V = combine(acc.V, p.V)
		}
	}
	return acc.V, err
}

// partial is one block's fold; Ok is false when no item of it succeeded.
type partial[R any] struct {
	V  R
	Ok bool
}

// errRecorded tells compute that fold has recorded its failures itself.
var errRecorded = errors.New("par: failure recorded")

// fold is block b's partial. Its items' failures are recorded by item
// index, so errors name the item, not the block.
func fold[R any](k *call[partial[R]], b, blocks, n int, f func(int) (R, error), combine func(a, b R) R) (partial[R], error) {
	s := kernels.Share(n, b, blocks)
	var acc partial[R]
	failed, stop := false, false
	for i := s.Lo; i < s.Hi && !stop; {
		i, stop = foldFrom(k, i, s.Hi, &acc, &failed, f, combine)
	}
	if failed && !k.cfg.keepGoing {
		return acc, errRecorded
	}
	return acc, nil
}

// foldFrom folds items [i, hi) into acc until one fails (and it should
// stop) or panics; it returns where to go on, and whether to stop.
func foldFrom[R any](k *call[partial[R]], i, hi int, acc *partial[R], failed *bool, f func(int) (R, error), combine func(a, b R) R) (next int, stop bool) {
	defer func() {
		if p := recover(); p != nil {
			k.failed(i, panicError(p), string(debug.Stack()))
			*failed = true
			next, stop = i+1, !k.cfg.keepGoing
		}
	}()
	for ; i < hi; i++ {
		if k.stop.Load() {
			return hi, true
		}
		v, err := f(i)
		if err != nil {
			k.failed(i, err, "")
			*failed = true
			if !k.cfg.keepGoing {
				return hi, true
			}
			continue
		}
		if acc.Ok {
			acc.V = combine(acc.V, v)
		} else {
			*acc = partial[R]{V: v, Ok: true}
		}
	}
	return hi, false
}

// panicError turns a recovered panic value into an error.
func panicError(p any) error {
	if err, ok := p.(error); ok {
		return err
	}
	return fmt.Errorf("%v", p)
}
