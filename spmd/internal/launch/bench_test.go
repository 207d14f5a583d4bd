package launch

import (
	"context"
	"io"
	"os"
	"testing"
)

// benchmarkRun measures Run itself (no launcher process start-up): n
// local ranks of /bin/true, with the stand-in rendezvous server and the
// watchdog.
func benchmarkRun(b *testing.B, n int, watchdog bool) {
	cfg := Config{
		Program: []string{"/bin/true"}, Hosts: hosts(n, "127.0.0.1"),
		Stdout: io.Discard, Stderr: io.Discard, StartRendezvous: startStandIn,
	}
	if watchdog {
		exe, _ := os.Executable()
		cfg.Watchdog = []string{exe, "_watchdog"}
	}
	for b.Loop() {
		if code, err := Run(context.Background(), cfg); code != 0 || err != nil {
			b.Fatalf("Run = %d, %v", code, err)
		}
	}
}

func BenchmarkRun1(b *testing.B)          { benchmarkRun(b, 1, false) }
func BenchmarkRun8(b *testing.B)          { benchmarkRun(b, 8, false) }
func BenchmarkRun32(b *testing.B)         { benchmarkRun(b, 32, false) }
func BenchmarkRun8Watchdog(b *testing.B)  { benchmarkRun(b, 8, true) }
func BenchmarkRun32Watchdog(b *testing.B) { benchmarkRun(b, 32, true) }
