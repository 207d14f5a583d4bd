package dataio

import (
	"bytes"
	"fmt"
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
	f.Add(npyFile(2, "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2), }", []byte{1, 2, 3, 255}))
	f.Add(npyFile(1, "{'descr': '>u8', 'fortran_order': False, 'shape': (1,), }", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}))
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

// FuzzReadCSV feeds arbitrary text to ReadCSV under each header mode, with
// comma or white space between fields, and a row limit of 32 bytes or the
// default (mode's bits choose). It must never panic; its errors must carry
// the csv: or dataio: prefix; it must decide the same whether the input
// arrives whole or in short reads; a table it accepts must be consistent;
// the streaming matrix reader LoadMatrix uses must agree with the table's
// Matrix; and writing the numbers with WriteCSV and reading them again must
// give the same bits.
func FuzzReadCSV(f *testing.F) {
	f.Add("x,y\n1,2\n3,4\n", false, uint8(0))
	f.Add("1 2 3\n4 5 6 # c\n", true, uint8(2))
	f.Add("\xef\xbb\xbf1,2,3\n4,5,6\n", false, uint8(0))
	f.Add("1,2,NA\n4,5,6\n", false, uint8(0))
	f.Add("site,x\n\"a,\"\"b\"\"\nc\",1\n", false, uint8(0))
	f.Add("1,2\n"+strings.Repeat("3", 40)+"\n", false, uint8(3))
	f.Fuzz(func(t *testing.T, in string, whitespace bool, mode uint8) {
		opts := CSVOptions{Whitespace: whitespace, Header: HeaderMode(mode % 3)}
		if mode/3%2 == 1 {
			opts.MaxRowBytes = 32
		}
		tab, err := ReadCSV(strings.NewReader(in), opts)
		tab2, err2 := ReadCSV(iotest.HalfReader(strings.NewReader(in)), opts)
		if fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Fatalf("whole input: %v; short reads: %v", err, err2)
		}
		a, _, errM := readMatrixText(strings.NewReader(in), opts, "")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "csv: ") && !strings.HasPrefix(err.Error(), "dataio: ") {
				t.Fatalf("error %q lacks the csv: prefix", err)
			}
			if errM == nil {
				t.Fatalf("the table is refused (%v), the matrix read", err)
			}
			return
		}
		if len(tab.cells) != tab.Rows()*tab.Cols() || len(tab.lines) != tab.Rows() || tab.header != nil && len(tab.header) != tab.Cols() {
			t.Fatalf("inconsistent table: %d×%d, %d cells, %d names", tab.Rows(), tab.Cols(), len(tab.cells), len(tab.header))
		}
		if fmt.Sprintf("%q", tab.cells) != fmt.Sprintf("%q", tab2.cells) {
			t.Fatalf("whole input and short reads give different tables")
		}
		m, errT := tab.Matrix()
		if fmt.Sprint(errT) != fmt.Sprint(errM) {
			t.Fatalf("Table.Matrix: %v; streaming matrix read: %v", errT, errM)
		}
		if errT != nil {
			return
		}
		sameArray(t, m, a)
		if m.Rows() == 0 || opts.MaxRowBytes != 0 {
			return
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, nil, m.Data, m.Rows(), m.Cols()); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCSV(&buf, CSVOptions{Header: HeaderNo})
		if err != nil {
			t.Fatalf("reading back what WriteCSV wrote: %v\n%s", err, buf.String())
		}
		mb, err := back.Matrix()
		if err != nil {
			t.Fatal(err)
		}
		sameArray(t, m, mb)
	})
}
