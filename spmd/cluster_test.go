package main

// Tests that launch the spmd binary with real cluster software: sbatch and
// srun on the loopback Slurm cluster, mpirun.openmpi, mpiexec.mpich, and
// spmd run over the loopback sshd. Each skips only when that software is
// absent (and fails instead under SPMD_REQUIRE_CLUSTER=1, as in CI); see
// package internal/clustertest and scripts/ci for how to start it.
//
// All of them run the hello job and expect the same answer as
// `spmd run -np N hello`: one line "hello: N ranks, allreduce ok".

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spmd-go/spmd/internal/clustertest"
)

// clusterTimeout bounds every launch in these tests; a healthy one takes
// about a second.
const clusterTimeout = 2 * time.Minute

var helloRE = regexp.MustCompile(`hello: \d+ ranks, allreduce ok`)

// helloLine is what the hello job reports for n ranks.
func helloLine(n int) string { return fmt.Sprintf("hello: %d ranks, allreduce ok", n) }

// checkHello fails the test unless r succeeded and its output reports
// exactly one hello line, for n ranks.
func checkHello(t *testing.T, what string, r clustertest.Result, n int) {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("%s: %v", what, r)
	}
	got := helloRE.FindAllString(r.Stdout, -1)
	if len(got) != 1 || got[0] != helloLine(n) {
		t.Fatalf("%s: reported %q, want one %q\n%v", what, got, helloLine(n), r)
	}
}

// repoFile returns the absolute path of a file of this repository (tests run
// in the package directory, spmd/).
func repoFile(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", rel))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestClusterSbatch submits scripts/slurm/spmd.sbatch on 3 nodes with 2
// tasks each, waits for it, and checks the results file the script wrote
// (SPMD_RESULT) and the job's final state.
func TestClusterSbatch(t *testing.T) {
	clustertest.RequireSlurm(t)
	spmd := clustertest.BuildSpmd(t)
	dir := t.TempDir()
	result := filepath.Join(dir, "hello.out")
	log := filepath.Join(dir, "slurm-%j.out")
	// sbatch passes the submitting environment on to the job.
	t.Setenv("SPMD_BIN", spmd)
	t.Setenv("SPMD_RESULT", result)
	id := clustertest.Sbatch(t, "--nodes=3", "--ntasks-per-node=2", "--time=5", "--output="+log,
		repoFile(t, "scripts/slurm/spmd.sbatch"), "hello")
	job := clustertest.WaitSlurmJob(t, id, clusterTimeout)
	logText, _ := os.ReadFile(strings.ReplaceAll(log, "%j", id))
	if job.State != "COMPLETED" || job.ExitCode != "0:0" {
		t.Fatalf("job %s: %s, exit %s; want COMPLETED 0:0\n--- job log\n%s", id, job.State, job.ExitCode, logText)
	}
	out, err := os.ReadFile(result)
	if err != nil {
		t.Fatalf("job %s wrote no results: %v\n--- job log\n%s", id, err, logText)
	}
	checkHello(t, "sbatch spmd.sbatch hello", clustertest.Result{Stdout: string(out)}, 6)
}

// TestClusterSrun starts 6 ranks on 3 nodes with srun, the way a user of an
// interactive allocation would: ranks on several nodes need the job's
// secret from the environment (docs/LAUNCHING.md), which srun passes on.
func TestClusterSrun(t *testing.T) {
	clustertest.RequireSlurm(t)
	spmd := clustertest.BuildSpmd(t)
	cmd := exec.Command("srun", "-I30", "-N", "3", "-n", "6", "-O", spmd, "hello")
	cmd.Env = append(os.Environ(), "SPMD_SECRET=5f0c2a9e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f")
	r := clustertest.RunCmd(t, clusterTimeout, cmd)
	checkHello(t, "srun -N 3 -n 6 -O spmd hello", r, 6)
}

// TestClusterSrunNoSecret runs `srun -N 3 -n 6 spmd pi` exactly as a user
// types it, with no secret in the environment: the ranks share one through
// Slurm's PMI-2 key-value store (the CI's Slurm has MpiDefault=pmi2; on a
// cluster started before it did, SLURM_MPI_TYPE=pmi2 stands in for it).
// Without PMI (--mpi=none) the same command fails at once, saying what to
// do.
func TestClusterSrunNoSecret(t *testing.T) {
	clustertest.RequireSlurm(t)
	spmd := clustertest.BuildSpmd(t)
	env := withoutSecret(os.Environ())
	if mpi := slurmMpiDefault(t); mpi != "pmi2" {
		t.Logf("this Slurm has MpiDefault=%s: running with SLURM_MPI_TYPE=pmi2", mpi)
		env = append(env, "SLURM_MPI_TYPE=pmi2")
	}
	cmd := exec.Command("srun", "-N", "3", "-n", "6", spmd, "pi")
	cmd.Env = env
	r := clustertest.RunCmd(t, clusterTimeout, cmd)
	if r.Code != 0 || !strings.Contains(r.Stdout, "pi: 6 ranks") || !strings.Contains(r.Stdout, "estimate") {
		t.Fatalf("srun -N 3 -n 6 spmd pi, no secret: %v", r)
	}

	cmd = exec.Command("srun", "--mpi=none", "-N", "3", "-n", "6", spmd, "pi")
	cmd.Env = withoutSecret(os.Environ())
	r = clustertest.RunCmd(t, clusterTimeout, cmd)
	if want := "need a shared secret: run them with srun --mpi=pmi2"; r.Code == 0 || !strings.Contains(r.Stderr, want) {
		t.Errorf("srun --mpi=none -N 3 -n 6 spmd pi, no secret: want a failure saying %q: %v", want, r)
	}
}

// TestClusterMPICHNodesNoSecret runs MPICH's mpiexec over ssh on two
// "hosts" (127.0.0.2 and 127.0.0.3, through the test sshd), 2 ranks each,
// with no secret and no --rendezvous: hydra's PMI store carries them.
func TestClusterMPICHNodesNoSecret(t *testing.T) {
	mpiexec := clustertest.RequireMPICH(t)
	cfg := clustertest.RequireSSH(t)
	spmd := clustertest.BuildSpmd(t)
	// Hydra runs its launcher as one word: a script stands for ssh -F cfg.
	ssh := filepath.Join(t.TempDir(), "ssh")
	if err := os.WriteFile(ssh, []byte("#!/bin/sh\nexec ssh -F "+cfg+" \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(mpiexec, "-launcher", "ssh", "-launcher-exec", ssh, "-hosts", "127.0.0.2:2,127.0.0.3:2", "-n", "4", spmd, "hello")
	cmd.Env = withoutSecret(os.Environ())
	r := clustertest.RunCmd(t, clusterTimeout, cmd)
	checkHello(t, "mpiexec.mpich -hosts 127.0.0.2:2,127.0.0.3:2 -n 4 spmd hello", r, 4)
	for _, host := range []string{"127.0.0.2", "127.0.0.3"} {
		if strings.Count(r.Stdout, " "+host+" ") != 2 {
			t.Errorf("want 2 ranks listening on %s (hydra's name for their host):\n%s", host, r.Stdout)
		}
	}
}

// withoutSecret is env without any SPMD_SECRET or SPMD_SECRET_FILE.
func withoutSecret(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "SPMD_SECRET=") && !strings.HasPrefix(kv, "SPMD_SECRET_FILE=") {
			out = append(out, kv)
		}
	}
	return out
}

// slurmMpiDefault is the cluster's MpiDefault, from scontrol.
func slurmMpiDefault(t *testing.T) string {
	out, err := exec.Command("scontrol", "show", "config").Output()
	if err != nil {
		t.Fatalf("scontrol show config: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "MpiDefault" {
			return strings.TrimSpace(v)
		}
	}
	return "none"
}

// TestClusterMPI starts 3 ranks with each MPI launcher and expects the
// same answer as spmd's own launcher. Each launcher is its own subtest, so
// one failing does not hide the others.
func TestClusterMPI(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	for _, tc := range []struct {
		name string
		argv func(t *testing.T) []string // the command line; may skip t
	}{
		{"spmd-run", func(t *testing.T) []string {
			return []string{spmd, "run", "-np", "3", "--oversubscribe", "hello"}
		}},
		{"openmpi", func(t *testing.T) []string {
			mpirun := clustertest.RequireOpenMPI(t)
			return append(append([]string{mpirun}, clustertest.OpenMPIFlags()...), "-np", "3", spmd, "hello")
		}},
		{"mpich", func(t *testing.T) []string {
			return []string{clustertest.RequireMPICH(t), "-n", "3", spmd, "hello"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			argv := tc.argv(t)
			r := clustertest.Run(t, clusterTimeout, argv[0], argv[1:]...)
			checkHello(t, filepath.Base(argv[0])+" "+strings.Join(argv[1:], " "), r, 3)
		})
	}
}

// TestClusterHostfileSSH runs the repository's hostfile (2 ranks on each of
// 127.0.0.1-3) with spmd run: the ranks on 127.0.0.2 and 127.0.0.3 start
// through the test sshd.
func TestClusterHostfileSSH(t *testing.T) {
	cfg := clustertest.RequireSSH(t)
	spmd := clustertest.BuildSpmd(t)
	cmd := exec.Command(spmd, "run", "--hostfile", repoFile(t, "hostfile"), "hello")
	cmd.Env = append(os.Environ(), "SPMD_SSH=ssh -F "+cfg)
	checkHello(t, "spmd run --hostfile hostfile hello", clustertest.RunCmd(t, clusterTimeout, cmd), 6)
}
