package main

import (
	"fmt"
	"os"

	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/spmd/internal/bench"
	"github.com/urfave/cli/v2"
)

func init() {
	flags := func() []cli.Flag {
		return []cli.Flag{
			&cli.StringFlag{Name: "sizes", Value: "1,8,64,1Ki,16Ki,64Ki,1Mi,16Mi", Usage: "message sizes in bytes: a list (8,1Ki,1Mi) or a range of powers of two (1:64Mi)"},
			&cli.IntFlag{Name: "iters", Value: 200, Usage: "timed iterations per size (fewer for large sizes, see --budget)"},
			&cli.IntFlag{Name: "warmup", Value: 10, Usage: "untimed iterations per size"},
			&cli.StringFlag{Name: "budget", Value: "512Mi", Usage: "at most this many bytes moved per size"},
			&cli.BoolFlag{Name: "raw", Usage: "pingpong: also measure a bare TCP socket between the same ranks"},
			&cli.BoolFlag{Name: "json", Usage: "one JSON object per line"},
			&cli.BoolFlag{Name: "csv", Usage: "CSV with a header line"},
		}
	}
	var subs []*cli.Command
	for _, name := range append([]string{"all"}, bench.Names...) {
		var set job.Settings
		subs = append(subs, &cli.Command{
			Name:   name,
			Usage:  benchUsage[name],
			Flags:  append(flags(), launchFlags(&set)...),
			Action: func(c *cli.Context) error { return benchAction(c, name, set) },
		})
	}
	subs = append(subs, benchPlotCommand())
	subs = append(subs, benchParCommands()...)
	register(&cli.Command{
		Name:  "bench",
		Usage: "benchmarks: communication (OSU style: pingpong, bcast, reduce, allreduce, gather, alltoall, barrier) and package par (schedule, mapcost)",
		Description: "Runs under any launcher, like a job. For each size: warm-up iterations, a\n" +
			"barrier, then timed iterations; the root prints min / median / max over\n" +
			"iterations (an iteration counts as long as its slowest rank). pingpong runs\n" +
			"between ranks 0 and 1 and reports the one-way time (half a round trip);\n" +
			"--raw adds the same ping-pong on a bare TCP socket between the same two\n" +
			"processes, in rounds alternating with the comm ones, and the ratio to it.\n" +
			"Each row names the transport its pairs of ranks used (shm between ranks of\n" +
			"one machine, tcp otherwise; SPMD_SHM=off keeps every pair on tcp), and the\n" +
			"first line on standard error lists every pair's.\n\n" +
			"  spmd run -np 2 bench pingpong --raw --sizes 1:64Mi\n" +
			"  spmd run -np 4 bench allreduce --sizes 8,1Ki,1Mi,8Mi --csv\n" +
			"  spmd run -np 4 bench all\n" +
			"  spmd bench plot --out img pingpong.csv   (charts of --csv output)",
		Subcommands: subs,
	})
}

var benchUsage = map[string]string{
	"all":       "every benchmark below, one after the other",
	"pingpong":  "latency and bandwidth between ranks 0 and 1 (--raw: against a bare TCP socket)",
	"bcast":     "Bcast from rank 0",
	"reduce":    "Reduce (Sum of float64) to rank 0",
	"allreduce": "Allreduce (Sum of float64)",
	"gather":    "Gather to rank 0 (size is per rank)",
	"alltoall":  "Alltoall (size is per pair of ranks)",
	"barrier":   "Barrier",
}

func benchAction(c *cli.Context, which string, set job.Settings) error {
	sizes, err := bench.ParseSizes(c.String("sizes"))
	if err != nil {
		return usageExit("bench: --%v", err)
	}
	budget, err := bench.ParseSizes(c.String("budget"))
	if err != nil || len(budget) != 1 {
		return usageExit("bench: --budget %q is not one size", c.String("budget"))
	}
	if c.Int("iters") < 1 || c.Int("warmup") < 0 {
		return usageExit("bench: --iters must be at least 1 and --warmup at least 0")
	}
	if c.Args().Len() > 0 {
		return usageExit("bench %s: unexpected argument %q (flags go before nothing else; see spmd bench %s --help)", which, c.Args().First(), which)
	}
	names := []string{which}
	if which == "all" {
		names = bench.Names
	}
	set.Program = "spmd"
	// The same life as a job's: start-up under any launcher, failure
	// detection, and a failing rank ending the whole job with its code.
	code := job.LaunchFunc("bench", set, func(r job.Rank) error {
		world := r.World
		cfg := bench.Config{Sizes: sizes, Iters: c.Int("iters"), Warmup: c.Int("warmup"), Budget: budget[0], Raw: c.Bool("raw"), Host: r.Boot.Host}
		routes, err := bench.Routes(world)
		if err != nil {
			return err
		}
		if world.Rank() == 0 {
			fmt.Fprintf(os.Stderr, "spmd bench: %s\n", routes)
		}
		var rows []bench.Row
		for _, n := range names {
			if n == "pingpong" && world.Size() < 2 {
				if world.Rank() == 0 {
					fmt.Fprintln(os.Stderr, "spmd bench: skipping pingpong: it needs at least 2 ranks")
				}
				continue
			}
			r, err := bench.Run(world, n, cfg)
			if err != nil {
				return err
			}
			rows = append(rows, r...)
		}
		if world.Rank() != 0 {
			return nil
		}
		switch {
		case c.Bool("json"):
			return bench.WriteJSON(os.Stdout, rows)
		case c.Bool("csv"):
			return bench.WriteCSV(os.Stdout, rows)
		}
		return bench.WriteTable(os.Stdout, rows)
	})
	return exitSilently(code)
}
