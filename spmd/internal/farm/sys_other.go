//go:build !linux

package farm

import (
	"os/exec"
	"syscall"
)

// sysProcAttr starts a task in a process group of its own.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// waitGroupLeader reaps cmd, then calls exited. Without waitid's WNOWAIT
// the group id may in principle be reused in between; spmd farm is tested
// on Linux.
func waitGroupLeader(cmd *exec.Cmd, exited func()) error {
	err := cmd.Wait()
	exited()
	return err
}
