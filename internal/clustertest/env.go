package clustertest

import (
	"fmt"
	"os"
	"testing"
)

// Names of the environment variables this package reads (see the package
// documentation).
const (
	EnvSSHConfig      = "SPMD_TEST_SSH_CONFIG"
	EnvSlurm          = "SPMD_TEST_SLURM"
	EnvMPI            = "SPMD_TEST_MPI"
	EnvRequireCluster = "SPMD_REQUIRE_CLUSTER"
	EnvSpmdBin        = "SPMD_TEST_BIN"
)

// SSHHosts are the loopback addresses on which the test sshd listens, in
// the order a hostfile should list them.
var SSHHosts = []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"}

// SlurmNodes are the node names of the test Slurm cluster.
var SlurmNodes = []string{"n1", "n2", "n3"}

// RequireCluster reports whether SPMD_REQUIRE_CLUSTER=1, under which missing
// cluster software fails tests instead of skipping them.
func RequireCluster() bool { return os.Getenv(EnvRequireCluster) == "1" }

// missing ends the test because something it needs is not there: Skip
// normally, Fatal when SPMD_REQUIRE_CLUSTER=1. Callers must return right
// after it (a fake testing.TB in this package's tests does not stop).
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if RequireCluster() {
		t.Fatalf("%s (a failure, not a skip, because %s=1)", msg, EnvRequireCluster)
		return
	}
	t.Skip(msg)
}
