package farm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lines returns the Lines of the tasks built from p.
func taskLines(t *testing.T, p Params) []string {
	t.Helper()
	tasks, err := buildTasks(&p)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, tk := range tasks {
		if tk.Seq != i+1 {
			t.Fatalf("task %d has Seq %d", i, tk.Seq)
		}
		out = append(out, tk.Command.Line)
	}
	return out
}

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func TestSources(t *testing.T) {
	lines := writeFile(t, "in.txt", "a.txt\n\nb c.txt\r\n  \nlast")
	same(t, "lines", taskLines(t, Params{Input: lines, Template: []string{"gzip {} # {#}"}}),
		[]string{"gzip a.txt # 1", "gzip 'b c.txt' # 2", "gzip last # 3"})

	csv := writeFile(t, "in.csv", "name, n\n\"x, y\",1\nz,2\n")
	same(t, "csv by name and number", taskLines(t, Params{CSV: csv, Template: []string{"run", "{name}", "--n={2}"}}),
		[]string{"run 'x, y' --n=1", "run z --n=2"})
	same(t, "csv without header", taskLines(t, Params{CSV: csv, NoHeader: true, Template: []string{"echo {1}"}}),
		[]string{"echo name", "echo 'x, y'", "echo z"})

	tsv := writeFile(t, "in.tsv", "a\tb\n\"q\t2\n")
	same(t, "tsv keeps quotes", taskLines(t, Params{TSV: tsv, Template: []string{"echo {a} {b}"}}),
		[]string{`echo '"q' 2`})

	same(t, "grid, first axis slowest", taskLines(t, Params{Grid: []string{"beta=0.1:0.2:0.05 g=1e6,3", "k=2"}, Template: []string{"sim {beta} {g} {k} {}"}}),
		[]string{"sim 0.1 1000000 2 '0.1 1000000 2'", "sim 0.1 3 2 '0.1 3 2'", "sim 0.15 1000000 2 '0.15 1000000 2'",
			"sim 0.15 3 2 '0.15 3 2'", "sim 0.2 1000000 2 '0.2 1000000 2'", "sim 0.2 3 2 '0.2 3 2'"})

	same(t, "input crossed with a grid", taskLines(t, Params{Input: lines, Grid: []string{"seed=1:2"}, Template: []string{"fit {1} {seed}"}}),
		[]string{"fit a.txt 1", "fit a.txt 2", "fit 'b c.txt' 1", "fit 'b c.txt' 2", "fit last 1", "fit last 2"})

	tf := writeFile(t, "tasks", "# a comment\n./sim 1 > out1\n\n  echo 'two words'\n")
	p := Params{TaskFile: tf, Tag: "t{#}"}
	tasks, err := buildTasks(&p)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 2 || tasks[0].Command.Line != "./sim 1 > out1" || tasks[0].Command.Argv != nil ||
		tasks[1].Command.Line != "  echo 'two words'" || strings.Join(tasks[1].Command.Argv, "|") != "echo|two words" || tasks[1].Tag != "t2" {
		t.Errorf("task file: %+v", tasks)
	}
}

// TestSourceErrors: every bad input is an error naming the problem, before
// anything runs.
func TestSourceErrors(t *testing.T) {
	empty := writeFile(t, "empty", "")
	comments := writeFile(t, "comments", "# only\n\n")
	ragged := writeFile(t, "ragged.csv", "a,b\n1,2\n3\n")
	headerOnly := writeFile(t, "h.csv", "a,b\n")
	for _, tc := range []struct {
		name string
		p    Params
		want string
	}{
		{"empty task file", Params{TaskFile: empty}, "no tasks"},
		{"task file of comments", Params{TaskFile: comments}, "no tasks (every line is blank or a # comment)"},
		{"missing task file", Params{TaskFile: "/no/such/file"}, "--tasks: open /no/such/file: no such file or directory"},
		{"task file and template", Params{TaskFile: comments, Template: []string{"x"}}, "takes no command template"},
		{"unreadable input", Params{Input: "/no/such/file", Template: []string{"x"}}, "--input: open /no/such/file"},
		{"empty input", Params{Input: empty, Template: []string{"x {}"}}, "no input lines"},
		{"no source", Params{Template: []string{"x"}}, "no tasks: give --tasks FILE"},
		{"two sources", Params{Input: empty, CSV: empty, Template: []string{"x"}}, "at most one of --input, --csv and --tsv"},
		{"ragged csv", Params{CSV: ragged, Template: []string{"x"}}, "line 3 has 1 fields, the first line 2"},
		{"csv header only", Params{CSV: headerOnly, Template: []string{"x"}}, "a header line and no rows"},
		{"unknown placeholder", Params{CSV: writeFile(t, "ok.csv", "a,b\n1,2\n"), Template: []string{"x {c}"}}, "placeholder {c} names no column"},
		{"no command", Params{Grid: []string{"a=1"}}, "no command to run"},
		{"grid not a number", Params{Grid: []string{"a=0.1:x"}, Template: []string{"x"}}, `--grid a=0.1:x: "0.1:x": "x" is not a number`},
		{"grid backwards", Params{Grid: []string{"a=5:1"}, Template: []string{"x"}}, "stop 1 is below start 5"},
		{"grid no name", Params{Grid: []string{"=1,2"}, Template: []string{"x"}}, "want NAME=VALUES"},
		{"grid no values", Params{Grid: []string{"a="}, Template: []string{"x"}}, "empty value list"},
		{"grid not name=values", Params{Grid: []string{"a"}, Template: []string{"x"}}, "want NAME=VALUES"},
		{"grid twice", Params{Grid: []string{"a=1 a=2"}, Template: []string{"x"}}, `axis "a" given twice`},
		{"grid too big", Params{Grid: []string{"a=1:100000 b=1:100000 c=1:10"}, Template: []string{"x"}}, "more than 10000000 tasks"},
		{"bad tag", Params{Grid: []string{"a=1"}, Template: []string{"x"}, Tag: "{b}"}, "--tag: placeholder {b} names no column"},
	} {
		_, err := buildTasks(&tc.p)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}
