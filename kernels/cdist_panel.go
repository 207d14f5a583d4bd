package kernels

// The fast Cdist paths share one loop structure, written once here.
//
// y is copied, w rows at a time, into a panel stored k-major:
//
//	panel[k*w+b] = y[(j0+b)*p+k]
//
// so that one step of k reads w consecutive values (one or more vector
// loads) for w different rows of y. A panel of 24×100 float64 is 19 KiB and
// stays in L1 while every row of x streams past it; the panel loop is the
// outer one because re-reading x costs one load per 2·w distances, while
// re-reading y would cost one per 2.
//
// Rows are taken in blocks (rowBlockBytes) so that the block of x stays in
// L2 while the panels sweep over it.
//
// A kernel computes two rows of x (or one, for an odd last row) against one
// panel, keeping one accumulator per output element. Whatever the kernel,
// block or position, every element gets the same arithmetic: its sum over k in
// order. That is what makes a share of rows bit-identical to the same rows of
// a whole call, and the padded lanes of a last, partial panel (zeros, never
// stored) change nothing.

// panelKernels is a register-blocked kernel family for panels of width w.
type panelKernels struct {
	w int
	// two writes the w distances of rows x0 and x1 to d0[:w] and d1[:w].
	two func(d0, d1, x0, x1, panel []float64)
	// one does the same for a single row.
	one func(d0, x0, panel []float64)
}

// maxPanelWidth bounds w so that the scratch rows live on the stack.
const maxPanelWidth = 32

// packPanel copies rows j0..j0+cols-1 of y (row length p) into panel,
// k-major with width w, and zeroes the lanes cols..w-1.
func packPanel(panel, y []float64, j0, cols, w, p int) {
	panel = panel[:w*p]
	for b := 0; b < cols; b++ {
		row := y[(j0+b)*p : (j0+b)*p+p]
		for k, v := range row {
			panel[k*w+b] = v
		}
	}
	if cols < w {
		for k := 0; k < p; k++ {
			clear(panel[k*w+cols : k*w+w])
		}
	}
}

// rowBlockBytes bounds the rows of x one sweep over the panels uses (655
// rows at p = 100), so that they stay in L2 (1 MiB per core on the machines
// we measure) and the 24-column stripes written to dst touch few enough pages
// for the TLB. It brought 4000×4000×100 from 120 ms (40 GFLOP/s) to about
// 96 ms (50 GFLOP/s, as at 1000×1000); 256 KiB and 768 KiB measured the same
// within noise. Each block packs the panels again: n·p copies per block.
const rowBlockBytes = 512 << 10

// CdistBlockRows is how many rows of x the fast Cdist computes per sweep
// over y at dimension p (an even number, at least 2). Each sweep packs all
// of y into panels again, so a caller that cuts its rows into chunks (for
// progress reports, or between goroutines) should make them at least this
// long: chunks of 64 rows at p = 100 packed y ten times as often and made
// 4000×4000×100 run 1.8x slower than one call.
func CdistBlockRows(p int) int {
	return max(2, rowBlockBytes/(8*max(p, 1))) &^ 1
}

// runPanels computes dst (m×n) from x (m×p) and y (n×p) with kernel family
// ks. The arguments are checked and m, n > 0.
func runPanels(ks panelKernels, dst, x, y []float64, m, n, p int) {
	w := ks.w
	if w > maxPanelWidth {
		panic("kernels: panel width too large")
	}
	panel := make([]float64, w*p)
	// An even block size keeps the row pairs of a block aligned with
	// those of the whole call (not that the results depend on it).
	rb := CdistBlockRows(p)
	for i0 := 0; i0 < m; i0 += rb {
		i1 := min(m, i0+rb)
		for j0 := 0; j0 < n; j0 += w {
			cols := min(w, n-j0)
			packPanel(panel, y, j0, cols, w, p)
			panelRows(ks, dst, x, panel, i0, i1, j0, cols, n, p)
		}
	}
}

// panelRows computes columns j0..j0+cols-1 of rows i0..i1-1 of dst from a
// packed panel.
func panelRows(ks panelKernels, dst, x, panel []float64, i0, i1, j0, cols, n, p int) {
	w := ks.w
	var s0, s1 [maxPanelWidth]float64
	i := i0
	for ; i+2 <= i1; i += 2 {
		x0 := x[i*p : i*p+p]
		x1 := x[(i+1)*p : (i+1)*p+p]
		d0 := dst[i*n+j0 : i*n+j0+cols]
		d1 := dst[(i+1)*n+j0 : (i+1)*n+j0+cols]
		if cols == w {
			ks.two(d0, d1, x0, x1, panel)
			continue
		}
		ks.two(s0[:w], s1[:w], x0, x1, panel)
		copy(d0, s0[:cols])
		copy(d1, s1[:cols])
	}
	if i < i1 {
		x0 := x[i*p : i*p+p]
		d0 := dst[i*n+j0 : i*n+j0+cols]
		if cols == w {
			ks.one(d0, x0, panel)
			return
		}
		ks.one(s0[:w], x0, panel)
		copy(d0, s0[:cols])
	}
}
