package launch

import (
	"fmt"
	"os/exec"
	"runtime"
	"syscall"
	"unsafe"
)

// Binding ranks to cores (spmd run --bind-to core). Open MPI binds each
// rank to a core by default; spmd leaves placement to the kernel, which
// on a busy machine may put two ranks that spin on one core, where they
// take turns (an 8-byte ping-pong through shared memory then takes 0.7-3
// µs instead of 0.4-0.5 on this 2-core machine). Binding is opt-in: a
// bound rank cannot move away from other work on its core, and its
// threads all share it.
//
// The k-th rank on a machine gets the k-th CPU its starter may run on
// (the launcher's own affinity, so a job started under taskset or in a
// Slurm allocation stays inside it). The child inherits the affinity of
// the thread that forks it, so that thread takes the rank's CPU for the
// duration of the fork: the rank is bound from its first instruction,
// with no moment unbound and no helper program.

// cpuMask is a CPU set as the kernel passes it: a bit per CPU.
type cpuMask [1024 / 64]uint64

func getAffinity(m *cpuMask) error {
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, 0, unsafe.Sizeof(*m), uintptr(unsafe.Pointer(m)))
	if e != 0 {
		return e
	}
	return nil
}

func setAffinity(m *cpuMask) error {
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0, unsafe.Sizeof(*m), uintptr(unsafe.Pointer(m)))
	if e != 0 {
		return e
	}
	return nil
}

// allowedCPUs lists the CPUs this process may run on, lowest first.
func allowedCPUs() ([]int, error) {
	var m cpuMask
	if err := getAffinity(&m); err != nil {
		return nil, fmt.Errorf("sched_getaffinity: %w", err)
	}
	var cpus []int
	for i := range len(m) * 64 {
		if m[i/64]&(1<<(i%64)) != 0 {
			cpus = append(cpus, i)
		}
	}
	return cpus, nil
}

// coreFor returns the CPU the local-th of size ranks on this machine is
// bound to, or an error naming the CPUs there are.
func coreFor(local, size int) (int, error) {
	cpus, err := allowedCPUs()
	if err != nil {
		return 0, err
	}
	if size > len(cpus) {
		return 0, fmt.Errorf("--bind-to core: %d ranks on this machine but only %d CPUs to bind them to (%s); start fewer ranks or use --bind-to none", size, len(cpus), cpuList(cpus))
	}
	return cpus[local], nil
}

// startBound starts cmd bound to cpu (see above).
func startBound(cmd *exec.Cmd, cpu int) error {
	runtime.LockOSThread()
	var old, one cpuMask
	if err := getAffinity(&old); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("sched_getaffinity: %w", err)
	}
	one[cpu/64] = 1 << (cpu % 64)
	if err := setAffinity(&one); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("bind to CPU %d: %w", cpu, err)
	}
	err := cmd.Start()
	if setAffinity(&old) == nil {
		runtime.UnlockOSThread()
	} // else this thread stays with this goroutine, never bound for another
	return err
}

// cpuList writes CPUs as taskset does: 0-3,8.
func cpuList(cpus []int) string {
	s := ""
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if s != "" {
			s += ","
		}
		if j == i {
			s += fmt.Sprint(cpus[i])
		} else {
			s += fmt.Sprintf("%d-%d", cpus[i], cpus[j])
		}
		i = j + 1
	}
	return s
}
