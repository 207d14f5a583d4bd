//go:build !(linux && amd64)

package shm

// cpuSource would return the CPU this thread runs on; no cheap way is
// known here, so co-located peers are not detected (see onSameCPU).
var cpuSource func() uint32
