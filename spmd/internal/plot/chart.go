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
// positive, or build fails. Note, when not empty, is a remark printed in
// the legend's box under the curves' entries, one line per line of Note:
// what a reader should know that the curves do not show (such as why a
// fitted curve is missing).
type Chart struct {
	Title, XLabel, YLabel string
	Curves                []Curve
	XTicks                []float64
	XTickLabel            func(float64) string
	YFromZero             bool
	LogX, LogY            bool
	Band                  *Band
	Note                  string
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

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// figure is a chart built for drawing: the gonum plot without a legend,
// the legend drawn over it, and the ink of the data the legend must not
// hide.
type figure struct {
	p       *gplot.Plot
	legend  legend
	strokes []stroke
}

// build lays the chart out on a gonum plot.
func (c Chart) build() (*figure, error) {
	c.check()
	p := gplot.New()
	p.Title.Text = c.Title
	p.Title.TextStyle.Font.Size = titleFontSize
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	for _, a := range []*gplot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = labelFontSize
		a.Tick.Label.Font.Size = tickFontSize
	}

	if err := c.checkLog(); err != nil {
		return nil, err
	}
	c, xticks, yticks := c.linear()
	xmin, xmax, ymin, ymax, ok := c.ranges()
	if !ok {
		xmin, xmax, ymin, ymax = 1, 10, 1, 10
	}
	if c.YFromZero {
		ymin = math.Min(0, ymin)
	}
	pad := 0.05 * (ymax - ymin)
	if pad == 0 {
		pad = math.Max(0.05*math.Abs(ymax), 0.05)
	}
	if !c.YFromZero || ymin < 0 {
		ymin -= pad
	}
	ymax += pad
	xpad := 0.04 * (xmax - xmin)
	if xpad == 0 {
		xpad = 0.5
	}
	xmin, xmax = xmin-xpad, xmax+xpad

	f := &figure{p: p}
	// The band goes first so that it lies under every curve. It reaches
	// far above the data: the top of the y axis may yet be raised to make
	// room for the legend.
	if b := c.Band; b != nil && b.From < xmax {
		from := math.Max(b.From, xmin)
		top := ymax + 100*(ymax-ymin)
		poly, err := plotter.NewPolygon(plotter.XYs{{X: from, Y: ymin}, {X: xmax, Y: ymin}, {X: xmax, Y: top}, {X: from, Y: top}})
		if err != nil {
			return nil, err
		}
		poly.Color = bandColor
		poly.LineStyle = draw.LineStyle{}
		p.Add(poly)
		f.legend.add(b.Label, poly)
	}
	p.Add(plotter.NewGrid())

	measured := 0
	for _, cv := range c.Curves {
		if err := f.addCurve(cv, &measured); err != nil {
			return nil, fmt.Errorf("plot: curve %q: %w", cv.Label, err)
		}
	}
	f.legend.setNote(c.Note)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax, ymin, ymax
	if xticks != nil {
		p.X.Tick.Marker = xticks
	}
	p.Y.Tick.Marker = yticks
	return f, nil
}

// draw draws the figure on dc: the plot, then the legend on its box at
// the place that hides no data. It returns the legend's box (empty when
// there is no legend) and the canvas the data were drawn in.
func (f *figure) draw(dc draw.Canvas) (box vg.Rectangle, data draw.Canvas) {
	dc = draw.Crop(dc, chartMargin, -chartMargin, chartMargin, -chartMargin)
	if !f.legend.empty() {
		box = place(f.p, dc, f.strokes, f.legend.size())
	}
	f.p.Draw(dc)
	if !f.legend.empty() {
		f.legend.draw(dc, box)
	}
	return box, f.p.DataCanvas(dc)
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

// Line widths and marker sizes, in points, and the white margin around
// the whole chart.
var (
	chartMargin   = vg.Points(6)
	measuredWidth = vg.Points(1.5)
	modelWidth    = vg.Points(1)
	markerRadius  = vg.Points(3)
	capWidth      = vg.Points(4)
)

// addCurve adds a curve to the plot and the legend, and its ink to the
// strokes the legend must not hide.
func (f *figure) addCurve(cv Curve, measured *int) error {
	p := f.p
	xys, lo, hi, flagged := finitePoints(cv)
	if len(xys) == 0 {
		return nil
	}
	line, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	line.Width = measuredWidth
	switch cv.Kind {
	case Reference:
		line.Color = referenceColor
		line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	case Model:
		line.Color = modelColor
		line.Width = modelWidth
		line.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	}
	for i := range xys {
		j := min(i+1, len(xys)-1)
		f.strokes = append(f.strokes, stroke{a: [2]float64{xys[i].X, xys[i].Y}, b: [2]float64{xys[j].X, xys[j].Y}, r: line.Width / 2})
	}
	if cv.Kind != Measured {
		p.Add(line)
		f.legend.add(cv.Label, line)
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
		bars.CapWidth = capWidth
		p.Add(bars)
		for i := range xys {
			f.strokes = append(f.strokes, stroke{a: [2]float64{xys[i].X, lo[i]}, b: [2]float64{xys[i].X, hi[i]}, r: capWidth / 2})
		}
	}
	var solid, hollow plotter.XYs
	for i, fl := range flagged {
		if fl {
			hollow = append(hollow, xys[i])
		} else {
			solid = append(solid, xys[i])
		}
		f.strokes = append(f.strokes, stroke{a: [2]float64{xys[i].X, xys[i].Y}, b: [2]float64{xys[i].X, xys[i].Y}, r: markerRadius})
	}
	legendGlyph := draw.GlyphStyle{Color: col, Radius: markerRadius, Shape: draw.CircleGlyph{}}
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
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: markerRadius, Shape: g.shape}
		p.Add(sc)
	}
	if len(solid) == 0 {
		legendGlyph.Shape = draw.RingGlyph{}
	}
	f.legend.add(cv.Label, line, legendThumb(legendGlyph))
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
