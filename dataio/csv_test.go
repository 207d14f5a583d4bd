package dataio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadCSV(t *testing.T) {
	for _, c := range []struct {
		name   string
		in     string
		opts   CSVOptions
		header []string
		cells  [][]string
	}{
		{"plain", "1,2,3\n4,5,6\n", CSVOptions{}, nil, [][]string{{"1", "2", "3"}, {"4", "5", "6"}}},
		{"no final newline", "1,2\n3,4", CSVOptions{}, nil, [][]string{{"1", "2"}, {"3", "4"}}},
		{"CRLF", "1,2\r\n3,4\r\n", CSVOptions{}, nil, [][]string{{"1", "2"}, {"3", "4"}}},
		{"header detected", "x,y\n1,2\n", CSVOptions{}, []string{"x", "y"}, [][]string{{"1", "2"}}},
		{"quoted header", "\"x\", \"long, name\"\n1,2\n", CSVOptions{}, []string{"x", "long, name"}, [][]string{{"1", "2"}}},
		{"quoted fields", "site,note\n\"a,b\",\"say \"\"hi\"\"\"\nc,\"two\nlines\"\n", CSVOptions{Header: HeaderYes},
			[]string{"site", "note"}, [][]string{{"a,b", `say "hi"`}, {"c", "two\nlines"}}},
		{"numeric header forced", "1,2\n3,4\n", CSVOptions{Header: HeaderYes}, []string{"1", "2"}, [][]string{{"3", "4"}}},
		{"mixed header forced", "1,2,NA\n3,4,5\n", CSVOptions{Header: HeaderYes}, []string{"1", "2", "NA"}, [][]string{{"3", "4", "5"}}},
		{"text rows forced as data", "a,b\nc,d\n", CSVOptions{Header: HeaderNo}, nil, [][]string{{"a", "b"}, {"c", "d"}}},
		{"header only", "a,b,c\n", CSVOptions{}, []string{"a", "b", "c"}, nil},
		{"comment lines and blanks", "# made by hand\n\n1, 2\n\n# middle\n3 ,4\n", CSVOptions{}, nil, [][]string{{"1", "2"}, {"3", "4"}}},
		{"no comments", "#a,b\n1,2\n", CSVOptions{Comment: NoComment}, []string{"#a", "b"}, [][]string{{"1", "2"}}},
		{"other comment", "% note\n1,#2\n", CSVOptions{Comment: '%', Header: HeaderNo}, nil, [][]string{{"1", "#2"}}},
		{"spaces", "  1.5 ,\t-2e3  \n", CSVOptions{}, nil, [][]string{{"1.5", "-2e3"}}},
		{"whitespace", "1 2\t3\n  4   5 6  # trailing comment\n", CSVOptions{Whitespace: true}, nil, [][]string{{"1", "2", "3"}, {"4", "5", "6"}}},
		{"whitespace header", "a b\n1 2\n", CSVOptions{Whitespace: true}, []string{"a", "b"}, [][]string{{"1", "2"}}},
		{"semicolon", "1;2\n3;4\n", CSVOptions{Comma: ';'}, nil, [][]string{{"1", "2"}, {"3", "4"}}},
		{"tab, empty field kept", "a\tb\tc\n1\t\t3\n", CSVOptions{Comma: '\t'}, []string{"a", "b", "c"}, [][]string{{"1", "", "3"}}},
		{"one column", "1\n2\n3\n", CSVOptions{}, nil, [][]string{{"1"}, {"2"}, {"3"}}},
		{"empty", "", CSVOptions{}, nil, nil},
		{"only comments", "# nothing\n\n", CSVOptions{}, nil, nil},
		{"specials are numbers", "NaN,inf,-Inf,0x1p-2,1e400\n", CSVOptions{}, nil, [][]string{{"NaN", "inf", "-Inf", "0x1p-2", "1e400"}}},
		// A byte order mark is not part of the first field: "1" stays a
		// number and the first row stays data (it was dropped as a header).
		{"BOM before data", "\xef\xbb\xbf1,2,3\n4,5,6\n", CSVOptions{}, nil, [][]string{{"1", "2", "3"}, {"4", "5", "6"}}},
		{"BOM before header", "\xef\xbb\xbfx,y\n1,2\n", CSVOptions{}, []string{"x", "y"}, [][]string{{"1", "2"}}},
		{"BOM, whitespace", "\xef\xbb\xbf1 2\n", CSVOptions{Whitespace: true}, nil, [][]string{{"1", "2"}}},
		{"label column", "site,x,y\nsite_G,1,2\nsite_H,3,4\n", CSVOptions{}, []string{"site", "x", "y"}, [][]string{{"site_G", "1", "2"}, {"site_H", "3", "4"}}},
		{"labels without a header", "site_G,1\nsite_H,3\n", CSVOptions{Header: HeaderNo}, nil, [][]string{{"site_G", "1"}, {"site_H", "3"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			// HalfReader: the reader must cope with short reads.
			tab, err := ReadCSV(iotest.HalfReader(strings.NewReader(c.in)), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := tab.Header(); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.header) || (got == nil) != (c.header == nil) {
				t.Errorf("header %#v, want %#v", got, c.header)
			}
			var cells [][]string
			for r := 0; r < tab.Rows(); r++ {
				var row []string
				for col := 0; col < tab.Cols(); col++ {
					s, err := tab.StringsAt(col)
					if err != nil {
						t.Fatal(err)
					}
					row = append(row, s[r])
				}
				cells = append(cells, row)
			}
			if fmt.Sprintf("%q", cells) != fmt.Sprintf("%q", c.cells) {
				t.Errorf("rows %q, want %q", cells, c.cells)
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		opts CSVOptions
		want string
	}{
		{"ragged", "a,b,c,d\n1,2,3,4\n\n# note\n5,6,7,8\n\n9,10,11\n", CSVOptions{}, "csv: line 7: row has 3 fields, want 4"},
		{"too many", "1,2\n3,4,5\n", CSVOptions{}, "csv: line 2: row has 3 fields, want 2"},
		{"ragged after a multi-line field", "a,b\n\"x\ny\",1\n2\n", CSVOptions{}, "csv: line 4: row has 1 fields, want 2"},
		// The first row of this file used to be taken as a header and
		// lost; now HeaderAuto refuses to guess.
		{"numbers and text on line 1", "1,2,NA\n4,5,6\n", CSVOptions{},
			`csv: line 1, column 3: "NA" is not a number, but column 1 ("1") is: is line 1 a header or data? (a header has no numbers; set the header option to yes or no)`},
		{"empty field on line 1", "1,,3\n", CSVOptions{}, `csv: line 1, column 2: "" is not a number, but column 1 ("1") is: ...`},
		{"labels and numbers on line 1", "site_G,1\nsite_H,3\n", CSVOptions{}, `csv: line 1, column 1: "site_G" is not a number, but column 2 ("1") is: ...`},
		{"all text", "a,b\nc,d\n", CSVOptions{},
			"csv: line 1: no field here nor on line 2 is a number: is line 1 a header or data? (set the header option to yes or no)"},
		{"wrong separator", "1;2\n3;4\n", CSVOptions{}, "csv: line 1: no field here nor on line 2 is a number: ..."},
		{"whitespace ragged", "1 2\n3\n", CSVOptions{Whitespace: true}, "csv: line 2: row has 1 fields, want 2"},
		{"bare quote", "1,2\n3,a\"b\n", CSVOptions{}, `csv: line 2: bare " in non-quoted-field (at byte 4 of the line)`},
		{"unterminated quote", "1,2\n3,\"ab\n", CSVOptions{}, `csv: line 2: extraneous or missing " in quoted-field (at byte 7 of the line)`},
		{"quote as separator", "1,2\n", CSVOptions{Comma: '"'}, `dataio: invalid separator '"'`},
		{"separator is the comment", "1,2\n", CSVOptions{Comma: '#'}, `dataio: invalid separator '#'`},
		{"bad comment", "1,2\n", CSVOptions{Comment: '\n'}, `dataio: invalid comment character '\n'`},
		{"long row", "1,2\n" + strings.Repeat("9", 100) + "\n", CSVOptions{MaxRowBytes: 50},
			"csv: the row after line 1 is longer than 50 bytes, the limit (MaxRowBytes): is this a text table?"},
		{"long first row", strings.Repeat("9", 100), CSVOptions{MaxRowBytes: 50}, "csv: the first row is longer than 50 bytes, ..."},
		{"long quoted field", "a\n\"" + strings.Repeat("x\n", 100) + "\"\n", CSVOptions{MaxRowBytes: 50}, "csv: the row after line 1 is longer than 50 bytes, ..."},
		{"long whitespace row", "1 2\n3 4\n" + strings.Repeat("9 ", 100), CSVOptions{Whitespace: true, MaxRowBytes: 50}, "csv: the row after line 2 is longer than 50 bytes, ..."},
	} {
		t.Run(c.name, func(t *testing.T) {
			tab, err := ReadCSV(strings.NewReader(c.in), c.opts)
			if !matches(err, c.want) {
				t.Errorf("got %v, %v; want error %q", tab, err, c.want)
			}
		})
	}
}

// matches reports whether err's message is want, or starts with want's
// text before a final "...".
func matches(err error, want string) bool {
	if err == nil {
		return false
	}
	if p, ok := strings.CutSuffix(want, "..."); ok {
		return strings.HasPrefix(err.Error(), p)
	}
	return err.Error() == want
}

// TestReadCSVRowLimit: a row of MaxRowBytes is read and one a byte longer
// is not, in both row readers; and an input that never ends a row
// (/dev/zero, in effect) fails at DefaultMaxRowBytes having allocated a
// bounded amount.
func TestReadCSVRowLimit(t *testing.T) {
	const limit = 1000
	row := func(n int) string { return strings.Repeat("1,", n/2-1) + "1" } // n-1 bytes
	for _, opts := range []CSVOptions{{MaxRowBytes: limit}, {MaxRowBytes: limit, Whitespace: true}} {
		sep := ","
		if opts.Whitespace {
			sep = " "
		}
		fit := strings.ReplaceAll(row(limit)+"1", ",", sep)[:limit]
		if _, err := ReadCSV(strings.NewReader(fit+"\n"+fit+"\n"), opts); err != nil {
			t.Errorf("whitespace %v: rows of %d bytes: %v", opts.Whitespace, len(fit), err)
		}
		long := fit + "9"
		_, err := ReadCSV(strings.NewReader(fit+"\n"+long+"\n"), opts)
		if !matches(err, "csv: the row after line 1 is longer than 1000 bytes, ...") {
			t.Errorf("whitespace %v: a row of %d bytes: %v", opts.Whitespace, len(long), err)
		}
	}
	for _, opts := range []CSVOptions{{}, {Whitespace: true}} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := ReadCSV(zeros{}, opts)
		runtime.ReadMemStats(&after)
		if !matches(err, "csv: the first row is longer than 16777216 bytes, ...") {
			t.Errorf("whitespace %v: error %v", opts.Whitespace, err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 8*DefaultMaxRowBytes {
			t.Errorf("whitespace %v: allocated %d MiB for a row refused at 16 MiB", opts.Whitespace, got>>20)
		}
	}
}

// zeros is an endless input of zero bytes, like /dev/zero.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestCSVRoundTripBitExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rows, cols := 40, 7
	data := make([]float64, rows*cols)
	for i := range data {
		// Random bit patterns cover every exponent and mantissa;
		// NaN payloads are not kept by text, so NaNs become one NaN.
		data[i] = math.Float64frombits(rng.Uint64())
		if math.IsNaN(data[i]) {
			data[i] = math.NaN()
		}
	}
	copy(data, []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64, math.MaxFloat64, 0.1})
	header := []string{"a", "b, quoted", `say "c"`, "d\ne", "#f", "g", "h"}
	for _, h := range [][]string{nil, header} {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, h, data, rows, cols); err != nil {
			t.Fatal(err)
		}
		tab, err := ReadCSV(&buf, CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if tab.Rows() != rows || tab.Cols() != cols || fmt.Sprintf("%q", tab.Header()) != fmt.Sprintf("%q", h) {
			t.Fatalf("got %d×%d header %q", tab.Rows(), tab.Cols(), tab.Header())
		}
		m, err := tab.Matrix()
		if err != nil {
			t.Fatal(err)
		}
		for i := range data {
			if math.Float64bits(m.Data[i]) != math.Float64bits(data[i]) {
				t.Fatalf("element %d: %v, want %v", i, m.Data[i], data[i])
			}
		}
	}
}

func TestWriteCSVFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, []string{"x", "y, z"}, []float64{0.1, 1e21, -3, math.NaN()}, 2, 2); err != nil {
		t.Fatal(err)
	}
	if want := "x,\"y, z\"\n0.1,1e+21\n-3,NaN\n"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func TestWriteCSVErrors(t *testing.T) {
	for _, c := range []struct {
		header     []string
		data       []float64
		rows, cols int
		want       string
	}{
		{nil, make([]float64, 5), 2, 3, "csv: 2×3 table, data has 5 elements"},
		{nil, nil, -1, 3, "csv: negative shape -1×3"},
		{[]string{"a"}, make([]float64, 2), 1, 2, "csv: 1 column names for 2 columns"},
		{[]string{"#a", "b"}, make([]float64, 2), 1, 2, `csv: column name "#a" cannot be written first: the header would read back as a comment`},
		{[]string{"a", ""}, make([]float64, 2), 1, 2, `csv: column name "" cannot be written: it would read back as ""`},
		{[]string{"a", " b"}, make([]float64, 2), 1, 2, `csv: column name " b" cannot be written: it would read back as "b"`},
		{[]string{"a", "2"}, make([]float64, 2), 1, 2, `csv: column name "2" is a number: the header would not read back as one (see HeaderAuto)`},
		{[]string{"NaN", "b"}, make([]float64, 2), 1, 2, `csv: column name "NaN" is a number: ...`},
	} {
		if err := WriteCSV(&bytes.Buffer{}, c.header, c.data, c.rows, c.cols); !matches(err, c.want) {
			t.Errorf("%q %d×%d: error %v, want %q", c.header, c.rows, c.cols, err, c.want)
		}
	}
	if err := WriteCSV(errWriter{}, nil, []float64{1}, 1, 1); !errors.Is(err, errDiskFull) {
		t.Errorf("write error %v, want %v", err, errDiskFull)
	}
}

func TestParseHeaderMode(t *testing.T) {
	for _, m := range []HeaderMode{HeaderAuto, HeaderYes, HeaderNo} {
		if got, err := ParseHeaderMode(m.String()); err != nil || got != m {
			t.Errorf("%v: %v, %v", m, got, err)
		}
	}
	if _, err := ParseHeaderMode("maybe"); err == nil || err.Error() != `dataio: header mode "maybe": want auto, yes or no` {
		t.Errorf("maybe: %v", err)
	}
}

func TestReadCSVInputError(t *testing.T) {
	_, err := ReadCSV(io.MultiReader(strings.NewReader("1,2\n3,"), iotest.ErrReader(errDiskFull)), CSVOptions{})
	if !errors.Is(err, errDiskFull) {
		t.Errorf("error %v, want %v", err, errDiskFull)
	}
}
