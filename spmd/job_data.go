package main

import (
	"fmt"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/dataio"
)

// loadVector reads a data vector for a job at the root: a 1-D array, or
// one column of a 2-D one. Empty data and NaN/Inf are refused, naming the
// place.
func loadVector(flag, path string, column int) ([]float64, error) {
	a, err := dataio.LoadMatrix(path)
	if err != nil {
		return nil, usagef("--%s: %v", flag, err)
	}
	var v []float64
	if len(a.Shape) == 1 {
		v = a.Data
	} else {
		rows, cols := a.Rows(), a.Cols()
		if column < 0 || column >= cols {
			return nil, usagef("--column %d: %s has %d columns", column, path, cols)
		}
		v = make([]float64, rows)
		for i := range v {
			v[i] = a.Data[i*cols+column]
		}
	}
	if len(v) == 0 {
		return nil, usagef("--%s: %s holds no data", flag, path)
	}
	if err := dataio.CheckFinite(v, []int{len(v)}); err != nil {
		return nil, usagef("--%s: %s: %v", flag, path, err)
	}
	return v, nil
}

// bcastVector sends the root's vector to every rank.
func bcastVector(c *comm.Comm, v []float64) ([]float64, error) {
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
// file. Only the root writes it, so only the root checks: on a cluster the
// other ranks' nodes may not even have that directory.
func checkOut(world *comm.Comm, out string) error {
	if out == "" || world.Rank() != 0 {
		return nil
	}
	if err := dataio.CheckWritable(out); err != nil {
		return usagef("--out: %v", err)
	}
	return nil
}

// checkMatrixOut is checkOut for a file that dataio.SaveMatrix writes:
// its extension must name a format too, and that is checked before any
// work as well (it used to fail only when the result was being saved).
func checkMatrixOut(world *comm.Comm, out string) error {
	if out == "" || world.Rank() != 0 {
		return nil
	}
	if err := dataio.CheckOutput(out); err != nil {
		return usagef("--out: %v", err)
	}
	return nil
}

func positive(flag string, v int) error {
	if v < 1 {
		return usagef("--%s: must be at least 1, got %d", flag, v)
	}
	return nil
}

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
		return what + " compared element by element"
	}
	return fmt.Sprintf("first difference at %s %d", what, i)
}
