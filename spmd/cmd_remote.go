package main

import (
	"os"

	"github.com/spmd-go/spmd/spmd/internal/launch"
	"github.com/spmd-go/spmd/spmd/internal/procgroup"
	"github.com/urfave/cli/v2"
)

// The hidden helper commands of spmd run (package launch has the details).
func init() {
	// spmd run starts a remote rank as `ssh HOST spmd _remote` and sends the
	// rank's argv and environment on stdin, so nothing secret is ever on a
	// command line; _remote runs it, relays stdin and signals, kills it if
	// the launcher goes away, and exits with its code.
	register(&cli.Command{
		Name:            "_remote",
		Usage:           "run one rank for a remote spmd run (internal; reads its orders on stdin)",
		Hidden:          true,
		SkipFlagParsing: true,
		HideHelp:        true,
		Action: func(*cli.Context) error {
			return exitSilently(launch.RunRemote(os.Stdin, os.Stdout, os.Stderr))
		},
	})
	// spmd run starts one _watchdog per job: if the launcher dies without
	// cleaning up, it kills the local ranks' process groups.
	register(&cli.Command{
		Name:            "_watchdog",
		Usage:           "kill a dead launcher's local ranks (internal; reads its orders on stdin)",
		Hidden:          true,
		SkipFlagParsing: true,
		HideHelp:        true,
		Action: func(*cli.Context) error {
			return exitSilently(procgroup.RunWatchdog(os.Stdin))
		},
	})
}
