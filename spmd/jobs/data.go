package jobs

import (
	"fmt"
	"math"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/dataio"
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/kernels"
)

// loadVector reads a data vector for a job at the root: a 1-D array, or
// one column of a 2-D one. Empty data and NaN/Inf are refused, naming the
// place.
func loadVector(flag, path string, column int) ([]float64, error) {
	a, err := dataio.LoadMatrix(path)
	if err != nil {
		return nil, job.Usagef("--%s: %v", flag, err)
	}
	var v []float64
	if len(a.Shape) == 1 {
		v = a.Data
	} else {
		rows, cols := a.Rows(), a.Cols()
		if column < 0 || column >= cols {
			return nil, job.Usagef("--column %d: %s has %d columns", column, path, cols)
		}
		v = make([]float64, rows)
		for i := range v {
			v[i] = a.Data[i*cols+column]
		}
	}
	if len(v) == 0 {
		return nil, job.Usagef("--%s: %s holds no data", flag, path)
	}
	if err := dataio.CheckFinite(v, []int{len(v)}); err != nil {
		return nil, job.Usagef("--%s: %s: %v", flag, path, err)
	}
	return v, nil
}

// generate fills n standard normal values from the stream of (seed, which).
func generate(n int, seed, which uint64) []float64 {
	g := kernels.Stream(seed, which)
	x := make([]float64, n)
	for i := range x {
		x[i] = g.NormFloat64()
	}
	return x
}

// bcastFloats sends the root's vector to every rank, on the fast tier.
func bcastFloats(c *comm.Comm, v []float64) ([]float64, error) {
	n := []int64{int64(len(v))}
	if err := c.Bcast(n, 0); err != nil {
		return nil, err
	}
	if c.Rank() != 0 {
		v = make([]float64, n[0])
	}
	return v, c.Bcast(v, 0)
}

// checkOut checks, before any work, that the root can create the output
// file (its directory writable, not a directory or device). Only the root
// writes it, so only the root checks: on a cluster the other ranks' nodes
// may not even have that directory.
func checkOut(world *comm.Comm, out string) error {
	if out == "" || world.Rank() != 0 {
		return nil
	}
	if err := dataio.CheckWritable(out); err != nil {
		return job.Usagef("--out: %v", err)
	}
	return nil
}

// checkMatrixOut is checkOut for a file dataio.SaveMatrix writes: its
// extension must name a format too (.npy, .csv, .tsv, .txt), checked before
// any work as well.
func checkMatrixOut(world *comm.Comm, out string) error {
	if out == "" || world.Rank() != 0 {
		return nil
	}
	if err := dataio.CheckOutput(out); err != nil {
		return job.Usagef("--out: %v", err)
	}
	return nil
}

// bitsEqual compares two results exactly (NaN equal to NaN) and returns
// the first difference, or -1.
func bitsEqual(a, b []float64) (bool, int) {
	if len(a) != len(b) {
		return false, -1
	}
	for i := range a {
		if a[i] != b[i] && !(a[i] != a[i] && b[i] != b[i]) {
			return false, i
		}
	}
	return true, -1
}

func describeMismatch(what string, i int) string {
	if i < 0 {
		return what + "s compared one by one"
	}
	return fmt.Sprintf("first difference at %s %d", what, i)
}

func maxRelErr(got, want []float64) float64 {
	var worst float64
	for i := range want {
		d := math.Abs(got[i] - want[i])
		if d == 0 {
			continue
		}
		scale := math.Max(math.Abs(want[i]), math.SmallestNonzeroFloat64)
		worst = math.Max(worst, d/scale)
	}
	return worst
}

// prefault writes every page of a fresh buffer, so the cost of the kernel
// handing out memory (slow on this kind of machine: about 0.5 GiB/s) is
// not charged to whatever touches the buffer first.
func prefault(b []float64) {
	for i := 0; i < len(b); i += 512 {
		b[i] = 0
	}
}
