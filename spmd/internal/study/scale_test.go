package study

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// runsOf makes runs with the given walls per point, repeats interleaved as
// Scale.Run makes them.
func runsOf(points []Point, walls [][]float64) []Run {
	var runs []Run
	for rep := range walls[0] {
		for i, p := range points {
			runs = append(runs, Run{Point: p, Index: rep + 1, Wall: walls[i][rep]})
		}
	}
	return runs
}

func TestSummaryStrong(t *testing.T) {
	points := []Point{{4, 1}, {1, 1}, {2, 1}} // out of order on purpose
	walls := [][]float64{{2.9, 3.1, 9}, {10, 12, 11}, {5.5, 6, 5.4}}
	res := NewScaleResult("pi", false, 2, runsOf(points, walls))
	if len(res.Points) != 3 || res.Repeat != 3 {
		t.Fatalf("%d points, repeat %d; want 3 and 3", len(res.Points), res.Repeat)
	}
	want := []struct {
		p                Point
		median, min, max float64
		speedup, eff     float64
		over             bool
	}{
		{Point{1, 1}, 11, 10, 12, 1, 1, false},
		{Point{2, 1}, 5.5, 5.4, 6, 2, 1, false},
		{Point{4, 1}, 3.1, 2.9, 9, 11 / 3.1, 11 / 3.1 / 4, true},
	}
	for i, w := range want {
		s := res.Points[i]
		if s.Point != w.p || s.Median != w.median || s.Min != w.min || s.Max != w.max || s.Oversubscribed != w.over || s.Runs != 3 {
			t.Errorf("point %d = %+v, want %+v", i, s, w)
		}
		if math.Abs(s.Speedup-w.speedup) > 1e-12 || math.Abs(s.Efficiency-w.eff) > 1e-12 {
			t.Errorf("%v: speedup %v efficiency %v, want %v %v", s.Point, s.Speedup, s.Efficiency, w.speedup, w.eff)
		}
	}
	if res.Base != 0 {
		t.Errorf("base = %d, want the 1 x 1 point", res.Base)
	}
	// The fit leaves the oversubscribed 4-rank point out, and the two
	// points left are too few to judge a fit by (fitrule_test.go).
	if res.Fit != nil || res.FitPoints != 2 || !res.FitExcludesOversubscribed || !reflect.DeepEqual(res.FitWorkers, []int{1, 2}) {
		t.Errorf("fit %+v over %d points %v (excludes oversubscribed: %v)", res.Fit, res.FitPoints, res.FitWorkers, res.FitExcludesOversubscribed)
	}
}

func TestSummaryWeak(t *testing.T) {
	// 1 x 1 is not measured: the base is the smallest point, 1 x 2.
	points := []Point{{1, 2}, {2, 2}, {4, 2}}
	walls := [][]float64{{1}, {1.25}, {2}}
	res := NewScaleResult("pi", true, 0, runsOf(points, walls))
	wantEff := []float64{1, 0.8, 0.5}
	wantSpeedup := []float64{1, 1.6, 2}
	for i, s := range res.Points {
		if math.Abs(s.Efficiency-wantEff[i]) > 1e-12 || math.Abs(s.Speedup-wantSpeedup[i]) > 1e-12 || s.Oversubscribed {
			t.Errorf("%v: efficiency %v scaled speedup %v over %v, want %v %v false", s.Point, s.Efficiency, s.Speedup, s.Oversubscribed, wantEff[i], wantSpeedup[i])
		}
	}
	if res.Fit != nil {
		t.Errorf("a weak study has no Amdahl fit, got %+v", res.Fit)
	}
}

func TestBaseIndex(t *testing.T) {
	cases := []struct {
		points []Point
		want   Point
	}{
		{[]Point{{2, 1}, {1, 1}, {1, 2}}, Point{1, 1}},
		{[]Point{{2, 1}, {1, 2}}, Point{1, 2}}, // same workers: fewer ranks
		{[]Point{{8, 1}, {4, 1}}, Point{4, 1}},
	}
	for _, tc := range cases {
		ps := make([]Summary, len(tc.points))
		for i, p := range tc.points {
			ps[i] = Summary{Point: p, Workers: p.Workers()}
		}
		if got := ps[baseIndex(ps)].Point; got != tc.want {
			t.Errorf("base of %v = %v, want %v", tc.points, got, tc.want)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	points := []Point{{1, 1}, {2, 1}, {1, 2}, {2, 2}}
	walls := [][]float64{{4, 4.2}, {2.1, 2}, {2.2, 2}, {1.1, 1.3}}
	res := NewScaleResult("cdist", false, 2, runsOf(points, walls))
	var buf bytes.Buffer
	if err := res.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v", err)
	}
	// A header, 8 runs and 4 summaries, every row as wide as the header.
	if len(rows) != 1+8+4 {
		t.Fatalf("%d rows, want 13:\n%s", len(rows), buf.String())
	}
	if !reflect.DeepEqual(rows[0], CSVHeader) {
		t.Errorf("header %v", rows[0])
	}
	col := map[string]int{}
	for i, h := range CSVHeader {
		col[h] = i
	}
	kinds := map[string]int{}
	for _, r := range rows[1:] {
		kinds[r[col["kind"]]]++
		if r[col["job"]] != "cdist" || r[col["scaling"]] != "strong" {
			t.Errorf("row %v", r)
		}
	}
	if kinds["run"] != 8 || kinds["summary"] != 4 {
		t.Errorf("kinds %v, want 8 runs and 4 summaries", kinds)
	}
	// The last summary is 2 x 2: 4 workers on 2 cores, median 1.2 s,
	// speedup 4.1 / 1.2.
	last := rows[len(rows)-1]
	want := map[string]string{"ranks": "2", "threads": "2", "workers": "4", "oversubscribed": "true",
		"runs": "2", "median_seconds": "1.2", "min_seconds": "1.1", "max_seconds": "1.3",
		"speedup": fmt.Sprintf("%.6g", 4.1/1.2), "run": "", "wall_seconds": ""}
	for k, v := range want {
		if last[col[k]] != v {
			t.Errorf("summary 2 x 2: %s = %q, want %q", k, last[col[k]], v)
		}
	}
}

func TestChartsAndFiles(t *testing.T) {
	points := []Point{{1, 1}, {2, 1}, {4, 1}, {8, 1}}
	walls := [][]float64{{1, 1.05}, {0.52, 0.55}, {0.5, 0.6}, {0.49, 0.7}}
	res := NewScaleResult("pi", false, 2, runsOf(points, walls))
	res.Args = []string{"--samples", "1e9"}
	charts := res.Charts()
	for _, name := range ChartNames {
		c, ok := charts[name]
		if !ok {
			t.Fatalf("no %s chart", name)
		}
		if c.Band == nil || c.Band.From != 2 || !strings.Contains(c.Band.Label, "oversubscribed") {
			t.Errorf("%s: band %+v, want oversubscribed beyond 2", name, c.Band)
		}
		if !strings.HasPrefix(c.Title, "pi --samples 1e9: ") {
			t.Errorf("%s: title %q", name, c.Title)
		}
		labels := ""
		for _, cv := range c.Curves {
			labels += cv.Label + "|"
		}
		// Two worker counts within the cores: no fit, and a note saying so.
		if !strings.Contains(labels, "measured") || !strings.Contains(labels, "ideal") || strings.Contains(labels, "Amdahl") {
			t.Errorf("%s: curves %s", name, labels)
		}
		if !strings.HasPrefix(c.Note, "No Amdahl fit: only 2 worker counts within the 2 cores") {
			t.Errorf("%s: note %q", name, c.Note)
		}
		m := c.Curves[0]
		if !reflect.DeepEqual(m.Flagged, []bool{false, false, true, true}) || !reflect.DeepEqual(m.X, []float64{1, 2, 4, 8}) {
			t.Errorf("%s: measured curve %+v", name, m)
		}
	}
	sp := charts[ChartSpeedup].Curves[0].Y
	if math.Abs(sp[1]-1.025/0.535) > 1e-12 {
		t.Errorf("speedup at 2 ranks = %v, want %v", sp[1], 1.025/0.535)
	}

	dir := t.TempDir()
	paths, err := res.SaveCharts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2*len(ChartNames) {
		t.Errorf("wrote %v", paths)
	}
	f, err := os.Open(filepath.Join(dir, "speedup.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("speedup.png: %v", err)
	}
}

func TestChartsThreads(t *testing.T) {
	points := []Point{{1, 1}, {2, 1}, {1, 2}, {2, 2}}
	res := NewScaleResult("pi", false, 2, runsOf(points, [][]float64{{4}, {2}, {2.1}, {1.9}}))
	c := res.Charts()[ChartSpeedup]
	if c.XLabel != "workers = ranks × threads" {
		t.Errorf("x label %q", c.XLabel)
	}
	if c.Curves[0].Label != "1 thread per rank" || c.Curves[1].Label != "2 threads per rank" {
		t.Errorf("curves %q, %q", c.Curves[0].Label, c.Curves[1].Label)
	}
	if !reflect.DeepEqual(c.XTicks, []float64{1, 2, 4}) {
		t.Errorf("ticks %v", c.XTicks)
	}
}

// fakeSpmd writes a script standing in for the spmd binary: it logs its
// arguments, one run per line, and prints a job report whose wall time is
// 1 / ranks.
func fakeSpmd(t *testing.T) (bin, log string) {
	t.Helper()
	dir := t.TempDir()
	bin, log = filepath.Join(dir, "spmd"), filepath.Join(dir, "args.log")
	script := `#!/bin/sh
echo "$*" >> ` + log + `
np=$3
echo "progress line"
echo "{\"job\":\"pi\",\"ranks\":$np,\"threads\":1,\"section_seconds\":$(awk "BEGIN{print 1/$np}"),\"result\":{}}"
`
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, log
}

func TestScaleRun(t *testing.T) {
	bin, log := fakeSpmd(t)
	weak, err := NewWeak("pi", sizeFlags["pi"], []string{"--samples=1e3", "--seed", "3"}, "1e8")
	if err != nil {
		t.Fatal(err)
	}
	var seen []Run
	s := Scale{
		Runner: Runner{Spmd: bin, Cores: 2, LaunchArgs: []string{"--hostfile", "hf"}},
		Job:    "pi", Args: []string{"--samples=1e3", "--seed", "3"},
		Points: []Point{{4, 1}, {1, 1}, {2, 1}}, Repeat: 2, Weak: &weak, Capacity: 2,
		Progress: func(r Run) { seen = append(seen, r) },
	}
	res, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 6 || len(res.Runs) != 6 {
		t.Fatalf("%d progress calls, %d runs; want 6", len(seen), len(res.Runs))
	}
	b, _ := os.ReadFile(log)
	got := strings.Split(strings.TrimSpace(string(b)), "\n")
	// Repeats go round the points in order of ranks; the size grows with
	// the workers; 4 ranks on 2 cores is oversubscribed.
	want := []string{
		"run -np 1 --hostfile hf pi --seed 3 --samples 1000 --threads 1 --json --quiet",
		"run -np 2 --hostfile hf pi --seed 3 --samples 2000 --threads 1 --json --quiet",
		"run -np 4 --oversubscribe --hostfile hf pi --seed 3 --samples 4000 --threads 1 --json --quiet",
	}
	want = append(want, want...)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("runs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Points[2].Size != "4000" || !res.Points[2].Oversubscribed || res.Points[2].Median != 0.25 {
		t.Errorf("4-rank point %+v", res.Points[2])
	}
	if !res.Weak || res.SizeFlag != "samples" || res.Repeat != 2 {
		t.Errorf("result %+v", res)
	}
}

func TestScaleRunFailure(t *testing.T) {
	s := Scale{Runner: Runner{Spmd: "/bin/false"}, Job: "pi", Points: []Point{{1, 1}}, Repeat: 1}
	if _, err := s.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "pi at 1 x 1, run 1") {
		t.Errorf("err = %v, want one naming the point and run", err)
	}
}
