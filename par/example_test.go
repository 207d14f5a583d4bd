package par_test

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/par"
)

// Map over your own items and function: the results come back at the
// root in input order. Here three ranks are goroutines of one process
// (comm.RunMem); under spmd run or mpirun they are processes.
func ExampleMap() {
	words := []string{"alpha", "beta", "gamma", "delta", "epsilon"}
	comm.RunMem(3, func(world *comm.Comm) error {
		lengths, err := par.Map(world, words, func(w string) (int, error) { return len(w), nil })
		if err != nil {
			return err
		}
		if world.Rank() == 0 {
			fmt.Println(lengths)
		}
		return nil
	})
	// Output: [5 4 5 5 7]
}

// A starmap is a Map over structs; Dynamic balances items whose cost
// varies.
func ExampleMap_starmap() {
	type args struct{ Base, Exp int }
	items := []args{{2, 10}, {3, 5}, {10, 3}}
	comm.RunMem(2, func(world *comm.Comm) error {
		powers, err := par.Map(world, items, func(a args) (int, error) {
			p := 1
			for range a.Exp {
				p *= a.Base
			}
			return p, nil
		}, par.Dynamic)
		if err == nil && world.Rank() == 0 {
			fmt.Println(powers)
		}
		return err
	})
	// Output: [1024 243 1000]
}

// MapReduce with a random stream per item: a Monte Carlo estimate that is
// the same on any number of ranks.
func ExampleMapReduce() {
	const batches, perBatch = 100, 10000
	comm.RunMem(4, func(world *comm.Comm) error {
		hits, err := par.MapReduce(world, batches, func(b int) (int, error) {
			r := par.Rand(2024, b) // batch b's own stream
			n := 0
			for range perBatch {
				x, y := r.Float64(), r.Float64()
				if x*x+y*y < 1 {
					n++
				}
			}
			return n, nil
		}, func(a, b int) int { return a + b })
		if err == nil && world.Rank() == 0 {
			fmt.Printf("pi ~ %.3f\n", 4*float64(hits)/(batches*perBatch))
		}
		return err
	})
	// Output: pi ~ 3.143
}

// A failing item stops the work on every rank; the error names it.
func ExampleItemError() {
	items := []string{"1", "2", "x", "4"}
	comm.RunMem(2, func(world *comm.Comm) error {
		_, err := par.Map(world, items, strconv.Atoi)
		var ie *par.ItemError
		if errors.As(err, &ie) && world.Rank() == 0 {
			fmt.Println("item", ie.Index, "failed:", ie.Item)
		}
		return nil
	})
	// Output: item 2 failed: x
}

// KeepGoing computes every item and lists the failures.
func ExampleKeepGoing() {
	items := []string{"1", "two", "3", "four"}
	comm.RunMem(2, func(world *comm.Comm) error {
		nums, err := par.Map(world, items, strconv.Atoi, par.KeepGoing)
		var es par.Errors
		if errors.As(err, &es) && world.Rank() == 0 {
			fmt.Println(nums, len(es), "failed, the first:", es[0].Index)
		}
		return nil
	})
	// Output: [1 0 3 0] 2 failed, the first: 1
}
