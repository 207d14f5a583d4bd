package cpuid

import (
	"syscall"
	"unsafe"
)

func rdtscpCPU() uint32

func hasRDTSCP() bool

// Current returns 1 + the number of the CPU this thread runs on, or 0
// where that cannot be known cheaply (then Supported is false).
func Current() uint32 {
	if !Supported {
		return 0
	}
	return rdtscpCPU() + 1
}

// Supported says whether Current knows: the processor has RDTSCP and
// Linux fills TSC_AUX with the number getcpu reports.
var Supported = func() bool {
	if !hasRDTSCP() {
		return false
	}
	for range 3 {
		var cpu, node uint32
		syscall.RawSyscall(sysGetcpu, uintptr(unsafe.Pointer(&cpu)), uintptr(unsafe.Pointer(&node)), 0)
		if rdtscpCPU() == cpu {
			return true
		}
	}
	return false
}()

const sysGetcpu = 309
