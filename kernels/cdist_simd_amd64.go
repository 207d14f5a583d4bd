//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

// The vector paths (Go's simd/archsimd, GOEXPERIMENT=simd): lanes run over
// rows of y, so each lane is one output element and sums over k in order,
// exactly like the portable path except that the square is added with a
// fused multiply-add. The kernels are 2 rows of x × 3 vectors of y: 6
// accumulators. That shape was measured best at 1000×1000×100 with AVX-512
// (2×3: 6.1 ms, 3×2: 6.6, 1×4: 8.8, 4×1: 8.4, 2×4: 15.8, 3×3: 17.1): the
// compiler allocates only 15 vector registers and computes all differences of
// a step before the FMAs, so 8 or more accumulators spill.

var (
	avx512Panels = panelKernels{w: 24, two: cdistAVX512x2x3, one: cdistAVX512x1x3}
	avx2Panels   = panelKernels{w: 12, two: cdistAVX2x2x3, one: cdistAVX2x1x3}
)

// cdistVectorKernels lists the vector kernels this CPU supports, widest
// first.
func cdistVectorKernels() []cdistKernel {
	var ks []cdistKernel
	if !archsimd.X86.FMA() {
		return nil
	}
	if archsimd.X86.AVX512() {
		ks = append(ks, cdistKernel{name: "avx512", run: func(dst, x, y []float64, m, n, p int) {
			runPanels(avx512Panels, dst, x, y, m, n, p)
		}})
	}
	if archsimd.X86.AVX2() {
		ks = append(ks, cdistKernel{name: "avx2", run: func(dst, x, y []float64, m, n, p int) {
			runPanels(avx2Panels, dst, x, y, m, n, p)
		}})
	}
	return ks
}

// cdistAVX512x2x3 writes to d0[:24] and d1[:24] the distances from x0 and x1
// to the 24 rows packed in panel.
func cdistAVX512x2x3(d0, d1, x0, x1, panel []float64) {
	var a00, a01, a02, a10, a11, a12 archsimd.Float64x8
	p := len(x0)
	x1 = x1[:p]
	panel = panel[:24*p]
	for k := 0; k < p; k++ {
		yv := panel[24*k : 24*k+24 : 24*k+24]
		y0 := archsimd.LoadFloat64x8((*[8]float64)(yv[0:8]))
		y1 := archsimd.LoadFloat64x8((*[8]float64)(yv[8:16]))
		y2 := archsimd.LoadFloat64x8((*[8]float64)(yv[16:24]))
		b := archsimd.BroadcastFloat64x8(x0[k])
		e0, e1, e2 := b.Sub(y0), b.Sub(y1), b.Sub(y2)
		a00 = e0.MulAdd(e0, a00)
		a01 = e1.MulAdd(e1, a01)
		a02 = e2.MulAdd(e2, a02)
		b = archsimd.BroadcastFloat64x8(x1[k])
		e0, e1, e2 = b.Sub(y0), b.Sub(y1), b.Sub(y2)
		a10 = e0.MulAdd(e0, a10)
		a11 = e1.MulAdd(e1, a11)
		a12 = e2.MulAdd(e2, a12)
	}
	a00.Sqrt().Store((*[8]float64)(d0[0:8]))
	a01.Sqrt().Store((*[8]float64)(d0[8:16]))
	a02.Sqrt().Store((*[8]float64)(d0[16:24]))
	a10.Sqrt().Store((*[8]float64)(d1[0:8]))
	a11.Sqrt().Store((*[8]float64)(d1[8:16]))
	a12.Sqrt().Store((*[8]float64)(d1[16:24]))
}

// cdistAVX512x1x3 is cdistAVX512x2x3 for one row.
func cdistAVX512x1x3(d0, x0, panel []float64) {
	var a00, a01, a02 archsimd.Float64x8
	p := len(x0)
	panel = panel[:24*p]
	for k := 0; k < p; k++ {
		yv := panel[24*k : 24*k+24 : 24*k+24]
		y0 := archsimd.LoadFloat64x8((*[8]float64)(yv[0:8]))
		y1 := archsimd.LoadFloat64x8((*[8]float64)(yv[8:16]))
		y2 := archsimd.LoadFloat64x8((*[8]float64)(yv[16:24]))
		b := archsimd.BroadcastFloat64x8(x0[k])
		e0, e1, e2 := b.Sub(y0), b.Sub(y1), b.Sub(y2)
		a00 = e0.MulAdd(e0, a00)
		a01 = e1.MulAdd(e1, a01)
		a02 = e2.MulAdd(e2, a02)
	}
	a00.Sqrt().Store((*[8]float64)(d0[0:8]))
	a01.Sqrt().Store((*[8]float64)(d0[8:16]))
	a02.Sqrt().Store((*[8]float64)(d0[16:24]))
}

// cdistAVX2x2x3 writes to d0[:12] and d1[:12] the distances from x0 and x1
// to the 12 rows packed in panel.
func cdistAVX2x2x3(d0, d1, x0, x1, panel []float64) {
	var a00, a01, a02, a10, a11, a12 archsimd.Float64x4
	p := len(x0)
	x1 = x1[:p]
	panel = panel[:12*p]
	for k := 0; k < p; k++ {
		yv := panel[12*k : 12*k+12 : 12*k+12]
		y0 := archsimd.LoadFloat64x4((*[4]float64)(yv[0:4]))
		y1 := archsimd.LoadFloat64x4((*[4]float64)(yv[4:8]))
		y2 := archsimd.LoadFloat64x4((*[4]float64)(yv[8:12]))
		b := archsimd.BroadcastFloat64x4(x0[k])
		e0, e1, e2 := b.Sub(y0), b.Sub(y1), b.Sub(y2)
		a00 = e0.MulAdd(e0, a00)
		a01 = e1.MulAdd(e1, a01)
		a02 = e2.MulAdd(e2, a02)
		b = archsimd.BroadcastFloat64x4(x1[k])
		e0, e1, e2 = b.Sub(y0), b.Sub(y1), b.Sub(y2)
		a10 = e0.MulAdd(e0, a10)
		a11 = e1.MulAdd(e1, a11)
		a12 = e2.MulAdd(e2, a12)
	}
	a00.Sqrt().Store((*[4]float64)(d0[0:4]))
	a01.Sqrt().Store((*[4]float64)(d0[4:8]))
	a02.Sqrt().Store((*[4]float64)(d0[8:12]))
	a10.Sqrt().Store((*[4]float64)(d1[0:4]))
	a11.Sqrt().Store((*[4]float64)(d1[4:8]))
	a12.Sqrt().Store((*[4]float64)(d1[8:12]))
}

// cdistAVX2x1x3 is cdistAVX2x2x3 for one row.
func cdistAVX2x1x3(d0, x0, panel []float64) {
	var a00, a01, a02 archsimd.Float64x4
	p := len(x0)
	panel = panel[:12*p]
	for k := 0; k < p; k++ {
		yv := panel[12*k : 12*k+12 : 12*k+12]
		y0 := archsimd.LoadFloat64x4((*[4]float64)(yv[0:4]))
		y1 := archsimd.LoadFloat64x4((*[4]float64)(yv[4:8]))
		y2 := archsimd.LoadFloat64x4((*[4]float64)(yv[8:12]))
		b := archsimd.BroadcastFloat64x4(x0[k])
		e0, e1, e2 := b.Sub(y0), b.Sub(y1), b.Sub(y2)
		a00 = e0.MulAdd(e0, a00)
		a01 = e1.MulAdd(e1, a01)
		a02 = e2.MulAdd(e2, a02)
	}
	a00.Sqrt().Store((*[4]float64)(d0[0:4]))
	a01.Sqrt().Store((*[4]float64)(d0[4:8]))
	a02.Sqrt().Store((*[4]float64)(d0[8:12]))
}
