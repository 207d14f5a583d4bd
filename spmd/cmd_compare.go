package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spmd-go/spmd/spmd/internal/study"
	"github.com/spmd-go/spmd/spmd/jobs"
	"github.com/urfave/cli/v2"
)

func init() {
	register(&cli.Command{
		Name:      "compare",
		Usage:     "the notebook's comparison on this machine: serial, goroutines, ranks, ranks x goroutines",
		ArgsUsage: "JOB [job flags]",
		Description: "Runs JOB through spmd run at 1 rank x 1 thread (serial), 1 rank x C threads\n" +
			"(goroutines), C ranks x 1 thread (processes, as multiprocessing or MPI would)\n" +
			"and, with 4 or more cores, C/2 ranks x 2 threads; C = --cores. Each point is\n" +
			"repeated (--repeat) and its median wall time taken; the table gives the\n" +
			"speedup over the serial run and the parallel efficiency. The first point also\n" +
			"runs the job's serial reference (--verify), shown as its own row.\n\n" +
			"  spmd compare pi --samples 1e9\n" +
			"  spmd compare cdist --m 2000 --n 2000 --p 100",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "cores", Value: runtime.NumCPU(), Usage: "cores to compare over"},
			&cli.IntFlag{Name: "repeat", Value: 3, Usage: "runs per configuration (the median is reported)"},
		},
		Action: compareAction,
	})
}

// compareFlags are the flags spmd compare also takes after JOB (none of
// them is a bool).
var compareFlags = map[string]bool{"cores": false, "repeat": false}

func compareAction(c *cli.Context) error {
	if c.Args().Len() < 1 {
		return usageExit("compare: name a job, e.g. spmd compare pi --samples 1e9")
	}
	name := c.Args().First()
	if _, ok := jobs.Lookup(name); !ok {
		return usageExit("compare: unknown job %q (jobs: %s)", name, strings.Join(jobs.Names(), ", "))
	}
	// compare's own flags may come after the job too, as scale's may.
	set := map[string]string{}
	args, err := study.SplitFlags(c.Args().Tail(), compareFlags, set)
	if err != nil {
		return usageExit("compare: %v", err)
	}
	cores, repeat := c.Int("cores"), c.Int("repeat")
	for flag, v := range set {
		n, err := strconv.Atoi(v)
		if err != nil {
			return usageExit("compare: --%s: %q is not a whole number", flag, v)
		}
		if flag == "cores" {
			cores = n
		} else {
			repeat = n
		}
	}
	if cores < 1 || repeat < 1 {
		return usageExit("compare: --cores and --repeat must be at least 1")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	r := study.Runner{Spmd: self, Cores: runtime.NumCPU()}
	points := []study.Point{{Ranks: 1, Threads: 1}}
	if cores > 1 {
		points = append(points, study.Point{Ranks: 1, Threads: cores}, study.Point{Ranks: cores, Threads: 1})
	}
	if cores >= 4 {
		points = append(points, study.Point{Ranks: cores / 2, Threads: 2})
	}
	ctx := context.Background()
	var ms []study.Measurement
	var ref *float64
	for i, p := range points {
		a := args
		if i == 0 {
			a = append(append([]string(nil), args...), "--verify")
		}
		m, err := r.Measure(ctx, name, a, p, repeat)
		if err != nil {
			return cli.Exit("compare: "+err.Error(), 1)
		}
		if i == 0 && len(m.Reports) > 0 {
			if v := m.Reports[0].Verify; v != nil {
				ref = &v.ReferenceSeconds
			}
		}
		ms = append(ms, m)
	}
	base := ms[0].Median
	fmt.Printf("%s on %d cores, median of %d runs of the parallel section\n", name, cores, repeat)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "configuration\tranks x threads\twall s\tspeedup vs reference\tspeedup vs 1 x 1\tefficiency\t\n")
	vsRef := func(t float64) string {
		if ref == nil || t <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.2fx", *ref/t)
	}
	if ref != nil {
		fmt.Fprintf(tw, "serial reference\t-\t%.4f\t1.00x\t%.2fx\t-\t\n", *ref, base / *ref)
	}
	names := []string{"serial (fast kernel)", "goroutines", "ranks", "ranks x goroutines"}
	for i, m := range ms {
		sp := base / m.Median
		fmt.Fprintf(tw, "%s\t%s\t%.4f\t%s\t%.2fx\t%.0f%%\t\n", names[i], m.Point, m.Median, vsRef(m.Median), sp, 100*sp/float64(m.Ranks*m.Threads))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Printf("efficiency = speedup vs 1 x 1 / (ranks x threads); beyond %d cores the machine is oversubscribed\n", runtime.NumCPU())
	return nil
}
