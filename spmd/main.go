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
	"strings"

	"github.com/spmd-go/spmd/comm"
	"github.com/urfave/cli/v2"
)

var commands []*cli.Command

// register adds a subcommand to the spmd binary.
func register(c *cli.Command) { commands = append(commands, c) }

func newApp() *cli.App {
	sort.Slice(commands, func(i, j int) bool { return commands[i].Name < commands[j].Name })
	for _, c := range commands {
		quietUsageErrors(c)
	}
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
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(os.Stderr, "spmd: %q is not a command (see spmd --help)\n", name)
			os.Exit(exitUsage)
		},
		OnUsageError: usageError2,
	}
}

// quietUsageErrors makes a bad flag a one-line error with exit code 2,
// instead of the command's whole help (printed by every rank of a job).
func quietUsageErrors(c *cli.Command) {
	if c.OnUsageError == nil {
		c.OnUsageError = usageError2
	}
	for _, s := range c.Subcommands {
		quietUsageErrors(s)
	}
}

func usageError2(c *cli.Context, err error, _ bool) error {
	var names []string
	for _, l := range c.Lineage() {
		if l.Command != nil && l.Command.Name != "" && l.Command.Name != c.App.Name {
			names = append([]string{l.Command.Name}, names...)
		}
	}
	if len(names) == 0 {
		return cli.Exit(fmt.Sprintf("%v (see spmd --help)", err), exitUsage)
	}
	name := strings.Join(names, " ")
	return cli.Exit(fmt.Sprintf("%s: %v (see spmd %s --help)", name, err, name), exitUsage)
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
