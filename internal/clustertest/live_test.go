package clustertest

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// The tests in this file check the cluster software itself, with plain
// commands instead of spmd, and pin the facts the spmd launchers rely on:
// which hosts answer, and which rank variables each launcher sets. When one
// of them fails, the environment is broken, not spmd.

// TestLiveSSH runs a command on each test host through the test sshd.
func TestLiveSSH(t *testing.T) {
	cfg := RequireSSH(t)
	for _, host := range SSHHosts {
		r := Run(t, 30*time.Second, "ssh", "-F", cfg, host, "echo $SSH_CONNECTION")
		// SSH_CONNECTION is "client-addr client-port server-addr server-port".
		f := strings.Fields(r.Stdout)
		if r.Code != 0 || len(f) != 4 || f[2] != host || f[3] != "2222" {
			t.Errorf("ssh %s: %v; want SSH_CONNECTION ending %s 2222", host, r, host)
		}
	}
}

// TestLiveSSHPath checks that a remote command finds go: sshd sets a
// minimal environment, and the test sshd's PATH must include Go.
func TestLiveSSHPath(t *testing.T) {
	cfg := RequireSSH(t)
	r := Run(t, 30*time.Second, "ssh", "-F", cfg, SSHHosts[2], "command -v go")
	if r.Code != 0 || strings.TrimSpace(r.Stdout) == "" {
		t.Errorf("go not found on the remote PATH: %v", r)
	}
}

// TestLiveSrun runs a 6-task step over the three test nodes and checks the
// variables every task sees.
func TestLiveSrun(t *testing.T) {
	RequireSlurm(t)
	r := Run(t, 2*time.Minute, "srun", "-I30", "-N", "3", "-n", "6", "--ntasks-per-node=2", "-O",
		"sh", "-c", `echo "$SLURM_PROCID $SLURM_NTASKS $SLURMD_NODENAME $SLURM_STEP_NODELIST ${SLURM_STEP_ID:+step}"`)
	if r.Code != 0 {
		t.Fatalf("srun: %v", r)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		got = append(got, line)
	}
	slices.Sort(got)
	var want []string
	for rank := range 6 {
		want = append(want, fmt.Sprintf("%d 6 n%d n[1-3] step", rank, rank/2+1))
	}
	if !slices.Equal(got, want) {
		t.Errorf("srun tasks printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLiveSbatch submits a batch job and waits for its state and exit code.
func TestLiveSbatch(t *testing.T) {
	RequireSlurm(t)
	out := t.TempDir() + "/out.txt"
	id := Sbatch(t, "-N", "2", "--ntasks-per-node=1", "--output="+out, "--wrap",
		`srun hostname >/dev/null && echo "batch $SLURM_JOB_NUM_NODES nodes"; exit 3`)
	j := WaitSlurmJob(t, id, 2*time.Minute)
	if j.State != "FAILED" || j.ExitCode != "3:0" {
		t.Errorf("job %s: state %s exit %s, want FAILED 3:0\n%s", id, j.State, j.ExitCode, j.Raw)
	}
	r := Run(t, 10*time.Second, "cat", out)
	if strings.TrimSpace(r.Stdout) != "batch 2 nodes" {
		t.Errorf("job output %q, want \"batch 2 nodes\"", r.Stdout)
	}
}

// TestLiveMPI runs 3 ranks under each MPI launcher and checks the rank
// variables the spmd bootstrap reads.
func TestLiveMPI(t *testing.T) {
	for _, tc := range []struct {
		name    string
		require func(testing.TB) string
		args    func() []string
		vars    string // shell words printing rank and size
	}{
		{"openmpi", RequireOpenMPI, func() []string { return append(OpenMPIFlags(), "-np", "3") },
			"$OMPI_COMM_WORLD_RANK $OMPI_COMM_WORLD_SIZE $PMIX_RANK"},
		{"mpich", RequireMPICH, func() []string { return []string{"-n", "3"} },
			"$PMI_RANK $PMI_SIZE $PMI_RANK"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			launcher := tc.require(t)
			args := append(tc.args(), "sh", "-c", "echo "+tc.vars)
			r := RunCmd(t, 2*time.Minute, exec.Command(launcher, args...))
			if r.Code != 0 {
				t.Fatalf("%s: %v", launcher, r)
			}
			got := strings.Split(strings.TrimSpace(r.Stdout), "\n")
			slices.Sort(got)
			want := []string{"0 3 0", "1 3 1", "2 3 2"}
			if !slices.Equal(got, want) {
				t.Errorf("%s ranks printed %q, want %q", launcher, got, want)
			}
		})
	}
}
