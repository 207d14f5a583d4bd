package farm

import (
	"fmt"
	"syscall"
	"time"
)

// An outcome is how one attempt at a task ended, as the rank that ran it
// reports it to the root.
type outcome struct {
	Seq, Attempt int
	Rank         int
	Host         string
	Start        time.Time
	Runtime      time.Duration
	CPU          time.Duration // user + system time of the task and the children it waited for
	Exit         int           // exit code; -1 when a signal ended the task or it never started
	Signal       int           // the signal that ended it, 0 if none
	TimedOut     bool          // --timeout stopped it
	Err          string        // it could not start, and why
	Stopped      bool          // the farm stopped it (a signal, a lost root): no result, not logged
	Output       int64         // bytes it wrote to stdout and stderr
	Stdout       []byte        // what it wrote, when the root prints outputs
	Stderr       []byte
}

// ok reports whether the attempt succeeded.
func (o *outcome) ok() bool { return o.Exit == 0 && o.Signal == 0 && o.Err == "" && !o.Stopped }

// status describes how the attempt ended, for the summary.
func (o *outcome) status() string {
	switch {
	case o.Err != "":
		return "did not start: " + o.Err
	case o.TimedOut:
		return fmt.Sprintf("timed out after %v (SIG%s)", o.Runtime.Round(time.Millisecond), signalName(o.Signal))
	case o.Signal != 0:
		return "killed by SIG" + signalName(o.Signal)
	}
	return fmt.Sprintf("exit %d", o.Exit)
}

// signalNames are the usual signals' names, without "SIG".
var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP: "HUP", syscall.SIGINT: "INT", syscall.SIGQUIT: "QUIT", syscall.SIGILL: "ILL",
	syscall.SIGABRT: "ABRT", syscall.SIGBUS: "BUS", syscall.SIGFPE: "FPE", syscall.SIGKILL: "KILL",
	syscall.SIGUSR1: "USR1", syscall.SIGSEGV: "SEGV", syscall.SIGUSR2: "USR2", syscall.SIGPIPE: "PIPE",
	syscall.SIGALRM: "ALRM", syscall.SIGTERM: "TERM", syscall.SIGXCPU: "XCPU", syscall.SIGXFSZ: "XFSZ",
}

// signalName is "KILL" for 9, the number for a signal without a name here.
func signalName(n int) string {
	if s, ok := signalNames[syscall.Signal(n)]; ok {
		return s
	}
	return fmt.Sprint(n)
}
