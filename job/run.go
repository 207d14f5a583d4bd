package job

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// Run is a job's view of its rank while it runs.
type Run struct {
	Comm    *comm.Comm
	Threads int
	Verify  bool
	Quiet   bool

	mu     sync.Mutex // guards times and serial: Compute and Communicate may nest or run concurrently
	times  Times
	serial float64
	root   bool
	prog   progress
}

// Root reports whether this rank is the root (rank 0), which reports.
func (r *Run) Root() bool { return r.root }

// Compute runs fn and counts its time as computation, less the time of
// any Communicate called inside it (package par times its own messages
// that way, through par.Progress(r)).
func (r *Run) Compute(fn func() error) error {
	r.mu.Lock()
	before := r.times.Communicate
	r.mu.Unlock()
	t0 := comm.Wtime()
	err := fn()
	el := comm.Wtime() - t0
	r.mu.Lock()
	r.times.Compute += el - (r.times.Communicate - before)
	r.mu.Unlock()
	return err
}

// Communicate runs fn and counts its time as communication.
func (r *Run) Communicate(fn func() error) error { return r.stopwatch(&r.times.Communicate, fn) }

// Serial runs the serial reference and records its time for the report.
func (r *Run) Serial(fn func() error) error { return r.stopwatch(&r.serial, fn) }

// stopwatch adds the time fn takes to *acc.
func (r *Run) stopwatch(acc *float64, fn func() error) error {
	t0 := comm.Wtime()
	err := fn()
	el := comm.Wtime() - t0
	r.mu.Lock()
	*acc += el
	r.mu.Unlock()
	return err
}

// Execute runs j on communicator c: Setup, barrier, Parallel, barrier,
// gather of every rank's times, then at the root Finish, Verify and the
// report. An error on any rank is returned; the caller should then Abort
// the communicator so no other rank waits for this one (Launch does).
func Execute(c *comm.Comm, j Job, o Options) (err error) {
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Started.IsZero() {
		o.Started = ProcessStart()
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
	var ph phases
	ph.started = o.Started
	ph.ready = o.Ready
	if j.Setup != nil {
		if _, err := protect(func() (*Result, error) { return nil, j.Setup(r) }); err != nil {
			return err
		}
	}

	if err := r.startProgress(c, o); err != nil {
		return err
	}
	if err := c.Barrier(); err != nil {
		return err
	}
	ph.section = time.Now()
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
	ph.finish = time.Now()
	r.times.Wait = t2 - t1
	r.times.Total = t2 - t0
	if r.times.Compute == 0 {
		// A job that does not time its parts (r.Compute): whatever of the
		// section is not communication or waiting was computing.
		r.times.Compute = max(0, t1-t0-r.times.Communicate)
	}

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
	ph.written = time.Now()
	verified := o.Verify && j.Verify != nil
	if verified {
		if _, err := protect(func() (*Result, error) { return nil, j.Verify(r, res) }); err != nil {
			return fmt.Errorf("%s: verify: %w", j.Name, err)
		}
	}
	rep := newReport(j, c.Size(), r.Threads, all, res, ph)
	if verified {
		rep.addVerify(j, res, r.serial)
	}
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
