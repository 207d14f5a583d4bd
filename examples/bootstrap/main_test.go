package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spmd-go/spmd/internal/clustertest"
	"github.com/spmd-go/spmd/kernels"
)

// The interval from 1 rank, 3 ranks under spmd run and 3 under mpirun is
// the one a serial loop over the same replicates gives, exactly.
func TestBootstrapExample(t *testing.T) {
	data := filepath.Join(t.TempDir(), "heights.csv")
	var b strings.Builder
	b.WriteString("id,cm\n")
	x := make([]float64, 301)
	for i := range x {
		x[i] = 150 + float64(i*37%61) + float64(i%7)/10
		fmt.Fprintf(&b, "%d,%g\n", i, x[i])
	}
	os.WriteFile(data, []byte(b.String()), 0o644)

	mads := make([]float64, 2000) // the serial computation
	for i := range mads {
		sample := make([]float64, len(x))
		kernels.Resample(sample, x, 1, i)
		mads[i] = MAD(sample)
	}
	slices.Sort(mads)
	want := map[string]float64{"mad": MAD(x), "ci95_low": kernels.Percentile(mads, 2.5), "ci95_high": kernels.Percentile(mads, 97.5)}

	prog := clustertest.BuildProgram(t, "github.com/spmd-go/spmd/examples/bootstrap")
	for launcher, res := range clustertest.Launches(t, prog, "-data", data, "-column", "cm", "-json", "-quiet") {
		for k, v := range want {
			if res[k] != v {
				t.Errorf("%s: %s = %v, want %v", launcher, k, res[k], v)
			}
		}
	}
}
