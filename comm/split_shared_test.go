package comm

import (
	"fmt"
	"testing"
)

// Ranks that name the same machine end up together, in their order, and
// each group can share a window; the groups' messages do not meet.
func TestSplitByID(t *testing.T) {
	hosts := []string{"a", "b", "a", "c", "b", "a"}
	want := map[string][]int{"a": {0, 2, 5}, "b": {1, 4}, "c": {3}}
	err := RunMem(len(hosts), func(c *Comm) error {
		host := hosts[c.Rank()]
		node, err := c.splitByID(host)
		if err != nil {
			return err
		}
		members := want[host]
		if node.Size() != len(members) {
			return fmt.Errorf("rank %d on %s: node of %d ranks, want %d", c.Rank(), host, node.Size(), len(members))
		}
		for i, w := range members {
			if w == c.Rank() && node.Rank() != i {
				return fmt.Errorf("rank %d on %s: node rank %d, want %d", c.Rank(), host, node.Rank(), i)
			}
		}
		// A sum over the node counts only its members' world ranks.
		sum := make([]int64, 1)
		if err := node.Allreduce([]int64{int64(c.Rank())}, sum, Sum); err != nil {
			return err
		}
		var wantSum int64
		for _, w := range members {
			wantSum += int64(w)
		}
		if sum[0] != wantSum {
			return fmt.Errorf("rank %d on %s: node sum %d, want %d", c.Rank(), host, sum[0], wantSum)
		}
		w, err := AllocShared[int64](node, 1)
		if err != nil {
			return err
		}
		defer w.Free()
		w.Local()[0] = int64(c.Rank())
		if err := node.Barrier(); err != nil {
			return err
		}
		for i, v := range w.All() {
			if v != int64(members[i]) {
				return fmt.Errorf("rank %d on %s: window %v, want %v", c.Rank(), host, w.All(), members)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// In one process every rank is on one machine: SplitShared keeps them all.
func TestSplitSharedOneMachine(t *testing.T) {
	if machineID() == "" {
		t.Fatal("machineID is empty")
	}
	err := RunMem(4, func(c *Comm) error {
		node, err := c.SplitShared()
		if err != nil {
			return err
		}
		if node.Size() != c.Size() || node.Rank() != c.Rank() {
			return fmt.Errorf("rank %d: node rank %d of %d, want %d of %d", c.Rank(), node.Rank(), node.Size(), c.Rank(), c.Size())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
