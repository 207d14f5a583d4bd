package kernels_test

import (
	"fmt"

	"github.com/spmd-go/spmd/kernels"
)

func ExampleBootstrapSummary() {
	data := []float64{2.1, 3.4, 1.9, 5.6, 4.2, 3.3, 2.8, 4.9, 3.1, 3.7}
	stat, err := kernels.StatisticByName("median")
	if err != nil {
		panic(err)
	}
	reps := make([]float64, 1000)
	kernels.BootstrapReplicates(reps, data, stat, 42, kernels.Range{Lo: 0, Hi: len(reps)})
	s := kernels.BootstrapSummary(stat.Of(data), reps, 0.95)
	fmt.Printf("median %.2f, 95%% interval [%.2f, %.2f]\n", s.Estimate, s.Lo, s.Hi)
	// Output:
	// median 3.35, 95% interval [2.60, 4.20]
}
