package farm

import (
	"io"
	"strings"
	"testing"

	"github.com/spmd-go/spmd/comm"
)

// BenchmarkFarmTrue measures the farm's own cost per task: b.N tasks of
// /bin/true on one in-process rank with 2 slots, no joblog. Most of it is
// the fork and exec of true.
func BenchmarkFarmTrue(b *testing.B) {
	tasks := writeFile(b, "tasks", strings.Repeat("true\n", b.N))
	cs := comm.NewMemWorld(1, comm.Config{})
	defer cs[0].Close()
	b.ResetTimer()
	if _, err := Run(cs[0], Params{TaskFile: tasks, Slots: 2, Quiet: true, Stdout: io.Discard, Stderr: io.Discard}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
}
