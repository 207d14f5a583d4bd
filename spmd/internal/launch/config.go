package launch

import (
	"io"
	"os"
	"strconv"
	"time"
)

// DefaultSSH is the remote shell command when neither --ssh nor SPMD_SSH
// is given, like Open MPI's plm_rsh_agent: BatchMode makes a missing key
// fail at once instead of prompting for a password nobody will type.
var DefaultSSH = []string{"ssh", "-o", "BatchMode=yes"}

// DefaultKillAfter is the grace period between SIGTERM (or the forwarded
// signal) and SIGKILL.
const DefaultKillAfter = 5 * time.Second

// TimeoutExitCode is Run's result when Config.Timeout expires, as with
// timeout(1).
const TimeoutExitCode = 124

// Rendezvous is the server the ranks meet at; *boot.Server satisfies it.
type Rendezvous interface {
	Addr() string
	Close() error
}

// Config describes one job. Program and Hosts are required.
type Config struct {
	// Program is the argv every local rank runs; Program[0] is looked up
	// in PATH before anything starts.
	Program []string
	// RemoteProgram is the argv remote ranks run, looked up on the remote
	// host; nil means Program.
	RemoteProgram []string
	// Hosts[r] is the host rank r runs on; len(Hosts) is the job size.
	// Hosts that name this machine (see Run) start by fork/exec, others
	// over SSH.
	Hosts []string
	// LocalHosts are more names to treat as this machine.
	LocalHosts []string

	// SSH is the remote shell command; nil means DefaultSSH. Run appends
	// the host, RemoteSpmd and "_remote".
	SSH []string
	// RemoteSpmd is the path of the spmd binary on remote hosts. It must
	// be set when any rank is remote.
	RemoteSpmd string

	// Env holds NAME=VALUE pairs added to every rank's environment. Local
	// ranks also inherit the launcher's environment; remote ranks get
	// sshd's plus these.
	Env []string
	// Dir is the ranks' working directory; "" means the launcher's.
	// Remote ranks use it if it exists there (a shared file system).
	Dir string

	// RootDecides keeps the job going when a rank other than 0 fails: the
	// failure is reported, but only rank 0's end decides the job's. When
	// rank 0 exits, its code is the job's; ranks still running after
	// KillAfter are then stopped. For jobs that outlive their workers
	// (spmd farm); by default any rank's failure stops the job.
	RootDecides bool

	// Bind says where each rank may run (see Binding); "" means
	// BindNone. With BindCore, more ranks on this machine than CPUs is an
	// error before any rank starts.
	Bind Binding

	// TagOutput prefixes every output line with "[rank] ".
	TagOutput bool
	// Timeout, if positive, stops the job after this long.
	Timeout time.Duration
	// KillAfter is the grace period before SIGKILL; 0 means
	// DefaultKillAfter.
	KillAfter time.Duration

	// RendezvousAddr is the host:port the rendezvous server listens on;
	// "" means 127.0.0.1:0 for jobs on this machine or loopback hosts, and
	// this machine's address towards the remote hosts otherwise.
	RendezvousAddr string
	// StartRendezvous starts the rendezvous server (boot.NewServer). If
	// nil, no server runs and SPMD_RENDEZVOUS is not set.
	StartRendezvous func(addr string, size int, secret []byte, job string) (Rendezvous, error)

	// Stdin goes to rank 0; nil means /dev/null. Stdout and Stderr receive
	// the ranks' output and the launcher's messages; nil means os.Stdout
	// and os.Stderr.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Watchdog is the argv of a process running RunWatchdog (normally
	// `spmd _watchdog`); it kills the ranks' process groups if the launcher
	// dies without cleaning up. nil means no watchdog.
	Watchdog []string

	// Signals delivers the signals to forward to the ranks (the caller
	// calls signal.Notify); nil means none.
	Signals <-chan os.Signal
}

func (c *Config) check() {
	if len(c.Program) == 0 {
		panic("launch: Config.Program is empty")
	}
	if len(c.Hosts) == 0 {
		panic("launch: Config.Hosts is empty")
	}
	for r, h := range c.Hosts {
		if h == "" {
			panic("launch: Config.Hosts has an empty host for rank " + strconv.Itoa(r))
		}
	}
}
