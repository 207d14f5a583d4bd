package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/boot"
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/spmd/internal/farm"
	"github.com/urfave/cli/v2"
)

// spmd farm: run an existing program over many inputs. This file only
// turns flags into farm.Params and boots the world; package farm is the
// engine.
func init() {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "tasks", Aliases: []string{"f"}, Usage: "run the commands in `FILE`, one per line (blank lines and # comments skipped); - reads stdin", Category: "Tasks"},
		&cli.StringFlag{Name: "input", Aliases: []string{"a"}, Usage: "fill the template once per line of `FILE` ({} or {1}); - reads stdin", Category: "Tasks"},
		&cli.StringFlag{Name: "csv", Usage: "fill the template once per row of `FILE`, a CSV whose first line names the columns ({name} or {N})", Category: "Tasks"},
		&cli.StringFlag{Name: "tsv", Usage: "the same for a tab-separated `FILE`", Category: "Tasks"},
		&cli.BoolFlag{Name: "no-header", Usage: "the CSV/TSV has no header line: columns by number only", Category: "Tasks"},
		&cli.GenericFlag{Name: "grid", Value: &farmGrid{}, Usage: "fill the template at every point of a grid of `NAME=VALUES` axes (0.3 | 0.1,0.2 | 0.1:0.5:0.05); repeatable, and NAME=VALUES arguments after it are more axes", Category: "Tasks"},
		&cli.BoolFlag{Name: "shell", Usage: "run every task under /bin/sh -c, even when it needs no shell", Category: "Tasks"},

		&cli.IntFlag{Name: "slots", Aliases: []string{"j"}, Usage: "run `N` tasks at once on each rank", DefaultText: "0: the rank's cores, this host's cores shared among its ranks", Category: "Running"},
		&cli.IntFlag{Name: "retries", Usage: "run a failing task up to `N` times in all, on another rank when there is one (GNU parallel's --retries)", Category: "Running"},
		&cli.DurationFlag{Name: "timeout", Usage: "stop a task after `DURATION` (SIGTERM to its process group, SIGKILL after --kill-grace); it counts as failed", DefaultText: "none", Category: "Running"},
		&cli.DurationFlag{Name: "kill-grace", Value: farm.DefaultKillGrace, Usage: "from SIGTERM to SIGKILL when a task is stopped", Category: "Running"},

		&cli.StringFlag{Name: "results", Usage: "write task N's stdout and stderr to `DIR`/N.out and DIR/N.err instead of printing them", Category: "Output"},
		&cli.BoolFlag{Name: "keep-order", Aliases: []string{"k"}, Usage: "print outputs in task order (untagged, exactly what a serial loop prints)", Category: "Output"},
		&cli.StringFlag{Name: "tag", Usage: "prefix every output line with `TEMPLATE` and a tab ('' for none)", DefaultText: "{#}, the task number; none with --keep-order", Category: "Output"},
		&cli.StringFlag{Name: "joblog", Usage: "log every finished task to `FILE` (GNU parallel's columns)", Category: "Joblog"},
		&cli.BoolFlag{Name: "resume", Usage: "skip the tasks the --joblog has (after a crash, a time limit, Ctrl-C)", Category: "Joblog"},
		&cli.BoolFlag{Name: "resume-failed", Usage: "skip the tasks the --joblog has as succeeded; run the failed ones again", Category: "Joblog"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress, and a summary only if something failed", Category: "Report"},
		&cli.DurationFlag{Name: "progress-every", Value: farm.DefaultProgressEvery, Usage: "when stderr is not a terminal, a progress line this often", Category: "Report"},
	}
	// The start-up flags of every rank, but --wait-timeout: the root waits
	// for its workers' reports as long as their tasks run.
	for _, f := range launchFlags(&farmLaunch) {
		if f.Names()[0] != "wait-timeout" {
			flags = append(flags, f)
		}
	}
	register(&cli.Command{
		Name:      "farm",
		Usage:     "run a program over many inputs on every rank, with retries, a joblog, resume, and survival of lost ranks",
		UsageText: "spmd [run -np N] farm [options] COMMAND\nspmd [run -np N] farm [options] -- PROGRAM ARGUMENT...\nspmd [run -np N] farm [options] --tasks FILE",
		Category:  "Jobs",
		Description: `Runs one task per input: rank 0 hands tasks out in input order as slots
free up, and every rank (rank 0 too) runs up to --slots of them at once.
A task that fails runs again with --retries; one that runs too long is
stopped with --timeout. When a rank other than 0 is lost (killed, its host
gone, its link cut) its running tasks go back into the queue and the other
ranks finish; if rank 0 is lost, --resume with the --joblog picks up where
it stopped. Exit status 0 only when every task succeeded; 2 for bad input,
found before anything runs.

  spmd farm --input files.txt 'gzip -9 {}'
  spmd run -np 8 farm --csv datasets.csv --joblog fit.log -- python fit.py --data {path} --seed {seed}
  spmd run --hostfile hosts farm --grid 'beta=0.1:0.5:0.05 gamma=1,2,3' -- ./sim --beta {beta} --gamma {gamma}
  spmd farm --grid beta=0.1:0.5:0.05 gamma=1,2,3 -- ./sim {beta} {gamma}
  srun -n 64 spmd farm --tasks tasks.txt --joblog tasks.log --resume --retries 2
  printf '%s\n' *.fastq | spmd farm --input - --results out 'bwa mem ref.fa {} > {.}.sam'

Placeholders (GNU parallel's): {} the whole input row, {1} {2} ... its
columns, {name} a CSV/TSV column or grid axis, {#} the task number; on {},
{N} or {name}: {.} without extension, {/} base name, {//} directory, {/.}
base name without extension. A placeholder naming no column is an error;
{{ is a literal {, and ${...} is left to the shell.

Quoting. COMMAND as one argument is a shell command line: every value is
quoted for where it stands (bare, in "...", in '...'), so the program gets
the input's text exactly, spaces and $ and quotes included. Do not put
quotes around a placeholder to protect it: they are not needed. Put the
line in single quotes for your own shell, so that it passes {} and $VAR
on unexpanded: 'gzip -c {} > {}.gz'. After --, PROGRAM ARGUMENT... runs
as given, each value put into its word as it is, with no shell at all.

A shell (/bin/sh -c) runs a task only when its command line needs one:
pipes, redirections, $variables, globs, ;, &&, keywords, builtins such as
cd, or a program not found in PATH. Simple commands start directly, which
is faster. --shell forces the shell.

Each task runs in its own process group, with stdin from /dev/null and
SPMD_FARM_TASK, SPMD_FARM_TASKS, SPMD_FARM_ATTEMPT, SPMD_FARM_RANK,
SPMD_FARM_HOST and SPMD_FARM_SLOT set (and the rank's SPMD_RANK,
SPMD_SECRET... removed). Its output is printed at rank 0 when it ends,
whole lines tagged with --tag (default: the task number and a tab), or in
task order with --keep-order; --results DIR keeps it in files instead.

The --joblog gets one line per finished task, as GNU parallel writes it
(Seq Host Starttime JobRuntime Send Receive Exitval Signal Command), the
moment the task ends. --resume skips what it lists; --resume-failed runs
the failed tasks again. A joblog of another task list is refused.

Progress (done, failed, running, rate, ETA) is one live line on a
terminal, or a line every --progress-every in a log file; the summary at
the end gives the makespan, the tasks' time, the efficiency, the slowest
and the failed tasks. See docs/LAUNCHING.md for Slurm and PBS, and GNU
parallel, disBatch and job-array equivalents.`,
		Flags:  flags,
		Action: farmAction,
	})
}

// farmAction is one rank of a farm.
func farmAction(c *cli.Context) error {
	p, err := farmParams(c)
	if err != nil {
		// Every rank has the same arguments, hence the same mistake: main
		// lets the root alone say so.
		return cli.Exit(fmt.Sprintf("farm: %v (see spmd farm --help)", err), job.ExitUsage)
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	p.Signals = sigs

	s := farmLaunch
	ctx, cancel := context.WithTimeout(context.Background(), s.ConnectTimeout)
	world, info, err := boot.Init(ctx, boot.Options{
		Rendezvous:     s.Rendezvous,
		BindAddr:       s.Bind,
		ConnectTimeout: s.ConnectTimeout,
		Liveness:       boot.Liveness{DeadAfter: s.DeadAfter},
		Loss:           comm.LossIsolated, // a farm outlives its workers
	})
	cancel()
	if err != nil {
		return cli.Exit(fmt.Sprintf("farm: start-up: %v", err), 1)
	}
	p.Host = farmHost(info)
	if p.Slots == 0 {
		p.Slots = job.DefaultThreads(info.LocalSize)
	}
	if exe, err := os.Executable(); err == nil {
		p.Watchdog = []string{exe, "_watchdog"}
	}
	_, err = farm.Run(world, p)
	world.Close()
	return farmExit(world.Rank(), err)
}

// farmParams reads the flags and arguments.
func farmParams(c *cli.Context) (farm.Params, error) {
	p := farm.Params{
		TaskFile:      c.String("tasks"),
		Input:         c.String("input"),
		CSV:           c.String("csv"),
		TSV:           c.String("tsv"),
		NoHeader:      c.Bool("no-header"),
		Grid:          c.Generic("grid").(*farmGrid).axes,
		Shell:         c.Bool("shell"),
		Slots:         c.Int("slots"),
		Retries:       c.Int("retries"),
		Timeout:       c.Duration("timeout"),
		KillGrace:     c.Duration("kill-grace"),
		Results:       c.String("results"),
		KeepOrder:     c.Bool("keep-order"),
		JobLog:        c.String("joblog"),
		Resume:        c.Bool("resume"),
		ResumeFailed:  c.Bool("resume-failed"),
		Quiet:         c.Bool("quiet"),
		ProgressEvery: c.Duration("progress-every"),
		Live:          os.Getenv("SPMD_STDERR_TTY") == "1" || isTerminal(os.Stderr),
	}
	switch {
	case c.IsSet("tag"):
		p.Tag = c.String("tag")
	case !p.KeepOrder:
		p.Tag = "{#}"
	}
	args := c.Args().Slice()
	if len(p.Grid) > 0 {
		// The axes may go on after --grid's own value, up to the command
		// (or a --): --grid beta=0.1:0.5:0.05 gamma=1,2,3 -- ./sim ...
		extra := 0
		for ; len(args) > 0 && farmAxisArg.MatchString(args[0]); extra++ {
			p.Grid = append(p.Grid, args[0])
			args = args[1:]
		}
		switch {
		case len(args) > 0 && args[0] == "--":
			args = args[1:]
		case extra > 0 && len(args) > 0 && strings.HasPrefix(args[0], "-"):
			// The flag parser stopped at the first axis, so this flag
			// would be taken for the command.
			return p, fmt.Errorf("flags go before --grid's extra axes: %s after %s (or give each axis its own --grid)", args[0], p.Grid[len(p.Grid)-1])
		}
	}
	p.Template = args
	return p, nil
}

// farmLaunch holds the start-up flags (launchFlags binds them).
var farmLaunch job.Settings

// farmAxisArg is an argument that continues --grid: NAME=VALUES.
var farmAxisArg = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*=`)

// farmHost is how the joblog and the tasks name this rank's host: the
// launcher's node name, else the address the rank was given, else (a
// job on this machine alone) the host name.
func farmHost(info boot.Info) string {
	if info.Node != "" {
		return info.Node
	}
	switch info.Host {
	case "", "127.0.0.1", "::1", "localhost":
		if h, err := os.Hostname(); err == nil {
			return h
		}
	}
	return info.Host
}

// farmExit turns the farm's end into the process's: 0 when every task
// succeeded, 1 when some failed (the summary says which), 2 for bad
// input, 128+N after signal N. Only the root speaks.
func farmExit(rank int, err error) error {
	var ue *farm.UsageError
	var se *farm.StoppedError
	var ie *farm.InterruptedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ue):
		if rank != 0 {
			return cli.Exit("", job.ExitUsage)
		}
		return cli.Exit(fmt.Sprintf("farm: %v (see spmd farm --help)", err), job.ExitUsage)
	case errors.As(err, &se):
		return cli.Exit("", se.Code)
	case errors.As(err, &ie):
		if s, ok := ie.Signal.(syscall.Signal); ok {
			return cli.Exit("", 128+int(s))
		}
		return cli.Exit("", 1)
	case errors.Is(err, farm.ErrTasksFailed):
		return cli.Exit("", 1)
	}
	return cli.Exit(fmt.Sprintf("farm: rank %d: %v", rank, strings.TrimPrefix(err.Error(), "farm: ")), 1)
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// farmGrid is the value of --grid: each use adds axes. Unlike a
// cli.StringSlice it never splits at commas, which value lists use.
type farmGrid struct{ axes []string }

func (g *farmGrid) Set(s string) error {
	g.axes = append(g.axes, s)
	return nil
}

func (g *farmGrid) String() string { return strings.Join(g.axes, " ") }
