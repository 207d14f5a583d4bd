package par

import (
	"container/heap"
	"math"
	"testing"

	"github.com/spmd-go/spmd/kernels"
)

// simulate runs the dispenser on costs (in nanoseconds) with the given
// workers, each taking its next chunk the moment it finishes the last (as
// the root's own goroutines do), and returns the makespan.
func simulate(costs []float64, workers, fixed int) float64 {
	d := newDispenser(len(costs), workers, fixed)
	h := &clock{}
	for w := 0; w < workers; w++ {
		heap.Push(h, event{0, w, 0, 0})
	}
	end := 0.0
	for h.Len() > 0 {
		e := heap.Pop(h).(event)
		lo, hi := d.take(e.items, e.nanos)
		if lo == hi {
			end = math.Max(end, e.t)
			continue
		}
		c := 0.0
		for _, x := range costs[lo:hi] {
			c += x
		}
		heap.Push(h, event{e.t + c, e.w, int64(hi - lo), int64(c)})
	}
	return end
}

type event struct {
	t            float64
	w            int
	items, nanos int64
}
type clock []event

func (c clock) Len() int           { return len(c) }
func (c clock) Less(i, j int) bool { return c[i].t < c[j].t }
func (c clock) Swap(i, j int)      { c[i], c[j] = c[j], c[i] }
func (c *clock) Push(x any)        { *c = append(*c, x.(event)) }
func (c *clock) Pop() any          { x := (*c)[len(*c)-1]; *c = (*c)[:len(*c)-1]; return x }

// TestGuidedHeavyTail: on items of Pareto cost (shape 1.5, and 1.1 where
// a few items cost as much as thousands), for 2 to 16 workers, the guided
// dispenser's makespan is within 3% of handing items out one at a time
// (greedy list scheduling, the best a scheduler that does not know the
// costs in advance can do, at one request per item), and with 2 workers
// and shape 1.5 within 10% of the lower bound max(total / workers,
// costliest item). A simulation: costs are numbers, not time.
func TestGuidedHeavyTail(t *testing.T) {
	for _, alpha := range []float64{1.5, 1.1} {
		for _, n := range []int{200, 2000, 100000} {
			for seed := uint64(1); seed <= 5; seed++ {
				g := kernels.Stream(seed, 7)
				costs := make([]float64, n)
				for i := range costs {
					costs[i] = 1e6 * math.Pow(1-g.Float64(), -1/alpha) // 1 ms and up
				}
				for _, workers := range []int{2, 4, 16} {
					total, most := 0.0, 0.0
					for _, c := range costs {
						total, most = total+c, math.Max(most, c)
					}
					bound := math.Max(total/float64(workers), most)
					guided, one := simulate(costs, workers, 0), simulate(costs, workers, 1)
					if guided > 1.03*one {
						t.Errorf("alpha %v, %d items, seed %d, %d workers: guided %.4g, one at a time %.4g", alpha, n, seed, workers, guided, one)
					}
					if alpha == 1.5 && workers == 2 && guided > 1.1*bound {
						t.Errorf("alpha %v, %d items, seed %d, 2 workers: %.3f x the bound", alpha, n, seed, guided/bound)
					}
				}
			}
		}
	}
}
