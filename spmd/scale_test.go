package main

import (
	"encoding/csv"
	"encoding/xml"
	"errors"
	"github.com/spmd-go/spmd/job"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spmd-go/spmd/internal/clustertest"
	"github.com/spmd-go/spmd/spmd/internal/study"
)

const scaleTimeout = 2 * time.Minute

// readScaleCSV reads DIR/scale.csv and checks its header.
func readScaleCSV(t *testing.T, dir string) (rows []map[string]string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "scale.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("scale.csv: %v", err)
	}
	if len(recs) == 0 || !reflect.DeepEqual(recs[0], study.CSVHeader) {
		t.Fatalf("scale.csv header %v, want %v", recs[0], study.CSVHeader)
	}
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		rows = append(rows, m)
	}
	return rows
}

// checkCharts checks that every chart is a valid PNG and a well-formed SVG.
func checkCharts(t *testing.T, dir string) {
	t.Helper()
	for _, name := range study.ChartNames {
		f, err := os.Open(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(f); err != nil {
			t.Errorf("%s.png: %v", name, err)
		}
		f.Close()
		b, err := os.ReadFile(filepath.Join(dir, name+".svg"))
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(strings.NewReader(string(b)))
		root := ""
		for {
			tok, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s.svg is not XML: %v", name, err)
			}
			if se, ok := tok.(xml.StartElement); ok && root == "" {
				root = se.Name.Local
			}
		}
		if root != "svg" {
			t.Errorf("%s.svg: root <%s>", name, root)
		}
	}
}

// TestScaleEndToEnd runs a small strong study through the real binary and
// spmd run.
func TestScaleEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process runs skipped in -short mode")
	}
	spmd := clustertest.BuildSpmd(t)
	dir := filepath.Join(t.TempDir(), "out")
	r := clustertest.Run(t, scaleTimeout, spmd, "scale", "pi", "--samples", "1e6", "--ranks", "1,2", "--repeat", "1", "--out", dir)
	if r.Code != 0 {
		t.Fatalf("spmd scale: %v", r)
	}
	rows := readScaleCSV(t, dir)
	// Two runs, then two summaries.
	if len(rows) != 4 {
		t.Fatalf("scale.csv has %d rows, want 4: %v", len(rows), rows)
	}
	for i, want := range []struct{ kind, ranks string }{{"run", "1"}, {"run", "2"}, {"summary", "1"}, {"summary", "2"}} {
		if rows[i]["kind"] != want.kind || rows[i]["ranks"] != want.ranks || rows[i]["threads"] != "1" || rows[i]["job"] != "pi" {
			t.Errorf("row %d = %v, want %s with %s ranks", i, rows[i], want.kind, want.ranks)
		}
	}
	if rows[2]["speedup"] != "1" || rows[2]["efficiency"] != "1" {
		t.Errorf("the base point's speedup and efficiency are %s and %s, want 1", rows[2]["speedup"], rows[2]["efficiency"])
	}
	// Two worker counts are too few to judge an Amdahl fit by: a warning
	// instead (package study tests the fit that is drawn).
	for _, want := range []string{"strong scaling", "warning: no Amdahl fit: only 2 worker counts measured (1, 2)", "scale.csv"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.Stdout)
		}
	}
	checkCharts(t, dir)
}

// TestScaleWeakEndToEnd checks that a weak study grows --samples with the
// workers and marks points beyond --cores as oversubscribed.
func TestScaleWeakEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process runs skipped in -short mode")
	}
	spmd := clustertest.BuildSpmd(t)
	dir := t.TempDir()
	r := clustertest.Run(t, scaleTimeout, spmd, "scale", "--weak", "--cores", "1", "pi", "-n", "1e5", "--ranks", "1,2", "--repeat=1", "--out", dir, "--quiet")
	if r.Code != 0 {
		t.Fatalf("spmd scale --weak: %v", r)
	}
	if r.Stderr != "" {
		t.Errorf("--quiet printed %q", r.Stderr)
	}
	rows := readScaleCSV(t, dir)
	if len(rows) != 4 {
		t.Fatalf("scale.csv has %d rows, want 4", len(rows))
	}
	for _, row := range rows[2:] {
		wantSize, wantOver := "100000", "false"
		if row["ranks"] == "2" {
			wantSize, wantOver = "200000", "true"
		}
		if row["scaling"] != "weak" || row["size"] != wantSize || row["oversubscribed"] != wantOver {
			t.Errorf("summary %v: want size %s, oversubscribed %s", row, wantSize, wantOver)
		}
	}
	if !strings.Contains(r.Stdout, "oversubscribed") || !strings.Contains(r.Stdout, "--samples") {
		t.Errorf("output:\n%s", r.Stdout)
	}
	checkCharts(t, dir)
}

// Bad command lines fail with exit code 2 and say what is wrong, before
// running anything.
func TestScaleBadInput(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"scale"}, "name a job"},
		{[]string{"scale", "nosuchjob", "--ranks", "1"}, `unknown job "nosuchjob"`},
		{[]string{"scale", "pi", "--ranks", ""}, "--ranks: empty list"},
		{[]string{"scale", "pi", "--ranks", ","}, "--ranks: empty list"},
		{[]string{"scale", "pi", "--ranks", "0,1"}, "--ranks: 0: counts must be at least 1"},
		{[]string{"scale", "pi", "--ranks", "1,two"}, `--ranks: "two" is not a whole number`},
		{[]string{"scale", "--ranks", "x", "pi"}, `--ranks: "x" is not a whole number`},
		{[]string{"scale", "pi", "--threads", "1.5"}, `--threads: "1.5" is not a whole number`},
		{[]string{"scale", "pi", "--repeat", "0"}, "--repeat must be at least 1"},
		{[]string{"scale", "pi", "--ranks"}, "--ranks needs a value"},
		{[]string{"scale", "sweep", "--weak"}, "weak scaling is not supported for sweep"},
		{[]string{"scale", "map", "--weak"}, "weak scaling is not supported for map"},
		{[]string{"scale", "cdist", "--weak", "--x", "a.npy"}, "--x overrides"},
		{[]string{"scale", "pi", "--hostfile", "/nonexistent/hostfile"}, "--hostfile"},
	}
	for _, tc := range cases {
		r := clustertest.Run(t, scaleTimeout, spmd, tc.args...)
		if r.Code != job.ExitUsage || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("spmd %s: %v\nwant exit 2 and %q", strings.Join(tc.args, " "), r, tc.want)
		}
	}
}

func TestSplitScaleArgs(t *testing.T) {
	cases := []struct {
		args []string
		rest []string
		set  map[string]string
	}{
		{[]string{"--samples", "1e6", "--ranks", "1,2", "--seed=3"}, []string{"--samples", "1e6", "--seed=3"}, map[string]string{"ranks": "1,2"}},
		{[]string{"-weak", "--out=d", "-q", "--repeat", "2"}, nil, map[string]string{"weak": "true", "out": "d", "q": "true", "repeat": "2"}},
		// After --, even a scale flag belongs to the job.
		{[]string{"--ranks", "4", "--", "--out", "z.npy"}, []string{"--out", "z.npy"}, map[string]string{"ranks": "4"}},
	}
	for _, tc := range cases {
		set := map[string]string{}
		rest, err := study.SplitFlags(tc.args, scaleFlags, set)
		if err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		if !reflect.DeepEqual(rest, tc.rest) || !reflect.DeepEqual(set, tc.set) {
			t.Errorf("%v: rest %v set %v, want %v %v", tc.args, rest, set, tc.rest, tc.set)
		}
	}
}

func TestParseCountList(t *testing.T) {
	got, err := parseCountList("ranks", " 8, 2,1 ,2,4")
	if err != nil || !reflect.DeepEqual(got, []int{1, 2, 4, 8}) {
		t.Errorf("parseCountList = %v, %v; want [1 2 4 8]", got, err)
	}
}

// spmd compare takes its own flags after the job too, as scale does (it
// used to fail with "flag provided but not defined: -repeat").
func TestCompareFlagsEitherSide(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	r := clustertest.Run(t, 2*time.Minute, spmd, "compare", "pi", "--samples", "1e6", "--repeat", "1", "--cores", "1")
	if r.Code != 0 || !strings.Contains(r.Stdout, "median of 1 runs") || !strings.Contains(r.Stdout, "serial reference") {
		t.Fatalf("spmd compare pi --samples 1e6 --repeat 1 --cores 1: %v", r)
	}
}
