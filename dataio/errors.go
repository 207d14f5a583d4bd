package dataio

import (
	"fmt"
	"strings"
)

// A ParseError is a mistake at a place in a text table: the file, the line
// and, for a bad field, its column. Lines count from 1 as an editor counts
// them (a quoted field may span lines: a row's line is where it starts);
// columns count fields from 1, so column 3 is the third value of the row,
// whatever its width in characters.
//
//	data.csv: line 7: row has 3 fields, want 4
//	data.csv: line 3, column 2: "abc" is not a number
type ParseError struct {
	Name   string // the file's path, "standard input", or "" for a reader (printed as "csv")
	Line   int    // 1-based; 0 when the error is about the whole input
	Column int    // 1-based field number; 0 when the error is about a whole line
	Err    error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.Name == "" {
		b.WriteString("csv")
	} else {
		b.WriteString(e.Name)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	if e.Column > 0 {
		fmt.Fprintf(&b, ", column %d", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }
