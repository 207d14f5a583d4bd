package job

import (
	"time"
)

// Times is one rank's account of the parallel section, in seconds.
type Times struct {
	Rank        int     `json:"rank"`
	Host        string  `json:"host,omitempty"`
	Compute     float64 `json:"compute_seconds"`
	Communicate float64 `json:"communicate_seconds"`
	Wait        float64 `json:"wait_seconds"`
	Total       float64 `json:"total_seconds"`
}

// phases are the root's moments of a run, for the end-to-end account.
type phases struct {
	started time.Time // the user's clock: launcher or process start
	ready   time.Time // the world was up (zero: unknown)
	section time.Time // the opening barrier was passed
	finish  time.Time // the closing barrier was passed
	written time.Time // Finish returned: results written
}
