package shm

import (
	"syscall"
	"unsafe"
)

// rdtscpCPU returns the number of the CPU this thread runs on, as Linux
// keeps it in TSC_AUX for the vDSO's getcpu: a few tens of nanoseconds,
// where the getcpu system call costs hundreds here.
func rdtscpCPU() uint32

func hasRDTSCP() bool

// cpuSource is rdtscpCPU where the processor has the instruction and
// Linux fills TSC_AUX as getcpu reports, else nil.
var cpuSource = func() func() uint32 {
	if !hasRDTSCP() {
		return nil
	}
	for range 3 {
		var cpu, node uint32
		syscall.RawSyscall(sysGetcpu, uintptr(unsafe.Pointer(&cpu)), uintptr(unsafe.Pointer(&node)), 0)
		if rdtscpCPU() == cpu {
			return rdtscpCPU
		}
	}
	return nil
}()

const sysGetcpu = 309
