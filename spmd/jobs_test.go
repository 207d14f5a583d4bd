package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spmd-go/spmd/internal/clustertest"
)

// Every job runs through `spmd run` as real processes over TCP (the jobs'
// own tests, in spmd/jobs, run them in-process on many shapes): the JSON
// result of N ranks equals the one-rank result (exactly, for the fields
// the split guarantees), and --verify agrees with the serial reference.

const jobTimeout = 2 * time.Minute

type jobReport struct {
	Job     string `json:"job"`
	Ranks   int    `json:"ranks"`
	Threads int    `json:"threads"`
	Verify  *struct {
		Agrees bool `json:"agrees"`
	} `json:"verify"`
	Result  map[string]any `json:"result"`
	PerRank []any          `json:"per_rank"`
}

// runJSON runs `spmd run -np N --oversubscribe JOB args --json --verify`
// and returns the parsed report.
func runJSON(t *testing.T, np, threads int, job string, args ...string) jobReport {
	t.Helper()
	spmd := clustertest.BuildSpmd(t)
	full := append([]string{"run", "-np", strconv.Itoa(np), "--oversubscribe", job}, args...)
	full = append(full, "--json", "--verify", "--quiet", "--threads", strconv.Itoa(threads))
	r := clustertest.Run(t, jobTimeout, spmd, full...)
	if r.Code != 0 {
		t.Fatalf("spmd %s: %v", strings.Join(full, " "), r)
	}
	var rep jobReport
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("spmd %s: report is not JSON: %v\n%s", strings.Join(full, " "), err, r.Stdout)
	}
	if rep.Job != job || rep.Ranks != np || len(rep.PerRank) != np {
		t.Fatalf("report for %s on %d ranks: %+v", job, np, rep)
	}
	if rep.Verify == nil || !rep.Verify.Agrees {
		t.Fatalf("%s on %d ranks x %d threads: not verified: %+v", job, np, threads, rep)
	}
	return rep
}

func TestJobsIndependentOfSplit(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process job runs skipped in -short mode")
	}
	for _, c := range []struct {
		job  string
		args []string
		keys []string // result fields that must not depend on ranks or threads
	}{
		{"pi", []string{"--samples", "3000017", "--seed", "7"}, []string{"hits", "estimate"}},
		{"cdist", []string{"--m", "37", "--n", "29", "--p", "5", "--seed", "3"}, []string{"checksum", "shape"}},
		{"bootstrap", []string{"--n", "500", "--reps", "301", "--stat", "median"}, []string{"estimate", "standard_error", "ci_low", "ci_high"}},
		{"fit", []string{"--datasets", "23", "--rows", "30", "--predictors", "2"}, []string{"mean_coefficients"}},
		{"sweep", []string{"--beta", "0.1:0.4:0.1", "--gamma", "0.1,0.2", "--N", "200", "--reps", "5"}, []string{"largest_outbreak", "table"}},
		{"hello", nil, []string{"check"}},
	} {
		t.Run(c.job, func(t *testing.T) {
			one := runJSON(t, 1, 1, c.job, c.args...)
			for _, cfg := range [][2]int{{3, 2}} {
				if c.job == "hello" {
					continue
				}
				got := runJSON(t, cfg[0], cfg[1], c.job, c.args...)
				for _, k := range c.keys {
					a, _ := json.Marshal(one.Result[k])
					b, _ := json.Marshal(got.Result[k])
					if string(a) != string(b) {
						t.Errorf("%s %q: 1 rank gives %s, %d ranks x %d threads give %s", c.job, k, a, cfg[0], cfg[1], b)
					}
				}
			}
		})
	}
}

// map keeps input order, reads standard input at rank 0, and writes its
// results atomically with --out.
func TestMapJob(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	var b strings.Builder
	for i := 1; i <= 100; i++ {
		b.WriteString(strconv.Itoa(i) + "," + strconv.Itoa(2*i) + ",1\n")
	}
	os.WriteFile(in, []byte(b.String()), 0o644)
	out := filepath.Join(dir, "out.txt")
	r := clustertest.Run(t, jobTimeout, spmd, "run", "-np", "3", "--oversubscribe", "map", "--func", "sum", "--in", in, "--out", out, "--verify")
	if r.Code != 0 {
		t.Fatal(r)
	}
	got, _ := os.ReadFile(out)
	lines := strings.Fields(string(got))
	if len(lines) != 100 {
		t.Fatalf("%d results, want 100", len(lines))
	}
	for i, l := range lines {
		if want := strconv.Itoa(3*(i+1) + 1); l != want {
			t.Fatalf("result %d = %s, want %s (input order lost?)", i, l, want)
		}
	}
	if !strings.Contains(r.Stdout, "AGREES") {
		t.Errorf("no verification in report:\n%s", r.Stdout)
	}
}
