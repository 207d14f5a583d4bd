//go:build linux

package launch

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestCpusFor: blocks as equal as they can be, the first ones larger, in
// order; one CPU each for BindCore; nothing bound when auto is
// oversubscribed or binding is off; BindCore oversubscribed is an error.
func TestCpusFor(t *testing.T) {
	eight := []int{0, 1, 2, 3, 4, 5, 6, 7}
	for _, tc := range []struct {
		b           Binding
		cpus        []int
		local, size int
		want        []int
	}{
		{BindAuto, eight, 0, 1, eight},
		{BindAuto, eight, 1, 2, []int{4, 5, 6, 7}},
		{BindAuto, eight, 0, 3, []int{0, 1, 2}},
		{BindAuto, eight, 1, 3, []int{3, 4, 5}},
		{BindAuto, eight, 2, 3, []int{6, 7}},
		{BindAuto, []int{2, 3, 8, 9}, 1, 2, []int{8, 9}},
		{BindAuto, eight, 7, 8, []int{7}},
		{BindAuto, eight, 8, 9, nil},
		{BindAuto, []int{0, 1}, 1, 3, nil},
		{BindAuto, []int{0, 1}, 2, 4, []int{0}},
		{BindAuto, []int{0, 1}, 3, 4, []int{1}},
		{BindAuto, []int{2, 5}, 5, 6, []int{5}},
		{BindCore, eight, 0, 2, []int{0}},
		{BindCore, []int{2, 3, 8, 9}, 3, 4, []int{9}},
		{BindNone, eight, 0, 2, nil},
		{"", eight, 0, 2, nil},
	} {
		got, err := cpusFor(tc.b, tc.cpus, tc.local, tc.size)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("cpusFor(%s, %v, %d, %d) = %v, %v; want %v", tc.b, tc.cpus, tc.local, tc.size, got, err, tc.want)
		}
	}
	if _, err := cpusFor(BindCore, eight, 0, 9); err == nil || !strings.Contains(err.Error(), "only 8 CPUs to bind them to (0-7)") {
		t.Errorf("BindCore, 9 ranks on 8 CPUs: %v", err)
	}
	if got := cpuList([]int{0, 1, 2, 3, 8, 10, 11}); got != "0-3,8,10-11" {
		t.Errorf("cpuList = %q", got)
	}
	for _, s := range []string{"auto", "core", "none"} {
		if b, err := ParseBinding(s); err != nil || string(b) != s {
			t.Errorf("ParseBinding(%q) = %q, %v", s, b, err)
		}
	}
	if _, err := ParseBinding("socket"); err == nil {
		t.Error("ParseBinding(socket): no error")
	}
}

// TestRunBind: each rank runs only on its CPUs from its first instruction
// (local ranks bound by the launcher, remote ones by spmd _remote) and
// SPMD_BIND says so; an unbound rank says none, even when the launcher
// itself ran in a bound rank. Auto binds nothing for ranks kept to TCP.
func TestRunBind(t *testing.T) {
	cpus, err := allowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SPMD_BIND", "core") // as inside a bound rank: must not leak
	n := min(len(cpus), 4)
	const script = `echo "$SPMD_RANK $SPMD_BIND $(grep Cpus_allowed_list /proc/self/status | cut -f2)"`
	all := cpuList(cpus)
	uneven := func(r int) string { // len(cpus)+1 ranks: unbound, unless that is 2 on 1 CPU
		if len(cpus) == 1 {
			return fmt.Sprintf("auto %d", cpus[0])
		}
		return "none " + all
	}
	dealt := func(r int) string { // 2n ranks: on n CPUs (n <= 4), CPU r mod n (TestCpusFor checks the layout)
		got, _ := cpusFor(BindAuto, cpus, r, 2*n)
		if got == nil {
			return "none " + all
		}
		return "auto " + cpuList(got)
	}
	for _, tc := range []struct {
		name  string
		b     Binding
		hosts []string
		want  func(r int) string
	}{
		{"core", BindCore, hosts(n, "127.0.0.1"), func(r int) string { return fmt.Sprintf("core %d", cpus[r]) }},
		{"core remote", BindCore, hosts(n, "127.0.0.2"), func(r int) string { return fmt.Sprintf("core %d", cpus[r]) }},
		{"auto one", BindAuto, hosts(1, "127.0.0.1"), func(int) string { return "auto " + all }},
		{"auto remote one", BindAuto, hosts(1, "127.0.0.2"), func(int) string { return "auto " + all }},
		{"auto oversubscribed", BindAuto, hosts(len(cpus)+1, "127.0.0.1"), uneven},
		{"auto remote oversubscribed", BindAuto, hosts(len(cpus)+1, "127.0.0.2"), uneven},
		{"auto oversubscribed evenly", BindAuto, hosts(2*n, "127.0.0.1"), dealt},
		{"auto remote oversubscribed evenly", BindAuto, hosts(2*n, "127.0.0.2"), dealt},
		{"none", BindNone, hosts(2, "127.0.0.1"), func(int) string { return "none " + all }},
		{"auto, TCP only", BindAuto, hosts(1, "127.0.0.1"), func(int) string { return "none " + all }},
		{"auto remote, TCP only", BindAuto, hosts(1, "127.0.0.2"), func(int) string { return "none " + all }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Program: shell(script), Hosts: tc.hosts, Bind: tc.b}
			if strings.HasSuffix(tc.name, "TCP only") {
				cfg.Env = []string{"SPMD_SHM=off"}
			}
			res := run(t, remote(t, cfg))
			if res.err != nil || res.code != 0 {
				t.Fatalf("Run = %d, %v; stderr:\n%s", res.code, res.err, res.stderr)
			}
			lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
			sort.Slice(lines, func(i, j int) bool { return rankOf(lines[i]) < rankOf(lines[j]) })
			if len(lines) != len(tc.hosts) {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(tc.hosts), res.stdout)
			}
			for r, line := range lines {
				if want := fmt.Sprintf("%d %s", r, tc.want(r)); line != want {
					t.Errorf("rank %d: %q, want %q", r, line, want)
				}
			}
		})
	}
	t.Run("core, too many", func(t *testing.T) {
		res := run(t, Config{Program: shell("echo started"), Hosts: hosts(len(cpus)+1, "127.0.0.1"), Bind: BindCore})
		if res.err == nil || !strings.Contains(res.err.Error(), "only") || res.stdout != "" {
			t.Fatalf("Run = %d, %v, stdout %q: want an error before any rank starts", res.code, res.err, res.stdout)
		}
	})
}
