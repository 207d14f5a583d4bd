package job

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/dataio"
)

// Job is one spmd workload.
type Job struct {
	Name string
	// Parallel runs on every rank between the timing barriers. At the root
	// it returns the Result (other ranks may return nil).
	Parallel func(r *Run) (*Result, error)
	// Finish, if set, runs at the root only, after the timed section and
	// before Verify: summaries of the gathered result and output files,
	// which are the root's bookkeeping, not the parallel work being timed.
	Finish func(r *Run, res *Result) error
	// Verify, if set, runs at the root only after the parallel section,
	// when Options.Verify is set: it computes the serial reference inside
	// r.Serial and records the outcome with res.SetVerified.
	Verify func(r *Run, res *Result) error
	// Close, if set, runs on every rank when the job is over, whatever
	// happened: it releases what building the job allocated outside Go's
	// heap (shared windows).
	Close func()
}

// Options are the settings every job shares (the CLI's common flags).
type Options struct {
	Threads    int    // goroutines per rank; <= 0 means DefaultThreads
	Verify     bool   // run the serial reference at the root and compare
	JSON       bool   // one JSON object instead of the table
	Quiet      bool   // no progress
	CPUProfile string // directory for one CPU profile per rank
	Host       string // this rank's host, for the report
	LocalSize  int    // ranks on this host, for DefaultThreads
	Out        io.Writer
	// Progress, if set, receives the root's progress line (unless Quiet
	// or JSON), terminal or not; otherwise it goes to a terminal on
	// standard error, or nowhere.
	Progress io.Writer
}

// DefaultThreads is the number of cores this rank may use: the CPUs this
// process may run on, shared evenly among the ranks on its host.
func DefaultThreads(localSize int) int {
	n := runtime.NumCPU()
	if localSize > 1 {
		n /= localSize
	}
	return max(n, 1)
}

// Run is a job's view of its rank while it runs.
type Run struct {
	Comm    *comm.Comm
	Threads int
	Verify  bool
	Quiet   bool

	times  Times
	serial float64
	root   bool
	prog   progress
}

// Root reports whether this rank is the root (rank 0), which reports.
func (r *Run) Root() bool { return r.root }

// Compute runs fn and counts its time as computation.
func (r *Run) Compute(fn func() error) error { return stopwatch(&r.times.Compute, fn) }

// Communicate runs fn and counts its time as communication.
func (r *Run) Communicate(fn func() error) error { return stopwatch(&r.times.Communicate, fn) }

// Serial runs the serial reference and records its time for the speedup.
func (r *Run) Serial(fn func() error) error { return stopwatch(&r.serial, fn) }

// Execute runs j on communicator c: barrier, Parallel, barrier, gather of
// every rank's times, Finish and Verify at the root, report at the root. An error on
// any rank is returned; the caller should then Abort the communicator so
// no other rank waits for this one.
func Execute(c *comm.Comm, j Job, o Options) (err error) {
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if j.Close != nil {
		defer j.Close()
	}
	r := &Run{Comm: c, Threads: o.Threads, Verify: o.Verify, Quiet: o.Quiet, root: c.Rank() == 0}
	if r.Threads <= 0 {
		r.Threads = DefaultThreads(o.LocalSize)
	}
	r.times.Rank = c.Rank()
	r.times.Host = o.Host
	if o.CPUProfile != "" {
		stop, err := startProfile(o.CPUProfile, c.Rank())
		if err != nil {
			return err
		}
		defer func() {
			if perr := stop(); err == nil {
				err = perr
			}
		}()
	}

	if err := r.startProgress(c, o); err != nil {
		return err
	}
	if err := c.Barrier(); err != nil {
		return err
	}
	t0 := comm.Wtime()
	flt, err := faultFromEnv()
	if err != nil {
		return err
	}
	res, err := protect(func() (*Result, error) {
		if flt != nil && flt.rank == c.Rank() {
			if err := flt.trigger(); err != nil {
				return nil, err
			}
		}
		return j.Parallel(r)
	})
	if err != nil {
		return err
	}
	t1 := comm.Wtime()
	r.finishProgress()
	if err := c.Barrier(); err != nil {
		return err
	}
	t2 := comm.Wtime()
	r.times.Wait = t2 - t1
	r.times.Total = t2 - t0

	all, err := comm.GatherValue(c, r.times, 0)
	if err != nil {
		return err
	}
	if !r.root {
		return nil
	}
	if res == nil {
		return fmt.Errorf("%s: job returned no result at the root", j.Name)
	}
	if j.Finish != nil {
		if _, err := protect(func() (*Result, error) { return nil, j.Finish(r, res) }); err != nil {
			return err
		}
	}
	if o.Verify && j.Verify != nil {
		if _, err := protect(func() (*Result, error) { return nil, j.Verify(r, res) }); err != nil {
			return fmt.Errorf("%s: verify: %w", j.Name, err)
		}
	}
	rep := newReport(j.Name, c.Size(), r.Threads, all, res, r.serial, o.Verify && j.Verify != nil)
	if o.JSON {
		err = rep.writeJSON(o.Out)
	} else {
		err = rep.writeTable(o.Out)
	}
	if err != nil {
		return err
	}
	if res.Verified != nil && !*res.Verified {
		return ErrMismatch
	}
	return nil
}

// ErrMismatch is returned at the root when --verify finds that the
// parallel result differs from the serial reference.
var ErrMismatch = errors.New("verification failed: the parallel result differs from the serial reference")

// protect turns a panic in a job into an error carrying the stack, so the
// rank can abort the job cleanly instead of dying mid-collective.
func protect(fn func() (*Result, error)) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return fn()
}

// startProfile records this rank's CPU profile in memory and writes it
// to dir/cpu.rank<N>.pprof when profiling stops, atomically: a rank killed
// mid-run, even by SIGKILL, leaves no partial or temporary file.
func startProfile(dir string, rank int) (func() error, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	final := filepath.Join(dir, fmt.Sprintf("cpu.rank%d.pprof", rank))
	if err := dataio.CheckWritable(final); err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return dataio.WriteFileAtomic(final, func(w io.Writer) error {
			_, err := buf.WriteTo(w)
			return err
		})
	}, nil
}
