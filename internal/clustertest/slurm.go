package clustertest

import (
	"strings"
	"testing"
	"time"
)

// SlurmJob is the final state of a batch job, from scontrol show job.
type SlurmJob struct {
	ID       string
	State    string // JobState, e.g. COMPLETED, FAILED, CANCELLED, TIMEOUT
	ExitCode string // ExitCode as Slurm prints it, "code:signal", e.g. "0:0"
	Raw      string // the whole scontrol show job -o line
}

// Sbatch submits a batch job (sbatch --parsable ARGS...) and returns its
// id. A failed submission fails the test. Call RequireSlurm first.
func Sbatch(t testing.TB, args ...string) (jobID string) {
	t.Helper()
	res := Run(t, time.Minute, "sbatch", append([]string{"--parsable"}, args...)...)
	if res.Code != 0 {
		t.Fatalf("sbatch %s: %v", strings.Join(args, " "), res)
	}
	id, _, _ := strings.Cut(strings.TrimSpace(res.Stdout), ";") // "ID;cluster"
	if id == "" {
		t.Fatalf("sbatch %s printed no job id: %v", strings.Join(args, " "), res)
	}
	return id
}

// WaitSlurmJob polls squeue until job id has left the queue, then returns
// its final state from scontrol. If the job is still queued or running after
// timeout it is cancelled and the test fails. (sacct would need slurmdbd;
// finished jobs stay visible to scontrol for MinJobAge, 5 minutes in the
// test cluster.)
func WaitSlurmJob(t testing.TB, id string, timeout time.Duration) SlurmJob {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		res := Run(t, 30*time.Second, "squeue", "-h", "-j", id, "-o", "%T")
		state := strings.TrimSpace(res.Stdout)
		// squeue prints nothing once the job has finished (or fails once
		// it has been purged); COMPLETING still has steps to clean up.
		if res.Code != 0 || state == "" || finalJobStates[state] {
			break
		}
		if time.Now().After(deadline) {
			Run(t, 30*time.Second, "scancel", id)
			t.Fatalf("slurm job %s still %s after %v; cancelled", id, state, timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
	res := Run(t, 30*time.Second, "scontrol", "show", "job", "-o", id)
	if res.Code != 0 {
		t.Fatalf("scontrol show job %s: %v", id, res)
	}
	return parseSlurmJob(id, res.Stdout)
}

// finalJobStates are the job states squeue may show for a finished job.
var finalJobStates = map[string]bool{
	"COMPLETED": true, "FAILED": true, "CANCELLED": true, "TIMEOUT": true,
	"NODE_FAIL": true, "OUT_OF_MEMORY": true, "PREEMPTED": true,
	"BOOT_FAIL": true, "DEADLINE": true,
}

// parseSlurmJob reads JobState and ExitCode out of a scontrol show job -o
// line (space-separated Key=Value pairs).
func parseSlurmJob(id, line string) SlurmJob {
	j := SlurmJob{ID: id, Raw: strings.TrimSpace(line)}
	for _, f := range strings.Fields(line) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		switch k {
		case "JobState":
			j.State = v
		case "ExitCode":
			j.ExitCode = v
		}
	}
	return j
}
