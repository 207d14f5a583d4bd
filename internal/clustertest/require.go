package clustertest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// probes caches the result of each live check (an ssh round trip, an sinfo
// call) for the life of the test process: the software does not come and
// go between tests, and each check costs a fraction of a second.
var probes sync.Map // key string -> *probe

type probe struct {
	once sync.Once
	err  error
}

func probeOnce(key string, check func() error) error {
	p, _ := probes.LoadOrStore(key, new(probe))
	pr := p.(*probe)
	pr.once.Do(func() { pr.err = check() })
	return pr.err
}

// RequireSSH returns the ssh client config (for ssh -F) that reaches the
// test sshd on SSHHosts, after checking once per process that
// `ssh -F cfg 127.0.0.2 true` works. Otherwise it skips the test (fails it
// under SPMD_REQUIRE_CLUSTER=1).
func RequireSSH(t testing.TB) (sshConfig string) {
	t.Helper()
	cfg := os.Getenv(EnvSSHConfig)
	if cfg == "" {
		missing(t, "sshd for tests not running: run scripts/ci/start-sshd.sh and export the %s it prints", EnvSSHConfig)
		return ""
	}
	if _, err := exec.LookPath("ssh"); err != nil {
		missing(t, "ssh client not installed (%v): run scripts/ci/start-sshd.sh", err)
		return ""
	}
	if _, err := os.Stat(cfg); err != nil {
		missing(t, "sshd for tests not set up: %s=%s: %v; run scripts/ci/start-sshd.sh", EnvSSHConfig, cfg, err)
		return ""
	}
	err := probeOnce("ssh "+cfg, func() error {
		return quiet(20*time.Second, "ssh", "-F", cfg, SSHHosts[1], "true")
	})
	if err != nil {
		missing(t, "sshd for tests not reachable (%v): run scripts/ci/start-sshd.sh", err)
		return ""
	}
	return cfg
}

// RequireSlurm checks that the test Slurm cluster is enabled
// (SPMD_TEST_SLURM=1), that srun, sbatch, squeue, scontrol and sinfo are on
// PATH, and, once per process, that sinfo lists at least len(SlurmNodes)
// nodes, none of them down. Otherwise it skips the test (fails it under
// SPMD_REQUIRE_CLUSTER=1).
func RequireSlurm(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvSlurm) != "1" {
		missing(t, "Slurm test cluster not enabled: run scripts/ci/start-slurm.sh and export %s=1", EnvSlurm)
		return
	}
	for _, cmd := range []string{"srun", "sbatch", "squeue", "scontrol", "sinfo"} {
		if _, err := exec.LookPath(cmd); err != nil {
			missing(t, "Slurm not installed (%v): run scripts/ci/start-slurm.sh", err)
			return
		}
	}
	err := probeOnce("slurm", func() error {
		out, err := output(15*time.Second, "sinfo", "-h", "-N", "-o", "%N %T")
		if err != nil {
			return err
		}
		return checkNodes(out, len(SlurmNodes))
	})
	if err != nil {
		missing(t, "Slurm test cluster not ready (%v): run scripts/ci/start-slurm.sh", err)
	}
}

// checkNodes checks sinfo -h -N -o "%N %T" output: at least want nodes,
// none down, drained or failing.
func checkNodes(sinfo string, want int) error {
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(sinfo), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		n++
		if strings.HasSuffix(f[1], "*") {
			return fmt.Errorf("node %s is not responding (%s)", f[0], f[1])
		}
		switch strings.TrimRight(f[1], "~#!%$@^-") {
		case "down", "drained", "draining", "fail", "failing", "unknown", "not_responding":
			return fmt.Errorf("node %s is %s", f[0], f[1])
		}
	}
	if n < want {
		return fmt.Errorf("sinfo lists %d nodes, want at least %d", n, want)
	}
	return nil
}

// RequireOpenMPI returns the path of Open MPI's launcher, mpirun.openmpi,
// or skips the test (fails it under SPMD_REQUIRE_CLUSTER=1). Pass
// OpenMPIFlags() before -np.
func RequireOpenMPI(t testing.TB) (mpirun string) {
	t.Helper()
	return requireMPI(t, "mpirun.openmpi", "Open MPI")
}

// RequireMPICH returns the path of MPICH's launcher, mpiexec.mpich, or
// skips the test (fails it under SPMD_REQUIRE_CLUSTER=1).
func RequireMPICH(t testing.TB) (mpiexec string) {
	t.Helper()
	return requireMPI(t, "mpiexec.mpich", "MPICH")
}

func requireMPI(t testing.TB, launcher, name string) string {
	t.Helper()
	if os.Getenv(EnvMPI) == "0" {
		missing(t, "%s tests turned off by %s=0", name, EnvMPI)
		return ""
	}
	path, err := exec.LookPath(launcher)
	if err != nil {
		missing(t, "%s not installed (%v): run scripts/ci/install-mpi.sh", name, err)
		return ""
	}
	return path
}

// OpenMPIFlags are the mpirun.openmpi flags a test on one machine needs:
// more ranks than cores (--oversubscribe), runtime and TCP traffic on
// loopback only, and --allow-run-as-root when running as root (as CI does).
func OpenMPIFlags() []string {
	f := []string{"--oversubscribe", "--mca", "oob_tcp_if_include", "lo", "--mca", "btl_tcp_if_include", "lo"}
	if os.Geteuid() == 0 {
		f = append(f, "--allow-run-as-root")
	}
	return f
}
