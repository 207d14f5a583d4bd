package dataio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// DefaultMaxRowBytes is the longest row a text table may have unless
// CSVOptions.MaxRowBytes says otherwise: 16 MiB, a million numbers or so.
// The bound is what makes a reader fail cleanly on input that is not a
// table at all: /dev/zero piped to standard input, or a binary file, is one
// endless "row" that would otherwise grow in memory until the process dies.
const DefaultMaxRowBytes = 16 << 20

// readAhead is the buffer between the input and the row parsers; a row is
// measured with up to this much slack (see rowLimiter).
const readAhead = 64 << 10

// utf8BOM is the byte order mark some programs (Excel, PowerShell) put at
// the start of UTF-8 text. It is not data: read as part of the first field,
// it turned "1,2,3" into a name and the first row into a header.
const utf8BOM = "\xef\xbb\xbf"

// rowSource yields the rows of a text table: their fields, spaces around
// each removed, and the line each row starts on. It returns io.EOF after
// the last row; other errors are *ParseError without a Name.
type rowSource interface {
	next() (fields []string, line int, err error)
}

// errRowTooLong is what rowLimiter returns in place of more input.
var errRowTooLong = errors.New("dataio: row too long")

// newRowSource reads rows from r as opts says: through encoding/csv, or
// split at white space. A leading UTF-8 byte order mark is skipped.
func newRowSource(r io.Reader, opts CSVOptions) (rowSource, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	limit := opts.maxRowBytes()
	// fieldRows measures its lines itself; csvRows needs the limiter.
	lim := &rowLimiter{r: r, limit: math.MaxInt64}
	br := bufio.NewReaderSize(lim, readAhead)
	if b, _ := br.Peek(len(utf8BOM)); string(b) == utf8BOM {
		br.Discard(len(utf8BOM))
		lim.mark = int64(len(utf8BOM))
	}
	comment := opts.comment()
	if opts.Whitespace {
		return &fieldRows{br: br, limit: limit, comment: comment}, nil
	}
	lim.limit = int64(limit) + readAhead
	cr := csv.NewReader(br) // uses br itself: it is a *bufio.Reader of 4 KiB or more
	cr.Comma = opts.comma()
	if comment > 0 {
		cr.Comment = comment
	}
	cr.FieldsPerRecord = -1 // checked by the caller, for a better message
	cr.ReuseRecord = true
	// Leading spaces before a quoted field ("1, \"a,b\"") are allowed;
	// not with a white-space separator, where they would merge a run of
	// separators (empty fields) into one.
	cr.TrimLeadingSpace = cr.Comma != '\t' && cr.Comma != ' '
	return &csvRows{cr: cr, lim: lim, bom: lim.mark, limit: limit}, nil
}

// csvRows is a rowSource over encoding/csv, which handles quoting: a field
// in double quotes may hold the separator, a line break, and "" for a
// quote.
type csvRows struct {
	cr       *csv.Reader
	lim      *rowLimiter
	bom      int64 // bytes skipped before the csv.Reader's first byte
	limit    int
	lastLine int // where the last row read ended
}

func (s *csvRows) next() ([]string, int, error) {
	rec, err := s.cr.Read()
	switch {
	case err == io.EOF:
		return nil, 0, io.EOF
	case errors.Is(err, errRowTooLong):
		return nil, 0, rowTooLong(s.lastLine, s.limit)
	case err != nil:
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, &ParseError{Line: pe.Line, Err: fmt.Errorf("%v (at byte %d of the line)", pe.Err, pe.Column)}
		}
		return nil, 0, &ParseError{Err: err}
	}
	end := s.bom + s.cr.InputOffset()
	if end-s.lim.mark > int64(s.limit)+1 { // +1: the line break is not part of the row
		return nil, 0, rowTooLong(s.lastLine, s.limit)
	}
	s.lim.mark = end
	line, _ := s.cr.FieldPos(0)
	s.lastLine, _ = s.cr.FieldPos(len(rec) - 1)
	fields := make([]string, len(rec))
	for i, f := range rec {
		fields[i] = strings.TrimSpace(f)
	}
	return fields, line, nil
}

// fieldRows is a rowSource for text whose fields are separated by runs of
// spaces and tabs, as numpy.savetxt writes it: no quoting, and a comment
// runs from the comment character to the end of the line.
type fieldRows struct {
	br      *bufio.Reader
	limit   int
	comment rune
	line    int
	buf     []byte
}

func (s *fieldRows) next() ([]string, int, error) {
	for {
		text, err := s.readLine()
		if err != nil {
			return nil, 0, err
		}
		s.line++
		if s.comment > 0 {
			if i := strings.IndexRune(text, s.comment); i >= 0 {
				text = text[:i]
			}
		}
		if fields := strings.Fields(text); len(fields) > 0 {
			return fields, s.line, nil
		}
	}
}

// readLine returns the next line without its line break, io.EOF at the
// end, or an error for a line longer than the limit.
func (s *fieldRows) readLine() (string, error) {
	s.buf = s.buf[:0]
	for {
		chunk, err := s.br.ReadSlice('\n')
		s.buf = append(s.buf, chunk...)
		if len(s.buf) > s.limit+1 { // +1: the '\n' is not part of the row
			return "", rowTooLong(s.line, s.limit)
		}
		switch {
		case err == nil:
			return string(bytes.TrimSuffix(s.buf, []byte("\n"))), nil
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && len(s.buf) > 0:
			return string(s.buf), nil
		case err == io.EOF:
			return "", io.EOF
		case errors.Is(err, errRowTooLong):
			return "", rowTooLong(s.line, s.limit)
		default:
			return "", &ParseError{Line: s.line + 1, Err: err}
		}
	}
}

// rowTooLong is the error for a row longer than limit bytes that starts
// after line after.
func rowTooLong(after, limit int) error {
	where := "the first row"
	if after > 0 {
		where = fmt.Sprintf("the row after line %d", after)
	}
	return &ParseError{Err: fmt.Errorf("%s is longer than %d bytes, the limit (MaxRowBytes): is this a text table?", where, limit)}
}

// rowLimiter passes reads through until more than limit bytes have been
// read since mark, the offset where the current row started; then it
// returns errRowTooLong. csvRows moves mark to the end of each row it
// returns. Reads run up to readAhead bytes ahead of the parser, so limit
// includes that slack: the limiter bounds memory for a row that never
// ends, and csvRows checks each row it does get exactly.
type rowLimiter struct {
	r     io.Reader
	n     int64 // bytes read so far
	mark  int64
	limit int64
}

func (l *rowLimiter) Read(p []byte) (int, error) {
	room := l.limit - (l.n - l.mark)
	if room <= 0 {
		return 0, errRowTooLong
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}
