package shm_test

import (
	"testing"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/commtest"
	"github.com/spmd-go/spmd/comm/shm"
)

// TestOffAtOneRank: a rank with shared memory off (SPMD_SHM=off) keeps
// TCP with everyone, says why, and the others still share memory among
// themselves; messages flow on every pair.
func TestOffAtOneRank(t *testing.T) {
	const n = 3
	cs, ts := worldWith(t, n, func(i int) shm.Config { return shm.Config{Machine: "one", Off: i == 1} })
	for i, tr := range ts {
		for j := range n {
			want := "shm"
			if i == 1 || j == 1 {
				want = "tcp"
			}
			if i != j && tr.Route(j) != want {
				t.Errorf("rank %d reaches rank %d by %q (%s), want %q", i, j, tr.Route(j), tr.Why(j), want)
			}
		}
	}
	// In rank 1's own words, whether its offer or its answer came first.
	if why, want := ts[0].Why(1), "rank 1: shared memory is off at this rank (SPMD_SHM=off)"; why != want {
		t.Errorf("rank 0 says of rank 1: %q, want %q", why, want)
	}
	commtest.Spmd(t, func(*testing.T, int) []*comm.Comm { return cs }, n, func(c *comm.Comm) error {
		sum := []int64{0}
		if err := c.Allreduce([]int64{int64(c.Rank() + 1)}, sum, comm.Sum); err != nil {
			return err
		}
		if sum[0] != 6 {
			t.Errorf("rank %d: sum %d, want 6", c.Rank(), sum[0])
		}
		return c.Barrier()
	})
}
