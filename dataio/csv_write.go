package dataio

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteCSV writes rows × cols numbers from data (row-major), comma-separated,
// one row per line, after a header line when header is not nil. Each number
// is written with the fewest digits that parse back to the same float64
// (strconv 'g', -1), so ReadCSV returns the same bits; a column name is
// quoted when it holds a comma, a quote or a line break, as encoding/csv
// does.
//
// It returns an error if len(data) != rows*cols, or len(header) != cols, or
// a column name would not read back as written under HeaderAuto: it is
// empty, has spaces around it, is a number, or (the first) starts with '#'.
func WriteCSV(w io.Writer, header []string, data []float64, rows, cols int) error {
	return writeDelimited(w, ',', header, data, rows, cols)
}

// writeDelimited is WriteCSV with any one-byte separator; a header is
// allowed only with ',' or '\t', which encoding/csv can quote.
func writeDelimited(w io.Writer, sep byte, header []string, data []float64, rows, cols int) error {
	if rows < 0 || cols < 0 {
		return fmt.Errorf("csv: negative shape %d×%d", rows, cols)
	}
	if count, ok := elementCount([]int{rows, cols}); !ok || count != len(data) {
		return fmt.Errorf("csv: %d×%d table, data has %d elements", rows, cols, len(data))
	}
	if header != nil && len(header) != cols {
		return fmt.Errorf("csv: %d column names for %d columns", len(header), cols)
	}
	if err := checkHeader(header); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if header != nil {
		if sep != ',' && sep != '\t' {
			panic("dataio: a header needs ',' or '\\t' as the separator")
		}
		cw := csv.NewWriter(bw)
		cw.Comma = rune(sep)
		cw.Write(header)
		cw.Flush()
	}
	var num []byte
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			if c > 0 {
				bw.WriteByte(sep)
			}
			num = strconv.AppendFloat(num[:0], data[r*cols+c], 'g', -1, 64)
			bw.Write(num)
		}
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// checkHeader returns an error if header would not read back as the same
// names under HeaderAuto.
func checkHeader(header []string) error {
	for i, name := range header {
		switch {
		case name == "" || strings.TrimSpace(name) != name:
			return fmt.Errorf("csv: column name %q cannot be written: it would read back as %q", name, strings.TrimSpace(name))
		case isNumber(name):
			return fmt.Errorf("csv: column name %q is a number: the header would not read back as one (see HeaderAuto)", name)
		case i == 0 && strings.HasPrefix(name, "#"):
			return fmt.Errorf("csv: column name %q cannot be written first: the header would read back as a comment", name)
		}
	}
	return nil
}
