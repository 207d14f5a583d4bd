package kernels

import "math"

// The portable path: plain Go, one row of x against a panel of 4 rows of y.
//
// Four independent accumulators hide the latency of the additions while each
// one still sums over k in order, so the result is bit-identical to
// CdistNaive. Larger blocks were measured slower (2×4: 50 ms, 4×4: 66 ms,
// 1×4: 38 ms at 1000×1000×100): the compiler has 15 usable scalar float
// registers and schedules every subtraction of a step before the additions,
// so more accumulators spill. Scalar Go tops out here; the vector paths do
// the rest.

const portableWidth = 4

var portablePanels = panelKernels{w: portableWidth, two: cdistPortable1x4Twice, one: cdistPortable1x4}

func cdistPortable(dst, x, y []float64, m, n, p int) {
	runPanels(portablePanels, dst, x, y, m, n, p)
}

func cdistPortable1x4Twice(d0, d1, x0, x1, panel []float64) {
	cdistPortable1x4(d0, x0, panel)
	cdistPortable1x4(d1, x1, panel)
}

// cdistPortable1x4 writes to d[:4] the distances from x0 to the 4 rows packed
// in panel.
func cdistPortable1x4(d, x0, panel []float64) {
	var s0, s1, s2, s3 float64
	panel = panel[:portableWidth*len(x0)]
	for k, a := range x0 {
		yv := panel[4*k : 4*k+4 : 4*k+4]
		// float64(...) keeps each square rounded on its own, as in
		// CdistNaive, even where the compiler could fuse it into an FMA.
		dd := a - yv[0]
		s0 += float64(dd * dd)
		dd = a - yv[1]
		s1 += float64(dd * dd)
		dd = a - yv[2]
		s2 += float64(dd * dd)
		dd = a - yv[3]
		s3 += float64(dd * dd)
	}
	d = d[:4]
	d[0], d[1], d[2], d[3] = math.Sqrt(s0), math.Sqrt(s1), math.Sqrt(s2), math.Sqrt(s3)
}
