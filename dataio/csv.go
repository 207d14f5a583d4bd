package dataio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// HeaderMode says whether the first row of a CSV file holds column names.
type HeaderMode int

const (
	// HeaderAuto, the zero value, takes the first row as a header when
	// one of its fields looks like a name rather than a number: it does
	// not parse as one and starts with neither a digit, a sign nor a
	// point.
	HeaderAuto HeaderMode = iota
	// HeaderYes always takes the first row as a header.
	HeaderYes
	// HeaderNo takes every row as data.
	HeaderNo
)

// CSVOptions configures ReadCSV. The zero value reads comma-separated
// numbers with an optional header row.
type CSVOptions struct {
	// Comma separates fields; 0 means ','. It must not be '#', '"', '\r',
	// '\n' or an invalid rune.
	Comma rune
	// Whitespace separates fields by runs of spaces and tabs instead of
	// Comma, as numpy.loadtxt does by default.
	Whitespace bool
	// Header says whether the first row holds column names.
	Header HeaderMode
}

// Table is a table of numbers read from CSV: Data[r*Cols+c] is row r,
// column c.
type Table struct {
	Header []string // column names; nil when the input had no header row
	Data   []float64
	Rows   int
	Cols   int
}

// ReadCSV reads a table of numbers: one row per line, fields separated by
// opts.Comma (or by whitespace), every row with the same number of fields.
// Anything from '#' to the end of a line is a comment; blank lines are
// skipped; spaces around fields are ignored; a header name may be quoted with
// double quotes. Fields are parsed by strconv.ParseFloat, so NaN and Inf are
// accepted (see CheckFinite). Errors name the line (counting from 1, as an
// editor does) and for a bad field its column (counting from 1):
//
//	csv: line 7: row has 3 fields, want 4
//	csv: line 3, column 2: "abc" is not a number
//
// An input with no rows gives a Table with Rows == 0.
func ReadCSV(r io.Reader, opts CSVOptions) (*Table, error) {
	comma := opts.Comma
	if comma == 0 {
		comma = ','
	}
	if !opts.Whitespace && (comma == '#' || comma == '"' || comma == '\r' || comma == '\n' || !utf8.ValidRune(comma) || comma == utf8.RuneError) {
		return nil, fmt.Errorf("csv: invalid separator %q", comma)
	}
	t := &Table{}
	br := bufio.NewReader(r)
	first := true
	for line := 1; ; line++ {
		text, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("csv: line %d: %w", line, err)
		}
		if text == "" && err != nil {
			break
		}
		fields := splitCSVLine(text, comma, opts.Whitespace)
		if fields == nil {
			if err != nil {
				break
			}
			continue
		}
		if first {
			first = false
			t.Cols = len(fields)
			if isHeader(fields, opts.Header) {
				t.Header = make([]string, len(fields))
				for i, f := range fields {
					t.Header[i] = unquote(f)
				}
				if err != nil {
					break
				}
				continue
			}
		}
		if len(fields) != t.Cols {
			return nil, fmt.Errorf("csv: line %d: row has %d fields, want %d", line, len(fields), t.Cols)
		}
		for col, f := range fields {
			v, perr := strconv.ParseFloat(f, 64)
			if perr != nil {
				if errors.Is(perr, strconv.ErrRange) {
					return nil, fmt.Errorf("csv: line %d, column %d: %q is out of range for float64", line, col+1, f)
				}
				return nil, fmt.Errorf("csv: line %d, column %d: %q is not a number", line, col+1, f)
			}
			t.Data = append(t.Data, v)
		}
		t.Rows++
		if err != nil {
			break
		}
	}
	return t, nil
}

// splitCSVLine strips the comment and line ending from text and splits it
// into trimmed fields; it returns nil for a blank or comment-only line.
func splitCSVLine(text string, comma rune, whitespace bool) []string {
	if i := strings.IndexByte(text, '#'); i >= 0 {
		text = text[:i]
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if whitespace {
		return strings.Fields(text)
	}
	fields := strings.Split(text, string(comma))
	for i, f := range fields {
		fields[i] = strings.TrimSpace(f)
	}
	return fields
}

// isHeader decides whether the first row is a header. HeaderAuto takes it
// for one when a field looks like a name: not a number (a number too large
// for float64 is still a number) and not starting like one, with a digit, a
// sign or a point. So "x,y" is a header, while "1;2" (a wrong separator) or
// "1,,3" (a missing value) stay data and are reported as bad numbers.
func isHeader(fields []string, mode HeaderMode) bool {
	switch mode {
	case HeaderYes:
		return true
	case HeaderNo:
		return false
	}
	for _, f := range fields {
		if looksLikeName(f) {
			return true
		}
	}
	return false
}

func looksLikeName(f string) bool {
	if f == "" || strings.IndexByte("0123456789+-.", f[0]) >= 0 {
		return false
	}
	_, err := strconv.ParseFloat(f, 64)
	return err != nil && !errors.Is(err, strconv.ErrRange)
}

// unquote removes one pair of surrounding double quotes.
func unquote(f string) string {
	if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' {
		return f[1 : len(f)-1]
	}
	return f
}

// WriteCSV writes rows×cols numbers from data (row-major), comma-separated,
// one row per line, after a header line when header is not nil. Each number
// is written with the fewest digits that parse back to the same float64
// (strconv 'g', -1), so ReadCSV returns the same bits. It returns an error
// if len(data) != rows*cols, len(header) != cols, or a column name could not
// be read back: it is empty, padded with spaces, or contains ',', '#', '"' or
// a line break; or no name looks like one (see HeaderAuto), so the header
// would read back as a row of data.
func WriteCSV(w io.Writer, header []string, data []float64, rows, cols int) error {
	return writeDelimited(w, ',', header, data, rows, cols)
}

// writeDelimited is WriteCSV with any one-byte separator.
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
	bw := bufio.NewWriter(w)
	if err := checkHeader(header, sep); err != nil {
		return err
	}
	if header != nil {
		for i, name := range header {
			if i > 0 {
				bw.WriteByte(sep)
			}
			bw.WriteString(name)
		}
		bw.WriteByte('\n')
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

// checkHeader returns an error if ReadCSV could not read header back as
// written with separator sep.
func checkHeader(header []string, sep byte) error {
	bad := ",#\"\r\n" + string(sep)
	if sep == ' ' || sep == '\t' {
		bad += " \t"
	}
	named := false
	for _, name := range header {
		if name == "" || strings.TrimSpace(name) != name || strings.ContainsAny(name, bad) {
			return fmt.Errorf("csv: column name %q cannot be written", name)
		}
		named = named || looksLikeName(name)
	}
	if len(header) > 0 && !named {
		return errors.New("csv: no column name looks like a name (see HeaderAuto): the header would read back as data")
	}
	return nil
}
