package launch

import (
	"fmt"
	"os"
	"strconv"
	"syscall"

	"github.com/spmd-go/spmd/comm/boot"
)

// status is how one rank ended.
type status struct {
	code     int            // exit code, when it exited
	signal   syscall.Signal // nonzero when it died by a signal
	startErr string         // nonempty: it never started (e.g. ssh could not connect)
	lostErr  string         // nonempty: it started but we lost track (ssh link died)
	sshCode  int            // the ssh client's own exit code, for remote ranks
	follows  *boot.Notice   // the rank's notice: whose failure it followed
}

func (s status) failed() bool {
	return s.code != 0 || s.signal != 0 || s.startErr != "" || s.lostErr != ""
}

// exitCode is the code the launcher exits with when s is the first failure:
// shells' 128+n for signal n.
func (s status) exitCode() int {
	switch {
	case s.signal != 0:
		return 128 + int(s.signal)
	case s.code != 0:
		return s.code
	case s.startErr != "" || s.lostErr != "":
		if s.sshCode != 0 {
			return s.sshCode
		}
		return 1
	}
	return 0
}

// describe is the report line for rank r on host (without "spmd run: ").
func (s status) describe(r int, host string) string {
	switch {
	case s.startErr != "":
		return fmt.Sprintf("could not start rank %d on %s: %s", r, host, s.startErr)
	case s.lostErr != "":
		return fmt.Sprintf("lost rank %d on %s: %s", r, host, s.lostErr)
	case s.signal != 0:
		return fmt.Sprintf("rank %d on %s killed by signal %s", r, host, signalName(s.signal))
	}
	return fmt.Sprintf("rank %d on %s exited with code %d", r, host, s.code)
}

// statusOf converts a reaped local process's state.
func statusOf(ps *os.ProcessState) status {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return status{signal: ws.Signal()}
	}
	return status{code: ps.ExitCode()}
}

// signalNames are the Linux signal names, without "SIG", as kill -l
// prints them.
var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP: "HUP", syscall.SIGINT: "INT", syscall.SIGQUIT: "QUIT",
	syscall.SIGILL: "ILL", syscall.SIGTRAP: "TRAP", syscall.SIGABRT: "ABRT",
	syscall.SIGBUS: "BUS", syscall.SIGFPE: "FPE", syscall.SIGKILL: "KILL",
	syscall.SIGUSR1: "USR1", syscall.SIGSEGV: "SEGV", syscall.SIGUSR2: "USR2",
	syscall.SIGPIPE: "PIPE", syscall.SIGALRM: "ALRM", syscall.SIGTERM: "TERM",
	syscall.SIGSTKFLT: "STKFLT", syscall.SIGCHLD: "CHLD", syscall.SIGCONT: "CONT",
	syscall.SIGSTOP: "STOP", syscall.SIGTSTP: "TSTP", syscall.SIGTTIN: "TTIN",
	syscall.SIGTTOU: "TTOU", syscall.SIGURG: "URG", syscall.SIGXCPU: "XCPU",
	syscall.SIGXFSZ: "XFSZ", syscall.SIGVTALRM: "VTALRM", syscall.SIGPROF: "PROF",
	syscall.SIGWINCH: "WINCH", syscall.SIGIO: "IO", syscall.SIGPWR: "PWR",
	syscall.SIGSYS: "SYS",
}

// signalName returns "KILL" for SIGKILL, and the number for signals
// without a name (real-time signals).
func signalName(s syscall.Signal) string {
	if n, ok := signalNames[s]; ok {
		return n
	}
	return strconv.Itoa(int(s))
}
