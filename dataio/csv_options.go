package dataio

import (
	"fmt"
	"unicode/utf8"
)

// HeaderMode says whether the first row of a text table holds column
// names.
type HeaderMode int

const (
	// HeaderAuto, the zero value, decides from the data, and never by
	// guessing in a way that could drop a row of it:
	//
	//   - the first row is data when every field in it is a number;
	//   - it is a header when none of its fields is a number and the
	//     next row, if there is one, has at least one number;
	//   - anything else is an error naming the line and column, asking
	//     for HeaderYes or HeaderNo: a first row such as 1,2,NA mixes
	//     numbers and text, and in a table that is all text the first
	//     row could be either.
	//
	// A number is anything strconv.ParseFloat reads, NaN and Inf
	// included, after spaces around the field are removed.
	HeaderAuto HeaderMode = iota
	// HeaderYes takes the first row as column names.
	HeaderYes
	// HeaderNo takes every row as data.
	HeaderNo
)

// ParseHeaderMode reads "auto", "yes" or "no" (also "true"/"false"), as a
// command-line option would give them.
func ParseHeaderMode(s string) (HeaderMode, error) {
	switch s {
	case "auto", "":
		return HeaderAuto, nil
	case "yes", "true":
		return HeaderYes, nil
	case "no", "false":
		return HeaderNo, nil
	}
	return 0, fmt.Errorf("dataio: header mode %q: want auto, yes or no", s)
}

// String returns "auto", "yes" or "no".
func (m HeaderMode) String() string {
	switch m {
	case HeaderAuto:
		return "auto"
	case HeaderYes:
		return "yes"
	case HeaderNo:
		return "no"
	}
	return fmt.Sprintf("HeaderMode(%d)", int(m))
}

// NoComment, as CSVOptions.Comment, reads every line, '#' included.
const NoComment rune = -1

// CSVOptions says how to read a text table. The zero value reads
// comma-separated values, decides the header by the HeaderAuto rule,
// skips lines that start with '#', and allows rows up to
// DefaultMaxRowBytes.
type CSVOptions struct {
	// Comma separates fields. 0 means ',', or a tab when LoadTable or
	// LoadMatrix reads a file named .tsv. It must be a valid rune other
	// than '"', '\r', '\n' and the comment character.
	Comma rune
	// Whitespace separates fields by runs of spaces and tabs instead of
	// Comma, the way numpy.savetxt writes and numpy.loadtxt reads them.
	// Quotes are then ordinary characters, and a comment may follow
	// data on a line ("1 2 # first").
	Whitespace bool
	// Header says whether the first row holds column names.
	Header HeaderMode
	// Comment starts a line that is not read: 0 means '#', NoComment
	// means none. In CSV only a line that starts with it is a comment
	// (a quoted field may hold it); with Whitespace, a comment runs
	// from it to the end of any line.
	Comment rune
	// MaxRowBytes bounds the length of one row in bytes, without its
	// line break (a quoted field's line breaks count); 0 means
	// DefaultMaxRowBytes. A longer row is an error, so that input which
	// is not a table cannot grow memory without bound.
	MaxRowBytes int
}

func (o CSVOptions) comma() rune {
	if o.Comma == 0 {
		return ','
	}
	return o.Comma
}

func (o CSVOptions) comment() rune {
	switch o.Comment {
	case 0:
		return '#'
	case NoComment:
		return 0
	}
	return o.Comment
}

func (o CSVOptions) maxRowBytes() int {
	if o.MaxRowBytes <= 0 {
		return DefaultMaxRowBytes
	}
	return o.MaxRowBytes
}

// check returns an error for a separator or comment character no reader
// can use: like one given on a command line, they come from the user. An
// undefined HeaderMode can only come from code, and panics.
func (o CSVOptions) check() error {
	bad := func(r rune) bool {
		return r == '"' || r == '\r' || r == '\n' || !utf8.ValidRune(r) || r == utf8.RuneError
	}
	c := o.comment()
	if c != 0 && bad(c) {
		return fmt.Errorf("dataio: invalid comment character %q", c)
	}
	if o.Header < HeaderAuto || o.Header > HeaderNo {
		panic(fmt.Sprintf("dataio: invalid HeaderMode %d", int(o.Header)))
	}
	if o.Whitespace {
		return nil
	}
	if sep := o.comma(); bad(sep) || sep == c {
		return fmt.Errorf("dataio: invalid separator %q", sep)
	}
	return nil
}
