//go:build !(goexperiment.simd && amd64)

package kernels

// cdistVectorKernels lists the vector kernels this CPU supports, widest
// first. This build has none: build with GOEXPERIMENT=simd on amd64 for them.
func cdistVectorKernels() []cdistKernel { return nil }
