package bench

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/spmd-go/spmd/comm"
)

func TestSummarize(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want Summary
	}{
		{[]float64{3, 1, 2}, Summary{1, 2, 3}},
		{[]float64{4, 1, 3, 2}, Summary{1, 2.5, 4}},
		{[]float64{7}, Summary{7, 7, 7}},
	} {
		if got := Summarize(c.in); got != c.want {
			t.Errorf("Summarize(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	if s := Summarize(nil); !math.IsNaN(s.Median) {
		t.Errorf("empty sample median %v, want NaN", s.Median)
	}
}

func TestParseSizes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
	}{
		{"1,8,1Ki,64Mi", []int{1, 8, 1024, 64 << 20}},
		{"1:16", []int{1, 2, 4, 8, 16}},
		{"4K:16K", []int{4096, 8192, 16384}},
	} {
		got, err := ParseSizes(c.in)
		if err != nil || len(got) != len(c.want) {
			t.Fatalf("ParseSizes(%q) = %v, %v", c.in, got, err)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("ParseSizes(%q) = %v, want %v", c.in, got, c.want)
			}
		}
	}
	for _, bad := range []string{"", "abc", "-1", "8:1", "4Gi"} {
		if _, err := ParseSizes(bad); err == nil {
			t.Errorf("ParseSizes(%q) accepted", bad)
		}
	}
}

// Every benchmark runs on an in-process world and yields one row per size
// with sane numbers at the root.
func TestRunAll(t *testing.T) {
	cfg := Config{Sizes: []int{8, 1 << 16}, Iters: 5, Warmup: 1, Raw: true, Host: "127.0.0.1"}
	for _, name := range Names {
		cs := comm.NewMemWorld(3, comm.Config{})
		var rows []Row
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := Run(c, name, cfg)
				errs[i] = err
				if i == 0 {
					rows = r
				}
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("%s rank %d: %v", name, i, err)
			}
		}
		want := 2
		if name == "barrier" {
			want = 1
		}
		if len(rows) != want {
			t.Fatalf("%s: %d rows, want %d", name, len(rows), want)
		}
		for _, r := range rows {
			if r.Bench != name || r.Iters != 5 || !(r.Min > 0 && r.Min <= r.Median && r.Median <= r.Max) {
				t.Errorf("%s: bad row %+v", name, r)
			}
			if name == "pingpong" && (r.RawMed <= 0 || r.Ratio <= 0) {
				t.Errorf("pingpong without raw baseline: %+v", r)
			}
			if r.Transport != "mem" {
				t.Errorf("%s: transport %q, want mem (the in-process world's)", name, r.Transport)
			}
		}
		var js, cs2 bytes.Buffer
		WriteJSON(&js, rows)
		WriteCSV(&cs2, rows)
		for _, line := range strings.Split(strings.TrimSpace(js.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil || m["bench"] != name {
				t.Errorf("JSON line %q: %v", line, err)
			}
		}
		recs, err := csv.NewReader(&cs2).ReadAll()
		if err != nil || len(recs) != want+1 || len(recs[0]) != len(CSVHeader) {
			t.Errorf("CSV: %v %v", recs, err)
		}
		for _, c := range cs {
			c.Close()
		}
	}
}

// Routes names every pair once, by route.
func TestRoutes(t *testing.T) {
	var got string
	err := comm.RunMem(3, func(c *comm.Comm) error {
		s, err := Routes(c)
		if c.Rank() == 0 {
			got = s
		}
		return err
	})
	if err != nil || got != "mem between 0-1 0-2 1-2" {
		t.Errorf("Routes = %q, %v", got, err)
	}
}
