package cpuid

import (
	"runtime"
	"testing"
)

// TestCurrentIsACPU: where supported, Current names one of this machine's
// CPUs, and a thread locked to a goroutine keeps getting an answer.
func TestCurrentIsACPU(t *testing.T) {
	if !Supported {
		t.Skip("no cheap CPU number here")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for range 100 {
		if c := Current(); c < 1 || int(c) > runtime.NumCPU()*64 {
			t.Fatalf("Current() = %d", c)
		}
	}
}

// TestOnline counts at least the CPUs this process may use.
func TestOnline(t *testing.T) {
	if n := Online(); n < runtime.NumCPU() {
		t.Errorf("Online() = %d, fewer than runtime.NumCPU() = %d", n, runtime.NumCPU())
	}
}
