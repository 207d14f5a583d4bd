package main

// spmd farm under real cluster software: over ssh hosts with spmd run
// --hostfile, in a Slurm batch job (scripts/slurm/farm.sbatch), under
// mpirun.openmpi and mpiexec.mpich. In each, a task kills the rank
// running it (suicide): the farm must still log every task exactly once,
// or, where the launcher itself ends the job on a rank's death (MPICH),
// --resume must finish it. Each test skips when its software is absent,
// and fails instead under SPMD_REQUIRE_CLUSTER=1 (CI).

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spmd-go/spmd/internal/clustertest"
)

// farmSuicide are the arguments of a farm of n tasks in which the first
// task to run on a rank >= minRank kills that rank.
func farmSuicide(dir string, n, minRank int) []string {
	kill := fmt.Sprintf(`if [ $SPMD_FARM_RANK -ge %d ] && mkdir %s/killed 2>/dev/null; then kill -KILL $PPID; sleep 5; fi; `, minRank, dir)
	return []string{"--grid", fmt.Sprintf("i=1:%d", n), "--", "sh", "-c", kill + "sleep 0.05; echo {i}"}
}

// checkKilledAndLogged checks that the suicide happened and that the joblog
// has every task once with exit 0.
func checkKilledAndLogged(t *testing.T, dir, log string, n int) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "killed")); err != nil {
		t.Error("no rank was killed")
	}
	checkLoggedOnce(t, log, n)
}

// TestClusterFarmHostfileSSH: 6 ranks on 127.0.0.1-3 (the repository's
// hostfile), the remote ones through the test sshd; a remote rank is
// killed mid-farm and the others finish.
func TestClusterFarmHostfileSSH(t *testing.T) {
	cfg := clustertest.RequireSSH(t)
	spmd := clustertest.BuildSpmd(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	marker := launchMarker(t)
	const n = 60
	args := append([]string{"run", "--hostfile", repoFile(t, "hostfile"), "-x", marker, "farm", "--slots", "1", "--joblog", log}, farmSuicide(dir, n, 2)...)
	cmd := exec.Command(spmd, args...)
	cmd.Env = append(os.Environ(), "SPMD_SSH=ssh -F "+cfg)
	r := clustertest.RunCmd(t, farmTimeout, cmd)
	launchNoneLeft(t, marker, 10*time.Second) // remote kills go through ssh
	if r.Code != 0 || !strings.Contains(r.Stderr, "farm: lost rank") {
		t.Fatalf("exit %d, want 0 and a lost rank reported\n%v", r.Code, r)
	}
	checkKilledAndLogged(t, dir, log, n)
}

// TestClusterFarmPBS runs scripts/pbs/farm.pbs as PBS would, with a
// $PBS_NODEFILE of 2 slots on each of 127.0.0.1 and 127.0.0.2 (the latter
// over the test sshd): the script makes the hostfile, adds the joblog and
// --resume, and the farm survives a rank on 127.0.0.2 killed mid-farm. Run
// again, it resumes: nothing is left to do.
func TestClusterFarmPBS(t *testing.T) {
	cfg := clustertest.RequireSSH(t)
	spmd := clustertest.BuildSpmd(t)
	dir := t.TempDir()
	nodefile := filepath.Join(dir, "nodes")
	os.WriteFile(nodefile, []byte("127.0.0.1\n127.0.0.1\n127.0.0.2\n127.0.0.2\n"), 0o644)
	const n = 40
	run := func() clustertest.Result {
		cmd := exec.Command("bash", append([]string{repoFile(t, "scripts/pbs/farm.pbs"), "--slots", "1"}, farmSuicide(dir, n, 2)...)...)
		cmd.Env = append(os.Environ(), "PBS_NODEFILE="+nodefile, "PBS_O_WORKDIR="+dir, "SPMD_BIN="+spmd, "SPMD_SSH=ssh -F "+cfg)
		return clustertest.RunCmd(t, farmTimeout, cmd)
	}
	if r := run(); r.Code != 0 || !strings.Contains(r.Stderr, "farm: lost rank") {
		t.Fatalf("exit %d, want 0 and a lost rank\n%v", r.Code, r)
	}
	checkKilledAndLogged(t, dir, filepath.Join(dir, "farm.joblog"), n)
	if r := run(); r.Code != 0 || !strings.Contains(r.Stderr, fmt.Sprintf("farm: %d tasks: 0 succeeded, 0 failed, %d skipped", n, n)) {
		t.Errorf("submitted again: exit %d, want 0 with every task skipped\n%v", r.Code, r)
	}
}

// TestClusterFarmSbatch submits scripts/slurm/farm.sbatch on 3 nodes with 2
// ranks each; a rank on another node than rank 0's is killed mid-farm.
// srun keeps the step (--kill-on-bad-exit=0), the others finish, and the
// script exits with rank 0's status, 0, although srun's is 137.
func TestClusterFarmSbatch(t *testing.T) {
	clustertest.RequireSlurm(t)
	spmd := clustertest.BuildSpmd(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "farm.joblog")
	out := filepath.Join(dir, "slurm-%j.out")
	t.Setenv("SPMD_BIN", spmd)
	const n = 60
	// No --joblog: the script's default, farm.joblog in the job's directory.
	args := append([]string{"--nodes=3", "--ntasks-per-node=2", "--time=5", "--chdir=" + dir, "--output=" + out,
		repoFile(t, "scripts/slurm/farm.sbatch"), "--slots", "1"}, farmSuicide(dir, n, 2)...)
	id := clustertest.Sbatch(t, args...)
	job := clustertest.WaitSlurmJob(t, id, clusterTimeout)
	text, _ := os.ReadFile(strings.ReplaceAll(out, "%j", id))
	if job.State != "COMPLETED" || job.ExitCode != "0:0" {
		t.Fatalf("job %s: %s, exit %s; want COMPLETED 0:0\n--- job output\n%s", id, job.State, job.ExitCode, text)
	}
	if !strings.Contains(string(text), "farm: lost rank") || !strings.Contains(string(text), "rank 0, which decides, exited 0") {
		t.Errorf("the job output does not report the lost rank and the verdict:\n%s", text)
	}
	checkKilledAndLogged(t, dir, log, n)
}

// TestClusterFarmOpenMPI: under mpirun.openmpi with --enable-recovery
// (without it, mpirun ends the job when a rank dies by a signal), the
// farm survives a killed rank. mpirun's exit status is then 0 whatever
// rank 0's was (Open MPI 4.1), so the joblog is the verdict.
func TestClusterFarmOpenMPI(t *testing.T) {
	mpirun := clustertest.RequireOpenMPI(t)
	spmd := clustertest.BuildSpmd(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	const n = 40
	args := append(append(clustertest.OpenMPIFlags(), "--enable-recovery", "-np", "3", spmd, "farm", "--slots", "1", "--joblog", log), farmSuicide(dir, n, 1)...)
	r := clustertest.Run(t, farmTimeout, mpirun, args...)
	if r.Code != 0 || !strings.Contains(r.Stderr, "farm: lost rank") {
		t.Fatalf("exit %d, want 0 and a lost rank reported\n%v", r.Code, r)
	}
	checkKilledAndLogged(t, dir, log, n)
}

// TestClusterFarmMPICH: mpiexec.mpich (4.0) ends the whole job when a rank
// dies by a signal, -disable-auto-cleanup or not; the joblog then lets
// --resume finish the farm, each task logged once.
func TestClusterFarmMPICH(t *testing.T) {
	mpiexec := clustertest.RequireMPICH(t)
	spmd := clustertest.BuildSpmd(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	const n = 40
	args := append([]string{"-n", "3", spmd, "farm", "--slots", "1", "--joblog", log}, farmSuicide(dir, n, 1)...)
	r := clustertest.Run(t, farmTimeout, mpiexec, args...)
	if r.Code == 0 {
		t.Logf("MPICH kept the job after a rank was killed (a newer MPICH?)\n%v", r)
	}
	resume := append([]string{"-n", "3", spmd, "farm", "--slots", "1", "--joblog", log, "--resume"}, farmSuicide(dir, n, 1)...)
	if r := clustertest.Run(t, farmTimeout, mpiexec, resume...); r.Code != 0 {
		t.Fatalf("--resume after the job died: exit %d\n%v", r.Code, r)
	}
	checkKilledAndLogged(t, dir, log, n)
}
