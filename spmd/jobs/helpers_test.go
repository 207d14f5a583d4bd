package jobs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/job"
)

// report is a job's --json report, as the tests read it.
type report struct {
	Schema  string         `json:"schema"`
	Job     string         `json:"job"`
	Ranks   int            `json:"ranks"`
	Threads int            `json:"threads"`
	Result  map[string]any `json:"result"`
	Verify  *struct {
		Agrees bool   `json:"agrees"`
		Detail string `json:"detail"`
	} `json:"verify"`
	PerRank []json.RawMessage `json:"per_rank"`
}

// run builds the job from p on every rank of an in-process world and
// executes it with --json (and --verify), returning the root's raw JSON
// and each rank's error. It fails the test if the world does not finish.
func run(t *testing.T, ranks, threads int, p Params, verify bool) ([]byte, []error) {
	t.Helper()
	cs := comm.NewMemWorld(ranks, comm.Config{})
	var out bytes.Buffer
	errs := make([]error, ranks)
	var wg sync.WaitGroup
	for r, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			j, err := p.Job(c)
			if err == nil {
				w := io.Discard
				if r == 0 {
					w = &out
				}
				err = job.Execute(c, j, job.Options{Threads: threads, Verify: verify, JSON: true, Quiet: true, Out: w})
			}
			if err != nil {
				errs[r] = err
				c.Abort(1)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%T on %d ranks: no end after 2 minutes", p, ranks)
	}
	return out.Bytes(), errs
}

// runOK is run for a job that must succeed and verify; it returns the
// parsed report.
func runOK(t *testing.T, ranks, threads int, p Params) report {
	t.Helper()
	raw, errs := run(t, ranks, threads, p, true)
	for r, err := range errs {
		if err != nil {
			t.Fatalf("%T on %d ranks x %d threads: rank %d: %v", p, ranks, threads, r, err)
		}
	}
	var rep report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, raw)
	}
	if rep.Ranks != ranks || rep.Threads != threads || len(rep.PerRank) != ranks {
		t.Fatalf("report shape: %+v", rep)
	}
	if rep.Verify == nil || !rep.Verify.Agrees {
		t.Fatalf("%s on %d ranks x %d threads: not verified: %s", rep.Job, ranks, threads, raw)
	}
	return rep
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("!%v", err)
	}
	return string(b)
}
