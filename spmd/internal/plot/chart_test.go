package plot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scalingChart is a chart of the kind spmd scale draws: measured points
// with bars and one oversubscribed point, an ideal line, a model curve and
// a band.
func scalingChart() Chart {
	var mx, my []float64
	for x := 1.0; x <= 8; x += 0.25 {
		mx = append(mx, x)
		my = append(my, 1/(0.05+0.95/x))
	}
	return Chart{
		Title: "pi: speedup", XLabel: "ranks", YLabel: "speedup",
		XTicks: []float64{1, 2, 4, 8}, YFromZero: true,
		Band: &Band{From: 2, Label: "oversubscribed (> 2 cores)"},
		Curves: []Curve{
			{Label: "measured", X: []float64{1, 2, 4, 8}, Y: []float64{1, 1.9, 1.95, math.NaN()},
				Lo: []float64{0.9, 1.8, 1.7, 1}, Hi: []float64{1.1, 2, 2.1, 1}, Flagged: []bool{false, false, true, true}},
			{Label: "ideal", Kind: Reference, X: []float64{1, 8}, Y: []float64{1, 8}},
			{Label: "Amdahl fit, s = 0.05", Kind: Model, X: mx, Y: my},
		},
	}
}

func TestSavePNGAndSVG(t *testing.T) {
	dir := t.TempDir()
	paths, err := scalingChart().SaveAll(filepath.Join(dir, "speedup"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("SaveAll wrote %v, want a PNG and an SVG", paths)
	}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		switch filepath.Ext(path) {
		case ".png":
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("%s is not a PNG: %v", path, err)
			}
			// 16 x 10 cm at 254 dpi: big enough for a slide (gonum's
			// default 96 dpi gave 605 x 378).
			if b := img.Bounds(); b.Dx() != 1600 || b.Dy() != 1000 {
				t.Errorf("%s: %dx%d pixels, want 1600x1000", path, b.Dx(), b.Dy())
			}
		case ".svg":
			root, texts := parseSVG(t, f)
			if root != "svg" {
				t.Errorf("%s: root element <%s>, want <svg>", path, root)
			}
			for _, want := range []string{"pi: speedup", "ideal", "oversubscribed (> 2 cores)"} {
				if !strings.Contains(texts, want) {
					t.Errorf("%s: no text %q (have %q)", path, want, texts)
				}
			}
		default:
			t.Errorf("unexpected file %s", path)
		}
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d files, want 2", len(entries))
	}
}

// parseSVG checks that r is well-formed XML and returns the name of its
// root element and all its character data.
func parseSVG(t *testing.T, r io.Reader) (root string, texts string) {
	t.Helper()
	d := xml.NewDecoder(r)
	var sb strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = x.Name.Local
			}
		case xml.CharData:
			sb.Write(x)
			sb.WriteByte('|')
		}
	}
	return root, sb.String()
}

func TestSaveUnknownFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chart.gif")
	if err := scalingChart().Save(path); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("Save(.gif) = %v, want an unknown format error", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("Save(.gif) left a file: %v", err)
	}
	if err := scalingChart().WriteTo(io.Discard, "pdf"); err == nil {
		t.Error("WriteTo(pdf) succeeded; only png and svg are offered")
	}
}

func TestEmptyChart(t *testing.T) {
	var buf bytes.Buffer
	if err := (Chart{Title: "nothing yet"}).WriteTo(&buf, "png"); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&buf); err != nil {
		t.Errorf("empty chart is not a PNG: %v", err)
	}
}

func TestMalformedCurvePanics(t *testing.T) {
	cases := []struct {
		name string
		cv   Curve
	}{
		{"short Y", Curve{X: []float64{1, 2}, Y: []float64{1}}},
		{"short Flagged", Curve{X: []float64{1, 2}, Y: []float64{1, 2}, Flagged: []bool{true}}},
		{"Lo without Hi", Curve{X: []float64{1}, Y: []float64{1}, Lo: []float64{0}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "plot: ") {
					t.Errorf("recovered %v, want a plot: panic", r)
				}
			}()
			Chart{Curves: []Curve{tc.cv}}.WriteTo(io.Discard, "svg")
		})
	}
}

// TestLogAxes: a log-log chart renders, and a value a log axis cannot show
// is an error naming the curve, not a panic inside gonum/plot.
func TestLogAxes(t *testing.T) {
	c := Chart{Title: "t", LogX: true, LogY: true, XTicks: []float64{1, 1024}, XTickLabel: func(v float64) string { return "x" },
		Curves: []Curve{{Label: "a", X: []float64{1, 32, 1024}, Y: []float64{10, 12, 300}, Lo: []float64{9, 11, 200}, Hi: []float64{20, 30, 900}}}}
	var b bytes.Buffer
	if err := c.WriteTo(&b, "svg"); err != nil || !bytes.Contains(b.Bytes(), []byte("<svg")) {
		t.Fatalf("log-log chart: %v", err)
	}
	c.Curves[0].Lo[1] = 0
	if err := c.WriteTo(&bytes.Buffer{}, "png"); err == nil || !strings.Contains(err.Error(), `curve "a": y = 0 on a log axis`) {
		t.Errorf("zero on a log axis: %v, want an error naming the curve", err)
	}
}
