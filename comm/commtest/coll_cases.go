package commtest

import (
	"fmt"
	"math"
	"testing"

	"github.com/spmd-go/spmd/comm"
)

// Vector lengths for collectives: short ones take the tree algorithms,
// 20000 float64 (160 KB) the long-message ones (comm's switch is 64 KiB).
var lengths = []int{0, 1, 5, 20000}

func init() {
	add("Barrier", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			for i := 0; i < 3; i++ {
				if err := c.Barrier(); err != nil {
					return err
				}
			}
			return nil
		})
	})

	add("Bcast", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			for root := 0; root < c.Size(); root++ {
				for _, n := range lengths {
					x := make([]float64, n)
					if c.Rank() == root {
						x = fill(root, n)
					}
					if err := c.Bcast(x, root); err != nil {
						return err
					}
					if !equal(x, fill(root, n)) {
						return errorf("root %d n %d: got wrong data", root, n)
					}
				}
			}
			return nil
		})
	})

	add("Reduce", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			p := c.Size()
			for root := 0; root < p; root++ {
				for _, n := range lengths {
					for _, op := range []comm.Op{comm.Sum, comm.Prod, comm.Min, comm.Max} {
						x := opInput(c.Rank(), n)
						var got []float64
						if c.Rank() == root {
							got = make([]float64, n)
						}
						if err := c.Reduce(x, got, op, root); err != nil {
							return err
						}
						if c.Rank() == root {
							if err := checkReduced(got, op, p, n); err != nil {
								return fmt.Errorf("root %d n %d %v: %w", root, n, op, err)
							}
						}
					}
				}
				ix := []int64{int64(c.Rank()), -int64(c.Rank())}
				igot := make([]int64, 2)
				if err := c.Reduce(ix, igot, comm.Max, root); err != nil {
					return err
				}
				if c.Rank() == root && (igot[0] != int64(p-1) || igot[1] != 0) {
					return errorf("int64 Max got %v", igot)
				}
			}
			return nil
		})
	})

	add("Allreduce", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			p := c.Size()
			for _, n := range lengths {
				for _, op := range []comm.Op{comm.Sum, comm.Prod, comm.Min, comm.Max} {
					x := opInput(c.Rank(), n)
					got := make([]float64, n)
					if err := c.Allreduce(x, got, op); err != nil {
						return err
					}
					if err := checkReduced(got, op, p, n); err != nil {
						return fmt.Errorf("n %d %v: %w", n, op, err)
					}
				}
				// In place, on int32.
				v := make([]int32, n)
				for i := range v {
					v[i] = int32(c.Rank() + i)
				}
				if err := c.Allreduce(v, v, comm.Sum); err != nil {
					return err
				}
				for i := range v {
					if want := int32(p*(p-1)/2 + p*i); v[i] != want {
						return errorf("in place int32 [%d] = %d, want %d", i, v[i], want)
					}
				}
			}
			return nil
		})
	})

	// The same inputs must give bit-identical results on every rank and
	// every run, whatever order messages arrive in: sums of values that
	// round differently in different orders make any difference visible.
	add("AllreduceDeterministic", func(t *testing.T, nw NewWorld) {
		for _, n := range []int{3, 7} {
			Spmd(t, nw, n, func(c *comm.Comm) error {
				for _, length := range []int{17, 20000} {
					x := make([]float64, length)
					for i := range x {
						x[i] = math.Sin(float64(c.Rank()*7919+i)) * math.Pow(10, float64((c.Rank()+i)%17-8))
					}
					var first []float64
					for run := 0; run < 3; run++ {
						got := make([]float64, length)
						if err := c.Allreduce(x, got, comm.Sum); err != nil {
							return err
						}
						if first == nil {
							first = got
						} else if !bitsEqual(first, got) {
							return errorf("run %d differs from run 0", run)
						}
					}
					all := make([]float64, length*c.Size())
					if err := c.Allgather(first, all); err != nil {
						return err
					}
					for r := 0; r < c.Size(); r++ {
						if !bitsEqual(all[r*length:(r+1)*length], first) {
							return errorf("rank %d's result differs from rank %d's", r, c.Rank())
						}
					}
				}
				return nil
			})
		}
	})

	add("Gather", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			p := c.Size()
			for root := 0; root < p; root++ {
				for _, n := range lengths {
					var got []float64
					if c.Rank() == root {
						got = make([]float64, n*p)
					}
					if err := c.Gather(fill(c.Rank(), n), got, root); err != nil {
						return err
					}
					if c.Rank() == root {
						for r := 0; r < p; r++ {
							if !equal(got[r*n:(r+1)*n], fill(r, n)) {
								return errorf("root %d n %d: block %d wrong", root, n, r)
							}
						}
					}
				}
			}
			return nil
		})
	})

	add("Gatherv", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			p := c.Size()
			counts := make([]int, p)
			displs := make([]int, p)
			total := 0
			for r := range counts {
				counts[r] = (r * 3) % 5 // includes zero-length blocks
				displs[r] = total + 1   // a gap of one element between blocks
				total += counts[r] + 1
			}
			for root := 0; root < p; root++ {
				var got []int64
				if c.Rank() == root {
					got = make([]int64, total)
				}
				mine := make([]int64, counts[c.Rank()])
				for i := range mine {
					mine[i] = int64(c.Rank()*100 + i)
				}
				if err := c.Gatherv(mine, got, counts, displs, root); err != nil {
					return err
				}
				if c.Rank() == root {
					for r := 0; r < p; r++ {
						for i := 0; i < counts[r]; i++ {
							if got[displs[r]+i] != int64(r*100+i) {
								return errorf("root %d: rank %d element %d = %d", root, r, i, got[displs[r]+i])
							}
						}
					}
				}
			}
			return nil
		})
	})

	add("Scatter", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			p := c.Size()
			for root := 0; root < p; root++ {
				for _, n := range lengths {
					var all []float64
					if c.Rank() == root {
						for r := 0; r < p; r++ {
							all = append(all, fill(r, n)...)
						}
					}
					got := make([]float64, n)
					if err := c.Scatter(all, got, root); err != nil {
						return err
					}
					if !equal(got, fill(c.Rank(), n)) {
						return errorf("root %d n %d: got wrong block", root, n)
					}
				}
			}
			return nil
		})
	})

	add("Scatterv", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			p := c.Size()
			counts := make([]int, p)
			for r := range counts {
				counts[r] = (r*7 + 2) % 4
			}
			for root := 0; root < p; root++ {
				var all []float64
				if c.Rank() == root {
					for r := 0; r < p; r++ {
						all = append(all, fill(r, counts[r])...)
					}
				}
				got := make([]float64, counts[c.Rank()])
				if err := c.Scatterv(all, counts, nil, got, root); err != nil {
					return err
				}
				if !equal(got, fill(c.Rank(), counts[c.Rank()])) {
					return errorf("root %d: got %v", root, got)
				}
			}
			return nil
		})
	})

	add("Allgather", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			p := c.Size()
			for _, n := range lengths {
				got := make([]float64, n*p)
				if err := c.Allgather(fill(c.Rank(), n), got); err != nil {
					return err
				}
				for r := 0; r < p; r++ {
					if !equal(got[r*n:(r+1)*n], fill(r, n)) {
						return errorf("n %d: block %d wrong", n, r)
					}
				}
			}
			return nil
		})
	})

	add("Alltoall", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			p, r := c.Size(), c.Rank()
			for _, n := range []int{0, 1, 3, 10000} {
				send := make([]int64, n*p)
				for j := 0; j < p; j++ {
					for i := 0; i < n; i++ {
						send[j*n+i] = int64(r*1_000_000 + j*1000 + i)
					}
				}
				got := make([]int64, n*p)
				if err := c.Alltoall(send, got); err != nil {
					return err
				}
				for j := 0; j < p; j++ {
					for i := 0; i < n; i++ {
						if want := int64(j*1_000_000 + r*1000 + i); got[j*n+i] != want {
							return errorf("n %d: from %d element %d = %d, want %d", n, j, i, got[j*n+i], want)
						}
					}
				}
			}
			return nil
		})
	})

	add("SplitAndDup", func(t *testing.T, nw NewWorld) {
		for _, n := range []int{1, 4, 7} {
			Spmd(t, nw, n, func(w *comm.Comm) error {
				color := w.Rank() % 3
				if w.Rank() == n-1 && n > 1 {
					color = comm.Undefined
				}
				sub, err := w.Split(color, -w.Rank())
				if err != nil {
					return err
				}
				if color == comm.Undefined {
					if sub != nil {
						return errorf("Undefined color got a communicator")
					}
				} else {
					var members []int
					for r := n - 1; r >= 0; r-- { // key -rank: reversed order
						if r%3 == color && !(r == n-1 && n > 1) {
							members = append(members, r)
						}
					}
					if sub.Size() != len(members) || sub.WorldRank(sub.Rank()) != w.Rank() {
						return errorf("split: size %d rank %d, want members %v", sub.Size(), sub.Rank(), members)
					}
					for i, m := range members {
						if sub.WorldRank(i) != m {
							return errorf("split rank %d is world %d, want %d", i, sub.WorldRank(i), m)
						}
					}
					ranks := make([]int64, sub.Size())
					if err := sub.Allgather([]int64{int64(w.Rank())}, ranks); err != nil {
						return err
					}
					for i, m := range members {
						if ranks[i] != int64(m) {
							return errorf("allgather on split: %v, want %v", ranks, members)
						}
					}
				}
				// Messages on a Dup never match the parent's.
				d, err := w.Dup()
				if err != nil {
					return err
				}
				p, r := w.Size(), w.Rank()
				if err := d.Send([]int64{1}, (r+1)%p, 0); err != nil {
					return err
				}
				if err := w.Send([]int64{2}, (r+1)%p, 0); err != nil {
					return err
				}
				got := []int64{0}
				if _, err := w.Recv(got, (r-1+p)%p, 0); err != nil || got[0] != 2 {
					return errorf("parent received %v (%v), want 2", got, err)
				}
				if _, err := d.Recv(got, (r-1+p)%p, 0); err != nil || got[0] != 1 {
					return errorf("dup received %v (%v), want 1", got, err)
				}
				return nil
			})
		}
	})
}

// opInput gives values whose reductions are exact in any order (small
// integers), so results can be compared with equality.
func opInput(r, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64((r+i)%5 + 1)
		if (r+i)%3 == 0 {
			x[i] = -x[i]
		}
	}
	return x
}

func checkReduced(got []float64, op comm.Op, p, n int) error {
	want := opInput(0, n)
	for r := 1; r < p; r++ {
		for i, v := range opInput(r, n) {
			switch op {
			case comm.Sum:
				want[i] += v
			case comm.Prod:
				want[i] *= v
			case comm.Min:
				want[i] = math.Min(want[i], v)
			case comm.Max:
				want[i] = math.Max(want[i], v)
			}
		}
	}
	for i := range want {
		if got[i] != want[i] {
			return errorf("element %d = %v, want %v", i, got[i], want[i])
		}
	}
	return nil
}

func bitsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}
