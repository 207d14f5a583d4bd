package parbench

import (
	"math"
	"slices"
	"time"

	"github.com/spmd-go/spmd/kernels"
)

// ParetoCosts returns n item costs drawn from a Pareto distribution of
// shape alpha (heavy-tailed: with alpha 1.5 the variance is infinite, and
// a few items cost as much as thousands of others), scaled so they add up
// to total, from seed's stream. The draws are x = (1-u)^(-1/alpha), u
// uniform in [0,1).
func ParetoCosts(n int, alpha float64, total time.Duration, seed uint64) []time.Duration {
	g := kernels.Stream(seed, 0)
	raw := make([]float64, n)
	sum := 0.0
	for i := range raw {
		raw[i] = math.Pow(1-g.Float64(), -1/alpha)
		sum += raw[i]
	}
	out := make([]time.Duration, n)
	for i, x := range raw {
		out[i] = time.Duration(x / sum * float64(total))
	}
	return out
}

// Bound is the least makespan any schedule can reach on workers: the
// larger of the work shared out perfectly and the costliest item.
func Bound(costs []time.Duration, workers int) time.Duration {
	var total time.Duration
	for _, c := range costs {
		total += c
	}
	return max(total/time.Duration(workers), slices.Max(costs))
}

// Spin keeps a core busy for d of wall-clock time: an item of known cost
// whatever else the machine does, so the measured makespan reflects the
// schedule, not the noise of other processes.
func Spin(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
	}
}
