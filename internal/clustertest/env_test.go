package clustertest

import (
	"fmt"
	"strings"
	"testing"
)

// fakeTB records Skip and Fatal instead of stopping the test, so the
// skip-or-fail decision can itself be tested.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Skip(args ...any)               { f.skipped = fmt.Sprint(args...) }
func (f *fakeTB) Fatalf(format string, a ...any) { f.failed = fmt.Sprintf(format, a...) }

// TestMissingSkipsOrFails checks that SPMD_REQUIRE_CLUSTER=1, and only the
// value 1, turns a skip into a failure, with the same reason either way.
func TestMissingSkipsOrFails(t *testing.T) {
	for _, tc := range []struct {
		require  string
		wantFail bool
	}{
		{"", false},
		{"0", false},
		{"yes", false},
		{"1", true},
	} {
		t.Run("require="+tc.require, func(t *testing.T) {
			t.Setenv(EnvRequireCluster, tc.require)
			f := &fakeTB{}
			missing(f, "thing not running: run %s", "scripts/ci/start-thing.sh")
			got := f.skipped
			if tc.wantFail {
				got = f.failed
				if f.skipped != "" {
					t.Errorf("skipped %q, want a failure", f.skipped)
				}
			} else if f.failed != "" {
				t.Errorf("failed %q, want a skip", f.failed)
			}
			if !strings.HasPrefix(got, "thing not running: run scripts/ci/start-thing.sh") {
				t.Errorf("message %q does not give the reason", got)
			}
		})
	}
}

// TestRequireNotConfigured checks each Require function's answer when its
// software is not configured: a skip that names the script to run.
func TestRequireNotConfigured(t *testing.T) {
	t.Setenv(EnvRequireCluster, "")
	t.Setenv(EnvSSHConfig, "")
	t.Setenv(EnvSlurm, "")
	t.Setenv(EnvMPI, "0")
	for _, tc := range []struct {
		name    string
		require func(testing.TB) string
		want    string
	}{
		{"ssh", RequireSSH, "sshd for tests not running: run scripts/ci/start-sshd.sh"},
		{"slurm", func(t testing.TB) string { RequireSlurm(t); return "" }, "run scripts/ci/start-slurm.sh"},
		{"openmpi", RequireOpenMPI, "Open MPI tests turned off by SPMD_TEST_MPI=0"},
		{"mpich", RequireMPICH, "MPICH tests turned off by SPMD_TEST_MPI=0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeTB{}
			if got := tc.require(f); got != "" {
				t.Errorf("returned %q, want \"\"", got)
			}
			if !strings.Contains(f.skipped, tc.want) {
				t.Errorf("skip message %q does not contain %q", f.skipped, tc.want)
			}
			if f.failed != "" {
				t.Errorf("failed %q, want a skip", f.failed)
			}
		})
	}
}

// TestRequireSSHMissingConfig checks that a config path that does not exist
// is reported, not passed on to ssh.
func TestRequireSSHMissingConfig(t *testing.T) {
	t.Setenv(EnvRequireCluster, "1")
	t.Setenv(EnvSSHConfig, t.TempDir()+"/no-such-config")
	f := &fakeTB{}
	if got := RequireSSH(f); got != "" {
		t.Errorf("returned %q, want \"\"", got)
	}
	if !strings.Contains(f.failed, "no-such-config") {
		t.Errorf("failure %q does not name the missing file", f.failed)
	}
}

func TestOpenMPIFlags(t *testing.T) {
	f := strings.Join(OpenMPIFlags(), " ")
	for _, want := range []string{"--oversubscribe", "--mca oob_tcp_if_include lo"} {
		if !strings.Contains(f, want) {
			t.Errorf("OpenMPIFlags() = %q, missing %q", f, want)
		}
	}
}
