package job

import "github.com/spmd-go/spmd/comm"

// Times is one rank's account of the parallel section, in seconds.
type Times struct {
	Rank        int     `json:"rank"`
	Host        string  `json:"host,omitempty"`
	Compute     float64 `json:"compute_seconds"`
	Communicate float64 `json:"communicate_seconds"`
	Wait        float64 `json:"wait_seconds"`
	Total       float64 `json:"total_seconds"`
}

// stopwatch adds the time fn takes to *acc.
func stopwatch(acc *float64, fn func() error) error {
	t0 := comm.Wtime()
	err := fn()
	*acc += comm.Wtime() - t0
	return err
}
