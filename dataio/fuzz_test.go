package dataio

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzReadNPY feeds arbitrary bytes to ReadNPY (the seed corpus in
// testdata/fuzz/FuzzReadNPY holds valid files of every dtype, order and
// version, and broken ones). It must never panic or over-allocate; it must
// decide the same whether the input arrives whole or in short reads (the
// second reader hides its length, so the size checks run the other way); and
// whatever it accepts must be consistent and survive a WriteNPY round trip.
func FuzzReadNPY(f *testing.F) {
	f.Add(npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", encode("<f8", matrix23C)))
	f.Add(npyFile(3, "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }", encode(">i4", matrix23F)))
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := ReadNPY(bytes.NewReader(in))
		b, err2 := ReadNPY(iotest.HalfReader(bytes.NewReader(in)))
		if (err == nil) != (err2 == nil) {
			t.Fatalf("whole input: %v; short reads: %v", err, err2)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "npy: ") || !strings.HasPrefix(err2.Error(), "npy: ") {
				t.Fatalf("errors %q, %q lack the npy: prefix", err, err2)
			}
			return
		}
		if err := a.check(); err != nil {
			t.Fatalf("accepted an inconsistent array: %v", err)
		}
		sameArray(t, a, b)
		var buf bytes.Buffer
		if err := WriteNPY(&buf, a); err != nil {
			t.Fatal(err)
		}
		c, err := ReadNPY(&buf)
		if err != nil {
			t.Fatalf("reading back what WriteNPY wrote: %v", err)
		}
		sameArray(t, a, c)
	})
}

// sameArray fails unless a and b have the same shape and bits.
func sameArray(t *testing.T, a, b *Array) {
	t.Helper()
	if len(a.Shape) != len(b.Shape) || len(a.Data) != len(b.Data) {
		t.Fatalf("shapes %v and %v", a.Shape, b.Shape)
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			t.Fatalf("shapes %v and %v", a.Shape, b.Shape)
		}
	}
	for i := range a.Data {
		if math.Float64bits(a.Data[i]) != math.Float64bits(b.Data[i]) {
			t.Fatalf("element %d: %v and %v", i, a.Data[i], b.Data[i])
		}
	}
}

// FuzzReadCSV feeds arbitrary text to ReadCSV under each separator and
// header mode. It must never panic; its errors must carry the csv: prefix;
// a table it accepts must be consistent, and writing it with WriteCSV and
// reading it again must give the same numbers.
func FuzzReadCSV(f *testing.F) {
	f.Add("x,y\n1,2\n3,4\n", false, uint8(0))
	f.Add("1 2 3\n4 5 6 # c\n", true, uint8(2))
	f.Fuzz(func(t *testing.T, in string, whitespace bool, mode uint8) {
		opts := CSVOptions{Whitespace: whitespace, Header: HeaderMode(mode % 3)}
		tab, err := ReadCSV(strings.NewReader(in), opts)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "csv: ") {
				t.Fatalf("error %q lacks the csv: prefix", err)
			}
			return
		}
		if len(tab.Data) != tab.Rows*tab.Cols || tab.Header != nil && len(tab.Header) != tab.Cols {
			t.Fatalf("inconsistent table: %d×%d, %d values, %d names", tab.Rows, tab.Cols, len(tab.Data), len(tab.Header))
		}
		if tab.Rows == 0 {
			return
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, nil, tab.Data, tab.Rows, tab.Cols); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCSV(&buf, CSVOptions{Header: HeaderNo})
		if err != nil {
			t.Fatalf("reading back what WriteCSV wrote: %v\n%s", err, buf.String())
		}
		sameArray(t, &Array{Data: tab.Data, Shape: []int{tab.Rows, tab.Cols}}, &Array{Data: back.Data, Shape: []int{back.Rows, back.Cols}})
	})
}
