//go:build !(goexperiment.simd && amd64)

package kernels

// piVectorKernels is empty without GOEXPERIMENT=simd on amd64: PiHits
// always takes the portable path.
var piVectorKernels []piVectorKernel
