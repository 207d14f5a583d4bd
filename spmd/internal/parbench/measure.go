package parbench

import (
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/par"
)

// Makespan runs one item of each cost (Spin) with par.ForEach under
// sched on every rank of world, threads goroutines each, and returns the
// time between the barriers around it: the makespan. Collective.
func Makespan(world *comm.Comm, costs []time.Duration, sched par.Schedule, threads int) (time.Duration, error) {
	if err := world.Barrier(); err != nil {
		return 0, err
	}
	t0 := time.Now()
	err := par.ForEach(world, len(costs), func(i int) error { Spin(costs[i]); return nil }, sched, par.Threads(threads))
	if err != nil {
		return 0, err
	}
	if err := world.Barrier(); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

// MapCost times par.Map of n trivial items (x+1 on ints) under sched,
// results gathered in order at the root: the per-item cost of the
// pattern itself. Collective; returns the time between barriers.
func MapCost(world *comm.Comm, items []int, sched par.Schedule, threads int) (time.Duration, error) {
	if err := world.Barrier(); err != nil {
		return 0, err
	}
	t0 := time.Now()
	out, err := par.Map(world, items, func(x int) (int, error) { return x + 1, nil }, sched, par.Threads(threads))
	if err != nil {
		return 0, err
	}
	if err := world.Barrier(); err != nil {
		return 0, err
	}
	el := time.Since(t0)
	if world.Rank() == 0 && (len(out) != len(items) || len(out) > 0 && out[len(out)-1] != items[len(items)-1]+1) {
		panic("parbench: Map returned wrong results")
	}
	return el, nil
}
