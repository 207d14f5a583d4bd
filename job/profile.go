package job

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/spmd-go/spmd/dataio"
)

// startProfile records this rank's CPU profile in memory and writes it
// to dir/cpu.rank<N>.pprof when profiling stops, atomically: a rank killed
// mid-run, even by SIGKILL, leaves no partial or temporary file.
func startProfile(dir string, rank int) (func() error, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	final := filepath.Join(dir, fmt.Sprintf("cpu.rank%d.pprof", rank))
	if err := dataio.CheckWritable(final); err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil, fmt.Errorf("cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return dataio.WriteFileAtomic(final, func(w io.Writer) error {
			_, err := buf.WriteTo(w)
			return err
		})
	}, nil
}
