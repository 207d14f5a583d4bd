package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/spmd-go/spmd/comm/boot"
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/spmd/internal/launch"
	"github.com/spmd-go/spmd/spmd/jobs"
	"github.com/urfave/cli/v2"
)

// spmd run: the launcher, in the role mpirun plays. This file turns flags
// into a launch.Config; package launch starts and supervises the ranks,
// package boot parses hostfiles and places ranks.
func init() {
	register(&cli.Command{
		Name:      "run",
		Usage:     "start N ranks of a job (or, after --, of any program) here or over ssh, like mpirun",
		UsageText: "spmd run [options] JOB [job options]\nspmd run [options] -- PROGRAM [arguments]",
		Description: `Runs N ranks of JOB, one of this binary's jobs (hello, pi, cdist, ...), or
after -- of any PROGRAM, then waits for all of them. Options go before JOB.

  spmd run -np 4 hello                       4 ranks on this machine
  spmd run hello                             one rank per core
  spmd run -np 32 --oversubscribe pi         more ranks than cores
  spmd run --hostfile hostfile hello         as many ranks as the hostfile has slots
  spmd run --host node1,node2:2 -np 3 hello  1 rank on node1, 2 on node2
  spmd run -np 2 --tag-output -- sh -c 'echo rank $SPMD_RANK of $SPMD_SIZE'
  SPMD_SSH="ssh -F cfg" spmd run --hostfile hostfile hello

Hosts. Without --hostfile or --host, ranks run here, and this machine has
as many slots as cores: more ranks than slots is an error unless you pass
--oversubscribe (as with Open MPI). A hostfile lists one host per line as
"HOST slots=N", "HOST:N" or "HOST" (one slot); '#' starts a comment.
--map-by slot (default) fills each host before the next; --map-by node
deals ranks round-robin. Hosts that name this machine (localhost,
127.0.0.1, its host name or addresses) start ranks directly; others over
ssh (--ssh, default "ssh -o BatchMode=yes"), which must log in without a
password and find spmd at the same path (--remote-spmd otherwise).

Ranks. Each rank gets SPMD_RANK, SPMD_SIZE, SPMD_LOCAL_RANK, SPMD_HOST,
SPMD_RENDEZVOUS, SPMD_JOB and a fresh per-job SPMD_SECRET in its
environment (never on a command line); -x NAME=VALUE adds more. Output is
forwarded line by line (--tag-output prefixes "[rank] "); stdin goes to
rank 0 only.

Binding. By default (--bind-to auto) the ranks of a machine split the
CPUs this launcher may use into equal blocks, one each, so two ranks never
take turns on one core (as Open MPI binds by default): their messages
through shared memory stay fast and steady, and a rank's threads keep its
whole block. With a whole multiple of the CPUs as ranks, they are dealt
to the CPUs in turn (rank k on CPU k mod n), so two ranks that talk while
others wait do not share a core. With any other count above the CPUs, or
with SPMD_SHM=off (ranks that sleep on sockets wake faster unbound),
nothing is bound. --bind-to core
gives each rank one CPU (more ranks than CPUs is then an error); --bind-to
none leaves placement to the kernel, for ranks that must dodge other work.

Stopping. When a rank exits non-zero or dies by a signal, the others get
SIGTERM, then SIGKILL after --kill-after; spmd run names the rank and
exits with its code (128+N for signal N); for farm, whose root outlives its
workers, only rank 0's exit ends the job. Ctrl-C (SIGINT) and SIGTERM are
passed on to every rank; a second Ctrl-C kills them. --timeout stops the
job with exit code 124.`,
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "np", Aliases: []string{"n"}, Usage: "start `N` ranks", DefaultText: "all slots; without a hostfile, one per core", Category: "Ranks"},
			&cli.StringFlag{Name: "hostfile", Aliases: []string{"machinefile"}, Usage: "run on the hosts listed in `FILE`", Category: "Hosts"},
			&cli.StringFlag{Name: "host", Aliases: []string{"H"}, Usage: "run on `HOSTS`, a comma-separated list of HOST or HOST:SLOTS", Category: "Hosts"},
			&cli.StringFlag{Name: "map-by", Value: boot.BySlot, Usage: "place ranks by `slot` (fill each host in turn) or by node (round-robin)", Category: "Hosts"},
			&cli.BoolFlag{Name: "oversubscribe", Usage: "allow more ranks than slots", Category: "Hosts"},
			&cli.StringFlag{Name: "bind-to", Value: "auto", Usage: "where ranks run: `WHERE` is auto (each rank of a machine gets an equal block of its CPUs; with a multiple of the CPUs as ranks, CPU k mod n for rank k; otherwise none when ranks outnumber CPUs), core (one CPU each) or none (the kernel decides)", Category: "Ranks"},
			&cli.BoolFlag{Name: "tag-output", Usage: `prefix every output line with "[rank] "`, Category: "Output"},
			&cli.GenericFlag{Name: "x", Value: &runEnvList{}, Usage: "export `NAME=VALUE` (or NAME, with this shell's value) to every rank; repeatable", Category: "Ranks"},
			&cli.StringFlag{Name: "ssh", EnvVars: []string{"SPMD_SSH"}, Usage: "the remote shell `COMMAND` for other hosts (default \"ssh -o BatchMode=yes\")", Category: "Remote"},
			&cli.StringFlag{Name: "remote-spmd", Usage: "`PATH` of spmd on the other hosts (default: this binary's path)", Category: "Remote"},
			&cli.StringFlag{Name: "rendezvous-addr", Usage: "`HOST:PORT` the ranks reach this launcher at (default 127.0.0.1:0, or this machine's address towards the remote hosts)", Category: "Remote"},
			&cli.DurationFlag{Name: "timeout", Usage: "stop the job after `DURATION` (exit code 124)", DefaultText: "none", Category: "Control"},
			&cli.DurationFlag{Name: "kill-after", Value: launch.DefaultKillAfter, Usage: "grace `DURATION` between SIGTERM and SIGKILL", Category: "Control"},
		},
		Action: runAction,
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			fmt.Fprintf(os.Stderr, "spmd run: %v (see spmd run --help)\n", err)
			return cli.Exit("", runExitUsage)
		},
	})
}

// rankCommands are the commands besides the registry's jobs that run as
// the ranks of a job under spmd run. They are not jobs (no report, no
// --verify; spmd scale and compare refuse them) and check their own flags
// (the farm's root after wire-up: it also reads the inputs).
var rankCommands = map[string]struct {
	rootDecides bool // a rank other than 0 may die without ending the job
	unbound     bool // not bound unless --bind-to says so
}{
	"bench": {},
	// A farm outlives its workers, and its tasks are other programs: bound,
	// they would inherit their worker's CPUs (GNU parallel binds nothing).
	"farm": {rootDecides: true, unbound: true},
}

// runExitUsage is spmd run's exit code for a bad command line, the
// binary's convention for bad usage (2).
const runExitUsage = 2

// launched is when spmd run started: the user's clock.
var launched = time.Now()

func runAction(c *cli.Context) error {
	cfg, err := runConfig(c)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "spmd run:", err)
		return cli.Exit("", runExitUsage)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	cfg.Signals = sigs

	code, err := launch.Run(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "spmd run:", err)
	}
	return exitSilently(code)
}

// runConfig checks the command line and builds the job's Config; its
// errors are the user's to fix, and nothing has started yet.
func runConfig(c *cli.Context) (launch.Config, error) {
	var cfg launch.Config
	args := c.Args().Slice()
	if len(args) == 0 {
		return cfg, errors.New("nothing to run: give a job (spmd run -np 2 hello) or, after --, a program (spmd run -np 2 -- hostname)")
	}
	exe, err := os.Executable()
	if err != nil {
		return cfg, fmt.Errorf("cannot find the spmd binary: %v", err)
	}
	remoteSpmd := c.String("remote-spmd")
	if remoteSpmd == "" {
		remoteSpmd = exe
	}
	unbound := false
	if runAfterDashDash(os.Args, len(args)) {
		cfg.Program = args
	} else if rc, ok := rankCommands[args[0]]; ok {
		cfg.Program = append([]string{exe}, args...)
		cfg.RemoteProgram = append([]string{remoteSpmd}, args...)
		cfg.RootDecides = rc.rootDecides
		unbound = rc.unbound
	} else {
		spec, ok := jobs.Lookup(args[0])
		if !ok {
			return cfg, fmt.Errorf("%q is not a job of spmd (jobs: %s); to run a program, put -- before it: spmd run -np 2 -- %s", args[0], strings.Join(jobs.Names(), ", "), strings.Join(args, " "))
		}
		// The job's command line is checked here, once, before any rank
		// starts: a mistake is one message, not one per rank.
		if err := checkJobArgs(spec, args[1:]); err != nil {
			return cfg, err
		}
		cfg.Program = append([]string{exe}, args...)
		cfg.RemoteProgram = append([]string{remoteSpmd}, args...)
	}

	hosts, local, err := runHosts(c)
	if err != nil {
		return cfg, err
	}
	slots := 0
	for _, h := range hosts {
		slots += h.Slots
	}
	np := slots
	if c.IsSet("np") {
		if np = c.Int("np"); np < 1 {
			return cfg, fmt.Errorf("-np %d: need at least 1 rank", np)
		}
	}
	if local && np > slots && !c.Bool("oversubscribe") {
		return cfg, fmt.Errorf("-np %d but this machine has %d cores (slots); add --oversubscribe to run more ranks than cores", np, slots)
	}
	if cfg.Hosts, err = boot.MapRanks(hosts, np, c.String("map-by"), c.Bool("oversubscribe")); err != nil {
		return cfg, err
	}

	if s := c.String("ssh"); s != "" {
		if cfg.SSH, err = launch.SplitCommand(s); err != nil {
			return cfg, fmt.Errorf("--ssh: %v", err)
		}
		if len(cfg.SSH) == 0 {
			return cfg, errors.New("--ssh: empty command")
		}
	}
	cfg.RemoteSpmd = remoteSpmd
	cfg.Env = c.Generic("x").(*runEnvList).env
	// The ranks' reports count the end-to-end time from here.
	cfg.Env = append(cfg.Env, fmt.Sprintf("SPMD_LAUNCHED=%d", launched.UnixNano()))
	if cfg.Bind, err = launch.ParseBinding(c.String("bind-to")); err != nil {
		return cfg, err
	}
	if unbound && !c.IsSet("bind-to") {
		cfg.Bind = launch.BindNone
	}
	cfg.TagOutput = c.Bool("tag-output")
	cfg.Timeout = c.Duration("timeout")
	cfg.KillAfter = c.Duration("kill-after")
	if cfg.Timeout < 0 || cfg.KillAfter < 0 {
		return cfg, errors.New("--timeout and --kill-after must not be negative")
	}
	cfg.RendezvousAddr = c.String("rendezvous-addr")
	cfg.StartRendezvous = runStartRendezvous
	cfg.Watchdog = []string{exe, "_watchdog"}
	cfg.Stdin = os.Stdin
	return cfg, nil
}

// runHosts returns the hosts and slots to place ranks on, and whether they
// are the default (this machine, one slot per core).
func runHosts(c *cli.Context) ([]boot.HostSlots, bool, error) {
	file, list := c.String("hostfile"), c.String("host")
	switch {
	case file != "" && list != "":
		return nil, false, errors.New("give --hostfile or --host, not both")
	case file != "":
		hosts, err := boot.ReadHostfile(file)
		return hosts, false, err
	case list != "":
		hosts, err := boot.ParseHostList(list)
		if err != nil {
			return nil, false, fmt.Errorf("--host: %v", err)
		}
		return hosts, false, nil
	}
	return []boot.HostSlots{{Host: "127.0.0.1", Slots: runtime.NumCPU()}}, true, nil
}

// runAfterDashDash reports whether the n trailing arguments of argv came
// after a "--". The flag parser drops the "--" itself, yet it decides
// whether the first argument is a job of this binary or a program.
func runAfterDashDash(argv []string, n int) bool {
	i := len(argv) - n - 1
	return i >= 0 && argv[i] == "--"
}

// runStartRendezvous adapts boot.NewServer to launch.Config.
func runStartRendezvous(addr string, size int, secret []byte, job string) (launch.Rendezvous, error) {
	s, err := boot.NewServer(addr, size, secret, job)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return s, nil
}

// runEnvList is the value of -x: NAME=VALUE pairs, or NAME alone for this
// shell's value. Unlike a cli.StringSlice it never splits at commas.
type runEnvList struct{ env []string }

func (l *runEnvList) Set(s string) error {
	name, _, hasValue := strings.Cut(s, "=")
	if name == "" || strings.ContainsAny(name, " \t\n") {
		return fmt.Errorf("want NAME=VALUE or NAME, got %q", s)
	}
	if !hasValue {
		v, ok := os.LookupEnv(name)
		if !ok {
			return fmt.Errorf("%s is not set here (give -x %s=VALUE)", name, name)
		}
		s = name + "=" + v
	}
	l.env = append(l.env, s)
	return nil
}

func (l *runEnvList) String() string { return strings.Join(l.env, " ") }

// errHelpShown says that the job's --help was printed instead of a launch.
var errHelpShown = errors.New("help shown")

// checkJobArgs parses a job's command line as its ranks will, and runs its
// Check: spmd run refuses a bad one before starting anything, and shows
// --help once instead of once per rank.
func checkJobArgs(spec jobs.Spec, args []string) error {
	cmd := jobCommand(spec)
	help := false
	for _, a := range args {
		if a == "--" {
			break
		}
		help = help || a == "-h" || a == "--help" || a == "-help"
	}
	var problem error
	p := spec.New()
	cmd.Flags = append(p.Flags(), standardFlags(&job.Settings{})...)
	cmd.Action = func(c *cli.Context) error {
		if c.Args().Len() > 0 {
			problem = fmt.Errorf("%s: unexpected argument %q (see spmd %s --help)", spec.Name, c.Args().First(), spec.Name)
			return nil
		}
		if err := p.Check(); err != nil {
			problem = fmt.Errorf("%s: %v", spec.Name, err)
		}
		return nil
	}
	cmd.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
		problem = fmt.Errorf("%s: %v (see spmd %s --help)", spec.Name, err, spec.Name)
		return nil
	}
	app := &cli.App{Name: "spmd", Commands: []*cli.Command{cmd}, HideHelpCommand: true,
		ExitErrHandler: func(*cli.Context, error) {}, Writer: os.Stdout, ErrWriter: os.Stderr}
	if err := app.Run(append([]string{"spmd", spec.Name}, args...)); err != nil && problem == nil {
		problem = fmt.Errorf("%s: %v", spec.Name, err)
	}
	if help {
		return errHelpShown
	}
	return problem
}
