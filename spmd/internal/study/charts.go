package study

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spmd-go/spmd/spmd/internal/plot"
)

// Chart names, also the base names of their files.
const (
	ChartTime       = "time"
	ChartSpeedup    = "speedup"
	ChartEfficiency = "efficiency"
)

// ChartNames lists the charts Charts draws, in order.
var ChartNames = []string{ChartTime, ChartSpeedup, ChartEfficiency}

// Charts draws the study: wall time, speedup and efficiency against the
// workers (ranks × threads; the ranks when every point has one thread),
// one measured curve per thread count, with the ideal line, the Amdahl fit
// of a strong study, and oversubscribed points hollow inside a shaded band.
func (r *ScaleResult) Charts() map[string]plot.Chart {
	xlabel := "ranks"
	threads := r.threadCounts()
	if len(threads) > 1 || threads[0] != 1 {
		xlabel = "workers = ranks × threads"
	}
	var ticks []float64
	seen := map[int]bool{}
	for _, s := range r.Points {
		if !seen[s.Workers] {
			seen[s.Workers] = true
			ticks = append(ticks, float64(s.Workers))
		}
	}
	sort.Float64s(ticks)
	base := r.Points[r.Base]
	wb := float64(base.Workers)
	lo, hi := ticks[0], ticks[len(ticks)-1]

	kind := "strong scaling"
	if r.Weak {
		kind = fmt.Sprintf("weak: --%s × workers", r.SizeFlag)
	}
	title := func(what string) string {
		return fmt.Sprintf("%s: %s (%s, median of %d)", r.describe(), what, kind, r.Repeat)
	}
	var band *plot.Band
	if r.anyOversubscribed() {
		band = &plot.Band{From: float64(r.Capacity), Label: fmt.Sprintf("oversubscribed (more than %d cores)", r.Capacity)}
	}
	// The model's curve, sampled densely between the first and last point.
	var mx []float64
	const samples = 64
	for i := 0; i <= samples; i++ {
		mx = append(mx, lo+(hi-lo)*float64(i)/samples)
	}
	modelLabel := ""
	if r.Fit != nil {
		modelLabel = fmt.Sprintf("Amdahl fit, serial fraction %.3g", r.Fit.S)
	}
	model := func(f func(x float64) float64) []plot.Curve {
		if r.Fit == nil {
			return nil
		}
		y := make([]float64, len(mx))
		for i, x := range mx {
			y[i] = f(x)
		}
		return []plot.Curve{{Label: modelLabel, Kind: plot.Model, X: mx, Y: y}}
	}

	note := r.FitNote()
	timeC := plot.Chart{Title: title("wall time"), XLabel: xlabel, YLabel: "wall time (s), median with min–max", XTicks: ticks, YFromZero: true, Band: band, Note: note}
	timeC.Curves = r.measured(threads, func(s Summary) (float64, float64, float64) { return s.Median, s.Min, s.Max })
	if r.Weak {
		timeC.Curves = append(timeC.Curves, plot.Curve{Label: "ideal (constant)", Kind: plot.Reference, X: []float64{lo, hi}, Y: []float64{base.Median, base.Median}})
	} else {
		timeC.Curves = append(timeC.Curves, plot.Curve{Label: "ideal (base time / workers)", Kind: plot.Reference, X: mx, Y: scaled(mx, func(x float64) float64 { return base.Median * wb / x })})
		if r.Fit != nil {
			timeC.Curves = append(timeC.Curves, model(r.Fit.Time)...)
		}
	}

	speedName := "speedup"
	if r.Weak {
		speedName = "scaled speedup"
	}
	speedC := plot.Chart{Title: title(speedName), XLabel: xlabel, YLabel: fmt.Sprintf("%s over %v", speedName, base.Point), XTicks: ticks, YFromZero: true, Band: band, Note: note}
	speedC.Curves = r.measured(threads, func(s Summary) (float64, float64, float64) {
		g := growth(r.Weak, s, wb)
		return s.Speedup, base.Median / s.Max * g, base.Median / s.Min * g
	})
	speedC.Curves = append(speedC.Curves, plot.Curve{Label: "ideal", Kind: plot.Reference, X: []float64{lo, hi}, Y: []float64{lo / wb, hi / wb}})
	if r.Fit != nil {
		speedC.Curves = append(speedC.Curves, model(func(x float64) float64 { return base.Median / r.Fit.Time(x) })...)
	}

	effC := plot.Chart{Title: title("efficiency"), XLabel: xlabel, YLabel: "efficiency (%)", XTicks: ticks, YFromZero: true, Band: band, Note: note}
	if r.Weak {
		effC.YLabel = fmt.Sprintf("efficiency T(%v) / T (%%)", base.Point)
	}
	effC.Curves = r.measured(threads, func(s Summary) (float64, float64, float64) {
		g := growth(r.Weak, s, wb) / (float64(s.Workers) / wb)
		return 100 * s.Efficiency, 100 * base.Median / s.Max * g, 100 * base.Median / s.Min * g
	})
	effC.Curves = append(effC.Curves, plot.Curve{Label: "ideal", Kind: plot.Reference, X: []float64{lo, hi}, Y: []float64{100, 100}})
	if r.Fit != nil {
		effC.Curves = append(effC.Curves, model(func(x float64) float64 { return 100 * base.Median / r.Fit.Time(x) / (x / wb) })...)
	}
	return map[string]plot.Chart{ChartTime: timeC, ChartSpeedup: speedC, ChartEfficiency: effC}
}

// growth is how much bigger a point's problem is than the base point's:
// 1 in a strong study, workers / base workers in a weak one.
func growth(weak bool, s Summary, wb float64) float64 {
	if weak {
		return float64(s.Workers) / wb
	}
	return 1
}

func scaled(xs []float64, f func(float64) float64) []float64 {
	ys := make([]float64, len(xs))
	for i, x := range xs {
		ys[i] = f(x)
	}
	return ys
}

// measured returns one curve per thread count: value, low and high end of
// each point, oversubscribed points flagged.
func (r *ScaleResult) measured(threads []int, val func(Summary) (v, lo, hi float64)) []plot.Curve {
	var cs []plot.Curve
	for _, t := range threads {
		c := plot.Curve{Label: "measured", Lo: []float64{}, Hi: []float64{}, Flagged: []bool{}}
		if len(threads) > 1 {
			c.Label = fmt.Sprintf("%d thread%s per rank", t, plural(t))
		}
		for _, s := range r.Points {
			if s.Threads != t {
				continue
			}
			v, lo, hi := val(s)
			c.X, c.Y = append(c.X, float64(s.Workers)), append(c.Y, v)
			c.Lo, c.Hi = append(c.Lo, lo), append(c.Hi, hi)
			c.Flagged = append(c.Flagged, s.Oversubscribed)
		}
		cs = append(cs, c)
	}
	return cs
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// threadCounts lists the thread counts of the points in increasing order.
func (r *ScaleResult) threadCounts() []int {
	var ts []int
	for _, s := range r.Points {
		if len(ts) == 0 || ts[len(ts)-1] != s.Threads {
			ts = append(ts, s.Threads)
		}
	}
	return ts
}

// describe is the job and its arguments, shortened for a title.
func (r *ScaleResult) describe() string {
	d := strings.TrimSpace(r.Job + " " + strings.Join(r.Args, " "))
	if r.Weak {
		d = strings.TrimSpace(r.Job + " " + strings.Join(removeFlag(r.Args, r.sizeNames), " "))
	}
	if len(d) > 48 {
		d = d[:45] + "..."
	}
	return d
}

// SaveCharts writes every chart into dir as NAME.png and NAME.svg and
// returns the paths written.
func (r *ScaleResult) SaveCharts(dir string) ([]string, error) {
	charts := r.Charts()
	var paths []string
	for _, name := range ChartNames {
		ps, err := charts[name].SaveAll(filepath.Join(dir, name))
		paths = append(paths, ps...)
		if err != nil {
			return paths, err
		}
	}
	return paths, nil
}
