package kernels_test

import (
	"fmt"

	"github.com/spmd-go/spmd/kernels"
)

func ExampleParseValues() {
	v, err := kernels.ParseValues("0.1:0.5:0.1")
	fmt.Println(v, err)
	_, err = kernels.ParseValues("0.1:0.5:0")
	fmt.Println(err)
	// Output:
	// [0.1 0.2 0.3 0.4 0.5] <nil>
	// kernels: "0.1:0.5:0": step 0 must be > 0
}
