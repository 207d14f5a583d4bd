package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/boot"
	"github.com/spmd-go/spmd/dataio"
	"github.com/spmd-go/spmd/job"
	"github.com/urfave/cli/v2"
)

// A jobSpec is one workload's command: its own flags, and Build, which
// checks them and returns the job. Every rank parses the same arguments,
// so a bad argument fails on every rank alike, before any work starts.
type jobSpec struct {
	Name        string
	Usage       string
	Description string
	Flags       []cli.Flag
	Build       func(c *cli.Context, world *comm.Comm) (job.Job, error)
	// ReportToStderr, if set and true, sends the report to standard error
	// (for jobs whose results go to standard output).
	ReportToStderr func(c *cli.Context) bool
}

// Exit codes: 2 for bad usage or input, 1 for other failures, or the code
// a rank passed to Abort.
const exitUsage = 2

// usageError marks an error as the user's input being wrong.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// jobFlags are the flags every job takes.
func jobFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "threads", Aliases: []string{"t"}, Usage: "goroutines per rank", DefaultText: "the cores this rank may use, shared among the ranks on its host", Category: "Parallelism"},
		&cli.BoolFlag{Name: "verify", Usage: "also run the serial reference at the root, check the parallel result against it, and report speedup and efficiency", Category: "Report"},
		&cli.BoolFlag{Name: "json", Usage: "print one JSON object instead of the table", Category: "Report"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress messages", Category: "Report"},
		&cli.StringFlag{Name: "cpuprofile", Usage: "write one CPU profile per rank into `DIR` (cpu.rankN.pprof; read with go tool pprof)", Category: "Report"},
		&cli.StringFlag{Name: "rendezvous", Usage: "where ranks exchange addresses when not started by spmd run: `host:port` (served by rank 0) or file:DIR on a shared filesystem (also $SPMD_RENDEZVOUS)", Category: "Launch"},
		&cli.StringFlag{Name: "bind", Usage: "address this rank listens on (default: its host's address as the launcher knows it)", Category: "Launch"},
		&cli.DurationFlag{Name: "connect-timeout", Value: 60 * time.Second, Usage: "give up wiring up the ranks after this long", Category: "Launch"},
		&cli.DurationFlag{Name: "dead-after", Usage: "declare a rank lost after this long without a sign of life (also $SPMD_DEAD_AFTER). Heartbeats keep computing ranks alive", DefaultText: "15s", Category: "Failure detection"},
		&cli.DurationFlag{Name: "wait-timeout", Usage: "fail any single wait for another rank after this long, even if it is alive (also $SPMD_TIMEOUT)", DefaultText: "none", Category: "Failure detection"},
	}
}

func registerJob(s jobSpec) {
	register(&cli.Command{
		Name:        s.Name,
		Usage:       s.Usage,
		Description: s.Description,
		Flags:       append(s.Flags, jobFlags()...),
		Category:    "Jobs",
		Action:      func(c *cli.Context) error { return runJob(c, s) },
	})
}

// runJob is the life of one rank: wire up, build the job from the flags,
// execute it, and on any failure make sure the other ranks stop too.
func runJob(c *cli.Context, s jobSpec) error {
	if c.Args().Len() > 0 {
		return cli.Exit(fmt.Sprintf("%s: unexpected argument %q (see spmd %s --help)", s.Name, c.Args().First(), s.Name), exitUsage)
	}
	stopOnSignal()
	if c.Int("threads") < 0 {
		return cli.Exit(fmt.Sprintf("%s: --threads %d: must be at least 1 (or 0 for the default)", s.Name, c.Int("threads")), exitUsage)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.Duration("connect-timeout"))
	world, info, err := boot.Init(ctx, boot.Options{
		Rendezvous:     c.String("rendezvous"),
		BindAddr:       c.String("bind"),
		ConnectTimeout: c.Duration("connect-timeout"),
		Liveness:       boot.Liveness{DeadAfter: c.Duration("dead-after"), Timeout: c.Duration("wait-timeout")},
		OnFailure:      func(err error) { stopComputing(s.Name, err) },
	})
	cancel()
	if err != nil {
		return cli.Exit(fmt.Sprintf("%s: start-up: %v", s.Name, err), 1)
	}
	rank = world.Rank()
	threads := c.Int("threads")
	if threads == 0 {
		threads = job.DefaultThreads(info.LocalSize)
	}
	useCores(threads)
	j, err := s.Build(c, world)
	out := io.Writer(os.Stdout)
	if s.ReportToStderr != nil && s.ReportToStderr(c) {
		out = os.Stderr
	}
	if err == nil {
		err = job.Execute(world, j, job.Options{
			Threads:    threads,
			Verify:     c.Bool("verify"),
			JSON:       c.Bool("json"),
			Quiet:      c.Bool("quiet"),
			CPUProfile: c.String("cpuprofile"),
			Host:       info.Host,
			LocalSize:  info.LocalSize,
			Out:        out,
		})
	}
	return finish(world, s.Name, err)
}

// useCores sets GOMAXPROCS to the cores this rank works on, unless the
// user set GOMAXPROCS. A rank then keeps to its share of the machine, as
// MPI ranks bound to cores do, and a message's arrival wakes no idle OS
// thread (on an idle virtual CPU that wake-up costs more than the message:
// the 8-byte ping-pong between two ranks went from 2x the bare socket to
// 1.1x).
func useCores(threads int) {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(max(threads, 1))
	}
}

// stopOnSignal makes SIGTERM and SIGINT (from a launcher stopping the
// job) remove the temporaries of output files being written before the
// process ends with 128+signal.
func stopOnSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		sig := <-ch
		dataio.RemoveTemps()
		os.Exit(128 + int(sig.(syscall.Signal)))
	}()
}

// rank is this process's rank once the world is up, for messages.
var rank = -1

// finishing is set when the main goroutine has taken charge of ending the
// process, so stopComputing stands aside.
var finishing atomic.Bool

// stopComputing ends a rank whose world broke while it may be computing
// with no call to comm that would report it: a rank that is still busy
// after a short grace exits with the failure's code. Most ranks are in a
// call and return through finish before the grace ends.
func stopComputing(name string, err error) {
	time.Sleep(stopGrace)
	if finishing.Load() {
		return
	}
	var ae *comm.AbortError
	if !errors.As(err, &ae) {
		fmt.Fprintf(os.Stderr, "spmd %s: rank %d: stopping: %v\n", name, rank, err)
	}
	dataio.RemoveTemps()
	os.Exit(comm.ExitCode(err))
}

const stopGrace = 2 * time.Second

// finish closes the world after success. After a failure it reports the
// error (once, from the rank where it happened) and aborts the job, so no
// rank is left waiting for this one; a rank that learns of another's
// abort exits quietly with that rank's code.
func finish(world *comm.Comm, name string, err error) error {
	finishing.Store(true)
	if err == nil {
		world.Close()
		return nil
	}
	var ae *comm.AbortError
	if errors.As(err, &ae) {
		world.Close()
		return cli.Exit("", comm.ExitCode(err))
	}
	var ue usageError
	if errors.As(err, &ue) && world.Rank() != 0 && world.Size() > 1 {
		// Every rank parses the same arguments, so the root has found the
		// same mistake: let it say so once, and wait for its abort (which
		// must not be pre-empted by this rank's exit, or the launcher may
		// stop the root before it has spoken).
		if waitForAbort(world, 10*time.Second) {
			world.Close()
			return cli.Exit("", exitUsage)
		}
	}
	code := 1
	if errors.As(err, &ue) {
		code = exitUsage
	}
	if errors.Is(err, job.ErrMismatch) {
		code = 3
	}
	prefix := name
	if world.Size() > 1 {
		prefix = fmt.Sprintf("%s: rank %d", name, world.Rank())
	}
	if errors.Is(err, comm.ErrPeerLost) {
		// A consequence of another rank's failure. The other ranks learn
		// of it from comm's own notice, which names the lost rank; an
		// abort from here would only blur that. Give the launcher a moment
		// to hear from the failed rank first, so it reports the cause.
		fmt.Fprintf(os.Stderr, "spmd %s: %v\n", prefix, err)
		time.Sleep(time.Second)
		world.Close()
		return cli.Exit("", code)
	}
	fmt.Fprintf(os.Stderr, "spmd %s: %v\n", prefix, err)
	world.Abort(code)
	return cli.Exit("", code)
}

// waitForAbort waits up to d for the world to fail (the root's abort) and
// reports whether it did.
func waitForAbort(world *comm.Comm, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		world.Recv([]byte{}, 0, comm.MaxTag) // the root never sends this: only failure ends it
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}
