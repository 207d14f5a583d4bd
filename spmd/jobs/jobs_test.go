package jobs

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/kernels"
)

// cases are one small problem per job, and the result fields that must
// not depend on the number of ranks and threads.
func cases(t *testing.T) []struct {
	name string
	p    func() Params
	keys []string
} {
	dir := t.TempDir()
	items := filepath.Join(dir, "items.txt")
	var b strings.Builder
	for i := 1; i <= 300; i++ {
		b.WriteString(strconv.Itoa(i*7919%10007+1) + "\n")
	}
	os.WriteFile(items, []byte(b.String()), 0o644)
	return []struct {
		name string
		p    func() Params
		keys []string
	}{
		{"pi", func() Params { return &Pi{Samples: 3000017, Seed: 7} }, []string{"hits", "estimate"}},
		{"cdist", func() Params { return &Cdist{M: 37, N: 29, P: 5, Seed: 3, Method: "fast", Gather: "auto"} }, []string{"checksum", "shape"}},
		{"cdist-messages", func() Params { return &Cdist{M: 37, N: 29, P: 5, Seed: 3, Method: "naive", Gather: "messages"} }, []string{"checksum"}},
		{"bootstrap", func() Params { return &Bootstrap{N: 500, Reps: 301, Stat: "median", Level: 0.95, Seed: 1} }, []string{"estimate", "standard_error", "ci_low", "ci_high"}},
		{"bootstrap-quantile", func() Params { return &Bootstrap{N: 200, Reps: 101, Stat: "quantile:0.9", Level: 0.9, Seed: 2} }, []string{"estimate", "standard_error", "ci_low"}},
		{"fit", func() Params { return &Fit{Group: "group", Datasets: 23, Rows: 30, Predictors: 2, Noise: 0.5, Seed: 1} }, []string{"mean_coefficients"}},
		{"sweep", func() Params {
			return &Sweep{Beta: "0.1:0.4:0.1", Gamma: "0.1,0.2", N: "200", I0: "1", Reps: 5, Seed: 1, Schedule: "dynamic"}
		}, []string{"largest_outbreak", "table"}},
		{"sweep-static", func() Params {
			return &Sweep{Beta: "0.1:0.4:0.1", Gamma: "0.1,0.2", N: "200", I0: "1", Reps: 5, Seed: 1, Schedule: "static"}
		}, []string{"table"}},
		{"map", func() Params {
			return &Map{Func: "collatz", In: items, Schedule: "dynamic", Out: filepath.Join(dir, "out.txt")}
		}, []string{"items"}},
		{"hello", func() Params { return &Hello{} }, nil},
	}
}

// TestJobsIndependentOfSplit: every job gives the same result on 1, 2 and
// 3 ranks with 1 or 2 threads each, and its --verify agrees. The jobs run
// in this process, on comm's in-process transport.
func TestJobsIndependentOfSplit(t *testing.T) {
	for _, c := range cases(t) {
		t.Run(c.name, func(t *testing.T) {
			one := runOK(t, 1, 1, c.p())
			for _, w := range [][2]int{{2, 1}, {3, 2}, {1, 2}} {
				got := runOK(t, w[0], w[1], c.p())
				for _, k := range c.keys {
					if a, b := jsonOf(one.Result[k]), jsonOf(got.Result[k]); a != b {
						t.Errorf("%q: 1 rank gives %s, %d ranks x %d threads give %s", k, a, w[0], w[1], b)
					}
				}
			}
		})
	}
}

// TestRegistry: every job's flags start at its parameters' defaults, and
// the defaults pass Check.
func TestRegistry(t *testing.T) {
	if len(All()) < 7 {
		t.Fatalf("registry holds %v", Names())
	}
	for _, s := range All() {
		p := s.New()
		if err := p.Check(); err != nil {
			t.Errorf("%s: defaults fail Check: %v", s.Name, err)
		}
		if s.Size == nil && s.NoWeak == "" {
			t.Errorf("%s: neither a size flag nor a reason for none", s.Name)
		}
		if s.Usage == "" || !strings.Contains(s.Description, "spmd") {
			t.Errorf("%s: help without usage or an example", s.Name)
		}
	}
}

// TestCheckRefuses: bad parameters are usage errors found before any work.
func TestCheckRefuses(t *testing.T) {
	for _, c := range []struct {
		p    Params
		want string
	}{
		{&Pi{Samples: 0}, "--samples"},
		{&Bootstrap{Reps: 10, Stat: "mode", Level: 0.9, N: 5}, "unknown statistic"},
		{&Bootstrap{Reps: 10, Stat: "quantile:1.5", Level: 0.9, N: 5}, "quantile must be"},
		{&Bootstrap{Reps: 10, Stat: "mean", Level: 1, N: 5}, "--level"},
		{&Cdist{M: 0, N: 3, P: 2, Method: "fast", Gather: "auto"}, "--m"},
		{&Cdist{M: 3, N: 3, P: 2, Method: "quick", Gather: "auto"}, "--method"},
		{&Cdist{Y: "y.npy", Method: "fast", Gather: "auto"}, "--y given without --x"},
		{&Sweep{Beta: "0.1:0.5", Gamma: "0.1", N: "10", I0: "1", Reps: 1, Schedule: "dynamic"}, "needs a step"},
		{&Sweep{Beta: "0.1", Gamma: "0.1", N: "10", I0: "1", Reps: 1, Schedule: "guided"}, "--schedule"},
		{&Map{Func: "cube", Schedule: "dynamic"}, "--func"},
		{&Fit{Datasets: 3, Rows: 2, Predictors: 3, Noise: 1}, "--rows"},
	} {
		err := c.p.Check()
		var ue job.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%T: %v, want a usage error about %q", c.p, err, c.want)
		}
	}
}

// TestBootstrapAnyStatistic: a statistic written in Go runs like the named
// ones, identical on any split, and verifies.
func TestBootstrapAnyStatistic(t *testing.T) {
	trimmed := func(x []float64) float64 { // a 10% trimmed mean
		kernels.StatMedian.Of(x) // any work
		s := 0.0
		lo, hi := len(x)/10, len(x)-len(x)/10
		for _, v := range sortedCopy(x)[lo:hi] {
			s += v
		}
		return s / float64(hi-lo)
	}
	p := func() Params {
		return &Bootstrap{N: 300, Reps: 97, Level: 0.9, Seed: 5, Statistic: trimmed, StatName: "trimmed mean"}
	}
	one := runOK(t, 1, 1, p())
	three := runOK(t, 3, 2, p())
	if one.Result["statistic"] != "trimmed mean" || jsonOf(one.Result["ci_low"]) != jsonOf(three.Result["ci_low"]) {
		t.Errorf("1 rank %v, 3 ranks %v", one.Result, three.Result)
	}
}

func sortedCopy(x []float64) []float64 {
	y := append([]float64(nil), x...)
	for i := 1; i < len(y); i++ {
		for j := i; j > 0 && y[j] < y[j-1]; j-- {
			y[j], y[j-1] = y[j-1], y[j]
		}
	}
	return y
}
