package dataio

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
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
		data   []float64
		rows   int
		cols   int
	}{
		{"plain", "1,2,3\n4,5,6\n", CSVOptions{}, nil, []float64{1, 2, 3, 4, 5, 6}, 2, 3},
		{"no final newline", "1,2\n3,4", CSVOptions{}, nil, []float64{1, 2, 3, 4}, 2, 2},
		{"CRLF", "1,2\r\n3,4\r\n", CSVOptions{}, nil, []float64{1, 2, 3, 4}, 2, 2},
		{"header detected", "x,y\n1,2\n", CSVOptions{}, []string{"x", "y"}, []float64{1, 2}, 1, 2},
		{"quoted header", "\"x\", \"long name\"\n1,2\n", CSVOptions{}, []string{"x", "long name"}, []float64{1, 2}, 1, 2},
		{"mixed header", "x,2\n1,2\n", CSVOptions{}, []string{"x", "2"}, []float64{1, 2}, 1, 2},
		{"numeric header forced", "1,2\n3,4\n", CSVOptions{Header: HeaderYes}, []string{"1", "2"}, []float64{3, 4}, 1, 2},
		{"header only", "a,b,c\n", CSVOptions{}, []string{"a", "b", "c"}, nil, 0, 3},
		{"comments and blanks", "# made by hand\n\n1, 2 # first\n  \n# middle\n3 ,4\n", CSVOptions{}, nil, []float64{1, 2, 3, 4}, 2, 2},
		{"spaces", "  1.5 ,\t-2e3  \n", CSVOptions{}, nil, []float64{1.5, -2000}, 1, 2},
		{"whitespace", "1 2\t3\n  4   5 6  \n", CSVOptions{Whitespace: true}, nil, []float64{1, 2, 3, 4, 5, 6}, 2, 3},
		{"whitespace header", "a b\n1 2\n", CSVOptions{Whitespace: true}, []string{"a", "b"}, []float64{1, 2}, 1, 2},
		{"semicolon", "1;2\n3;4\n", CSVOptions{Comma: ';'}, nil, []float64{1, 2, 3, 4}, 2, 2},
		{"one column", "1\n2\n3\n", CSVOptions{}, nil, []float64{1, 2, 3}, 3, 1},
		{"empty", "", CSVOptions{}, nil, nil, 0, 0},
		{"only comments", "# nothing\n\n", CSVOptions{}, nil, nil, 0, 0},
		{"specials", "NaN,inf,-Inf,0x1p-2\n", CSVOptions{}, nil, []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0.25}, 1, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			tab, err := ReadCSV(iotest.HalfReader(strings.NewReader(c.in)), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%q", tab.Header) != fmt.Sprintf("%q", c.header) || tab.Rows != c.rows || tab.Cols != c.cols ||
				fmt.Sprint(tab.Data) != fmt.Sprint(c.data) {
				t.Errorf("got header %q data %v %d×%d, want %q %v %d×%d",
					tab.Header, tab.Data, tab.Rows, tab.Cols, c.header, c.data, c.rows, c.cols)
			}
			if (tab.Header == nil) != (c.header == nil) {
				t.Errorf("header %#v, want %#v", tab.Header, c.header)
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
		{"not a number", "x,y\n1,2\n3,abc\n", CSVOptions{}, `csv: line 3, column 2: "abc" is not a number`},
		{"empty field", "1,,3\n", CSVOptions{}, `csv: line 1, column 2: "" is not a number`},
		{"header off", "x,y\n1,2\n", CSVOptions{Header: HeaderNo}, `csv: line 1, column 1: "x" is not a number`},
		{"range", "1,1e400\n", CSVOptions{}, `csv: line 1, column 2: "1e400" is out of range for float64`},
		{"whitespace ragged", "1 2\n3\n", CSVOptions{Whitespace: true}, "csv: line 2: row has 1 fields, want 2"},
		{"wrong separator", "1;2\n", CSVOptions{}, `csv: line 1, column 1: "1;2" is not a number`},
		{"bad comma", "1,2\n", CSVOptions{Comma: '#'}, `csv: invalid separator '#'`},
	} {
		t.Run(c.name, func(t *testing.T) {
			tab, err := ReadCSV(strings.NewReader(c.in), c.opts)
			if err == nil || err.Error() != c.want {
				t.Errorf("got %v, %v; want error %q", tab, err, c.want)
			}
		})
	}
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
	header := []string{"a", "b", "c", "d", "e", "f", "g"}
	for _, h := range [][]string{nil, header} {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, h, data, rows, cols); err != nil {
			t.Fatal(err)
		}
		tab, err := ReadCSV(&buf, CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if tab.Rows != rows || tab.Cols != cols || fmt.Sprint(tab.Header) != fmt.Sprint(h) {
			t.Fatalf("got %d×%d header %q", tab.Rows, tab.Cols, tab.Header)
		}
		for i := range data {
			if math.Float64bits(tab.Data[i]) != math.Float64bits(data[i]) {
				t.Fatalf("element %d: %v, want %v", i, tab.Data[i], data[i])
			}
		}
	}
}

func TestWriteCSVFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, []string{"x", "y"}, []float64{0.1, 1e21, -3, math.NaN()}, 2, 2); err != nil {
		t.Fatal(err)
	}
	if want := "x,y\n0.1,1e+21\n-3,NaN\n"; buf.String() != want {
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
		{[]string{"a", "b,c"}, make([]float64, 2), 1, 2, `csv: column name "b,c" cannot be written`},
		{[]string{"a", "#b"}, make([]float64, 2), 1, 2, `csv: column name "#b" cannot be written`},
		{[]string{"a", ""}, make([]float64, 2), 1, 2, `csv: column name "" cannot be written`},
		{[]string{"a", " b"}, make([]float64, 2), 1, 2, `csv: column name " b" cannot be written`},
		{[]string{"1", "2"}, make([]float64, 2), 1, 2, "csv: no column name looks like a name (see HeaderAuto): the header would read back as data"},
	} {
		if err := WriteCSV(&bytes.Buffer{}, c.header, c.data, c.rows, c.cols); err == nil || err.Error() != c.want {
			t.Errorf("%q %d×%d: error %v, want %q", c.header, c.rows, c.cols, err, c.want)
		}
	}
	if err := WriteCSV(errWriter{}, nil, []float64{1}, 1, 1); err == nil || !strings.Contains(err.Error(), errDiskFull.Error()) {
		t.Errorf("write error %v, want %v", err, errDiskFull)
	}
}

func TestCheckFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		data  []float64
		shape []int
		want  string
	}{
		{[]float64{1, 2, 3, 4}, []int{2, 2}, ""},
		{nil, []int{0, 3}, ""},
		{[]float64{1, 2, 3, 4, 5, nan, inf}, []int{7}, "element 6 is NaN"},
		{[]float64{1, 2, 3, 4, 5, 6, -inf, nan}, []int{4, 2}, "row 4, column 1 is -Inf"},
		{[]float64{1, 2, 3, inf}, []int{2, 2}, "row 2, column 2 is +Inf"},
		{[]float64{nan}, nil, "element 1 is NaN"},
	} {
		err := CheckFinite(c.data, c.shape)
		if got := fmt.Sprint(err); (err == nil) != (c.want == "") || err != nil && got != c.want {
			t.Errorf("%v %v: %v, want %q", c.data, c.shape, err, c.want)
		}
	}
	// A 12×4 matrix with a NaN at row 12, column 3 (counting from 1).
	data := make([]float64, 48)
	data[11*4+2] = nan
	if err := CheckFinite(data, []int{12, 4}); err == nil || err.Error() != "row 12, column 3 is NaN" {
		t.Errorf("got %v", err)
	}
}

func TestCheckFinitePanics(t *testing.T) {
	for _, shape := range [][]int{{2, 2}, {1, 2, 2}, {-1}} {
		func() {
			defer func() {
				if r, ok := recover().(string); !ok || !strings.HasPrefix(r, "dataio: ") {
					t.Errorf("shape %v: panic %v, want a dataio: message", shape, r)
				}
			}()
			CheckFinite(make([]float64, 3), shape)
		}()
	}
}
