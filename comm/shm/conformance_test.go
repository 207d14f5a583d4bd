package shm_test

import (
	"testing"

	"github.com/spmd-go/spmd/comm/commtest"
)

// TestConformanceShared runs the conformance suite with every pair of
// ranks on shared memory.
func TestConformanceShared(t *testing.T) { commtest.Run(t, sharedWorld) }

// TestConformanceMixed runs it with ranks on two pretended machines: some
// pairs on shared memory, the others on TCP, in one world.
func TestConformanceMixed(t *testing.T) { commtest.Run(t, mixedWorld) }
