package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/spmd/internal/bench"
	"github.com/spmd-go/spmd/spmd/internal/plot"
	"github.com/urfave/cli/v2"
)

// benchPlotCommand draws what `spmd bench --csv` wrote. It runs alone, not
// under a launcher: plotting needs no ranks.
func benchPlotCommand() *cli.Command {
	return &cli.Command{
		Name:      "plot",
		Usage:     "draw bench CSV files as time and bandwidth against message size (PNG and SVG)",
		ArgsUsage: "FILE.csv [FILE.csv ...]",
		Description: "Reads the CSV that spmd bench --csv prints (one or more files, e.g. the\n" +
			"same benchmark on 2 and on 4 ranks) and writes DIR/time.png, DIR/time.svg,\n" +
			"DIR/bandwidth.png and DIR/bandwidth.svg: log-log, one curve per benchmark\n" +
			"and rank count, min–max bars on the times, and the bare-socket baseline\n" +
			"as a dashed line where the runs had --raw.\n\n" +
			"  spmd run -np 2 bench pingpong --raw --sizes 1:64Mi --csv > pp.csv\n" +
			"  spmd bench plot --out img/pingpong pp.csv",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: ".", Usage: "write the charts into `DIR` (created if missing)"},
		},
		Action: benchPlot,
	}
}

func benchPlot(c *cli.Context) error {
	if c.NArg() == 0 {
		return cli.Exit("bench plot: name at least one CSV file written by spmd bench --csv", job.ExitUsage)
	}
	var rows []bench.Row
	for _, path := range c.Args().Slice() {
		b, err := os.ReadFile(path)
		if err != nil {
			return cli.Exit(fmt.Sprintf("bench plot: %v", err), job.ExitUsage)
		}
		r, err := bench.ReadCSV(bytes.NewReader(b))
		if err != nil {
			return cli.Exit(fmt.Sprintf("bench plot: %s: %v", path, err), job.ExitUsage)
		}
		rows = append(rows, r...)
	}
	latency, bandwidth, err := bench.Charts(rows)
	if err != nil {
		return cli.Exit(fmt.Sprintf("bench plot: %v", err), job.ExitUsage)
	}
	dir := c.String("out")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bench plot: --out: %w", err)
	}
	for _, ch := range []struct {
		name  string
		chart plot.Chart
	}{{"time", latency}, {"bandwidth", bandwidth}} {
		paths, err := ch.chart.SaveAll(filepath.Join(dir, ch.name))
		if err != nil {
			return fmt.Errorf("bench plot: %w", err)
		}
		for _, p := range paths {
			fmt.Fprintln(c.App.Writer, p)
		}
	}
	return nil
}
