package launch

import (
	"fmt"
	"os/exec"
	"runtime"
	"syscall"
	"unsafe"
)

// A rank is bound from its first instruction, with no helper program:
// a child inherits the affinity of the thread that forks it, so that
// thread takes the rank's CPUs for the duration of the fork.

// cpuMask is a CPU set as the kernel passes it: a bit per CPU.
type cpuMask [1024 / 64]uint64

func getAffinity(m *cpuMask) error {
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, 0, unsafe.Sizeof(*m), uintptr(unsafe.Pointer(m)))
	if e != 0 {
		return fmt.Errorf("sched_getaffinity: %w", e)
	}
	return nil
}

func setAffinity(m *cpuMask) error {
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0, unsafe.Sizeof(*m), uintptr(unsafe.Pointer(m)))
	if e != 0 {
		return fmt.Errorf("sched_setaffinity: %w", e)
	}
	return nil
}

// allowedCPUs lists the CPUs this process may run on, lowest first.
func allowedCPUs() ([]int, error) {
	var m cpuMask
	if err := getAffinity(&m); err != nil {
		return nil, err
	}
	var cpus []int
	for i := range len(m) * 64 {
		if m[i/64]&(1<<(i%64)) != 0 {
			cpus = append(cpus, i)
		}
	}
	return cpus, nil
}

// startBound starts cmd allowed to run only on cpus (see above).
func startBound(cmd *exec.Cmd, cpus []int) error {
	runtime.LockOSThread()
	var old, set cpuMask
	if err := getAffinity(&old); err != nil {
		runtime.UnlockOSThread()
		return err
	}
	for _, c := range cpus {
		set[c/64] |= 1 << (c % 64)
	}
	if err := setAffinity(&set); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("binding to CPUs %s: %w", cpuList(cpus), err)
	}
	err := cmd.Start()
	if setAffinity(&old) == nil {
		runtime.UnlockOSThread()
	} // else this thread stays with this goroutine, never lent out bound
	return err
}
