package job

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// Schema names the layout of the --json report; docs/OUTPUT.md describes
// it. It changes whenever a field changes meaning or goes away.
const Schema = "spmd.report/2"

// report is what the root prints; its JSON form is the stable interface
// for scripts (spmd scale, spmd compare; docs/OUTPUT.md).
type report struct {
	Schema  string `json:"schema"`
	Job     string `json:"job"`
	Ranks   int    `json:"ranks"`
	Threads int    `json:"threads"`
	// Elapsed is the user's clock: from the start of the launcher (or of
	// the root's process) to the results written.
	Elapsed float64 `json:"elapsed_seconds"`
	// Section is the parallel section, between the barriers (its slowest
	// rank).
	Section float64        `json:"section_seconds"`
	Phases  Phases         `json:"phases"`
	Result  map[string]any `json:"result"`
	Verify  *Verification  `json:"verify"`
	PerRank []Times        `json:"per_rank"`

	keys []string
}

// Phases splits the elapsed time at the root, in seconds.
type Phases struct {
	Startup float64 `json:"startup"` // launch and wire-up, until the world was up
	Setup   float64 `json:"setup"`   // building the job: input, allocation, until the opening barrier
	Section float64 `json:"section"` // the parallel section at the root
	Finish  float64 `json:"finish"`  // gathering the ranks' times and writing results
}

// Verification is the --verify part of a report.
type Verification struct {
	Agrees    bool   `json:"agrees"`
	Tolerance string `json:"tolerance"` // "" means exact equality
	Detail    string `json:"detail"`
	Reference string `json:"reference"` // what the serial reference is
	// ReferenceSeconds is the serial reference's time, and
	// SpeedupVsReference that time over the parallel section's: the
	// reference is often a plain loop, slower than the job's kernel on
	// one core, so this is not the parallel speedup (spmd compare
	// measures that, against this job on 1 rank x 1 thread).
	ReferenceSeconds   float64 `json:"reference_seconds"`
	SpeedupVsReference float64 `json:"speedup_vs_reference"`
}

func seconds(from, to time.Time) float64 {
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return 0
	}
	return to.Sub(from).Seconds()
}

func newReport(j Job, ranks, threads int, all []Times, res *Result, ph phases) *report {
	rep := &report{Schema: Schema, Job: j.Name, Ranks: ranks, Threads: threads, Result: res.Summary, keys: res.Keys, PerRank: all}
	if rep.Result == nil {
		rep.Result = map[string]any{}
	}
	for _, t := range all {
		rep.Section = math.Max(rep.Section, t.Total)
	}
	rep.Elapsed = seconds(ph.started, ph.written)
	ready := ph.ready
	if ready.IsZero() {
		ready = ph.started
	}
	rep.Phases = Phases{
		Startup: seconds(ph.started, ready),
		Setup:   seconds(ready, ph.section),
		Section: seconds(ph.section, ph.finish),
		Finish:  seconds(ph.finish, ph.written),
	}
	if res.Work > 0 && res.WorkUnit != "" && rep.Section > 0 {
		key := res.WorkUnit + "_per_second"
		if _, ok := rep.Result[key]; !ok {
			rep.Result[key] = res.Work / rep.Section
			rep.keys = append(rep.keys, key)
		}
	}
	return rep
}

func (rep *report) addVerify(j Job, res *Result, serial float64) {
	if res.Verified == nil {
		return
	}
	v := &Verification{Agrees: *res.Verified, Tolerance: res.Tolerance, Detail: res.Detail,
		Reference: j.Reference, ReferenceSeconds: serial}
	if v.Reference == "" {
		v.Reference = "the serial reference"
	}
	if rep.Section > 0 {
		v.SpeedupVsReference = serial / rep.Section
	}
	rep.Verify = v
}

func (rep *report) writeJSON(w io.Writer) error {
	clean := *rep
	clean.Result = finite(rep.Result).(map[string]any)
	b, err := json.Marshal(&clean)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func (rep *report) writeTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s x %s\n", rep.Job, plural(rep.Ranks, "rank"), plural(rep.Threads, "thread"))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	var blocks []string
	for _, k := range rep.keys {
		if isBlock(rep.Result[k]) {
			blocks = append(blocks, k)
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\n", k, formatValue(rep.Result[k]))
	}
	tw.Flush()
	for _, k := range blocks { // tables: one line per row
		fmt.Fprintf(&b, "  %s:\n", k)
		writeBlock(&b, rep.Result[k])
	}
	ph := rep.Phases
	fmt.Fprintf(&b, "time %.3f s end to end (start-up %.3f, setup %.3f, parallel section %.3f, finish %.3f)\n",
		rep.Elapsed, ph.Startup, ph.Setup, rep.Section, ph.Finish)
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  rank\thost\tcompute s\tcommunicate s\twait s\tsection s\t\n")
	for _, t := range rep.PerRank {
		fmt.Fprintf(tw, "  %d\t%s\t%.6f\t%.6f\t%.6f\t%.6f\t\n", t.Rank, t.Host, t.Compute, t.Communicate, t.Wait, t.Total)
	}
	tw.Flush()
	if v := rep.Verify; v != nil {
		verdict := "AGREES with"
		if !v.Agrees {
			verdict = "DIFFERS from"
		}
		tol := "exactly"
		if v.Tolerance != "" {
			tol = "within " + v.Tolerance
		}
		fmt.Fprintf(&b, "verify: the parallel result %s the serial reference %s", verdict, tol)
		if v.Detail != "" {
			fmt.Fprintf(&b, " (%s)", v.Detail)
		}
		fmt.Fprintf(&b, "\n  reference: %s, %.3f s", v.Reference, v.ReferenceSeconds)
		if v.SpeedupVsReference > 0 {
			fmt.Fprintf(&b, " = %.2fx the parallel section (not the parallel speedup: see spmd compare)", v.SpeedupVsReference)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// maxTableRows is how many rows of a Table the printed report shows.
const maxTableRows = 20

// isBlock says whether v prints as a table of its own.
func isBlock(v any) bool {
	switch v.(type) {
	case []string, Table, *Table:
		return true
	}
	return false
}

func writeBlock(b *strings.Builder, v any) {
	switch x := v.(type) {
	case []string:
		for _, l := range x {
			fmt.Fprintf(b, "    %s\n", l)
		}
	case *Table:
		writeBlock(b, *x)
	case Table:
		tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "    %s\n", strings.Join(x.Columns, "\t"))
		for i, row := range x.Rows {
			if i == maxTableRows && len(x.Rows) > maxTableRows+1 {
				fmt.Fprintf(tw, "    ... %d rows in all (--json gives every row)\n", len(x.Rows))
				break
			}
			cells := make([]string, len(row))
			for i, c := range row {
				cells[i] = formatValue(c)
			}
			fmt.Fprintf(tw, "    %s\n", strings.Join(cells, "\t"))
		}
		tw.Flush()
	}
}

func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		if x != 0 && (math.Abs(x) >= 1e7 || math.Abs(x) < 1e-3) {
			return fmt.Sprintf("%.6g", x)
		}
		return fmt.Sprintf("%.10g", x)
	case nil:
		return "-"
	default:
		return fmt.Sprint(v)
	}
}

// finite replaces numbers JSON cannot hold (NaN, ±Inf) by nil, which
// --json writes as null, in v and in the tables, lists and maps it holds.
func finite(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case float32:
		return finite(float64(x))
	case []float64:
		out := make([]any, len(x))
		for i, f := range x {
			out[i] = finite(f)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = finite(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = finite(e)
		}
		return out
	case *Table:
		return finite(*x)
	case Table:
		t := Table{Columns: x.Columns, Rows: make([][]any, len(x.Rows))}
		for i, row := range x.Rows {
			t.Rows[i] = finite(row).([]any)
		}
		return t
	}
	return v
}
