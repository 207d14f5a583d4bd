package farm

import (
	"os/exec"
	"syscall"
	"unsafe"
)

// sysProcAttr starts a task in a process group of its own (so that its
// children can be signalled with it, and a terminal's Ctrl-C reaches only
// spmd), and kills it if its rank dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// waitGroupLeader waits for cmd, a process group leader, to exit, calls
// exited while it is still a zombie (waitid with WNOWAIT: the zombie
// holds its pid, so the group id cannot be reused and exited may kill the
// group safely), then reaps it.
func waitGroupLeader(cmd *exec.Cmd, exited func()) error {
	const pPID = 1     // idtype P_PID
	var info [128]byte // siginfo_t
	for {
		_, _, e := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(cmd.Process.Pid),
			uintptr(unsafe.Pointer(&info[0])), syscall.WEXITED|syscall.WNOWAIT, 0, 0)
		if e != syscall.EINTR {
			break // on any other error, cmd.Wait below reports it
		}
	}
	exited()
	return cmd.Wait()
}
