package kernels

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// OLSMaxCond is the largest condition number (gonum's 1-norm estimate for
// the design matrix, via its R factor) that OLS accepts. Above it the
// coefficients' relative error, about cond * 2^-52, exceeds 1e-4, and the
// design is reported as rank-deficient rather than fitted.
const OLSMaxCond = 1e12

// OLS fits the linear model y ≈ X b by ordinary least squares,
//
//	minimise ||y - X b||_2
//
// with a Householder QR factorisation of X (gonum's mat.QR). x is the n×p
// design in row-major order and y has n values. With intercept, a column of
// ones is put first, so dst gets p+1 values [b0, b1, ..., bp]; otherwise p.
//
// OLS returns an error, naming the condition, when there are fewer rows
// than coefficients, when x or y holds a NaN or an infinity, or when the
// columns are (nearly) linearly dependent: condition number above
// OLSMaxCond. dst is then left unspecified.
//
// OLS panics if n < 0, p < 0, len(x) != n*p, len(y) != n or len(dst) is
// not the number of coefficients.
func OLS(dst []float64, x []float64, y []float64, n, p int, intercept bool) error {
	q := p
	if intercept {
		q++
	}
	checkOLS(dst, x, y, n, p, q)
	if err := checkFinite(x, y, p); err != nil {
		return err
	}
	if q == 0 {
		return nil
	}
	if n < q {
		return fmt.Errorf("kernels: OLS needs at least %d rows for %d coefficients, got %d", q, q, n)
	}
	a := mat.NewDense(n, q, designMatrix(nil, x, n, p, intercept))
	var qr mat.QR
	qr.Factorize(a)
	if c := qr.Cond(); !(c <= OLSMaxCond) {
		return fmt.Errorf("kernels: OLS design is rank-deficient: condition number %.3g exceeds %.0g (collinear or constant columns?)", c, OLSMaxCond)
	}
	b := mat.NewVecDense(q, dst)
	if err := qr.SolveVecTo(b, false, mat.NewVecDense(n, y)); err != nil {
		return fmt.Errorf("kernels: OLS solve failed: %w", err)
	}
	return nil
}

// OLSNormal solves the same problem through the normal equations,
//
//	(XᵀX) b = Xᵀy
//
// with a Cholesky factorisation. It squares the condition number, so it is
// less accurate than OLS; it is the independent check OLS is tested
// against. It returns an error when XᵀX is not positive definite and panics
// as OLS does.
func OLSNormal(dst []float64, x []float64, y []float64, n, p int, intercept bool) error {
	q := p
	if intercept {
		q++
	}
	checkOLS(dst, x, y, n, p, q)
	if n < q {
		return fmt.Errorf("kernels: OLS needs at least %d rows for %d coefficients, got %d", q, q, n)
	}
	a := designMatrix(nil, x, n, p, intercept)
	xtx := mat.NewSymDense(q, nil)
	xty := mat.NewVecDense(q, nil)
	for i := 0; i < n; i++ {
		row := a[i*q : i*q+q]
		for j := 0; j < q; j++ {
			xty.SetVec(j, xty.AtVec(j)+row[j]*y[i])
			for k := j; k < q; k++ {
				xtx.SetSym(j, k, xtx.At(j, k)+row[j]*row[k])
			}
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(xtx) {
		return fmt.Errorf("kernels: OLS normal equations are not positive definite (rank-deficient design)")
	}
	return ch.SolveVecTo(mat.NewVecDense(q, dst), xty)
}

// designMatrix returns x with a leading column of ones if intercept,
// reusing buf when it is large enough.
func designMatrix(buf, x []float64, n, p int, intercept bool) []float64 {
	if !intercept {
		return append(buf[:0], x...)
	}
	q := p + 1
	if cap(buf) < n*q {
		buf = make([]float64, n*q)
	}
	buf = buf[:n*q]
	for i := 0; i < n; i++ {
		buf[i*q] = 1
		copy(buf[i*q+1:i*q+q], x[i*p:i*p+p])
	}
	return buf
}

func checkOLS(dst, x, y []float64, n, p, q int) {
	if n < 0 || p < 0 {
		panic(fmt.Sprintf("kernels: OLS with n=%d p=%d", n, p))
	}
	if len(x) != n*p || len(y) != n {
		panic(fmt.Sprintf("kernels: OLS with len(x)=%d len(y)=%d for n=%d p=%d", len(x), len(y), n, p))
	}
	if len(dst) != q {
		panic(fmt.Sprintf("kernels: OLS len(dst)=%d for %d coefficients", len(dst), q))
	}
}

// checkFinite returns an error naming the first NaN or infinity.
func checkFinite(x, y []float64, p int) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("kernels: OLS design has %v at row %d, column %d", v, i/p, i%p)
		}
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("kernels: OLS response has %v at row %d", v, i)
		}
	}
	return nil
}
