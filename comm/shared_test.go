//go:build linux && (amd64 || arm64)

package comm

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// sharedMappings counts this process's mappings of shared windows, to
// show that a refused window leaves none behind.
func sharedMappings(t *testing.T) int {
	t.Helper()
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(maps), "/memfd:spmd")
}

// allocAll runs AllocShared on every rank of an in-process world and
// returns each rank's error, freeing any window that was made.
func allocAll(t *testing.T, n int) []error {
	t.Helper()
	errs := make([]error, n)
	err := RunMem(n, func(c *Comm) error {
		w, err := AllocShared[int32](c, 1000)
		errs[c.Rank()] = err
		if err == nil {
			return w.Free()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return errs
}

func TestSharedDisabled(t *testing.T) {
	t.Setenv("SPMD_SHARED", "off")
	for r, err := range allocAll(t, 3) {
		if !errors.Is(err, ErrNotShared) || !strings.Contains(err.Error(), "SPMD_SHARED=off") {
			t.Errorf("rank %d: got %v, want ErrNotShared naming SPMD_SHARED=off", r, err)
		}
	}
}

// One rank that cannot map the window makes every rank refuse it, and
// the others' mappings are undone.
func TestSharedOneRankFails(t *testing.T) {
	before := sharedMappings(t)
	sharedAttach = func(o sharedOffer) ([]byte, error) {
		if o.Pid != os.Getpid() {
			t.Errorf("offer names pid %d, want ours (%d)", o.Pid, os.Getpid())
		}
		return nil, errors.New("injected")
	}
	defer func() { sharedAttach = attachShared }()
	errs := allocAll(t, 4)
	for r, err := range errs {
		if !errors.Is(err, ErrNotShared) {
			t.Fatalf("rank %d: got %v, want ErrNotShared", r, err)
		}
	}
	// Ranks 1-3 all failed here; the first (1) is named everywhere.
	if !strings.Contains(errs[1].Error(), "rank 1: injected") {
		t.Errorf("rank 1 should give its own reason, got %v", errs[1])
	}
	for _, r := range []int{0, 2, 3} {
		if !strings.Contains(errs[r].Error(), "rank 1 could not map") {
			t.Errorf("rank %d should name rank 1, got %v", r, errs[r])
		}
	}
	if after := sharedMappings(t); after != before {
		t.Errorf("%d shared mappings before, %d after a refused window", before, after)
	}
}

// attachShared maps only the memory the offer describes: a wrong random
// value, size or process is refused, and nothing stays mapped.
func TestSharedAttachChecks(t *testing.T) {
	var offer sharedOffer
	mem, fd, err := createShared(sharedHeader+64, &offer)
	if err != nil {
		t.Fatal(err)
	}
	defer unmapShared(mem)
	defer closeShared(fd)
	before := sharedMappings(t)
	if before < 1 {
		t.Fatal("the root's mapping is not in /proc/self/maps: counting mappings would prove nothing")
	}

	good, err := attachShared(offer)
	if err != nil {
		t.Fatalf("the true offer: %v", err)
	}
	good[sharedHeader] = 42
	if mem[sharedHeader] != 42 {
		t.Error("a write through the attached mapping is not seen through the root's")
	}
	unmapShared(good)

	for name, mutate := range map[string]func(o *sharedOffer){
		"nonce": func(o *sharedOffer) { o.Nonce[7] ^= 1 },
		"size":  func(o *sharedOffer) { o.Size += 4096 },
		"pid":   func(o *sharedOffer) { o.Pid = 1 << 30 },
		"fd":    func(o *sharedOffer) { o.Fd = 1 << 20 },
	} {
		o := offer
		mutate(&o)
		if m, err := attachShared(o); err == nil {
			unmapShared(m)
			t.Errorf("wrong %s: attached, want a refusal", name)
		}
	}
	if after := sharedMappings(t); after != before {
		t.Errorf("%d mappings before, %d after refused attaches", before, after)
	}
}

func TestSharedNegativeLengthPanics(t *testing.T) {
	c := NewMemWorld(1, Config{})[0]
	defer c.Close()
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "negative length") {
			t.Errorf("got panic %v, want one naming the negative length", p)
		}
	}()
	AllocShared[float64](c, -1)
}
