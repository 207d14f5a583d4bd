package job

import (
	"io"
	"os"
	"runtime"
	"time"
)

// Job is one workload: what every rank does, and what the root does with
// the answer. Only Name and Parallel are required.
type Job struct {
	Name string
	// Setup, if set, runs on every rank before the timed section: reading
	// input, allocating and filling buffers. Its time is reported as
	// setup: part of the end-to-end time, not of the parallel section.
	Setup func(r *Run) error
	// Parallel runs on every rank between the timing barriers. At the root
	// it returns the Result (other ranks may return nil).
	Parallel func(r *Run) (*Result, error)
	// Finish, if set, runs at the root only, after the timed section and
	// before Verify: summaries of the gathered result and output files,
	// which are the root's bookkeeping, not the parallel work being timed.
	Finish func(r *Run, res *Result) error
	// Verify, if set, runs at the root only when Options.Verify is set,
	// after Finish: it computes the serial reference inside r.Serial and
	// records the outcome with res.SetVerified.
	Verify func(r *Run, res *Result) error
	// Reference says in a few words what Verify computes, for the report
	// ("the plain loop on one core"); "" means "the serial reference".
	Reference string
	// Close, if set, runs on every rank when the job is over, whatever
	// happened: it releases what the job allocated outside Go's heap
	// (shared windows).
	Close func()
}

// Options are the settings of one execution (the standard flags, see
// Settings, and what the lifecycle knows).
type Options struct {
	Threads    int    // goroutines per rank; <= 0 means DefaultThreads
	Verify     bool   // run the serial reference at the root and compare
	JSON       bool   // one JSON object instead of the table
	Quiet      bool   // no progress
	CPUProfile string // directory for one CPU profile per rank
	Host       string // this rank's host, for the report
	LocalSize  int    // ranks on this host, for DefaultThreads
	Out        io.Writer
	// Progress, if set, receives the root's progress (unless Quiet): a
	// line rewritten in place. Otherwise progress goes to standard
	// error: rewritten in place on a terminal, else as a plain line every
	// ProgressEvery (for log files, such as a batch job's).
	Progress      io.Writer
	ProgressEvery time.Duration // default DefaultProgressEvery
	// Started is when the user's clock started: the launcher's start, or
	// this process's (see ProcessStart). Zero means ProcessStart().
	Started time.Time
	// Ready is when the world was up (boot done); zero means unknown.
	Ready time.Time
}

// DefaultThreads is the number of cores this rank may use: the CPUs this
// process may run on, shared evenly among the ranks on its host, unless
// spmd run already bound each rank to its own share (SPMD_BIND=auto or
// core).
func DefaultThreads(localSize int) int {
	n := runtime.NumCPU()
	if b := os.Getenv("SPMD_BIND"); localSize > 1 && b != "auto" && b != "core" {
		n /= localSize
	}
	return max(n, 1)
}
