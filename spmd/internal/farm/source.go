package farm

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/spmd-go/spmd/kernels"
)

// A task is one command of the farm.
type task struct {
	Seq     int // 1-based place in the task list: {#}, SPMD_FARM_TASK, the joblog's Seq
	Command command
	Tag     string // the output tag (--tag), "" for none
}

// maxTasks bounds a task list, so that a grid such as a=1:1e6 b=1:1e6
// fails at once instead of exhausting memory.
const maxTasks = 10_000_000

// buildTasks reads the task list the parameters describe (at the root
// only). Every error is the user's to fix, and nothing has run yet.
func buildTasks(p *Params) ([]task, error) {
	if p.TaskFile != "" {
		return taskFile(p)
	}
	t, err := inputTable(p)
	if err != nil {
		return nil, err
	}
	cmd, err := compileCommand(p.Template, t.cols, p.Shell)
	if err != nil {
		return nil, err
	}
	var tag *template
	if p.Tag != "" {
		if tag, err = compileText(p.Tag, t.cols); err != nil {
			return nil, fmt.Errorf("--tag: %v", err)
		}
	}
	tasks := make([]task, len(t.rows))
	for i, row := range t.rows {
		tasks[i] = task{Seq: i + 1, Command: cmd.fill(i+1, row)}
		if tag != nil {
			tasks[i].Tag = tag.text(i+1, row)
		}
	}
	return tasks, nil
}

// taskFile reads one command per line, as disBatch does: blank lines and
// lines starting with # are skipped; every other line is a command for sh.
func taskFile(p *Params) ([]task, error) {
	if len(p.Template) > 0 || p.Input != "" || p.CSV != "" || p.TSV != "" || len(p.Grid) > 0 {
		return nil, errors.New("--tasks gives whole commands: it takes no command template, --input, --csv, --tsv or --grid")
	}
	var tag *template
	if p.Tag != "" {
		var err error
		if tag, err = compileText(p.Tag, nil); err != nil {
			return nil, fmt.Errorf("--tag: %v", err)
		}
	}
	var tasks []task
	err := readInput(p, p.TaskFile, "--tasks", func(r io.Reader) error {
		lines := bufio.NewScanner(r)
		lines.Buffer(make([]byte, 64*1024), 16<<20)
		for lines.Scan() {
			line := strings.TrimRight(lines.Text(), "\r")
			if s := strings.TrimSpace(line); s == "" || s[0] == '#' {
				continue
			}
			if len(tasks) == maxTasks {
				return fmt.Errorf("more than %d tasks", maxTasks)
			}
			t := task{Seq: len(tasks) + 1, Command: lineCommand(line, p.Shell)}
			if tag != nil {
				t.Tag = tag.text(t.Seq, nil)
			}
			tasks = append(tasks, t)
		}
		return lines.Err()
	})
	if err != nil {
		return nil, err
	}
	if len(tasks) == 0 {
		return nil, fmt.Errorf("--tasks %s: no tasks (every line is blank or a # comment)", p.TaskFile)
	}
	return tasks, nil
}

// readInput opens name ("-" is the standard input) and hands it to read;
// errors name the flag and the file.
func readInput(p *Params, name, flag string, read func(io.Reader) error) error {
	var r io.Reader
	if name == "-" {
		r = p.Stdin
		if r == nil {
			r = os.Stdin
		}
	} else {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("%s: %v", flag, err)
		}
		defer f.Close()
		r = f
	}
	if err := read(r); err != nil {
		return fmt.Errorf("%s %s: %v", flag, name, err)
	}
	return nil
}

// A table is the input of a command template: named (or unnamed, "")
// columns and one row per task.
type table struct {
	cols []string
	rows [][]string
}

// inputTable reads the one data source (--input, --csv or --tsv), if any,
// and crosses it with the grid, if any: every row with every grid point,
// the row varying slowest.
func inputTable(p *Params) (table, error) {
	sources := 0
	for _, s := range []string{p.Input, p.CSV, p.TSV} {
		if s != "" {
			sources++
		}
	}
	if sources > 1 {
		return table{}, errors.New("give at most one of --input, --csv and --tsv (a --grid may go with any)")
	}
	if sources == 0 && len(p.Grid) == 0 {
		return table{}, errors.New("no tasks: give --tasks FILE, or a command template with --input FILE, --csv FILE, --tsv FILE or --grid NAME=VALUES")
	}
	t := table{rows: [][]string{nil}} // one empty row: the identity of crossing
	var err error
	switch {
	case p.Input != "":
		err = readInput(p, p.Input, "--input", func(r io.Reader) error { t, err = readLines(r); return err })
	case p.CSV != "":
		err = readInput(p, p.CSV, "--csv", func(r io.Reader) error { t, err = readTable(r, ',', !p.NoHeader); return err })
	case p.TSV != "":
		err = readInput(p, p.TSV, "--tsv", func(r io.Reader) error { t, err = readTable(r, '\t', !p.NoHeader); return err })
	}
	if err != nil {
		return table{}, err
	}
	if len(p.Grid) > 0 {
		g, err := gridTable(p.Grid)
		if err != nil {
			return table{}, err
		}
		if t, err = cross(t, g); err != nil {
			return table{}, err
		}
	}
	return t, nil
}

// readLines reads one unnamed column, one row per non-blank line.
func readLines(r io.Reader) (table, error) {
	t := table{cols: []string{""}}
	lines := bufio.NewScanner(r)
	lines.Buffer(make([]byte, 64*1024), 16<<20)
	for lines.Scan() {
		line := strings.TrimRight(lines.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if len(t.rows) == maxTasks {
			return t, fmt.Errorf("more than %d lines", maxTasks)
		}
		t.rows = append(t.rows, []string{line})
	}
	if err := lines.Err(); err != nil {
		return t, err
	}
	if len(t.rows) == 0 {
		return t, errors.New("no input lines")
	}
	return t, nil
}

// readTable reads CSV (sep ',', RFC 4180 quoting) or TSV (sep '\t', no
// quoting: a field is everything between tabs). With header, the first
// row names the columns. Every row must have as many fields as the first.
func readTable(r io.Reader, sep rune, header bool) (table, error) {
	var t table
	var next func() ([]string, int, error)
	if sep == ',' {
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1 // checked below, with a better message
		next = func() ([]string, int, error) {
			rec, err := cr.Read()
			line, _ := cr.FieldPos(0)
			return rec, line, err
		}
	} else {
		lines := bufio.NewScanner(r)
		lines.Buffer(make([]byte, 64*1024), 16<<20)
		n := 0
		next = func() ([]string, int, error) {
			for lines.Scan() {
				n++
				line := strings.TrimRight(lines.Text(), "\r")
				if line != "" {
					return strings.Split(line, "\t"), n, nil
				}
			}
			if err := lines.Err(); err != nil {
				return nil, n, err
			}
			return nil, n, io.EOF
		}
	}
	width := -1
	for {
		rec, line, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return t, err
		}
		if width < 0 {
			width = len(rec)
			if header {
				t.cols = make([]string, width)
				for i, name := range rec {
					t.cols[i] = strings.TrimSpace(name)
				}
				continue
			}
			t.cols = make([]string, width)
		}
		if len(rec) != width {
			return t, fmt.Errorf("line %d has %d fields, the first line %d", line, len(rec), width)
		}
		if len(t.rows) == maxTasks {
			return t, fmt.Errorf("more than %d rows", maxTasks)
		}
		t.rows = append(t.rows, rec)
	}
	if len(t.rows) == 0 {
		if header && width >= 0 {
			return t, errors.New("a header line and no rows")
		}
		return t, errors.New("no rows")
	}
	return t, nil
}

// axisNameRE is what a grid axis may be called: a name a placeholder can
// use.
var axisNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// gridTable makes the cross product of the axes, each "name=values" with
// the value lists of sweep (kernels.ParseValues: 0.3, 0.1,0.2, 0.1:0.5:0.05,
// or several of these separated by commas). One spec may hold several axes
// separated by spaces. The first axis varies slowest.
func gridTable(specs []string) (table, error) {
	t := table{rows: [][]string{nil}}
	seen := map[string]bool{}
	for _, spec := range specs {
		for _, axis := range strings.Fields(spec) {
			name, values, ok := strings.Cut(axis, "=")
			if !ok || !axisNameRE.MatchString(name) {
				return table{}, fmt.Errorf("--grid %q: want NAME=VALUES, NAME a letter or _ then letters, digits, _ or -", axis)
			}
			if seen[name] {
				return table{}, fmt.Errorf("--grid: axis %q given twice", name)
			}
			seen[name] = true
			vs, err := kernels.ParseValues(values)
			if err != nil {
				return table{}, fmt.Errorf("--grid %s: %s", axis, strings.TrimPrefix(err.Error(), "kernels: "))
			}
			a := table{cols: []string{name}}
			for _, v := range vs {
				a.rows = append(a.rows, []string{formatValue(v)})
			}
			var err2 error
			if t, err2 = cross(t, a); err2 != nil {
				return table{}, err2
			}
		}
	}
	if len(seen) == 0 {
		return table{}, errors.New("--grid: no axes")
	}
	return t, nil
}

// formatValue writes a grid value as programs read numbers: integers
// without a decimal point or exponent (1000000, not 1e+06), others in the
// shortest form that reads back exactly (0.15, 1e-10).
func formatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// cross is every row of a followed by every row of b, a varying slowest.
func cross(a, b table) (table, error) {
	if len(a.rows) > 0 && len(b.rows) > maxTasks/len(a.rows) {
		return table{}, fmt.Errorf("%d x %d = more than %d tasks", len(a.rows), len(b.rows), maxTasks)
	}
	t := table{cols: append(append([]string(nil), a.cols...), b.cols...)}
	t.rows = make([][]string, 0, len(a.rows)*len(b.rows))
	for _, ra := range a.rows {
		for _, rb := range b.rows {
			t.rows = append(t.rows, append(append(make([]string, 0, len(ra)+len(rb)), ra...), rb...))
		}
	}
	return t, nil
}
