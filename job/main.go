package job

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/spmd-go/spmd/comm"
)

// Flags declares the standard settings on fs (flag.CommandLine in Main):
// -threads, -verify, -json, -quiet, -cpuprofile, -progress-every,
// -rendezvous, -bind, -connect-timeout, -dead-after and -wait-timeout (one
// dash or two, as package flag allows).
func (s *Settings) Flags(fs *flag.FlagSet) {
	fs.IntVar(&s.Threads, "threads", 0, "goroutines per rank (0: the cores this rank may use, shared among the ranks on its host)")
	fs.BoolVar(&s.Verify, "verify", false, "also run the serial reference at the root and check the parallel result against it")
	fs.BoolVar(&s.JSON, "json", false, "print the report as one JSON object (docs/OUTPUT.md) instead of a table")
	fs.BoolVar(&s.Quiet, "quiet", false, "no progress messages")
	fs.StringVar(&s.CPUProfile, "cpuprofile", "", "write one CPU profile per rank into `DIR` (cpu.rankN.pprof; read with go tool pprof)")
	fs.DurationVar(&s.ProgressEvery, "progress-every", DefaultProgressEvery, "period of the progress lines when standard error is not a terminal (a batch job's log)")
	fs.StringVar(&s.Rendezvous, "rendezvous", "", "where ranks exchange addresses when no launcher says: `host:port` (served by rank 0) or file:DIR on a shared filesystem (also $SPMD_RENDEZVOUS)")
	fs.StringVar(&s.Bind, "bind", "", "`address` this rank listens on (default: its host's address as the launcher knows it)")
	fs.DurationVar(&s.ConnectTimeout, "connect-timeout", 0, "give up wiring up the ranks after this long (default 1m0s)")
	fs.DurationVar(&s.DeadAfter, "dead-after", 0, "declare a rank lost after this long without a sign of life (default $SPMD_DEAD_AFTER, else 15s)")
	fs.DurationVar(&s.WaitTimeout, "wait-timeout", 0, "fail any single wait for another rank after this long, even if it is alive (default none, or $SPMD_TIMEOUT)")
}

// Main runs j as the whole program: it parses the command line (the
// program's own flags, declared with package flag before Main is called,
// and the standard ones of Settings.Flags), starts this rank under
// whatever launched it — spmd run, srun, mpirun, mpiexec, or nothing, a
// world of one — runs j, prints the report at the root, and exits with
// the job's exit code. It does not return.
//
//	func main() {
//		n := flag.Int("n", 1000, "items")
//		job.Main(job.Job{Name: "squares", Parallel: func(r *job.Run) (*job.Result, error) {
//			sq, err := par.MapRange(r.Comm, *n, func(i int) (int, error) { return i * i, nil }, par.Progress(r))
//			if err != nil || !r.Root() {
//				return nil, err
//			}
//			res := &job.Result{}
//			res.Set("last", sq[*n-1])
//			return res, nil
//		}})
//	}
func Main(j Job) {
	MainFunc(j.Name, func(*comm.Comm) (Job, error) { return j, nil })
}

// MainFunc is Main for a job that is built once the world is up (to read
// input on the root only, or size buffers by rank).
func MainFunc(name string, build func(world *comm.Comm) (Job, error)) {
	var s Settings
	s.Flags(flag.CommandLine)
	if OtherRank() {
		// The root prints --help and flag errors once for the job.
		flag.CommandLine.SetOutput(io.Discard)
	}
	flag.CommandLine.Init(flag.CommandLine.Name(), flag.ContinueOnError)
	err := flag.CommandLine.Parse(os.Args[1:])
	switch {
	case err == flag.ErrHelp:
		os.Exit(0)
	case err != nil:
		os.Exit(ExitUsage) // package flag has said why
	case flag.NArg() > 0:
		if !OtherRank() {
			fmt.Fprintf(os.Stderr, "%s: unexpected argument %q (see -help)\n", programName(), flag.Arg(0))
		}
		os.Exit(ExitUsage)
	}
	os.Exit(Launch(name, s, build))
}
