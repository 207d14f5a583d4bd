package bench

import (
	"fmt"
	"math"
	"slices"

	"github.com/spmd-go/spmd/spmd/internal/plot"
)

// Charts draws rows as two log-log charts against message size: one-way
// (or per-call) time with min–max bars, and bandwidth; one curve per
// benchmark, rank count and transport, plus a dashed bare-socket curve
// wherever the rows carry a --raw baseline.
func Charts(rows []Row) (latency, bandwidth plot.Chart, err error) {
	type key struct {
		bench     string
		ranks     int
		transport string
	}
	var keys []key
	groups := map[key][]Row{}
	for _, r := range rows {
		if r.Bytes <= 0 || r.Median <= 0 {
			continue // log axes: a 0-byte message has no place on them
		}
		k := key{r.Bench, r.Ranks, r.Transport}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	if len(keys) == 0 {
		return latency, bandwidth, fmt.Errorf("bench: no rows with a positive size and time to plot")
	}
	var sizes []float64
	latency = plot.Chart{Title: "time against message size", XLabel: "message size (bytes)", YLabel: "median time (µs; bars: min–max)", LogX: true, LogY: true}
	bandwidth = plot.Chart{Title: "bandwidth against message size", XLabel: "message size (bytes)", YLabel: "MB/s (median)", LogX: true, LogY: true}
	for _, k := range keys {
		g := groups[k]
		slices.SortFunc(g, func(a, b Row) int { return a.Bytes - b.Bytes })
		label := fmt.Sprintf("%s, %d ranks", k.bench, k.ranks)
		if k.transport != "" {
			label += ", " + k.transport
		}
		var t, lo, hi, bw, bx, x, rawT, rawBW, rawX []float64
		for _, r := range g {
			sizes = append(sizes, float64(r.Bytes))
			x = append(x, float64(r.Bytes))
			t, lo, hi = append(t, r.Median), append(lo, math.Min(math.Max(r.Min, r.Median/1e3), r.Median)), append(hi, math.Max(r.Max, r.Median))
			if r.MBps > 0 {
				bx, bw = append(bx, float64(r.Bytes)), append(bw, r.MBps)
			}
			if r.RawMed > 0 && r.RawMBps > 0 {
				rawX, rawT, rawBW = append(rawX, float64(r.Bytes)), append(rawT, r.RawMed), append(rawBW, r.RawMBps)
			}
		}
		latency.Curves = append(latency.Curves, plot.Curve{Label: label, X: x, Y: t, Lo: lo, Hi: hi})
		bandwidth.Curves = append(bandwidth.Curves, plot.Curve{Label: label, X: bx, Y: bw})
		if len(rawX) > 0 {
			raw := "bare TCP socket between the same ranks"
			latency.Curves = append(latency.Curves, plot.Curve{Label: raw, Kind: plot.Reference, X: rawX, Y: rawT})
			bandwidth.Curves = append(bandwidth.Curves, plot.Curve{Label: raw, Kind: plot.Reference, X: rawX, Y: rawBW})
		}
	}
	ticks := sizeTicks(sizes)
	label := func(v float64) string { return FormatSize(int(v)) }
	latency.XTicks, latency.XTickLabel = ticks, label
	bandwidth.XTicks, bandwidth.XTickLabel = ticks, label
	return latency, bandwidth, nil
}

// sizeTicks picks at most about eight powers of two spanning sizes.
func sizeTicks(sizes []float64) []float64 {
	lo, hi := slices.Min(sizes), slices.Max(sizes)
	a, b := math.Floor(math.Log2(lo)), math.Ceil(math.Log2(hi))
	step := math.Max(1, math.Ceil((b-a)/8))
	var ticks []float64
	for e := a; e <= b; e += step {
		ticks = append(ticks, math.Exp2(e))
	}
	return ticks
}
