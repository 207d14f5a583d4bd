package farm

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Params is everything a farm needs, on every rank. The fields about the
// task list, the joblog and the output are read at the root only: the root
// reads the inputs and sends each worker its tasks and the settings for
// running them. A worker uses only Slots, Host, Watchdog, Stderr and
// Signals.
type Params struct {
	// The task list: either TaskFile, or Template with at least one of
	// Input, CSV, TSV and Grid (see the package documentation).
	TaskFile string   // one shell command per line; "-" is Stdin
	Template []string // one shell command line, or a program and its arguments
	Input    string   // one input per line; "-" is Stdin
	CSV, TSV string   // a table whose first line names the columns
	NoHeader bool     // the CSV/TSV has no header line: columns by number only
	Grid     []string // axes NAME=VALUES (several per string, separated by spaces)
	Shell    bool     // run every task under /bin/sh -c, even simple ones

	// Running tasks.
	Slots     int           // tasks at once on this rank; 0 means one per core
	Retries   int           // attempts in all for a failing task (GNU parallel's --retries); 0 or 1: once
	Timeout   time.Duration // per task; 0 means none
	KillGrace time.Duration // from SIGTERM to SIGKILL when a task is stopped; 0 means DefaultKillGrace

	// Output and records.
	Results   string // write task N's output to DIR/N.out and DIR/N.err instead of the root's
	KeepOrder bool   // print outputs in task order
	Tag       string // prefix of every output line (a text template; "" for none), then a tab
	JobLog    string // the joblog file (GNU parallel's columns)
	Resume    bool   // skip the tasks the joblog has
	// ResumeFailed skips the tasks the joblog has as succeeded and runs the
	// others again.
	ResumeFailed bool

	// Progress and summary, at the root.
	Quiet         bool          // no progress and no summary unless something failed
	Live          bool          // stderr is a terminal: one progress line, rewritten
	ProgressEvery time.Duration // period of the plain progress lines when not Live; 0 means DefaultProgressEvery

	// The rank.
	Host     string   // this rank's host, as the joblog and the tasks see it
	Watchdog []string // argv of a watchdog (spmd _watchdog) that kills this rank's task groups if it dies; nil for none

	Stdin          io.Reader        // for "-" inputs; nil means os.Stdin
	Stdout, Stderr io.Writer        // nil means os.Stdout, os.Stderr
	Signals        <-chan os.Signal // a signal stops the farm: running tasks are stopped and not logged
}

// Defaults of Params.
const (
	DefaultKillGrace     = 2 * time.Second
	DefaultProgressEvery = 30 * time.Second
)

// UsageError is an error in the farm's input or settings, found before any
// task ran: the program should exit with code 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usagef(format string, a ...any) error { return &UsageError{fmt.Errorf(format, a...)} }

// ErrTasksFailed is returned when the farm finished but some task did
// not succeed; the summary names them.
var ErrTasksFailed = errors.New("farm: some tasks failed")

// InterruptedError is returned when a signal stopped the farm; the joblog
// has every task that finished, for --resume.
type InterruptedError struct{ Signal os.Signal }

func (e *InterruptedError) Error() string { return fmt.Sprintf("farm: stopped by %v", e.Signal) }

// check validates the settings that do not need the inputs.
func (p *Params) check() error {
	switch {
	case p.Slots < 0:
		return usagef("--slots %d: must be at least 1 (or 0 for one per core)", p.Slots)
	case p.Retries < 0:
		return usagef("--retries %d: must not be negative", p.Retries)
	case p.Timeout < 0:
		return usagef("--timeout %v: must not be negative", p.Timeout)
	case p.KillGrace < 0:
		return usagef("--kill-grace %v: must not be negative", p.KillGrace)
	case (p.Resume || p.ResumeFailed) && p.JobLog == "":
		return usagef("--resume and --resume-failed read the --joblog: give --joblog FILE")
	case p.Resume && p.ResumeFailed:
		return usagef("give --resume or --resume-failed, not both")
	case p.KeepOrder && p.Results != "":
		return usagef("--keep-order orders the output printed at the root; with --results DIR each task's output has its own files")
	}
	return nil
}

func (p *Params) fill() {
	if p.Stdout == nil {
		p.Stdout = os.Stdout
	}
	if p.Stderr == nil {
		p.Stderr = os.Stderr
	}
	if p.KillGrace == 0 {
		p.KillGrace = DefaultKillGrace
	}
	if p.ProgressEvery <= 0 {
		p.ProgressEvery = DefaultProgressEvery
	}
}
