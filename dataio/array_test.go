package dataio

import (
	"fmt"
	"strings"
	"testing"
)

func TestArrayColumn(t *testing.T) {
	m := &Array{Data: []float64{1, 2, 3, 4, 5, 6}, Shape: []int{3, 2}}
	if got := fmt.Sprint(m.Column(0), m.Column(1)); got != "[1 3 5] [2 4 6]" {
		t.Errorf("columns %s", got)
	}
	v := &Array{Data: []float64{7, 8}, Shape: []int{2}}
	if got := fmt.Sprint(v.Column(0)); got != "[7 8]" {
		t.Errorf("1-D column %s", got)
	}
	for _, j := range []int{-1, 2} {
		func() {
			defer func() {
				if r, ok := recover().(string); !ok || !strings.HasPrefix(r, "dataio: Column(") {
					t.Errorf("Column(%d): panic %v, want a dataio: message", j, r)
				}
			}()
			m.Column(j)
		}()
	}
}
