package kernels_test

import (
	"fmt"

	"github.com/spmd-go/spmd/kernels"
)

// The notebook's starmap: f(a, b, c) = a + b + c on rows of three.
func ExampleMapFunc() {
	sum, err := kernels.MapFunc("sum")
	if err != nil {
		panic(err)
	}
	rows := [][]float64{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}}
	out := make([]float64, len(rows))
	if err := kernels.MapRows(out, sum, rows); err != nil {
		panic(err)
	}
	fmt.Println(out)
	pow, _ := kernels.MapFunc("pow")
	_, err = pow(2)
	fmt.Println(err)
	// Output:
	// [3 12 21]
	// kernels: pow takes 2 arguments, got 1
}
