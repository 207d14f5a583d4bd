package kernels

import (
	"fmt"
	"testing"
)

func TestShareKnown(t *testing.T) {
	// numpy.array_split(range(10), 3) -> sizes 4, 3, 3.
	tests := []struct {
		n, size int
		want    []Range
	}{
		{10, 3, []Range{{0, 4}, {4, 7}, {7, 10}}},
		{2, 4, []Range{{0, 1}, {1, 2}, {2, 2}, {2, 2}}},
		{0, 2, []Range{{0, 0}, {0, 0}}},
		{5, 1, []Range{{0, 5}}},
	}
	for _, tt := range tests {
		for rank, want := range tt.want {
			if got := Share(tt.n, rank, tt.size); got != want {
				t.Errorf("Share(%d,%d,%d) = %v, want %v", tt.n, rank, tt.size, got, want)
			}
		}
	}
}

// TestShareTiles: for every n and size the shares tile [0, n) in rank
// order, differ in length by at most one, and give the longer ones to the
// low ranks; Counts and Displs agree with them.
func TestShareTiles(t *testing.T) {
	for n := 0; n <= 40; n++ {
		for size := 1; size <= 9; size++ {
			counts, displs := Counts(n, size), Displs(Counts(n, size))
			next := 0
			for rank := 0; rank < size; rank++ {
				r := Share(n, rank, size)
				if r.Lo != next || r.Len() < n/size || r.Len() > n/size+1 {
					t.Fatalf("Share(%d,%d,%d) = %v", n, rank, size, r)
				}
				if rank > 0 && r.Len() > Share(n, rank-1, size).Len() {
					t.Fatalf("Share(%d,%d,%d) longer than rank %d's", n, rank, size, rank-1)
				}
				if counts[rank] != r.Len() || displs[rank] != r.Lo {
					t.Fatalf("n=%d size=%d rank %d: count %d displ %d, share %v", n, size, rank, counts[rank], displs[rank], r)
				}
				next = r.Hi
			}
			if next != n {
				t.Fatalf("n=%d size=%d: shares end at %d", n, size, next)
			}
		}
	}
}

func TestShareByCost(t *testing.T) {
	tests := []struct {
		costs []float64
		size  int
		want  []Range
	}{
		// One expensive item at the end gets a rank of its own.
		{[]float64{1, 1, 1, 1, 4}, 2, []Range{{0, 4}, {4, 5}}},
		// Rising costs: the low rank takes more items.
		{[]float64{1, 2, 3, 4, 5, 6}, 2, []Range{{0, 4}, {4, 6}}},
		// A dominant first item: the boundary nearest a third of the
		// total (4) is before it, nearest two thirds (8) after it.
		{[]float64{10, 1, 1}, 3, []Range{{0, 0}, {0, 1}, {1, 3}}},
		// Zero total falls back to Share.
		{[]float64{0, 0, 0}, 2, []Range{{0, 2}, {2, 3}}},
		{nil, 2, []Range{{0, 0}, {0, 0}}},
	}
	for _, tt := range tests {
		for rank, want := range tt.want {
			if got := ShareByCost(tt.costs, rank, tt.size); got != want {
				t.Errorf("ShareByCost(%v, %d, %d) = %v, want %v", tt.costs, rank, tt.size, got, want)
			}
		}
	}
	// Tiling for random costs.
	g := Stream(1, 1)
	for trial := 0; trial < 50; trial++ {
		costs := make([]float64, g.IntN(30))
		for i := range costs {
			costs[i] = g.ExpFloat64()
		}
		size := 1 + g.IntN(7)
		next := 0
		for rank := 0; rank < size; rank++ {
			r := ShareByCost(costs, rank, size)
			if r.Lo != next || r.Hi < r.Lo {
				t.Fatalf("ShareByCost(%v, %d, %d) = %v after %d", costs, rank, size, r, next)
			}
			next = r.Hi
		}
		if next != len(costs) {
			t.Fatalf("ShareByCost over %d items ends at %d", len(costs), next)
		}
	}
}

func TestSharePanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
	}{
		{"negative n", func() { Share(-1, 0, 1) }},
		{"size 0", func() { Share(1, 0, 0) }},
		{"rank = size", func() { Share(4, 2, 2) }},
		{"negative rank", func() { Share(4, -1, 2) }},
		{"negative count", func() { Displs([]int{1, -1}) }},
		{"negative cost", func() { ShareByCost([]float64{1, -1}, 0, 1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.fn()
		})
	}
}

func ExampleShare() {
	for rank := 0; rank < 3; rank++ {
		fmt.Println(rank, Share(10, rank, 3))
	}
	fmt.Println(Counts(10, 3), Displs(Counts(10, 3)))
	// Output:
	// 0 [0,4)
	// 1 [4,7)
	// 2 [7,10)
	// [4 3 3] [0 4 7]
}
