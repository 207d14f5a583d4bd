package dataio

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// ReadCSV reads a text table: one row per line (or per record, when a
// quoted field holds a line break), fields separated as opts says, every
// row with the same number of fields. Spaces around a field are removed;
// blank lines and comment lines are skipped; a UTF-8 byte order mark at the
// start is skipped. Whether the first row holds column names is
// opts.Header's decision (see HeaderAuto).
//
// The table keeps every field as text, so a column may hold numbers or
// labels: ask for it with Floats or Strings. For a matrix of numbers only,
// LoadMatrix reads a file without keeping the text.
//
// An error at a place in the table is a *ParseError naming the line and,
// for a bad field, the column; ReadCSV names the input "csv" (LoadTable
// names the file):
//
//	csv: line 7: row has 3 fields, want 4
//
// An input with no rows gives an empty Table, not an error.
func ReadCSV(r io.Reader, opts CSVOptions) (*Table, error) {
	return readTable(r, opts, "")
}

// LoadTable reads the text table in the file at path, or standard input
// when path is "-", as ReadCSV does. The file must be a regular file (see
// Open). Unless opts.Comma is set, the name picks the separator: a tab for
// .tsv; for .txt, runs of white space (opts.Whitespace) unless the first
// line of data has a comma; a comma otherwise. Errors start with the path.
func LoadTable(path string, opts CSVOptions) (*Table, error) {
	f, name, err := open(path)
	if err != nil {
		return nil, err
	}
	if f != os.Stdin {
		defer f.Close()
	}
	r, opts := textFormat(f, path, opts)
	return readTable(r, opts, name)
}

// LoadColumn reads one column of numbers, named in the header row, from
// the text table in the file at path: LoadTable with the default options,
// then Table.Floats. It is the shortest way to a column of one's own data:
//
//	x, err := dataio.LoadColumn("data.csv", "value")
func LoadColumn(path, name string) ([]float64, error) {
	t, err := LoadTable(path, CSVOptions{})
	if err != nil {
		return nil, err
	}
	return t.Floats(name)
}

func readTable(r io.Reader, opts CSVOptions, name string) (*Table, error) {
	t := &Table{name: name}
	header, cols, err := scanRows(r, opts, func(fields []string, line int) error {
		t.cells = append(t.cells, fields...)
		t.lines = append(t.lines, line)
		return nil
	})
	if err != nil {
		return nil, named(err, name)
	}
	t.header, t.cols = header, cols
	return t, nil
}

// readMatrixText reads a text table of numbers into a rows × cols Array
// without keeping its text. It returns the header too (nil if none).
func readMatrixText(r io.Reader, opts CSVOptions, name string) (*Array, []string, error) {
	var data []float64
	rows := 0
	header, cols, err := scanRows(r, opts, func(fields []string, line int) error {
		for c, f := range fields {
			v, err := parseNumber(f)
			if err != nil {
				return &ParseError{Line: line, Column: c + 1, Err: err}
			}
			data = append(data, v)
		}
		rows++
		return nil
	})
	if err != nil {
		return nil, nil, named(err, name)
	}
	return &Array{Data: data, Shape: []int{rows, cols}}, header, nil
}

// scanRows reads the rows of a table, decides the header (see HeaderAuto),
// checks that every row has as many fields as the first, and hands each
// data row to emit. It returns the header (nil if there is none) and the
// number of columns.
func scanRows(r io.Reader, opts CSVOptions, emit func(fields []string, line int) error) ([]string, int, error) {
	src, err := newRowSource(r, opts)
	if err != nil {
		return nil, 0, err
	}
	first, firstLine, err := src.next()
	if err == io.EOF {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	cols := len(first)
	// The row after the first, when the header rule needed to see it.
	var peeked []string
	peekedLine := 0
	isHeader := opts.Header == HeaderYes
	if opts.Header == HeaderAuto {
		peeked, peekedLine, err = src.next()
		if err != nil && err != io.EOF {
			return nil, 0, err
		}
		if isHeader, err = autoHeader(first, firstLine, peeked, peekedLine); err != nil {
			return nil, 0, err
		}
	}
	var header []string
	if isHeader {
		header = first
	} else if err := emit(first, firstLine); err != nil {
		return nil, 0, err
	}
	for row, line := peeked, peekedLine; ; {
		if row != nil {
			if len(row) != cols {
				return nil, 0, &ParseError{Line: line, Err: fmt.Errorf("row has %d fields, want %d", len(row), cols)}
			}
			if err := emit(row, line); err != nil {
				return nil, 0, err
			}
		}
		row, line, err = src.next()
		if err == io.EOF {
			return header, cols, nil
		}
		if err != nil {
			return nil, 0, err
		}
	}
}

// autoHeader applies the HeaderAuto rule to the first row and the one
// after it (nil if there is none).
func autoHeader(first []string, line int, next []string, nextLine int) (bool, error) {
	num, text := -1, -1 // the first number and the first text in the row
	for i, f := range first {
		if isNumber(f) {
			if num < 0 {
				num = i
			}
		} else if text < 0 {
			text = i
		}
	}
	switch {
	case text < 0:
		return false, nil
	case num >= 0:
		return false, &ParseError{Line: line, Column: text + 1, Err: fmt.Errorf(
			"%q is not a number, but column %d (%q) is: is line %d a header or data? (a header has no numbers; set the header option to yes or no)",
			first[text], num+1, first[num], line)}
	case next == nil:
		return true, nil
	}
	for _, f := range next {
		if isNumber(f) {
			return true, nil
		}
	}
	return false, &ParseError{Line: line, Err: fmt.Errorf(
		"no field here nor on line %d is a number: is line %d a header or data? (set the header option to yes or no)",
		nextLine, line)}
}

// isNumber reports whether f reads as a float64; a number too large for
// one is still a number.
func isNumber(f string) bool {
	_, err := strconv.ParseFloat(f, 64)
	return err == nil || errors.Is(err, strconv.ErrRange)
}

// parseNumber reads one field as a float64.
func parseNumber(f string) (float64, error) {
	v, err := strconv.ParseFloat(f, 64)
	if err == nil {
		return v, nil
	}
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%q is out of range for float64", f)
	}
	return 0, fmt.Errorf("%q is not a number", f)
}

// named gives a *ParseError the input's name.
func named(err error, name string) error {
	var pe *ParseError
	if errors.As(err, &pe) && pe.Name == "" {
		pe.Name = name
	} else if name != "" && pe == nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return err
}
