package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/spmd/jobs"
	"github.com/urfave/cli/v2"
)

// Every job of the registry is a command: spmd JOB [flags] runs one rank
// of it (alone, or as one of the ranks spmd run, srun or mpirun started).
func init() {
	for _, s := range jobs.All() {
		register(jobCommand(s))
	}
}

// jobCommand is the command of job s: its own flags and the standard ones,
// and an action that runs one rank through job.Launch.
func jobCommand(s jobs.Spec) *cli.Command {
	p := s.New()
	var set job.Settings
	return &cli.Command{
		Name:        s.Name,
		Usage:       s.Usage,
		Description: s.Description,
		Category:    "Jobs",
		Flags:       append(p.Flags(), standardFlags(&set)...),
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usageExit("%s: unexpected argument %q (see spmd %s --help)", s.Name, c.Args().First(), s.Name)
			}
			if err := p.Check(); err != nil {
				return usageExit("%s: %v", s.Name, err)
			}
			set.Program = "spmd"
			if s.ResultsOnStdout != nil && s.ResultsOnStdout(p) {
				set.Out = os.Stderr // the results are on standard output
			}
			return exitSilently(job.Launch(s.Name, set, p.Job))
		},
	}
}

// standardFlags are the flags every job takes (job.Settings), bound to set.
func standardFlags(set *job.Settings) []cli.Flag {
	return append([]cli.Flag{
		&cli.IntFlag{Name: "threads", Aliases: []string{"t"}, Destination: &set.Threads, Usage: "goroutines per rank", DefaultText: "the cores this rank may use, shared among the ranks on its host", Category: "Parallelism"},
		&cli.BoolFlag{Name: "verify", Destination: &set.Verify, Usage: "also run the serial reference at the root and check the parallel result against it", Category: "Report"},
		&cli.BoolFlag{Name: "json", Destination: &set.JSON, Usage: "print one JSON object instead of the table (docs/OUTPUT.md)", Category: "Report"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Destination: &set.Quiet, Usage: "no progress messages", Category: "Report"},
		&cli.DurationFlag{Name: "progress-every", Value: job.DefaultProgressEvery, Destination: &set.ProgressEvery, Usage: "period of the progress lines when standard error is not a terminal (a batch job's log); on a terminal one line is rewritten in place", Category: "Report"},
		&cli.StringFlag{Name: "cpuprofile", Destination: &set.CPUProfile, Usage: "write one CPU profile per rank into `DIR` (cpu.rankN.pprof; read with go tool pprof)", Category: "Report"},
	}, launchFlags(set)...)
}

// launchFlags are the start-up and failure-detection flags of every
// command that runs as a rank (jobs, bench), bound to set.
func launchFlags(set *job.Settings) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "rendezvous", Destination: &set.Rendezvous, Usage: "where ranks exchange addresses when not started by spmd run: `host:port` (served by rank 0) or file:DIR on a shared filesystem (also $SPMD_RENDEZVOUS)", Category: "Launch"},
		&cli.StringFlag{Name: "bind", Destination: &set.Bind, Usage: "address this rank listens on (default: its host's address as the launcher knows it)", Category: "Launch"},
		&cli.DurationFlag{Name: "connect-timeout", Value: 60 * time.Second, Destination: &set.ConnectTimeout, Usage: "give up wiring up the ranks after this long", Category: "Launch"},
		&cli.DurationFlag{Name: "dead-after", Destination: &set.DeadAfter, Usage: "declare a rank lost after this long without a sign of life (also $SPMD_DEAD_AFTER). Heartbeats keep computing ranks alive", DefaultText: "15s", Category: "Failure detection"},
		&cli.DurationFlag{Name: "wait-timeout", Destination: &set.WaitTimeout, Usage: "fail any single wait for another rank after this long, even if it is alive (also $SPMD_TIMEOUT)", DefaultText: "none", Category: "Failure detection"},
	}
}

// usageExit is a usage error of the command line: exit code 2, the
// message printed once (main keeps the other ranks of a job quiet).
func usageExit(format string, a ...any) error {
	return cli.Exit(fmt.Sprintf(format, a...), job.ExitUsage)
}

// exitSilently makes main exit with code, printing nothing.
func exitSilently(code int) error {
	if code == 0 {
		return nil
	}
	return cli.Exit("", code)
}
