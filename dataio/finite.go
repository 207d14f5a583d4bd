package dataio

import (
	"fmt"
	"math"
)

// CheckFinite returns an error naming the first NaN or infinite element of
// data, nil if there is none. shape gives data's layout: for a 2-D shape the
// error names the row and column ("row 12, column 3 is NaN"), otherwise the
// element ("element 5 is +Inf"); positions count from 1, like the line and
// column numbers in ReadCSV's errors.
//
// It panics if shape has more than two dimensions or does not match
// len(data): that is a mistake in the caller, not in the data.
func CheckFinite(data []float64, shape []int) error {
	if len(shape) > 2 {
		panic("dataio: CheckFinite: more than 2 dimensions")
	}
	if count, ok := elementCount(shape); !ok || (len(shape) > 0 && count != len(data)) {
		panic("dataio: CheckFinite: shape does not match len(data)")
	}
	for i, v := range data {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			continue
		}
		what := "NaN"
		if math.IsInf(v, 1) {
			what = "+Inf"
		} else if math.IsInf(v, -1) {
			what = "-Inf"
		}
		if len(shape) == 2 {
			return fmt.Errorf("row %d, column %d is %s", i/shape[1]+1, i%shape[1]+1, what)
		}
		return fmt.Errorf("element %d is %s", i+1, what)
	}
	return nil
}
