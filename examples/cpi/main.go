// Command cpi computes pi by the midpoint rule, in the style of mpi4py's
// demo/compute-pi: a program of its own built on package comm, runnable
// under any launcher spmd supports.
//
//	go build -o cpi ./examples/cpi
//	spmd run -np 4 -- ./cpi -n 10000000
//	srun -n 4 ./cpi          (or mpirun -np 4 ./cpi)
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/boot"
)

func main() {
	n := flag.Int64("n", 1_000_000, "intervals")
	flag.Parse()

	world, _, err := boot.Init(context.Background(), boot.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpi:", err)
		os.Exit(1)
	}
	if err := run(world, *n); err != nil {
		fmt.Fprintf(os.Stderr, "cpi: rank %d: %v\n", world.Rank(), err)
		world.Abort(1) // a failing rank ends the job instead of hanging it
		os.Exit(comm.ExitCode(err))
	}
	world.Close()
}

func run(c *comm.Comm, n int64) error {
	// The root's n is the one that counts: broadcast it.
	N := []int64{n}
	if err := c.Bcast(N, 0); err != nil {
		return err
	}
	t0 := comm.Wtime()
	h := 1 / float64(N[0])
	var s float64
	for i := int64(c.Rank()); i < N[0]; i += int64(c.Size()) { // cyclic share
		x := h * (float64(i) + 0.5)
		s += 4 / (1 + x*x)
	}
	pi := []float64{0}
	if err := c.Reduce([]float64{s * h}, pi, comm.Sum, 0); err != nil {
		return err
	}
	if c.Rank() == 0 {
		fmt.Printf("pi is approximately %.16f, error %.2e, %d ranks, %.3f s\n",
			pi[0], math.Abs(pi[0]-math.Pi), c.Size(), comm.Wtime()-t0)
	}
	return nil
}
