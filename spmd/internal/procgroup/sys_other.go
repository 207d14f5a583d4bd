//go:build !linux

package launch

import (
	"os/exec"
	"syscall"
)

// Attr puts a child in its own process group. Outside Linux there is
// no parent-death signal: local ranks outlive a SIGKILLed launcher.
func Attr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// WaitLeader reaps cmd, then calls exited. Without waitid's WNOWAIT
// there is a tiny window in which the group id could be reused.
func WaitLeader(cmd *exec.Cmd, exited func()) error {
	err := cmd.Wait()
	exited()
	return err
}
