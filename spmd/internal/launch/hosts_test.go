package launch

import (
	"os"
	"testing"
)

// TestPlace checks which ranks are local, their SPMD_HOST and local
// ranks. Only loopback addresses are used, so the launcher address stays
// 127.0.0.1.
func TestPlace(t *testing.T) {
	name, _ := os.Hostname()
	hs := []string{"localhost", "127.0.0.2", "127.0.0.1", "127.0.0.2", name, "node7", "127.0.0.3"}
	ps, ip, err := place(hs, []string{"node7"})
	if err != nil {
		t.Fatal(err)
	}
	if ip != "127.0.0.1" {
		t.Errorf("launcher address %s, want 127.0.0.1 for loopback-only hosts", ip)
	}
	want := []placement{
		{host: "localhost", local: true, addr: "127.0.0.1", localRank: 0, localSize: 4},
		{host: "127.0.0.2", local: false, addr: "127.0.0.2", localRank: 0, localSize: 2},
		{host: "127.0.0.1", local: true, addr: "127.0.0.1", localRank: 1, localSize: 4},
		{host: "127.0.0.2", local: false, addr: "127.0.0.2", localRank: 1, localSize: 2},
		{host: name, local: true, addr: "127.0.0.1", localRank: 2, localSize: 4},
		{host: "node7", local: true, addr: "127.0.0.1", localRank: 3, localSize: 4},
		{host: "127.0.0.3", local: false, addr: "127.0.0.3", localRank: 0, localSize: 1},
	}
	for r := range want {
		if ps[r] != want[r] {
			t.Errorf("rank %d: %+v, want %+v", r, ps[r], want[r])
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for h, want := range map[string]bool{
		"localhost": true, "127.0.0.1": true, "127.3.2.1": true, "::1": true,
		"10.0.0.1": false, "node1": false, "": false,
	} {
		if got := isLoopback(h); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", h, got, want)
		}
	}
}
