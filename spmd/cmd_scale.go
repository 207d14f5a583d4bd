package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spmd-go/spmd/comm/boot"
	"github.com/spmd-go/spmd/dataio"
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/spmd/internal/study"
	"github.com/spmd-go/spmd/spmd/jobs"
	"github.com/urfave/cli/v2"
)

// spmd scale: scaling curves. This file reads the command line; package
// study runs the points, summarises them and draws the charts.
func init() {
	register(&cli.Command{
		Name:      "scale",
		Usage:     "scaling study: run a job at several rank and thread counts, tabulate, fit Amdahl's law, plot",
		UsageText: "spmd scale JOB [job flags] --ranks 1,2,4,8 [--threads 1,2] [--repeat 3] [--weak] [--hostfile F] [--out DIR]",
		Description: `Runs JOB through spmd run at every combination of --ranks and --threads,
--repeat times each (the repeats go round all points in turn, so a noisy
spell of the machine does not spoil one point), then prints a table and
writes DIR/scale.csv and the charts DIR/time, DIR/speedup and
DIR/efficiency, each as .png and .svg. Time is the job's own wall time
(slowest rank, between barriers), so start-up is not counted.

  spmd scale pi --samples 1e9 --ranks 1,2,4,8
  spmd scale cdist --m 4000 --n 4000 --ranks 1,2 --threads 1,2 --out cdist-scale
  spmd scale pi --samples 1e8 --weak --ranks 1,2,4,8
  spmd scale bootstrap --reps 1e5 --hostfile hostfile --ranks 2,4,8

Scale flags may go before or after JOB; the other flags after JOB go to
the job. Anything after -- goes to the job untouched (for a job flag that
shares a name with a scale flag, such as cdist --out FILE).

Strong scaling (the default): the problem stays the same and more workers
(ranks x threads) should take less time. Speedup is T(base)/T(p), where
base is the smallest point (1 x 1 when measured); efficiency is speedup
divided by the growth in workers, 100% being perfect. Amdahl's law,
T(p) = T1 (s + (1-s)/p), is fitted to the medians by least squares; s,
the serial fraction, is the share of the work that more workers cannot
shorten, and 1/s bounds the speedup however many workers you add. The
fit is printed and drawn only when it rests on at least 4 different
worker counts within the cores and passes within 5% (RMS) of their
medians; otherwise a warning, and a note on the charts, say why not.

Weak scaling (--weak): the problem grows with the workers (pi --samples,
cdist --m, bootstrap --reps, fit --datasets are multiplied by ranks x
threads; sweep and map cannot be grown this way), so the ideal is a
constant time and efficiency is T(base)/T(p).

Oversubscription: ranks beyond the cores (or the hostfile's slots) are
started with --oversubscribe, and a point with more workers than cores is
marked "oversubscribed" in the table and CSV and drawn hollow in a shaded
band: such points measure the shortage of cores, not the job, and the
Amdahl fit always leaves them out.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "ranks", Usage: "rank counts to run, e.g. `1,2,4,8`", DefaultText: "powers of two up to the cores"},
			&cli.StringFlag{Name: "threads", Value: "1", Usage: "goroutines per rank, a list like `1,2`"},
			&cli.IntFlag{Name: "repeat", Value: 3, Usage: "runs per point; the median is the point's time"},
			&cli.BoolFlag{Name: "weak", Usage: "weak scaling: grow the job's problem size with ranks x threads"},
			&cli.StringFlag{Name: "hostfile", Usage: "run the ranks on the hosts in `FILE` (passed to spmd run; its slots count as the cores)"},
			&cli.IntFlag{Name: "cores", Usage: "cores the ranks share: points with more workers are oversubscribed", DefaultText: "this machine's, or the hostfile's slots"},
			&cli.StringFlag{Name: "out", Usage: "write scale.csv and the charts into `DIR`", DefaultText: "scale-JOB"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress lines on standard error"},
		},
		Action: scaleAction,
	})
}

// scaleFlags are the flags spmd scale also takes after JOB; bool flags
// take no value.
var scaleFlags = map[string]bool{"ranks": false, "threads": false, "repeat": false, "weak": true, "hostfile": false, "cores": false, "out": false, "quiet": true, "q": true}

// scaleOptions is the command line of spmd scale, checked.
type scaleOptions struct {
	job      string
	jobArgs  []string
	ranks    []int
	threads  []int
	repeat   int
	weak     bool
	hostfile string
	cores    int
	out      string
	quiet    bool
}

func scaleAction(c *cli.Context) error {
	if c.Args().Len() == 0 {
		return cli.Exit("scale: name a job, e.g. spmd scale pi --samples 1e8 --ranks 1,2,4 (see spmd scale --help)", job.ExitUsage)
	}
	for _, a := range c.Args().Tail() {
		if a == "--" {
			break
		}
		if a == "-h" || a == "--help" || a == "-help" {
			cli.HelpPrinter(c.App.Writer, cli.CommandHelpTemplate, c.Command)
			return nil
		}
	}
	opt, err := scaleParse(c)
	if err != nil {
		return cli.Exit("scale: "+err.Error(), job.ExitUsage)
	}
	s, err := opt.study()
	if err != nil {
		return cli.Exit("scale: "+err.Error(), job.ExitUsage)
	}
	if err := os.MkdirAll(opt.out, 0o755); err != nil {
		return cli.Exit("scale: "+err.Error(), 1)
	}
	if !opt.quiet {
		s.Progress = func(r study.Run) {
			over := ""
			if r.Oversubscribed {
				over = " (oversubscribed)"
			}
			fmt.Fprintf(os.Stderr, "spmd scale: %s %v%s run %d/%d: %.4f s\n", opt.job, r.Point, over, r.Index, opt.repeat, r.Wall)
		}
	}
	res, runErr := s.Run(context.Background())
	if runErr != nil && len(res.Runs) == 0 {
		return cli.Exit("scale: "+runErr.Error(), 1)
	}
	// Whatever ran is written, even after a failure, so a long study is
	// not lost to its last point.
	paths, err := writeScale(res, opt.out)
	if err == nil {
		err = printScale(os.Stdout, res, opt)
	}
	if err != nil {
		return cli.Exit("scale: "+err.Error(), 1)
	}
	fmt.Printf("wrote %s\n", strings.Join(paths, ", "))
	if runErr != nil {
		return cli.Exit("scale: "+runErr.Error()+" (the runs before it are written)", 1)
	}
	return nil
}

// scaleParse gathers the options from the flags before JOB and the scale
// flags after it.
func scaleParse(c *cli.Context) (scaleOptions, error) {
	opt := scaleOptions{job: c.Args().First(), repeat: c.Int("repeat"), weak: c.Bool("weak"),
		hostfile: c.String("hostfile"), cores: c.Int("cores"), out: c.String("out"), quiet: c.Bool("quiet")}
	ranks, threads := c.String("ranks"), c.String("threads")
	if _, ok := jobs.Lookup(opt.job); !ok {
		return opt, fmt.Errorf("unknown job %q (jobs: %s)", opt.job, strings.Join(jobs.Names(), ", "))
	}
	set := map[string]string{}
	jobArgs, err := study.SplitFlags(c.Args().Tail(), scaleFlags, set)
	if err != nil {
		return opt, err
	}
	opt.jobArgs = jobArgs
	for name, v := range set {
		switch name {
		case "ranks":
			ranks = v
		case "threads":
			threads = v
		case "hostfile":
			opt.hostfile = v
		case "out":
			opt.out = v
		case "weak":
			opt.weak, err = strconv.ParseBool(v)
		case "quiet", "q":
			opt.quiet, err = strconv.ParseBool(v)
		case "repeat":
			opt.repeat, err = strconv.Atoi(v)
		case "cores":
			opt.cores, err = strconv.Atoi(v)
		}
		if err != nil {
			return opt, fmt.Errorf("--%s: %q is not valid", name, v)
		}
	}
	if opt.repeat < 1 {
		return opt, fmt.Errorf("--repeat must be at least 1, got %d", opt.repeat)
	}
	if opt.cores < 0 {
		return opt, fmt.Errorf("--cores must be positive, got %d", opt.cores)
	}
	if opt.cores == 0 {
		opt.cores = runtime.NumCPU()
		if opt.hostfile != "" {
			if opt.cores, err = hostfileSlots(opt.hostfile); err != nil {
				return opt, err
			}
		}
	}
	if _, inTail := set["ranks"]; !inTail && !c.IsSet("ranks") {
		for r := 1; r <= opt.cores; r *= 2 {
			ranks += strconv.Itoa(r) + ","
		}
		ranks = strings.TrimSuffix(ranks, ",")
	}
	if opt.ranks, err = parseCountList("ranks", ranks); err != nil {
		return opt, err
	}
	if opt.threads, err = parseCountList("threads", threads); err != nil {
		return opt, err
	}
	if opt.out == "" {
		opt.out = "scale-" + opt.job
	}
	return opt, nil
}

// parseCountList reads a comma-separated list of positive integers, sorted
// and without repeats.
func parseCountList(flag, s string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("--%s: %q is not a whole number (write e.g. --%s 1,2,4)", flag, f, flag)
		}
		if n < 1 {
			return nil, fmt.Errorf("--%s: %d: counts must be at least 1", flag, n)
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--%s: empty list (write e.g. --%s 1,2,4)", flag, flag)
	}
	sort.Ints(out)
	return out, nil
}

// hostfileSlots is the total of a hostfile's slots.
func hostfileSlots(path string) (int, error) {
	hosts, err := boot.ReadHostfile(path)
	if err != nil {
		return 0, fmt.Errorf("--%v", err)
	}
	n := 0
	for _, h := range hosts {
		n += h.Slots
	}
	return n, nil
}

// study turns the options into a study.Scale.
func (opt scaleOptions) study() (study.Scale, error) {
	self, err := os.Executable()
	if err != nil {
		return study.Scale{}, err
	}
	r := study.Runner{Spmd: self, Cores: opt.cores}
	if opt.hostfile != "" {
		r.LaunchArgs = []string{"--hostfile", opt.hostfile}
	}
	s := study.Scale{Runner: r, Job: opt.job, Args: opt.jobArgs, Repeat: opt.repeat, Capacity: opt.cores}
	for _, t := range opt.threads {
		for _, n := range opt.ranks {
			s.Points = append(s.Points, study.Point{Ranks: n, Threads: t})
		}
	}
	if opt.weak {
		spec, _ := jobs.Lookup(opt.job) // scaleParse checked it
		if spec.Size == nil {
			return s, fmt.Errorf("weak scaling is not supported for %s: %s", opt.job, spec.NoWeak)
		}
		sf := study.SizeFlag{Name: spec.Size.Name, Aliases: spec.Size.Aliases, Inputs: spec.Size.Inputs}
		w, err := study.NewWeak(opt.job, sf, opt.jobArgs, flagDefault(spec, sf.Name))
		if err != nil {
			return s, err
		}
		s.Weak = &w
	}
	return s, nil
}

// writeScale writes DIR/scale.csv and the charts, returning their paths.
func writeScale(res *study.ScaleResult, dir string) ([]string, error) {
	csvPath := filepath.Join(dir, "scale.csv")
	if err := dataio.WriteFileAtomic(csvPath, res.WriteCSV); err != nil {
		return nil, err
	}
	charts, err := res.SaveCharts(dir)
	return append([]string{csvPath}, charts...), err
}

// printScale prints the table of points and the Amdahl fit.
func printScale(w io.Writer, res *study.ScaleResult, opt scaleOptions) error {
	kind := "strong scaling"
	if res.Weak {
		kind = fmt.Sprintf("weak scaling (--%s grows with ranks x threads)", res.SizeFlag)
	}
	fmt.Fprintf(w, "%s %s: %s on %d cores, median of %d runs per point\n",
		res.Job, strings.Join(res.Args, " "), kind, res.Capacity, res.Repeat)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	size := ""
	if res.Weak {
		size = "--" + res.SizeFlag + "\t"
	}
	speed := "speedup"
	if res.Weak {
		speed = "scaled speedup"
	}
	fmt.Fprintf(tw, "ranks\tthreads\t%smedian s\tmin s\tmax s\t%s\tefficiency\t\n", size, speed)
	for _, s := range res.Points {
		sz, note := "", ""
		if res.Weak {
			sz = s.Size + "\t"
		}
		if s.Oversubscribed {
			note = "oversubscribed"
		}
		fmt.Fprintf(tw, "%d\t%d\t%s%.4f\t%.4f\t%.4f\t%.2fx\t%.0f%%\t %s\n",
			s.Ranks, s.Threads, sz, s.Median, s.Min, s.Max, s.Speedup, 100*s.Efficiency, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if line := res.FitSummary(); line != "" {
		fmt.Fprintln(w, line)
	}
	return nil
}

// flagDefault is the default value of a job's flag, as its --help shows
// it.
func flagDefault(spec jobs.Spec, flag string) string {
	for _, f := range spec.New().Flags() {
		if !slices.Contains(f.Names(), flag) {
			continue
		}
		if d, ok := f.(cli.DocGenerationFlag); ok {
			return strings.Trim(d.GetValue(), `"`)
		}
	}
	return ""
}
