//go:build !(linux && amd64)

package cpuid

// Current returns 0: no cheap way to know the CPU is known here.
func Current() uint32 { return 0 }

// Supported is false here.
const Supported = false
