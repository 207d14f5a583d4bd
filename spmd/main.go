// Command spmd runs MPI-style SPMD jobs: every rank runs the same binary,
// rank and size decide each rank's share of the work, and the root rank
// gathers, verifies and reports.
//
// The jobs come from package spmd/jobs, one typed registry: each is a
// command of its own (spmd pi, spmd cdist, ...). The other commands live
// one per cmd_*.go file and register themselves in an init function.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/job"
	"github.com/urfave/cli/v2"
)

var commands []*cli.Command

// register adds a subcommand to the spmd binary.
func register(c *cli.Command) { commands = append(commands, c) }

// version is the release, set with -ldflags "-X main.version=..."; the
// module's build information fills in the commit otherwise.
var version = "dev"

func newApp() *cli.App {
	sort.Slice(commands, func(i, j int) bool { return commands[i].Name < commands[j].Name })
	for _, c := range commands {
		quietUsageErrors(c)
	}
	app := &cli.App{
		Name:    "spmd",
		Version: buildVersion(),
		Usage:   "run MPI-style SPMD jobs in Go: locally, over ssh, under Slurm or mpirun",
		Description: "Every rank runs the same binary; rank and size decide its share of the work;\n" +
			"the root rank gathers, verifies against the serial result, and reports.\n\n" +
			"  spmd run -np 4 pi --samples 1e9      # 4 local ranks\n" +
			"  srun -n 8 spmd pi --samples 1e9      # under Slurm (or mpirun -np 8)\n" +
			"  spmd run -np 2 cdist --m 4000 --n 4000 --p 100 --verify\n\n" +
			"Your own program: packages par, job and dataio (see the README).",
		Commands:             commands,
		EnableBashCompletion: true,
		HideHelpCommand:      true,
		ExitErrHandler:       func(*cli.Context, error) {}, // main reports errors once
		CommandNotFound: func(c *cli.Context, name string) {
			if !job.OtherRank() {
				fmt.Fprintf(os.Stderr, "spmd: %q is not a command (see spmd --help)\n", name)
			}
			os.Exit(job.ExitUsage)
		},
		OnUsageError: usageError2,
	}
	if job.OtherRank() {
		// One rank of a launched job: the root prints --help and command
		// line errors once for all.
		app.Writer, app.ErrWriter = io.Discard, io.Discard
	}
	return app
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
		return cli.Exit(fmt.Sprintf("%v (see spmd --help)", err), job.ExitUsage)
	}
	name := strings.Join(names, " ")
	return cli.Exit(fmt.Sprintf("%s: %v (see spmd %s --help)", name, err, name), job.ExitUsage)
}

func main() {
	err := newApp().Run(os.Args)
	if err == nil {
		return
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := ec.Error(); msg != "" && !job.OtherRank() {
			fmt.Fprintln(os.Stderr, "spmd:", msg)
		}
		os.Exit(ec.ExitCode())
	}
	fmt.Fprintln(os.Stderr, "spmd:", err)
	os.Exit(comm.ExitCode(err))
}
