package bench

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
)

// WriteTable prints rows for people.
func WriteTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "bench\tranks\tsize\titers\tmin us\tmedian us\tmax us\tMB/s\traw median us\traw MB/s\tx raw\ttransport\t\n")
	for _, r := range rows {
		raw, rawbw, ratio := "", "", ""
		if r.RawMed > 0 {
			raw, rawbw, ratio = fmt.Sprintf("%.2f", r.RawMed), fmt.Sprintf("%.0f", r.RawMBps), fmt.Sprintf("%.2f", r.Ratio)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%.2f\t%.2f\t%.2f\t%.0f\t%s\t%s\t%s\t%s\t\n", r.Bench, r.Ranks, FormatSize(r.Bytes), r.Iters, r.Min, r.Median, r.Max, r.MBps, raw, rawbw, ratio, r.Transport)
	}
	return tw.Flush()
}

// WriteJSON prints one JSON object per row, one per line.
func WriteJSON(w io.Writer, rows []Row) error {
	enc := json.NewEncoder(w)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// CSVHeader is the first line WriteCSV writes.
var CSVHeader = []string{"bench", "ranks", "bytes", "iters", "min_us", "median_us", "max_us", "mb_per_s", "raw_median_us", "raw_mb_per_s", "ratio_to_raw", "transport"}

// WriteCSV prints rows as CSV with a header line.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }
	for _, r := range rows {
		cw.Write([]string{r.Bench, strconv.Itoa(r.Ranks), strconv.Itoa(r.Bytes), strconv.Itoa(r.Iters), f(r.Min), f(r.Median), f(r.Max), f(r.MBps), f(r.RawMed), f(r.RawMBps), f(r.Ratio), r.Transport})
	}
	cw.Flush()
	return cw.Error()
}
