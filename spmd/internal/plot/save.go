package plot

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Size of every chart: 16 x 10 cm, and a PNG at DPI dots per inch. 254
// dpi makes the PNG 1600 x 1000 pixels, sharp across a slide or a
// high-density screen (gonum's default of 96 gave 605 x 378). Text and
// lines are sized in points, so they keep their size relative to the
// chart at any DPI: the fonts below are chosen for a slide seen from the
// back of a room, 16 cm standing for the slide's width.
var (
	Width  = 16 * vg.Centimeter
	Height = 10 * vg.Centimeter
	DPI    = 254
)

// Font sizes, in points (gonum's defaults are 12, 12 and 10).
var (
	titleFontSize = vg.Points(13)
	labelFontSize = vg.Points(12)
	tickFontSize  = vg.Points(11)
)

// Formats are the file formats Save writes, by extension.
var Formats = []string{"png", "svg"}

// WriteTo writes the chart to w in format ("png" or "svg").
func (c Chart) WriteTo(w io.Writer, format string) error {
	if !knownFormat(format) {
		return fmt.Errorf("plot: unknown format %q (want %s)", format, strings.Join(Formats, " or "))
	}
	f, err := c.build()
	if err != nil {
		return err
	}
	cv := newCanvas(format)
	f.draw(draw.New(cv))
	_, err = cv.WriteTo(w)
	return err
}

// newCanvas is an empty canvas of the chart's size for a known format.
func newCanvas(format string) vg.CanvasWriterTo {
	if format == "svg" {
		return vgsvg.New(Width, Height)
	}
	return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(DPI))}
}

// Save writes the chart to path, in the format its extension names (.png
// or .svg). The file appears whole or not at all: it is written to a
// temporary file in the same directory and renamed.
func (c Chart) Save(path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if !knownFormat(format) {
		return fmt.Errorf("plot: %s: unknown format (want .%s)", path, strings.Join(Formats, " or ."))
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".plot-*."+format)
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = c.WriteTo(f, format)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	return nil
}

// SaveAll writes the chart as base.png and base.svg and returns the paths.
func (c Chart) SaveAll(base string) ([]string, error) {
	var paths []string
	for _, f := range Formats {
		path := base + "." + f
		if err := c.Save(path); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func knownFormat(f string) bool {
	for _, k := range Formats {
		if f == k {
			return true
		}
	}
	return false
}
