package jobs

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spmd-go/spmd/dataio"
	"github.com/spmd-go/spmd/job"
)

// TestMapKeepsBlankLines: every input line gives one output line, blank
// for a blank or comment-only one, so outputs line up with inputs (map
// used to drop them).
func TestMapKeepsBlankLines(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	os.WriteFile(in, []byte("4\n\n9 # nine\n# only a comment\n16\n"), 0o644)
	for _, ranks := range []int{1, 3} {
		runOK(t, ranks, 2, &Map{Func: "sqrt", In: in, Out: out, Schedule: "dynamic"})
		got, _ := os.ReadFile(out)
		if want := "4\n\n9\n\n16\n"; string(got) != want {
			t.Errorf("%d ranks: output %q, want %q", ranks, got, want)
		}
	}
}

// TestMapNamesTheLine: a failing item is a usage error naming its line.
func TestMapNamesTheLine(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.txt")
	os.WriteFile(in, []byte("5\n\n0\n7\n"), 0o644) // collatz needs n >= 1
	_, errs := run(t, 2, 1, &Map{Func: "collatz", In: in, Schedule: "dynamic"}, false)
	var ue job.UsageError
	if !errors.As(errs[0], &ue) || !strings.Contains(errs[0].Error(), "--in line 3") {
		t.Errorf("root: %v, want a usage error naming line 3", errs[0])
	}
}

// TestFitGroups: string labels are read, datasets come in sorted label
// order, and a dataset that cannot be fitted (collinear predictors, too
// few rows) is reported by its label while the others are fitted.
func TestFitGroups(t *testing.T) {
	dir := t.TempDir()
	data, out := filepath.Join(dir, "g.csv"), filepath.Join(dir, "coef.csv")
	var b strings.Builder
	b.WriteString("site,x1,x2,y\n")
	for i := 0; i < 12; i++ {
		x1, x2 := float64(i), float64(i*i%7)
		// site_B: y = 1 + 2 x1 - x2 exactly; site_A: x2 = 2 x1, collinear;
		// site_C: two rows only, fewer than the 3 coefficients.
		b.WriteString(strings.Join([]string{"site_B", ftoa(x1), ftoa(x2), ftoa(1 + 2*x1 - x2)}, ",") + "\n")
		b.WriteString(strings.Join([]string{"site_A", ftoa(x1), ftoa(2 * x1), ftoa(x1)}, ",") + "\n")
	}
	b.WriteString("site_C,1,2,3\nsite_C,2,3,5\n")
	os.WriteFile(data, []byte(b.String()), 0o644)
	raw, errs := run(t, 3, 1, &Fit{Data: data, Group: "site", Out: out}, false)
	for r, err := range errs {
		if err != nil {
			t.Errorf("rank %d: %v", r, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	var rep report
	json.Unmarshal(raw, &rep)
	if rep.Result["fitted"] != 1.0 || rep.Result["datasets"] != 3.0 {
		t.Fatalf("result %v, want 3 datasets of which 1 fitted", rep.Result)
	}
	notFitted := jsonOf(rep.Result["not_fitted"])
	for _, want := range []string{"site_A", "rank-deficient", "site_C", "at least 3 rows"} {
		if !strings.Contains(notFitted, want) {
			t.Errorf("not_fitted %s lacks %q", notFitted, want)
		}
	}
	tab, err := dataio.LoadTable(out, dataio.CSVOptions{Header: dataio.HeaderYes})
	if err != nil {
		t.Fatal(err)
	}
	groups, _ := tab.Strings("group")
	icpt, _ := tab.Strings("intercept")
	if strings.Join(groups, " ") != "site_A site_B site_C" || icpt[0] != "" || icpt[2] != "" {
		t.Errorf("coefficients file: groups %v, intercepts %q", groups, icpt)
	}
	if b1, _ := tab.Strings("x1"); !strings.HasPrefix(b1[1], "2") && !strings.HasPrefix(b1[1], "1.99999") {
		t.Errorf("site_B's x1 coefficient %s, want 2", b1[1])
	}
}

// TestFitRefusesFractionGroups: a column of measurements given as the
// group column is refused instead of making a one-row dataset of each row.
func TestFitRefusesFractionGroups(t *testing.T) {
	data := filepath.Join(t.TempDir(), "g.csv")
	os.WriteFile(data, []byte("g,x,y\n0.31,1,2\n0.47,2,3\n0.52,3,5\n"), 0o644)
	_, errs := run(t, 1, 1, &Fit{Data: data, Group: "g"}, false)
	var ue job.UsageError
	if !errors.As(errs[0], &ue) || !strings.Contains(errs[0].Error(), "fraction") {
		t.Errorf("%v, want a usage error about a fraction", errs[0])
	}
}

// TestCdistRefusesVectors: a 1-D array is refused, as SciPy refuses it,
// instead of being read as points of one dimension.
func TestCdistRefusesVectors(t *testing.T) {
	x := filepath.Join(t.TempDir(), "x.npy")
	if err := dataio.SaveMatrix(x, &dataio.Array{Data: []float64{1, 2, 3}, Shape: []int{3}}); err != nil {
		t.Fatal(err)
	}
	_, errs := run(t, 1, 1, &Cdist{X: x, Method: "fast", Gather: "auto"}, false)
	if errs[0] == nil || !strings.Contains(errs[0].Error(), "1-D") {
		t.Errorf("%v, want a refusal of the 1-D array", errs[0])
	}
}

func ftoa(f float64) string { b, _ := json.Marshal(f); return string(b) }
