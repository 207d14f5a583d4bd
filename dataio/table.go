package dataio

import (
	"fmt"
	"strings"
)

// A Table is a text table as ReadCSV or LoadTable read it: its column
// names, if it had a header row, and every field as text. Ask for a column
// by name or by index (from 0), as numbers or as text:
//
//	income, err := t.Floats("income") // []float64
//	site, err := t.Strings("site")    // []string
//	x, err := t.Matrix()              // every column, as a rows × cols Array
//
// A field that is not a number is an error naming the file, line and
// column, so a table can hold labels in one column and measurements in
// another.
type Table struct {
	name   string   // for errors: the path, "standard input", or "" (csv)
	header []string // nil without a header row
	cols   int
	cells  []string // row-major: row r, column c is cells[r*cols+c]
	lines  []int    // the line each row starts on
}

// Rows returns the number of data rows (the header row is not one).
func (t *Table) Rows() int { return len(t.lines) }

// Cols returns the number of columns.
func (t *Table) Cols() int { return t.cols }

// Header returns the column names, or nil if the table had no header row.
func (t *Table) Header() []string { return append([]string(nil), t.header...) }

// Column returns the index (from 0) of the column with the given name. It
// is an error if the table has no header row, or no column or more than one
// with that name.
func (t *Table) Column(name string) (int, error) {
	if t.header == nil {
		return -1, fmt.Errorf("%s: no column is named %q: the table has no header row (name columns by index)", t.label(), name)
	}
	found := -1
	for i, h := range t.header {
		if h != name {
			continue
		}
		if found >= 0 {
			return -1, fmt.Errorf("%s: column name %q is ambiguous: columns %d and %d have it", t.label(), name, found+1, i+1)
		}
		found = i
	}
	if found < 0 {
		return -1, fmt.Errorf("%s: no column %q (columns: %s)", t.label(), name, strings.Join(t.header, ", "))
	}
	return found, nil
}

// Floats returns the named column as numbers (see Column and FloatsAt).
func (t *Table) Floats(name string) ([]float64, error) {
	col, err := t.Column(name)
	if err != nil {
		return nil, err
	}
	return t.FloatsAt(col)
}

// FloatsAt returns column col (from 0) as numbers. A field that is not a
// number is a *ParseError naming its line and column:
//
//	data.csv: line 12, column 3: "NA" is not a number
//
// NaN and Inf are numbers (see CheckFinite).
func (t *Table) FloatsAt(col int) ([]float64, error) {
	if err := t.checkCol(col); err != nil {
		return nil, err
	}
	v := make([]float64, t.Rows())
	for r := range v {
		x, err := parseNumber(t.cells[r*t.cols+col])
		if err != nil {
			return nil, &ParseError{Name: t.name, Line: t.lines[r], Column: col + 1, Err: err}
		}
		v[r] = x
	}
	return v, nil
}

// Strings returns the named column as text (see Column).
func (t *Table) Strings(name string) ([]string, error) {
	col, err := t.Column(name)
	if err != nil {
		return nil, err
	}
	return t.StringsAt(col)
}

// StringsAt returns column col (from 0) as text, spaces around each field
// removed.
func (t *Table) StringsAt(col int) ([]string, error) {
	if err := t.checkCol(col); err != nil {
		return nil, err
	}
	v := make([]string, t.Rows())
	for r := range v {
		v[r] = t.cells[r*t.cols+col]
	}
	return v, nil
}

// Matrix returns every column as numbers: a rows × cols Array in row-major
// order. A field that is not a number is an error as in FloatsAt.
func (t *Table) Matrix() (*Array, error) {
	data := make([]float64, len(t.cells))
	for i, f := range t.cells {
		x, err := parseNumber(f)
		if err != nil {
			return nil, &ParseError{Name: t.name, Line: t.lines[i/t.cols], Column: i%t.cols + 1, Err: err}
		}
		data[i] = x
	}
	return &Array{Data: data, Shape: []int{t.Rows(), t.cols}}, nil
}

// checkCol returns an error unless col is the index of a column. An index
// often comes from the user (a --column option), so it is an error, not a
// panic.
func (t *Table) checkCol(col int) error {
	if col < 0 || col >= t.cols {
		return fmt.Errorf("%s: no column at index %d: the table has %d columns (indices from 0)", t.label(), col, t.cols)
	}
	return nil
}

// label names the table in errors.
func (t *Table) label() string {
	if t.name == "" {
		return "csv"
	}
	return t.name
}
