package jobs

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spmd-go/spmd/job"
)

// docKey is one row of a job's result table in docs/OUTPUT.md.
type docKey struct {
	typ, when string
}

// outputDoc reads docs/OUTPUT.md: the top-level fields and, per job, its
// result keys.
func outputDoc(t *testing.T) (top map[string]string, jobs map[string]map[string]docKey) {
	t.Helper()
	b, err := os.ReadFile("../../docs/OUTPUT.md")
	if err != nil {
		t.Fatal(err)
	}
	top, jobs = map[string]string{}, map[string]map[string]docKey{}
	row := regexp.MustCompile("^\\| `([a-z_0-9]+)` \\| ([^|]+) \\|(?: ([^|]+) \\|)?")
	section, job := "", ""
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			section, job = line[3:], ""
		case strings.HasPrefix(line, "### "):
			job = strings.TrimSpace(line[4:])
			jobs[job] = map[string]docKey{}
		}
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		switch {
		case job != "":
			jobs[job][m[1]] = docKey{strings.TrimSpace(m[2]), strings.TrimSpace(m[3])}
		case strings.HasPrefix(section, "Schema"):
			if _, seen := top[m[1]]; !seen {
				top[m[1]] = strings.TrimSpace(m[2])
			}
		}
	}
	return top, jobs
}

// TestReportSchema: every job's --json report has the documented fields,
// with their types, and its result has exactly the keys docs/OUTPUT.md
// lists for it (those present "always", and the optional ones only when
// documented), each of the documented type.
func TestReportSchema(t *testing.T) {
	_, docs := outputDoc(t)
	dir := t.TempDir()
	for _, s := range All() {
		if _, ok := docs[s.Name]; !ok {
			t.Errorf("docs/OUTPUT.md has no section for %s", s.Name)
		}
	}
	for _, c := range cases(t) {
		name := strings.SplitN(c.name, "-", 2)[0]
		keys := docs[name]
		t.Run(c.name, func(t *testing.T) {
			p := c.p()
			setOut(p, filepath.Join(dir, c.name))
			raw, errs := run(t, 2, 1, p, true)
			for r, err := range errs {
				if err != nil {
					t.Fatalf("rank %d: %v", r, err)
				}
			}
			var rep map[string]any
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			if err := dec.Decode(&rep); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, raw)
			}
			checkTop(t, rep)
			res, _ := rep["result"].(map[string]any)
			for k, v := range res {
				d, ok := keys[k]
				if !ok {
					t.Errorf("result key %q is not in docs/OUTPUT.md", k)
					continue
				}
				if err := typeIs(v, d.typ); err != "" {
					t.Errorf("result %q = %s: %s", k, jsonOf(v), err)
				}
			}
			for k, d := range keys {
				_, have := res[k]
				switch d.when {
				case "always", "`--verify`", "`--out`":
					if !have {
						t.Errorf("result lacks %q (documented: %s)", k, d.when)
					}
				}
			}
		})
	}
}

// setOut gives a job with an --out a file to write.
func setOut(p Params, base string) {
	switch q := p.(type) {
	case *Cdist:
		q.Out = base + ".npy"
	case *Fit:
		q.Out = base + ".csv"
	case *Sweep:
		q.Out = base + ".csv"
	case *Map:
		q.Out = base + ".txt"
	}
}

func checkTop(t *testing.T, rep map[string]any) {
	t.Helper()
	if rep["schema"] != job.Schema {
		t.Errorf("schema %v, want %q", rep["schema"], job.Schema)
	}
	for _, k := range []string{"elapsed_seconds", "section_seconds"} {
		if err := typeIs(rep[k], "number"); err != "" {
			t.Errorf("%s: %s", k, err)
		}
	}
	for _, k := range []string{"ranks", "threads"} {
		if err := typeIs(rep[k], "integer"); err != "" {
			t.Errorf("%s: %s", k, err)
		}
	}
	ph, _ := rep["phases"].(map[string]any)
	sum := 0.0
	for _, k := range []string{"startup", "setup", "section", "finish"} {
		if err := typeIs(ph[k], "number"); err != "" {
			t.Errorf("phases.%s: %s", k, err)
		}
		f, _ := ph[k].(json.Number).Float64()
		sum += f
	}
	el, _ := rep["elapsed_seconds"].(json.Number).Float64()
	if el < sum-1e-6 {
		t.Errorf("elapsed %v < the phases' sum %v", el, sum)
	}
	v, _ := rep["verify"].(map[string]any)
	for k, typ := range map[string]string{"agrees": "boolean", "tolerance": "string", "detail": "string", "reference": "string", "reference_seconds": "number", "speedup_vs_reference": "number"} {
		if err := typeIs(v[k], typ); err != "" {
			t.Errorf("verify.%s: %s", k, err)
		}
	}
	pr, _ := rep["per_rank"].([]any)
	for _, e := range pr {
		m, _ := e.(map[string]any)
		for _, k := range []string{"compute_seconds", "communicate_seconds", "wait_seconds", "total_seconds"} {
			if err := typeIs(m[k], "number"); err != "" {
				t.Errorf("per_rank %s: %s", k, err)
			}
		}
	}
}

// typeIs checks a JSON value against a type of docs/OUTPUT.md and says
// what is wrong ("" if nothing).
func typeIs(v any, typ string) string {
	switch {
	case typ == "number":
		if _, ok := v.(json.Number); !ok && v != nil {
			return "not a number"
		}
	case typ == "integer":
		n, ok := v.(json.Number)
		if !ok {
			return "not a number"
		}
		if f, err := n.Float64(); err != nil || f != math.Trunc(f) {
			return "not an integer"
		}
	case typ == "string":
		if _, ok := v.(string); !ok {
			return "not a string"
		}
	case typ == "boolean":
		if _, ok := v.(bool); !ok {
			return "not a boolean"
		}
	case typ == "numbers", typ == "strings":
		a, ok := v.([]any)
		if !ok {
			return "not an array"
		}
		for _, e := range a {
			if err := typeIs(e, strings.TrimSuffix(typ, "s")); err != "" {
				return "an element is " + err
			}
		}
	case strings.HasPrefix(typ, "table("):
		cols := strings.Split(strings.TrimSuffix(strings.TrimPrefix(typ, "table("), ")"), ", ")
		a, ok := v.([]any)
		if !ok {
			return "not a table (array of objects)"
		}
		for _, e := range a {
			row, ok := e.(map[string]any)
			if !ok || len(row) != len(cols) {
				return "a row is not an object with the columns " + strings.Join(cols, ", ")
			}
			for _, c := range cols {
				if _, ok := row[c]; !ok {
					return "a row lacks " + c
				}
			}
		}
	default:
		return "undocumented type " + typ
	}
	return ""
}
