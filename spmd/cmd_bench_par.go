package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/par"
	"github.com/spmd-go/spmd/spmd/internal/parbench"
	"github.com/spmd-go/spmd/spmd/jobs"
	"github.com/urfave/cli/v2"
)

// spmd bench schedule and spmd bench mapcost: package par's schedules
// against the best possible makespan, and its cost per item.
func benchParCommands() []*cli.Command {
	var sset, mset job.Settings
	return []*cli.Command{{
		Name:  "schedule",
		Usage: "makespan of par's schedules on items of heavy-tailed (Pareto) cost, against the lower bound",
		Description: "Draws --items costs from a Pareto distribution of shape --alpha adding up to\n" +
			"--work of CPU time, runs them (each item keeps a core busy for its cost) with\n" +
			"par.ForEach under every schedule, --repeat times, and prints at the root the\n" +
			"median makespan against the lower bound max(work / workers, costliest item).\n\n" +
			"  spmd run -np 2 bench schedule --threads 1\n" +
			"  spmd bench schedule --threads 2 --csv",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "items", Value: 2000, Usage: "items"},
			&cli.Float64Flag{Name: "alpha", Value: 1.5, Usage: "Pareto shape (smaller: heavier tail)"},
			&cli.DurationFlag{Name: "work", Value: 4 * time.Second, Usage: "total cost of the items"},
			&cli.StringFlag{Name: "schedules", Value: "static,cyclic,dynamic", Usage: "schedules to run"},
			&cli.IntFlag{Name: "repeat", Value: 3, Usage: "runs per schedule; the median is printed"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the costs"},
			&cli.BoolFlag{Name: "csv", Usage: "CSV with a header line"},
			&cli.IntFlag{Name: "threads", Aliases: []string{"t"}, Destination: &sset.Threads, Usage: "goroutines per rank", DefaultText: "the cores this rank may use"},
		}, launchFlags(&sset)...),
		Action: func(c *cli.Context) error { return benchSchedule(c, sset) },
	}, {
		Name:  "mapcost",
		Usage: "par.Map's cost per item, on items that cost nothing (x+1)",
		Description: "Maps --items trivial items with par.Map under every schedule, results gathered\n" +
			"in order at the root, --repeat times, and prints the median time and the\n" +
			"cost per item (scripts/bench.sh puts joblib and multiprocessing.Pool beside it).\n\n" +
			"  spmd run -np 2 bench mapcost --threads 1\n" +
			"  spmd bench mapcost --items 1e6 --threads 2",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "items", Value: "1e6", Usage: "items"},
			&cli.StringFlag{Name: "schedules", Value: "static,dynamic", Usage: "schedules to run"},
			&cli.IntFlag{Name: "repeat", Value: 5, Usage: "runs per schedule; the median is printed"},
			&cli.BoolFlag{Name: "csv", Usage: "CSV with a header line"},
			&cli.IntFlag{Name: "threads", Aliases: []string{"t"}, Destination: &mset.Threads, Usage: "goroutines per rank", DefaultText: "the cores this rank may use"},
		}, launchFlags(&mset)...),
		Action: func(c *cli.Context) error { return benchMapCost(c, mset) },
	}}
}

func parseSchedules(s string) ([]par.Schedule, error) {
	var out []par.Schedule
	for _, name := range strings.Split(s, ",") {
		sc, err := par.ParseSchedule(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

func benchSchedule(c *cli.Context, set job.Settings) error {
	scheds, err := parseSchedules(c.String("schedules"))
	if err != nil {
		return usageExit("bench schedule: --schedules: %v", err)
	}
	n, alpha, work, repeat := c.Int("items"), c.Float64("alpha"), c.Duration("work"), c.Int("repeat")
	if n < 1 || !(alpha > 0) || work <= 0 || repeat < 1 {
		return usageExit("bench schedule: --items, --alpha, --work and --repeat must be positive")
	}
	costs := parbench.ParetoCosts(n, alpha, work, c.Uint64("seed"))
	set.Program = "spmd"
	return exitSilently(job.LaunchFunc("bench schedule", set, func(r job.Rank) error {
		workers, err := allThreads(r)
		if err != nil {
			return err
		}
		bound := parbench.Bound(costs, workers)
		var rows [][]string
		for _, s := range scheds {
			var spans []time.Duration
			for range repeat {
				d, err := parbench.Makespan(r.World, costs, s, r.Threads)
				if err != nil {
					return err
				}
				spans = append(spans, d)
			}
			m := medianDuration(spans)
			rows = append(rows, []string{s.String(), fmt.Sprint(r.World.Size()), fmt.Sprint(r.Threads), fmt.Sprint(n),
				fmt.Sprintf("%.4f", m.Seconds()), fmt.Sprintf("%.4f", bound.Seconds()), fmt.Sprintf("%.3f", float64(m)/float64(bound))})
		}
		if r.World.Rank() == 0 {
			printRows(c.Bool("csv"), []string{"schedule", "ranks", "threads", "items", "makespan_s", "bound_s", "ratio"}, rows)
		}
		return nil
	}))
}

func benchMapCost(c *cli.Context, set job.Settings) error {
	scheds, err := parseSchedules(c.String("schedules"))
	if err != nil {
		return usageExit("bench mapcost: --schedules: %v", err)
	}
	n64, err := jobs.ParseCount(c.String("items"), 1<<30)
	if err != nil || c.Int("repeat") < 1 {
		return usageExit("bench mapcost: --items %q and --repeat must be positive", c.String("items"))
	}
	items := make([]int, n64)
	for i := range items {
		items[i] = i
	}
	set.Program = "spmd"
	return exitSilently(job.LaunchFunc("bench mapcost", set, func(r job.Rank) error {
		var rows [][]string
		for _, s := range scheds {
			var times []time.Duration
			for range c.Int("repeat") {
				d, err := parbench.MapCost(r.World, items, s, r.Threads)
				if err != nil {
					return err
				}
				times = append(times, d)
			}
			m := medianDuration(times)
			rows = append(rows, []string{s.String(), fmt.Sprint(r.World.Size()), fmt.Sprint(r.Threads), fmt.Sprint(len(items)),
				fmt.Sprintf("%.4f", m.Seconds()), fmt.Sprintf("%.4f", m.Seconds()/float64(len(items))*1e6)})
		}
		if r.World.Rank() == 0 {
			printRows(c.Bool("csv"), []string{"schedule", "ranks", "threads", "items", "seconds", "us_per_item"}, rows)
		}
		return nil
	}))
}

// allThreads is the number of goroutines over all ranks.
func allThreads(r job.Rank) (int, error) {
	all := make([]int64, r.World.Size())
	if err := r.World.Allgather([]int64{int64(r.Threads)}, all); err != nil {
		return 0, err
	}
	n := 0
	for _, t := range all {
		n += int(t)
	}
	return n, nil
}

func medianDuration(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[len(s)/2]
}

func printRows(csv bool, header []string, rows [][]string) {
	if csv {
		fmt.Println(strings.Join(header, ","))
		for _, r := range rows {
			fmt.Println(strings.Join(r, ","))
		}
		return
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	tw.Flush()
}
