package job

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
)

// Settings are the standard settings of every job, the spmd binary's and
// a user program's alike: the flags Settings.Flags declares.
type Settings struct {
	Threads    int    // goroutines per rank; 0: the cores this rank may use
	Verify     bool   // run the serial reference at the root and compare
	JSON       bool   // one JSON object instead of the table
	Quiet      bool   // no progress
	CPUProfile string // directory for one CPU profile per rank

	Rendezvous     string        // where ranks meet when no launcher says (see boot.Options)
	Bind           string        // the address this rank listens on
	ConnectTimeout time.Duration // give up wiring up after this long (0: 60 s)
	DeadAfter      time.Duration // a silent rank is lost after this long (0: $SPMD_DEAD_AFTER, else 15 s)
	WaitTimeout    time.Duration // bound on any single wait (0: none, or $SPMD_TIMEOUT)

	// ProgressEvery is the period of plain progress lines when standard
	// error is not a terminal (0: DefaultProgressEvery).
	ProgressEvery time.Duration

	// Program names the program in messages ("spmd"; default the base
	// name of os.Args[0]). Out receives the report (default os.Stdout).
	Program string
	Out     io.Writer
	// Boot adjusts the start-up further (tests, and jobs that must outlive
	// a lost rank); Rendezvous, Bind, ConnectTimeout, the liveness fields
	// and OnFailure are set from the fields above.
	Boot boot.Options
}

// Exit codes of a rank (and of spmd run, which passes on the first
// failing rank's): 0 success, 1 failure, 2 bad usage or input, 3 a
// verification that found a difference, or the code a rank passed to
// Abort.
const (
	ExitFailure  = 1
	ExitUsage    = 2
	ExitMismatch = 3
)

// UsageError marks an error as the user's input being wrong: the rank
// exits with ExitUsage, and only the root says why.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, a ...any) error { return UsageError{fmt.Errorf(format, a...)} }

// Launch is the whole life of one rank of a job: it starts the rank under
// whatever launched it (spmd run, srun, mpirun, mpiexec, or nothing: a
// world of one), builds the job, executes it and closes the world, and
// returns the exit code. Every failure is handled as the built-in jobs
// handle theirs: the rank where it happened prints it once, and aborts the
// job so that no rank waits for this one; a usage error is printed by the
// root only.
func Launch(name string, s Settings, build func(world *comm.Comm) (Job, error)) int {
	return LaunchFunc(name, s, func(r Rank) error {
		j, err := build(r.World)
		if err != nil {
			return err
		}
		return Execute(r.World, j, Options{
			Threads:       r.Threads,
			Verify:        s.Verify,
			JSON:          s.JSON,
			Quiet:         s.Quiet,
			CPUProfile:    s.CPUProfile,
			Host:          r.Boot.Host,
			LocalSize:     r.Boot.LocalSize,
			Out:           s.Out,
			ProgressEvery: s.ProgressEvery,
			Started:       r.Started,
			Ready:         r.Ready,
		})
	})
}

// Rank is what LaunchFunc hands its body: the world, and how this rank
// was started.
type Rank struct {
	World   *comm.Comm
	Threads int       // Settings.Threads, or the cores this rank may use
	Boot    boot.Info // how boot.Init found the world
	Started time.Time // the user's clock: launcher or process start
	Ready   time.Time // the world was up
}

// LaunchFunc is Launch's life of a rank around a body of one's own
// instead of a Job (no timing, no report): start-up under any launcher,
// GOMAXPROCS set to the rank's threads, and the same handling of every
// failure and exit code. spmd bench and spmd farm are built on it.
func LaunchFunc(name string, s Settings, body func(r Rank) error) int {
	l := &life{name: name, s: s, rank: -1}
	if l.s.Program == "" {
		l.s.Program = programName()
	}
	if s.Threads < 0 {
		return l.fail(Usagef("--threads %d: must be at least 1 (or 0 for the default)", s.Threads))
	}
	started := ProcessStart()
	stopOnSignal()
	opts := s.Boot
	opts.Rendezvous = firstSet(s.Rendezvous, opts.Rendezvous)
	opts.BindAddr = firstSet(s.Bind, opts.BindAddr)
	if s.ConnectTimeout > 0 {
		opts.ConnectTimeout = s.ConnectTimeout
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = boot.DefaultConnectTimeout
	}
	if s.DeadAfter != 0 {
		opts.Liveness.DeadAfter = s.DeadAfter
	}
	if s.WaitTimeout != 0 {
		opts.Liveness.Timeout = s.WaitTimeout
	}
	opts.OnFailure = l.stopComputing
	ctx, cancel := context.WithTimeout(context.Background(), opts.ConnectTimeout)
	world, info, err := boot.Init(ctx, opts)
	cancel()
	if err != nil {
		l.say(fmt.Errorf("start-up: %w", err))
		return ExitFailure
	}
	r := Rank{World: world, Threads: s.Threads, Boot: info, Started: started, Ready: time.Now()}
	l.rank = world.Rank()
	if r.Threads == 0 {
		r.Threads = DefaultThreads(info.LocalSize)
	}
	UseCores(r.Threads)
	return l.finish(world, body(r))
}

// UseCores sets GOMAXPROCS to the cores this rank works on, unless the
// user set GOMAXPROCS. A rank then keeps to its share of the machine, as
// MPI ranks bound to cores do, and a message's arrival wakes no idle OS
// thread (on an idle virtual CPU that wake-up costs more than the message:
// the 8-byte ping-pong between two ranks went from 2x the bare socket to
// 1.1x). Package par's default goroutine count follows it.
func UseCores(threads int) {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(max(threads, 1))
	}
}

// life is one rank's state for reporting its end.
type life struct {
	name      string
	s         Settings
	rank      int
	finishing atomic.Bool // the main goroutine has taken charge of ending the process
}

// prefix is how this rank's messages begin: "spmd pi: rank 2" or
// "median: rank 2" (no rank before the world is up, or alone).
func (l *life) prefix(size int) string {
	p := l.name
	if l.s.Program != l.name {
		p = l.s.Program + " " + l.name
	}
	if l.rank >= 0 && size > 1 {
		p = fmt.Sprintf("%s: rank %d", p, l.rank)
	}
	return p
}

func (l *life) say(err error) { fmt.Fprintf(os.Stderr, "%s: %v\n", l.prefix(2), err) }

// fail reports an error found before the world is up and returns its
// exit code; a usage error is printed only by the root, since every rank
// parses the same command line.
func (l *life) fail(err error) int {
	var ue UsageError
	if errors.As(err, &ue) {
		if !OtherRank() {
			fmt.Fprintf(os.Stderr, "%s: %v\n", l.prefix(1), err)
		}
		return ExitUsage
	}
	l.say(err)
	return ExitFailure
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

// stopComputing ends a rank whose world broke while it may be computing
// with no call to comm that would report it: a rank that is still busy
// after a short grace exits with the failure's code. Most ranks are in a
// call and return through finish before the grace ends.
func (l *life) stopComputing(err error) {
	time.Sleep(stopGrace)
	if l.finishing.Load() {
		return
	}
	var ae *comm.AbortError
	if !errors.As(err, &ae) {
		fmt.Fprintf(os.Stderr, "%s: stopping: %v\n", l.prefix(2), err)
	}
	dataio.RemoveTemps()
	os.Exit(comm.ExitCode(err))
}

const stopGrace = 2 * time.Second

// finish closes the world after success. After a failure it reports the
// error (once, from the rank where it happened) and aborts the job, so no
// rank is left waiting for this one; a rank that learns of another's
// abort exits quietly with that rank's code.
func (l *life) finish(world *comm.Comm, err error) int {
	l.finishing.Store(true)
	if err == nil {
		world.Close()
		return 0
	}
	var ae *comm.AbortError
	if errors.As(err, &ae) {
		world.Close()
		return comm.ExitCode(err)
	}
	var ue UsageError
	isUsage := errors.As(err, &ue)
	if isUsage && world.Rank() != 0 && world.Size() > 1 {
		// Every rank parses the same arguments, so the root has found the
		// same mistake: let it say so once, and wait for its abort (which
		// must not be pre-empted by this rank's exit, or the launcher may
		// stop the root before it has spoken).
		if waitForAbort(world, 10*time.Second) {
			world.Close()
			return ExitUsage
		}
	}
	code := ExitFailure
	if isUsage {
		code = ExitUsage
	}
	if errors.Is(err, ErrMismatch) {
		code = ExitMismatch
	}
	if errors.Is(err, comm.ErrPeerLost) {
		// A consequence of another rank's failure. The other ranks learn
		// of it from comm's own notice, which names the lost rank; an
		// abort from here would only blur that. Give the launcher a moment
		// to hear from the failed rank first, so it reports the cause.
		fmt.Fprintf(os.Stderr, "%s: %v\n", l.prefix(world.Size()), err)
		time.Sleep(time.Second)
		world.Close()
		return code
	}
	fmt.Fprintf(os.Stderr, "%s: %v\n", l.prefix(world.Size()), err)
	world.Abort(code)
	return code
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

// OtherRank reports whether this process is a rank other than the root
// of a launched job, as its launcher's environment says (without wiring
// up): such a rank keeps quiet about a bad command line and --help, which
// the root prints once for all.
func OtherRank() bool {
	env, err := boot.Detect(os.Getenv)
	return err == nil && env.Size > 1 && env.Rank != 0
}

func programName() string {
	if len(os.Args) == 0 {
		return "job"
	}
	p := os.Args[0]
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

func firstSet(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
