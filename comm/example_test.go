package comm_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/spmd-go/spmd/comm"
)

// Monte Carlo pi in the style of mpi4py's demo/compute-pi: the root
// broadcasts the number of samples, each rank draws its share from its own
// seeded stream, and a Reduce sums the hits at the root.
func Example_pi() {
	err := comm.RunMem(4, func(c *comm.Comm) error {
		n := []int64{0}
		if c.Rank() == 0 {
			n[0] = 1_000_000
		}
		if err := c.Bcast(n, 0); err != nil {
			return err
		}
		share := n[0] / int64(c.Size())
		rng := rand.New(rand.NewPCG(42, uint64(c.Rank()))) // own stream per rank
		hits := []int64{0}
		for i := int64(0); i < share; i++ {
			x, y := rng.Float64(), rng.Float64()
			if x*x+y*y < 1 {
				hits[0]++
			}
		}
		total := []int64{0}
		if err := c.Reduce(hits, total, comm.Sum, 0); err != nil {
			return err
		}
		if c.Rank() == 0 {
			pi := 4 * float64(total[0]) / float64(share*int64(c.Size()))
			fmt.Printf("pi is about %.4f (seeded: the same on every run)\n", pi)
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output: pi is about 3.1456 (seeded: the same on every run)
}

// Allreduce leaves the sum of every rank's vector at every rank.
func ExampleComm_Allreduce() {
	sums := make([][]float64, 3)
	comm.RunMem(3, func(c *comm.Comm) error {
		x := []float64{float64(c.Rank()), 1}
		sums[c.Rank()] = make([]float64, 2)
		return c.Allreduce(x, sums[c.Rank()], comm.Sum)
	})
	fmt.Println(sums)
	// Output: [[3 3] [3 3] [3 3]]
}

// The value tier sends any Go value and returns what it receives.
func ExampleGatherValue() {
	comm.RunMem(3, func(c *comm.Comm) error {
		type result struct {
			Rank  int
			Words []string
		}
		all, err := comm.GatherValue(c, result{c.Rank(), []string{"hello"}}, 0)
		if c.Rank() == 0 {
			fmt.Println(all, err)
		}
		return err
	})
	// Output: [{0 [hello]} {1 [hello]} {2 [hello]}] <nil>
}

// A result gathered without a copy: each rank writes its rows straight
// into a window every rank maps, and after a barrier the root reads them
// all in one slice. Where the ranks cannot share memory, AllocShared says
// so (ErrNotShared) on every rank and the program gathers by messages.
func ExampleAllocShared() {
	err := comm.RunMem(3, func(c *comm.Comm) error {
		rows := c.Rank() + 1 // ranks may contribute different amounts
		w, err := comm.AllocShared[int64](c, rows)
		if err != nil {
			return err // errors.Is(err, comm.ErrNotShared): use Gatherv instead
		}
		defer w.Free()
		for i := range w.Local() {
			w.Local()[i] = int64(10*c.Rank() + i)
		}
		if err := c.Barrier(); err != nil { // every write is done
			return err
		}
		if c.Rank() == 0 {
			fmt.Println(w.All())
		}
		return nil // a rank's Free unmaps only its own view
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output: [0 10 11 20 21 22]
}
