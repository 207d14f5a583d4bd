package plot

import (
	"fmt"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Kind says how a Curve is drawn.
type Kind int

const (
	// Measured points: markers joined by a solid line, with min–max bars
	// when Lo and Hi are set.
	Measured Kind = iota
	// Reference is a dashed line without markers (ideal speedup, 100 %).
	Reference
	// Model is a smooth dotted line without markers (a fitted curve):
	// give it many points.
	Model
)

// Curve is one line of a chart. X and Y have the same length; Lo and Hi,
// when not nil, are the low and high ends of a bar around each Y (a
// Measured curve's min and max). Flagged, when not nil, marks points drawn
// hollow (a Measured curve's oversubscribed runs).
type Curve struct {
	Label   string
	Kind    Kind
	X, Y    []float64
	Lo, Hi  []float64
	Flagged []bool
}

// Band shades the x axis from From to the right edge of the chart, with
// Label in the legend: the region where points ran oversubscribed.
type Band struct {
	From  float64
	Label string
}

// Chart is a whole chart. XTicks, when not nil, are the only ticks on the
// x axis (the worker counts measured), labelled by XTickLabel (default
// %g); YFromZero starts the y axis at 0. LogX and LogY make an axis
// logarithmic (message sizes, latencies): every value on it must then be
// positive, or build fails.
type Chart struct {
	Title, XLabel, YLabel string
	Curves                []Curve
	XTicks                []float64
	XTickLabel            func(float64) string
	YFromZero             bool
	LogX, LogY            bool
	Band                  *Band
}

// checkLog reports a value a logarithmic axis cannot show.
func (c Chart) checkLog() error {
	for _, cv := range c.Curves {
		for i := range cv.X {
			if c.LogX && cv.X[i] <= 0 {
				return fmt.Errorf("plot: curve %q: x = %g on a log axis", cv.Label, cv.X[i])
			}
			ys := []float64{cv.Y[i]}
			if cv.Lo != nil {
				ys = append(ys, cv.Lo[i], cv.Hi[i])
			}
			for _, y := range ys {
				if c.LogY && y <= 0 {
					return fmt.Errorf("plot: curve %q: y = %g on a log axis", cv.Label, y)
				}
			}
		}
	}
	return nil
}

// axisMap returns the map from data to the axis's drawing space and back:
// log10 for a log axis, so padding and legend room are proportional there.
func axisMap(log bool) (to, from func(float64) float64) {
	if !log {
		id := func(v float64) float64 { return v }
		return id, id
	}
	return math.Log10, func(v float64) float64 { return math.Pow(10, v) }
}

// Colors of the curves in order: measured curves take them in turn,
// reference and model curves are drawn in grey and black.
var palette = []color.Color{
	color.RGBA{31, 119, 180, 255},
	color.RGBA{214, 39, 40, 255},
	color.RGBA{44, 160, 44, 255},
	color.RGBA{148, 103, 189, 255},
	color.RGBA{255, 127, 14, 255},
}

var (
	referenceColor = color.Gray{120}
	modelColor     = color.Black
	bandColor      = color.NRGBA{255, 170, 60, 60}
)

// check panics on a malformed chart: the curves are built by code, so a
// length mismatch is a programming error.
func (c Chart) check() {
	for i, cv := range c.Curves {
		n := len(cv.X)
		if len(cv.Y) != n || (cv.Lo != nil && len(cv.Lo) != n) || (cv.Hi != nil && len(cv.Hi) != n) || (cv.Flagged != nil && len(cv.Flagged) != n) {
			panic(fmt.Sprintf("plot: curve %d (%q): X, Y, Lo, Hi and Flagged lengths differ", i, cv.Label))
		}
		if (cv.Lo == nil) != (cv.Hi == nil) {
			panic(fmt.Sprintf("plot: curve %d (%q): Lo and Hi must be set together", i, cv.Label))
		}
	}
}

// ranges returns the extent of every finite value of the chart.
func (c Chart) ranges() (xmin, xmax, ymin, ymax float64, ok bool) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	see := func(v float64, lo, hi *float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		*lo, *hi = math.Min(*lo, v), math.Max(*hi, v)
	}
	for _, cv := range c.Curves {
		for i := range cv.X {
			if !finite(cv.X[i]) || !finite(cv.Y[i]) {
				continue
			}
			see(cv.X[i], &xmin, &xmax)
			see(cv.Y[i], &ymin, &ymax)
			if cv.Lo != nil {
				see(cv.Lo[i], &ymin, &ymax)
				see(cv.Hi[i], &ymin, &ymax)
			}
		}
	}
	for _, t := range c.XTicks {
		see(t, &xmin, &xmax)
	}
	return xmin, xmax, ymin, ymax, xmin <= xmax && ymin <= ymax
}

// legendEntries counts the lines of the legend.
func (c Chart) legendEntries() int {
	n := len(c.Curves)
	if c.Band != nil {
		n++
	}
	return n
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// build lays the chart out on a gonum plot.
func (c Chart) build() (*gplot.Plot, error) {
	c.check()
	p := gplot.New()
	p.Title.Text = c.Title
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	p.Legend.Top = true
	p.Legend.Left = true

	if err := c.checkLog(); err != nil {
		return nil, err
	}
	xmin, xmax, ymin, ymax, ok := c.ranges()
	if !ok {
		xmin, xmax, ymin, ymax = 1, 10, 1, 10
	}
	toX, fromX := axisMap(c.LogX)
	toY, fromY := axisMap(c.LogY)
	xmin, xmax, ymin, ymax = toX(xmin), toX(xmax), toY(ymin), toY(ymax)
	if c.YFromZero && !c.LogY {
		ymin = math.Min(0, ymin)
	}
	pad := 0.05 * (ymax - ymin)
	if pad == 0 {
		pad = math.Max(0.05*math.Abs(ymax), 0.05)
	}
	if !c.YFromZero || ymin < 0 || c.LogY {
		ymin -= pad
	}
	// Room above the data for the legend in the top left corner: about
	// 6 % of the height per entry.
	head := math.Min(0.06*float64(c.legendEntries())+0.03, 0.6)
	ymax = ymin + (ymax+pad-ymin)/(1-head)
	xpad := 0.04 * (xmax - xmin)
	if xpad == 0 {
		xpad = 0.5
	}
	xmin, xmax = xmin-xpad, xmax+xpad
	xmin, xmax, ymin, ymax = fromX(xmin), fromX(xmax), fromY(ymin), fromY(ymax)

	// The band goes first so that it lies under every curve.
	if b := c.Band; b != nil && b.From < xmax {
		from := math.Max(b.From, xmin)
		poly, err := plotter.NewPolygon(plotter.XYs{{X: from, Y: ymin}, {X: xmax, Y: ymin}, {X: xmax, Y: ymax}, {X: from, Y: ymax}})
		if err != nil {
			return nil, err
		}
		poly.Color = bandColor
		poly.LineStyle = draw.LineStyle{}
		p.Add(poly)
		p.Legend.Add(b.Label, poly)
	}
	p.Add(plotter.NewGrid())

	measured := 0
	for _, cv := range c.Curves {
		if err := addCurve(p, cv, &measured); err != nil {
			return nil, fmt.Errorf("plot: curve %q: %w", cv.Label, err)
		}
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax, ymin, ymax
	if c.XTicks != nil {
		ticks := make([]gplot.Tick, len(c.XTicks))
		for i, t := range c.XTicks {
			label := fmt.Sprintf("%g", t)
			if c.XTickLabel != nil {
				label = c.XTickLabel(t)
			}
			ticks[i] = gplot.Tick{Value: t, Label: label}
		}
		p.X.Tick.Marker = gplot.ConstantTicks(ticks)
	} else if c.LogX {
		p.X.Tick.Marker = gplot.LogTicks{Prec: -1}
	}
	if c.LogX {
		p.X.Scale = gplot.LogScale{}
	}
	p.Y.Tick.Marker = shortTicks{}
	if c.LogY {
		p.Y.Scale = gplot.LogScale{}
		p.Y.Tick.Marker = gplot.LogTicks{Prec: -1}
	}
	return p, nil
}

// shortTicks are gonum's default ticks labelled with %g: "250", not
// "250.00".
type shortTicks struct{}

func (shortTicks) Ticks(min, max float64) []gplot.Tick {
	ts := gplot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = fmt.Sprintf("%.6g", ts[i].Value)
		}
	}
	return ts
}

// finitePoints keeps the points where x and y are finite (a fit can be
// undefined at some x; a run can have failed).
func finitePoints(cv Curve) (xys plotter.XYs, lo, hi []float64, flagged []bool) {
	for i := range cv.X {
		if !finite(cv.X[i]) || !finite(cv.Y[i]) {
			continue
		}
		xys = append(xys, plotter.XY{X: cv.X[i], Y: cv.Y[i]})
		if cv.Lo != nil {
			lo, hi = append(lo, cv.Lo[i]), append(hi, cv.Hi[i])
		}
		flagged = append(flagged, cv.Flagged != nil && cv.Flagged[i])
	}
	return xys, lo, hi, flagged
}

func addCurve(p *gplot.Plot, cv Curve, measured *int) error {
	xys, lo, hi, flagged := finitePoints(cv)
	if len(xys) == 0 {
		return nil
	}
	line, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	line.Width = vg.Points(1.5)
	switch cv.Kind {
	case Reference:
		line.Color = referenceColor
		line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		p.Add(line)
		p.Legend.Add(cv.Label, line)
		return nil
	case Model:
		line.Color = modelColor
		line.Width = vg.Points(1)
		line.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(line)
		p.Legend.Add(cv.Label, line)
		return nil
	}
	col := palette[*measured%len(palette)]
	*measured++
	line.Color = col
	p.Add(line)
	if lo != nil {
		bars, err := plotter.NewYErrorBars(errorBars{xys, lo, hi})
		if err != nil {
			return err
		}
		bars.Color = col
		bars.CapWidth = vg.Points(4)
		p.Add(bars)
	}
	var solid, hollow plotter.XYs
	for i, f := range flagged {
		if f {
			hollow = append(hollow, xys[i])
		} else {
			solid = append(solid, xys[i])
		}
	}
	legendGlyph := draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	for _, g := range []struct {
		pts   plotter.XYs
		shape draw.GlyphDrawer
	}{{solid, draw.CircleGlyph{}}, {hollow, draw.RingGlyph{}}} {
		if len(g.pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(g.pts)
		if err != nil {
			return err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: g.shape}
		p.Add(sc)
	}
	if len(solid) == 0 {
		legendGlyph.Shape = draw.RingGlyph{}
	}
	p.Legend.Add(cv.Label, line, legendThumb(legendGlyph))
	return nil
}

// errorBars gives NewYErrorBars the bars from absolute low and high ends.
type errorBars struct {
	plotter.XYs
	lo, hi []float64
}

func (e errorBars) YError(i int) (float64, float64) {
	return e.XYs[i].Y - e.lo[i], e.hi[i] - e.XYs[i].Y
}

// legendThumb draws one marker in the legend.
type legendThumb draw.GlyphStyle

func (g legendThumb) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(draw.GlyphStyle(g), c.Center())
}
