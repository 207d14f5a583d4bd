package launch

import (
	"errors"
	"os"
	"testing"
)

// fakeLookup replaces lookupHost for a test: names resolve only through
// the given table, never through DNS.
func fakeLookup(t *testing.T, table map[string][]string) {
	old := lookupHost
	lookupHost = func(h string) ([]string, error) {
		if a, ok := table[h]; ok {
			return a, nil
		}
		return nil, errors.New("lookup " + h + ": no such host")
	}
	t.Cleanup(func() { lookupHost = old })
}

// TestPlace checks which ranks are local, their SPMD_HOST and local
// ranks. Only loopback addresses are used, so the launcher address stays
// 127.0.0.1.
func TestPlace(t *testing.T) {
	fakeLookup(t, map[string][]string{"me": {"127.0.0.1"}, "alias2": {"127.0.0.2"}})
	name, _ := os.Hostname()
	hs := []string{"localhost", "127.0.0.2", "127.0.0.1", "127.0.0.2", name, "node7", "127.0.0.3", "me", "alias2"}
	ps, ip, err := place(hs, []string{"node7"})
	if err != nil {
		t.Fatal(err)
	}
	if ip != "127.0.0.1" {
		t.Errorf("launcher address %s, want 127.0.0.1 for loopback-only hosts", ip)
	}
	want := []placement{
		{host: "localhost", local: true, addr: "127.0.0.1", localRank: 0, localSize: 5},
		{host: "127.0.0.2", local: false, addr: "127.0.0.2", localRank: 0, localSize: 2},
		{host: "127.0.0.1", local: true, addr: "127.0.0.1", localRank: 1, localSize: 5},
		{host: "127.0.0.2", local: false, addr: "127.0.0.2", localRank: 1, localSize: 2},
		{host: name, local: true, addr: "127.0.0.1", localRank: 2, localSize: 5},
		{host: "node7", local: true, addr: "127.0.0.1", localRank: 3, localSize: 5},
		{host: "127.0.0.3", local: false, addr: "127.0.0.3", localRank: 0, localSize: 1},
		{host: "me", local: true, addr: "127.0.0.1", localRank: 4, localSize: 5},
		{host: "alias2", local: false, addr: "alias2", localRank: 0, localSize: 1},
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

// TestPlaceUnknownHost checks that a host name that does not resolve is
// an error before anything starts.
func TestPlaceUnknownHost(t *testing.T) {
	fakeLookup(t, nil)
	_, _, err := place([]string{"127.0.0.1", "nosuchnode"}, nil)
	if want := `unknown host "nosuchnode": lookup nosuchnode: no such host`; err == nil || err.Error() != want {
		t.Errorf("place: %v, want %q", err, want)
	}
}
