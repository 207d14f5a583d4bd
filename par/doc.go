// Package par runs your own function over many items on every rank of a
// communicator and every core of each rank: the patterns of
// multiprocessing.Pool.map, joblib.Parallel and mpi4py.futures, for SPMD
// programs.
//
//	results, err := par.Map(world, items, f)            // f(item) for every item, in order, at the root
//	results, err := par.MapRange(world, n, f)           // f(0) ... f(n-1)
//	total, err := par.MapReduce(world, n, f, combine)  // combine(f(0), f(1), ...), in a fixed order
//	err := par.ForEach(world, n, f)                     // f(i) for its effect
//	err := par.ForRange(world, n, f)                    // f(lo, hi) over ranges covering [0, n): kernels
//	count, err := par.ReduceRange(world, n, f, combine) // combine the ranges' f(lo, hi), any order
//
// Every rank calls the same function with the same arguments (these are
// collective calls, like comm's Allreduce): the items are the program's,
// built alike on every rank. Each rank computes a share of them on its
// goroutines and the root (rank 0) collects the results, in input order
// whatever the schedule. A complete program, run with `spmd run -np 4
// ./prog` or `mpirun -np 4 ./prog`, or alone:
//
//	world, _, err := boot.Init(ctx, boot.Options{})
//	...
//	squares, err := par.Map(world, []float64{1, 2, 3}, func(x float64) (float64, error) {
//		return x * x, nil
//	})
//	if world.Rank() == 0 {
//		fmt.Println(squares) // [1 4 9]
//	}
//
// Package job (github.com/spmd-go/spmd/job) adds what the built-in jobs
// have around this: the standard flags, timing, a report, --verify and
// progress.
//
// # Schedules
//
// Who computes which item is a matter of speed only, never of results:
//
//   - Static (the default) gives each rank one contiguous block of the
//     items, and its goroutines take pieces of the block. No message until
//     the end. For items of about the same cost.
//   - Cyclic deals items (or blocks of Chunk(k) items) round the ranks.
//   - Dynamic lets every goroutine of every rank ask the root for its next
//     chunk as it finishes the last, so ranks that drew cheap items take
//     more: for items of varying or unknown cost. Chunks shrink as the work
//     runs out (guided self-scheduling) but never below a size measured to
//     take a fraction of a millisecond, so even nanosecond items cost
//     little to hand out; the request for the next chunk travels while the
//     current one is computed.
//
// Threads(n) sets a rank's goroutines (default GOMAXPROCS, which the job
// runtime sets from --threads); ToAll returns the results on every rank;
// Root(r) collects them at rank r.
//
// # Randomness
//
// Rand(seed, i) is item i's own random generator. An item's draws depend
// only on the seed and its index, so a simulation or bootstrap gives the
// same answer on 1 rank or 100 and under every schedule. MapReduce
// combines in an order fixed by n alone, so floating-point totals are
// bit-identical too.
//
// # Errors
//
// f reports a bad item by returning an error (or by panicking: the panic
// is caught, with its stack). By default the first failure stops the work
// on every rank within an item, and every rank returns the same
// *ItemError, which names the item's index, the item and the rank. With
// KeepGoing every item runs, and the call returns the other results with
// an Errors listing each failed item. A rank that dies or a link that
// breaks fails the call on every rank as comm does (a *comm.RankError);
// nothing hangs.
//
// # Results
//
// Results of plain-data types (numbers, bools, and arrays and structs of
// them) travel as their memory, at the speed of comm's fast tier; other
// types (strings, slices, maps) through encoding/gob, so their exported
// fields travel and interfaces need comm.Register.
//
// # Cost
//
// A call is collective and costs a few messages beyond the results: a Dup
// of the communicator, one message per rank to the root at the end of its
// work and one back, and the gather; Dynamic adds one round trip per chunk,
// hidden behind the work. docs/BENCHMARKS.md measures the per-item cost
// against joblib and multiprocessing.Pool and the makespan of items of
// heavy-tailed cost against the lower bound.
package par
