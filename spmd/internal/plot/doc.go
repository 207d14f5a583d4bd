// Package plot draws the charts of spmd's studies (time, speedup and
// efficiency against workers) as PNG and SVG files, with
// gonum.org/v1/plot underneath.
//
// A Chart is plain data: curves of (x, y) points, each measured (markers
// joined by a line, optional min–max bars), a reference (a dashed line,
// such as ideal speedup) or a model (a smooth dotted line, such as a fitted
// Amdahl curve), and an optional shaded band marking part of the x axis
// (points beyond the machine's cores, which ran oversubscribed). Points
// can be flagged individually: a flagged measured point is drawn hollow.
// A Note is printed in the legend, under the curves' entries, for what
// the curves cannot say (why a fitted curve is missing).
//
// # Size and legend
//
// Every chart is 16 x 10 cm (Width, Height): an SVG of that size, and a
// PNG at DPI 254, 1600 x 1000 pixels, for slides. Text is sized in points
// and so stays in proportion to the chart at any DPI.
//
// The legend sits on an opaque white box with a thin border, in the first
// corner of the data area (top left, top right, bottom right, bottom
// left) where it hides no curve, marker or bar; when every corner holds
// data, the y axis is extended upwards until the data under a top corner
// clear the box (place.go). Log axes are drawn as linear axes of log10
// values with the values as tick labels (logaxis.go says why).
//
// # Use
//
//	c := plot.Chart{Title: "pi: speedup", XLabel: "ranks", YLabel: "speedup",
//		Curves: []plot.Curve{
//			{Label: "measured", X: []float64{1, 2, 4}, Y: []float64{1, 1.9, 2.0}},
//			{Label: "ideal", Kind: plot.Reference, X: []float64{1, 4}, Y: []float64{1, 4}},
//		},
//		Band: &plot.Band{From: 2, Label: "oversubscribed (> 2 cores)"}}
//	err := c.Save("speedup.png") // or .svg
//
// The package knows nothing of jobs or measurements: package study turns a
// scaling run into Charts.
package plot
