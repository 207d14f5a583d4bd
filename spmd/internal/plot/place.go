package plot

import (
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Where the legend goes
//
// The legend must hide no data. Every curve, marker and bar is kept as a
// stroke: a segment between two data points and how far ink reaches from
// it (half a line's width, a marker's radius, half a bar's cap). The
// legend's box is tried in the corners of the data area, top left, top
// right, bottom right, bottom left, and takes the first that no stroke
// comes near. When every corner is taken, the top of the y axis is raised
// until the data under the better of the two top corners lies below the
// box, and the corners are tried again (raising the axis can change its
// tick labels and so the data area: a few rounds settle it).

// stroke is a piece of ink in data coordinates: the segment from a to b
// (a point when they are equal), reaching r beyond it on the canvas.
type stroke struct {
	a, b [2]float64
	r    vg.Length
}

// legendGap is the space between the legend's box and the edge of the
// data area, and the least space between the box and any data.
var legendGap = vg.Points(4)

// place chooses the legend's box on the canvas dc, raising p.Y.Max if
// it must, and returns the box. A legend taller than the data area goes
// top left whatever it hides.
func place(p *gplot.Plot, dc draw.Canvas, strokes []stroke, size vg.Point) vg.Rectangle {
	side := 0 // the top corner to make room in: 0 left, 1 right
	for round := 0; ; round++ {
		data := p.DataCanvas(dc)
		trX, trY := p.Transforms(&data)
		onCanvas := func(s stroke) (vg.Point, vg.Point) {
			return vg.Point{X: trX(s.a[0]), Y: trY(s.a[1])}, vg.Point{X: trX(s.b[0]), Y: trY(s.b[1])}
		}
		boxes := cornerBoxes(data.Rectangle, size)
		for _, b := range boxes {
			if !hidesAny(b, strokes, onCanvas) {
				return b
			}
		}
		h := data.Max.Y - data.Min.Y
		want := float64((h - size.Y - 2*legendGap) / h)
		if round == 6 || want <= 0 {
			return boxes[side]
		}
		// Raise the top so that the data under a top corner's box end a
		// gap below it: their highest point there, now at a fraction u
		// of the data area's height, must come down to want. The corner
		// with less data under it needs less room.
		tops := [2]vg.Length{highestUnder(boxes[0], strokes, onCanvas), highestUnder(boxes[1], strokes, onCanvas)}
		if round == 0 && tops[1] < tops[0] {
			side = 1
		}
		u := math.Max(float64((tops[side]-data.Min.Y)/h), want)
		p.Y.Max = p.Y.Min + (p.Y.Max-p.Y.Min)*u/want*1.01
	}
}

// cornerBoxes are the legend's boxes in the corners of the data area, in
// order of preference.
func cornerBoxes(data vg.Rectangle, size vg.Point) []vg.Rectangle {
	left, right := data.Min.X+legendGap, data.Max.X-legendGap-size.X
	top, bottom := data.Max.Y-legendGap-size.Y, data.Min.Y+legendGap
	at := func(x, y vg.Length) vg.Rectangle {
		return vg.Rectangle{Min: vg.Point{X: x, Y: y}, Max: vg.Point{X: x + size.X, Y: y + size.Y}}
	}
	return []vg.Rectangle{at(left, top), at(right, top), at(right, bottom), at(left, bottom)}
}

// hidesAny reports whether box, grown by legendGap, comes within a
// stroke's reach of any stroke.
func hidesAny(box vg.Rectangle, strokes []stroke, onCanvas func(stroke) (vg.Point, vg.Point)) bool {
	for _, s := range strokes {
		a, b := onCanvas(s)
		if segmentMeetsBox(a, b, grow(box, legendGap+s.r)) {
			return true
		}
	}
	return false
}

// highestUnder is the highest canvas y any ink reaches within box's
// horizontal span (grown by legendGap), or -Inf if there is none.
func highestUnder(box vg.Rectangle, strokes []stroke, onCanvas func(stroke) (vg.Point, vg.Point)) vg.Length {
	top := vg.Length(math.Inf(-1))
	for _, s := range strokes {
		a, b := onCanvas(s)
		g := grow(box, legendGap+s.r)
		if a.X > b.X {
			a, b = b, a
		}
		if b.X < g.Min.X || a.X > g.Max.X {
			continue
		}
		// Clip the segment to the span; it is straight, so its highest
		// point there is at one end of the clipped piece.
		at := func(x vg.Length) vg.Length {
			if b.X == a.X {
				return max(a.Y, b.Y)
			}
			return a.Y + (b.Y-a.Y)*(x-a.X)/(b.X-a.X)
		}
		x0, x1 := max(a.X, g.Min.X), min(b.X, g.Max.X)
		top = max(top, at(x0)+s.r, at(x1)+s.r)
	}
	return top
}

func grow(r vg.Rectangle, d vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: r.Min.X - d, Y: r.Min.Y - d}, Max: vg.Point{X: r.Max.X + d, Y: r.Max.Y + d}}
}

// segmentMeetsBox reports whether the segment from a to b touches r: the
// Liang–Barsky clip of the segment against r leaves something.
func segmentMeetsBox(a, b vg.Point, r vg.Rectangle) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
	// Each edge: p t <= q for the part of the segment inside it.
	for _, e := range [4][2]float64{
		{-dx, float64(a.X - r.Min.X)}, {dx, float64(r.Max.X - a.X)},
		{-dy, float64(a.Y - r.Min.Y)}, {dy, float64(r.Max.Y - a.Y)},
	} {
		p, q := e[0], e[1]
		switch {
		case p == 0:
			if q < 0 {
				return false // parallel to the edge and outside it
			}
		case p < 0:
			t0 = math.Max(t0, q/p)
		default:
			t1 = math.Min(t1, q/p)
		}
	}
	return t0 <= t1
}
