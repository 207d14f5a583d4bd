//go:build linux

package launch

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestRunBindCore: with BindCore each local rank runs only on its own CPU
// (the k-th of those the launcher may use), from its first instruction,
// and so does a rank started through spmd _remote; more ranks than CPUs
// is refused before any starts.
func TestRunBindCore(t *testing.T) {
	cpus, err := allowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	n := min(len(cpus), 4)
	const script = `echo "$SPMD_RANK $SPMD_BIND $(grep Cpus_allowed_list /proc/self/status | cut -f2)"`
	for _, tc := range []struct {
		name  string
		hosts []string
	}{
		{"local", hosts(n, "127.0.0.1")},
		{"remote", hosts(n, "127.0.0.2")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, remote(t, Config{Program: shell(script), Hosts: tc.hosts, BindCore: true}))
			if res.err != nil || res.code != 0 {
				t.Fatalf("Run = %d, %v; stderr:\n%s", res.code, res.err, res.stderr)
			}
			lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
			sort.Slice(lines, func(i, j int) bool { return rankOf(lines[i]) < rankOf(lines[j]) })
			if len(lines) != n {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), n, res.stdout)
			}
			for r, line := range lines {
				if want := fmt.Sprintf("%d core %d", r, cpus[r]); line != want {
					t.Errorf("rank %d: %q, want %q", r, line, want)
				}
			}
		})
	}
	t.Run("too many", func(t *testing.T) {
		res := run(t, Config{Program: shell("echo started"), Hosts: hosts(len(cpus)+1, "127.0.0.1"), BindCore: true})
		if res.err == nil || !strings.Contains(res.err.Error(), "only") || res.stdout != "" {
			t.Fatalf("Run = %d, %v, stdout %q: want an error before any rank starts", res.code, res.err, res.stdout)
		}
	})
	if got := cpuList([]int{0, 1, 2, 3, 8, 10, 11}); got != "0-3,8,10-11" {
		t.Errorf("cpuList = %q", got)
	}
}
