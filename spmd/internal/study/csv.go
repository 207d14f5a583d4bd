package study

import (
	"encoding/csv"
	"io"
	"strconv"
)

// CSVHeader is the header of a study's CSV. Every run is a row of kind
// "run" (wall_seconds set, the summary columns empty); then every point is
// a row of kind "summary" (runs, median, min, max, speedup, efficiency set,
// run and wall_seconds empty). scaling is "strong" or "weak"; size is the
// grown problem size of a weak study; efficiency is a fraction (1 = perfect).
var CSVHeader = []string{
	"kind", "job", "scaling", "ranks", "threads", "workers", "oversubscribed", "size",
	"run", "wall_seconds",
	"runs", "median_seconds", "min_seconds", "max_seconds", "speedup", "efficiency",
}

// WriteCSV writes the study as CSV: the header, one row per run, one row
// per point.
func (r *ScaleResult) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	scaling := "strong"
	if r.Weak {
		scaling = "weak"
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	common := func(kind string, p Point, over bool, size string) []string {
		return []string{kind, r.Job, scaling, strconv.Itoa(p.Ranks), strconv.Itoa(p.Threads),
			strconv.Itoa(p.Workers()), strconv.FormatBool(over), size}
	}
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, run := range r.Runs {
		row := append(common("run", run.Point, run.Oversubscribed, run.Size),
			strconv.Itoa(run.Index), num(run.Wall), "", "", "", "", "", "")
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	for _, s := range r.Points {
		row := append(common("summary", s.Point, s.Oversubscribed, s.Size),
			"", "", strconv.Itoa(s.Runs), num(s.Median), num(s.Min), num(s.Max), num(s.Speedup), num(s.Efficiency))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
