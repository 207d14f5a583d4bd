package job

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/spmd-go/spmd/comm"
)

// execute runs j on n in-process ranks and returns the root's output and
// each rank's error.
func execute(t *testing.T, n int, j Job, o Options) (string, []error) {
	t.Helper()
	cs := comm.NewMemWorld(n, comm.Config{})
	var out bytes.Buffer
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			oo := o
			if i == 0 {
				oo.Out = &out
			} else {
				oo.Out = failWriter{t}
			}
			errs[i] = Execute(c, j, oo)
			if errs[i] != nil {
				c.Abort(1)
			}
			c.Close()
		}()
	}
	wg.Wait()
	return out.String(), errs
}

type failWriter struct{ t *testing.T }

func (f failWriter) Write(p []byte) (int, error) {
	f.t.Errorf("a non-root rank printed %q", p)
	return len(p), nil
}

func sumJob(verifyOK bool) Job {
	var total int64
	return Job{
		Name: "sum",
		Parallel: func(r *Run) (*Result, error) {
			s := []int64{0}
			if err := r.Communicate(func() error { return r.Comm.Reduce([]int64{int64(r.Comm.Rank() + 1)}, s, comm.Sum, 0) }); err != nil {
				return nil, err
			}
			if !r.Root() {
				return nil, nil
			}
			total = s[0]
			res := &Result{Work: 10, WorkUnit: "items"}
			res.Set("total", total)
			return res, nil
		},
		Verify: func(r *Run, res *Result) error {
			r.Serial(func() error { return nil })
			res.SetVerified(verifyOK, "", "")
			return nil
		},
	}
}

func TestReportJSON(t *testing.T) {
	out, errs := execute(t, 3, sumJob(true), Options{JSON: true, Verify: true, Threads: 2})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", i, err)
		}
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	if rep["schema"] != Schema || rep["job"] != "sum" || rep["ranks"] != 3.0 || rep["threads"] != 2.0 {
		t.Errorf("report fields wrong: %v", rep)
	}
	if v, _ := rep["verify"].(map[string]any); v == nil || v["agrees"] != true || v["reference"] != "the serial reference" {
		t.Errorf("verify: %v", rep["verify"])
	}
	if res := rep["result"].(map[string]any); res["total"] != 6.0 || res["items_per_second"] == nil {
		t.Errorf("result %v, want total 6 and a throughput", res)
	}
	if pr := rep["per_rank"].([]any); len(pr) != 3 {
		t.Errorf("per_rank has %d entries, want 3", len(pr))
	}
	for _, k := range []string{"elapsed_seconds", "section_seconds", "phases"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	ph := rep["phases"].(map[string]any)
	// The user's clock covers every phase: elapsed >= their sum.
	sum := ph["startup"].(float64) + ph["setup"].(float64) + ph["section"].(float64) + ph["finish"].(float64)
	if el := rep["elapsed_seconds"].(float64); el < sum-1e-6 || el <= 0 {
		t.Errorf("elapsed %v s, phases add up to %v s", el, sum)
	}
}

func TestReportTableAndMismatch(t *testing.T) {
	out, errs := execute(t, 2, sumJob(false), Options{Verify: true, Threads: 1})
	if !errors.Is(errs[0], ErrMismatch) {
		t.Errorf("root error %v, want ErrMismatch", errs[0])
	}
	for _, want := range []string{"sum: 2 ranks x 1 thread", "total", "3", "DIFFERS", "end to end", "parallel section"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// A panic in one rank's job becomes an error on that rank, and the other
// ranks, blocked in the closing barrier, get an error instead of hanging.
func TestPanicBecomesError(t *testing.T) {
	j := Job{Name: "boom", Parallel: func(r *Run) (*Result, error) {
		if r.Comm.Rank() == 1 {
			panic("kernel bug")
		}
		return &Result{}, nil
	}}
	_, errs := execute(t, 3, j, Options{})
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "panic: kernel bug") {
		t.Errorf("rank 1: %v, want the panic as an error", errs[1])
	}
	for _, i := range []int{0, 2} {
		if errs[i] == nil {
			t.Errorf("rank %d finished without error although rank 1 failed", i)
		}
	}
}

func TestCPUProfilePerRank(t *testing.T) {
	dir := t.TempDir()
	// One rank: CPU profiling is per process, and in-process ranks share one.
	_, errs := execute(t, 1, sumJob(true), Options{CPUProfile: dir})
	if errs[0] != nil {
		t.Fatal(errs)
	}
	for _, name := range []string{"cpu.rank0.pprof"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".cpu*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// The fault hook makes the chosen rank fail and the others get an error.
func TestInjectedFault(t *testing.T) {
	t.Setenv("SPMD_TEST_FAIL_RANK", "1")
	for _, mode := range []string{"error", "panic"} {
		t.Setenv("SPMD_TEST_FAIL_MODE", mode)
		_, errs := execute(t, 3, sumJob(true), Options{})
		if errs[1] == nil || !strings.Contains(errs[1].Error(), "injected fault") {
			t.Errorf("%s: rank 1 got %v", mode, errs[1])
		}
		if errs[0] == nil || errs[2] == nil {
			t.Errorf("%s: the other ranks finished without error: %v", mode, errs)
		}
	}
}
