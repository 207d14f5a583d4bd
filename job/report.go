package job

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// report is what the root prints; its JSON form is the stable interface
// for scripts (spmd scale, spmd compare).
type report struct {
	Job           string         `json:"job"`
	Ranks         int            `json:"ranks"`
	Threads       int            `json:"threads"`
	WallSeconds   float64        `json:"wall_seconds"`
	Result        map[string]any `json:"result"`
	Verified      *bool          `json:"verified"`
	Tolerance     string         `json:"tolerance,omitempty"`
	Detail        string         `json:"verify_detail,omitempty"`
	SerialSeconds *float64       `json:"serial_seconds"`
	Speedup       *float64       `json:"speedup"`
	Efficiency    *float64       `json:"efficiency"`
	PerRank       []Times        `json:"per_rank"`

	keys []string
}

func newReport(name string, ranks, threads int, all []Times, res *Result, serial float64, verified bool) *report {
	rep := &report{Job: name, Ranks: ranks, Threads: threads, Result: res.Summary, keys: res.Keys, PerRank: all,
		Verified: res.Verified, Tolerance: res.Tolerance, Detail: res.Detail}
	if rep.Result == nil {
		rep.Result = map[string]any{}
	}
	for _, t := range all {
		rep.WallSeconds = math.Max(rep.WallSeconds, t.Total)
	}
	if verified && serial > 0 && rep.WallSeconds > 0 {
		s := serial
		sp := serial / rep.WallSeconds
		eff := sp / float64(ranks*threads)
		rep.SerialSeconds, rep.Speedup, rep.Efficiency = &s, &sp, &eff
	}
	if res.Work > 0 && res.WorkUnit != "" && rep.WallSeconds > 0 {
		key := res.WorkUnit + "_per_second"
		if _, ok := rep.Result[key]; !ok {
			rep.Result[key] = res.Work / rep.WallSeconds
			rep.keys = append(rep.keys, key)
		}
	}
	return rep
}

func (rep *report) writeJSON(w io.Writer) error {
	b, err := json.Marshal(rep)
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
		if lines, ok := rep.Result[k].([]string); ok {
			blocks = append(blocks, k)
			_ = lines
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\n", k, formatValue(rep.Result[k]))
	}
	tw.Flush()
	for _, k := range blocks { // multi-line values, e.g. the head of a table
		fmt.Fprintf(&b, "  %s:\n", k)
		for _, l := range rep.Result[k].([]string) {
			fmt.Fprintf(&b, "    %s\n", l)
		}
	}
	fmt.Fprintf(&b, "wall time %.6f s (slowest rank, between barriers)\n", rep.WallSeconds)
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  rank\thost\tcompute s\tcommunicate s\twait s\ttotal s\t\n")
	for _, t := range rep.PerRank {
		fmt.Fprintf(tw, "  %d\t%s\t%.6f\t%.6f\t%.6f\t%.6f\t\n", t.Rank, t.Host, t.Compute, t.Communicate, t.Wait, t.Total)
	}
	tw.Flush()
	if rep.Verified != nil {
		verdict := "AGREES with"
		if !*rep.Verified {
			verdict = "DIFFERS from"
		}
		tol := "exactly"
		if rep.Tolerance != "" {
			tol = "within " + rep.Tolerance
		}
		fmt.Fprintf(&b, "verify: the parallel result %s the serial reference %s", verdict, tol)
		if rep.Detail != "" {
			fmt.Fprintf(&b, " (%s)", rep.Detail)
		}
		b.WriteString("\n")
	}
	if rep.SerialSeconds != nil {
		fmt.Fprintf(&b, "serial %.6f s; speedup %.2fx; efficiency %.0f%% of %s x %s\n",
			*rep.SerialSeconds, *rep.Speedup, 100**rep.Efficiency, plural(rep.Ranks, "rank"), plural(rep.Threads, "thread"))
		if *rep.Efficiency > 1 {
			// Above 100% is no miracle: the reference is the plain loop,
			// and the fast kernel beats it on one core already.
			b.WriteString("  (over 100%: the serial reference is the plain loop, the parallel run uses the fast kernel;\n" +
				"   `spmd compare` separates the kernel's gain from the ranks' and threads')\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		if x != 0 && (math.Abs(x) >= 1e7 || math.Abs(x) < 1e-3) {
			return fmt.Sprintf("%.6g", x)
		}
		return fmt.Sprintf("%.10g", x)
	default:
		return fmt.Sprint(v)
	}
}
