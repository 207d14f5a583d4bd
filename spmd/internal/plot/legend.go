package plot

import (
	"image/color"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legend is the key of a chart. The package draws it itself rather than
// through gonum's Legend, which has no background (grid lines and curves
// ran through its text) and knows only the four corners, so that it can
// sit on an opaque box at a place chosen to hide no data (see place.go).
type legend struct {
	entries []legendEntry
	note    []string // the chart's Note, one line each, under the entries
}

type legendEntry struct {
	label  string
	thumbs []gplot.Thumbnailer
}

// Legend styles. The box is white with a thin grey border; the note is
// dark red and has no thumbnail, so it reads as a remark about the chart
// rather than a curve.
var (
	legendFont       = font.From(gplot.DefaultFont, 11)
	legendThumbWidth = vg.Points(22)
	legendBackground = color.White
	legendBorder     = draw.LineStyle{Color: color.Gray{150}, Width: vg.Points(0.5)}
	noteColor        = color.RGBA{150, 30, 30, 255}
)

func legendTextStyle() text.Style {
	return text.Style{Color: color.Black, Font: legendFont, Handler: gplot.DefaultTextHandler}
}

func (l *legend) add(label string, thumbs ...gplot.Thumbnailer) {
	l.entries = append(l.entries, legendEntry{label, thumbs})
}

func (l *legend) setNote(note string) {
	l.note = nil
	if note = strings.TrimSpace(note); note != "" {
		l.note = strings.Split(note, "\n")
	}
}

func (l *legend) empty() bool { return len(l.entries) == 0 && len(l.note) == 0 }

// metrics are the lengths the legend is laid out with: padding inside the
// box, the height of one line and the gap between a thumbnail and its text.
func (l *legend) metrics() (pad, line, gap vg.Length) {
	e := legendTextStyle().FontExtents()
	return legendFont.Size / 2, e.Height, legendFont.Size / 2
}

// size is the width and height of the legend's box.
func (l *legend) size() vg.Point {
	pad, line, gap := l.metrics()
	var w vg.Length
	sty := legendTextStyle()
	for _, e := range l.entries {
		w = max(w, legendThumbWidth+gap+sty.Width(e.label))
	}
	for _, n := range l.note {
		w = max(w, sty.Width(n))
	}
	h := line * vg.Length(len(l.entries)+len(l.note))
	return vg.Point{X: w + 2*pad, Y: h + 2*pad}
}

// draw draws the legend into box (as large as size says): the opaque box
// first, then one line per entry, thumbnail and label, then the note.
func (l *legend) draw(c draw.Canvas, box vg.Rectangle) {
	corners := []vg.Point{box.Min, {X: box.Max.X, Y: box.Min.Y}, box.Max, {X: box.Min.X, Y: box.Max.Y}}
	c.FillPolygon(legendBackground, corners)
	c.StrokeLines(legendBorder, append(corners, box.Min))

	pad, line, gap := l.metrics()
	x, top := box.Min.X+pad, box.Max.Y-pad
	row := func(i int) vg.Rectangle {
		y := top - line*vg.Length(i+1)
		return vg.Rectangle{Min: vg.Point{X: x, Y: y}, Max: vg.Point{X: box.Max.X - pad, Y: y + line}}
	}
	// text puts txt's left end at x, centred on the row's middle (gonum's
	// Rectangle says where the text lands relative to the point given).
	text := func(sty text.Style, r vg.Rectangle, x vg.Length, txt string) {
		b := sty.Rectangle(txt)
		mid := (r.Min.Y + r.Max.Y) / 2
		c.FillText(sty, vg.Point{X: x, Y: mid - (b.Min.Y+b.Max.Y)/2}, txt)
	}
	sty := legendTextStyle()
	for i, e := range l.entries {
		r := row(i)
		// The thumbnail's height is the font's size, centred in the row,
		// so band swatches of neighbouring lines do not touch.
		inset := (line - legendFont.Size) / 2
		icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: r.Min.Y + inset}, Max: vg.Point{X: x + legendThumbWidth, Y: r.Max.Y - inset}}}
		for _, t := range e.thumbs {
			t.Thumbnail(&icon)
		}
		text(sty, r, x+legendThumbWidth+gap, e.label)
	}
	nsty := legendTextStyle()
	nsty.Color = noteColor
	for i, n := range l.note {
		text(nsty, row(len(l.entries)+i), x, n)
	}
}
