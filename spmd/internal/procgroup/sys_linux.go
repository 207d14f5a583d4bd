package procgroup

import (
	"os/exec"
	"syscall"
	"unsafe"
)

// Attr puts a child in its own process group, so that signals
// reach its children too and a terminal's Ctrl-C reaches only the
// launcher (which forwards it), and kills it if the launcher dies.
func Attr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// WaitLeader waits for cmd, a process group leader, to exit, calls
// exited, then reaps it. exited runs while the leader is still a zombie
// (waitid with WNOWAIT): as long as the zombie holds its pid, neither the
// pid nor the group id can be reused, so exited may kill the group and
// mark the process gone without ever hitting an unrelated process.
func WaitLeader(cmd *exec.Cmd, exited func()) error {
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
