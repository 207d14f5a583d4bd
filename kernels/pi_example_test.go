package kernels_test

import (
	"fmt"

	"github.com/spmd-go/spmd/kernels"
)

// Each rank counts the hits in its share of the blocks; the root adds the
// counts. The total does not depend on how many ranks there are.
func ExamplePiHits() {
	const total = 1_000_000
	blocks := kernels.PiBlocks(total)
	for _, size := range []int{1, 3} {
		var hits uint64
		for rank := 0; rank < size; rank++ { // in spmd, one process per rank
			hits += kernels.PiHits(1, kernels.Share(blocks, rank, size), total)
		}
		fmt.Printf("%d ranks: %d hits, pi ≈ %.5f\n", size, hits, kernels.PiEstimate(hits, total))
	}
	// Output:
	// 1 ranks: 785392 hits, pi ≈ 3.14157
	// 3 ranks: 785392 hits, pi ≈ 3.14157
}
