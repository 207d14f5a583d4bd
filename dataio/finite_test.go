package dataio

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestCheckFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		data  []float64
		shape []int
		want  string
	}{
		{[]float64{1, 2, 3, 4}, []int{2, 2}, ""},
		{nil, []int{0, 3}, ""},
		{[]float64{1, 2, 3, 4, 5, nan, inf}, []int{7}, "element 6 is NaN"},
		{[]float64{1, 2, 3, 4, 5, 6, -inf, nan}, []int{4, 2}, "row 4, column 1 is -Inf"},
		{[]float64{1, 2, 3, inf}, []int{2, 2}, "row 2, column 2 is +Inf"},
		{[]float64{nan}, nil, "element 1 is NaN"},
	} {
		err := CheckFinite(c.data, c.shape)
		if got := fmt.Sprint(err); (err == nil) != (c.want == "") || err != nil && got != c.want {
			t.Errorf("%v %v: %v, want %q", c.data, c.shape, err, c.want)
		}
	}
	// A 12×4 matrix with a NaN at row 12, column 3 (counting from 1).
	data := make([]float64, 48)
	data[11*4+2] = nan
	if err := CheckFinite(data, []int{12, 4}); err == nil || err.Error() != "row 12, column 3 is NaN" {
		t.Errorf("got %v", err)
	}
}

func TestCheckFinitePanics(t *testing.T) {
	for _, shape := range [][]int{{2, 2}, {1, 2, 2}, {-1}} {
		func() {
			defer func() {
				if r, ok := recover().(string); !ok || !strings.HasPrefix(r, "dataio: ") {
					t.Errorf("shape %v: panic %v, want a dataio: message", shape, r)
				}
			}()
			CheckFinite(make([]float64, 3), shape)
		}()
	}
}
