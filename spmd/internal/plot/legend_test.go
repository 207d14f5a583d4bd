package plot

import (
	"bytes"
	"image"
	"math"
	"reflect"
	"strings"
	"testing"

	gplot "gonum.org/v1/plot"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// rendered is a chart drawn as the PNG path draws it.
type rendered struct {
	img    image.Image
	pixels image.Rectangle // the legend's box in the image
	box    vg.Rectangle    // the legend's box on the canvas
	fig    *figure
	data   draw.Canvas // where the data were drawn
}

func render(t *testing.T, c Chart) rendered {
	t.Helper()
	f, err := c.build()
	if err != nil {
		t.Fatal(err)
	}
	cv := vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(DPI))
	r := rendered{fig: f}
	r.box, r.data = f.draw(draw.New(cv))
	r.img = cv.Image()
	// Points to pixels; the image's y axis points down.
	px := func(l vg.Length) float64 { return float64(l) / 72 * float64(DPI) }
	h := r.img.Bounds().Dy()
	r.pixels = image.Rect(int(math.Ceil(px(r.box.Min.X))), h-int(px(r.box.Max.Y)), int(px(r.box.Max.X)), h-int(math.Ceil(px(r.box.Min.Y))))
	return r
}

// crowdedChart has data in all four corners of its data area, so the
// legend has to make room for itself above the data; the band covers the
// whole chart, so the legend lies on it wherever it goes.
func crowdedChart() Chart {
	return Chart{
		Title: "crowded", XLabel: "x", YLabel: "y", YFromZero: true,
		Band: &Band{From: -100, Label: "everywhere"},
		Curves: []Curve{
			{Label: "a valley", X: []float64{1, 5, 10}, Y: []float64{10, 0.5, 10}, Lo: []float64{9, 0.2, 9}, Hi: []float64{11, 1, 11}},
			{Label: "a hill", X: []float64{1, 5, 10}, Y: []float64{0.5, 10, 0.5}},
			{Label: "a line right across the middle", Kind: Reference, X: []float64{1, 10}, Y: []float64{5, 5}},
		},
		Note: "a note of two lines\nabout what is not drawn",
	}
}

// The legend lies on an opaque box: the margin inside its border is the
// background's white, although the chart's shaded band and its grid lines
// lie under it everywhere. Without the box this margin is band-coloured
// and crossed by grid lines.
func TestLegendBackground(t *testing.T) {
	for _, c := range []Chart{crowdedChart(), scalingChart()} {
		c.Band = &Band{From: -100, Label: "band under everything"}
		r := render(t, c)
		img, box := r.img, r.pixels
		if box.Dx() < 50 || box.Dy() < 50 {
			t.Fatalf("%s: legend box %v is too small to be one", c.Title, box)
		}
		// A strip 3 to 10 pixels inside the border, all round: inside
		// the box's padding (half the legend's font size, about 19
		// pixels), where nothing but the background is drawn.
		inner, outer := box.Inset(10), box.Inset(3)
		bad := 0
		for y := outer.Min.Y; y < outer.Max.Y; y++ {
			for x := outer.Min.X; x < outer.Max.X; x++ {
				if (image.Point{x, y}).In(inner) {
					continue
				}
				if r, g, b, _ := img.At(x, y).RGBA(); r != 0xffff || g != 0xffff || b != 0xffff {
					bad++
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d pixels of the legend box's margin %v are not its white background", c.Title, bad, box)
		}
		// And the band does show outside the box.
		if r, g, b, _ := img.At(box.Max.X+20, box.Max.Y+20).RGBA(); r == 0xffff && g == 0xffff && b == 0xffff {
			t.Errorf("%s: no band outside the legend: the test sees nothing", c.Title)
		}
	}
}

// The legend hides no data: sampled densely, no curve, bar or marker of
// the chart comes within a point of the legend's box. The charts cover a
// free corner (top left, bottom right), data in every corner (the y axis
// must grow to make room) and log axes.
func TestLegendHidesNoData(t *testing.T) {
	logChart := Chart{Title: "log", LogX: true, LogY: true, Curves: []Curve{
		{Label: "rising steeply to the top right", X: []float64{1, 32, 1024, 1 << 20}, Y: []float64{10, 12, 300, 1e6}, Lo: []float64{9, 11, 200, 5e5}, Hi: []float64{20, 30, 900, 2e6}},
		{Label: "a baseline", Kind: Reference, X: []float64{1, 1 << 20}, Y: []float64{8, 8e5}}}}
	falling := Chart{Title: "falling", YFromZero: true, Curves: []Curve{
		{Label: "falling from the top left", X: []float64{1, 2, 4, 8}, Y: []float64{8, 4, 2, 1}},
		{Label: "ideal", Kind: Reference, X: []float64{1, 8}, Y: []float64{8, 1}}}}
	for _, c := range []Chart{scalingChart(), crowdedChart(), logChart, falling} {
		r := render(t, c)
		vbox, data := r.box, r.data
		near := grow(vbox, vg.Points(1))
		trX, trY := r.fig.p.Transforms(&data)
		at := func(x, y float64) vg.Point {
			if c.LogX {
				x = math.Log10(x)
			}
			if c.LogY {
				y = math.Log10(y)
			}
			return vg.Point{X: trX(x), Y: trY(y)}
		}
		hidden := func(p vg.Point, reach vg.Length) bool {
			return p.X >= near.Min.X-reach && p.X <= near.Max.X+reach && p.Y >= near.Min.Y-reach && p.Y <= near.Max.Y+reach
		}
		for _, cv := range c.Curves {
			for i := range cv.X {
				if hidden(at(cv.X[i], cv.Y[i]), markerRadius) {
					t.Errorf("%s: the legend %v hides %q's point %d", c.Title, vbox, cv.Label, i)
				}
				if cv.Lo != nil {
					for k := 0.0; k <= 1; k += 0.01 {
						y := cv.Lo[i] + k*(cv.Hi[i]-cv.Lo[i])
						if hidden(at(cv.X[i], y), 0) {
							t.Errorf("%s: the legend %v hides %q's bar %d", c.Title, vbox, cv.Label, i)
							break
						}
					}
				}
				if i == 0 {
					continue
				}
				a, b := at(cv.X[i-1], cv.Y[i-1]), at(cv.X[i], cv.Y[i])
				for k := vg.Length(0); k <= 1; k += 0.002 {
					if hidden(vg.Point{X: a.X + k*(b.X-a.X), Y: a.Y + k*(b.Y-a.Y)}, 0) {
						t.Errorf("%s: the legend %v hides %q between points %d and %d", c.Title, vbox, cv.Label, i-1, i)
						break
					}
				}
			}
		}
		if vbox.Min.X < data.Min.X || vbox.Max.X > data.Max.X || vbox.Min.Y < data.Min.Y || vbox.Max.Y > data.Max.Y {
			t.Errorf("%s: the legend %v leaves the data area %v", c.Title, vbox, data.Rectangle)
		}
	}
}

// The note is printed in the legend, one line per line, under the
// entries; a chart with nothing but a note still has a legend box.
func TestNote(t *testing.T) {
	c := crowdedChart()
	var b bytes.Buffer
	if err := c.WriteTo(&b, "svg"); err != nil {
		t.Fatal(err)
	}
	_, texts := parseSVG(t, &b)
	for _, want := range []string{"a note of two lines|", "about what is not drawn|", "a valley|"} {
		if !strings.Contains(texts, want) {
			t.Errorf("SVG text lacks %q: %q", want, texts)
		}
	}
	withNote, without := c.build, c
	without.Note = ""
	f1, _ := withNote()
	f2, _ := without.build()
	if d := f1.legend.size().Y - f2.legend.size().Y; d <= 0 {
		t.Errorf("the note adds %v to the legend's height, want two lines", d)
	}
	r := render(t, Chart{Title: "only a note", Note: "nothing measured yet"})
	if r.pixels.Dx() < 50 {
		t.Errorf("a chart with only a note has legend box %v", r.pixels)
	}
}

func TestLogTicks(t *testing.T) {
	labels := func(ts []gplot.Tick) (out []string) {
		for _, tk := range ts {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	// 0.5 to 2000: powers of ten labelled, 2..9 times them not.
	ts := logTicks{}.Ticks(math.Log10(0.5), math.Log10(2000))
	if got := labels(ts); !reflect.DeepEqual(got, []string{"1", "10", "100", "1000"}) {
		t.Errorf("labels %v", got)
	}
	if len(ts) != 5+27+2 {
		t.Errorf("%d ticks, want 34 (0.5 to 0.9, 27 in three decades, 1000 and 2000)", len(ts))
	}
	// Less than two powers of ten in range: every tick labelled.
	if got := labels(logTicks{}.Ticks(math.Log10(20), math.Log10(300))); !reflect.DeepEqual(got, []string{"20", "30", "40", "50", "60", "70", "80", "90", "100", "200", "300"}) {
		t.Errorf("narrow range labels %v", got)
	}
}
