package dataio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// npyFile builds a .npy file by hand: magic, version major.0, the header
// dict padded as NumPy pads it, then data.
func npyFile(major byte, dict string, data []byte) []byte {
	lenBytes := 2
	if major > 1 {
		lenBytes = 4
	}
	total := 8 + lenBytes + len(dict) + 1
	dict += strings.Repeat(" ", (64-total%64)%64) + "\n"
	b := append([]byte(npyMagic), major, 0)
	if lenBytes == 2 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(dict)))
	}
	return append(append(b, dict...), data...)
}

// encode writes vals as dtype descr ('<f8', '>i4', ...).
func encode(descr string, vals []float64) []byte {
	var order binary.AppendByteOrder = binary.LittleEndian
	if descr[0] == '>' {
		order = binary.BigEndian
	}
	var b []byte
	for _, v := range vals {
		switch descr[1:] {
		case "f8":
			b = order.AppendUint64(b, math.Float64bits(v))
		case "f4":
			b = order.AppendUint32(b, math.Float32bits(float32(v)))
		case "i8":
			b = order.AppendUint64(b, uint64(int64(v)))
		case "i4":
			b = order.AppendUint32(b, uint32(int32(v)))
		default:
			panic(descr)
		}
	}
	return b
}

// matrix23 is [[1, 2, 3], [4, 5, -6]] in C order and in Fortran order.
var (
	matrix23C = []float64{1, 2, 3, 4, 5, -6}
	matrix23F = []float64{1, 4, 2, 5, 3, -6}
)

func TestReadNPYDtypesAndOrders(t *testing.T) {
	for _, descr := range []string{"<f8", ">f8", "<f4", ">f4", "<i8", ">i8", "<i4", ">i4"} {
		for _, c := range []struct {
			name    string
			fortran string
			shape   string
			stored  []float64
			want    []int
		}{
			{"C 2-D", "False", "(2, 3)", matrix23C, []int{2, 3}},
			{"Fortran 2-D", "True", "(2, 3)", matrix23F, []int{2, 3}},
			{"C 1-D", "False", "(6,)", matrix23C, []int{6}},
			{"Fortran 1-D", "True", "(6,)", matrix23C, []int{6}},
		} {
			for _, major := range []byte{1, 2, 3} {
				t.Run(fmt.Sprintf("%s/%s/v%d", descr, c.name, major), func(t *testing.T) {
					dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, c.fortran, c.shape)
					a, err := ReadNPY(bytes.NewReader(npyFile(major, dict, encode(descr, c.stored))))
					if err != nil {
						t.Fatal(err)
					}
					if fmt.Sprint(a.Shape) != fmt.Sprint(c.want) || fmt.Sprint(a.Data) != fmt.Sprint(matrix23C) {
						t.Errorf("got shape %v data %v, want %v %v", a.Shape, a.Data, c.want, matrix23C)
					}
				})
			}
		}
	}
}

// TestReadNPYSmallDtypes: the narrower integers, unsigned integers and
// booleans, in both byte orders, at the edges of their ranges.
func TestReadNPYSmallDtypes(t *testing.T) {
	for _, c := range []struct {
		descr string
		data  []byte
		want  string
	}{
		{"|i1", []byte{0x80, 0xff, 0, 0x7f}, "[-128 -1 0 127]"},
		{"|u1", []byte{0, 1, 0xfe, 0xff}, "[0 1 254 255]"},
		{"<u1", []byte{0, 1, 0xfe, 0xff}, "[0 1 254 255]"},
		{"|b1", []byte{0, 1, 0, 2}, "[0 1 0 1]"},
		{"<i2", []byte{0x00, 0x80, 0xff, 0xff, 0, 0, 0xff, 0x7f}, "[-32768 -1 0 32767]"},
		{">i2", []byte{0x80, 0x00, 0xff, 0xff, 0, 0, 0x7f, 0xff}, "[-32768 -1 0 32767]"},
		{"<u2", []byte{0, 0, 1, 0, 0, 1, 0xff, 0xff}, "[0 1 256 65535]"},
		{">u2", []byte{0, 0, 0, 1, 1, 0, 0xff, 0xff}, "[0 1 256 65535]"},
		{"<u4", binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(
			binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 0), 1), 1<<31), math.MaxUint32), "[0 1 2.147483648e+09 4.294967295e+09]"},
		{">u8", binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(
			binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, 0), 1), 1<<53), 1<<63), "[0 1 9.007199254740992e+15 9.223372036854776e+18]"},
	} {
		dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (4,), }", c.descr)
		a, err := ReadNPY(bytes.NewReader(npyFile(1, dict, c.data)))
		if err != nil || fmt.Sprint(a.Data) != c.want {
			t.Errorf("%s: %v, %v; want %s", c.descr, a, err, c.want)
		}
	}
	for _, c := range []struct {
		descr string
		v     uint64
	}{{"<u8", 1<<53 + 1}, {"<u8", math.MaxUint64}} {
		dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (1,), }", c.descr)
		_, err := ReadNPY(bytes.NewReader(npyFile(1, dict, binary.LittleEndian.AppendUint64(nil, c.v))))
		if want := fmt.Sprintf("npy: element 0: uint64 value %d has no exact float64", c.v); err == nil || err.Error() != want {
			t.Errorf("%d: %v, want %q", c.v, err, want)
		}
	}
	for _, descr := range []string{"|f8", "|i2", "<b2", "<f2", "<f16", "<i3", "<u+1", "<u", "f8", "=i4", "<U8", "|S4", "|O", "<M8[s]"} {
		dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (1,), }", descr)
		_, err := ReadNPY(bytes.NewReader(npyFile(1, dict, make([]byte, 16))))
		if want := "npy: unsupported dtype '" + descr + "'"; err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", descr, err, want)
		}
	}
}

func TestReadNPYFortranNonSquare(t *testing.T) {
	// A 3×2 Fortran array [[1, 2], [3, 4], [5, 6]] is stored column by
	// column: 1 3 5 2 4 6.
	dict := "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 2), }"
	a, err := ReadNPY(bytes.NewReader(npyFile(1, dict, encode("<f8", []float64{1, 3, 5, 2, 4, 6}))))
	if err != nil {
		t.Fatal(err)
	}
	if want := "[1 2 3 4 5 6]"; fmt.Sprint(a.Data) != want || fmt.Sprint(a.Shape) != "[3 2]" {
		t.Errorf("got %v %v, want %s [3 2]", a.Data, a.Shape, want)
	}
}

func TestReadNPYHeaderVariants(t *testing.T) {
	// Headers NumPy versions and other writers produce: key order, double
	// quotes, no trailing comma, Python 2 longs, extra spaces.
	for _, dict := range []string{
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
		"{'shape': (2, 3), 'fortran_order': False, 'descr': '<f8'}",
		`{"descr": "<f8", "fortran_order": False, "shape": (2,3)}`,
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }",
		"  {  'descr' :'<f8' ,'fortran_order':False,'shape':( 2 , 3 , ) }  ",
	} {
		a, err := ReadNPY(bytes.NewReader(npyFile(1, dict, encode("<f8", matrix23C))))
		if err != nil {
			t.Errorf("%s: %v", dict, err)
			continue
		}
		if fmt.Sprint(a.Shape) != "[2 3]" || fmt.Sprint(a.Data) != fmt.Sprint(matrix23C) {
			t.Errorf("%s: got %v %v", dict, a.Shape, a.Data)
		}
	}
}

func TestReadNPYIntegerExactness(t *testing.T) {
	for _, c := range []struct {
		v  int64
		ok bool
	}{
		{1 << 53, true}, {-(1 << 53), true}, {1<<53 + 1, false}, {1 << 60, true},
		{math.MinInt64, true}, {math.MaxInt64, false}, {-(1<<53 + 1), false},
	} {
		dict := "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }"
		data := binary.LittleEndian.AppendUint64(encode("<i8", []float64{7}), uint64(c.v))
		a, err := ReadNPY(bytes.NewReader(npyFile(1, dict, data)))
		if c.ok {
			if err != nil || a.Data[1] != float64(c.v) {
				t.Errorf("%d: got %v, %v", c.v, a, err)
			}
			continue
		}
		want := fmt.Sprintf("npy: element 1: int64 value %d has no exact float64", c.v)
		if err == nil || err.Error() != want {
			t.Errorf("%d: error %v, want %q", c.v, err, want)
		}
	}
}

func TestReadNPYErrors(t *testing.T) {
	good := "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
	data := encode("<f8", matrix23C)
	for _, c := range []struct {
		name string
		in   []byte
		want string // the whole message, or a prefix ending in "..."
	}{
		{"empty", nil, "npy: empty input, not a .npy file"},
		{"bad magic", []byte("PK\x03\x04 not npy at all"), `npy: bad magic "PK\x03\x04 n": not a .npy file`},
		{"short bad magic", []byte("\x93NUMX"), `npy: bad magic "\x93NUMX": not a .npy file`},
		{"truncated magic", []byte("\x93NUM"), "npy: truncated header: 4 bytes"},
		{"version", append([]byte(npyMagic), 4, 0, 0, 0), "npy: unsupported format version 4.0"},
		{"minor version", append([]byte(npyMagic), 1, 1, 0, 0), "npy: unsupported format version 1.1"},
		{"no length", []byte(npyMagic + "\x01\x00\x05"), "npy: truncated header: ..."},
		{"short header", npyFile(1, good, nil)[:40], "npy: truncated header: want 118 bytes, got 30"},
		{"huge header", append([]byte(npyMagic), 2, 0, 0, 0, 0, 1), "npy: header: length 16777216 exceeds the limit of 65536 bytes"},
		{"not a dict", npyFile(1, "('<f8', False, (2, 3))", data), "npy: header: want a dict, got ('<f8', False, (2, 3))"},
		{"garbage", npyFile(1, "{'descr': <f8}", data), `npy: header: offset 10: unexpected "<f8}` + strings.Repeat(" ", 16) + `..."`},
		{"unterminated", npyFile(1, "{'descr", data), "npy: header: offset 1: unterminated string"},
		{"missing comma", npyFile(1, "{'descr': '<f8' 'shape': (2,)}", data), "npy: header: offset 16: want ',' or '}' after the value of 'descr'"},
		{"missing key", npyFile(1, "{'descr': '<f8', 'shape': (2, 3)}", data), "npy: header: missing key 'fortran_order'"},
		{"extra key", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", data), "npy: header: unexpected key 'x'"},
		{"duplicate key", npyFile(1, "{'descr': '<f8', 'descr': '<f8'}", data), "npy: header: offset 24: duplicate key 'descr'"},
		{"complex", npyFile(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (3,), }", data), "npy: unsupported dtype '<c16'"},
		{"native order", npyFile(1, "{'descr': '=f8', 'fortran_order': False, 'shape': (3,), }", data), "npy: unsupported dtype '=f8'"},
		{"structured", npyFile(1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,), }", data), "npy: unsupported dtype [('a', '<f8')]: structured arrays are not supported"},
		{"descr type", npyFile(1, "{'descr': 8, 'fortran_order': False, 'shape': (3,), }", data), "npy: header: 'descr' is 8, want a string"},
		{"fortran type", npyFile(1, "{'descr': '<f8', 'fortran_order': 'no', 'shape': (3,), }", data), "npy: header: 'fortran_order' is 'no', want True or False"},
		{"shape list", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': [3], }", data), "npy: header: 'shape' is [3], want a tuple"},
		{"negative dim", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }", data), "npy: header: shape (-3,): dimension 0 is not a non-negative integer"},
		{"huge dim", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", data), "npy: header: offset 51: bad or too large integer \"99999999999999999999\""},
		{"3-d", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 3), }", data), "npy: 3-d array (shape (1, 2, 3)): want 1-d or 2-d"},
		{"0-d", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", data), "npy: 0-d array (shape ()): want 1-d or 2-d"},
		{"overflow", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", data), "npy: shape (4294967296, 4294967296) is too large"},
		{"2^60 elements", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1152921504606846976,), }", data), "npy: shape (1152921504606846976,) is too large"},
		{"2^59 elements", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (576460752303423488,), }", data), "npy: truncated data: want 4611686018427387904 bytes, got 48"},
		{"truncated data", npyFile(1, good, data[:40]), "npy: truncated data: want 48 bytes, got 40"},
		{"no data", npyFile(1, good, nil), "npy: truncated data: want 48 bytes, got 0"},
		{"nesting", npyFile(1, strings.Repeat("(", 100), nil), "npy: header: offset 33: nested too deeply"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Once with a reader whose length ReadNPY can see, once
			// through a plain io.Reader, which it must read to the end.
			for _, r := range []io.Reader{bytes.NewReader(c.in), iotest.HalfReader(bytes.NewReader(c.in))} {
				a, err := ReadNPY(r)
				if err == nil {
					t.Fatalf("no error, got %v", a)
				}
				if p, ok := strings.CutSuffix(c.want, "..."); ok && strings.HasPrefix(err.Error(), p) || err.Error() == c.want {
					continue
				}
				t.Errorf("%T: error %q, want %q", r, err, c.want)
			}
		})
	}
}

// TestReadNPYHugeClaimDoesNotAllocate: a header announcing 2^59 float64 (4
// EiB) followed by a few bytes must fail without allocating for the claim,
// whether or not ReadNPY can see the input's length.
func TestReadNPYHugeClaimDoesNotAllocate(t *testing.T) {
	in := npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (576460752303423488,), }", make([]byte, 100))
	for _, r := range []io.Reader{bytes.NewReader(in), iotest.OneByteReader(bytes.NewReader(in))} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := ReadNPY(r)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.HasPrefix(err.Error(), "npy: truncated data") {
			t.Errorf("%T: error %v, want truncated data", r, err)
		}
		// npyInitialElements float64 plus a chunk, at most.
		if got := after.TotalAlloc - before.TotalAlloc; got > 8*npyInitialElements+2*npyChunk {
			t.Errorf("%T: allocated %d bytes for a truncated input", r, got)
		}
	}
}

func TestWriteNPYHeader(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteNPY(&buf, &Array{Data: matrix23C, Shape: []int{2, 3}}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// What numpy.save writes for np.zeros((2, 3)): version 1.0, header
	// padded with spaces to 64 bytes in all, '\n' last.
	dict := "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
	want := append([]byte("\x93NUMPY\x01\x00\x76\x00"), dict...)
	want = append(want, strings.Repeat(" ", 128-10-len(dict)-1)+"\n"...)
	if !bytes.Equal(b[:128], want) {
		t.Errorf("header\n%q\nwant\n%q", b[:128], want)
	}
	if !bytes.Equal(b[128:], encode("<f8", matrix23C)) {
		t.Errorf("data % x", b[128:])
	}
}

func TestNPYRoundTripBitExact(t *testing.T) {
	special := []float64{0, math.Copysign(0, -1), 1, -1, math.Pi, math.MaxFloat64, math.SmallestNonzeroFloat64,
		-math.SmallestNonzeroFloat64, 0x1p-1022, math.Inf(1), math.Inf(-1), math.NaN(),
		math.Float64frombits(0x7ff8000000000123), math.Float64frombits(0xfff0000000000001), 1e-300, 123456.789}
	for _, shape := range [][]int{{len(special)}, {4, 4}, {2, 8}, {0}, {0, 5}, {3, 0}} {
		count, _ := elementCount(shape)
		a := &Array{Data: special[:count], Shape: shape}
		var buf bytes.Buffer
		if err := WriteNPY(&buf, a); err != nil {
			t.Fatal(err)
		}
		if hl := int(binary.LittleEndian.Uint16(buf.Bytes()[8:10])); (10+hl)%64 != 0 {
			t.Errorf("%v: header ends at %d, not a multiple of 64", shape, 10+hl)
		}
		// OneByteReader: the reader must cope with short reads.
		got, err := ReadNPY(iotest.OneByteReader(&buf))
		if err != nil {
			t.Fatalf("%v: %v", shape, err)
		}
		if fmt.Sprint(got.Shape) != fmt.Sprint(shape) || len(got.Data) != count {
			t.Fatalf("%v: got shape %v, %d elements", shape, got.Shape, len(got.Data))
		}
		for i := range got.Data {
			if math.Float64bits(got.Data[i]) != math.Float64bits(a.Data[i]) {
				t.Errorf("%v: element %d: %#x, want %#x", shape, i, math.Float64bits(got.Data[i]), math.Float64bits(a.Data[i]))
			}
		}
	}
}

func TestNPYRoundTripLarge(t *testing.T) {
	// More than one read chunk, not a multiple of it.
	n := (3*npyChunk/8/5 + 1) * 5
	a := &Array{Data: make([]float64, n), Shape: []int{n / 5, 5}}
	for i := range a.Data {
		a.Data[i] = float64(i) * 1.5
	}
	var buf bytes.Buffer
	if err := WriteNPY(&buf, a); err != nil {
		t.Fatal(err)
	}
	got, err := ReadNPY(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Data {
		if got.Data[i] != a.Data[i] {
			t.Fatalf("element %d: %v, want %v", i, got.Data[i], a.Data[i])
		}
	}
}

func TestWriteNPYErrors(t *testing.T) {
	for _, c := range []struct {
		a    *Array
		want string
	}{
		{&Array{Data: make([]float64, 6), Shape: []int{1, 2, 3}}, "dataio: 3-d array (shape (1, 2, 3)): want 1-d or 2-d"},
		{&Array{Data: make([]float64, 5), Shape: []int{2, 3}}, "dataio: shape (2, 3) holds 6 elements, data has 5"},
		{&Array{Data: nil, Shape: []int{-1}}, "dataio: shape (-1,) is negative or too large"},
		{&Array{Data: nil, Shape: nil}, "dataio: 0-d array (shape ()): want 1-d or 2-d"},
	} {
		if err := WriteNPY(io.Discard, c.a); err == nil || err.Error() != c.want {
			t.Errorf("%v: error %v, want %q", c.a.Shape, err, c.want)
		}
	}
	if err := WriteNPY(errWriter{}, &Array{Data: []float64{1}, Shape: []int{1}}); !errors.Is(err, errDiskFull) {
		t.Errorf("write error %v, want %v", err, errDiskFull)
	}
}

var errDiskFull = errors.New("disk full")

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errDiskFull }
