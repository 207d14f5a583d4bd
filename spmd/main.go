// Command spmd runs MPI-style SPMD jobs: every rank runs the same binary,
// rank and size decide each rank's share of the work, and the root rank
// gathers, verifies and reports.
//
// Each subcommand lives in its own cmd_*.go file and registers itself
// with register in an init function, so the list of commands is simply
// the set of files.
package main

import (
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/spmd-go/spmd/comm"
	"github.com/urfave/cli/v2"
)

var commands []*cli.Command

// register adds a subcommand to the spmd binary.
func register(c *cli.Command) { commands = append(commands, c) }

func newApp() *cli.App {
	sort.Slice(commands, func(i, j int) bool { return commands[i].Name < commands[j].Name })
	return &cli.App{
		Name:  "spmd",
		Usage: "run MPI-style SPMD jobs in Go: locally, over ssh, under Slurm or mpirun",
		Description: "Every rank runs the same binary; rank and size decide its share of the work;\n" +
			"the root rank gathers, verifies against the serial result, and reports.\n\n" +
			"  spmd run -np 4 pi --samples 1e9      # 4 local ranks\n" +
			"  srun -n 8 spmd pi --samples 1e9      # under Slurm (or mpirun -np 8)\n" +
			"  spmd run -np 2 cdist --m 4000 --n 4000 --p 100 --verify",
		Commands:             commands,
		EnableBashCompletion: true,
		HideHelpCommand:      true,
		ExitErrHandler:       func(*cli.Context, error) {}, // main reports errors once
	}
}

func main() {
	err := newApp().Run(os.Args)
	if err == nil {
		return
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := ec.Error(); msg != "" {
			fmt.Fprintln(os.Stderr, "spmd:", msg)
		}
		os.Exit(ec.ExitCode())
	}
	fmt.Fprintln(os.Stderr, "spmd:", err)
	os.Exit(comm.ExitCode(err))
}
