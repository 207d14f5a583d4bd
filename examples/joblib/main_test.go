package main

import (
	"fmt"
	"testing"

	"github.com/spmd-go/spmd/internal/clustertest"
)

// Every launcher gives the squares in input order.
func TestJoblibExample(t *testing.T) {
	prog := clustertest.BuildProgram(t, "github.com/spmd-go/spmd/examples/joblib")
	for launcher, res := range clustertest.Launches(t, prog, "-json", "-quiet") {
		if got := fmt.Sprint(res["squares"]); got != "[1 4 9 16 25 36 49 64 81 100]" {
			t.Errorf("%s: %s", launcher, got)
		}
	}
}
