package dataio

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Array is an n-dimensional array of float64 in row-major (C) order:
// element (i, j) of a 2-D array is Data[i*Shape[1]+j]. The arrays this
// package reads and writes are 1-D or 2-D.
type Array struct {
	Data  []float64
	Shape []int
}

// Rows is the number of rows: Shape[0], or 1 for a 0-d array.
func (a *Array) Rows() int {
	if len(a.Shape) == 0 {
		return 1
	}
	return a.Shape[0]
}

// Cols is the number of columns: Shape[1] for a 2-D array, 1 otherwise
// (a 1-D array is read as a column, the way numpy.savetxt writes it).
func (a *Array) Cols() int {
	if len(a.Shape) < 2 {
		return 1
	}
	return a.Shape[1]
}

// Column returns a copy of column j (from 0) of a 2-D array; of a 1-D
// array, which is one column, j must be 0. It panics if j is out of range:
// check it against Cols first when it comes from the user.
func (a *Array) Column(j int) []float64 {
	rows, cols := a.Rows(), a.Cols()
	if j < 0 || j >= cols || len(a.Shape) > 2 {
		panic(fmt.Sprintf("dataio: Column(%d) of an array of shape %s", j, shapeString(a.Shape)))
	}
	v := make([]float64, rows)
	for i := range v {
		v[i] = a.Data[i*cols+j]
	}
	return v
}

// check returns an error unless a is a 1-D or 2-D array whose shape
// matches len(a.Data).
func (a *Array) check() error {
	if len(a.Shape) != 1 && len(a.Shape) != 2 {
		return fmt.Errorf("dataio: %d-d array (shape %s): want 1-d or 2-d", len(a.Shape), shapeString(a.Shape))
	}
	count, ok := elementCount(a.Shape)
	if !ok {
		return fmt.Errorf("dataio: shape %s is negative or too large", shapeString(a.Shape))
	}
	if count != len(a.Data) {
		return fmt.Errorf("dataio: shape %s holds %d elements, data has %d", shapeString(a.Shape), count, len(a.Data))
	}
	return nil
}

// elementCount returns the product of shape, false if a dimension is
// negative or the product overflows an int.
func elementCount(shape []int) (int, bool) {
	count := 1
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d != 0 && count > math.MaxInt/d {
			return 0, false
		}
		count *= d
	}
	return count, true
}

// shapeString formats shape as Python does: (3,) or (3, 4).
func shapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	if len(shape) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
