package par

import (
	"fmt"

	"github.com/spmd-go/spmd/comm"
)

// Map applies f to every item and returns the results in the order of the
// items: at the root (rank 0 unless Root says otherwise; nil elsewhere),
// or on every rank with ToAll. It is collective: every rank of c calls it,
// with the same items (as SPMD programs have them: built alike, or read
// from the same file; if only the root has them, broadcast them first
// with comm.BcastValue).
//
// Each rank computes a share of the items on Threads goroutines; which
// rank and goroutine computes which item is the Schedule's choice (Static
// by default, Dynamic for items of varying cost), never the result's: the
// results are the same under every schedule, and so is any randomness
// drawn from Rand(seed, i). f must be safe to call from several
// goroutines at once.
//
// When f fails (returns an error or panics) for an item, Map stops the
// work on every rank and returns, on every rank, the *ItemError of the
// failed item of lowest index, naming the item; with KeepGoing it computes
// every item and returns the results of those that succeeded with an
// Errors listing the others. A communication failure is returned as comm
// reports it.
//
// A starmap is a Map over a slice of structs:
//
//	type args struct{ A, B float64 }
//	par.Map(c, []args{{1, 2}, {3, 4}}, func(a args) (float64, error) { return a.A * a.B, nil })
func Map[T, R any](c *comm.Comm, items []T, f func(T) (R, error), opts ...Option) ([]R, error) {
	k := &call[R]{cfg: newConfig(opts), n: len(items), keep: true}
	k.unit = func(i int) (R, error) { return f(items[i]) }
	k.label = func(i int) string { return describe(items[i]) }
	return k.run(c)
}

// MapRange returns f(0), f(1), ..., f(n-1), as Map does for items that are
// only their index (replicates, settings of a grid, rows). It panics if
// n < 0.
func MapRange[R any](c *comm.Comm, n int, f func(i int) (R, error), opts ...Option) ([]R, error) {
	checkN(n, "MapRange")
	k := &call[R]{cfg: newConfig(opts), n: n, unit: f, keep: true}
	return k.run(c)
}

// ForEach calls f(i) for every i in [0, n) across the ranks and their
// goroutines, for work whose results f stores itself (rows of a shared
// window, files) or that is done for its effects. It returns when every
// rank is done, with an error as Map does. It panics if n < 0.
func ForEach(c *comm.Comm, n int, f func(i int) error, opts ...Option) error {
	checkN(n, "ForEach")
	k := &call[struct{}]{cfg: newConfig(opts), n: n}
	k.unit = func(i int) (struct{}, error) { return struct{}{}, f(i) }
	_, err := k.run(c)
	return err
}

func checkN(n int, op string) {
	if n < 0 {
		panic(fmt.Sprintf("par: %s: n = %d < 0", op, n))
	}
}
