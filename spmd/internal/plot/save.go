package plot

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
)

// Size of every chart: 16 x 10 cm, readable on a page and in a README.
var (
	Width  = 16 * vg.Centimeter
	Height = 10 * vg.Centimeter
)

// Formats are the file formats Save writes, by extension.
var Formats = []string{"png", "svg"}

// WriteTo writes the chart to w in format ("png" or "svg").
func (c Chart) WriteTo(w io.Writer, format string) error {
	if !knownFormat(format) {
		return fmt.Errorf("plot: unknown format %q (want %s)", format, strings.Join(Formats, " or "))
	}
	p, err := c.build()
	if err != nil {
		return err
	}
	wt, err := p.WriterTo(Width, Height, format)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	_, err = wt.WriteTo(w)
	return err
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
