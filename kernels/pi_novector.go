//go:build !(goexperiment.simd && amd64)

package kernels

// piVector is empty without GOEXPERIMENT=simd on amd64: PiHits always
// takes the portable path.
var piVector piVectorKernel
